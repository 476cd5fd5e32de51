// The chat backend; see chat_backend.h for the threading rules.
#include "chat_backend.h"

#include <algorithm>
#include <chrono>
#include <cstring>
#include <cstdio>
#include <fstream>
#include <set>
#include <sstream>

#include "cli.h"
#include "text_terms.h"

namespace lantern::app {
namespace {

using Clock = std::chrono::steady_clock;

std::string base_name(const std::string& path) {
  size_t slash = path.find_last_of('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

std::string flatten(const std::string& s, size_t max_bytes) {
  std::string out;
  bool space = false;
  for (char c : s) {
    if (c == '\n' || c == '\r' || c == '\t' || c == ' ') {
      space = !out.empty();
      continue;
    }
    if (space) out += ' ';
    space = false;
    out += c;
    if (out.size() >= max_bytes) break;
  }
  // Do not end inside a UTF-8 sequence.
  while (!out.empty() && (static_cast<unsigned char>(out.back()) & 0xC0) == 0x80) out.pop_back();
  if (!out.empty() && static_cast<unsigned char>(out.back()) >= 0xC0) out.pop_back();
  if (out.size() < s.size()) out += "…";
  return out;
}

ui::Event ev(ui::TaskKind task, ui::EventKind kind, std::string text = {}) {
  ui::Event e;
  e.task = task;
  e.kind = kind;
  e.text = std::move(text);
  return e;
}

// The pipeline's advice names `lantern ask` options; in the chat the same knobs are /set keys.
std::string chat_advice(std::string msg) {
  const std::pair<const char*, const char*> kMap[] = {
      {"raise --ctx", "raise ctx with /set ctx=N and reload the model"},
      {"lower -n", "lower /set max_tokens=N"},
      {"raise -n", "raise /set max_tokens=N"},
  };
  for (const auto& [from, to] : kMap) {
    for (size_t at = msg.find(from); at != std::string::npos; at = msg.find(from, at + std::strlen(to))) {
      msg.replace(at, std::strlen(from), to);
    }
  }
  return msg;
}

std::string title_from(const std::string& question) {
  std::string t = flatten(question, 60);
  return t;
}

}  // namespace

// ---- worker --------------------------------------------------------------------------------

ChatBackend::Worker::Worker() : thread_([this] { loop(); }) {}

ChatBackend::Worker::~Worker() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

void ChatBackend::Worker::post(std::function<void()> job) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    jobs_.push_back(std::move(job));
  }
  cv_.notify_all();
}

void ChatBackend::Worker::loop() {
  while (true) {
    std::function<void()> job;
    {
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait(lock, [&] { return stop_ || !jobs_.empty(); });
      if (jobs_.empty()) return;  // stopping, nothing left
      job = std::move(jobs_.front());
      jobs_.pop_front();
    }
    job();
  }
}

// ---- backend -------------------------------------------------------------------------------

ChatBackend::ChatBackend(ChatServices services, std::unique_ptr<ConversationStore> store, ChatSettings settings)
    : services_(std::move(services)), store_(std::move(store)), settings_(std::move(settings)) {
  if (services_.kb_counts) services_.kb_counts(settings_.kb, kb_docs_, kb_chunks_);
}

ChatBackend::~ChatBackend() {
  turn_cancel_ = true;
  load_cancel_ = true;
  import_cancel_ = true;
  set_sink(nullptr);
}

void ChatBackend::set_sink(ui::EventSink* sink) {
  std::lock_guard<std::mutex> lock(sink_mu_);
  sink_ = sink;
}

void ChatBackend::emit(ui::Event e) {
  std::lock_guard<std::mutex> lock(sink_mu_);
  if (sink_) sink_->post(std::move(e));
}

ui::BackendInfo ChatBackend::info() {
  std::lock_guard<std::mutex> lock(mu_);
  ui::BackendInfo i;
  i.model = model_.model ? model_.name : "";
  i.kb = settings_.kb;
  i.kb_chunks = kb_chunks_;
  i.session_id = session_id_;
  i.session_title = session_title_;
  if (!model_.model) {
    i.hint = "no model: extractive answers · /models lists GGUF files, /model PATH loads one";
  }
  return i;
}

bool ChatBackend::busy(ui::TaskKind task) {
  switch (task) {
    case ui::TaskKind::kTurn: return turn_busy_;
    case ui::TaskKind::kModelLoad: return load_busy_;
    case ui::TaskKind::kImport: return import_busy_;
  }
  return false;
}

void ChatBackend::cancel(ui::TaskKind task) {
  switch (task) {
    case ui::TaskKind::kTurn: turn_cancel_ = true; break;
    case ui::TaskKind::kModelLoad: load_cancel_ = true; break;
    case ui::TaskKind::kImport: import_cancel_ = true; break;
  }
}

Status ChatBackend::ensure_source() {
  if (source_) return ok_status();
  if (!services_.open_source) return Status::unsupported("knowledge base search is not available in this build");
  auto src = services_.open_source();
  if (!src.ok()) return src.status();
  source_ = std::move(src).value();
  return ok_status();
}

Result<int64_t> ChatBackend::ensure_session(const std::string& first_question) {
  std::string model, kb, settings, system;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (session_id_ != 0) return session_id_;
    model = model_.model ? model_.name : "";
    kb = settings_.kb;
    system = settings_.system_prompt;
  }
  settings = describe_options();
  std::string title = title_from(first_question);
  LT_ASSIGN_OR_RETURN(int64_t id, store_->create_session(title, model, kb, settings, system));
  std::lock_guard<std::mutex> lock(mu_);
  session_id_ = id;
  session_title_ = title;
  return id;
}

