// One row of a table in the form both sides are compared in: the RowBinary bytes of the destination's mapped
// columns (clickhouse/type_mapping.h), source column order, without _version/_is_deleted. The source side gets
// there by encoding its canonical Values with the writer's own RowBinaryEncoder, the mirror side by reading the
// table back FORMAT RowBinary. Comparing in this domain is exact because the mapping is lossless: two rows are
// equal here exactly when the mirror holds what the writer would write for the source row (a latin1 text and
// its UTF-8 copy, a zero date stored as NULL under zero_dates: null, and so on compare equal, as they should).
//
// A RangeDigest summarises a set of rows order-independently (count and the wrapping sum of per-row hashes), so
// the two sides may read in different orders (MySQL sorts keys by collation, ClickHouse by bytes) and a table
// without a primary key compares as a multiset.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace mysql2ch::validate {

struct EncodedRow {
  std::string bytes;                 // the row's columns, back to back
  std::vector<uint32_t> column_end;  // end offset of each column in `bytes`
  std::string key;                   // the primary-key columns' bytes, in key order (empty without a key)

  std::string_view column(size_t i) const {
    const uint32_t begin = i == 0 ? 0 : column_end[i - 1];
    return std::string_view(bytes).substr(begin, column_end[i] - begin);
  }
  // Fills `key` from `bytes` and `column_end`.
  void set_key(const std::vector<uint32_t>& primary_key);
};

// 64-bit FNV-1a followed by a 64-bit finalising mix, so that sums of hashes of similar rows spread over all bits.
uint64_t row_hash(std::string_view bytes);

struct RangeDigest {
  uint64_t rows = 0;
  uint64_t hash_sum = 0;

  void add(std::string_view row_bytes) {
    ++rows;
    hash_sum += row_hash(row_bytes);
  }
  bool operator==(const RangeDigest&) const = default;
};

}  // namespace mysql2ch::validate
