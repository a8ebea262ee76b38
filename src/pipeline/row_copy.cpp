#include "pipeline/row_copy.h"

namespace mysql2ch::pipeline {
namespace {

bool holds_bytes(schema::ValueKind kind) {
  switch (kind) {
    case schema::ValueKind::kString:
    case schema::ValueKind::kBytes:
    case schema::ValueKind::kJsonBinary:
    case schema::ValueKind::kJsonText:
    case schema::ValueKind::kGeometry:
    case schema::ValueKind::kVector:
      return true;
    default:
      return false;
  }
}

}  // namespace

size_t RowStore::append(std::span<const schema::Value> values) {
  const size_t index = row_begin_.size();
  row_begin_.push_back(values_.size());
  for (const schema::Value& v : values) {
    schema::Value copy = v;
    if (holds_bytes(v.kind)) {
      // The payload may reallocate: keep the offset (in the pointer-sized slot of a null-based view) and
      // rebind in row().
      const size_t offset = payload_.size();
      payload_.append(v.bytes);
      copy.bytes = std::string_view(static_cast<const char*>(nullptr), 0);
      copy.u = offset;
      copy.i = static_cast<int64_t>(v.bytes.size());
    }
    values_.push_back(copy);
  }
  return index;
}

std::span<const schema::Value> RowStore::row(size_t index) {
  const size_t begin = row_begin_[index];
  const size_t end = index + 1 < row_begin_.size() ? row_begin_[index + 1] : values_.size();
  view_.assign(values_.begin() + static_cast<std::ptrdiff_t>(begin),
               values_.begin() + static_cast<std::ptrdiff_t>(end));
  for (schema::Value& v : view_) {
    if (holds_bytes(v.kind)) {
      v.bytes = std::string_view(payload_.data() + v.u, static_cast<size_t>(v.i));
      v.u = 0;
      v.i = 0;
    }
  }
  return view_;
}

void RowStore::clear() {
  values_.clear();
  row_begin_.clear();
  payload_.clear();
}

}  // namespace mysql2ch::pipeline
