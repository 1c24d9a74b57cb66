// The `sprite` preset's parts: spectral normalisation, minibatch stddev, the ResNet G and D, and
// the fixes to the study's generators (z at every U-Net level, resize upsampling, cBN in DCGAN).
#include <gtest/gtest.h>

#include "pokegan/common/error.h"
#include "pokegan/common/threads.h"
#include "pokegan/io/checkpoint.h"
#include "pokegan/models/layers.h"
#include "pokegan/models/networks.h"
#include "pokegan/models/resnet.h"
#include "pokegan/models/spectral.h"
#include "support/fixtures.h"

namespace pokegan {

TEST(SpectralNorm, PowerIterationConvergesToTheLargestSingularValue) {
  torch::manual_seed(1);
  SNLinear lin(6, 5);
  lin->train();
  for (int i = 0; i < 50; ++i) lin->forward(torch::zeros({1, 6}));  // refine u, v
  const auto w = lin->weight.detach();
  const auto sigma = std::get<1>(torch::svd(w))[0].item<double>();
  lin->eval();
  torch::Tensor u = lin->u.clone(), v = lin->v.clone();
  const auto normalized = spectral_normalized(w, u, v, false);
  EXPECT_NEAR((w / normalized).mean().item<double>(), sigma, 1e-4 * sigma);
  // In eval mode u and v stay as they are.
  const auto u_before = lin->u.clone();
  lin->forward(torch::zeros({1, 6}));
  EXPECT_TRUE(torch::equal(u_before, lin->u));
}

TEST(SpectralNorm, BuffersRoundTripThroughACheckpoint) {
  torch::manual_seed(2);
  SNConv2d a(3, 4, 3, 1, 1), b(3, 4, 3, 1, 1);
  a->forward(torch::randn({2, 3, 8, 8}));
  Checkpoint ck;
  put_module(ck, "c", *a);
  EXPECT_TRUE(ck.tensors.count("c.u") && ck.tensors.count("c.v"));
  get_module(ck, "c", *b);
  a->eval(), b->eval();
  const auto x = torch::randn({2, 3, 8, 8});
  EXPECT_TRUE(torch::equal(a->forward(x), b->forward(x)));
}

TEST(MinibatchStddev, AppendsTheGroupStdAsOneChannel) {
  // Two groups of size 2: samples (0, 2) and (1, 3).
  auto x = torch::zeros({4, 2, 1, 1});
  x.index_put_({0}, 1.0), x.index_put_({2}, 3.0);   // group (0, 2): std 1 in every feature
  x.index_put_({1}, 5.0), x.index_put_({3}, 5.0);   // group (1, 3): std 0
  const auto y = minibatch_stddev(x, 2);
  ASSERT_EQ(y.sizes(), (std::vector<int64_t>{4, 3, 1, 1}));
  EXPECT_NEAR(y[0][2][0][0].item<float>(), 1.0f, 1e-4f);
  EXPECT_NEAR(y[2][2][0][0].item<float>(), 1.0f, 1e-4f);
  EXPECT_NEAR(y[1][2][0][0].item<float>(), 0.0f, 1e-3f);
  EXPECT_TRUE(torch::equal(y.narrow(1, 0, 2), x));
  EXPECT_EQ(minibatch_stddev(torch::randn({3, 2, 4, 4}), 4).size(1), 3);  // group shrinks to divide N
}

namespace {
GeneratorOptions resnet_g() {
  GeneratorOptions g;
  g.arch = "resnet", g.z_dim = 12, g.base_channels = 4, g.max_channels = 16, g.class_embed_dim = 4;
  return g;
}
}  // namespace

TEST(ResNetGenerator, KeepsTheContractAtEverySizeAndUsesEveryZChunk) {
  for (int size : {16, 32, 64}) {
    auto o = resnet_g();
    o.z_dim = size == 32 ? 16 : 15;  // stages + 1 chunks: 3, 4 and 5
    auto g = make_generator(o, size, 5);
    const auto z = torch::randn({4, o.z_dim}, torch::requires_grad());
    const auto x = g->forward(z, torch::tensor({0, 4, 2, 1}, torch::kInt64));
    EXPECT_EQ(x.sizes(), (std::vector<int64_t>{4, 3, size, size}));
    EXPECT_LE(x.abs().max().item<float>(), 1.0f);
    x.square().mean().backward();
    for (const auto& p : g->named_parameters()) EXPECT_TRUE(p.value().grad().defined()) << size << " " << p.key();
    // Hierarchical z: every part of z reaches the image.
    const int chunk = o.z_dim / (size == 16 ? 3 : size == 32 ? 4 : 5);
    for (int c = 0; c < o.z_dim; c += chunk)
      EXPECT_GT(z.grad().narrow(1, c, chunk).abs().sum().item<double>(), 0) << size << " chunk at " << c;
  }
  auto bad = resnet_g();
  bad.z_dim = 10;
  EXPECT_THROW(make_generator(bad, 16, 5), Error);
}

TEST(ResNetDiscriminator, KeepsTheContractWithProjectionMbstdAndClassHead) {
  DiscriminatorOptions o;
  o.arch = "resnet", o.base_channels = 4, o.max_channels = 16, o.mbstd_group = 2, o.class_head = true;
  for (int size : {16, 64}) {
    auto d = make_discriminator(o, size, 5);
    const auto out = d->forward(torch::randn({4, 3, size, size}), torch::tensor({0, 4, 2, 1}, torch::kInt64));
    EXPECT_EQ(out.logits.sizes(), (std::vector<int64_t>{4}));
    EXPECT_EQ(out.class_logits.sizes(), (std::vector<int64_t>{4, 5}));
    out.logits.sum().backward();
    for (const auto& p : d->named_parameters())
      if (p.key().find("class_head") == std::string::npos) EXPECT_TRUE(p.value().grad().defined()) << p.key();
  }
}

// d.epilogue=dense (StyleGAN2's epilogue): the last 4x4 map is flattened through one dense layer
// of C*16 -> C, so the logits depend on where a feature sits; the contract is the same as "sum".
TEST(ResNetDiscriminator, DenseEpilogueKeepsTheContractAndAddsOneLayerOfCTimes16ToC) {
  DiscriminatorOptions o;
  o.arch = "resnet", o.base_channels = 4, o.max_channels = 16, o.class_head = true;
  torch::manual_seed(2);
  auto sum = make_discriminator(o, 64, 5);
  o.epilogue = "dense";
  torch::manual_seed(2);
  auto dense = make_discriminator(o, 64, 5);
  EXPECT_EQ(count_parameters(*dense) - count_parameters(*sum), 16 * 16 * 16 + 16);  // C = 16 channels at 4x4
  const auto x = torch::randn({3, 3, 64, 64});
  const auto labels = torch::tensor({0, 4, 2}, torch::kInt64);
  const auto out = dense->forward(x, labels);
  EXPECT_EQ(out.logits.sizes(), (std::vector<int64_t>{3}));
  EXPECT_EQ(out.class_logits.sizes(), (std::vector<int64_t>{3, 5}));
  EXPECT_FALSE(torch::allclose(out.logits, sum->forward(x, labels).logits));
  out.logits.sum().backward();
  int dense_grads = 0;
  for (const auto& p : dense->named_parameters()) {
    if (p.key().find("class_head") != std::string::npos) continue;
    EXPECT_TRUE(p.value().grad().defined()) << p.key();
    if (p.key().rfind("dense.", 0) == 0 && p.value().grad().defined()) ++dense_grads;
  }
  EXPECT_GE(dense_grads, 1);
  o.epilogue = "mean";
  EXPECT_THROW(make_discriminator(o, 64, 5), Error);
}

// d.attention (SAGAN): a zero-started block. With gamma = 0 D computes exactly what it did without
// it (same weights); with gamma != 0 one pixel's change reaches the far corner of the attention's
// output, which no stack of 1x1 convs does; the block's parameters all get gradients.
TEST(ResNetDiscriminator, SelfAttentionStartsAsIdentityAndSeesTheWholeMap) {
  DiscriminatorOptions o;
  o.arch = "resnet", o.base_channels = 8, o.max_channels = 16, o.class_head = true;
  auto plain = make_discriminator(o, 32, 5);
  o.attention = 16;
  auto attn = make_discriminator(o, 32, 5);
  // block0 gives 8 channels at 16x16: theta, phi 8 -> 1, g 8 -> 4, o 4 -> 8, gamma.
  EXPECT_EQ(count_parameters(*attn) - count_parameters(*plain), 8 + 8 + 32 + 32 + 1);
  {
    torch::NoGradGuard ng;
    const auto params = plain->named_parameters(), buffers = plain->named_buffers();
    for (auto& p : attn->named_parameters())
      if (params.contains(p.key())) p.value().copy_(params[p.key()]);
    for (auto& b : attn->named_buffers())
      if (buffers.contains(b.key())) b.value().copy_(buffers[b.key()]);
  }
  plain->eval(), attn->eval();  // fixed spectral-norm vectors
  torch::manual_seed(3);
  const auto x = torch::randn({3, 3, 32, 32});
  const auto labels = torch::tensor({0, 4, 2}, torch::kInt64);
  EXPECT_TRUE(torch::equal(attn->forward(x, labels).logits, plain->forward(x, labels).logits));
  attn->train();
  attn->forward(x, labels).logits.sum().backward();
  for (const auto& p : attn->named_parameters())
    if (p.key().rfind("attention.", 0) == 0) {
      ASSERT_TRUE(p.value().grad().defined()) << p.key();
      if (p.key() == "attention.gamma") EXPECT_GT(p.value().grad().abs().item<double>(), 0) << p.key();
    }

  SelfAttention sa(8, false);
  {
    torch::NoGradGuard ng;
    sa->gamma.fill_(1.0);
  }
  const auto h = torch::randn({1, 8, 8, 8});
  auto h2 = h.clone();
  h2.index_put_({0, torch::indexing::Slice(), 0, 0}, h2.index({0, torch::indexing::Slice(), 0, 0}) + 1.0);
  const auto far = (sa->forward(h2) - sa->forward(h)).index({0, torch::indexing::Slice(), 7, 7});
  EXPECT_GT(far.abs().sum().item<double>(), 1e-6);
  EXPECT_THROW(sa->forward(torch::randn({1, 8, 5, 5})), Error);
  o.attention = 12;
  EXPECT_THROW(make_discriminator(o, 32, 5), Error);
  o.attention = 4;
  EXPECT_THROW(make_discriminator(o, 32, 5), Error);
}

// d.twin_class_head (TAC-GAN): a second class head of C x classes + classes on the same features,
// independent of the first.
TEST(ResNetDiscriminator, TwinClassHeadIsASecondHeadOnTheSameFeatures) {
  DiscriminatorOptions o;
  o.arch = "resnet", o.base_channels = 4, o.max_channels = 16, o.class_head = true;
  torch::manual_seed(2);
  auto one = make_discriminator(o, 32, 5);
  o.twin_class_head = true;
  torch::manual_seed(2);
  auto two = make_discriminator(o, 32, 5);
  EXPECT_EQ(count_parameters(*two) - count_parameters(*one), 16 * 5 + 5);
  const auto x = torch::randn({3, 3, 32, 32});
  const auto labels = torch::tensor({0, 4, 2}, torch::kInt64);
  const auto out = two->forward(x, labels);
  ASSERT_TRUE(out.twin_logits.defined());
  EXPECT_EQ(out.twin_logits.sizes(), (std::vector<int64_t>{3, 5}));
  EXPECT_FALSE(one->forward(x, labels).twin_logits.defined());
  EXPECT_FALSE(torch::allclose(out.twin_logits, out.class_logits));
  out.twin_logits.sum().backward();
  for (const auto& p : two->named_parameters()) {
    const bool reached = p.value().grad().defined() && p.value().grad().abs().sum().item<double>() > 0;
    if (p.key().rfind("class_head.", 0) == 0 || p.key().rfind("linear.", 0) == 0 || p.key().rfind("projection.", 0) == 0)
      EXPECT_FALSE(reached) << p.key();  // the twin's gradient stays out of the other heads
    else if (p.key().rfind("twin_head.", 0) == 0 || p.key().rfind("block0.", 0) == 0)
      EXPECT_TRUE(reached) << p.key();
  }
}

// g.z_maps: a fixed projection buffer and two zero-initialised strengths per block; at strength 0
// the output is the network's without the maps (same weights), with a strength it depends on z
// through the maps, pixel by pixel, and the strengths get a gradient.
TEST(ResNetGenerator, ZMapsAreAZeroStartedSpatialPathForZ) {
  GeneratorOptions o = resnet_g();
  o.hier_z = false;
  torch::manual_seed(3);
  auto plain = make_generator(o, 16, 3);
  o.z_maps = true;
  auto mapped = make_generator(o, 16, 3);
  // Blocks 4->8 and 8->16: two strengths of the block's width each, and one buffer each.
  int64_t scales = 0;
  for (const auto& p : mapped->named_parameters())
    if (p.key().find("zscale") != std::string::npos) {
      EXPECT_EQ(p.value().abs().sum().item<double>(), 0.0) << p.key();
      scales += p.value().numel();
    }
  EXPECT_EQ(count_parameters(*mapped) - count_parameters(*plain), scales);
  const auto bufs = mapped->named_buffers();
  ASSERT_TRUE(bufs.contains("block0.zproj") && bufs.contains("block1.zproj"));
  EXPECT_EQ(bufs["block0.zproj"].sizes(), (std::vector<int64_t>{12, 2 * 8 * 8}));
  EXPECT_EQ(bufs["block1.zproj"].sizes(), (std::vector<int64_t>{12, 2 * 16 * 16}));
  EXPECT_NEAR(bufs["block1.zproj"].std().item<double>(), 1 / std::sqrt(12.0), 0.02);
  // Same weights into both: equal outputs while every strength is 0.
  auto src = plain->named_parameters();
  {
    torch::NoGradGuard ng;
    for (auto& p : mapped->named_parameters())
      if (src.contains(p.key())) p.value().copy_(src[p.key()]);
  }
  plain->eval(), mapped->eval();
  const auto z = torch::randn({4, 12});
  const auto labels = torch::tensor({0, 1, 2, 0}, torch::kInt64);
  const auto a = plain->forward(z, labels), b = mapped->forward(z, labels);
  EXPECT_EQ(b.sizes(), (std::vector<int64_t>{4, 3, 16, 16}));
  EXPECT_TRUE(torch::allclose(a, b, 1e-6, 1e-6));
  {
    torch::NoGradGuard ng;
    for (auto& p : mapped->named_parameters())
      if (p.key().find("zscale") != std::string::npos) p.value().fill_(0.5);
  }
  const auto c = mapped->forward(z, labels);
  EXPECT_GT((c - a).abs().max().item<double>(), 1e-3);
  c.square().sum().backward();
  for (const auto& p : mapped->named_parameters())
    if (p.key().find("zscale") != std::string::npos) {
      ASSERT_TRUE(p.value().grad().defined()) << p.key();
      EXPECT_GT(p.value().grad().abs().sum().item<double>(), 0) << p.key();
    }
}

TEST(Registry, UnknownArchListsTheRegisteredOnes) {
  GeneratorOptions g;
  g.arch = "vae";
  try {
    make_generator(g, 16, 3);
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("valid: dcgan, mlp, resnet, stylegan, unet"), std::string::npos) << e.what();
  }
  DiscriminatorOptions d;
  d.arch = "vit";
  EXPECT_THROW(make_discriminator(d, 16, 3), Error);
}

