// Building blocks shared by the network families:
//   GaussianNoise      x + N(0, std^2) in training (the study's §2.5.2 stabiliser for D)
//   InjectNoise        StyleGAN's per-pixel noise with a learned per-channel weight
//   ConditionalAdaIN   the study's class-conditional AdaIN (§2.2.2):
//                        y = (γ + λ_c γ_c) · IN(x) + (β + λ_c β_c)
//                      γ, β = Linear(w) (the style; γ = 1, β = 0 when w_dim = 0, "class-only"),
//                      γ_c, β_c = Linear(e_y) from the block's own learned class embedding e_y
//   ClassBatchNorm     BatchNorm whose gain and bias come from a condition vector (BigGAN's cBN)
//   MappingNetwork     MLP: in -> hidden -> hidden -> out, ReLU between (the study's mapping layers)
//   tile_class_channel a vector [N, E] repeated along each row and down all rows: [N, 1, S, S]
//   grid_plane         a vector [N, g*g] as a g x g map, bilinearly upsampled to [N, 1, S, S]
#pragma once
#include <torch/nn/modules/batchnorm.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/module.h>
#include <torch/nn/modules/container/sequential.h>
#include <torch/nn/modules/embedding.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/pimpl.h>
#include <torch/types.h>

namespace pokegan {

class GaussianNoiseImpl : public torch::nn::Module {
 public:
  explicit GaussianNoiseImpl(double std = 0.0) : std_(std) {}
  torch::Tensor forward(const torch::Tensor& x);
  void set_std(double std) { std_ = std; }
  double std() const { return std_; }

 private:
  double std_;
};
TORCH_MODULE(GaussianNoise);

class InjectNoiseImpl : public torch::nn::Module {
 public:
  explicit InjectNoiseImpl(int channels);
  // Adds weight * noise [N, 1, H, W] in training; in eval mode adds nothing, so a seeded sample is
  // a function of its z alone.
  torch::Tensor forward(const torch::Tensor& x);
  torch::Tensor weight;  // [1, C, 1, 1], starts at 0
};
TORCH_MODULE(InjectNoise);

class ConditionalAdaINImpl : public torch::nn::Module {
 public:
  // w_dim = 0: no style (γ = 1, β = 0). num_classes = 0: no class term (plain AdaIN).
  ConditionalAdaINImpl(int channels, int w_dim, int num_classes, int embed_dim, double lambda_c);
  // x [N, C, H, W], w [N, w_dim] or undefined, labels [N] or undefined.
  torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& w, const torch::Tensor& labels);
  double lambda_c;
  torch::nn::Linear style_scale{nullptr}, style_shift{nullptr}, class_scale{nullptr}, class_shift{nullptr};
  torch::nn::Embedding class_embed{nullptr};
};
TORCH_MODULE(ConditionalAdaIN);

// BatchNorm without affine parameters, then a gain and bias predicted from a condition vector.
class ClassBatchNormImpl : public torch::nn::Module {
 public:
  ClassBatchNormImpl(int channels, int cond_dim);
  torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& cond);  // x [N,C,H,W], cond [N,D]
  torch::nn::BatchNorm2d bn{nullptr};
  torch::nn::Linear gain{nullptr}, bias{nullptr};
};
TORCH_MODULE(ClassBatchNorm);

class MappingNetworkImpl : public torch::nn::Module {
 public:
  MappingNetworkImpl(int in, int hidden, int out);
  torch::Tensor forward(const torch::Tensor& x) { return net->forward(x); }
  torch::nn::Sequential net{nullptr};
};
TORCH_MODULE(MappingNetwork);

// [N, E] -> [N, 1, S, S]: the vector repeated along each row (truncated at S), identical on every row.
torch::Tensor tile_class_channel(const torch::Tensor& embedding, int size);
// A vector [N, g*g] read as a g x g map and upsampled bilinearly (align_corners=false) to
// [N, 1, S, S]: a plane that varies smoothly along both axes.
torch::Tensor grid_plane(const torch::Tensor& embedding, int size);

// N(0, 1) noise of `sizes` on `options`' device, as torch::randn would give it, but filled by every
// LibTorch thread on the CPU: the noise layers' torch::randn took 7-15% of a PatchGAN or StyleGAN
// step on one thread (docs/performance.md). One 64-bit draw from LibTorch's default generator
// seeds the call; each 2^18-element chunk then has its own generator seeded from it and the chunk
// index, so a seeded run gives the same noise for any number of threads, and the checkpointed
// default-generator state still determines everything after a resume.
torch::Tensor parallel_randn(at::IntArrayRef sizes, const torch::TensorOptions& options);

// Bilinear x2 upsampling [N, C, H, W] -> [N, C, 2H, 2W] (StyleGAN's and the U-Net's upsampling).
torch::Tensor upsample2x(const torch::Tensor& x);

// 2x2 average pooling with stride 2 [N, C, H, W] -> [N, C, H/2, W/2] (the ResNet D's downsampling).
torch::Tensor avg_pool2x(const torch::Tensor& x);

// upsample2x and avg_pool2x run pokegan's plane-by-plane loops on float32 CPU tensors (default) or,
// with true, LibTorch's kernels everywhere: `pokegan bench --resample libtorch` times the two paths.
void use_libtorch_resampling(bool on);

// Instance norm over H, W without affine parameters.
torch::Tensor instance_norm(const torch::Tensor& x, double eps = 1e-5);

// The same function as conv->forward(x) for a 4x4 transposed convolution, computed through fast
// kernels (docs/performance.md): with a 1x1 input (DCGAN's first layer) as one matrix product;
// with stride 2 and padding 1 as one 2x2 convolution to 4x the channels (each output phase uses
// its 2x2 share of the kernel) whose four phases are interleaved into the output. LibTorch runs
// that convolution through oneDNN, where its own transposed convolution takes a per-sample BLAS
// path whose backward dominated the DCGAN step. Other shapes fall through to conv->forward. Gradients reach conv's own weight and
// bias, so parameters, initialisation and checkpoints are unchanged.
torch::Tensor fast_conv_transpose(torch::nn::ConvTranspose2dImpl& conv, const torch::Tensor& x);

}  // namespace pokegan
