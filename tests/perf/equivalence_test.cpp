// The C++ networks and losses of every preset compute the same function as the PyTorch-Python twin
// in bench/torch_ref.py: the same weights and inputs give the same outputs, losses and gradients of
// one training step, within 1e-4 relative. Skipped (with a message) where Debian's
// python3-torch is not installed.
#include <gtest/gtest.h>

#include <cstdlib>

#include "pokegan/common/fs.h"
#include "pokegan/common/threads.h"
#include "pokegan/io/checkpoint.h"
#include "pokegan/models/autoencoder.h"
#include "pokegan/models/networks.h"
#include "pokegan/training/objective.h"
#include "pokegan/training/presets.h"
#include "support/fixtures.h"

namespace pokegan {

namespace {

constexpr const char* kPython = "/usr/bin/python3";

bool python_torch_available() {
  const std::string cmd = std::string(kPython) + " -c 'import torch' > /dev/null 2>&1";
  return std::system(cmd.c_str()) == 0;
}

// Gradients of every parameter that has one, under "grad.<phase>.<net>.<name>", then cleared.
void take_grads(std::map<std::string, torch::Tensor>& out, const std::string& phase,
                const std::vector<std::pair<std::string, torch::nn::Module*>>& nets) {
  for (const auto& [prefix, net] : nets)
    for (auto& p : net->named_parameters()) {
      if (p.value().grad().defined()) out["grad." + phase + "." + prefix + "." + p.key()] = p.value().grad().clone();
      p.value().mutable_grad() = torch::Tensor();
    }
}

// One training step's losses (D, D_z for the AE-GAN, G and E) and every gradient, as
// Trainer::step computes them, against bench/torch_ref.py's twin of the preset `name` built from
// the same config, weights and inputs. Tiny widths; the step made deterministic: constant label
// targets, no D noise, dropout or DiffAugment, and StyleGAN's G in eval mode (no noise injection).
void check_preset(const std::string& name, const std::vector<std::string>& sets = {}) {
  if (!python_torch_available()) GTEST_SKIP() << "python3-torch is not installed (" << kPython << " cannot import torch)";
  set_threads(1);
  torch::manual_seed(5);
  const int size = 16, classes = 4, batch = 6;
  TrainConfig cfg = test::tiny_preset(name);
  for (const auto& s : sets) apply_override(cfg, s);
  cfg.d.noise_std = 0, cfg.d.dropout = 0;
  cfg.augment.diffaug.clear();
  cfg.loss.real_min = cfg.loss.real_max = 0.9;
  cfg.loss.fake_min = cfg.loss.fake_max = 0.0;
  auto g = make_generator(cfg.g, size, classes);
  auto d = make_discriminator(cfg.d, size, classes);
  const bool g_eval = cfg.g.arch == "stylegan";
  if (g_eval) g->eval();
  Encoder e{nullptr};
  LatentDiscriminator dz{nullptr};
  std::vector<std::pair<std::string, torch::nn::Module*>> nets = {{"G", g.get()}, {"D", d.get()}};
  if (cfg.ae.enabled) {
    e = Encoder(size, cfg.ae.encoder_channels, cfg.g.z_dim);
    dz = LatentDiscriminator(cfg.g.z_dim, cfg.ae.latent_hidden);
    nets.push_back({"E", e.get()});
    nets.push_back({"Dz", dz.get()});
  }
  const auto z = torch::randn({batch, cfg.g.z_dim});
  const auto labels = torch::tensor({0, 1, 2, 3, 1, 2}, torch::kLong);
  const auto real = torch::rand({batch, 3, size, size}) * 2 - 1;

  test::TempDir dir;
  Checkpoint in;
  for (const auto& [prefix, net] : nets) put_module(in, prefix, *net);
  in.tensors["in.z"] = z;
  in.tensors["in.labels"] = labels;
  in.tensors["in.real"] = real;
  in.metadata["config"] = nlohmann::json(cfg).dump();
  in.metadata["size"] = std::to_string(size);
  in.metadata["classes"] = std::to_string(classes);
  in.metadata["g_eval"] = g_eval ? "1" : "0";
  save_checkpoint(dir / "in.safetensors", in);

  // This side: the real objective (training/objective.h), its phases in Trainer::step's order.
  ObjectiveOptions oo;
  oo.loss = cfg.loss;
  oo.lambda_rx = cfg.ae.lambda_rx, oo.lambda_rz = cfg.ae.lambda_rz;
  Objective objective(oo, {g.get(), d.get(), e ? e.get() : nullptr, dz ? dz.get() : nullptr}, torch::kCPU);
  objective.begin(0, 1, real, labels, z);
  auto loss_tensor = [](double v) { return torch::tensor({v}, torch::kFloat64); };
  const PhaseStats d_stats = objective.accumulate(Phase::D);
  std::map<std::string, torch::Tensor> ours = {{"out.fake", objective.fake().detach()},
                                               {"out.d_loss", loss_tensor(d_stats.loss)}};
  take_grads(ours, "d", nets);
  if (e) {
    ours["out.dz_loss"] = loss_tensor(objective.accumulate(Phase::Dz).loss);
    take_grads(ours, "dz", nets);
  }
  ours["out.g_loss"] = loss_tensor(objective.accumulate(Phase::G).loss);
  take_grads(ours, "g", nets);

  const std::string cmd = std::string(kPython) + " " + POKEGAN_SOURCE_DIR + "/bench/torch_ref.py equiv " +
                          (dir / "in.safetensors").string() + " " + (dir / "out.safetensors").string();
  ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
  const Checkpoint theirs = load_checkpoint(dir / "out.safetensors");
  EXPECT_EQ(theirs.tensors.size(), ours.size());
  // Error scale: a tensor's own largest value, but at least 10% of the largest gradient of the same
  // network in the same phase. Some parameters' true gradient is zero (a conv bias right before
  // BatchNorm, a BatchNorm scale that an instance norm undoes), and both sides give rounding noise
  // there, which has no relative error to speak of: 1e-10 to 1e-6 mostly, and up to 1.4e-4 (8e-6
  // of the phase's largest gradient, 17.7) for the U-Net's first conv bias under a smooth input
  // plane (g.input_plane=grid), whose BatchNorm divides by a small spread.
  std::map<std::string, double> phase_scale;  // "grad.<phase>.<net>" -> largest |gradient|
  auto phase_of = [](const std::string& key) {
    return key.rfind("grad.", 0) == 0 ? key.substr(0, key.find('.', key.find('.', 5) + 1)) : key;
  };
  for (const auto& [key, t] : theirs.tensors) {
    double& s = phase_scale[phase_of(key)];
    s = std::max(s, t.abs().max().item<double>());
  }
  for (const auto& [key, t] : ours) {
    ASSERT_TRUE(theirs.tensors.count(key)) << key << " missing from the Python side";
    const auto& ref = theirs.tensor(key);
    ASSERT_EQ(t.sizes(), ref.sizes()) << key;
    const double scale = std::max(ref.abs().max().item<double>(), 0.1 * phase_scale[phase_of(key)]);
    const double err = (t - ref).abs().max().item<double>() / std::max(scale, 1e-12);
    EXPECT_LT(err, 1e-4) << key << ": largest |reference| " << ref.abs().max().item<double>() << ", scale " << scale;
  }
}

}  // namespace

// One test per model family and loss; cdcgan-quick is cdcgan at another width.
TEST(Equivalence, ConditionalDcgan) { check_preset("cdcgan"); }
TEST(Equivalence, UnconditionalDcgan) { check_preset("dcgan"); }
TEST(Equivalence, StyleGANWithPatchGAN) { check_preset("stylegan"); }
TEST(Equivalence, UNetWithPatchGAN) { check_preset("unet"); }
TEST(Equivalence, UNetWithProjectionPatchGAN) { check_preset("unet-proj"); }
// The U-Net's input plane as a bilinearly upsampled (S/8)x(S/8) map (g.input_plane=grid).
TEST(Equivalence, UNetGridInputPlane) { check_preset("unet", {"g.input_plane=grid"}); }
// The study's AC-GAN: a PatchGAN D that also takes the class as an input channel, the class term
// on real and fake images, no mode seeking.
TEST(Equivalence, AcganLossWithClassHead) {
  check_preset("acgan", {"loss.mode_seeking=0", "d.conditional=true", "loss.class_on_fakes=true"});
}
// Mode seeking with the acgan loss: D's class term scores each fake against the class it was drawn
// for (the fake batch's second half repeats the first half's labels), not the real batch's label.
TEST(Equivalence, AcganLossWithModeSeeking) { check_preset("acgan", {"loss.class_on_fakes=true"}); }
// The preset: D's class term on real images only (loss.class_on_fakes=false; Shu et al. 2017), D
// without the class channel.
TEST(Equivalence, AcganLossClassTermOnRealsOnly) { check_preset("acgan"); }
TEST(Equivalence, AutoencodingGan) { check_preset("aegan"); }
// The study's loss on the AE-GAN: no mode seeking, D's class term on reals and fakes.
TEST(Equivalence, AutoencodingGanWithAcganLoss) {
  check_preset("aegan-ac", {"loss.mode_seeking=0", "loss.class_on_fakes=true"});
}
// The preset: mode seeking, D's class term on real sprites only.
TEST(Equivalence, AutoencodingGanWithAcganLossAndModeSeeking) { check_preset("aegan-ac"); }
TEST(Equivalence, Mlp) { check_preset("mlp"); }
// The preset: hinge, LeCam, lazy R1 (step 0 is an R1 step) and the auxiliary class head.
TEST(Equivalence, SpriteResNetHingeLecamR1AuxClassifier) { check_preset("sprite"); }
// The preset before 2026-12-03: no class head, hierarchical z, minibatch stddev.
TEST(Equivalence, SpriteHierarchicalZMinibatchStddev) {
  check_preset("sprite", {"d.class_head=false", "loss.aux_class_weight=0", "loss.r1_gamma=0", "g.hier_z=true",
                          "d.mbstd_group=4"});
}
// D's dense epilogue (d.epilogue=dense): flatten the 4x4 map through an SN dense layer.
TEST(Equivalence, SpriteDenseEpilogue) { check_preset("sprite", {"d.epilogue=dense"}); }
// TAC-GAN's twin class head: D learns it on the fakes, G subtracts it.
TEST(Equivalence, SpriteTwinAuxiliaryClassifier) {
  check_preset("sprite", {"d.twin_class_head=true", "loss.aux_twin_weight=0.6"});
}
// The twin on the PatchGAN D under the AC-GAN loss (acgan + TAC-GAN).
TEST(Equivalence, AcganTwinClassifier) {
  check_preset("acgan", {"d.twin_class_head=true", "loss.aux_twin_weight=0.25"});
}
// The mode-seeking term in silhouette space (loss.mode_seeking_space=silhouette): the twin's ink
// map and ratio against the objective's.
TEST(Equivalence, SpriteModeSeekingInSilhouetteSpace) {
  check_preset("sprite", {"loss.mode_seeking=0.1", "loss.mode_seeking_space=silhouette"});
}
// z maps (g.z_maps): the projection buffer travels with the weights; the strengths' gradients
// check the maps pixel by pixel (they are 0 at the start, so G's output does not).
TEST(Equivalence, SpriteZMaps) { check_preset("sprite", {"g.z_maps=true"}); }
// The class embedding at G's 4x4 input (g.class_input).
TEST(Equivalence, SpriteClassInput) { check_preset("sprite", {"g.class_input=true"}); }

}  // namespace pokegan
