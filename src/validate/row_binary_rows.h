// Splits a RowBinary result of a table's mapped columns (SELECT the columns in order … FORMAT RowBinary) into
// rows and column extents, by each column's encoding (clickhouse/type_mapping.h). Nothing is decoded: the
// extents are compared byte for byte with what RowBinaryEncoder writes for the source row (row_digest.h).
//
// Caller guarantees: `columns` outlives the reader and describes exactly the selected columns; the JSON type
// is not among them (its RowBinary form is not the text the writer sent; see mirror_reader.h).
// Guarantees back: next() either fills a whole row or fails with kProtocol naming the row, the column and the
// byte offset where the data ended or made no sense; it never reads past `data`.
#pragma once

#include <string_view>
#include <vector>

#include "clickhouse/type_mapping.h"
#include "common/result.h"
#include "validate/row_digest.h"

namespace mysql2ch::validate {

class RowBinaryRows {
 public:
  RowBinaryRows(const std::vector<MappedColumn>& columns, std::string_view data) : columns_(&columns), data_(data) {}

  // The next row into `row` (bytes and column_end; key left alone). false at the end of the data.
  Result<bool> next(EncodedRow& row);

 private:
  Result<size_t> column_size(const MappedColumn& column, size_t at) const;
  Result<uint64_t> varuint_at(size_t& at) const;

  const std::vector<MappedColumn>* columns_;
  std::string_view data_;
  size_t offset_ = 0;
  uint64_t row_index_ = 0;
};

}  // namespace mysql2ch::validate
