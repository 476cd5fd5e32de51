// GGUF parsing and validation (format: magic "GGUF", u32 version, u64 n_tensors, u64 n_kv, the
// key/value pairs, the tensor infos, padding to `general.alignment`, then tensor data).
//
// The one thing to know before editing: every number read from the file is hostile. All reads go
// through Parser::need() (bounds), all size arithmetic through the checked helpers below, and no
// pointer into the mapping is formed before its range has been checked against the file size.
#include "lantern/engine/gguf.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <bit>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <limits>

namespace lantern::engine {
namespace {

static_assert(std::endian::native == std::endian::little, "the GGUF reader assumes a little-endian host");

constexpr uint8_t kMagic[4] = {'G', 'G', 'U', 'F'};
// Smallest possible encodings, used to reject counts the file cannot possibly hold before
// reserving memory for them: a key/value pair is a u64 key length, >= 1 key byte, a u32 type
// and >= 1 value byte; a tensor info is a u64 name length, u32 n_dims, >= 1 u64 dim, u32 type
// and u64 offset.
constexpr uint64_t kMinKvBytes = 8 + 1 + 4 + 1;
constexpr uint64_t kMinTensorInfoBytes = 8 + 4 + 8 + 4 + 8;
constexpr uint64_t kMinStringBytes = 8;

bool checked_mul(uint64_t a, uint64_t b, uint64_t* out) { return !__builtin_mul_overflow(a, b, out); }
bool checked_add(uint64_t a, uint64_t b, uint64_t* out) { return !__builtin_add_overflow(a, b, out); }

// Byte size of one scalar element of a metadata array; 0 for strings/arrays/unknown.
uint64_t scalar_size(GgufType t) {
  switch (t) {
    case GgufType::kU8: case GgufType::kI8: case GgufType::kBool: return 1;
    case GgufType::kU16: case GgufType::kI16: return 2;
    case GgufType::kU32: case GgufType::kI32: case GgufType::kF32: return 4;
    case GgufType::kU64: case GgufType::kI64: case GgufType::kF64: return 8;
    default: return 0;
  }
}

bool is_known_type(uint32_t raw) { return raw <= static_cast<uint32_t>(GgufType::kF64); }
bool is_unsigned(GgufType t) {
  return t == GgufType::kU8 || t == GgufType::kU16 || t == GgufType::kU32 || t == GgufType::kU64;
}
bool is_signed(GgufType t) {
  return t == GgufType::kI8 || t == GgufType::kI16 || t == GgufType::kI32 || t == GgufType::kI64;
}
bool is_float(GgufType t) { return t == GgufType::kF32 || t == GgufType::kF64; }

// Tensor type ids that exist in the GGUF world but that lantern has no layout or kernel for:
// named so that the error says "IQ2_XXS" rather than "unknown type 16".
std::string_view unsupported_tensor_type_name(uint32_t id) {
  switch (id) {
    case 4: return "Q4_2 (removed)";
    case 5: return "Q4_3 (removed)";
    case 16: return "IQ2_XXS";
    case 17: return "IQ2_XS";
    case 18: return "IQ3_XXS";
    case 19: return "IQ1_S";
    case 20: return "IQ4_NL";
    case 21: return "IQ3_S";
    case 22: return "IQ2_S";
    case 23: return "IQ4_XS";
    case 29: return "IQ1_M";
    case 31: return "Q4_0_4_4";
    case 32: return "Q4_0_4_8";
    case 33: return "Q4_0_8_8";
    case 34: return "TQ1_0";
    case 35: return "TQ2_0";
    case 36: return "IQ4_NL_4_4";
    case 37: return "IQ4_NL_4_8";
    case 38: return "IQ4_NL_8_8";
    case 39: return "MXFP4";
    default: return {};
  }
}

// Reads element `i` of a raw little-endian integer array as a 128-bit value.
__int128 read_int_element(const uint8_t* p, GgufType t, uint64_t i) {
  switch (t) {
    case GgufType::kU8: return p[i];
    case GgufType::kI8: return static_cast<int8_t>(p[i]);
    case GgufType::kU16: { uint16_t v; std::memcpy(&v, p + 2 * i, 2); return v; }
    case GgufType::kI16: { int16_t v; std::memcpy(&v, p + 2 * i, 2); return v; }
    case GgufType::kU32: { uint32_t v; std::memcpy(&v, p + 4 * i, 4); return v; }
    case GgufType::kI32: { int32_t v; std::memcpy(&v, p + 4 * i, 4); return v; }
    case GgufType::kU64: { uint64_t v; std::memcpy(&v, p + 8 * i, 8); return v; }
    case GgufType::kI64: { int64_t v; std::memcpy(&v, p + 8 * i, 8); return v; }
    default: return 0;
  }
}

std::string describe_type(const GgufValue& v) {
  if (v.type != GgufType::kArray) return std::string(gguf_type_name(v.type));
  return "array of " + std::string(gguf_type_name(v.array_type));
}

std::string int128_to_string(__int128 v) {
  if (v == 0) return "0";
  bool neg = v < 0;
  unsigned __int128 u = neg ? static_cast<unsigned __int128>(-(v + 1)) + 1 : static_cast<unsigned __int128>(v);
  std::string s;
  while (u != 0) {
    s.insert(s.begin(), static_cast<char>('0' + static_cast<int>(u % 10)));
    u /= 10;
  }
  return neg ? "-" + s : s;
}

// Keys and names are printed in messages: keep them short and free of control bytes.
std::string printable(std::string_view s) {
  std::string out;
  for (char c : s.substr(0, 80)) out += (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) ? '?' : c;
  if (s.size() > 80) out += "...";
  return out;
}

}  // namespace

std::string_view gguf_type_name(GgufType type) {
  switch (type) {
    case GgufType::kU8: return "u8";
    case GgufType::kI8: return "i8";
    case GgufType::kU16: return "u16";
    case GgufType::kI16: return "i16";
    case GgufType::kU32: return "u32";
    case GgufType::kI32: return "i32";
    case GgufType::kF32: return "f32";
    case GgufType::kBool: return "bool";
    case GgufType::kString: return "string";
    case GgufType::kArray: return "array";
    case GgufType::kU64: return "u64";
    case GgufType::kI64: return "i64";
    case GgufType::kF64: return "f64";
  }
  return "unknown";
}

// ---------------------------------------------------------------------------------------------
// Parser: a bounds-checked cursor over the file bytes that fills in a GgufFile.

class GgufFile::Parser {
 public:
  explicit Parser(GgufFile& file) : f_(file), base_(file.base_), size_(file.size_) {}

