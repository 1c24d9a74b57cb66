// Layers with optional spectral normalisation (Miyato et al. 2018), as torch.nn.utils.spectral_norm
// computes it: the weight viewed as a matrix W [out, in*k*k] is divided by sigma = u^T W v, where
// u [out] and v [in*k*k] are buffers refined by one power iteration per training forward
//   v <- normalize(W^T u),  u <- normalize(W v)        (no gradient through u, v; eps 1e-12)
// and left as they are in eval mode. u, v start as normalised N(0, 1) draws. They are buffers, so
// checkpoints and the EMA copy carry them, and a resume is exact.
//   SNConv2d  a 2-D convolution (bias optional)
//   SNLinear  a linear layer
//   SNEmbedding an embedding table [num, dim] normalised as a [num, dim] matrix (BigGAN's SNEmbedding)
// With sn = false each is the plain layer (parameters "weight", "bias" either way).
#pragma once
#include <torch/nn/module.h>
#include <torch/nn/pimpl.h>
#include <torch/types.h>

namespace pokegan {

// w / sigma(w); refines u, v in place first when `update` is set.
torch::Tensor spectral_normalized(const torch::Tensor& w, torch::Tensor& u, torch::Tensor& v, bool update);

class SNWeight : public torch::nn::Module {
 protected:
  // Registers weight (and u, v when sn) for a weight of `shape`.
  void init_weight(at::IntArrayRef shape, bool sn);
  // The weight to use in this forward.
  torch::Tensor effective_weight();

 public:
  torch::Tensor weight, u, v;
};

class SNConv2dImpl : public SNWeight {
 public:
  SNConv2dImpl(int in, int out, int kernel, int stride = 1, int padding = 0, bool bias = true, bool sn = true);
  torch::Tensor forward(const torch::Tensor& x);
  torch::Tensor bias;
  int stride, padding;
};
TORCH_MODULE(SNConv2d);

class SNLinearImpl : public SNWeight {
 public:
  SNLinearImpl(int in, int out, bool bias = true, bool sn = true);
  torch::Tensor forward(const torch::Tensor& x);
  torch::Tensor bias;
};
TORCH_MODULE(SNLinear);

class SNEmbeddingImpl : public SNWeight {
 public:
  SNEmbeddingImpl(int num, int dim, bool sn = true);
  torch::Tensor forward(const torch::Tensor& labels);  // [N] -> [N, dim]
};
TORCH_MODULE(SNEmbedding);

// Minibatch standard deviation (Karras et al. 2018; StyleGAN2's form): for groups of `group`
// samples (sample i is grouped with i + N/group, i + 2N/group, ...), the std over the group of each
// feature, averaged over C, H, W, appended as one constant channel: [N, C, H, W] -> [N, C+1, H, W].
// The group shrinks to a divisor of N when N is not a multiple of it.
torch::Tensor minibatch_stddev(const torch::Tensor& x, int group);

}  // namespace pokegan