// The U-Net fix: with z_inject=style, z reaches every expanding level through AdaIN, so the
// output moves with z far more than through the input plane alone (which the study's U-Net
// learns to ignore). Both start untrained; the check is that z's gradient reaches the style path.
TEST(UNetZInjection, StyleModeFeedsZIntoEveryExpandingAdaIN) {
  torch::manual_seed(3);
  GeneratorOptions o;
  o.arch = "unet", o.z_dim = 8, o.base_channels = 4, o.max_channels = 16, o.class_embed_dim = 4;
  o.mapping_hidden = 8, o.w_dim = 8, o.z_inject = "style";
  auto g = make_generator(o, 16, 3);
  int styled = 0;
  for (const auto& p : g->named_parameters())
    if (p.key().find("expand_adain") != std::string::npos && p.key().find("style_scale.weight") != std::string::npos) ++styled;
  EXPECT_EQ(styled, 4);  // depth = stages + 2 = 4 expanding blocks at 16 px, each with a styled AdaIN
  o.z_inject = "everywhere";
  EXPECT_THROW(make_generator(o, 16, 3), Error);
}

// g.input_plane=grid: the mapped vector is read as a g x g map and upsampled bilinearly
// (align_corners=false), against the study's rows (one value per column, the same on every row,
// which the full-resolution skip carries to the output as vertical stripes).
TEST(UNetInputPlane, GridPlaneMatchesHandComputedBilinearValues) {
  const auto e = torch::tensor({0.f, 1.f, 2.f, 3.f}).view({1, 4});  // the map [[0, 1], [2, 3]]
  const auto p = grid_plane(e, 4);
  ASSERT_EQ(p.sizes(), (std::vector<int64_t>{1, 1, 4, 4}));
  // Output i samples source (i + 0.5) / 2 - 0.5 = -0.25, 0.25, 0.75, 1.25, clamped to [0, 1].
  const std::vector<std::vector<float>> want = {
      {0.f, .25f, .75f, 1.f}, {.5f, .75f, 1.25f, 1.5f}, {1.5f, 1.75f, 2.25f, 2.5f}, {2.f, 2.25f, 2.75f, 3.f}};
  for (int i = 0; i < 4; ++i)
    for (int j = 0; j < 4; ++j) EXPECT_NEAR(p[0][0][i][j].item<float>(), want[i][j], 1e-6) << i << "," << j;
  EXPECT_THROW(grid_plane(torch::zeros({1, 5}), 4), Error);  // not a square number of values
}

