// libFuzzer target for the pdf importer (kb extract(Format::kPdf) + assemble + chunk); see import_fuzz.h.
#include "import_fuzz.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  return lantern::fuzz::fuzz_extract(lantern::kb::Format::kPdf, data, size);
}