  Status run() {
    LT_RETURN_IF_ERROR(parse_header());
    LT_RETURN_IF_ERROR(parse_metadata());
    LT_RETURN_IF_ERROR(parse_alignment());
    LT_RETURN_IF_ERROR(parse_tensor_infos());
    return check_tensor_data();
  }

 private:
  uint64_t remaining() const { return size_ - pos_; }

  // Names the field being read, for messages only: built into a string only when an error is
  // reported, so reading 150k array elements allocates nothing per element.
  struct Field {
    static constexpr uint64_t kNoIndex = ~uint64_t{0};
    Field(const std::string& b) : base(b) {}  // NOLINT: implicit on purpose
    Field(const char* b) : base(b) {}         // NOLINT
    Field(std::string_view b, std::string_view s, uint64_t i = kNoIndex) : base(b), suffix(s), index(i) {}
    std::string str() const {
      std::string out(base);
      if (index != kNoIndex) out += "[" + std::to_string(index) + "]";
      if (!suffix.empty()) out += " " + std::string(suffix);
      return out;
    }
    std::string_view base;
    std::string_view suffix;
    uint64_t index = kNoIndex;
  };

  // Ensures `n` more bytes exist.
  Status need(uint64_t n, const Field& what) const {
    if (n > remaining()) {
      return Status::corruption("truncated file: " + what.str() + " needs " + std::to_string(n) + " bytes at offset " +
                                std::to_string(pos_) + ", file size " + std::to_string(size_));
    }
    return ok_status();
  }

  template <class T>
  Status read(T* out, const Field& what) {
    LT_RETURN_IF_ERROR(need(sizeof(T), what));
    std::memcpy(out, base_ + pos_, sizeof(T));
    pos_ += sizeof(T);
    return ok_status();
  }

  Status read_string(std::string_view* out, const Field& what) {
    uint64_t len = 0;
    LT_RETURN_IF_ERROR(read(&len, Field(what.base, "length", what.index)));
    if (len > remaining()) {
      return Status::corruption(what.str() + ": string length " + std::to_string(len) +
                                " past end of file (at offset " + std::to_string(pos_) + ", file size " +
                                std::to_string(size_) + ")");
    }
    *out = std::string_view(reinterpret_cast<const char*>(base_ + pos_), len);
    pos_ += len;
    return ok_status();
  }