void ChatBackend::save_session_settings() {
  int64_t id;
  std::string model, kb, system;
  {
    std::lock_guard<std::mutex> lock(mu_);
    id = session_id_;
    model = model_.model ? model_.name : "";
    kb = settings_.kb;
    system = settings_.system_prompt;
  }
  if (id == 0) return;
  Status st = store_->update_session(id, model, kb, describe_options(), system);
  (void)st;  // settings are a convenience; the conversation itself is saved elsewhere
}

ui::SourceView ChatBackend::to_view(const NumberedPassage& p, const std::string& question) {
  ui::SourceView v;
  v.n = p.n;
  v.path = p.passage.doc;
  v.title = p.passage.title.empty() ? base_name(p.passage.doc) : p.passage.title;
  if (p.passage.page > 0) v.location = "p. " + std::to_string(p.passage.page);
  std::string heading = p.passage.heading;
  // Heading paths often start with the document's title (its H1): shown once is enough.
  if (!v.title.empty() && heading.rfind(v.title + " > ", 0) == 0) heading = heading.substr(v.title.size() + 3);
  if (heading == v.title) heading.clear();
  if (!heading.empty()) v.location += (v.location.empty() ? "" : " · ") + heading;
  v.score = p.passage.score;
  v.text = p.passage.text;
  v.snippet = flatten(p.text.empty() ? p.passage.text : p.text, 240);
  std::set<std::string> seen;
  for (const std::string& t : extract_terms(question)) {
    if (t.size() >= 2 && seen.insert(t).second) v.highlights.push_back(t);
  }
  if (services_.chunk_context && p.passage.chunk_id > 0) {
    services_.chunk_context(p.passage.chunk_id, v.context_before, v.context_after);
    // The context is cut by characters: start and end it at word boundaries.
    if (v.context_before.size() > 200) {
      size_t sp = v.context_before.find_first_of(" \n");
      if (sp != std::string::npos && sp < 40) v.context_before = "…" + v.context_before.substr(sp + 1);
    }
    if (v.context_after.size() > 200) {
      size_t sp = v.context_after.find_last_of(" \n");
      if (sp != std::string::npos && v.context_after.size() - sp < 40) v.context_after = v.context_after.substr(0, sp) + "…";
    }
  }
  return v;
}

void ChatBackend::ask(const std::string& question) {
  turn_busy_ = true;
  turn_cancel_ = false;
  turn_worker_.post([this, question] { run_turn(question, false); });
}

