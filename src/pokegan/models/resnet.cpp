#include "pokegan/models/resnet.h"

#include <algorithm>
#include <cmath>

#include <torch/nn/functional/activation.h>
#include <torch/nn/functional/pooling.h>
#include <torch/nn/functional/upsampling.h>

#include "pokegan/common/error.h"
#include "pokegan/common/labels.h"

namespace pokegan {

namespace nn = torch::nn;
namespace F = torch::nn::functional;

namespace {
torch::Tensor up_nearest(const torch::Tensor& x) {
  return F::interpolate(x, F::InterpolateFuncOptions().scale_factor(std::vector<double>{2, 2}).mode(torch::kNearest));
}
// x2 upsampling of the ResNet G: nearest (BigGAN's) or bilinear (g.upsample=bilinear: no 2x2
// blocks for the convs to smooth away, the first step of StyleGAN2's filtered upsampling).
torch::Tensor up2(const torch::Tensor& x, bool bilinear) { return bilinear ? upsample2x(x) : up_nearest(x); }
torch::Tensor avg_pool2(const torch::Tensor& x) { return avg_pool2x(x); }
}  // namespace

ResGBlockImpl::ResGBlockImpl(int in, int out, int cond_dim, bool bilinear_, int z_maps_dim, int out_size)
    : bilinear(bilinear_) {
  bn1 = register_module("bn1", ClassBatchNorm(in, cond_dim));
  conv1 = register_module("conv1", nn::Conv2d(nn::Conv2dOptions(in, out, 3).padding(1)));
  bn2 = register_module("bn2", ClassBatchNorm(out, cond_dim));
  conv2 = register_module("conv2", nn::Conv2d(nn::Conv2dOptions(out, out, 3).padding(1)));
  shortcut = register_module("shortcut", nn::Conv2d(nn::Conv2dOptions(in, out, 1)));
  if (z_maps_dim > 0) {
    // A buffer, not a parameter: saved and restored with the network, never trained.
    zproj = register_buffer("zproj", torch::randn({z_maps_dim, 2 * out_size * out_size}) / std::sqrt(double(z_maps_dim)));
    zscale1 = register_parameter("zscale1", torch::zeros({1, out, 1, 1}));
    zscale2 = register_parameter("zscale2", torch::zeros({1, out, 1, 1}));
  }
}

torch::Tensor ResGBlockImpl::forward(const torch::Tensor& x, const torch::Tensor& cond, const torch::Tensor& z) {
  auto h = conv1->forward(up2(torch::relu(bn1->forward(x, cond)), bilinear));  // [N, out, 2H, 2W]
  torch::Tensor maps;
  if (zproj.defined()) {
    maps = z.matmul(zproj).view({h.size(0), 2, h.size(2), h.size(3)});  // [N, 2, 2H, 2W]
    h = h + zscale1 * maps.narrow(1, 0, 1);
  }
  h = conv2->forward(torch::relu(bn2->forward(h, cond)));
  if (maps.defined()) h = h + zscale2 * maps.narrow(1, 1, 1);
  // A 1x1 conv commutes with nearest and bilinear upsampling: convolving first does a quarter of the work.
  return h + up2(shortcut->forward(x), bilinear);
}

ResNetGeneratorImpl::ResNetGeneratorImpl(const GeneratorOptions& opt, int image_size, int num_classes)
    : opt_(opt), num_classes_(opt.conditional ? num_classes : 0), stages_(stages_for(image_size)) {
  if (opt.conditional && num_classes < 1) throw Error("a conditional generator needs classes");
  const int chunks = opt.hier_z ? stages_ + 1 : 1;
  if (opt.z_dim % chunks != 0)
    throw Error("g.z_dim must be a multiple of " + std::to_string(chunks) + " with g.hier_z at this image size, got " +
                std::to_string(opt.z_dim));
  chunk_ = opt.z_dim / chunks;
  auto ch = [&](int level) { return std::min(opt.base_channels << (stages_ - level), std::max(opt.max_channels, opt.base_channels)); };
  const int embed = num_classes_ > 0 ? opt.class_embed_dim : 0;
  if (embed > 0) embed_ = register_module("embed", nn::Embedding(num_classes_, embed));
  input_ = register_module("input", nn::Linear(chunk_ + (opt.class_input ? embed : 0), ch(0) * 16));
  const int cond_dim = (opt.hier_z ? chunk_ : opt.z_dim) + embed;
  for (int i = 0; i < stages_; ++i)
    blocks_.push_back(register_module("block" + std::to_string(i), ResGBlock(ch(i), ch(i + 1), cond_dim, opt.upsample == "bilinear",
                                                                          opt.z_maps ? opt.z_dim : 0, 8 << i)));
  out_bn_ = register_module("out_bn", nn::BatchNorm2d(ch(stages_)));
  out_conv_ = register_module("out_conv", nn::Conv2d(nn::Conv2dOptions(ch(stages_), 3, 3).padding(1)));
}

torch::Tensor ResNetGeneratorImpl::forward(const torch::Tensor& z, const torch::Tensor& labels) {
  const int64_t n = z.size(0);
  const auto zs = z.split(chunk_, 1);  // hier_z: stages + 1 chunks of [N, chunk]; else one
  const torch::Tensor e = embed_ ? embed_classes(embed_->weight, labels) : torch::Tensor();  // [N, E]
  const auto in = opt_.class_input && e.defined() ? torch::cat({zs[0], e}, 1) : zs[0];  // [N, chunk (+ E)]
  auto h = input_->forward(in).view({n, -1, 4, 4});  // [N, ch(0), 4, 4]
  for (int i = 0; i < stages_; ++i) {
    torch::Tensor cond = opt_.hier_z ? zs[i + 1] : z;
    if (e.defined()) cond = torch::cat({cond, e}, 1);
    h = blocks_[i]->forward(h, cond, z);  // doubles H, W
  }
  return torch::tanh(out_conv_->forward(torch::relu(out_bn_->forward(h))));  // [N, 3, S, S]
}

ResDBlockImpl::ResDBlockImpl(int in, int out, bool first_, bool sn) : first(first_) {
  conv1 = register_module("conv1", SNConv2d(in, out, 3, 1, 1, true, sn));
  conv2 = register_module("conv2", SNConv2d(out, out, 3, 1, 1, true, sn));
  shortcut = register_module("shortcut", SNConv2d(in, out, 1, 1, 0, true, sn));
}

torch::Tensor ResDBlockImpl::forward(const torch::Tensor& x) {
  auto h = conv1->forward(first ? x : torch::relu(x));
  h = avg_pool2(conv2->forward(torch::relu(h)));
  // The 1x1 shortcut on the smaller side: pool first where the input is narrower.
  const auto sc = first ? shortcut->forward(avg_pool2(x)) : avg_pool2(shortcut->forward(x));
  return h + sc;
}

SelfAttentionImpl::SelfAttentionImpl(int channels, bool sn) {
  const int c8 = std::max(1, channels / 8), c2 = std::max(1, channels / 2);
  theta = register_module("theta", SNConv2d(channels, c8, 1, 1, 0, false, sn));
  phi = register_module("phi", SNConv2d(channels, c8, 1, 1, 0, false, sn));
  g = register_module("g", SNConv2d(channels, c2, 1, 1, 0, false, sn));
  o = register_module("o", SNConv2d(c2, channels, 1, 1, 0, false, sn));
  gamma = register_parameter("gamma", torch::zeros({1}));
}

torch::Tensor SelfAttentionImpl::forward(const torch::Tensor& x) {
  const int64_t n = x.size(0), h = x.size(2), w = x.size(3);
  if (h % 2 != 0 || w % 2 != 0) throw Error("self-attention needs an even map size, got " + std::to_string(h) + "x" + std::to_string(w));
  const auto th = theta->forward(x).flatten(2);                             // [N, C/8, HW]
  const auto ph = F::max_pool2d(phi->forward(x), F::MaxPool2dFuncOptions(2)).flatten(2);  // [N, C/8, HW/4]
  const auto beta = torch::softmax(torch::bmm(th.transpose(1, 2), ph), -1);  // [N, HW, HW/4]
  const auto gg = F::max_pool2d(g->forward(x), F::MaxPool2dFuncOptions(2)).flatten(2);    // [N, C/2, HW/4]
  const auto attended = torch::bmm(gg, beta.transpose(1, 2)).view({n, gg.size(1), h, w});  // [N, C/2, H, W]
  return x + gamma * o->forward(attended);
}

ResNetDiscriminatorImpl::ResNetDiscriminatorImpl(const DiscriminatorOptions& opt, int image_size, int num_classes)
    : opt_(opt) {
  const int stages = stages_for(image_size);  // blocks S -> 4
  if ((opt.conditional || opt.class_head || opt.twin_class_head) && num_classes < 1) throw Error("a conditional discriminator needs classes");
  if (opt.dropout > 0) throw Error("d.dropout is not supported by the resnet discriminator");
  if (opt.epilogue != "sum" && opt.epilogue != "dense")
    throw Error("d.epilogue must be 'sum' or 'dense', got '" + opt.epilogue + "'");
  auto ch = [&](int i) { return std::min(opt.base_channels << i, std::max(opt.max_channels, opt.base_channels)); };
  int in = 3;
  for (int i = 0; i < stages; ++i) {
    blocks_.push_back(register_module("block" + std::to_string(i), ResDBlock(in, ch(i), i == 0, opt.spectral_norm)));
    in = ch(i);
    if (opt.attention > 0 && (image_size >> (i + 1)) == opt.attention) {
      attention_ = register_module("attention", SelfAttention(in, opt.spectral_norm));
      attention_after_ = i;
    }
  }
  if (opt.attention > 0 && (!attention_ || opt.attention < 8))
    throw Error("d.attention must be a block's output size, " + std::to_string(image_size / 2) + " down to 8, or 0; got " +
                std::to_string(opt.attention));
  const int extra = opt.mbstd_group > 0 ? 1 : 0;
  final_conv_ = register_module("final_conv", SNConv2d(in + extra, in, 3, 1, 1, true, opt.spectral_norm));
  if (opt.epilogue == "dense") dense_ = register_module("dense", SNLinear(in * 16, in, true, opt.spectral_norm));
  linear_ = register_module("linear", SNLinear(in, 1, true, opt.spectral_norm));
  if (opt.conditional) projection_ = register_module("projection", SNEmbedding(num_classes, in, opt.spectral_norm));
  if (opt.class_head) class_head_ = register_module("class_head", SNLinear(in, num_classes, true, opt.spectral_norm));
  if (opt.twin_class_head) twin_head_ = register_module("twin_head", SNLinear(in, num_classes, true, opt.spectral_norm));
}

DOutput ResNetDiscriminatorImpl::forward(const torch::Tensor& images, const torch::Tensor& labels) {
  auto h = images;  // [N, 3, S, S]
  for (size_t i = 0; i < blocks_.size(); ++i) {
    h = blocks_[i]->forward(h);
    if (static_cast<int>(i) == attention_after_) h = attention_->forward(h);
  }  // [N, C, 4, 4]
  h = torch::relu(h);
  if (opt_.mbstd_group > 0) h = minibatch_stddev(h, opt_.mbstd_group);  // [N, C+1, 4, 4]
  h = torch::relu(final_conv_->forward(h));  // [N, C, 4, 4]
  h = dense_ ? torch::relu(dense_->forward(h.flatten(1))) : h.sum({2, 3});  // [N, C]
  DOutput out;
  out.logits = linear_->forward(h).view({-1});  // [N]
  if (projection_) out.logits = out.logits + (projection_->forward(labels) * h).sum(1);
  if (class_head_) out.class_logits = class_head_->forward(h);  // [N, classes]
  if (twin_head_) out.twin_logits = twin_head_->forward(h);     // [N, classes]
  return out;
}

}  // namespace pokegan
