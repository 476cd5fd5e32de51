// Placeholders for the formats still being written (HTML, DOCX, PDF).
#include "extract.h"

namespace lantern::kb {

Result<Extracted> extract_html(std::string_view, const ImportLimits&) {
  return Status::unsupported("HTML import is not built yet");
}
Result<Extracted> extract_docx(std::string_view, const ImportLimits&) {
  return Status::unsupported("DOCX import is not built yet");
}
Result<Extracted> extract_pdf(std::string_view, const ImportLimits&) {
  return Status::unsupported("PDF import is not built yet");
}

}  // namespace lantern::kb