void ChatBackend::regenerate() {
  turn_busy_ = true;
  turn_cancel_ = false;
  turn_worker_.post([this] {
    int64_t sid;
    {
      std::lock_guard<std::mutex> lock(mu_);
      sid = session_id_;
    }
    auto msgs = sid ? store_->messages(sid) : Result<std::vector<ui::MessageView>>(std::vector<ui::MessageView>{});
    if (!msgs.ok()) {
      turn_busy_ = false;
      emit(ev(ui::TaskKind::kTurn, ui::EventKind::kError, msgs.status().message()));
      return;
    }
    // The last question, and the answers after it (dropped).
    std::string question;
    size_t last_user = msgs->size();
    for (size_t i = msgs->size(); i-- > 0;) {
      if ((*msgs)[i].role == ui::Role::kUser) {
        last_user = i;
        question = (*msgs)[i].text;
        break;
      }
    }
    if (last_user == msgs->size()) {
      turn_busy_ = false;
      emit(ev(ui::TaskKind::kTurn, ui::EventKind::kError, "nothing to answer again yet"));
      return;
    }
    for (size_t i = last_user + 1; i < msgs->size(); ++i) {
      if ((*msgs)[i].role == ui::Role::kAssistant) {
        Status st = store_->delete_message((*msgs)[i].id);
        (void)st;
      }
    }
    std::vector<Turn> turns = conversation_.turns();
    if (!turns.empty() && turns.back().question == question) {
      turns.pop_back();
      conversation_.set_turns(std::move(turns));
    }
    run_turn(question, true);
  });
}

void ChatBackend::run_turn(const std::string& question, bool regenerate) {
  auto t0 = Clock::now();
  auto fail = [&](const std::string& message) {
    turn_busy_ = false;
    emit(ev(ui::TaskKind::kTurn, ui::EventKind::kError, message));
  };
  Status src = ensure_source();
  if (!src.ok() && source_error_ != src.message()) {
    source_error_ = src.message();
    emit(ev(ui::TaskKind::kTurn, ui::EventKind::kNotice, "no knowledge base: " + src.message()));
  }
  LanguageModel* model;
  std::string model_name;
  AskRequest req;
  {
    std::lock_guard<std::mutex> lock(mu_);
    model = model_.model.get();
    model_name = model ? model_.name : "";
    req.kb = settings_.kb;
    req.k = settings_.k;
    req.system_prompt = settings_.system_prompt;
    req.sampling = settings_.sampling;
    req.max_tokens = settings_.max_tokens;
    req.memory = settings_.memory;
  }
  req.question = question;
  req.use_kb = source_ != nullptr;
  if (!model && !source_) {
    fail("nothing to answer with: no model is loaded (/models, /model PATH) and the knowledge base cannot be "
         "searched (" + source_error_ + ")");
    return;
  }
  conversation_.set_model(model);
  conversation_.set_source(source_.get());

  auto sid = ensure_session(question);
  if (!sid.ok()) {
    fail(sid.status().message());
    return;
  }
  if (!regenerate) {
    ui::MessageView q;
    q.role = ui::Role::kUser;
    q.text = question;
    auto qid = store_->add_message(*sid, q, true);
    if (!qid.ok()) emit(ev(ui::TaskKind::kTurn, ui::EventKind::kNotice, "not saved: " + qid.status().message()));
  }
  ui::MessageView answer;
  answer.role = ui::Role::kAssistant;
  answer.model = model_name;
  auto aid_r = store_->add_message(*sid, answer, false);
  int64_t aid = aid_r.ok() ? *aid_r : 0;
  auto last_save = Clock::now();
  auto maybe_save = [&]() {
    if (aid == 0 || Clock::now() - last_save < std::chrono::seconds(1)) return;
    last_save = Clock::now();
    Status st = store_->update_message(aid, answer, false);
    (void)st;
  };

  AskEvents events;
  events.on_sources = [&](const std::vector<NumberedPassage>& passages) {
    ui::Event e = ev(ui::TaskKind::kTurn, ui::EventKind::kSources);
    for (const auto& p : passages) e.sources.push_back(to_view(p, question));
    answer.sources = e.sources;
    emit(std::move(e));
  };
  events.on_reasoning_piece = [&](std::string_view piece) {
    answer.reasoning.append(piece);
    emit(ev(ui::TaskKind::kTurn, ui::EventKind::kReasoning, std::string(piece)));
    maybe_save();
  };
  events.on_answer_piece = [&](std::string_view piece) {
    answer.text.append(piece);
    emit(ev(ui::TaskKind::kTurn, ui::EventKind::kAnswer, std::string(piece)));
    maybe_save();
  };
  events.on_notice = [&](const std::string& text) {
    emit(ev(ui::TaskKind::kTurn, ui::EventKind::kNotice, chat_advice(text)));
  };

  auto result = conversation_.ask(req, events, &turn_cancel_);
  double seconds = std::chrono::duration<double>(Clock::now() - t0).count();
  if (!result.ok()) {
    if (aid != 0) {
      if (answer.text.empty() && answer.reasoning.empty()) {
        Status st = store_->delete_message(aid);
        (void)st;
      } else {
        answer.text += "\n\n[error: " + result.status().message() + "]";
        Status st = store_->update_message(aid, answer, true);
        (void)st;
      }
    }
    fail(chat_advice(result.status().message()));
    return;
  }
  const AnswerResult& r = *result;
  answer.text = r.answer;
  answer.reasoning = r.reasoning;
  answer.sources.clear();
  for (const auto& p : r.sources) answer.sources.push_back(to_view(p, question));
  answer.stats.prompt_tokens = r.timings.prompt_tokens;
  answer.stats.generated_tokens = r.timings.generated_tokens;
  if (r.timings.prompt_ms > 0) answer.stats.prompt_tps = r.timings.evaluated_tokens * 1000.0 / r.timings.prompt_ms;
  if (r.timings.decode_ms > 0) answer.stats.decode_tps = r.timings.generated_tokens * 1000.0 / r.timings.decode_ms;
  answer.stats.seconds = seconds;
  if (aid != 0) {
    Status st = store_->update_message(aid, answer, true);
    if (!st.ok()) emit(ev(ui::TaskKind::kTurn, ui::EventKind::kNotice, "not saved: " + st.message()));
  }
  {
    std::lock_guard<std::mutex> lock(mu_);
    ctx_used_ = r.timings.prompt_tokens + r.timings.generated_tokens;
    if (answer.stats.prompt_tps > 0) last_prompt_tps_ = answer.stats.prompt_tps;
    if (answer.stats.decode_tps > 0) last_decode_tps_ = answer.stats.decode_tps;
  }
  ui::Event src_event = ev(ui::TaskKind::kTurn, ui::EventKind::kSources);
  src_event.sources = answer.sources;
  emit(std::move(src_event));
  ui::Event done = ev(ui::TaskKind::kTurn, ui::EventKind::kDone);
  done.stats = answer.stats;
  done.cancelled = r.cancelled;
  done.message_id = aid;
  // Queue `done` before clearing busy: a /regen accepted once busy is false must find this turn's
  // done event already queued, or it would drop the answer and the late event would land on the
  // new one.
  emit(std::move(done));
  turn_busy_ = false;
}

