// GgufWriter: serialization of GGUF v3 (little-endian): magic "GGUF", version, tensor count,
// key/value count, key/values, tensor infos (name, n_dims, ne[], type, offset), padding to the
// alignment, then the tensor data, each tensor starting at a multiple of the alignment.
//
// The one thing to know: tensor offsets are assigned when tensors are added, so the header can be
// written before any data is produced; alignment changes after the first tensor are refused.
#include "lantern/engine/gguf_writer.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>

#include "lantern/engine/quant.h"

namespace lantern::engine {

namespace {

template <class T>
void put(std::string& out, T v) {
  char buf[sizeof(T)];
  std::memcpy(buf, &v, sizeof(T));  // the host is little-endian (x86-64, aarch64), as GGUF is
  out.append(buf, sizeof(T));
}
void put_string(std::string& out, const std::string& s) {
  put<uint64_t>(out, s.size());
  out += s;
}
template <class T>
std::string scalar(T v) {
  std::string s;
  put(s, v);
  return s;
}
template <class T>
std::string numeric_array(GgufType element, const std::vector<T>& v) {
  std::string s;
  put<uint32_t>(s, static_cast<uint32_t>(element));
  put<uint64_t>(s, v.size());
  for (const T& x : v) put(s, x);
  return s;
}
uint64_t pad_to(uint64_t n, uint64_t align) { return (n + align - 1) / align * align; }

}  // namespace

void GgufWriter::set(const std::string& key, GgufType type, std::string payload) {
  for (auto& kv : kv_) {
    if (kv.key == key) {
      kv.type = type;
      kv.payload = std::move(payload);
      return;
    }
  }
  kv_.push_back({key, type, std::move(payload)});
}

bool GgufWriter::has(const std::string& key) const {
  for (const auto& kv : kv_) {
    if (kv.key == key) return true;
  }
  return false;
}

void GgufWriter::set_u8(const std::string& k, uint8_t v) { set(k, GgufType::kU8, scalar(v)); }
void GgufWriter::set_i8(const std::string& k, int8_t v) { set(k, GgufType::kI8, scalar(v)); }
void GgufWriter::set_u16(const std::string& k, uint16_t v) { set(k, GgufType::kU16, scalar(v)); }
void GgufWriter::set_i16(const std::string& k, int16_t v) { set(k, GgufType::kI16, scalar(v)); }
void GgufWriter::set_u32(const std::string& k, uint32_t v) { set(k, GgufType::kU32, scalar(v)); }
void GgufWriter::set_i32(const std::string& k, int32_t v) { set(k, GgufType::kI32, scalar(v)); }
void GgufWriter::set_u64(const std::string& k, uint64_t v) { set(k, GgufType::kU64, scalar(v)); }
void GgufWriter::set_i64(const std::string& k, int64_t v) { set(k, GgufType::kI64, scalar(v)); }
void GgufWriter::set_f32(const std::string& k, float v) { set(k, GgufType::kF32, scalar(v)); }
void GgufWriter::set_f64(const std::string& k, double v) { set(k, GgufType::kF64, scalar(v)); }
void GgufWriter::set_bool(const std::string& k, bool v) { set(k, GgufType::kBool, scalar<uint8_t>(v ? 1 : 0)); }
void GgufWriter::set_string(const std::string& k, const std::string& v) {
  std::string s;
  put_string(s, v);
  set(k, GgufType::kString, std::move(s));
}
void GgufWriter::set_string_array(const std::string& k, const std::vector<std::string>& v) {
  std::string s;
  put<uint32_t>(s, static_cast<uint32_t>(GgufType::kString));
  put<uint64_t>(s, v.size());
  for (const auto& x : v) put_string(s, x);
  set(k, GgufType::kArray, std::move(s));
}
void GgufWriter::set_f32_array(const std::string& k, const std::vector<float>& v) {
  set(k, GgufType::kArray, numeric_array(GgufType::kF32, v));
}
void GgufWriter::set_i32_array(const std::string& k, const std::vector<int32_t>& v) {
  set(k, GgufType::kArray, numeric_array(GgufType::kI32, v));
}
void GgufWriter::set_u32_array(const std::string& k, const std::vector<uint32_t>& v) {
  set(k, GgufType::kArray, numeric_array(GgufType::kU32, v));
}
void GgufWriter::set_i64_array(const std::string& k, const std::vector<int64_t>& v) {
  set(k, GgufType::kArray, numeric_array(GgufType::kI64, v));
}
void GgufWriter::set_raw_array(const std::string& k, GgufType element_type, uint64_t count, std::string bytes) {
  std::string s;
  put<uint32_t>(s, static_cast<uint32_t>(element_type));
  put<uint64_t>(s, count);
  s += bytes;
  set(k, GgufType::kArray, std::move(s));
}

Status GgufWriter::set_alignment(uint32_t alignment) {
  if (alignment == 0 || (alignment & (alignment - 1)) != 0 || alignment > kGgufMaxAlignment) {
    return Status::invalid_argument("gguf writer: alignment " + std::to_string(alignment) +
                                    " is not a power of two up to " + std::to_string(kGgufMaxAlignment));
  }
  if (!tensors_.empty()) return Status::invalid_argument("gguf writer: alignment set after adding tensors");
  alignment_ = alignment;
  set_u32("general.alignment", alignment);
  return ok_status();
}

Result<uint64_t> GgufWriter::check_tensor(const std::string& name, TensorType type,
                                          const std::vector<int64_t>& ne) const {
  if (name.empty() || name.size() > kGgufMaxTensorName) {
    return Status::invalid_argument("gguf writer: tensor name '" + name + "' must be 1 to " +
                                    std::to_string(kGgufMaxTensorName) + " bytes");
  }
  for (const auto& t : tensors_) {
    if (t.name == name) return Status::invalid_argument("gguf writer: duplicate tensor '" + name + "'");
  }
  if (ne.empty() || ne.size() > kGgufMaxDims) {
    return Status::invalid_argument("gguf writer: tensor '" + name + "' has " + std::to_string(ne.size()) +
                                    " dims (1 to 4 allowed)");
  }
  uint64_t rows = 1;
  for (size_t i = 0; i < ne.size(); ++i) {
    if (ne[i] <= 0) {
      return Status::invalid_argument("gguf writer: tensor '" + name + "' ne[" + std::to_string(i) +
                                      "] = " + std::to_string(ne[i]));
    }
    if (i > 0) rows *= static_cast<uint64_t>(ne[i]);
  }
  auto row_bytes = tensor_row_bytes(type, static_cast<uint64_t>(ne[0]));
  if (!row_bytes) {
    return Status::invalid_argument("gguf writer: tensor '" + name + "': row of " + std::to_string(ne[0]) +
                                    " is not a multiple of the " + std::string(tensor_type_name(type)) +
                                    " block size");
  }
  return *row_bytes * rows;
}

Status GgufWriter::add_tensor(const std::string& name, TensorType type, const std::vector<int64_t>& ne,
                              std::vector<uint8_t> data) {
  LT_ASSIGN_OR_RETURN(uint64_t n_bytes, check_tensor(name, type, ne));
  if (data.size() != n_bytes) {
    return Status::invalid_argument("gguf writer: tensor '" + name + "' needs " + std::to_string(n_bytes) +
                                    " bytes, got " + std::to_string(data.size()));
  }
  Tensor t{name, type, ne, n_bytes, data_size_, std::move(data), nullptr};
  data_size_ = pad_to(data_size_ + n_bytes, alignment_);
  tensors_.push_back(std::move(t));
  return ok_status();
}

Status GgufWriter::add_tensor(const std::string& name, TensorType type, const std::vector<int64_t>& ne,
                              FillFn fill) {
  LT_ASSIGN_OR_RETURN(uint64_t n_bytes, check_tensor(name, type, ne));
  if (!fill) return Status::invalid_argument("gguf writer: tensor '" + name + "' has no fill function");
  Tensor t{name, type, ne, n_bytes, data_size_, {}, std::move(fill)};
  data_size_ = pad_to(data_size_ + n_bytes, alignment_);
  tensors_.push_back(std::move(t));
  return ok_status();
}

Status GgufWriter::add_tensor_from_floats(const std::string& name, TensorType type, const std::vector<int64_t>& ne,
                                          const float* values) {
  LT_ASSIGN_OR_RETURN(uint64_t n_bytes, check_tensor(name, type, ne));
  (void)n_bytes;
  int64_t rows = 1;
  for (size_t i = 1; i < ne.size(); ++i) rows *= ne[i];
  auto bytes = quantize_rows(type, values, ne[0], rows);
  if (!bytes.ok()) return bytes.status().with_context("gguf writer: tensor '" + name + "'");
  return add_tensor(name, type, ne, std::move(bytes).value());
}

std::string GgufWriter::header() const {
  std::string h;
  h += "GGUF";
  put<uint32_t>(h, 3);
  put<uint64_t>(h, tensors_.size());
  put<uint64_t>(h, kv_.size());
  for (const auto& kv : kv_) {
    put_string(h, kv.key);
    put<uint32_t>(h, static_cast<uint32_t>(kv.type));
    h += kv.payload;
  }
  for (const auto& t : tensors_) {
    put_string(h, t.name);
    put<uint32_t>(h, static_cast<uint32_t>(t.ne.size()));
    for (int64_t d : t.ne) put<uint64_t>(h, static_cast<uint64_t>(d));
    put<uint32_t>(h, static_cast<uint32_t>(t.type));
    put<uint64_t>(h, t.offset);
  }
  h.resize(pad_to(h.size(), alignment_), '\0');
  return h;
}

Status GgufWriter::emit(const std::function<Status(const void*, size_t)>& sink) const {
  const std::string head = header();
  LT_RETURN_IF_ERROR(sink(head.data(), head.size()));
  static const std::vector<uint8_t> kZeros(kGgufMaxAlignment, 0);
  std::vector<uint8_t> buffer;
  uint64_t written = 0;
  for (const auto& t : tensors_) {
    const uint8_t* bytes = t.data.data();
    if (t.fill) {
      buffer.assign(t.n_bytes, 0);
      LT_RETURN_IF_ERROR(t.fill(buffer.data(), t.n_bytes).with_context("gguf writer: tensor '" + t.name + "'"));
      bytes = buffer.data();
    }
    LT_RETURN_IF_ERROR(sink(bytes, t.n_bytes));
    written += t.n_bytes;
    const uint64_t padded = pad_to(written, alignment_);
    LT_RETURN_IF_ERROR(sink(kZeros.data(), padded - written));
    written = padded;
  }
  return ok_status();
}

Status GgufWriter::write(const std::string& path) const {
  const std::string tmp = path + ".tmp";
  std::unique_ptr<FILE, int (*)(FILE*)> f(std::fopen(tmp.c_str(), "wb"), std::fclose);
  if (!f) return Status::from_errno("gguf writer: create '" + tmp + "'", errno);
  std::setvbuf(f.get(), nullptr, _IOFBF, 1 << 20);
  Status st = emit([&](const void* p, size_t n) -> Status {
    if (n > 0 && std::fwrite(p, 1, n, f.get()) != n) return Status::from_errno("gguf writer: write '" + tmp + "'", errno);
    return ok_status();
  });
  if (st.ok() && std::fflush(f.get()) != 0) st = Status::from_errno("gguf writer: write '" + tmp + "'", errno);
  const int close_rc = std::fclose(f.release());
  if (st.ok() && close_rc != 0) st = Status::from_errno("gguf writer: close '" + tmp + "'", errno);
  if (st.ok() && std::rename(tmp.c_str(), path.c_str()) != 0) {
    st = Status::from_errno("gguf writer: rename to '" + path + "'", errno);
  }
  if (!st.ok()) std::remove(tmp.c_str());
  return st;
}

Result<std::string> GgufWriter::to_bytes() const {
  std::string out;
  LT_RETURN_IF_ERROR(emit([&](const void* p, size_t n) {
    out.append(static_cast<const char*>(p), n);
    return ok_status();
  }));
  return out;
}

}  // namespace lantern::engine
