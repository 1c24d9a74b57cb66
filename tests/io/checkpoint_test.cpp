#include "pokegan/io/checkpoint.h"

#include <gtest/gtest.h>

#include "pokegan/common/error.h"
#include "pokegan/common/fs.h"
#include "pokegan/models/networks.h"
#include "support/fixtures.h"

namespace pokegan {

TEST(Checkpoint, ModuleRoundTripRestoresParametersAndBuffers) {
  test::TempDir dir;
  GeneratorOptions o;
  o.z_dim = 8, o.base_channels = 4;
  auto a = make_generator(o, 16, 3);
  { // change BN running stats so buffers differ from a fresh module
    a->train();
    a->forward(torch::randn({4, 8}), torch::tensor({0, 1, 2, 0}));
  }
  Checkpoint c;
  put_module(c, "G", *a);
  c.metadata["k"] = "v";
  save_checkpoint(dir / "c.safetensors", c);
  auto b = make_generator(o, 16, 3);
  get_module(load_checkpoint(dir / "c.safetensors"), "G", *b);
  const auto pa = a->named_parameters(), pb = b->named_parameters();
  for (const auto& p : pa) EXPECT_TRUE(torch::equal(p.value(), pb[p.key()])) << p.key();
  const auto ba = a->named_buffers(), bb = b->named_buffers();
  for (const auto& p : ba) EXPECT_TRUE(torch::equal(p.value(), bb[p.key()])) << p.key();
  a->eval(), b->eval();
  const auto z = torch::randn({2, 8});
  const auto y = torch::tensor({1, 2});
  EXPECT_TRUE(torch::equal(a->forward(z, y), b->forward(z, y)));
}

TEST(Checkpoint, TruncatedOrForeignFilesAreErrors) {
  test::TempDir dir;
  Checkpoint c;
  c.tensors["x"] = torch::ones({1000});
  save_checkpoint(dir / "c.safetensors", c);
  auto bytes = read_file(dir / "c.safetensors");
  bytes.resize(bytes.size() - 100);
  write_atomic(dir / "cut.safetensors", bytes.data(), bytes.size());
  EXPECT_THROW(load_checkpoint(dir / "cut.safetensors"), Error);
  EXPECT_THROW(load_checkpoint(dir / "missing.safetensors"), Error);
  write_atomic(dir / "text.safetensors", "hello", 5);
  EXPECT_THROW(load_checkpoint(dir / "text.safetensors"), Error);
}

TEST(Checkpoint, WrongShapeIsAnError) {
  GeneratorOptions o;
  o.z_dim = 8, o.base_channels = 4;
  auto a = make_generator(o, 16, 3);
  Checkpoint c;
  put_module(c, "G", *a);
  o.base_channels = 8;
  auto b = make_generator(o, 16, 3);
  EXPECT_THROW(get_module(c, "G", *b), Error);
}

TEST(Checkpoint, ForgedAdamStateIsAnErrorNotALibTorchException) {
  GeneratorOptions o;
  o.z_dim = 8, o.base_channels = 4;
  auto g = make_generator(o, 16, 3);
  torch::optim::Adam opt(g->parameters(), torch::optim::AdamOptions(1e-3));
  g->forward(torch::randn({4, 8}), torch::tensor({0, 1, 2, 0})).mean().backward();
  opt.step();
  Checkpoint good;
  put_adam(good, "opt", opt, *g);
  const std::string k = "opt." + g->named_parameters().begin()->key();
  auto expect_error = [&](const Checkpoint& c, const std::string& what) {
    torch::optim::Adam fresh(g->parameters(), torch::optim::AdamOptions(1e-3));
    try {
      get_adam(c, "opt", fresh, *g);
      ADD_FAILURE() << "no error for " << what;
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find(what), std::string::npos) << e.what();
    }
  };
  Checkpoint steps = good;
  steps.tensors[k + ".step"] = torch::zeros({3}, torch::kInt64);
  expect_error(steps, k + ".step' is not one number");
  Checkpoint moments = good;
  moments.tensors[k + ".exp_avg"] = torch::zeros({2});
  expect_error(moments, k + ".exp_avg' has the wrong shape");
  torch::optim::Adam fresh(g->parameters(), torch::optim::AdamOptions(1e-3));
  EXPECT_NO_THROW(get_adam(good, "opt", fresh, *g));
}

}  // namespace pokegan