Result<std::vector<ui::ModelEntry>> ChatBackend::list_models() {
  if (!services_.list_models) return Status::unsupported("model listing is not available in this build");
  LT_ASSIGN_OR_RETURN(auto models, services_.list_models());
  std::lock_guard<std::mutex> lock(mu_);
  for (auto& m : models) m.loaded = model_.model && (m.name == model_.name || m.path == model_.name);
  return models;
}

Status ChatBackend::load_model_now(const std::string& spec) {
  if (!services_.load_model) return Status::unsupported("loading models is not available in this build");
  ModelLoadOptions opts;
  {
    std::lock_guard<std::mutex> lock(mu_);
    opts.n_ctx = settings_.n_ctx;
    opts.threads = settings_.threads;
  }
  LT_ASSIGN_OR_RETURN(LoadedModel loaded, services_.load_model(spec, opts, {}, nullptr));
  std::lock_guard<std::mutex> lock(mu_);
  conversation_.set_model(nullptr);
  model_ = std::move(loaded);
  conversation_.set_model(model_.model.get());
  return ok_status();
}

void ChatBackend::load_model(const std::string& spec) {
  load_busy_ = true;
  load_cancel_ = false;
  turn_worker_.post([this, spec] {
    if (!services_.load_model) {
      load_busy_ = false;
      emit(ev(ui::TaskKind::kModelLoad, ui::EventKind::kError, "loading models is not available in this build"));
      return;
    }
    ModelLoadOptions opts;
    {
      std::lock_guard<std::mutex> lock(mu_);
      opts.n_ctx = settings_.n_ctx;
      opts.threads = settings_.threads;
    }
    ProgressFn progress = [this](double f, const std::string& label) {
      ui::Event e = ev(ui::TaskKind::kModelLoad, ui::EventKind::kProgress, label);
      e.fraction = f;
      emit(std::move(e));
    };
    auto loaded = services_.load_model(spec, opts, progress, &load_cancel_);
    if (!loaded.ok()) {
      load_busy_ = false;
      if (loaded.status().code() == StatusCode::kCancelled) {
        ui::Event e = ev(ui::TaskKind::kModelLoad, ui::EventKind::kDone);
        e.cancelled = true;
        emit(std::move(e));
      } else {
        emit(ev(ui::TaskKind::kModelLoad, ui::EventKind::kError, loaded.status().message()));
      }
      return;
    }
    std::string desc;
    {
      std::lock_guard<std::mutex> lock(mu_);
      conversation_.set_model(nullptr);
      model_ = std::move(loaded).value();
      conversation_.set_model(model_.model.get());
      ctx_used_ = 0;
      desc = "model " + model_.name + " loaded";
      std::string detail = model_.arch;
      if (!model_.quant.empty()) detail += (detail.empty() ? "" : ", ") + model_.quant;
      if (!detail.empty()) desc += " (" + detail + ")";
    }
    save_session_settings();
    load_busy_ = false;
    emit(ev(ui::TaskKind::kModelLoad, ui::EventKind::kDone, desc));
  });
}