  Status parse_header() {
    if (size_ < 4 || std::memcmp(base_, kMagic, 4) != 0) {
      if (size_ == 0) return Status::corruption("bad magic (empty file): not a GGUF file");
      std::string got;
      for (uint64_t i = 0; i < std::min<uint64_t>(size_, 4); ++i) {
        char hex[4];
        std::snprintf(hex, sizeof hex, "%02x", base_[i]);
        got += hex;
      }
      return Status::corruption("bad magic 0x" + got + ": not a GGUF file (expected 'GGUF')");
    }
    pos_ = 4;
    uint32_t version = 0;
    LT_RETURN_IF_ERROR(read(&version, "version"));
    if (version != 2 && version != 3) {
      if (version == 0x02000000 || version == 0x03000000) {
        return Status::unsupported("big-endian GGUF (version field " + std::to_string(version) + ") is not supported");
      }
      return Status::unsupported("unsupported GGUF version " + std::to_string(version) + " (supported: 2, 3)");
    }
    f_.version_ = version;
    LT_RETURN_IF_ERROR(read(&n_tensors_, "n_tensors"));
    LT_RETURN_IF_ERROR(read(&n_kv_, "n_kv"));
    if (n_kv_ > remaining() / kMinKvBytes) {
      return Status::corruption("n_kv " + std::to_string(n_kv_) + " larger than the file could hold (file size " +
                                std::to_string(size_) + ")");
    }
    if (n_tensors_ > remaining() / kMinTensorInfoBytes) {
      return Status::corruption("n_tensors " + std::to_string(n_tensors_) +
                                " larger than the file could hold (file size " + std::to_string(size_) + ")");
    }
    return ok_status();
  }

  Status read_scalar(GgufType t, GgufValue* v, const Field& what) {
    switch (t) {
      case GgufType::kU8: { uint8_t x = 0; LT_RETURN_IF_ERROR(read(&x, what)); v->u = x; break; }
      case GgufType::kI8: { int8_t x = 0; LT_RETURN_IF_ERROR(read(&x, what)); v->i = x; break; }
      case GgufType::kU16: { uint16_t x = 0; LT_RETURN_IF_ERROR(read(&x, what)); v->u = x; break; }
      case GgufType::kI16: { int16_t x = 0; LT_RETURN_IF_ERROR(read(&x, what)); v->i = x; break; }
      case GgufType::kU32: { uint32_t x = 0; LT_RETURN_IF_ERROR(read(&x, what)); v->u = x; break; }
      case GgufType::kI32: { int32_t x = 0; LT_RETURN_IF_ERROR(read(&x, what)); v->i = x; break; }
      case GgufType::kU64: { uint64_t x = 0; LT_RETURN_IF_ERROR(read(&x, what)); v->u = x; break; }
      case GgufType::kI64: { int64_t x = 0; LT_RETURN_IF_ERROR(read(&x, what)); v->i = x; break; }
      case GgufType::kF32: { float x = 0; LT_RETURN_IF_ERROR(read(&x, what)); v->f = x; break; }
      case GgufType::kF64: { double x = 0; LT_RETURN_IF_ERROR(read(&x, what)); v->f = x; break; }
      case GgufType::kBool: {
        uint8_t x = 0;
        LT_RETURN_IF_ERROR(read(&x, what));
        if (x > 1) return Status::corruption(what.str() + ": bool value " + std::to_string(x) + " is neither 0 nor 1");
        v->u = x;
        break;
      }
      case GgufType::kString: LT_RETURN_IF_ERROR(read_string(&v->str, what)); break;
      case GgufType::kArray: return Status::internal(what.str() + ": read_scalar on an array");
    }
    return ok_status();
  }