TEST(UNetInputPlane, GridPlaneVariesDownTheRowsAndKeepsTheContract) {
  torch::manual_seed(5);
  GeneratorOptions o;
  o.arch = "unet", o.z_dim = 8, o.base_channels = 4, o.max_channels = 16, o.class_embed_dim = 4;
  o.mapping_hidden = 8, o.w_dim = 8, o.z_inject = "style";
  // rows: the study's plane is the same on every row; grid: it is not.
  const auto m = torch::randn({2, 16});
  const auto rows = tile_class_channel(torch::randn({2, 32}), 32);
  EXPECT_EQ((rows - rows.narrow(2, 0, 1)).abs().max().item<float>(), 0.f);
  const auto grid = grid_plane(m, 32);
  EXPECT_GT((grid - grid.narrow(2, 0, 1)).abs().max().item<float>(), 0.1f);
  EXPECT_GT((grid - grid.narrow(3, 0, 1)).abs().max().item<float>(), 0.1f);
  o.input_plane = "grid";
  auto g = make_generator(o, 32, 3);
  // The mapping makes (32 / 8)^2 = 16 values, not 32.
  EXPECT_EQ(g->named_parameters()["mapping.net.4.bias"].size(0), 16);
  const auto z = torch::randn({3, 8});
  const auto x = g->forward(z, torch::tensor({0, 2, 1}, torch::kInt64));
  EXPECT_EQ(x.sizes(), (std::vector<int64_t>{3, 3, 32, 32}));
  x.mean().backward();
  EXPECT_TRUE(g->named_parameters()["mapping.net.4.weight"].grad().defined());
  o.input_plane = "columns";
  EXPECT_THROW(make_generator(o, 32, 3), Error);
}

