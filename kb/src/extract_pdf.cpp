// PDF: the text layer through poppler-cpp, page by page, in a forked child process with a wall
// clock limit; then repeated page headers/footers and page numbers are removed and lines are
// joined into paragraphs.
//
// The one thing to know: poppler runs in a child so that a hostile PDF can neither hang the import
// (the child is killed at ImportLimits::pdf_time_limit_s) nor crash lantern (a crash is a per-file
// error). The child writes [u32 length][title], [u32 page count] then per page [u32 length][UTF-8 text] to a pipe and
// exits with _exit(); nothing in it returns into the parent's code.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <poppler-document.h>
#include <poppler-global.h>
#include <poppler-page.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "extract.h"
#include "normalize.h"
#include "text_decode.h"
#include "utf8.h"

namespace lantern::kb {
namespace {

constexpr int kExitLoadFailed = 20;
constexpr int kExitLocked = 21;
constexpr uint32_t kMaxPages = 100000;
constexpr size_t kMaxTextBytes = size_t{512} << 20;

void quiet_poppler(const std::string&, void*) {}

bool write_all(int fd, const void* data, size_t n) {
  const char* p = static_cast<const char*>(data);
  while (n > 0) {
    ssize_t w = ::write(fd, p, n);
    if (w < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    p += w;
    n -= static_cast<size_t>(w);
  }
  return true;
}

[[noreturn]] void child_main(std::string_view bytes, int fd) {
  poppler::set_debug_error_function(quiet_poppler, nullptr);
  std::unique_ptr<poppler::document> doc(
      poppler::document::load_from_raw_data(bytes.data(), static_cast<int>(bytes.size())));
  if (!doc) _exit(kExitLoadFailed);
  if (doc->is_locked()) _exit(kExitLocked);
  std::string title;
  {
    poppler::byte_array t = doc->get_title().to_utf8();
    title.assign(t.data(), std::min<size_t>(t.size(), 4096));
  }
  uint32_t title_len = static_cast<uint32_t>(title.size());
  if (!write_all(fd, &title_len, 4) || !write_all(fd, title.data(), title_len)) _exit(1);
  int n = doc->pages();
  uint32_t count = n < 0 ? 0 : std::min<uint32_t>(static_cast<uint32_t>(n), kMaxPages);
  if (!write_all(fd, &count, 4)) _exit(1);
  for (uint32_t i = 0; i < count; ++i) {
    std::unique_ptr<poppler::page> page(doc->create_page(static_cast<int>(i)));
    std::string text;
    if (page) {
      poppler::byte_array utf8 = page->text(poppler::rectf(), poppler::page::non_raw_non_physical_layout).to_utf8();
      text.assign(utf8.data(), utf8.size());
    }
    uint32_t len = static_cast<uint32_t>(std::min<size_t>(text.size(), UINT32_MAX));
    if (!write_all(fd, &len, 4) || !write_all(fd, text.data(), len)) _exit(1);
  }
  _exit(0);
}

// Runs child_main in a child process and collects the title and pages, within the time limit.
Result<std::vector<std::string>> pages_in_child(std::string_view bytes, double time_limit_s, std::string& title) {
  if (bytes.size() > static_cast<size_t>(INT32_MAX)) return Status::resource_limit("PDF larger than 2 GiB");
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) return Status::from_errno("pipe", errno);
  pid_t pid = fork();
  if (pid < 0) {
    int e = errno;
    close(fds[0]);
    close(fds[1]);
    return Status::from_errno("fork for PDF extraction", e);
  }
  if (pid == 0) {
    close(fds[0]);
    child_main(bytes, fds[1]);
  }
  close(fds[1]);
  std::string data;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(static_cast<int64_t>(time_limit_s * 1000));
  bool timed_out = false, too_big = false;
  char buf[65536];
  while (true) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now()).count();
    if (left <= 0) {
      timed_out = true;
      break;
    }
    struct pollfd pfd {fds[0], POLLIN, 0};
    int pr = poll(&pfd, 1, static_cast<int>(std::min<int64_t>(left, 1000)));
    if (pr < 0 && errno != EINTR) break;
    if (pr <= 0) continue;
    ssize_t n = read(fds[0], buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    data.append(buf, static_cast<size_t>(n));
    if (data.size() > kMaxTextBytes) {
      too_big = true;
      break;
    }
  }
  close(fds[0]);
  if (timed_out || too_big) kill(pid, SIGKILL);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (timed_out) {
    return Status::resource_limit("PDF text extraction took longer than " + std::to_string(static_cast<int>(time_limit_s)) +
                                  " s (killed)");
  }
  if (too_big) return Status::resource_limit("PDF text layer larger than 512 MiB");
  if (WIFSIGNALED(status)) {
    return Status::corruption("PDF parser crashed on this file (signal " + std::to_string(WTERMSIG(status)) + ")");
  }
  int code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  if (code == kExitLoadFailed) return Status::corruption("not a readable PDF");
  if (code == kExitLocked) return Status::unsupported("PDF is encrypted (password protected)");
  if (code != 0) return Status::corruption("PDF extraction failed (exit status " + std::to_string(code) + ")");
  // Decode the page records.
  std::vector<std::string> pages;
  size_t p = 0;
  auto u32 = [&](uint32_t& v) {
    if (data.size() - p < 4) return false;
    std::memcpy(&v, data.data() + p, 4);
    p += 4;
    return true;
  };
  uint32_t title_len = 0;
  if (!u32(title_len) || data.size() - p < title_len) return Status::corruption("PDF extraction produced no output");
  title.assign(data.data() + p, title_len);
  p += title_len;
  uint32_t count = 0;
  if (!u32(count)) return Status::corruption("PDF extraction output truncated");
  for (uint32_t i = 0; i < count; ++i) {
    uint32_t len = 0;
    if (!u32(len) || data.size() - p < len) return Status::corruption("PDF extraction output truncated");
    pages.emplace_back(data.data() + p, len);
    p += len;
  }
  return pages;
}

std::vector<std::string> lines_of(const std::string& page) {
  std::vector<std::string> lines;
  size_t p = 0;
  while (p <= page.size()) {
    size_t e = page.find('\n', p);
    if (e == std::string::npos) e = page.size();
    lines.push_back(page.substr(p, e - p));
    p = e + 1;
  }
  return lines;
}

// A line's identity for header/footer detection: digits folded (page numbers change), spaces gone.
std::string boilerplate_key(const std::string& line) {
  std::string k;
  for (char c : line) {
    if (c >= '0' && c <= '9') {
      if (k.empty() || k.back() != '#') k += '#';
    } else if (c != ' ' && c != '\t') {
      k += c;
    }
  }
  return k;
}

bool is_page_number(const std::string& line) {
  std::string k = boilerplate_key(line);
  for (const char* pat : {"#", "-#-", "#/#", "Page#", "page#", "Page#of#", "p.#", "[#]", "(#)", "第#页", "第#页共#页"}) {
    if (k == pat) return true;
  }
  return false;
}

// Removes lines that repeat at the top or bottom of many pages, and bare page numbers there.
void strip_boilerplate(std::vector<std::vector<std::string>>& pages) {
  // Lines looked at on each end of a page: up to 3, fewer on short pages so body text is safe.
  auto edge_indices = [&](const std::vector<std::string>& lines) {
    size_t nonempty = 0;
    for (const auto& l : lines) nonempty += !l.empty();
    const size_t kEdge = std::min<size_t>(3, std::max<size_t>(1, nonempty / 4));
    std::vector<size_t> idx;
    size_t seen = 0;
    for (size_t i = 0; i < lines.size() && seen < kEdge; ++i) {
      if (!lines[i].empty()) {
        idx.push_back(i);
        ++seen;
      }
    }
    seen = 0;
    for (size_t i = lines.size(); i-- > 0 && seen < kEdge;) {
      if (!lines[i].empty()) {
        idx.push_back(i);
        ++seen;
      }
    }
    return idx;
  };
  std::map<std::string, size_t> count;
  for (const auto& lines : pages) {
    std::map<std::string, bool> once;
    for (size_t i : edge_indices(lines)) once[boilerplate_key(lines[i])] = true;
    for (const auto& [k, _] : once) ++count[k];
  }
  size_t threshold = std::max<size_t>(3, (pages.size() + 1) / 2);
  for (auto& lines : pages) {
    for (size_t i : edge_indices(lines)) {
      std::string k = boilerplate_key(lines[i]);
      if (k.empty()) continue;
      if ((pages.size() >= 3 && count[k] >= threshold) || is_page_number(lines[i])) lines[i].clear();
    }
  }
}

bool ends_sentence(const std::string& line) {
  if (line.empty()) return false;
  size_t i = line.size();
  char32_t cp = prev_cp(line, i);
  return cp == '.' || cp == '!' || cp == '?' || cp == ':' || cp == 0x3002 || cp == 0xFF01 || cp == 0xFF1F ||
         cp == 0xFF1A || cp == 0xFF1B;
}

// Joins a page's lines into paragraphs: a blank line, or a short line that ends a sentence, ends a
// paragraph; otherwise lines are joined with a space (none between two CJK characters, and a
// hyphen at a line end before a lowercase letter is removed).
std::string join_page(const std::vector<std::string>& lines) {
  size_t longest = 0;
  for (const auto& l : lines) longest = std::max(longest, l.size());
  std::string out, para;
  auto end_para = [&]() {
    if (para.empty()) return;
    if (!out.empty()) out += "\n\n";
    out += para;
    para.clear();
  };
  for (const auto& l : lines) {
    if (l.empty()) {
      end_para();
      continue;
    }
    if (!para.empty()) {
      size_t i = para.size(), j = 0;
      char32_t last = prev_cp(para, i);
      char32_t first = next_cp(l, j);
      if (last == '-' && first >= 'a' && first <= 'z' && para.size() >= 2 && std::isalpha(static_cast<unsigned char>(para[para.size() - 2]))) {
        para.pop_back();
      } else if (!(is_cjk(last) && is_cjk(first))) {
        para += ' ';
      }
    }
    para += l;
    if (ends_sentence(l) && l.size() * 4 < longest * 3) end_para();
  }
  end_para();
  return out;
}

}  // namespace

