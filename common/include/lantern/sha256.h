// SHA-256 (FIPS 180-4) of a byte string, as lower-case hex: the knowledge base detects changed
// files by their content hash, and the audit log stores hashes of questions and answers.
//
// The one thing to know: this is a plain, portable implementation (no CPU extensions); it hashes
// at a few hundred MB/s, well above the importer's other costs.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace lantern {

class Sha256 {
 public:
  Sha256();
  void update(std::string_view data);
  std::array<uint8_t, 32> digest();  // finishes; the object must not be updated afterwards

 private:
  void block(const uint8_t* p);
  uint32_t h_[8];
  uint8_t buf_[64];
  size_t buf_len_ = 0;
  uint64_t total_ = 0;  // bytes hashed
};

std::string sha256_hex(std::string_view data);

}  // namespace lantern
