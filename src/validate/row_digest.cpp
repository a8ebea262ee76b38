#include "validate/row_digest.h"

namespace mysql2ch::validate {

void EncodedRow::set_key(const std::vector<uint32_t>& primary_key) {
  key.clear();
  for (uint32_t c : primary_key) key.append(column(c));
}

uint64_t row_hash(std::string_view bytes) {
  uint64_t h = 0xcbf29ce484222325ull;
  for (unsigned char b : bytes) {
    h ^= b;
    h *= 0x100000001b3ull;
  }
  // FNV's low bits mix poorly across similar inputs; a murmur-style finaliser makes the sums well distributed.
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdull;
  h ^= h >> 33;
  h *= 0xc4ceb9fe1a85ec53ull;
  h ^= h >> 33;
  return h;
}

}  // namespace mysql2ch::validate
