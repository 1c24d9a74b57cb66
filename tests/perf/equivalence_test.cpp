// The C++ networks and losses compute the same function as the PyTorch-Python twin in
// bench/torch_ref.py: the same weights and inputs give the same outputs and the same gradients of
// one D loss and one G loss, within 1e-4 relative. Skipped (with a message) where Debian's
// python3-torch is not installed.
#include <gtest/gtest.h>

#include <cstdlib>

#include "pokegan/common/fs.h"
#include "pokegan/common/threads.h"
#include "pokegan/io/checkpoint.h"
#include "pokegan/losses/gan_loss.h"
#include "pokegan/models/networks.h"
#include "support/fixtures.h"

namespace pokegan {

namespace {

constexpr const char* kPython = "/usr/bin/python3";

bool python_torch_available() {
  const std::string cmd = std::string(kPython) + " -c 'import torch' > /dev/null 2>&1";
  return std::system(cmd.c_str()) == 0;
}

// max |a - b| / max |b|: the error relative to the reference's scale.
double relative_error(const torch::Tensor& a, const torch::Tensor& b) {
  const double scale = b.abs().max().item<double>();
  return (a - b).abs().max().item<double>() / std::max(scale, 1e-12);
}

void check_preset(bool conditional) {
  if (!python_torch_available()) GTEST_SKIP() << "python3-torch is not installed (" << kPython << " cannot import torch)";
  set_threads(1);
  torch::manual_seed(5);
  const int size = 32, classes = 4, width = 8, batch = 6;
  GeneratorOptions go;
  go.base_channels = width;
  go.conditional = conditional;
  DiscriminatorOptions dopt;
  dopt.base_channels = width;
  dopt.conditional = conditional;
  auto g = make_generator(go, size, classes);
  auto d = make_discriminator(dopt, size, classes);
  const auto z = torch::randn({batch, go.z_dim});
  const auto labels = torch::tensor({0, 1, 2, 3, 1, 2}, torch::kLong);
  const auto real = torch::rand({batch, 3, size, size}) * 2 - 1;

  test::TempDir dir;
  Checkpoint in;
  put_module(in, "G", *g);
  put_module(in, "D", *d);
  in.tensors["in.z"] = z;
  in.tensors["in.labels"] = labels;
  in.tensors["in.real"] = real;
  in.tensors["meta.size_classes_width"] = torch::tensor({size, classes, width}, torch::kLong);
  in.tensors["meta.conditional"] = torch::tensor({int64_t(conditional)}, torch::kLong);
  save_checkpoint(dir / "in.safetensors", in);

  // This side: the same computation as torch_ref.py's equiv().
  LossOptions lo;
  lo.real_min = lo.real_max = 0.9;
  lo.fake_min = lo.fake_max = 0.0;
  auto loss = make_loss(lo);
  const auto fake = g->forward(z, labels);
  const DOutput d_real = d->forward(real, labels), d_fake = d->forward(fake.detach(), labels);
  const auto d_loss = loss->d_loss(d_real, d_fake, labels);
  d_loss.backward();
  std::map<std::string, torch::Tensor> ours = {{"out.fake", fake.detach()},
                                               {"out.d_real", d_real.logits.detach()},
                                               {"out.d_fake", d_fake.logits.detach()},
                                               {"out.d_loss", d_loss.detach().reshape({1})}};
  for (const auto& p : d->named_parameters()) ours["grad.D." + p.key()] = p.value().grad().clone();
  d->zero_grad();
  const auto g_loss = loss->g_loss(d->forward(fake, labels), labels);
  g_loss.backward();
  ours["out.g_loss"] = g_loss.detach().reshape({1});
  for (const auto& p : g->named_parameters()) ours["grad.G." + p.key()] = p.value().grad().clone();

  const std::string cmd = std::string(kPython) + " " + POKEGAN_SOURCE_DIR + "/bench/torch_ref.py equiv " +
                          (dir / "in.safetensors").string() + " " + (dir / "out.safetensors").string();
  ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
  const Checkpoint theirs = load_checkpoint(dir / "out.safetensors");
  EXPECT_EQ(theirs.tensors.size(), ours.size());
  for (const auto& [name, t] : ours) {
    ASSERT_TRUE(theirs.tensors.count(name)) << name << " missing from the Python side";
    const auto& ref = theirs.tensor(name);
    ASSERT_EQ(t.sizes(), ref.sizes()) << name;
    EXPECT_LT(relative_error(t, ref), 1e-4) << name;
  }
}

}  // namespace

TEST(Equivalence, ConditionalDcganMatchesPyTorchPython) { check_preset(true); }
TEST(Equivalence, UnconditionalDcganMatchesPyTorchPython) { check_preset(false); }

}  // namespace pokegan
