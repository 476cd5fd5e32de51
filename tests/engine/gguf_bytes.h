// Test-only GGUF byte builder: describes a file as plain structs (header fields, key/value pairs
// with raw payloads, tensor infos) and serializes it byte for byte, so tests can emit both valid
// files and deliberately broken ones (wrong counts, bad offsets, truncation, unknown type ids).
//
// The one thing to know: nothing here validates. Every field is written exactly as given; the
// helpers only fill in defaults (sequential aligned tensor offsets, data sized from the type).
#pragma once

#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <vector>

#include "lantern/engine/gguf.h"
#include "lantern/engine/tensor_type.h"

namespace lantern::testing {

// Little-endian append helpers.
inline void put_bytes(std::string& out, const void* p, size_t n) { out.append(static_cast<const char*>(p), n); }
template <class T>
inline void put(std::string& out, T v) {
  put_bytes(out, &v, sizeof v);
}
inline void put_str(std::string& out, std::string_view s) {
  put<uint64_t>(out, s.size());
  out.append(s);
}

struct GgufKvSpec {
  std::string key;
  uint32_t type = 0;    // raw value type id as written
  std::string payload;  // the value's bytes exactly as written after the type
};

struct GgufTensorSpec {
  std::string name;
  uint32_t type = 0;                 // raw tensor type id
  std::vector<int64_t> ne;           // written as given; n_dims defaults to ne.size()
  std::optional<uint32_t> n_dims;    // override the written n_dims
  std::optional<uint64_t> offset;    // override the computed relative offset
  std::optional<uint64_t> data_bytes;  // override how many data bytes are reserved
};

struct GgufSpec {
  std::string magic = "GGUF";
  uint32_t version = 3;
  std::optional<uint64_t> n_tensors;  // override the written counts
  std::optional<uint64_t> n_kv;
  std::vector<GgufKvSpec> kvs;
  std::vector<GgufTensorSpec> tensors;
  uint64_t alignment = 32;            // used for padding and offsets (write general.alignment yourself)
  std::optional<size_t> truncate_to;  // cut the finished file to this many bytes
  std::string trailing;               // appended after the data

  // ---- key/value helpers ----
  template <class T>
  GgufSpec& scalar(const std::string& key, engine::GgufType t, T v) {
    std::string p;
    put(p, v);
    kvs.push_back({key, static_cast<uint32_t>(t), p});
    return *this;
  }
  GgufSpec& u32(const std::string& key, uint32_t v) { return scalar(key, engine::GgufType::kU32, v); }
  GgufSpec& i32(const std::string& key, int32_t v) { return scalar(key, engine::GgufType::kI32, v); }
  GgufSpec& u64(const std::string& key, uint64_t v) { return scalar(key, engine::GgufType::kU64, v); }
  GgufSpec& f32(const std::string& key, float v) { return scalar(key, engine::GgufType::kF32, v); }
  GgufSpec& boolean(const std::string& key, bool v) {
    return scalar(key, engine::GgufType::kBool, static_cast<uint8_t>(v));
  }
  GgufSpec& str(const std::string& key, std::string_view v) {
    std::string p;
    put_str(p, v);
    kvs.push_back({key, static_cast<uint32_t>(engine::GgufType::kString), p});
    return *this;
  }
  // An array with raw element bytes (count written as given).
  GgufSpec& array_raw(const std::string& key, uint32_t elem_type, uint64_t count, const std::string& elems) {
    std::string p;
    put<uint32_t>(p, elem_type);
    put<uint64_t>(p, count);
    p += elems;
    kvs.push_back({key, static_cast<uint32_t>(engine::GgufType::kArray), p});
    return *this;
  }
  template <class T>
  GgufSpec& array(const std::string& key, engine::GgufType elem_type, const std::vector<T>& v) {
    std::string e;
    for (const T& x : v) put(e, x);
    return array_raw(key, static_cast<uint32_t>(elem_type), v.size(), e);
  }
  GgufSpec& str_array(const std::string& key, const std::vector<std::string>& v) {
    std::string e;
    for (const auto& s : v) put_str(e, s);
    return array_raw(key, static_cast<uint32_t>(engine::GgufType::kString), v.size(), e);
  }

  GgufSpec& tensor(const std::string& name, engine::TensorType type, std::vector<int64_t> ne) {
    tensors.push_back({name, static_cast<uint32_t>(type), std::move(ne), {}, {}, {}});
    return *this;
  }
};

// Bytes of a tensor's data as the reader computes them, or 0 for nonsense shapes.
inline uint64_t spec_tensor_bytes(const GgufTensorSpec& t) {
  if (t.data_bytes) return *t.data_bytes;
  auto info = engine::tensor_type_info(t.type);
  if (!info || t.ne.empty()) return 0;
  uint64_t rows = 1;
  for (size_t i = 1; i < t.ne.size(); ++i) {
    if (t.ne[i] <= 0) return 0;
    rows *= static_cast<uint64_t>(t.ne[i]);
  }
  if (t.ne[0] <= 0 || t.ne[0] % info->block_size != 0) return 0;
  uint64_t row = static_cast<uint64_t>(t.ne[0]) / info->block_size * info->type_size;
  if (rows > (uint64_t{1} << 32) || row > (uint64_t{1} << 32)) return 0;  // overflow cases: no data
  return rows * row;
}

inline std::string build_gguf(const GgufSpec& s) {
  std::string out = s.magic;
  put<uint32_t>(out, s.version);
  put<uint64_t>(out, s.n_tensors.value_or(s.tensors.size()));
  put<uint64_t>(out, s.n_kv.value_or(s.kvs.size()));
  for (const auto& kv : s.kvs) {
    put_str(out, kv.key);
    put<uint32_t>(out, kv.type);
    out += kv.payload;
  }
  std::vector<uint64_t> offsets;
  uint64_t next = 0;
  for (const auto& t : s.tensors) {
    uint64_t off = t.offset.value_or(next);
    offsets.push_back(off);
    uint64_t end = off + spec_tensor_bytes(t);
    next = (end + s.alignment - 1) / s.alignment * s.alignment;
  }
  for (size_t i = 0; i < s.tensors.size(); ++i) {
    const auto& t = s.tensors[i];
    put_str(out, t.name);
    put<uint32_t>(out, t.n_dims.value_or(static_cast<uint32_t>(t.ne.size())));
    for (int64_t d : t.ne) put<int64_t>(out, d);
    put<uint32_t>(out, t.type);
    put<uint64_t>(out, offsets[i]);
  }
  if (!s.tensors.empty()) {
    while (out.size() % s.alignment != 0) out.push_back('\0');
    const size_t data_start = out.size();
    uint64_t data_end = 0;
    for (size_t i = 0; i < s.tensors.size(); ++i) {
      uint64_t end = offsets[i] + spec_tensor_bytes(s.tensors[i]);
      if (end > data_end && end < (uint64_t{1} << 31)) data_end = end;
    }
    out.resize(data_start + data_end, '\0');
    // A recognisable pattern so tests can check `data` points at the right bytes.
    for (size_t i = 0; i < s.tensors.size(); ++i) {
      uint64_t n = spec_tensor_bytes(s.tensors[i]);
      if (offsets[i] + n <= data_end) {
        for (uint64_t b = 0; b < n; ++b) out[data_start + offsets[i] + b] = static_cast<char>((i * 31 + b) & 0xff);
      }
    }
  }
  out += s.trailing;
  if (s.truncate_to && *s.truncate_to < out.size()) out.resize(*s.truncate_to);
  return out;
}

}  // namespace lantern::testing
