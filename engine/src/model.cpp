// Model::load: open the GGUF file, read hyperparameters, load and check every weight through the
// architecture's loader, then the tokenizer and chat template.
// The one thing to know: the GgufFile must outlive every Matrix (they point into its mapping);
// ModelWeights owns both, and Sessions hold the Model through a shared_ptr.
#include "lantern/engine/model.h"

#include <algorithm>
#include <cstdio>

#include "arch.h"
#include "lantern/engine/thread_pool.h"
#include "model_weights.h"
#include "weight_loader.h"

namespace lantern::engine {
namespace {

std::string file_stem(const std::string& path) {
  size_t slash = path.find_last_of('/');
  std::string name = slash == std::string::npos ? path : path.substr(slash + 1);
  if (name.size() > 5 && name.ends_with(".gguf")) name.resize(name.size() - 5);
  return name;
}

// "Q4_K (Q4_K 96, Q6_K 17, F32 65)": the type holding most 2-D weight elements, then the mix by
// tensor count, largest first.
std::string quant_mix(const WeightLoader& ld) {
  std::vector<std::pair<std::string, uint64_t>> by_elems(ld.type_elements().begin(), ld.type_elements().end());
  std::sort(by_elems.begin(), by_elems.end(), [](auto& a, auto& b) { return a.second > b.second; });
  std::string s = by_elems.empty() ? "?" : by_elems[0].first;
  if (ld.type_tensors().size() > 1) {
    std::vector<std::pair<std::string, int>> by_count(ld.type_tensors().begin(), ld.type_tensors().end());
    std::sort(by_count.begin(), by_count.end(), [](auto& a, auto& b) { return a.second > b.second; });
    s += " (";
    for (size_t i = 0; i < by_count.size(); ++i) {
      s += (i ? ", " : "") + by_count[i].first + " " + std::to_string(by_count[i].second);
    }
    s += ")";
  }
  return s;
}

}  // namespace

Model::Model() = default;
Model::~Model() = default;

Result<std::shared_ptr<const Model>> Model::load(const std::string& path, const LoadOptions& options) {
  auto report = [&](float f) {
    if (options.progress) options.progress(f);
  };
  report(0.0f);
  LT_ASSIGN_OR_RETURN(auto file, GgufFile::open(path));
  auto w = std::make_unique<ModelWeights>();
  auto hp = read_hparams(*file);
  if (!hp.ok()) return hp.status().with_context(path);
  w->hp = std::move(hp).value();
  const ArchSpec* spec = find_arch(w->hp.arch);  // read_hparams checked it exists
  WeightLoader loader(*file);
  Status st = spec->load(loader, *w);
  if (!st.ok()) return st.with_context(path);
  report(0.8f);
  file->prefetch();

  ModelInfo& info = w->info;
  info.path = path;
  auto name = file->get_string_or("general.name", "");
  info.name = name.ok() && !name->empty() ? std::string(*name) : file_stem(path);
  info.arch = w->hp.arch;
  info.quant = quant_mix(loader);
  info.n_params = loader.n_params();
  info.file_bytes = file->file_size();
  info.n_ctx_train = w->hp.n_ctx_train;
  info.n_vocab = w->hp.n_vocab;
  info.n_embd = w->hp.n_embd;
  info.n_layer = w->hp.n_layer;
  info.n_head = w->hp.n_head;
  info.n_head_kv = w->hp.n_head_kv;
  info.head_dim = w->hp.head_dim;
  info.n_ff = w->hp.n_ff;
  w->n_threads = options.n_threads > 0 ? options.n_threads : ThreadPool::default_threads();
  w->file = std::move(file);

  std::shared_ptr<Model> model(new Model());
  model->weights_ = std::move(w);
  report(1.0f);
  return std::shared_ptr<const Model>(std::move(model));
}

const ModelInfo& Model::info() const { return weights_->info; }
int32_t Model::n_threads() const { return weights_->n_threads; }

}  // namespace lantern::engine
