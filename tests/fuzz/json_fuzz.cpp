// libFuzzer target for the json importer (kb extract(Format::kJson) + assemble + chunk); see import_fuzz.h.
#include "import_fuzz.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  return lantern::fuzz::fuzz_extract(lantern::kb::Format::kJson, data, size);
}
