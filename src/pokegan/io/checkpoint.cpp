#include "pokegan/io/checkpoint.h"

#include <cstring>
#include <sstream>
#include <type_traits>

#include "pokegan/common/error.h"
#include "pokegan/common/fs.h"
#include "pokegan/io/safetensors.h"

namespace pokegan {

namespace {

constexpr const char* kFormat = "pokegan-checkpoint/1";

struct DTypeMap {
  torch::ScalarType t;
  DType d;
};
constexpr DTypeMap kMap[] = {{torch::kBool, DType::BOOL}, {torch::kUInt8, DType::U8},  {torch::kInt8, DType::I8},
                             {torch::kInt16, DType::I16}, {torch::kInt32, DType::I32}, {torch::kInt64, DType::I64},
                             {torch::kFloat16, DType::F16}, {torch::kBFloat16, DType::BF16},
                             {torch::kFloat32, DType::F32}, {torch::kFloat64, DType::F64}};

DType to_dtype(torch::ScalarType t) {
  for (const auto& m : kMap)
    if (m.t == t) return m.d;
  throw Error(std::string("cannot store tensors of type ") + c10::toString(t));
}
torch::ScalarType to_scalar(DType d) {
  for (const auto& m : kMap)
    if (m.d == d) return m.t;
  throw Error("unsupported dtype");
}

// Optimizer state is keyed by the parameter's TensorImpl: a string of its address in LibTorch 1.x,
// the address itself in 2.x. Derive the key type from the API instead of the version number.
template <class Map>
typename Map::key_type state_key(const torch::Tensor& p) {
  using Key = typename Map::key_type;
  if constexpr (std::is_same_v<Key, std::string>) {
    std::ostringstream s;
    s << p.unsafeGetTensorImpl();
    return s.str();
  } else {
    return static_cast<Key>(p.unsafeGetTensorImpl());
  }
}

}  // namespace

const torch::Tensor& Checkpoint::tensor(const std::string& key) const {
  auto it = tensors.find(key);
  if (it == tensors.end()) throw Error("checkpoint lacks '" + key + "'");
  return it->second;
}

std::map<std::string, torch::Tensor> Checkpoint::with_prefix(const std::string& prefix) const {
  std::map<std::string, torch::Tensor> out;
  const std::string p = prefix + ".";
  for (const auto& [k, v] : tensors)
    if (k.compare(0, p.size(), p) == 0) out[k.substr(p.size())] = v;
  return out;
}

void save_checkpoint(const std::filesystem::path& path, const Checkpoint& ckpt) {
  SafeTensors st;
  st.metadata = ckpt.metadata;
  st.metadata["format"] = kFormat;
  for (const auto& [k, v] : ckpt.tensors) {
    const auto t = v.detach().to(torch::kCPU).contiguous();
    TensorData d;
    d.dtype = to_dtype(t.scalar_type());
    d.shape = t.sizes().vec();
    d.bytes.resize(t.numel() * t.element_size());
    if (!d.bytes.empty()) std::memcpy(d.bytes.data(), t.data_ptr(), d.bytes.size());
    st.tensors.emplace(k, std::move(d));
  }
  save_safetensors(path, st);
}

Checkpoint load_checkpoint(const std::filesystem::path& path) {
  require_exists(path, "checkpoint");
  SafeTensors st = load_safetensors(path);
  auto fmt = st.metadata.find("format");
  if (fmt == st.metadata.end() || fmt->second != kFormat)
    throw Error(path.string() + ": not a pokegan checkpoint");
  Checkpoint ckpt;
  ckpt.metadata = std::move(st.metadata);
  for (auto& [k, d] : st.tensors) {
    auto t = torch::empty(d.shape, torch::TensorOptions().dtype(to_scalar(d.dtype)));
    if (!d.bytes.empty()) std::memcpy(t.data_ptr(), d.bytes.data(), d.bytes.size());
    ckpt.tensors.emplace(k, std::move(t));
  }
  return ckpt;
}

void put_module(Checkpoint& ckpt, const std::string& prefix, const torch::nn::Module& m) {
  for (const auto& p : m.named_parameters()) ckpt.tensors[prefix + "." + p.key()] = p.value();
  for (const auto& b : m.named_buffers()) ckpt.tensors[prefix + "." + b.key()] = b.value();
}

void get_module(const Checkpoint& ckpt, const std::string& prefix, torch::nn::Module& m) {
  torch::NoGradGuard no_grad;
  auto copy = [&](const std::string& name, torch::Tensor& dst) {
    const auto& src = ckpt.tensor(prefix + "." + name);
    if (src.sizes() != dst.sizes())
      throw Error("checkpoint tensor '" + prefix + "." + name + "' has the wrong shape for this model");
    dst.copy_(src);
  };
  for (auto& p : m.named_parameters()) copy(p.key(), p.value());
  for (auto& b : m.named_buffers()) copy(b.key(), b.value());
}

void put_adam(Checkpoint& ckpt, const std::string& prefix, torch::optim::Adam& opt, const torch::nn::Module& m) {
  using Map = std::decay_t<decltype(opt.state())>;
  for (const auto& p : m.named_parameters()) {
    auto it = opt.state().find(state_key<Map>(p.value()));
    if (it == opt.state().end()) continue;  // no step taken yet
    auto& s = static_cast<torch::optim::AdamParamState&>(*it->second);
    const std::string k = prefix + "." + p.key();
    ckpt.tensors[k + ".exp_avg"] = s.exp_avg();
    ckpt.tensors[k + ".exp_avg_sq"] = s.exp_avg_sq();
    ckpt.tensors[k + ".step"] = torch::tensor({static_cast<int64_t>(s.step())}, torch::kInt64);
  }
}

void get_adam(const Checkpoint& ckpt, const std::string& prefix, torch::optim::Adam& opt, const torch::nn::Module& m) {
  using Map = std::decay_t<decltype(opt.state())>;
  for (const auto& p : m.named_parameters()) {
    const std::string k = prefix + "." + p.key();
    if (!ckpt.tensors.count(k + ".step")) continue;
    // A forged or mismatched file must end in one Error line, not in LibTorch's item() or a later
    // optimiser step on moments of the wrong shape.
    const auto& step = ckpt.tensor(k + ".step");
    if (step.numel() != 1) throw Error("checkpoint tensor '" + k + ".step' is not one number");
    for (const char* moment : {".exp_avg", ".exp_avg_sq"})
      if (ckpt.tensor(k + moment).sizes() != p.value().sizes())
        throw Error("checkpoint tensor '" + k + moment + "' has the wrong shape for this model");
    auto s = std::make_unique<torch::optim::AdamParamState>();
    s->step(step.to(torch::kInt64).item<int64_t>());
    s->exp_avg(ckpt.tensor(k + ".exp_avg").to(p.value().device(), p.value().scalar_type()).clone());
    s->exp_avg_sq(ckpt.tensor(k + ".exp_avg_sq").to(p.value().device(), p.value().scalar_type()).clone());
    opt.state()[state_key<Map>(p.value())] = std::move(s);
  }
}

}  // namespace pokegan
