#include "pokegan/models/layers.h"
#include "pokegan/common/labels.h"

#include <ATen/CPUGeneratorImpl.h>
#include <ATen/Parallel.h>
#include <torch/autograd.h>

#include <algorithm>
#include <cmath>
#include <atomic>
#include <vector>
#include <torch/version.h>
#include <torch/nn/functional/conv.h>

#include <torch/nn/functional/upsampling.h>
#include <torch/nn/modules/activation.h>

#include "pokegan/common/error.h"

namespace pokegan {

namespace nn = torch::nn;

torch::Tensor parallel_randn(at::IntArrayRef sizes, const torch::TensorOptions& options) {
  constexpr int64_t kChunk = int64_t(1) << 18;
  auto out = torch::empty(sizes, options);
  const int64_t n = out.numel();
  if (!out.device().is_cpu() || n <= kChunk) return out.normal_();
  uint64_t seed;
  {
    at::Generator gen = at::detail::getDefaultCPUGenerator();
    std::lock_guard<std::mutex> lock(gen.mutex());
    seed = at::check_generator<at::CPUGeneratorImpl>(gen)->random64();
  }
  auto flat = out.view({-1});
  const int64_t chunks = (n + kChunk - 1) / kChunk;
  at::parallel_for(0, chunks, 1, [&](int64_t begin, int64_t end) {
    for (int64_t c = begin; c < end; ++c) {
      auto gen = at::make_generator<at::CPUGeneratorImpl>(seed + 0x9E3779B97F4A7C15ULL * static_cast<uint64_t>(c + 1));
      flat.narrow(0, c * kChunk, std::min(kChunk, n - c * kChunk)).normal_(0.0, 1.0, gen);
    }
  });
  return out;
}

torch::Tensor GaussianNoiseImpl::forward(const torch::Tensor& x) {
  if (!is_training() || std_ <= 0) return x;
  return x + parallel_randn(x.sizes(), x.options()) * std_;
}

InjectNoiseImpl::InjectNoiseImpl(int channels) {
  weight = register_parameter("weight", torch::zeros({1, channels, 1, 1}));
}

torch::Tensor InjectNoiseImpl::forward(const torch::Tensor& x) {
  if (!is_training()) return x;
  return x + weight * parallel_randn({x.size(0), 1, x.size(2), x.size(3)}, x.options());
}

ConditionalAdaINImpl::ConditionalAdaINImpl(int channels, int w_dim, int num_classes, int embed_dim, double lambda)
    : lambda_c(lambda) {
  if (w_dim > 0) {
    style_scale = register_module("style_scale", nn::Linear(w_dim, channels));
    style_shift = register_module("style_shift", nn::Linear(w_dim, channels));
    torch::NoGradGuard no_grad;
    style_scale->bias.fill_(1.0);  // start as the identity style, as StyleGAN does
    style_shift->bias.zero_();
  }
  if (num_classes > 0) {
    class_embed = register_module("class_embed", nn::Embedding(num_classes, embed_dim));
    class_scale = register_module("class_scale", nn::Linear(embed_dim, channels));
    class_shift = register_module("class_shift", nn::Linear(embed_dim, channels));
  }
}

torch::Tensor ConditionalAdaINImpl::forward(const torch::Tensor& x, const torch::Tensor& w, const torch::Tensor& labels) {
  const int64_t n = x.size(0), c = x.size(1);
  torch::Tensor gamma = torch::ones({n, c}, x.options()), beta = torch::zeros({n, c}, x.options());
  if (style_scale) {
    gamma = style_scale->forward(w);  // [N, C]
    beta = style_shift->forward(w);
  }
  if (class_embed) {
    const auto e = embed_classes(class_embed->weight, labels);  // [N, E]
    gamma = gamma + lambda_c * class_scale->forward(e);
    beta = beta + lambda_c * class_shift->forward(e);
  }
  return gamma.view({n, c, 1, 1}) * instance_norm(x) + beta.view({n, c, 1, 1});
}

ClassBatchNormImpl::ClassBatchNormImpl(int channels, int cond_dim) {
  bn = register_module("bn", nn::BatchNorm2d(nn::BatchNorm2dOptions(channels).affine(false)));
  gain = register_module("gain", nn::Linear(cond_dim, channels));
  bias = register_module("bias", nn::Linear(cond_dim, channels));
}

torch::Tensor ClassBatchNormImpl::forward(const torch::Tensor& x, const torch::Tensor& cond) {
  const int64_t n = x.size(0), c = x.size(1);
  const auto g = 1 + gain->forward(cond).view({n, c, 1, 1});
  const auto b = bias->forward(cond).view({n, c, 1, 1});
  return bn->forward(x) * g + b;
}

MappingNetworkImpl::MappingNetworkImpl(int in, int hidden, int out) {
  net = register_module("net", nn::Sequential(nn::Linear(in, hidden), nn::ReLU(), nn::Linear(hidden, hidden),
                                              nn::ReLU(), nn::Linear(hidden, out)));
}

torch::Tensor tile_class_channel(const torch::Tensor& e, int size) {
  const int64_t reps = (size + e.size(1) - 1) / e.size(1);
  torch::Tensor row = e.repeat({1, reps}).narrow(1, 0, size);  // [N, S]
  return row.view({e.size(0), 1, 1, size}).expand({e.size(0), 1, size, size});
}

torch::Tensor grid_plane(const torch::Tensor& e, int size) {
  namespace F = torch::nn::functional;
  const auto g = static_cast<int64_t>(std::lround(std::sqrt(static_cast<double>(e.size(1)))));
  if (g * g != e.size(1)) throw Error("grid_plane needs a square number of values, got " + std::to_string(e.size(1)));
  return F::interpolate(e.view({e.size(0), 1, g, g}), F::InterpolateFuncOptions()
                                                          .size(std::vector<int64_t>{size, size})
                                                          .mode(torch::kBilinear)
                                                          .align_corners(false));
}

namespace {

// Bilinear x2 (align_corners=false) has fixed taps: output row 2i is 0.75 x[i] + 0.25 x[i-1] and row
// 2i+1 is 0.75 x[i] + 0.25 x[i+1], indices clamped at the border; columns alike. LibTorch 1.13's CPU
// kernel recomputes source indices and weights per pixel and its backward scatters one pixel at a
// time: for the `sprite` G (four x2 upsamplings per step) forward and backward took 6% of a training
// step. These loops do the same arithmetic plane by plane, rows then columns, in L1-sized buffers.
void up_rows(const float* x, float* y, int64_t h, int64_t w) {  // [h, w] -> [2h, w]
  for (int64_t i = 0; i < h; ++i) {
    const float* c = x + i * w;
    const float* p = x + std::max<int64_t>(i - 1, 0) * w;
    const float* n = x + std::min<int64_t>(i + 1, h - 1) * w;
    float* e = y + 2 * i * w;
    float* o = e + w;
    for (int64_t j = 0; j < w; ++j) {
      e[j] = 0.75f * c[j] + 0.25f * p[j];
      o[j] = 0.75f * c[j] + 0.25f * n[j];
    }
  }
}

void up_cols(const float* x, float* y, int64_t rows, int64_t w) {  // [rows, w] -> [rows, 2w]
  for (int64_t r = 0; r < rows; ++r) {
    const float* a = x + r * w;
    float* b = y + r * 2 * w;
    for (int64_t j = 0; j < w; ++j) {
      const float c = a[j], p = a[j > 0 ? j - 1 : 0], n = a[j + 1 < w ? j + 1 : w - 1];
      b[2 * j] = 0.75f * c + 0.25f * p;
      b[2 * j + 1] = 0.75f * c + 0.25f * n;
    }
  }
}

// The adjoints: every output tap sends its weight times the output gradient back to its source.
void down_cols(const float* g, float* x, int64_t rows, int64_t w) {  // [rows, 2w] -> [rows, w]
  for (int64_t r = 0; r < rows; ++r) {
    const float* a = g + r * 2 * w;
    float* b = x + r * w;
    for (int64_t j = 0; j < w; ++j) b[j] = 0.75f * (a[2 * j] + a[2 * j + 1]);
    for (int64_t j = 0; j < w; ++j) {
      b[j > 0 ? j - 1 : 0] += 0.25f * a[2 * j];
      b[j + 1 < w ? j + 1 : w - 1] += 0.25f * a[2 * j + 1];
    }
  }
}

void down_rows(const float* g, float* x, int64_t h, int64_t w) {  // [2h, w] -> [h, w]
  for (int64_t i = 0; i < h; ++i) {
    const float* e = g + 2 * i * w;
    const float* o = e + w;
    float* b = x + i * w;
    for (int64_t j = 0; j < w; ++j) b[j] = 0.75f * (e[j] + o[j]);
  }
  for (int64_t i = 0; i < h; ++i) {
    const float* e = g + 2 * i * w;
    const float* o = e + w;
    float* p = x + std::max<int64_t>(i - 1, 0) * w;
    float* n = x + std::min<int64_t>(i + 1, h - 1) * w;
    for (int64_t j = 0; j < w; ++j) {
      p[j] += 0.25f * e[j];
      n[j] += 0.25f * o[j];
    }
  }
}

// Maps each [h, w] plane of a contiguous float [N, C, h, w] tensor to an [oh, ow] plane of a new
// [N, C, oh, ow] tensor: `body(src, dst, scratch)` on LibTorch's intra-op threads, each thread with
// its own scratch buffer of `scratch_floats`.
template <class Body>
torch::Tensor map_planes(const torch::Tensor& input, int64_t oh, int64_t ow, int64_t scratch_floats, const Body& body) {
  const auto x = input.contiguous();
  const int64_t in_plane = x.size(2) * x.size(3), out_plane = oh * ow;
  auto y = torch::empty({x.size(0), x.size(1), oh, ow}, x.options());
  const float* xp = x.data_ptr<float>();
  float* yp = y.data_ptr<float>();
  const int64_t grain = std::max<int64_t>(1, 32768 / std::max<int64_t>({in_plane, out_plane, 1}));
  at::parallel_for(0, x.size(0) * x.size(1), grain, [&](int64_t begin, int64_t end) {
    std::vector<float> scratch(scratch_floats);
    for (int64_t p = begin; p < end; ++p) body(xp + p * in_plane, yp + p * out_plane, scratch.data());
  });
  return y;
}

torch::Tensor up2x_planes(const torch::Tensor& x) {  // [N, C, H, W] -> [N, C, 2H, 2W]
  const int64_t h = x.size(2), w = x.size(3);
  return map_planes(x, 2 * h, 2 * w, 2 * h * w, [&](const float* src, float* dst, float* tmp) {
    up_rows(src, tmp, h, w);
    up_cols(tmp, dst, 2 * h, w);
  });
}

torch::Tensor down2x_planes(const torch::Tensor& g) {  // the adjoint: [N, C, 2H, 2W] -> [N, C, H, W]
  const int64_t h = g.size(2) / 2, w = g.size(3) / 2;
  return map_planes(g, h, w, 2 * h * w, [&](const float* src, float* dst, float* tmp) {
    down_cols(src, tmp, 2 * h, w);
    down_rows(tmp, dst, h, w);
  });
}

// 2x2 average pooling with stride 2 (the ResNet D's downsampling) and its adjoint, plane by plane;
// LibTorch 1.13's CPU kernels took 3% of a `sprite` training step. The sum runs in LibTorch's order
// (rows, then columns within a row), so the values are bit-identical.
torch::Tensor pool2x_planes(const torch::Tensor& x) {  // [N, C, 2H, 2W] -> [N, C, H, W]
  const int64_t h = x.size(2) / 2, w = x.size(3) / 2;
  return map_planes(x, h, w, 0, [&](const float* a, float* b, float*) {
    for (int64_t i = 0; i < h; ++i) {
      const float* r0 = a + 2 * i * 2 * w;
      const float* r1 = r0 + 2 * w;
      for (int64_t j = 0; j < w; ++j) b[i * w + j] = (r0[2 * j] + r0[2 * j + 1] + r1[2 * j] + r1[2 * j + 1]) / 4.0f;
    }
  });
}

torch::Tensor unpool2x_planes(const torch::Tensor& g) {  // the adjoint: [N, C, H, W] -> [N, C, 2H, 2W]
  const int64_t h = g.size(2), w = g.size(3);
  return map_planes(g, 2 * h, 2 * w, 0, [&](const float* a, float* b, float*) {
    for (int64_t i = 0; i < h; ++i) {
      float* r0 = b + 2 * i * 2 * w;
      float* r1 = r0 + 2 * w;
      for (int64_t j = 0; j < w; ++j) {
        const float v = a[i * w + j] / 4.0f;
        r0[2 * j] = r0[2 * j + 1] = r1[2 * j] = r1[2 * j + 1] = v;
      }
    }
  });
}

// A linear map `Map` as an autograd function whose gradient is its adjoint `Adjoint`, itself the
// function whose gradient is `Map`: so a penalty taken with create_graph (R1 through D's pooling,
// anything through G's upsampling) differentiates again.
using PlaneMap = torch::Tensor (*)(const torch::Tensor&);
template <PlaneMap Map, PlaneMap Adjoint>
struct LinearPlanes : torch::autograd::Function<LinearPlanes<Map, Adjoint>> {
  static torch::Tensor forward(torch::autograd::AutogradContext*, const torch::Tensor& x) { return Map(x); }
  static torch::autograd::variable_list backward(torch::autograd::AutogradContext*, torch::autograd::variable_list g) {
    return {LinearPlanes<Adjoint, Map>::apply(g[0])};
  }
};
using Up2x = LinearPlanes<up2x_planes, down2x_planes>;
using Pool2x = LinearPlanes<pool2x_planes, unpool2x_planes>;

std::atomic<bool> libtorch_resampling{false};

bool plain_cpu_float_planes(const torch::Tensor& x) {
  return !libtorch_resampling.load(std::memory_order_relaxed) && x.device().is_cpu() && x.scalar_type() == torch::kFloat32 && x.dim() == 4 && x.is_contiguous() &&
         x.size(2) > 0 && x.size(3) > 0;
}

}  // namespace

torch::Tensor upsample2x(const torch::Tensor& x) {
  // The plain loops serve float32 NCHW on the CPU; anything else (CUDA, bf16 autocast,
  // channels-last) keeps LibTorch's kernel.
  if (plain_cpu_float_planes(x)) return Up2x::apply(x);
  namespace F = torch::nn::functional;
  return F::interpolate(x, F::InterpolateFuncOptions().scale_factor(std::vector<double>{2, 2})
                               .mode(torch::kBilinear).align_corners(false));
}

void use_libtorch_resampling(bool on) { libtorch_resampling = on; }

torch::Tensor avg_pool2x(const torch::Tensor& x) {
  if (plain_cpu_float_planes(x) && x.size(2) % 2 == 0 && x.size(3) % 2 == 0) return Pool2x::apply(x);
  namespace F = torch::nn::functional;
  return F::avg_pool2d(x, F::AvgPool2dFuncOptions(2));
}

torch::Tensor instance_norm(const torch::Tensor& input, double eps) {
  // LibTorch's fused kernel (one pass for the statistics, one for the normalisation, one autograd
  // node) in place of a mean/var/sub/div composition: 64 StyleGAN sprites 104 -> 81 ms, its
  // training step 66 -> 71 img/s (consecutive runs, docs/performance.md). In float32 also under bf16 autocast: a bfloat16 variance keeps 8 bits.
  return torch::instance_norm(input.to(torch::kFloat32), /*weight=*/{}, /*bias=*/{}, /*running_mean=*/{},
                              /*running_var=*/{}, /*use_input_stats=*/true, /*momentum=*/0.0, eps,
                              /*cudnn_enabled=*/true);
}

torch::Tensor fast_conv_transpose(torch::nn::ConvTranspose2dImpl& conv, const torch::Tensor& x) {
  namespace F = torch::nn::functional;
  const auto& o = conv.options;
  const auto& w = conv.weight;  // [Cin, Cout, 4, 4]
  const bool k4 = (*o.kernel_size())[0] == 4 && (*o.kernel_size())[1] == 4 && o.groups() == 1 &&
                  (*o.dilation())[0] == 1 && (*o.dilation())[1] == 1 && (*o.output_padding())[0] == 0 &&
                  (*o.output_padding())[1] == 0;
  const int64_t s0 = (*o.stride())[0], s1 = (*o.stride())[1];
  // padding_t is c10::variant up to LibTorch 2.0 and std::variant from 2.1.
#if TORCH_VERSION_MAJOR > 2 || (TORCH_VERSION_MAJOR == 2 && TORCH_VERSION_MINOR >= 1)
  const auto* pad = std::get_if<torch::ExpandingArray<2>>(&o.padding());
#else
  const auto* pad = c10::get_if<torch::ExpandingArray<2>>(&o.padding());
#endif
  if (!k4 || !pad || x.dim() != 4) return conv.forward(x);
  const int64_t p0 = (**pad)[0], p1 = (**pad)[1];
  const int64_t n = x.size(0), cin = w.size(0), cout = w.size(1);
  if (s0 == 1 && s1 == 1 && p0 == 0 && p1 == 0 && x.size(2) == 1 && x.size(3) == 1) {
    // y[n, o, kh, kw] = sum_c x[n, c] w[c, o, kh, kw]
    auto y = x.reshape({n, cin}).mm(w.reshape({cin, cout * 16})).view({n, cout, 4, 4});
    return conv.bias.defined() ? y + conv.bias.view({1, cout, 1, 1}) : y;
  }
  if (s0 == 2 && s1 == 2 && p0 == 1 && p1 == 1) {
    // Output row 2i+a takes input rows i-1+a+t (t = 0, 1) through kernel row kh(a, t):
    //   a = 0: rows i-1, i through 3, 1;  a = 1: rows i, i+1 through 2, 0  (likewise for columns).
    // One 2x2 convolution over the input padded by 1 computes, at position p, every phase's sum
    // over input rows p-1 and p, each phase with its own 2x2 share of the kernel (4 Cout output
    // channels); phase a reads its rows at p = i + a. Work: (H+1)(W+1)/(HW) of the transposed
    // conv's, against 9/4 for the earlier 3x3 form.
    static const std::vector<int64_t> taps = {3, 1, 2, 0};  // [a][t], flattened
    const auto idx = torch::tensor(taps, torch::TensorOptions().dtype(torch::kLong).device(w.device()));
    const auto k = w.index_select(2, idx).index_select(3, idx)  // [Cin, Cout, (a,t)=4, (b,u)=4]
                       .view({cin, cout, 2, 2, 2, 2})
                       .permute({1, 2, 4, 0, 3, 5})  // [Cout, a, b, Cin, t, u]
                       .reshape({cout * 4, cin, 2, 2});
    const auto bias = conv.bias.defined() ? conv.bias.repeat_interleave(4) : torch::Tensor();
    const int64_t h = x.size(2), wd = x.size(3);
    const auto y = F::conv2d(x, k, F::Conv2dFuncOptions().bias(bias).padding(1)).view({n, cout, 2, 2, h + 1, wd + 1});
    auto phase = [&](int64_t a, int64_t b) { return y.select(2, a).select(2, b).narrow(2, a, h).narrow(3, b, wd); };
    return torch::stack({phase(0, 0), phase(0, 1), phase(1, 0), phase(1, 1)}, 2)  // [N, Cout, (a,b), H, W]
        .view({n, cout, 2, 2, h, wd})
        .permute({0, 1, 4, 2, 5, 3})  // [N, Cout, H, a, W, b]
        .reshape({n, cout, 2 * h, 2 * wd});
  }
  return conv.forward(x);
}

}  // namespace pokegan
