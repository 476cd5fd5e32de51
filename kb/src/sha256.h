// Incremental SHA-256. hex() finalizes: call it once, then discard the object.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace lantern::kb {

class Sha256 {
 public:
  Sha256();
  void update(std::string_view data);
  std::string hex();

 private:
  void block(const unsigned char* p);
  uint32_t h_[8];
  unsigned char buf_[64];
  size_t buf_len_ = 0;
  uint64_t total_ = 0;
};

}  // namespace lantern::kb