  Status read_array(GgufValue* v, const std::string& what) {
    uint32_t raw_elem = 0;
    LT_RETURN_IF_ERROR(read(&raw_elem, Field(what, "array element type")));
    if (!is_known_type(raw_elem)) {
      return Status::corruption(what + ": unknown array element type " + std::to_string(raw_elem));
    }
    v->array_type = static_cast<GgufType>(raw_elem);
    if (v->array_type == GgufType::kArray) return Status::corruption(what + ": nested arrays are not supported");
    LT_RETURN_IF_ERROR(read(&v->array_count, Field(what, "array length")));
    const uint64_t count = v->array_count;
    if (v->array_type == GgufType::kString) {
      uint64_t min_bytes = 0;
      if (!checked_mul(count, kMinStringBytes, &min_bytes) || min_bytes > remaining()) {
        return Status::corruption(what + ": array length " + std::to_string(count) +
                                  " past end of file (at offset " + std::to_string(pos_) + ", file size " +
                                  std::to_string(size_) + ")");
      }
      v->strings.reserve(count);
      for (uint64_t i = 0; i < count; ++i) {
        std::string_view s;
        LT_RETURN_IF_ERROR(read_string(&s, Field(what, {}, i)));
        v->strings.push_back(s);
      }
      return ok_status();
    }
    const uint64_t elem = scalar_size(v->array_type);
    uint64_t bytes = 0;
    if (!checked_mul(count, elem, &bytes) || bytes > remaining()) {
      return Status::corruption(what + ": array of " + std::to_string(count) + " " +
                                std::string(gguf_type_name(v->array_type)) + " past end of file (at offset " +
                                std::to_string(pos_) + ", file size " + std::to_string(size_) + ")");
    }
    if (v->array_type == GgufType::kBool) {
      for (uint64_t i = 0; i < count; ++i) {
        if (base_[pos_ + i] > 1) {
          return Status::corruption(what + "[" + std::to_string(i) + "]: bool value " +
                                    std::to_string(base_[pos_ + i]) + " is neither 0 nor 1");
        }
      }
    }
    v->array_data = base_ + pos_;
    pos_ += bytes;
    return ok_status();
  }

  Status parse_metadata() {
    f_.keys_.reserve(n_kv_);
    f_.kv_.reserve(n_kv_);
    for (uint64_t k = 0; k < n_kv_; ++k) {
      std::string_view key;
      LT_RETURN_IF_ERROR(read_string(&key, "metadata key " + std::to_string(k)));
      if (key.empty()) return Status::corruption("metadata key " + std::to_string(k) + " is empty");
      const std::string what = "key '" + printable(key) + "'";
      uint32_t raw_type = 0;
      LT_RETURN_IF_ERROR(read(&raw_type, Field(what, "value type")));
      if (!is_known_type(raw_type)) {
        return Status::corruption(what + ": unknown value type " + std::to_string(raw_type));
      }
      GgufValue v;
      v.type = static_cast<GgufType>(raw_type);
      if (v.type == GgufType::kArray) {
        LT_RETURN_IF_ERROR(read_array(&v, what));
      } else {
        LT_RETURN_IF_ERROR(read_scalar(v.type, &v, what));
      }
      if (!f_.kv_.emplace(key, std::move(v)).second) return Status::corruption("duplicate " + what);
      f_.keys_.push_back(key);
    }
    return ok_status();
  }

  Status parse_alignment() {
    const GgufValue* v = f_.find("general.alignment");
    if (v == nullptr) return ok_status();
    // Any integer type is accepted (writers differ), but the value must be a sane power of two.
    __int128 a = 0;
    if (is_unsigned(v->type)) {
      a = v->u;
    } else if (is_signed(v->type)) {
      a = v->i;
    } else {
      return Status::corruption("key 'general.alignment': expected an integer, found " + describe_type(*v));
    }
    if (a <= 0 || (a & (a - 1)) != 0) {
      return Status::corruption("key 'general.alignment': " + int128_to_string(a) + " is not a power of two");
    }
    if (a > kGgufMaxAlignment) {
      return Status::corruption("key 'general.alignment': " + int128_to_string(a) + " is larger than " +
                                std::to_string(kGgufMaxAlignment));
    }
    f_.alignment_ = static_cast<uint32_t>(a);
    return ok_status();
  }