Result<Extracted> extract_pdf(std::string_view bytes, const ImportLimits& limits) {
  if (bytes.substr(0, 1024).find("%PDF-") == std::string_view::npos) return Status::corruption("not a PDF (no %PDF- header)");
  std::string raw_title;
  LT_ASSIGN_OR_RETURN(std::vector<std::string> raw_pages, pages_in_child(bytes, limits.pdf_time_limit_s, raw_title));
  std::vector<std::vector<std::string>> pages;
  int64_t replaced = 0;
  for (const std::string& p : raw_pages) {
    std::string valid;
    replaced += append_valid_utf8(valid, p);
    std::string norm = normalize_text(valid, Spacing::kProse);
    std::vector<std::string> lines = lines_of(norm);
    pages.push_back(std::move(lines));
  }
  strip_boilerplate(pages);
  Extracted out;
  out.n_replaced = replaced;
  {
    std::string t;
    append_valid_utf8(t, raw_title);
    out.title = normalize_text(t, Spacing::kProse);
  }
  for (size_t i = 0; i < pages.size(); ++i) {
    std::string text = join_page(pages[i]);
    append_paragraphs(text, static_cast<int64_t>(i + 1), out.blocks);
  }
  if (out.blocks.empty()) {
    return Status::unsupported("PDF has no text layer (" + std::to_string(raw_pages.size()) +
                               " pages; a scan needs OCR, which lantern does not do)");
  }
  return out;
}

}  // namespace lantern::kb