Status ChatBackend::use_kb(const std::string& name) {
  if (name.empty()) return Status::invalid_argument("/kb needs a NAME");
  for (char c : name) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.')) {
      return Status::invalid_argument("knowledge base name '" + name + "': use letters, digits, '-', '_' and '.'");
    }
  }
  int64_t docs = -1, chunks = -1;
  if (services_.kb_counts) services_.kb_counts(name, docs, chunks);
  {
    std::lock_guard<std::mutex> lock(mu_);
    settings_.kb = name;
    kb_docs_ = docs;
    kb_chunks_ = chunks;
  }
  save_session_settings();
  return ok_status();
}

Result<std::vector<std::string>> ChatBackend::list_kbs() {
  if (!services_.list_kbs) return Status::unsupported("knowledge bases are not available in this build");
  return services_.list_kbs();
}

void ChatBackend::import_paths(const std::vector<std::string>& paths) {
  import_busy_ = true;
  import_cancel_ = false;
  std::string kb;
  {
    std::lock_guard<std::mutex> lock(mu_);
    kb = settings_.kb;
  }
  import_worker_.post([this, paths, kb] {
    if (!services_.import) {
      import_busy_ = false;
      emit(ev(ui::TaskKind::kImport, ui::EventKind::kError, "importing is not available in this build"));
      return;
    }
    ProgressFn progress = [this](double f, const std::string& label) {
      ui::Event e = ev(ui::TaskKind::kImport, ui::EventKind::kProgress, label);
      e.fraction = f;
      emit(std::move(e));
    };
    auto summary = services_.import(paths, kb, progress, &import_cancel_);
    int64_t docs = -1, chunks = -1;
    if (services_.kb_counts) services_.kb_counts(kb, docs, chunks);
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (settings_.kb == kb) {
        kb_docs_ = docs;
        kb_chunks_ = chunks;
      }
    }
    import_busy_ = false;
    if (!summary.ok()) {
      if (summary.status().code() == StatusCode::kCancelled) {
        ui::Event e = ev(ui::TaskKind::kImport, ui::EventKind::kDone);
        e.cancelled = true;
        emit(std::move(e));
      } else {
        emit(ev(ui::TaskKind::kImport, ui::EventKind::kError, summary.status().message()));
      }
      return;
    }
    emit(ev(ui::TaskKind::kImport, ui::EventKind::kDone, *summary));
  });
}

