#include "pokegan/io/safetensors.h"

#include <cerrno>
#include <cstring>

#include <nlohmann/json.hpp>

#include "pokegan/common/fs.h"

namespace pokegan {

namespace {
struct DTypeInfo {
  DType d;
  const char* name;
  size_t size;
};
constexpr DTypeInfo kDTypes[] = {
    {DType::BOOL, "BOOL", 1}, {DType::U8, "U8", 1},     {DType::I8, "I8", 1},
    {DType::I16, "I16", 2},   {DType::I32, "I32", 4},   {DType::I64, "I64", 8},
    {DType::F16, "F16", 2},   {DType::BF16, "BF16", 2}, {DType::F32, "F32", 4},
    {DType::F64, "F64", 8},
};
}  // namespace

const char* dtype_name(DType d) {
  for (const auto& i : kDTypes)
    if (i.d == d) return i.name;
  return "?";
}
size_t dtype_size(DType d) {
  for (const auto& i : kDTypes)
    if (i.d == d) return i.size;
  return 0;
}

int64_t TensorData::numel() const {
  int64_t n = 1;
  for (auto s : shape) n *= s;
  return n;
}

const TensorData& SafeTensors::get(const std::string& name) const {
  auto it = tensors.find(name);
  if (it == tensors.end()) throw Error("missing tensor '" + name + "'");
  return it->second;
}

const std::string& SafeTensors::meta(const std::string& key) const {
  auto it = metadata.find(key);
  if (it == metadata.end()) throw Error("missing metadata '" + key + "'");
  return it->second;
}

void save_safetensors(const std::filesystem::path& path, const SafeTensors& st) {
  nlohmann::ordered_json header = nlohmann::ordered_json::object();
  if (!st.metadata.empty()) header["__metadata__"] = st.metadata;
  uint64_t offset = 0;
  for (const auto& [name, t] : st.tensors) {
    if (static_cast<uint64_t>(t.numel()) * dtype_size(t.dtype) != t.bytes.size())
      throw Error("tensor '" + name + "': shape does not match its byte count");
    header[name] = {{"dtype", dtype_name(t.dtype)},
                    {"shape", t.shape},
                    {"data_offsets", {offset, offset + t.bytes.size()}}};
    offset += t.bytes.size();
  }
  std::string json = header.dump();
  json.append((8 - json.size() % 8) % 8, ' ');  // the format pads the header to 8 bytes
  const uint64_t n = json.size();
  uint8_t len[8];
  for (int i = 0; i < 8; ++i) len[i] = static_cast<uint8_t>(n >> (8 * i));
  write_atomic(path, [&](std::FILE* f) {
    bool ok = std::fwrite(len, 1, 8, f) == 8 && std::fwrite(json.data(), 1, n, f) == n;
    for (const auto& [name, t] : st.tensors)
      ok = ok && (t.bytes.empty() || std::fwrite(t.bytes.data(), 1, t.bytes.size(), f) == t.bytes.size());
    if (!ok) throw Error("cannot write " + path.string() + ": " + std::strerror(errno) + " (the previous file is untouched)");
  });
}

SafeTensors parse_safetensors(const std::vector<uint8_t>& file, const std::string& name) {
  auto fail = [&](const std::string& why) -> Error {
    return Error(name + ": not a valid safetensors file (" + why + ")");
  };
  if (file.size() < 8) throw fail("shorter than its 8-byte header length");
  uint64_t n = 0;
  for (int i = 7; i >= 0; --i) n = (n << 8) | file[i];
  if (n > file.size() - 8) throw fail("header runs past the end of the file: truncated?");
  nlohmann::json header;
  try {
    header = nlohmann::json::parse(file.begin() + 8, file.begin() + 8 + static_cast<long>(n));
  } catch (const std::exception&) {
    throw fail("header is not JSON");
  }
  if (!header.is_object()) throw fail("header is not a JSON object");
  SafeTensors st;
  const uint64_t data_size = file.size() - 8 - n;
  const uint8_t* data = file.data() + 8 + n;
  for (auto it = header.begin(); it != header.end(); ++it) {
    if (it.key() == "__metadata__") {
      for (auto m = it->begin(); m != it->end(); ++m)
        st.metadata[m.key()] = m->is_string() ? m->get<std::string>() : m->dump();
      continue;
    }
    try {
      TensorData t;
      const std::string dt = it->at("dtype").get<std::string>();
      bool known = false;
      for (const auto& i : kDTypes)
        if (dt == i.name) t.dtype = i.d, known = true;
      if (!known) throw fail("tensor '" + it.key() + "' has unsupported dtype " + dt);
      t.shape = it->at("shape").get<std::vector<int64_t>>();
      const auto off = it->at("data_offsets").get<std::vector<uint64_t>>();
      if (off.size() != 2 || off[0] > off[1] || off[1] > data_size)
        throw fail("tensor '" + it.key() + "' lies past the end of the file: truncated?");
      if (off[1] - off[0] != static_cast<uint64_t>(t.numel()) * dtype_size(t.dtype))
        throw fail("tensor '" + it.key() + "' size does not match its shape");
      t.bytes.assign(data + off[0], data + off[1]);
      st.tensors.emplace(it.key(), std::move(t));
    } catch (const nlohmann::json::exception&) {
      throw fail("tensor '" + it.key() + "' has a malformed entry");
    }
  }
  return st;
}

SafeTensors load_safetensors(const std::filesystem::path& path) {
  return parse_safetensors(read_file(path), path.string());
}

}  // namespace pokegan
