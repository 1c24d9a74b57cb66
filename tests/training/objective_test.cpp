// The training objective as one object: its phases, the regularisers' schedules, the state it
// checkpoints, and the U-Net fix seen through training (z changes a trained U-Net's output).
#include "pokegan/training/objective.h"

#include <algorithm>
#include <gtest/gtest.h>

#include "pokegan/common/error.h"
#include "pokegan/common/threads.h"
#include "pokegan/losses/gan_loss.h"
#include "pokegan/training/sampler.h"
#include "pokegan/training/trainer.h"
#include "support/fixtures.h"

namespace pokegan {

namespace {
struct Nets {
  Generator g;
  Discriminator d;
};
Nets tiny_sprite_nets() {
  const TrainConfig c = test::tiny_preset("sprite");
  return {make_generator(c.g, 16, 3), make_discriminator(c.d, 16, 3)};
}
}  // namespace

TEST(Objective, LazyR1RunsOnlyEveryKthStepAndLecamStateRoundTrips) {
  set_threads(1);
  torch::manual_seed(4);
  Nets n = tiny_sprite_nets();
  ObjectiveOptions o;
  o.loss.kind = "hinge";
  o.loss.r1_gamma = 1.0, o.loss.r1_every = 3;
  o.loss.lecam_weight = 0.1;
  Objective obj(o, {n.g.get(), n.d.get()}, torch::kCPU);
  const auto labels = torch::tensor({0, 1, 2, 1}, torch::kLong);
  for (int step = 0; step < 4; ++step) {
    obj.begin(step, 10, torch::rand({4, 3, 16, 16}) * 2 - 1, labels, torch::randn({4, 12}));
    const PhaseStats d = obj.accumulate(Phase::D);
    EXPECT_EQ(d.extra.count("r1"), step % 3 == 0 ? 1u : 0u) << step;
    ASSERT_EQ(d.extra.count("lecam"), 1u);
    EXPECT_TRUE(std::isfinite(obj.accumulate(Phase::G).loss));
  }
  const auto state = obj.state();
  ASSERT_EQ(state.size(), 3u);
  EXPECT_EQ(state.at("lecam_n").item<int64_t>(), 4);
  Objective other(o, {n.g.get(), n.d.get()}, torch::kCPU);
  other.load_state(state);
  for (const auto& [k, v] : other.state()) EXPECT_TRUE(torch::equal(v, state.at(k))) << k;
  EXPECT_THROW(other.load_state({}), Error);
  EXPECT_THROW(other.accumulate(Phase::Dz), Error);  // no encoder
}

TEST(Objective, LecamMovingAveragesFollowTheirDefinition) {
  set_threads(1);
  torch::manual_seed(5);
  Nets n = tiny_sprite_nets();
  ObjectiveOptions o;
  o.loss.kind = "hinge", o.loss.lecam_weight = 1.0, o.loss.lecam_decay = 0.5;
  Objective obj(o, {n.g.get(), n.d.get()}, torch::kCPU);
  n.d->eval();  // fixed u, v: D's outputs below are reproducible
  const auto labels = torch::tensor({0, 1, 2, 1}, torch::kLong);
  double expect_real = 0;
  for (int step = 0; step < 3; ++step) {
    const auto real = torch::rand({4, 3, 16, 16}) * 2 - 1;
    double r;
    {
      torch::NoGradGuard ng;
      r = n.d->forward(real, labels).logits.mean().item<double>();
    }
    obj.begin(step, 10, real, labels, torch::randn({4, 12}));
    obj.accumulate(Phase::D);
    expect_real = step == 0 ? r : 0.5 * expect_real + 0.5 * r;  // the first update sets the average
    n.d->zero_grad();
  }
  EXPECT_NEAR(obj.state().at("lecam_real").item<double>(), expect_real, 1e-6);
}

TEST(Objective, AdaProbabilityMovesBySignOfDRealAndRoundTrips) {
  set_threads(1);
  torch::manual_seed(6);
  Nets n = tiny_sprite_nets();
  ObjectiveOptions o;
  o.loss.kind = "hinge";
  o.augment.ada_target = 0.6, o.augment.ada_kimg = 1, o.augment.ada_interval = 2;  // 1,000 images per unit of p
  Objective obj(o, {n.g.get(), n.d.get()}, torch::kCPU);
  EXPECT_EQ(obj.ada_p(), 0.0);
  obj.update_ada(64, 64);
  EXPECT_EQ(obj.ada_p(), 0.0);  // the first of two steps: no move yet
  obj.update_ada(64, 64);       // r_t = 1 > 0.6: up by 128 images / 1,000
  EXPECT_DOUBLE_EQ(obj.ada_p(), 0.128);
  obj.update_ada(40, 64);
  obj.update_ada(64, 64);  // r_t = 104 / 128 = 0.8125 > 0.6: up again
  EXPECT_DOUBLE_EQ(obj.ada_p(), 0.256);
  obj.update_ada(-64, 64);
  obj.update_ada(64, 64);  // r_t = 0 < 0.6: down
  EXPECT_DOUBLE_EQ(obj.ada_p(), 0.128);
  for (int i = 0; i < 6; ++i) obj.update_ada(-64, 64);
  EXPECT_EQ(obj.ada_p(), 0.0);  // clamped at 0
  for (int i = 0; i < 40; ++i) obj.update_ada(64, 64);
  EXPECT_EQ(obj.ada_p(), 1.0);  // and at 1
  // Half an interval in, the running sums are state too: a copy continues exactly.
  obj.update_ada(-64, 64);
  const auto state = obj.state();
  ASSERT_EQ(state.size(), 4u);
  Objective other(o, {n.g.get(), n.d.get()}, torch::kCPU);
  other.load_state(state);
  obj.update_ada(0, 64), other.update_ada(0, 64);  // r_t = -0.5: down by 0.128
  EXPECT_DOUBLE_EQ(other.ada_p(), 0.872);
  EXPECT_EQ(other.ada_p(), obj.ada_p());
  EXPECT_THROW(other.load_state({}), Error);
  // A D phase reports the p it augmented with.
  obj.begin(0, 10, torch::rand({4, 3, 16, 16}) * 2 - 1, torch::tensor({0, 1, 2, 1}, torch::kLong), torch::randn({4, 12}));
  const PhaseStats d = obj.accumulate(Phase::D);
  EXPECT_DOUBLE_EQ(d.extra.at("ada_p"), 0.872);
  o.augment.ada_policy = "xflip,zoom";
  EXPECT_THROW(Objective(o, {n.g.get(), n.d.get()}, torch::kCPU), Error);
}

TEST(Objective, ModeSeekingPairsShareTheirClass) {
  set_threads(1);
  Nets n = tiny_sprite_nets();
  ObjectiveOptions o;
  o.loss.kind = "hinge", o.loss.mode_seeking = 1.0;
  Objective obj(o, {n.g.get(), n.d.get()}, torch::kCPU);
  obj.begin(0, 10, torch::rand({5, 3, 16, 16}), torch::tensor({0, 1, 2, 1, 0}, torch::kLong), torch::randn({5, 12}));
  EXPECT_TRUE(torch::equal(obj.fake_labels(), torch::tensor({0, 1, 0, 1, 0}, torch::kLong)));
  const PhaseStats g = obj.accumulate(Phase::G);
  ASSERT_EQ(g.extra.count("mode_seeking"), 1u);
  EXPECT_GT(g.extra.at("mode_seeking"), 0);
}

// loss.mode_seeking_space=silhouette: the term the G phase reports is the one of the two halves'
// ink maps, not of their pixels.
TEST(Objective, ModeSeekingInSilhouetteSpaceScoresTheInkMaps) {
  set_threads(1);
  torch::manual_seed(3);
  Nets n = tiny_sprite_nets();
  ObjectiveOptions o;
  o.loss.kind = "hinge", o.loss.mode_seeking = 1.0, o.loss.mode_seeking_space = "silhouette";
  Objective obj(o, {n.g.get(), n.d.get()}, torch::kCPU);
  const auto z = torch::randn({4, 12});
  obj.begin(0, 10, torch::rand({4, 3, 16, 16}), torch::tensor({0, 1, 2, 1}, torch::kLong), z);
  const PhaseStats g = obj.accumulate(Phase::G);
  torch::NoGradGuard ng;
  const auto f = obj.fake();
  const auto ink = silhouette(f);
  const double want = mode_seeking_term(ink.narrow(0, 0, 2), ink.narrow(0, 2, 2), z.narrow(0, 0, 2), z.narrow(0, 2, 2))
                          .item<double>();
  const double pixels = mode_seeking_term(f.narrow(0, 0, 2), f.narrow(0, 2, 2), z.narrow(0, 0, 2), z.narrow(0, 2, 2))
                            .item<double>();
  ASSERT_EQ(g.extra.count("mode_seeking"), 1u);
  EXPECT_NEAR(g.extra.at("mode_seeking"), want, 1e-4 * want);
  EXPECT_GT(std::abs(want - pixels), 1e-3 * want);
}

// The auxiliary classifier: D's class head learns from real images only (the D phase's term is the
// head's cross-entropy on the real batch, and its gradient reaches no fake), G pays the head's
// cross-entropy on its samples.
TEST(Objective, AuxClassifierTrainsTheHeadOnRealsAndGOnFakes) {
  set_threads(1);
  torch::manual_seed(6);
  TrainConfig c = test::tiny_preset("sprite");
  c.d.class_head = true;
  Generator g = make_generator(c.g, 16, 3);
  Discriminator d = make_discriminator(c.d, 16, 3);
  d->eval();  // fixed u, v: D's outputs below are reproducible
  ObjectiveOptions o;
  o.loss.kind = "hinge", o.loss.aux_class_weight = 0.5;
  Objective obj(o, {g.get(), d.get()}, torch::kCPU);
  const auto real = torch::rand({4, 3, 16, 16}) * 2 - 1;
  const auto labels = torch::tensor({0, 1, 2, 1}, torch::kLong);
  obj.begin(0, 10, real, labels, torch::randn({4, 12}));
  double expect;
  {
    torch::NoGradGuard ng;
    expect = torch::nn::functional::cross_entropy(d->forward(real, labels).class_logits, labels).item<double>();
  }
  const PhaseStats ds = obj.accumulate(Phase::D);
  ASSERT_EQ(ds.extra.count("aux_class"), 1u);
  EXPECT_NEAR(ds.extra.at("aux_class"), expect, 1e-5);
  for (auto& p : g->parameters()) EXPECT_FALSE(p.grad().defined());  // nothing reached G
  const PhaseStats gs = obj.accumulate(Phase::G);
  ASSERT_EQ(gs.extra.count("aux_class_g"), 1u);
  EXPECT_GT(gs.extra.at("aux_class_g"), 0);
  // loss.aux_class_start: before that step neither side has the term, from it both do.
  {
    ObjectiveOptions late = o;
    late.loss.aux_class_start = 5;
    Objective delayed(late, {g.get(), d.get()}, torch::kCPU);
    for (int64_t step : {int64_t(4), int64_t(5)}) {
      delayed.begin(step, 10, real, labels, torch::randn({4, 12}));
      const PhaseStats dd = delayed.accumulate(Phase::D), dg = delayed.accumulate(Phase::G);
      EXPECT_EQ(dd.extra.count("aux_class"), step >= 5 ? 1u : 0u) << step;
      EXPECT_EQ(dg.extra.count("aux_class_g"), step >= 5 ? 1u : 0u) << step;
    }
  }
  // Without the head the objective refuses, naming the switch.
  DiscriminatorOptions plain_cfg = test::tiny_preset("sprite").d;
  plain_cfg.class_head = false;
  Discriminator plain = make_discriminator(plain_cfg, 16, 3);
  Objective bad(o, {g.get(), plain.get()}, torch::kCPU);
  bad.begin(0, 10, real, labels, torch::randn({4, 12}));
  try {
    bad.accumulate(Phase::D);
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("d.class_head=true"), std::string::npos) << e.what();
  }
}