  Status parse_tensor_infos() {
    f_.tensors_.reserve(n_tensors_);
    f_.tensor_index_.reserve(n_tensors_);
    for (uint64_t t = 0; t < n_tensors_; ++t) {
      std::string_view name;
      LT_RETURN_IF_ERROR(read_string(&name, "tensor " + std::to_string(t) + " name"));
      const std::string what = "tensor '" + printable(name) + "'";
      if (name.size() > kGgufMaxTensorName) {
        return Status::corruption(what + ": name of " + std::to_string(name.size()) + " bytes is longer than " +
                                  std::to_string(kGgufMaxTensorName));
      }
      GgufTensor info;
      info.name = std::string(name);
      LT_RETURN_IF_ERROR(read(&info.n_dims, Field(what, "n_dims")));
      if (info.n_dims == 0 || info.n_dims > kGgufMaxDims) {
        return Status::corruption(what + ": n_dims " + std::to_string(info.n_dims) + " not in 1.." +
                                  std::to_string(kGgufMaxDims));
      }
      info.ne.fill(1);
      uint64_t n_elements = 1;
      for (uint32_t d = 0; d < info.n_dims; ++d) {
        int64_t ne = 0;
        LT_RETURN_IF_ERROR(read(&ne, what + " dimension " + std::to_string(d)));
        if (ne <= 0) {
          return Status::corruption(what + ": dimension " + std::to_string(d) + " is " + std::to_string(ne) +
                                    " (must be >= 1)");
        }
        info.ne[d] = ne;
        if (!checked_mul(n_elements, static_cast<uint64_t>(ne), &n_elements) ||
            n_elements > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
          return Status::corruption(what + ": element count overflows at dimension " + std::to_string(d) +
                                    " (" + std::to_string(ne) + ")");
        }
      }
      info.n_elements = n_elements;
      uint32_t raw_type = 0;
      LT_RETURN_IF_ERROR(read(&raw_type, Field(what, "type")));
      auto type_info = tensor_type_info(raw_type);
      if (!type_info) {
        std::string_view known = unsupported_tensor_type_name(raw_type);
        if (!known.empty()) {
          return Status::unsupported(what + ": tensor type " + std::string(known) + " (id " +
                                     std::to_string(raw_type) + ") is not supported");
        }
        return Status::corruption(what + ": unknown tensor type id " + std::to_string(raw_type));
      }
      info.type = type_info->type;
      if (static_cast<uint64_t>(info.ne[0]) % type_info->block_size != 0) {
        return Status::corruption(what + ": row length " + std::to_string(info.ne[0]) + " is not a multiple of the " +
                                  std::string(type_info->name) + " block size " +
                                  std::to_string(type_info->block_size));
      }
      const uint64_t row_bytes = static_cast<uint64_t>(info.ne[0]) / type_info->block_size * type_info->type_size;
      const uint64_t rows = n_elements / static_cast<uint64_t>(info.ne[0]);
      if (!checked_mul(row_bytes, rows, &info.n_bytes)) {
        return Status::corruption(what + ": byte size overflows (" + std::to_string(rows) + " rows of " +
                                  std::to_string(row_bytes) + " bytes)");
      }
      LT_RETURN_IF_ERROR(read(&info.offset, Field(what, "offset")));  // relative for now
      if (!f_.tensor_index_.emplace(name, f_.tensors_.size()).second) {
        return Status::corruption("duplicate " + what);
      }
      f_.tensors_.push_back(std::move(info));
    }
    return ok_status();
  }

  Status check_tensor_data() {
    const uint64_t align = f_.alignment_;
    uint64_t data_offset = 0;
    if (!checked_add(pos_, align - 1, &data_offset)) return Status::corruption("data offset overflows");
    data_offset -= data_offset % align;
    f_.data_offset_ = data_offset;
    if (f_.tensors_.empty()) return ok_status();  // vocab-only files may end without padding
    if (data_offset > size_) {
      return Status::corruption("truncated file: tensor data would start at offset " + std::to_string(data_offset) +
                                ", file size " + std::to_string(size_));
    }
    const uint64_t data_size = size_ - data_offset;
    for (GgufTensor& t : f_.tensors_) {
      const std::string what = "tensor '" + printable(t.name) + "'";
      if (t.offset % align != 0) {
        return Status::corruption(what + ": offset " + std::to_string(t.offset) + " is not a multiple of alignment " +
                                  std::to_string(align));
      }
      uint64_t end = 0;
      if (t.offset > data_size || !checked_add(t.offset, t.n_bytes, &end) || end > data_size) {
        return Status::corruption(what + ": data at offset " + std::to_string(t.offset) + " (+" +
                                  std::to_string(t.n_bytes) + " bytes) past end of file (data section " +
                                  std::to_string(data_size) + " bytes at offset " + std::to_string(data_offset) +
                                  ", file size " + std::to_string(size_) + ")");
      }
      t.offset += data_offset;  // absolute from here on
      t.data = base_ + t.offset;
    }
    std::vector<const GgufTensor*> by_offset;
    by_offset.reserve(f_.tensors_.size());
    for (const GgufTensor& t : f_.tensors_) by_offset.push_back(&t);
    std::sort(by_offset.begin(), by_offset.end(),
              [](const GgufTensor* a, const GgufTensor* b) { return a->offset < b->offset; });
    for (size_t i = 1; i < by_offset.size(); ++i) {
      const GgufTensor& prev = *by_offset[i - 1];
      const GgufTensor& cur = *by_offset[i];
      if (cur.offset < prev.offset + prev.n_bytes) {
        return Status::corruption("tensor '" + printable(cur.name) + "': data at offset " +
                                  std::to_string(cur.offset - data_offset) + " overlaps tensor '" +
                                  printable(prev.name) + "' (offset " + std::to_string(prev.offset - data_offset) +
                                  ", " + std::to_string(prev.n_bytes) + " bytes)");
      }
    }
    return ok_status();
  }