TEST(DcganOptions, ResizeUpsamplingAndClassBatchNormKeepTheContract) {
  GeneratorOptions o;
  o.arch = "dcgan", o.z_dim = 8, o.base_channels = 4, o.class_embed_dim = 4;
  o.upsample = "resize", o.class_norm = "cbn";
  auto g = make_generator(o, 32, 5);
  const auto labels = torch::tensor({0, 4, 2}, torch::kInt64);
  const auto z = torch::randn({3, 8});
  const auto x = g->forward(z, labels);
  EXPECT_EQ(x.sizes(), (std::vector<int64_t>{3, 3, 32, 32}));
  x.mean().backward();
  for (const auto& p : g->named_parameters()) EXPECT_TRUE(p.value().grad().defined()) << p.key();
  // No transposed stride-2 conv is left; the class changes the output beyond the input layer.
  int transposed = 0;
  for (const auto& m : g->modules(false)) transposed += m->as<torch::nn::ConvTranspose2d>() != nullptr;
  EXPECT_EQ(transposed, 1);  // only the 1x1 -> 4x4 input layer
  g->eval();
  torch::NoGradGuard no_grad;
  const auto a = g->forward(z, torch::tensor({1, 1, 1}, torch::kInt64));
  const auto b = g->forward(z, torch::tensor({3, 3, 3}, torch::kInt64));
  EXPECT_GT((a - b).abs().mean().item<double>(), 1e-4);
  o.upsample = "pixelshuffle";
  EXPECT_THROW(make_generator(o, 32, 5), Error);
}

