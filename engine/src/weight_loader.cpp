// WeightLoader: shape checks against the hyperparameters, then Matrix::from_tensor.
#include "weight_loader.h"

#include "kernels.h"
#include "weight_arena.h"

namespace lantern::engine {
namespace {

std::string shape_string(const std::vector<int64_t>& ne) {
  std::string s = "[";
  for (size_t i = 0; i < ne.size(); ++i) s += (i ? ", " : "") + std::to_string(ne[i]);
  return s + "]";
}

}  // namespace

Result<const GgufTensor*> WeightLoader::find(const std::string& name, const std::vector<int64_t>& shape) {
  const GgufTensor* t = file_.find_tensor(name);
  if (!t) return Status::not_found("tensor '" + name + "' is missing");
  std::vector<int64_t> actual(t->ne.begin(), t->ne.begin() + t->n_dims);
  // Trailing dimensions of 1 are the same shape ([n] and [n, 1]).
  while (actual.size() > shape.size() && actual.back() == 1) actual.pop_back();
  if (actual != shape) {
    return Status::corruption("tensor '" + name + "': shape " + shape_string(actual) +
                              " does not match the hyperparameters: expected " + shape_string(shape));
  }
  return t;
}

void WeightLoader::tally(const GgufTensor& t) {
  n_params_ += t.n_elements;
  const std::string type(tensor_type_name(t.type));
  type_elements_[type] += t.n_elements;
  type_tensors_[type] += 1;
}

Result<Matrix> WeightLoader::matrix(const std::string& name, int64_t rows, int64_t cols, Use use) {
  LT_ASSIGN_OR_RETURN(const GgufTensor* t, find(name, {cols, rows}));
  auto m = Matrix::from_tensor(t->type, t->data, cols, rows, name);
  if (!m.ok()) return m.status();
  if (arena_ != nullptr && use == Use::kProduct) {
    const int64_t row_bytes = m->size_bytes() / rows;
    // Packed for the decode kernels where the CPU level has them (packed_rows.h).
    const kernels::TypeTraits& traits = *kernels::active_traits(t->type);
    const kernels::PackFn pack = WeightArena::packing_allowed() ? traits.pack : nullptr;
    const kernels::BandShape band = pack != nullptr ? kernels::band_shape(traits, cols, row_bytes) : kernels::BandShape{};
    if (const auto* slots = arena_->add(t->offset, t->data, rows, row_bytes, pack, cols, band)) {
      m = m->relocatable(slots, WeightArena::segment_rows(row_bytes), pack != nullptr);
    }
  }
  tally(*t);
  return m;
}

Result<std::vector<float>> WeightLoader::vector(const std::string& name, int64_t n) {
  LT_ASSIGN_OR_RETURN(const GgufTensor* t, find(name, {n}));
  auto m = Matrix::from_tensor(t->type, t->data, n, 1, name);
  if (!m.ok()) return m.status();
  std::vector<float> out(static_cast<size_t>(n));
  m->get_row(0, out.data());
  tally(*t);
  return out;
}

}  // namespace lantern::engine
