// Dual-type conditioning (common/labels.h): pair labels against hand values, every network taking
// them through its contract, the dataset's pairs through the grouping, and a pair asked for by name.
#include <gtest/gtest.h>

#include <torch/nn/functional/loss.h>

#include "pokegan/common/error.h"
#include "pokegan/common/labels.h"
#include "pokegan/data/dataset.h"
#include "pokegan/data/type_table.h"
#include "pokegan/models/networks.h"
#include "pokegan/training/sampler.h"

namespace pokegan {

TEST(PairLabels, EncodeAndDecode) {
  EXPECT_EQ(pair_label(2, -1, 5), 2);
  EXPECT_EQ(pair_label(2, 2, 5), 2) << "both types in one class is one class";
  EXPECT_EQ(pair_label(2, 4, 5), 2 + 5 * 5);
  EXPECT_EQ(pair_label(0, 0 + 1, 5), 0 + 5 * 2);
  const auto labels = torch::tensor(std::vector<int64_t>{3, pair_label(2, 4, 5), pair_label(4, 0, 5)});
  EXPECT_TRUE(torch::equal(first_class(labels, 5), torch::tensor({3, 2, 4}, torch::kInt64)));
  EXPECT_TRUE(torch::equal(second_class(labels, 5), torch::tensor({-1, 4, 0}, torch::kInt64)));
  EXPECT_TRUE(has_pairs(labels, 5));
  EXPECT_FALSE(has_pairs(torch::tensor({0, 4, 1}, torch::kInt64), 5));
}

TEST(PairLabels, WeightsEmbeddingsAndCrossEntropyAgainstHandValues) {
  const auto labels = torch::tensor(std::vector<int64_t>{1, pair_label(0, 2, 3)});
  const auto w = class_weights(labels, 3);
  EXPECT_TRUE(torch::equal(w, torch::tensor({0.0f, 1.0f, 0.0f, 0.5f, 0.0f, 0.5f}).view({2, 3})));

  const auto table = torch::tensor({1.0f, 2.0f, 10.0f, 20.0f, 5.0f, -4.0f}).view({3, 2});
  const auto e = embed_classes(table, labels);
  EXPECT_TRUE(torch::equal(e, torch::tensor({10.0f, 20.0f, 3.0f, -1.0f}).view({2, 2})));
  // Single labels take the plain lookup, bit for bit.
  const auto single = torch::tensor({2, 0}, torch::kInt64);
  EXPECT_TRUE(torch::equal(embed_classes(table, single), torch::embedding(table, single)));

  const auto logits = torch::tensor({0.5f, -1.0f, 2.0f, 1.0f, 0.0f, -2.0f}).view({2, 3});
  EXPECT_TRUE(torch::equal(class_cross_entropy(logits, single), torch::nn::functional::cross_entropy(logits, single)));
  // Row 0: class 1 -> -log softmax(0.5, -1, 2)[1]; row 1: pair (0, 2) -> -(log p0 + log p2) / 2.
  const double l0 = -(-1.0 - std::log(std::exp(0.5) + std::exp(-1.0) + std::exp(2.0)));
  const double z1 = std::log(std::exp(1.0) + std::exp(0.0) + std::exp(-2.0));
  const double l1 = -0.5 * ((1.0 - z1) + (-2.0 - z1));
  EXPECT_NEAR(class_cross_entropy(logits, labels).item<double>(), (l0 + l1) / 2, 1e-6);

  // argmax of row 0 is class 2 (a miss for class 1); of row 1, class 0 (one of the pair: a hit).
  EXPECT_TRUE(torch::equal(class_hits(logits, labels), torch::tensor({false, true})));
}

TEST(PairLabels, APairReachesBothClassesEmbeddings) {
  auto table = torch::randn({4, 3}).requires_grad_(true);
  embed_classes(table, torch::tensor({pair_label(1, 3, 4)}, torch::kInt64)).sum().backward();
  const auto g = table.grad().abs().sum(1);
  EXPECT_EQ(g[0].item<float>(), 0.0f);
  EXPECT_GT(g[1].item<float>(), 0.0f);
  EXPECT_EQ(g[2].item<float>(), 0.0f);
  EXPECT_GT(g[3].item<float>(), 0.0f);
}

// Every registered network takes pair labels through its usual contract, and a pair conditions it
// differently from either of its two classes alone.
TEST(PairLabels, EveryNetworkTakesAPairAndItIsNeitherOfItsClasses) {
  torch::manual_seed(0);
  const int C = 5;
  const auto a = torch::tensor({1, 1}, torch::kInt64), b = torch::tensor({3, 3}, torch::kInt64);
  const auto ab = torch::tensor({pair_label(1, 3, C), pair_label(1, 3, C)}, torch::kInt64);
  for (const auto& arch : generator_archs()) {
    GeneratorOptions o;
    o.arch = arch, o.z_dim = arch == "resnet" ? 12 : 8, o.base_channels = 4, o.class_embed_dim = 4;
    o.mapping_hidden = 8, o.w_dim = 8, o.max_channels = 16;
    auto g = make_generator(o, 32, C);
    g->eval();
    const auto z = torch::randn({2, o.z_dim});
    torch::NoGradGuard no_grad;
    const auto xa = g->forward(z, a), xb = g->forward(z, b), xab = g->forward(z, ab);
    EXPECT_EQ(xab.sizes(), xa.sizes()) << arch;
    EXPECT_GT((xab - xa).abs().max().item<float>(), 0.0f) << arch;
    EXPECT_GT((xab - xb).abs().max().item<float>(), 0.0f) << arch;
  }
  for (const auto& arch : discriminator_archs()) {
    DiscriminatorOptions o;
    o.arch = arch, o.base_channels = 4, o.class_embed_dim = 4, o.max_channels = 16, o.class_head = true;
    auto d = make_discriminator(o, 32, C);
    d->eval();
    const auto x = torch::randn({2, 3, 32, 32});
    torch::NoGradGuard no_grad;
    const auto la = d->forward(x, a).logits, lb = d->forward(x, b).logits, lab = d->forward(x, ab).logits;
    EXPECT_EQ(lab.sizes(), la.sizes()) << arch;
    EXPECT_GT((lab - la).abs().max().item<float>(), 0.0f) << arch;
    EXPECT_GT((lab - lb).abs().max().item<float>(), 0.0f) << arch;
  }
}

TEST(PairLabels, TheDatasetPairsEachSpriteWithItsOtherTypeThroughTheGrouping) {
  Dataset ds;
  ds.size = 4;
  ds.classes = {"Fire", "Water", "Dragon"};
  ds.grouping_json = R"({"Flying": "Dragon", "Ice": "Water"})";
  const Image im(4, 4, 3, 255);
  const auto t = [](const char* n) { return static_cast<int8_t>(type_index(n)); };
  ds.add(im, 0, 1, 0, 0, t("Fire"), t("Flying"));   // Fire/Flying under Fire: (Fire, Dragon)
  ds.add(im, 2, 1, 0, 0, t("Fire"), t("Flying"));   // the same, filed under its second type: (Dragon, Fire)
  ds.add(im, 1, 2, 0, 0, t("Water"), -1);           // one type
  ds.add(im, 1, 3, 0, 0, t("Water"), t("Ice"));     // both types in one class after grouping
  const auto p = ds.pair_labels();
  EXPECT_EQ(p, (std::vector<int64_t>{pair_label(0, 2, 3), pair_label(2, 0, 3), 1, 1}));

  Dataset folder = ds;
  std::fill(folder.type1.begin(), folder.type1.end(), int8_t(-1));
  std::fill(folder.type2.begin(), folder.type2.end(), int8_t(-1));
  try {
    folder.pair_labels();
    FAIL() << "a dataset without type ids has no pairs";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("no type ids"), std::string::npos) << e.what();
  }
}

TEST(PairLabels, APairIsAskedForByNameOnlyFromADualTypeModel) {
  const std::vector<std::string> classes = {"Fire", "Water", "Dragon"};
  const auto r = choose_rows(classes, true, "water+dragon,Fire", true);
  EXPECT_EQ(r.rows, (std::vector<int64_t>{pair_label(1, 2, 3), 0}));
  EXPECT_EQ(r.names, (std::vector<std::string>{"Water+Dragon", "Fire"}));
  EXPECT_EQ(type_label(classes, true, "Water", "Dragon"), pair_label(1, 2, 3));
  EXPECT_EQ(type_label(classes, true, "Water", "Water"), 1);
  try {
    choose_rows(classes, true, "Water+Dragon", false);
    FAIL() << "a one-type model cannot be asked for a pair";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("one type per sprite"), std::string::npos) << e.what();
  }
  EXPECT_THROW(choose_rows(classes, true, "Water+", true), Error);
  EXPECT_THROW(choose_rows(classes, true, "Water+Lava", true), Error);
}

}  // namespace pokegan