// upsample2x's own loops against LibTorch's bilinear kernel: values, gradients, and the gradient
// of a gradient (a penalty through G with create_graph), on odd, square and one-pixel planes.
TEST(Upsample2x, MatchesLibTorchBilinearWithGradientsAndDoubleBackward) {
  namespace F = torch::nn::functional;
  auto reference = [](const torch::Tensor& x) {
    return F::interpolate(x, F::InterpolateFuncOptions().scale_factor(std::vector<double>{2, 2})
                                 .mode(torch::kBilinear).align_corners(false));
  };
  torch::manual_seed(3);
  for (auto shape : std::vector<std::vector<int64_t>>{{2, 3, 5, 7}, {4, 8, 16, 16}, {1, 2, 1, 1}, {3, 1, 2, 9}}) {
    auto x = torch::randn(shape, torch::requires_grad());
    auto x_ref = x.detach().clone().requires_grad_();
    auto y = upsample2x(x), y_ref = reference(x_ref);
    ASSERT_EQ(y.sizes(), y_ref.sizes());
    EXPECT_LT((y - y_ref).abs().max().item<double>(), 1e-5);
    auto g = torch::randn_like(y);
    // First and second order: d/dx of sum(g * y) and of |that gradient|^2 weighted by x.
    auto gx = torch::autograd::grad({(y * g).sum()}, {x}, {}, true, true)[0];
    auto gx_ref = torch::autograd::grad({(y_ref * g).sum()}, {x_ref}, {}, true, true)[0];
    EXPECT_LT((gx - gx_ref).abs().max().item<double>(), 1e-5);
    auto y2 = upsample2x(x * gx.pow(2)).sum(), y2_ref = reference(x_ref * gx_ref.pow(2)).sum();
    auto ggx = torch::autograd::grad({y2 + (gx * x).pow(2).sum()}, {x})[0];
    auto ggx_ref = torch::autograd::grad({y2_ref + (gx_ref * x_ref).pow(2).sum()}, {x_ref})[0];
    EXPECT_LT((ggx - ggx_ref).abs().max().item<double>(), 1e-4);
  }
  // The second-order path through the adjoint itself: grad of a function of the input gradient.
  auto x = torch::randn({2, 2, 4, 6}, torch::requires_grad());
  auto w = torch::randn({2, 2, 8, 12});
  auto gx = torch::autograd::grad({(upsample2x(x).pow(2) * w).sum()}, {x}, {}, true, true)[0];
  auto x_ref = x.detach().clone().requires_grad_();
  auto gx_ref = torch::autograd::grad({(reference(x_ref).pow(2) * w).sum()}, {x_ref}, {}, true, true)[0];
  auto h = torch::autograd::grad({gx.pow(2).sum()}, {x})[0];
  auto h_ref = torch::autograd::grad({gx_ref.pow(2).sum()}, {x_ref})[0];
  EXPECT_LT((h - h_ref).abs().max().item<double>(), 1e-4 * (1 + h_ref.abs().max().item<double>()));
}

