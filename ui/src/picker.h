// The list overlays of the TUI: the model picker (/models), the conversation picker (/sessions)
// and the file browser (/browse) that marks files and folders to import.
//
// The one thing to know: the picker only decides; what a choice means (load a model, resume a
// conversation, import paths) is returned as an Action for the TUI to carry out, so the picker
// never touches the backend. Labels are sanitized when built.
#pragma once

#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "cell_grid.h"
#include "key_decoder.h"
#include "lantern/ui/views.h"

namespace lantern::ui {

class Picker {
 public:
  enum class Kind { kModels, kSessions, kBrowser };

  struct Action {
    enum class Type { kNone, kClose, kLoadModel, kResumeSession, kImport };
    Type type = Type::kNone;
    std::string model;               // kLoadModel: path or name
    std::string label;               // kLoadModel: the name shown
    int64_t session_id = 0;          // kResumeSession
    std::vector<std::string> paths;  // kImport
  };

  void show_models(const std::vector<ModelEntry>& models);
  void show_sessions(const std::vector<SessionEntry>& sessions, int64_t current_id, int64_t now_ms);
  // Opens the browser at `dir`; false (with `error`) when it is not a readable folder.
  bool browse(const std::string& dir, std::string& error);

  Kind kind() const { return kind_; }
  // `page`: rows moved by PgUp/PgDn.
  Action handle_key(const Key& key, int page);
  void draw(CellGrid& grid, const Rect& area);

 private:
  struct Entry {
    std::string name;
    bool dir = false;
  };
  void load_dir(const std::string& dir);
  void relabel_dir(int keep_selection);
  void toggle_mark(int index);
  Action activate();

  Kind kind_ = Kind::kModels;
  std::string title_;
  std::vector<std::string> labels_;
  int sel_ = 0;
  int top_ = 0;
  std::vector<ModelEntry> models_;
  std::vector<SessionEntry> sessions_;
  std::string dir_;
  std::vector<Entry> entries_;
  std::set<std::string> marked_;
};

}  // namespace lantern::ui