Status ChatBackend::set_option(const std::string& key, const std::string& value) {
  std::lock_guard<std::mutex> lock(mu_);
  ChatSettings& s = settings_;
  std::string k = key;
  if (k == "temp" || k == "temperature") {
    LT_ASSIGN_OR_RETURN(double v, parse_double("temp", value, 0, 5));
    s.sampling.temperature = static_cast<float>(v);
  } else if (k == "top_p") {
    LT_ASSIGN_OR_RETURN(double v, parse_double("top_p", value, 0, 1));
    s.sampling.top_p = static_cast<float>(v);
  } else if (k == "top_k") {
    LT_ASSIGN_OR_RETURN(int64_t v, parse_int("top_k", value, 0, 100000));
    s.sampling.top_k = static_cast<int32_t>(v);
  } else if (k == "min_p") {
    LT_ASSIGN_OR_RETURN(double v, parse_double("min_p", value, 0, 1));
    s.sampling.min_p = static_cast<float>(v);
  } else if (k == "repeat_penalty") {
    LT_ASSIGN_OR_RETURN(double v, parse_double("repeat_penalty", value, 0.5, 3));
    s.sampling.repeat_penalty = static_cast<float>(v);
  } else if (k == "seed") {
    LT_ASSIGN_OR_RETURN(int64_t v, parse_int("seed", value, -1, INT64_MAX));
    s.sampling.seed = v < 0 ? engine::kRandomSeed : static_cast<uint64_t>(v);
  } else if (k == "k") {
    LT_ASSIGN_OR_RETURN(int64_t v, parse_int("k", value, 1, 100));
    s.k = static_cast<int>(v);
  } else if (k == "max_tokens") {
    LT_ASSIGN_OR_RETURN(int64_t v, parse_int("max_tokens", value, 1, 1 << 20));
    s.max_tokens = static_cast<int32_t>(v);
  } else if (k == "ctx") {
    LT_ASSIGN_OR_RETURN(int64_t v, parse_int("ctx", value, 0, 1 << 20));
    s.n_ctx = static_cast<int32_t>(v);
  } else if (k == "threads") {
    LT_ASSIGN_OR_RETURN(int64_t v, parse_int("threads", value, 0, 1024));
    s.threads = static_cast<int>(v);
  } else if (k == "memory") {
    if (value == "window") s.memory = MemoryMode::kWindow;
    else if (value == "summary") s.memory = MemoryMode::kSummary;
    else return Status::invalid_argument("memory: '" + value + "' is not window or summary");
  } else {
    return Status::invalid_argument("unknown option '" + key +
                                    "' (temp top_p top_k min_p repeat_penalty seed k max_tokens ctx threads memory)");
  }
  return ok_status();
}

std::string ChatBackend::describe_options() {
  std::lock_guard<std::mutex> lock(mu_);
  const ChatSettings& s = settings_;
  char buf[320];
  std::snprintf(buf, sizeof buf, "temp=%g top_p=%g top_k=%d min_p=%g repeat_penalty=%g seed=%s k=%d max_tokens=%d ctx=%s threads=%s memory=%s",
                s.sampling.temperature, s.sampling.top_p, s.sampling.top_k, s.sampling.min_p, s.sampling.repeat_penalty,
                s.sampling.seed == engine::kRandomSeed ? "random" : std::to_string(s.sampling.seed).c_str(), s.k,
                s.max_tokens, s.n_ctx ? std::to_string(s.n_ctx).c_str() : "auto",
                s.threads ? std::to_string(s.threads).c_str() : "auto",
                s.memory == MemoryMode::kWindow ? "window" : "summary");
  return buf;
}

Status ChatBackend::set_system_prompt(const std::string& text) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    settings_.system_prompt = text;
  }
  save_session_settings();
  return ok_status();
}

Status ChatBackend::new_session() {
  if (turn_busy_ || load_busy_) return Status::invalid_argument("wait for the running task to finish");
  std::lock_guard<std::mutex> lock(mu_);
  session_id_ = 0;
  session_title_.clear();
  conversation_.clear();
  ctx_used_ = 0;
  return ok_status();
}

Result<std::vector<ui::SessionEntry>> ChatBackend::list_sessions() { return store_->list_sessions(); }