// avg_pool2x's own loops against LibTorch's avg_pool2d(2): bit-identical values, equal gradients,
// and the gradient of a gradient (R1 differentiates D's input gradient).
TEST(AvgPool2x, MatchesLibTorchAvgPoolWithGradientsAndDoubleBackward) {
  namespace F = torch::nn::functional;
  auto reference = [](const torch::Tensor& x) { return F::avg_pool2d(x, F::AvgPool2dFuncOptions(2)); };
  torch::manual_seed(4);
  for (auto shape : std::vector<std::vector<int64_t>>{{2, 3, 4, 6}, {4, 8, 16, 16}, {1, 2, 2, 2}}) {
    auto x = torch::randn(shape, torch::requires_grad());
    auto x_ref = x.detach().clone().requires_grad_();
    auto y = avg_pool2x(x), y_ref = reference(x_ref);
    EXPECT_TRUE(torch::equal(y, y_ref));
    auto w = torch::randn_like(y);
    auto gx = torch::autograd::grad({(y.pow(2) * w).sum()}, {x}, {}, true, true)[0];
    auto gx_ref = torch::autograd::grad({(y_ref.pow(2) * w).sum()}, {x_ref}, {}, true, true)[0];
    EXPECT_LT((gx - gx_ref).abs().max().item<double>(), 1e-6);
    auto h = torch::autograd::grad({gx.pow(2).sum()}, {x})[0];
    auto h_ref = torch::autograd::grad({gx_ref.pow(2).sum()}, {x_ref})[0];
    EXPECT_LT((h - h_ref).abs().max().item<double>(), 1e-5 * (1 + h_ref.abs().max().item<double>()));
  }
  // Odd sizes keep LibTorch's kernel (it floors).
  auto odd = torch::randn({1, 1, 5, 4});
  EXPECT_TRUE(torch::equal(avg_pool2x(odd), reference(odd)));
}

