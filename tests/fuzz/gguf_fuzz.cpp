// libFuzzer target for the GGUF reader and the metadata checks built on it: any byte string must
// either open or fail with a Status; nothing may crash, read out of bounds or allocate without bound.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "lantern/engine/gguf.h"
#include "lantern/engine/model_params.h"

using namespace lantern::engine;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto file = GgufFile::open_memory(std::string_view(reinterpret_cast<const char*>(data), size), "fuzz.gguf");
  if (!file.ok()) return 0;
  const GgufFile& f = **file;
  for (std::string_view key : f.metadata_keys()) {
    (void)f.value_to_string(key);
    (void)f.get_u32(key);
    (void)f.get_i64(key);
    (void)f.get_f32(key);
    (void)f.get_string(key);
    (void)f.get_string_array(key);
    (void)f.get_f32_array(key);
    (void)f.get_i32_array(key);
  }
  volatile uint8_t sink = 0;
  for (const GgufTensor& t : f.tensors()) {
    if (t.n_bytes > 0) sink = sink ^ t.data[0] ^ t.data[t.n_bytes - 1];
  }
  (void)read_model_params(f);
  (void)validate_vocab_metadata(f);
  (void)quant_mix(f);
  return 0;
}
