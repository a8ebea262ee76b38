#include "validate/row_binary_rows.h"

namespace mysql2ch::validate {
namespace {

// Bytes of a fixed-width encoding; 0 for the variable-length ones.
size_t fixed_width(const MappedColumn& c) {
  switch (c.encoding) {
    case ColumnEncoding::kInt8:
    case ColumnEncoding::kUInt8:
    case ColumnEncoding::kEnum8: return 1;
    case ColumnEncoding::kInt16:
    case ColumnEncoding::kUInt16:
    case ColumnEncoding::kEnum16: return 2;
    case ColumnEncoding::kInt32:
    case ColumnEncoding::kUInt32:
    case ColumnEncoding::kFloat32:
    case ColumnEncoding::kDate32: return 4;
    case ColumnEncoding::kInt64:
    case ColumnEncoding::kUInt64:
    case ColumnEncoding::kFloat64:
    case ColumnEncoding::kDateTime64:
    case ColumnEncoding::kTimeMicros: return 8;
    case ColumnEncoding::kDecimal: return c.decimal_bytes;
    case ColumnEncoding::kDecimalText:
    case ColumnEncoding::kDateText:
    case ColumnEncoding::kDateTimeText:
    case ColumnEncoding::kText:
    case ColumnEncoding::kBytes:
    case ColumnEncoding::kEnumText:
    case ColumnEncoding::kSetText:
    case ColumnEncoding::kJsonText:
    case ColumnEncoding::kGeometry:
    case ColumnEncoding::kVector: return 0;
  }
  return 0;
}

}  // namespace

Result<uint64_t> RowBinaryRows::varuint_at(size_t& at) const {
  uint64_t v = 0;
  for (unsigned shift = 0; shift < 64; shift += 7) {
    if (at >= data_.size()) {
      return make_error(ErrorCode::kProtocol, "RowBinary row {}: length ends at byte {}", row_index_, at);
    }
    const auto b = static_cast<unsigned char>(data_[at++]);
    v |= static_cast<uint64_t>(b & 0x7f) << shift;
    if ((b & 0x80) == 0) return v;
  }
  return make_error(ErrorCode::kProtocol, "RowBinary row {}: length longer than 10 bytes at byte {}", row_index_, at);
}

Result<size_t> RowBinaryRows::column_size(const MappedColumn& column, size_t at) const {
  const size_t start = at;
  if (column.nullable) {
    if (at >= data_.size()) {
      return make_error(ErrorCode::kProtocol, "RowBinary row {} column {}: data ends at byte {}", row_index_,
                        column.name, at);
    }
    if (data_[at++] != 0) return at - start;  // NULL: the marker alone
  }
  size_t width = fixed_width(column);
  if (width == 0) {
    TRY_ASSIGN(const uint64_t n, varuint_at(at));
    const uint64_t element = column.encoding == ColumnEncoding::kVector ? 4 : 1;
    if (n > (data_.size() - at) / element) {
      return make_error(ErrorCode::kProtocol, "RowBinary row {} column {}: {} elements at byte {} exceed the data",
                        row_index_, column.name, n, at);
    }
    width = n * element;
  }
  if (width > data_.size() - at) {
    return make_error(ErrorCode::kProtocol, "RowBinary row {} column {}: data ends at byte {}", row_index_,
                      column.name, data_.size());
  }
  return at + width - start;
}

Result<bool> RowBinaryRows::next(EncodedRow& row) {
  if (offset_ == data_.size()) return false;
  row.bytes.clear();
  row.column_end.clear();
  size_t at = offset_;
  for (const MappedColumn& c : *columns_) {
    TRY_ASSIGN(const size_t n, column_size(c, at));
    at += n;
    row.column_end.push_back(static_cast<uint32_t>(at - offset_));
  }
  row.bytes.assign(data_.substr(offset_, at - offset_));
  offset_ = at;
  ++row_index_;
  return true;
}

}  // namespace mysql2ch::validate