Result<ui::SessionView> ChatBackend::resume_session(int64_t id) {
  if (turn_busy_ || load_busy_) return Status::invalid_argument("wait for the running task to finish");
  LT_ASSIGN_OR_RETURN(StoredSession s, store_->session(id));
  LT_ASSIGN_OR_RETURN(auto messages, store_->messages(id));
  // Rebuild the pipeline's history: each question with the answer that follows it.
  std::vector<Turn> turns;
  for (size_t i = 0; i < messages.size(); ++i) {
    if (messages[i].role != ui::Role::kUser) continue;
    Turn t;
    t.question = messages[i].text;
    if (i + 1 < messages.size() && messages[i + 1].role == ui::Role::kAssistant) {
      t.answer = messages[i + 1].text;
      t.reasoning = messages[i + 1].reasoning;
    }
    if (!t.answer.empty()) turns.push_back(std::move(t));
  }
  {
    std::lock_guard<std::mutex> lock(mu_);
    session_id_ = id;
    session_title_ = s.entry.title;
    settings_.system_prompt = s.system_prompt;
    if (!s.entry.kb.empty()) settings_.kb = s.entry.kb;
    conversation_.clear();
    conversation_.set_turns(std::move(turns));
    ctx_used_ = 0;
  }
  // Settings saved with the session ("temp=0.7 top_p=0.9 ..."): re-applied where still valid.
  std::istringstream in(s.settings);
  std::string item;
  while (in >> item) {
    size_t eq = item.find('=');
    if (eq == std::string::npos) continue;
    std::string key = item.substr(0, eq), value = item.substr(eq + 1);
    if (value == "auto") value = "0";
    if (value == "random") value = "-1";
    Status st = set_option(key, value);
    (void)st;
  }
  if (services_.kb_counts) {
    int64_t docs = -1, chunks = -1;
    services_.kb_counts(settings_.kb, docs, chunks);
    std::lock_guard<std::mutex> lock(mu_);
    kb_docs_ = docs;
    kb_chunks_ = chunks;
  }
  ui::SessionView view;
  view.info = s.entry;
  view.messages = std::move(messages);
  return view;
}

Result<ui::SessionView> ChatBackend::current_session() {
  ui::SessionView view;
  int64_t id;
  {
    std::lock_guard<std::mutex> lock(mu_);
    id = session_id_;
    view.info.id = id;
    view.info.title = session_title_;
  }
  if (id == 0) return view;
  LT_ASSIGN_OR_RETURN(view.messages, store_->messages(id));
  return view;
}

Status ChatBackend::rename_session(const std::string& title) {
  int64_t id;
  {
    std::lock_guard<std::mutex> lock(mu_);
    id = session_id_;
  }
  if (id == 0) return Status::invalid_argument("nothing to rename yet: ask a question first");
  LT_RETURN_IF_ERROR(store_->rename_session(id, title));
  std::lock_guard<std::mutex> lock(mu_);
  session_title_ = title;
  return ok_status();
}

Status ChatBackend::export_session(const std::string& path) {
  LT_ASSIGN_OR_RETURN(ui::SessionView view, current_session());
  if (view.messages.empty()) return Status::invalid_argument("nothing to export yet: ask a question first");
  std::string md = session_markdown(view.info.title, view.messages);
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) return Status::from_errno("cannot write '" + path + "'", errno);
  out << md;
  out.close();
  if (!out) return Status::from_errno("cannot write '" + path + "'", errno);
  return ok_status();
}

Status ChatBackend::clear_context() {
  if (turn_busy_ || load_busy_) return Status::invalid_argument("wait for the running task to finish");
  std::lock_guard<std::mutex> lock(mu_);
  conversation_.clear();
  ctx_used_ = 0;
  return ok_status();
}

ui::StatsView ChatBackend::stats() {
  ui::StatsView v;
  {
    std::lock_guard<std::mutex> lock(stats_mu_);
    SystemSample s = system_.sample();
    v.cpu_per_core = std::move(s.cpu_per_core);
    v.process_cpu = s.process_cpu;
    v.rss_bytes = s.rss_bytes;
    v.gpu_present = s.gpu_present;
    v.gpu_name = s.gpu_name;
    v.gpu_util = s.gpu_util;
    v.gpu_mem_used = s.gpu_mem_used;
    v.gpu_mem_total = s.gpu_mem_total;
  }
  std::lock_guard<std::mutex> lock(mu_);
  if (model_.model) {
    v.model_name = model_.name;
    v.model_arch = model_.arch;
    v.model_quant = model_.quant;
    v.threads = model_.threads;
    v.ctx_size = model_.model->n_ctx();
    v.ctx_used = ctx_used_;
  }
  v.prompt_tps = last_prompt_tps_;
  v.decode_tps = last_decode_tps_;
  v.kb_name = settings_.kb;
  v.kb_docs = kb_docs_;
  v.kb_chunks = kb_chunks_;
  return v;
}

}  // namespace lantern::app
