// Checkpoints: one safetensors file holding everything a resume needs (G, D, both optimizers'
// Adam moments and step counts, the loader's permutation and position, both RNG states, the step
// and epoch, the config), written atomically. Metadata "format" = "pokegan-checkpoint/1".
// Tensors are stored on CPU in their own dtype; keys are "<prefix>.<module path>".
#pragma once
#include <filesystem>
#include <map>
#include <string>

#include <torch/nn/module.h>
#include <torch/optim/adam.h>
#include <torch/types.h>

namespace pokegan {

struct Checkpoint {
  std::map<std::string, torch::Tensor> tensors;
  std::map<std::string, std::string> metadata;

  const torch::Tensor& tensor(const std::string& key) const;  // throws Error if missing
  // Every tensor whose key starts with "<prefix>.", with the prefix removed.
  std::map<std::string, torch::Tensor> with_prefix(const std::string& prefix) const;
};

void save_checkpoint(const std::filesystem::path& path, const Checkpoint& ckpt);
// Throws Error naming the file for a missing, truncated or foreign file.
Checkpoint load_checkpoint(const std::filesystem::path& path);

// Parameters and buffers of `m` under "<prefix>.".
void put_module(Checkpoint& ckpt, const std::string& prefix, const torch::nn::Module& m);
// Copies them back; throws Error listing a missing or mis-shaped key.
void get_module(const Checkpoint& ckpt, const std::string& prefix, torch::nn::Module& m);

// Adam state per parameter (named by the module's parameter names, in the optimizer's order).
void put_adam(Checkpoint& ckpt, const std::string& prefix, torch::optim::Adam& opt, const torch::nn::Module& m);
void get_adam(const Checkpoint& ckpt, const std::string& prefix, torch::optim::Adam& opt, const torch::nn::Module& m);

}  // namespace pokegan
