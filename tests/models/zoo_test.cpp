// The study's model zoo: every generator and discriminator at 32 and 64 pixels, the class-
// conditional AdaIN against hand-computed values, and the projection discriminator's algebra.
#include <gtest/gtest.h>

#include "pokegan/common/error.h"
#include "pokegan/common/threads.h"
#include "pokegan/models/autoencoder.h"
#include "pokegan/models/layers.h"
#include "pokegan/models/networks.h"
#include "pokegan/models/patchgan.h"
#include "pokegan/models/stylegan.h"

namespace pokegan {

namespace {
GeneratorOptions tiny_g(const std::string& arch) {
  GeneratorOptions g;
  g.arch = arch;
  g.z_dim = 8;
  g.base_channels = 4;
  g.class_embed_dim = 4;
  g.mapping_hidden = 8;
  g.w_dim = 8;
  g.max_channels = 16;
  return g;
}
DiscriminatorOptions tiny_d(const std::string& arch) {
  DiscriminatorOptions d;
  d.arch = arch;
  d.base_channels = 4;
  d.class_embed_dim = 4;
  d.noise_std = 0.1;
  return d;
}
}  // namespace

class ZooShapes : public ::testing::TestWithParam<std::tuple<std::string, int>> {};

TEST_P(ZooShapes, GeneratorsKeepTheContract) {
  const auto [arch, size] = GetParam();
  auto g = make_generator(tiny_g(arch), size, 5);
  const auto x = g->forward(torch::randn({3, 8}), torch::tensor({0, 4, 2}, torch::kInt64));
  EXPECT_EQ(x.sizes(), (std::vector<int64_t>{3, 3, size, size}));
  EXPECT_LE(x.abs().max().item<float>(), 1.0f);
  x.mean().backward();  // differentiable end to end
  for (const auto& p : g->named_parameters()) EXPECT_TRUE(p.value().grad().defined()) << arch << " " << p.key();
}

INSTANTIATE_TEST_SUITE_P(Generators, ZooShapes,
                         ::testing::Combine(::testing::Values("dcgan", "stylegan", "unet", "mlp"), ::testing::Values(32, 64)));

class ZooDShapes : public ::testing::TestWithParam<std::tuple<std::string, int>> {};

TEST_P(ZooDShapes, DiscriminatorsKeepTheContract) {
  const auto [arch, size] = GetParam();
  auto opt = tiny_d(arch);
  opt.class_head = true;
  auto d = make_discriminator(opt, size, 5);
  const auto out = d->forward(torch::randn({3, 3, size, size}), torch::tensor({0, 4, 2}, torch::kInt64));
  EXPECT_EQ(out.logits.size(0), 3);
  if (arch == "patchgan") EXPECT_EQ(out.logits.sizes(), (std::vector<int64_t>{3, (size / 16) * (size / 16)}));
  else EXPECT_EQ(out.logits.dim(), 1);
  EXPECT_EQ(out.class_logits.sizes(), (std::vector<int64_t>{3, 5}));
}

INSTANTIATE_TEST_SUITE_P(Discriminators, ZooDShapes,
                         ::testing::Combine(::testing::Values("dcgan", "patchgan", "projection", "mlp"), ::testing::Values(32, 64)));

TEST(Zoo, EncoderAndLatentDiscriminatorShapes) {
  for (int size : {32, 64}) {
    Encoder e(size, 4, 8);
    EXPECT_EQ(e->forward(torch::randn({2, 3, size, size})).sizes(), (std::vector<int64_t>{2, 8}));
  }
  LatentDiscriminator dz(8, 16);
  EXPECT_EQ(dz->forward(torch::randn({2, 8})).logits.sizes(), (std::vector<int64_t>{2}));
}

TEST(ConditionalAdaIN, LambdaZeroIsPlainAdaIN) {
  torch::manual_seed(0);
  ConditionalAdaIN plain(3, 4, 0, 2, 0.0), cond(3, 4, 5, 2, 0.0);
  {
    torch::NoGradGuard g;
    cond->style_scale->weight.copy_(plain->style_scale->weight);
    cond->style_scale->bias.copy_(plain->style_scale->bias);
    cond->style_shift->weight.copy_(plain->style_shift->weight);
    cond->style_shift->bias.copy_(plain->style_shift->bias);
  }
  const auto x = torch::randn({2, 3, 4, 4}), w = torch::randn({2, 4});
  const auto y = torch::tensor({1, 3}, torch::kInt64);
  EXPECT_TRUE(torch::allclose(plain->forward(x, w, {}), cond->forward(x, w, y), 1e-6, 1e-6));
  cond->lambda_c = 0.5;  // and a non-zero λ_c does change it
  EXPECT_FALSE(torch::allclose(plain->forward(x, w, {}), cond->forward(x, w, y), 1e-3, 1e-3));
}

TEST(ConditionalAdaIN, MatchesHandComputedValues) {
  // One channel, one sample, x = [0, 2] (IN(x) = [-1, 1] up to eps), w = [1], class 1 embedding [2].
  // γ = 2*1 + 1 = 3, β = 0.5*1 + 0 = 0.5; γ_c = 1*2 + 0 = 2, β_c = -1*2 + 1 = -1; λ_c = 0.5:
  // γ' = 3 + 0.5*2 = 4, β' = 0.5 + 0.5*(-1) = 0  ->  y = 4 * [-1, 1] = [-4, 4].
  ConditionalAdaIN a(1, 1, 2, 1, 0.5);
  {
    torch::NoGradGuard g;
    a->style_scale->weight.fill_(2.0), a->style_scale->bias.fill_(1.0);
    a->style_shift->weight.fill_(0.5), a->style_shift->bias.fill_(0.0);
    a->class_embed->weight.copy_(torch::tensor({{7.0f}, {2.0f}}));
    a->class_scale->weight.fill_(1.0), a->class_scale->bias.fill_(0.0);
    a->class_shift->weight.fill_(-1.0), a->class_shift->bias.fill_(1.0);
  }
  const auto x = torch::tensor({0.0f, 2.0f}).view({1, 1, 1, 2});
  const auto y = a->forward(x, torch::ones({1, 1}), torch::tensor({1}, torch::kInt64));
  EXPECT_NEAR(y[0][0][0][0].item<float>(), -4.0f, 1e-3);
  EXPECT_NEAR(y[0][0][0][1].item<float>(), 4.0f, 1e-3);
}

TEST(StyleGAN, LambdasRiseWithDepthAndAreChecked) {
  auto g = std::make_shared<StyleGANGeneratorImpl>(tiny_g("stylegan"), 64, 5);
  const auto l = g->lambdas();
  ASSERT_EQ(l.size(), 5u);  // 4, 8, 16, 32, 64
  for (size_t i = 1; i < l.size(); ++i) EXPECT_GT(l[i], l[i - 1]);
  auto bad = tiny_g("stylegan");
  bad.lambda_c = {0.1, 0.2};
  EXPECT_THROW(make_generator(bad, 64, 5), Error);
}

TEST(Projection, ChangingTheClassMovesTheLogitByTheEmbeddingDifference) {
  auto opt = tiny_d("projection");
  opt.noise_std = 0;
  auto d = std::make_shared<PatchGANDiscriminatorImpl>(opt, 32, 5);
  d->eval();
  const auto x = torch::randn({2, 3, 32, 32});
  const auto ya = torch::tensor({0, 1}, torch::kInt64), yb = torch::tensor({3, 4}, torch::kInt64);
  const auto phi = d->patch_logits(x, ya);  // φ does not depend on the class
  EXPECT_TRUE(torch::allclose(phi, d->patch_logits(x, yb)));
  const auto moved = d->forward(x, yb).logits - d->forward(x, ya).logits;
  const auto expected = (phi * (d->projection->forward(yb) - d->projection->forward(ya))).sum(1);
  EXPECT_TRUE(torch::allclose(moved, expected, 1e-5, 1e-5));
}

// TAC-GAN's twin head on the PatchGAN D (d.twin_class_head): a second linear head on the same
// pooled features as the class head; its gradient reaches the trunk and neither other head.
TEST(PatchGAN, TwinClassHeadIsASecondHeadOnThePooledFeatures) {
  for (const std::string arch : {"patchgan", "projection"}) {
    auto opt = tiny_d(arch);
    opt.noise_std = 0, opt.conditional = arch == "projection", opt.class_head = true;
    torch::manual_seed(4);
    auto one = std::make_shared<PatchGANDiscriminatorImpl>(opt, 32, 5);
    opt.twin_class_head = true;
    torch::manual_seed(4);
    auto two = std::make_shared<PatchGANDiscriminatorImpl>(opt, 32, 5);
    const int64_t feats = 16 * opt.base_channels;
    EXPECT_EQ(count_parameters(*two) - count_parameters(*one), feats * 5 + 5) << arch;
    one->eval(), two->eval();
    const auto x = torch::randn({3, 3, 32, 32});
    const auto y = torch::tensor({0, 4, 2}, torch::kInt64);
    const auto a = one->forward(x, y), b = two->forward(x, y);
    EXPECT_FALSE(a.twin_logits.defined());
    ASSERT_TRUE(b.twin_logits.defined());
    EXPECT_EQ(b.twin_logits.sizes(), (std::vector<int64_t>{3, 5}));
    // Registered after every other module: the rest of D is initialised as without it.
    EXPECT_TRUE(torch::equal(a.logits, b.logits)) << arch;
    EXPECT_TRUE(torch::equal(a.class_logits, b.class_logits)) << arch;
    EXPECT_FALSE(torch::allclose(b.twin_logits, b.class_logits));
    b.twin_logits.sum().backward();
    for (const auto& p : two->named_parameters()) {
      const bool reached = p.value().grad().defined() && p.value().grad().abs().sum().item<double>() > 0;
      if (p.key().rfind("class_head.", 0) == 0 || p.key().rfind("linear.", 0) == 0 ||
          p.key().rfind("projection.", 0) == 0 || p.key().rfind("final.", 0) == 0)
        EXPECT_FALSE(reached) << arch << " " << p.key();
      else if (p.key().rfind("twin_head.", 0) == 0 || p.key().rfind("upfeature.", 0) == 0)
        EXPECT_TRUE(reached) << arch << " " << p.key();
    }
  }
}

TEST(PatchGAN, NoiseOnlyInTrainingAndSettable) {
  auto d = make_discriminator(tiny_d("patchgan"), 32, 5);
  const auto x = torch::randn({2, 3, 32, 32});
  const auto y = torch::tensor({0, 1}, torch::kInt64);
  d->eval();
  EXPECT_TRUE(torch::equal(d->forward(x, y).logits, d->forward(x, y).logits));
  d->train();
  EXPECT_FALSE(torch::equal(d->forward(x, y).logits, d->forward(x, y).logits));
  d->set_noise_std(0.0);
  const auto a = d->forward(x, y).logits, b = d->forward(x, y).logits;
  EXPECT_TRUE(torch::allclose(a, b, 1e-5, 1e-5));  // BN in train mode on the same batch: same output
}

TEST(ParallelRandn, SeededNoiseIsTheSameForAnyThreadCountAndStandardNormal) {
  const std::vector<int64_t> sizes = {4, 8, 96, 96};  // 294,912 elements: two chunks
  auto draw = [&](int threads) {
    set_threads(threads);
    torch::manual_seed(3);
    return std::make_pair(parallel_randn(sizes, torch::TensorOptions()), parallel_randn(sizes, torch::TensorOptions()));
  };
  const auto [a1, b1] = draw(1);
  const auto [a2, b2] = draw(2);
  set_threads(1);
  EXPECT_TRUE(torch::equal(a1, a2));
  EXPECT_TRUE(torch::equal(b1, b2));
  EXPECT_FALSE(torch::equal(a1, b1));  // the default generator moved on
  EXPECT_NEAR(a1.mean().item<double>(), 0.0, 0.01);
  EXPECT_NEAR(a1.std().item<double>(), 1.0, 0.01);
  // The two chunks are not copies of each other.
  const auto flat = a1.view({-1});
  EXPECT_FALSE(torch::equal(flat.narrow(0, 0, 1000), flat.narrow(0, 1 << 18, 1000)));
}

}  // namespace pokegan
