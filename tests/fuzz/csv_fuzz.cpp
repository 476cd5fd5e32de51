// libFuzzer target for the csv importer (kb extract(Format::kCsv) + assemble + chunk); see import_fuzz.h.
#include "import_fuzz.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  return lantern::fuzz::fuzz_extract(lantern::kb::Format::kCsv, data, size);
}