  GgufFile& f_;
  const uint8_t* base_;
  uint64_t size_;
  uint64_t pos_ = 0;
  uint64_t n_tensors_ = 0;
  uint64_t n_kv_ = 0;
};

// ---------------------------------------------------------------------------------------------
// Opening.

GgufFile::~GgufFile() {
  if (map_addr_ != nullptr) munmap(map_addr_, map_len_);
  if (fd_ >= 0) ::close(fd_);
}

Result<std::unique_ptr<GgufFile>> GgufFile::parse(std::unique_ptr<GgufFile> file) {
  Parser parser(*file);
  Status st = parser.run();
  if (!st.ok()) return std::move(st).with_context("'" + file->path_ + "'");
  return file;
}

Result<std::unique_ptr<GgufFile>> GgufFile::open(const std::string& path) {
  std::unique_ptr<GgufFile> file(new GgufFile());
  file->path_ = path;
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Status::from_errno("open '" + path + "'", errno);
  struct stat st {};
  if (fstat(fd, &st) != 0) {
    int e = errno;
    ::close(fd);
    return Status::from_errno("stat '" + path + "'", e);
  }
  if (!S_ISREG(st.st_mode)) {
    ::close(fd);
    return Status::invalid_argument("'" + path + "': not a regular file");
  }
  if (st.st_size == 0) {
    ::close(fd);
    return Status::corruption("'" + path + "': empty file, not a GGUF file");
  }
  if (static_cast<uint64_t>(st.st_size) > std::numeric_limits<size_t>::max()) {
    ::close(fd);
    return Status::resource_limit("'" + path + "': file too large to map");
  }
  // A private read-only mapping: nothing is copied and pages are read on demand, so a file
  // larger than RAM opens; the kernel may drop clean pages under memory pressure and re-read them.
  size_t len = static_cast<size_t>(st.st_size);
  void* addr = mmap(nullptr, len, PROT_READ, MAP_PRIVATE, fd, 0);
  int map_errno = errno;
  if (addr == MAP_FAILED) {
    ::close(fd);
    return Status::from_errno("mmap '" + path + "'", map_errno);
  }
  file->fd_ = fd;
  file->map_addr_ = addr;
  file->map_len_ = len;
  file->base_ = static_cast<const uint8_t*>(addr);
  file->size_ = len;
  return parse(std::move(file));
}

Result<std::unique_ptr<GgufFile>> GgufFile::open_memory(std::string_view bytes, const std::string& name) {
  std::unique_ptr<GgufFile> file(new GgufFile());
  file->path_ = name;
  file->owned_.assign(bytes.data(), bytes.size());
  file->base_ = reinterpret_cast<const uint8_t*>(file->owned_.data());
  file->size_ = file->owned_.size();
  return parse(std::move(file));
}

Status GgufFile::read_at(uint64_t offset, void* dst, uint64_t n) const {
  if (offset > size_ || n > size_ - offset) {
    return Status::invalid_argument("'" + path_ + "': read of " + std::to_string(n) + " bytes at offset " +
                                std::to_string(offset) + " is past the end (" + std::to_string(size_) + " bytes)");
  }
  if (fd_ < 0) {
    if (n > 0) std::memcpy(dst, base_ + offset, n);
    return ok_status();
  }
  uint8_t* out = static_cast<uint8_t*>(dst);
  while (n > 0) {
    const ssize_t got = ::pread(fd_, out, n, static_cast<off_t>(offset));
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) return Status::from_errno("read '" + path_ + "' at offset " + std::to_string(offset), errno);
    if (got == 0) {
      return Status::corruption("'" + path_ + "': file ends at offset " + std::to_string(offset) +
                                ", shorter than when it was opened (" + std::to_string(size_) + " bytes)");
    }
    out += got;
    offset += static_cast<uint64_t>(got);
    n -= static_cast<uint64_t>(got);
  }
  return ok_status();
}

