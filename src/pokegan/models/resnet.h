// The `sprite` preset's networks: a small BigGAN/SNGAN-style conditional ResNet pair for 64x64
// sprites on a CPU (Brock et al. 2019; Miyato & Koyama 2018).
//
// G: z [N, z_dim] split into (stages + 1) chunks (hier_z; else every block sees all of z)
//    h = Linear(z_0) -> [N, ch(0), 4, 4]    (g.class_input: Linear([z_0, shared_embed(y)]))
//    per block i (4 -> 8 -> ... -> S), cond_i = [z_{i+1}, shared_embed(y)]:
//      h' = conv3x3(relu(cBN(h))) after nearest x2 upsampling, then conv3x3(relu(cBN(h')))
//      h  = h' + conv1x1(up(h))      (resize-then-conv: no checkerboard, Odena et al. 2016)
//    g.z_maps: after each conv, + strength[c] * (P z)[pixel] (a fixed projection of z per block)
//    cBN: BatchNorm without affine, then (1 + Linear(cond)) * x + Linear(cond)
//    out: tanh(conv3x3(relu(BN(h))))                               [N, 3, S, S]
//    widths: ch(l) = min(base * 2^(stages - l), max_channels) at level l (4x4 is level 0)
// D: every weight spectrally normalised (d.spectral_norm)
//    block i (S/2^i -> S/2^(i+1)): conv3x3 -> relu -> conv3x3 -> avgpool, plus a 1x1 shortcut;
//    block 0 has no leading relu (BigGAN's "optimised" first block); widths min(base * 2^i, max)
//    (d.attention = R: self-attention after the block whose output is R x R)
//    at 4x4: (minibatch stddev) -> relu -> conv3x3 -> relu -> sum over H, W: h [N, C]
//    logit = Linear(h) + <embed(y), h>   (projection, Miyato & Koyama 2018); class head optional
#pragma once
#include <torch/nn/modules/batchnorm.h>
#include <torch/nn/modules/container/modulelist.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/modules/embedding.h>
#include <torch/nn/modules/linear.h>

#include "pokegan/models/networks.h"
#include "pokegan/models/layers.h"
#include "pokegan/models/spectral.h"

namespace pokegan {

class ResGBlockImpl : public torch::nn::Module {
 public:
  // bilinear: bilinear x2 upsampling (g.upsample=bilinear), else nearest. z_maps_dim > 0 (g.z_maps):
  // the z maps of the output resolution out_size, a projection buffer [z_maps_dim, 2 * out_size^2]
  // and a zero-initialised strength [1, out, 1, 1] per conv.
  ResGBlockImpl(int in, int out, int cond_dim, bool bilinear = false, int z_maps_dim = 0, int out_size = 0);
  // [N,in,H,W] -> [N,out,2H,2W]; z [N, z_maps_dim] is used only with z maps.
  torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& cond, const torch::Tensor& z = {});
  ClassBatchNorm bn1{nullptr}, bn2{nullptr};
  torch::nn::Conv2d conv1{nullptr}, conv2{nullptr}, shortcut{nullptr};
  torch::Tensor zproj, zscale1, zscale2;  // defined with z maps only
  bool bilinear = false;
};
TORCH_MODULE(ResGBlock);

class ResNetGeneratorImpl : public GeneratorImpl {
 public:
  ResNetGeneratorImpl(const GeneratorOptions& opt, int image_size, int num_classes);
  torch::Tensor forward(const torch::Tensor& z, const torch::Tensor& labels) override;
  int64_t z_dim() const override { return opt_.z_dim; }

 private:
  GeneratorOptions opt_;
  int num_classes_, stages_, chunk_;
  torch::nn::Embedding embed_{nullptr};
  torch::nn::Linear input_{nullptr};
  std::vector<ResGBlock> blocks_;
  torch::nn::BatchNorm2d out_bn_{nullptr};
  torch::nn::Conv2d out_conv_{nullptr};
};

class ResDBlockImpl : public torch::nn::Module {
 public:
  ResDBlockImpl(int in, int out, bool first, bool sn);
  torch::Tensor forward(const torch::Tensor& x);  // [N,in,H,W] -> [N,out,H/2,W/2]
  bool first;
  SNConv2d conv1{nullptr}, conv2{nullptr}, shortcut{nullptr};
};
TORCH_MODULE(ResDBlock);

// SAGAN's self-attention (Zhang et al. 2019) as BigGAN writes it, every conv 1x1 without bias:
//   theta = conv(x) [N, C/8, HW], phi = maxpool2(conv(x)) [N, C/8, HW/4], g = maxpool2(conv(x)) [N, C/2, HW/4]
//   beta = softmax over the pooled positions of theta^T phi   [N, HW, HW/4]
//   out  = x + gamma * conv(g beta^T)                         gamma starts at 0
// Every position can look at the whole map: D can relate a feature to the figure around it. Needs
// an even H and W.
class SelfAttentionImpl : public torch::nn::Module {
 public:
  SelfAttentionImpl(int channels, bool sn);
  torch::Tensor forward(const torch::Tensor& x);  // [N, C, H, W] -> same
  SNConv2d theta{nullptr}, phi{nullptr}, g{nullptr}, o{nullptr};
  torch::Tensor gamma;
};
TORCH_MODULE(SelfAttention);

class ResNetDiscriminatorImpl : public DiscriminatorImpl {
 public:
  ResNetDiscriminatorImpl(const DiscriminatorOptions& opt, int image_size, int num_classes);
  DOutput forward(const torch::Tensor& images, const torch::Tensor& labels) override;

 private:
  DiscriminatorOptions opt_;
  std::vector<ResDBlock> blocks_;
  SelfAttention attention_{nullptr};
  int attention_after_ = -1;  // the block index the attention follows
  SNConv2d final_conv_{nullptr};
  SNLinear linear_{nullptr}, class_head_{nullptr};
  SNLinear twin_head_{nullptr};  // d.twin_class_head: [C] -> [classes]
  SNLinear dense_{nullptr};  // d.epilogue=dense: [C * 16] -> [C]
  SNEmbedding projection_{nullptr};
};

}  // namespace pokegan
