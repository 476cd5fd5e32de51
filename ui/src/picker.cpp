// List overlays; see picker.h.
#include "picker.h"

#include <algorithm>
#include <filesystem>

#include "chat_commands.h"
#include "lantern/ui/sanitize.h"
#include "side_panes.h"

namespace lantern::ui {
namespace {

namespace fs = std::filesystem;

std::string one_line(const std::string& s) { return sanitize(s, {.keep_newlines = false, .keep_tabs = false}); }

Picker::Action close_action() {
  Picker::Action a;
  a.type = Picker::Action::Type::kClose;
  return a;
}

}  // namespace

void Picker::show_models(const std::vector<ModelEntry>& models) {
  kind_ = Kind::kModels;
  title_ = "Models (Enter loads, Esc closes)";
  models_ = models;
  labels_.clear();
  for (const ModelEntry& m : models) {
    std::string label = (m.loaded ? "● " : "  ") + one_line(m.name);
    if (!m.detail.empty()) label += "  " + one_line(m.detail);
    if (m.size_bytes) label += "  " + format_bytes(m.size_bytes);
    label += "  (" + one_line(m.origin) + ")";
    labels_.push_back(label);
  }
  sel_ = top_ = 0;
}

void Picker::show_sessions(const std::vector<SessionEntry>& sessions, int64_t current_id, int64_t now_ms) {
  kind_ = Kind::kSessions;
  title_ = "Conversations (Enter resumes, Esc closes)";
  sessions_ = sessions;
  labels_.clear();
  for (const SessionEntry& s : sessions) {
    std::string label = "#" + std::to_string(s.id) + "  " + one_line(s.title.empty() ? "(untitled)" : s.title);
    label += "  · " + std::to_string(s.n_messages) + " msgs · " + format_time_ago(s.updated_ms, now_ms);
    if (s.id == current_id) label = "● " + label;
    labels_.push_back(label);
  }
  sel_ = top_ = 0;
}

bool Picker::browse(const std::string& dir, std::string& error) {
  std::error_code ec;
  fs::path abs = fs::absolute(dir, ec);
  if (ec || !fs::is_directory(abs, ec)) {
    error = "not a folder: " + dir;
    return false;
  }
  kind_ = Kind::kBrowser;
  marked_.clear();
  load_dir(fs::weakly_canonical(abs, ec).string());
  return true;
}

void Picker::load_dir(const std::string& dir) {
  dir_ = dir;
  entries_.clear();
  std::error_code ec;
  std::vector<Entry> dirs, files;
  for (auto it = fs::directory_iterator(dir, fs::directory_options::skip_permission_denied, ec);
       !ec && it != fs::directory_iterator(); it.increment(ec)) {
    std::string name = it->path().filename().string();
    if (name.empty() || name[0] == '.') continue;  // hidden files stay hidden
    std::error_code e2;
    bool is_dir = it->is_directory(e2);
    (is_dir ? dirs : files).push_back({name, is_dir});
  }
  auto by_name = [](const Entry& a, const Entry& b) { return a.name < b.name; };
  std::sort(dirs.begin(), dirs.end(), by_name);
  std::sort(files.begin(), files.end(), by_name);
  if (dir != "/") entries_.push_back({"..", true});
  entries_.insert(entries_.end(), dirs.begin(), dirs.end());
  entries_.insert(entries_.end(), files.begin(), files.end());
  title_ = "Import: " + one_line(dir);
  relabel_dir(0);
  top_ = 0;
}

void Picker::relabel_dir(int keep_selection) {
  labels_.clear();
  for (const Entry& e : entries_) {
    std::string full = (fs::path(dir_) / e.name).string();
    std::string mark = e.name == ".." ? "    " : marked_.count(full) ? "[x] " : "[ ] ";
    labels_.push_back(mark + one_line(e.name) + (e.dir ? "/" : ""));
  }
  sel_ = std::clamp(keep_selection, 0, std::max(0, static_cast<int>(labels_.size()) - 1));
}

void Picker::toggle_mark(int index) {
  if (index < 0 || index >= static_cast<int>(entries_.size()) || entries_[static_cast<size_t>(index)].name == "..") return;
  std::string full = (fs::path(dir_) / entries_[static_cast<size_t>(index)].name).string();
  if (!marked_.erase(full)) marked_.insert(full);
}

Picker::Action Picker::activate() {
  Action a;
  if (sel_ < 0 || sel_ >= static_cast<int>(labels_.size())) return a;
  if (kind_ == Kind::kModels) {
    const ModelEntry& m = models_[static_cast<size_t>(sel_)];
    a.type = Action::Type::kLoadModel;
    a.model = m.path.empty() ? m.name : m.path;
    a.label = m.name;
  } else if (kind_ == Kind::kSessions) {
    a.type = Action::Type::kResumeSession;
    a.session_id = sessions_[static_cast<size_t>(sel_)].id;
  } else {
    const Entry& e = entries_[static_cast<size_t>(sel_)];
    if (e.name == "..") {
      load_dir(fs::path(dir_).parent_path().string());
    } else if (e.dir) {
      load_dir((fs::path(dir_) / e.name).string());
    } else {
      toggle_mark(sel_);
      relabel_dir(sel_);
    }
  }
  return a;
}

Picker::Action Picker::handle_key(const Key& key, int page) {
  int n = static_cast<int>(labels_.size());
  Action none;
  switch (key.code) {
    case KeyCode::kEsc: return close_action();
    case KeyCode::kUp: sel_ = std::max(0, sel_ - 1); return none;
    case KeyCode::kDown: sel_ = std::min(n - 1, sel_ + 1); return none;
    case KeyCode::kPageUp: sel_ = std::max(0, sel_ - page); return none;
    case KeyCode::kPageDown: sel_ = std::min(n - 1, sel_ + page); return none;
    case KeyCode::kHome: sel_ = 0; return none;
    case KeyCode::kEnd: sel_ = std::max(0, n - 1); return none;
    case KeyCode::kEnter: return activate();
    default: break;
  }
  bool q = key.code == KeyCode::kBytes && key.bytes == "q";
  if (kind_ != Kind::kBrowser) return q ? close_action() : none;
  if (q) return close_action();
  if (key.code == KeyCode::kBackspace || key.code == KeyCode::kLeft) {
    load_dir(fs::path(dir_).parent_path().string());
  } else if (key.code == KeyCode::kRight) {
    if (sel_ >= 0 && sel_ < n && entries_[static_cast<size_t>(sel_)].dir) return activate();
  } else if (key.code == KeyCode::kBytes && key.bytes == " ") {
    toggle_mark(sel_);
    relabel_dir(sel_ + 1);
  } else if (key.code == KeyCode::kBytes && (key.bytes == "i" || key.bytes == "I")) {
    Action a;
    a.paths.assign(marked_.begin(), marked_.end());
    if (a.paths.empty() && sel_ >= 0 && sel_ < n) {
      const Entry& e = entries_[static_cast<size_t>(sel_)];
      a.paths.push_back(e.name == ".." ? dir_ : (fs::path(dir_) / e.name).string());
    }
    if (!a.paths.empty()) a.type = Action::Type::kImport;
    return a;
  }
  return none;
}

void Picker::draw(CellGrid& grid, const Rect& area) {
  int w = std::min(area.w, 96);
  Rect box{area.x + (area.w - w) / 2, area.y, w, area.h};
  if (w < 10 || box.h < 4) return;
  grid.fill(box, Style::kNormal);
  grid.box(box, Style::kTitle, title_);
  Rect in{box.x + 2, box.y + 1, box.w - 4, box.h - 2};
  int n = static_cast<int>(labels_.size());
  sel_ = std::clamp(sel_, 0, std::max(0, n - 1));
  int rows = in.h;
  if (kind_ == Kind::kBrowser) {
    rows = std::max(1, in.h - 1);
    std::string foot = std::to_string(marked_.size()) + " marked · i imports " +
                       (marked_.empty() ? "the highlighted entry" : "the marked entries");
    grid.text(in.x, in.y + in.h - 1, foot, Style::kDim, in.w);
  }
  if (sel_ < top_) top_ = sel_;
  if (sel_ >= top_ + rows) top_ = sel_ - rows + 1;
  for (int row = 0; row < rows && top_ + row < n; ++row) {
    int i = top_ + row;
    bool sel = i == sel_;
    Line l;
    l.glyphs = fit(to_glyphs(labels_[static_cast<size_t>(i)], sel ? Style::kSelected : Style::kNormal), in.w);
    if (sel) l.fill = Style::kSelected;
    grid.line(in.x, in.y + row, l, in.w);
  }
}

}  // namespace lantern::ui
