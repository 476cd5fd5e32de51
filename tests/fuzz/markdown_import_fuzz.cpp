// libFuzzer target for the markdown importer (kb extract(Format::kMarkdown) + assemble + chunk); see import_fuzz.h.
#include "import_fuzz.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  return lantern::fuzz::fuzz_extract(lantern::kb::Format::kMarkdown, data, size);
}
