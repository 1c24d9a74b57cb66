#include "pokegan/models/dcgan.h"

#include <gtest/gtest.h>

#include "pokegan/common/error.h"

namespace pokegan {

class DCGANShapes : public ::testing::TestWithParam<std::tuple<int, bool>> {};

TEST_P(DCGANShapes, GeneratorAndDiscriminatorKeepTheContract) {
  const auto [size, conditional] = GetParam();
  GeneratorOptions go;
  go.z_dim = 10, go.base_channels = 4, go.conditional = conditional;
  DiscriminatorOptions dopt;
  dopt.base_channels = 4, dopt.conditional = conditional;
  auto g = make_generator(go, size, 5);
  auto d = make_discriminator(dopt, size, 5);
  const auto labels = torch::tensor({0, 4, 2}, torch::kInt64);
  const auto x = g->forward(torch::randn({3, 10}), labels);
  EXPECT_EQ(x.sizes(), (std::vector<int64_t>{3, 3, size, size}));
  EXPECT_LE(x.abs().max().item<float>(), 1.0f);
  const auto out = d->forward(x, labels);
  EXPECT_EQ(out.logits.sizes(), (std::vector<int64_t>{3}));
  EXPECT_FALSE(out.class_logits.defined());
}

INSTANTIATE_TEST_SUITE_P(Sizes, DCGANShapes,
                         ::testing::Combine(::testing::Values(16, 32, 64), ::testing::Bool()));

TEST(DCGAN, StudyLayoutAt64HasFiveBlocksEach) {
  GeneratorOptions go;  // the study's widths
  DiscriminatorOptions dopt;
  auto g = make_generator(go, 64, 13);
  auto d = make_discriminator(dopt, 64, 13);
  int convt = 0, conv = 0;
  for (const auto& m : g->modules(false)) convt += m->as<torch::nn::ConvTranspose2d>() != nullptr;
  for (const auto& m : d->modules(false)) conv += m->as<torch::nn::Conv2d>() != nullptr;
  EXPECT_EQ(convt, 5);
  EXPECT_EQ(conv, 5);
  // D's first conv sees 3 colour channels + the class channel.
  EXPECT_EQ(d->named_parameters()["net.0.weight"].size(1), 4);
  EXPECT_EQ(d->named_parameters()["embed.weight"].sizes(), (std::vector<int64_t>{13, 16}));
}

TEST(DCGAN, ClassChannelRepeatsTheEmbeddingAlongRows) {
  const auto e = torch::arange(32, torch::kFloat32).view({2, 16});
  const auto t = tile_class_channel(e, 64);  // [2, 1, 64, 64]
  EXPECT_EQ(t.sizes(), (std::vector<int64_t>{2, 1, 64, 64}));
  EXPECT_EQ(t[1][0][0][0].item<float>(), 16.0f);
  EXPECT_EQ(t[1][0][0][17].item<float>(), 17.0f);  // column 17 = embedding[1]
  EXPECT_EQ(t[1][0][63][17].item<float>(), 17.0f); // same on every row
  EXPECT_EQ(t[0][0][5][63].item<float>(), 15.0f);
}

TEST(DCGAN, LabelsChangeTheConditionalOutput) {
  GeneratorOptions go;
  go.z_dim = 10, go.base_channels = 4;
  auto g = make_generator(go, 16, 5);
  g->eval();
  const auto z = torch::randn({1, 10});
  EXPECT_FALSE(torch::allclose(g->forward(z, torch::tensor({0})), g->forward(z, torch::tensor({3}))));
}

TEST(DCGAN, BadSizeOrArchIsAnError) {
  GeneratorOptions go;
  EXPECT_THROW(make_generator(go, 48, 3), Error);
  go.arch = "nope";
  EXPECT_THROW(make_generator(go, 64, 3), Error);
}

}  // namespace pokegan
