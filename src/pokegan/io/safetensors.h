// The safetensors file format (https://github.com/huggingface/safetensors): an 8-byte little-endian
// header length, a JSON header {name: {dtype, shape, data_offsets}, "__metadata__": {str: str}},
// then the raw little-endian tensor bytes. pokegan stores datasets and checkpoints in it so that a
// Python user can open either with `safetensors.numpy.load_file` / `safe_open`.
// This layer is torch-free: tensors are typed byte buffers. io/checkpoint.h adapts torch::Tensor.
#pragma once
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "pokegan/common/error.h"

namespace pokegan {

enum class DType { BOOL, U8, I8, I16, I32, I64, F16, BF16, F32, F64 };

const char* dtype_name(DType d);  // "U8", "F32", ...
size_t dtype_size(DType d);

struct TensorData {
  DType dtype = DType::U8;
  std::vector<int64_t> shape;
  std::vector<uint8_t> bytes;

  int64_t numel() const;
  template <class T>
  static TensorData from(DType d, std::vector<int64_t> shape, const std::vector<T>& values);
  template <class T>
  std::vector<T> to_vector() const;  // checks that sizeof(T) matches the dtype
};

struct SafeTensors {
  std::map<std::string, TensorData> tensors;
  std::map<std::string, std::string> metadata;

  const TensorData& get(const std::string& name) const;  // throws Error naming the missing key
  const std::string& meta(const std::string& key) const;
};

// Writes atomically (temp file + rename).
void save_safetensors(const std::filesystem::path& path, const SafeTensors& st);
// Validates the header and every offset against the file size; throws Error("<path>: ...") on a
// truncated or corrupt file.
SafeTensors load_safetensors(const std::filesystem::path& path);
SafeTensors parse_safetensors(const std::vector<uint8_t>& file, const std::string& name);

// ---- template definitions ----
template <class T>
TensorData TensorData::from(DType d, std::vector<int64_t> shape, const std::vector<T>& values) {
  TensorData t;
  t.dtype = d;
  t.shape = std::move(shape);
  t.bytes.resize(values.size() * sizeof(T));
  if (!values.empty()) std::memcpy(t.bytes.data(), values.data(), t.bytes.size());
  return t;
}

template <class T>
std::vector<T> TensorData::to_vector() const {
  if (sizeof(T) != dtype_size(dtype))
    throw Error(std::string("tensor of dtype ") + dtype_name(dtype) + " read with wrong element size");
  std::vector<T> out(bytes.size() / sizeof(T));
  if (!out.empty()) std::memcpy(out.data(), bytes.data(), bytes.size());
  return out;
}

}  // namespace pokegan