bool GgufFile::prefetch() const {
  if (map_addr_ == nullptr || tensors_.empty()) return false;
  // madvise needs a page-aligned start: round the data offset down to a page.
  const uint64_t page = static_cast<uint64_t>(sysconf(_SC_PAGESIZE));
  const uint64_t start = data_offset_ - data_offset_ % page;
  if (start >= map_len_) return false;
  // Reading ahead a file that does not fit in RAM would only evict its own first pages (and
  // everything else) before they are used: then leave paging to demand.
  const long phys_pages = sysconf(_SC_PHYS_PAGES);
  if (phys_pages > 0 && map_len_ - start > static_cast<uint64_t>(phys_pages) * page / 2) {
    madvise(static_cast<uint8_t*>(map_addr_) + start, map_len_ - start, MADV_RANDOM);
    return false;
  }
  return madvise(static_cast<uint8_t*>(map_addr_) + start, map_len_ - start, MADV_WILLNEED) == 0;
}

// ---------------------------------------------------------------------------------------------
// Metadata access.

const GgufValue* GgufFile::find(std::string_view key) const {
  auto it = kv_.find(key);
  return it == kv_.end() ? nullptr : &it->second;
}

bool GgufFile::has(std::string_view key) const { return find(key) != nullptr; }

std::vector<std::string_view> GgufFile::metadata_keys() const { return keys_; }

Status GgufFile::missing(std::string_view key) const {
  return Status::not_found("'" + path_ + "': key '" + printable(key) + "' not found");
}

Status GgufFile::type_error(std::string_view key, std::string_view expected, const GgufValue& v) const {
  return Status::corruption("'" + path_ + "': key '" + printable(key) + "': expected " + std::string(expected) +
                            ", found " + describe_type(v));
}

Result<GgufType> GgufFile::value_type(std::string_view key) const {
  const GgufValue* v = find(key);
  if (v == nullptr) return missing(key);
  return v->type;
}

Result<GgufType> GgufFile::array_type(std::string_view key) const {
  const GgufValue* v = find(key);
  if (v == nullptr) return missing(key);
  if (v->type != GgufType::kArray) return type_error(key, "an array", *v);
  return v->array_type;
}

Result<uint64_t> GgufFile::array_length(std::string_view key) const {
  const GgufValue* v = find(key);
  if (v == nullptr) return missing(key);
  if (v->type != GgufType::kArray) return type_error(key, "an array", *v);
  return v->array_count;
}

template <class T>
Result<T> GgufFile::get_integer(std::string_view key, std::string_view type_name) const {
  const GgufValue* v = find(key);
  if (v == nullptr) return missing(key);
  __int128 x = 0;
  if (is_unsigned(v->type)) {
    x = v->u;
  } else if (is_signed(v->type)) {
    x = v->i;
  } else {
    return type_error(key, type_name, *v);
  }
  if (x < static_cast<__int128>(std::numeric_limits<T>::min()) ||
      x > static_cast<__int128>(std::numeric_limits<T>::max())) {
    return Status::corruption("'" + path_ + "': key '" + printable(key) + "': value " + int128_to_string(x) +
                              " (" + describe_type(*v) + ") does not fit " + std::string(type_name));
  }
  return static_cast<T>(x);
}

Result<uint32_t> GgufFile::get_u32(std::string_view key) const { return get_integer<uint32_t>(key, "u32"); }
Result<int32_t> GgufFile::get_i32(std::string_view key) const { return get_integer<int32_t>(key, "i32"); }
Result<uint64_t> GgufFile::get_u64(std::string_view key) const { return get_integer<uint64_t>(key, "u64"); }
Result<int64_t> GgufFile::get_i64(std::string_view key) const { return get_integer<int64_t>(key, "i64"); }

Result<double> GgufFile::get_f64(std::string_view key) const {
  const GgufValue* v = find(key);
  if (v == nullptr) return missing(key);
  if (!is_float(v->type)) return type_error(key, "f64", *v);
  return v->f;
}

Result<float> GgufFile::get_f32(std::string_view key) const {
  const GgufValue* v = find(key);
  if (v == nullptr) return missing(key);
  if (!is_float(v->type)) return type_error(key, "f32", *v);
  return static_cast<float>(v->f);
}

Result<bool> GgufFile::get_bool(std::string_view key) const {
  const GgufValue* v = find(key);
  if (v == nullptr) return missing(key);
  if (v->type != GgufType::kBool) return type_error(key, "bool", *v);
  return v->u != 0;
}