// TAC-GAN's twin head (loss.aux_twin_weight): D's twin learns the labels of the fakes, and G's
// gradient is the class-term gradient minus w times the twin's.
TEST(Objective, TwinHeadLearnsOnFakesAndGMovesAgainstIt) {
  set_threads(1);
  torch::manual_seed(7);
  TrainConfig c = test::tiny_preset("sprite");
  c.d.class_head = true, c.d.twin_class_head = true;
  Generator g = make_generator(c.g, 16, 3);
  Discriminator d = make_discriminator(c.d, 16, 3);
  d->eval();  // fixed u, v
  const auto real = torch::rand({4, 3, 16, 16}) * 2 - 1;
  const auto labels = torch::tensor({0, 1, 2, 1}, torch::kLong);
  const auto z = torch::randn({4, 12});
  auto g_grads = [&](double twin, PhaseStats* ds) {
    ObjectiveOptions o;
    o.loss.kind = "hinge", o.loss.aux_class_weight = 0.5, o.loss.aux_twin_weight = twin;
    Objective obj(o, {g.get(), d.get()}, torch::kCPU);
    g->zero_grad(), d->zero_grad();
    obj.begin(0, 10, real, labels, z);
    *ds = obj.accumulate(Phase::D);
    g->zero_grad(), d->zero_grad();
    obj.accumulate(Phase::G);
    std::vector<torch::Tensor> out;
    for (auto& p : g->parameters()) out.push_back(p.grad().defined() ? p.grad().clone() : torch::zeros_like(p));
    return out;
  };
  PhaseStats without, with;
  const auto base = g_grads(0, &without), tac = g_grads(0.5, &with);
  EXPECT_EQ(without.extra.count("aux_twin"), 0u);
  ASSERT_EQ(with.extra.count("aux_twin"), 1u);
  // The twin's own gradient on G: CE of the twin head on G(z, y).
  g->zero_grad(), d->zero_grad();
  const auto fake = g->forward(z, labels);
  const double twin_ce_at_fake = aux_twin_term(d->forward(fake.detach(), labels), labels).item<double>();
  EXPECT_NEAR(with.extra.at("aux_twin"), twin_ce_at_fake, 1e-5);  // the D phase's term is on the fakes
  aux_twin_term(d->forward(fake, labels), labels).backward();
  double moved = 0, worst = 0, scale = 0;
  size_t i = 0;
  for (auto& p : g->parameters()) {
    const auto t = p.grad().defined() ? p.grad() : torch::zeros_like(p);
    moved += t.abs().sum().item<double>();
    worst = std::max(worst, (tac[i] - (base[i] - 0.5 * t)).abs().max().item<double>());
    scale = std::max({scale, base[i].abs().max().item<double>(), t.abs().max().item<double>()});
    ++i;
  }
  EXPECT_GT(moved, 0);
  // Relative to the largest gradient: this tiny untrained net's G gradients reach 1e9, so float32
  // rounding alone gives absolute differences of hundreds (a wrong sign or weight gives ~1e8).
  EXPECT_LT(worst, 1e-5 * scale);
}

// A few training steps of the fixed U-Net preset: different z with the same class give different
// sprites (the study's U-Net, z only in the input plane, is the comparison).
TEST(Objective, ZChangesATrainedUNetsOutput) {
  set_threads(1);
  const Dataset ds = test::tiny_dataset(6, 3, 16);
  auto spread = [&](const std::string& z_inject) {
    TrainConfig c = test::tiny_preset("unet");
    c.g.z_inject = z_inject;
    c.steps = 5, c.seed = 2;
    test::TempDir dir;
    Trainer t(c, ds, dir / "run");
    for (int i = 0; i < 5; ++i) t.step();
    const auto labels = torch::zeros({6}, torch::kLong);
    const auto x = generate(t.sampling_generator(), labels, 11);  // 6 different z, one class
    return (x - x.mean(0, true)).abs().mean().item<double>();
  };
  const double style = spread("style");
  EXPECT_GT(style, 1e-3);
  RecordProperty("spread_style", std::to_string(style));
  RecordProperty("spread_input", std::to_string(spread("input")));
}

}  // namespace pokegan