// g.class_input: the class embedding joins z at the 4x4 input layer, so the class changes the
// input map itself (without it the input is a function of z alone), and the input layer's class
// columns get a gradient.
TEST(ResNetGenerator, ClassInputReachesTheFourByFourLayout) {
  GeneratorOptions o = resnet_g();
  o.hier_z = false;
  torch::manual_seed(3);
  auto plain = make_generator(o, 16, 3);
  o.class_input = true;
  auto conditioned = make_generator(o, 16, 3);
  auto weight_of = [](torch::nn::Module& g) { return g.named_parameters()["input.weight"]; };
  EXPECT_EQ(weight_of(*plain).size(1), 12);
  EXPECT_EQ(weight_of(*conditioned).size(1), 12 + 4);
  EXPECT_EQ(count_parameters(*conditioned) - count_parameters(*plain), 4 * weight_of(*plain).size(0));
  const auto z = torch::randn({1, 12}).repeat({2, 1});
  const auto labels = torch::tensor({0, 2}, torch::kInt64);
  auto input_map = [&](torch::nn::Module& g, bool with_class) {
    auto& in = *g.named_modules()["input"]->as<torch::nn::Linear>();
    const auto e = g.named_parameters()["embed.weight"].index_select(0, labels);
    return in.forward(with_class ? torch::cat({z, e}, 1) : z);
  };
  const auto p = input_map(*plain, false), c = input_map(*conditioned, true);
  EXPECT_TRUE(torch::equal(p[0], p[1]));            // z alone: one layout for both classes
  EXPECT_GT((c[0] - c[1]).abs().max().item<double>(), 1e-4);  // the class moves it
  conditioned->train();
  conditioned->forward(torch::randn({4, 12}), torch::tensor({0, 1, 2, 0}, torch::kInt64)).square().mean().backward();
  const auto grad = weight_of(*conditioned).grad();
  ASSERT_TRUE(grad.defined());
  EXPECT_GT(grad.narrow(1, 12, 4).abs().sum().item<double>(), 0);
}

}  // namespace pokegan