Result<std::string_view> GgufFile::get_string(std::string_view key) const {
  const GgufValue* v = find(key);
  if (v == nullptr) return missing(key);
  if (v->type != GgufType::kString) return type_error(key, "string", *v);
  return v->str;
}

Result<std::string_view> GgufFile::get_string_or(std::string_view key, std::string_view fallback) const {
  return has(key) ? get_string(key) : Result<std::string_view>(fallback);
}
Result<uint32_t> GgufFile::get_u32_or(std::string_view key, uint32_t fallback) const {
  return has(key) ? get_u32(key) : Result<uint32_t>(fallback);
}
Result<int64_t> GgufFile::get_i64_or(std::string_view key, int64_t fallback) const {
  return has(key) ? get_i64(key) : Result<int64_t>(fallback);
}
Result<float> GgufFile::get_f32_or(std::string_view key, float fallback) const {
  return has(key) ? get_f32(key) : Result<float>(fallback);
}
Result<bool> GgufFile::get_bool_or(std::string_view key, bool fallback) const {
  return has(key) ? get_bool(key) : Result<bool>(fallback);
}

Result<std::span<const std::string_view>> GgufFile::get_string_array(std::string_view key) const {
  const GgufValue* v = find(key);
  if (v == nullptr) return missing(key);
  if (v->type != GgufType::kArray || v->array_type != GgufType::kString) {
    return type_error(key, "array of string", *v);
  }
  return std::span<const std::string_view>(v->strings);
}

Result<std::vector<float>> GgufFile::get_f32_array(std::string_view key) const {
  const GgufValue* v = find(key);
  if (v == nullptr) return missing(key);
  if (v->type != GgufType::kArray || !is_float(v->array_type)) return type_error(key, "array of f32", *v);
  std::vector<float> out(v->array_count);
  if (v->array_type == GgufType::kF32) {
    if (!out.empty()) std::memcpy(out.data(), v->array_data, v->array_count * sizeof(float));
  } else {
    for (uint64_t i = 0; i < v->array_count; ++i) {
      double d;
      std::memcpy(&d, v->array_data + 8 * i, 8);
      out[i] = static_cast<float>(d);
    }
  }
  return out;
}

template <class T>
Result<std::vector<T>> GgufFile::get_integer_array(std::string_view key, std::string_view type_name) const {
  const GgufValue* v = find(key);
  if (v == nullptr) return missing(key);
  if (v->type != GgufType::kArray || !(is_signed(v->array_type) || is_unsigned(v->array_type))) {
    return type_error(key, "array of " + std::string(type_name), *v);
  }
  std::vector<T> out(v->array_count);
  for (uint64_t i = 0; i < v->array_count; ++i) {
    __int128 x = read_int_element(v->array_data, v->array_type, i);
    if (x < static_cast<__int128>(std::numeric_limits<T>::min()) ||
        x > static_cast<__int128>(std::numeric_limits<T>::max())) {
      return Status::corruption("'" + path_ + "': key '" + printable(key) + "'[" + std::to_string(i) + "]: value " +
                                int128_to_string(x) + " does not fit " + std::string(type_name));
    }
    out[i] = static_cast<T>(x);
  }
  return out;
}

Result<std::vector<int32_t>> GgufFile::get_i32_array(std::string_view key) const {
  return get_integer_array<int32_t>(key, "i32");
}
Result<std::vector<int64_t>> GgufFile::get_i64_array(std::string_view key) const {
  return get_integer_array<int64_t>(key, "i64");
}

std::string GgufFile::value_to_string(std::string_view key) const {
  const GgufValue* v = find(key);
  if (v == nullptr) return "(missing)";
  if (is_unsigned(v->type)) return std::to_string(v->u);
  if (is_signed(v->type)) return std::to_string(v->i);
  if (is_float(v->type)) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%g", v->f);
    return buf;
  }
  if (v->type == GgufType::kBool) return v->u ? "true" : "false";
  if (v->type == GgufType::kString) return "\"" + printable(v->str) + "\"";
  return "[array of " + std::to_string(v->array_count) + " " + std::string(gguf_type_name(v->array_type)) + "]";
}

const GgufTensor* GgufFile::find_tensor(std::string_view name) const {
  auto it = tensor_index_.find(name);
  return it == tensor_index_.end() ? nullptr : &tensors_[it->second];
}

}  // namespace lantern::engine
