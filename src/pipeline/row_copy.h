// Owned copies of row images. A binlog row's Values point into the event buffer, which the next event
// overwrites; a transaction held until its commit needs its rows to outlive that. RowStore appends rows
// (values plus the bytes they point to) into two growing arrays, so holding a transaction costs no allocation
// per value.
//
// Views returned by row() are valid until the next append() or clear(). Not thread-safe.
#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <vector>

#include "schema/value.h"

namespace mysql2ch::pipeline {

class RowStore {
 public:
  // Copies `values` (and the bytes their views point to). Returns the row's index.
  size_t append(std::span<const schema::Value> values);
  // The row's values, their views pointing into this store.
  std::span<const schema::Value> row(size_t index);
  size_t rows() const { return row_begin_.size(); }
  // Bytes held (values and their payloads): what the transaction costs in memory.
  size_t bytes() const { return values_.size() * sizeof(schema::Value) + payload_.size(); }
  void clear();

 private:
  std::vector<schema::Value> values_;  // views hold offsets into payload_ until row() rebinds them
  std::vector<size_t> row_begin_;
  std::string payload_;
  std::vector<schema::Value> view_;  // row() result
};

}  // namespace mysql2ch::pipeline
