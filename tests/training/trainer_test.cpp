#include "pokegan/training/trainer.h"

#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <functional>
#include <limits>

#include "pokegan/common/device.h"
#include "pokegan/common/error.h"
#include "pokegan/common/fs.h"
#include "pokegan/common/threads.h"
#include "pokegan/inference/model_file.h"
#include "pokegan/training/presets.h"
#include "pokegan/training/sampler.h"
#include "support/fixtures.h"

namespace pokegan {

namespace {
TrainConfig tiny_config(const std::string& name = "cdcgan") {
  TrainConfig c = test::tiny_preset(name);
  c.steps = 6;
  c.seed = 11;
  c.augment.hue = true;  // every kind of randomness in play
  return c;
}
}  // namespace

class TrainerTest : public ::testing::Test {
 protected:
  void SetUp() override { set_threads(1); }
  Dataset ds = test::tiny_dataset();
};

TEST_F(TrainerTest, FewStepsGiveFiniteLossesAndRunFiles) {
  test::TempDir dir;
  Trainer t(tiny_config(), ds, dir / "run");
  ASSERT_TRUE(t.run(nullptr, false));
  EXPECT_EQ(t.steps_done(), 6);
  std::ifstream stats(dir / "run" / "stats.jsonl");
  std::string line;
  int lines = 0;
  while (std::getline(stats, line)) {
    const auto j = nlohmann::json::parse(line);
    EXPECT_TRUE(std::isfinite(j["d_loss"].get<double>()));
    EXPECT_TRUE(std::isfinite(j["g_loss"].get<double>()));
    EXPECT_GT(j["img_per_s"].get<double>(), 0);
    ++lines;
  }
  EXPECT_EQ(lines, 6);
  EXPECT_TRUE(fs::exists(dir / "run" / "config.json"));
  EXPECT_TRUE(fs::exists(dir / "run" / "samples" / "fakes-00000006.png"));
  EXPECT_EQ(Trainer::latest_checkpoint(dir / "run").filename(), "ckpt-00000006.safetensors");
}

TEST_F(TrainerTest, ResumedRunMatchesUninterruptedRun) {
  test::TempDir dir;
  std::vector<StepStats> straight;
  {
    Trainer t(tiny_config(), ds, dir / "a");
    for (int i = 0; i < 6; ++i) straight.push_back(t.step());
  }
  std::vector<StepStats> resumed;
  {
    Trainer t(tiny_config(), ds, dir / "b");
    for (int i = 0; i < 3; ++i) resumed.push_back(t.step());
    t.save_checkpoint();
  }
  torch::manual_seed(999);  // disturb global RNG: the resume must restore it
  const Checkpoint ck = load_checkpoint(Trainer::latest_checkpoint(dir / "b"));
  Trainer t(checkpoint_config(ck), ds, dir / "b", ck);
  EXPECT_EQ(t.steps_done(), 3);
  for (int i = 0; i < 3; ++i) resumed.push_back(t.step());
  for (int i = 0; i < 6; ++i) {
    EXPECT_EQ(straight[i].d_loss, resumed[i].d_loss) << "step " << i + 1;
    EXPECT_EQ(straight[i].g_loss, resumed[i].g_loss) << "step " << i + 1;
    EXPECT_EQ(straight[i].d_real, resumed[i].d_real) << "step " << i + 1;
  }
}

TEST_F(TrainerTest, ResumedSpriteRunWithAdaAndAttentionMatchesUninterruptedRun) {
  // The sprite preset with ADA moving p every step fast (50 images per unit of p), so that p,
  // its running sums and the blits it draws all cross the checkpoint; and with D's self-attention
  // (R1 at step 0 goes through it twice).
  TrainConfig c = tiny_config("sprite");
  c.augment.ada_target = 0.01, c.augment.ada_kimg = 0.05, c.augment.ada_interval = 2;
  c.d.attention = 8;
  test::TempDir dir;
  std::vector<StepStats> straight;
  {
    Trainer t(c, ds, dir / "a");
    for (int i = 0; i < 6; ++i) straight.push_back(t.step());
  }
  std::vector<StepStats> resumed;
  {
    Trainer t(c, ds, dir / "b");
    for (int i = 0; i < 3; ++i) resumed.push_back(t.step());  // mid-interval: step 3 of 2-step moves
    t.save_checkpoint();
  }
  torch::manual_seed(999);
  const Checkpoint ck = load_checkpoint(Trainer::latest_checkpoint(dir / "b"));
  ASSERT_EQ(ck.tensors.count("objective.ada_p"), 1u);
  Trainer t(checkpoint_config(ck), ds, dir / "b", ck);
  for (int i = 0; i < 3; ++i) resumed.push_back(t.step());
  for (int i = 0; i < 6; ++i) {
    EXPECT_EQ(straight[i].d_loss, resumed[i].d_loss) << "step " << i + 1;
    EXPECT_EQ(straight[i].g_loss, resumed[i].g_loss) << "step " << i + 1;
    ASSERT_EQ(straight[i].extra.count("ada_p"), 1u);
    EXPECT_EQ(straight[i].extra.at("ada_p"), resumed[i].extra.at("ada_p")) << "step " << i + 1;
  }
}

TEST_F(TrainerTest, ResumeForgetsTheStatsLoggedAfterItsCheckpoint) {
  test::TempDir dir;
  auto cfg = tiny_config();
  cfg.checkpoint_every = 3;
  {
    Trainer t(cfg, ds, dir / "run");
    ASSERT_TRUE(t.run(nullptr, false));  // stats for steps 1..6, checkpoints at 3 and 6
  }
  fs::remove(dir / "run" / "checkpoints" / "ckpt-00000006.safetensors");
  {  // a kill mid-line leaves a line cut short
    std::ofstream f(dir / "run" / "stats.jsonl", std::ios::app);
    f << "{\"step\": 7, \"d_lo";
  }
  const Checkpoint ck = load_checkpoint(Trainer::latest_checkpoint(dir / "run"));
  Trainer t(checkpoint_config(ck), ds, dir / "run", ck);
  ASSERT_TRUE(t.run(nullptr, false));
  std::ifstream stats(dir / "run" / "stats.jsonl");
  std::vector<int64_t> steps;
  for (std::string line; std::getline(stats, line);) steps.push_back(nlohmann::json::parse(line)["step"].get<int64_t>());
  EXPECT_EQ(steps, (std::vector<int64_t>{1, 2, 3, 4, 5, 6}));
}

TEST_F(TrainerTest, StopFlagSavesACheckpointAndKeepsTheNewest) {
  test::TempDir dir;
  auto cfg = tiny_config();
  cfg.checkpoint_every = 1;
  cfg.keep_checkpoints = 2;
  Trainer t(cfg, ds, dir / "run");
  for (int i = 0; i < 4; ++i) t.step(), t.save_checkpoint();
  int n = 0;
  for (const auto& e : fs::directory_iterator(dir / "run" / "checkpoints")) n += e.path().extension() == ".safetensors";
  EXPECT_EQ(n, 2);
  std::atomic<bool> stop{true};
  EXPECT_FALSE(t.run(&stop, false));
  EXPECT_EQ(Trainer::latest_checkpoint(dir / "run").filename(), "ckpt-00000004.safetensors");
}

namespace {
// Poisons one weight of G with NaN, as a diverged update would.
void poison_generator(Trainer& t) {
  torch::NoGradGuard no_grad;
  t.generator().parameters()[0].view({-1})[0] = std::numeric_limits<float>::quiet_NaN();
}
std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}
}  // namespace

TEST_F(TrainerTest, NanStopsTheRunNamingStepAndQuantityAndKeepsTheLastCheckpoint) {
  test::TempDir dir;
  auto cfg = tiny_config();
  cfg.steps = 8;
  Trainer t(cfg, ds, dir / "run");
  for (int i = 0; i < 3; ++i) t.step();
  const auto good = t.save_checkpoint();
  const auto bytes = read_file(good);
  poison_generator(t);
  const std::string what = error_of([&] { t.run(nullptr, false); });
  EXPECT_NE(what.find("diverged at step 4"), std::string::npos) << what;
  EXPECT_NE(what.find("NaN"), std::string::npos) << what;
  EXPECT_NE(what.find(good.string()), std::string::npos) << what;
  // Nothing written after the good checkpoint: it is the newest, byte for byte as it was.
  EXPECT_EQ(Trainer::latest_checkpoint(dir / "run"), good);
  EXPECT_EQ(read_file(good), bytes);
}

TEST_F(TrainerTest, RunawayLossStopsTheRun) {
  test::TempDir dir;
  auto cfg = tiny_config();
  cfg.steps = 30;
  cfg.optim.lr_g = cfg.optim.lr_d = 1e6;  // the blow-up
  Trainer t(cfg, ds, dir / "run");
  const std::string what = error_of([&] { t.run(nullptr, false); });
  EXPECT_NE(what.find("training diverged at step"), std::string::npos) << what;
  EXPECT_NE(what.find("no checkpoint was written before it"), std::string::npos) << what;
  EXPECT_FALSE(fs::exists(dir / "run" / "checkpoints"));
}

TEST_F(TrainerTest, RollbackReloadsTheLastCheckpointWithLowerLearningRates) {
  test::TempDir dir;
  auto cfg = tiny_config();
  cfg.steps = 7;
  cfg.divergence.policy = "rollback";
  cfg.divergence.lr_scale = 0.5;
  Trainer t(cfg, ds, dir / "run");
  for (int i = 0; i < 4; ++i) t.step();
  t.save_checkpoint();
  poison_generator(t);
  ASSERT_TRUE(t.run(nullptr, false));
  EXPECT_EQ(t.steps_done(), 7);
  EXPECT_DOUBLE_EQ(t.config().optim.lr_g, cfg.optim.lr_g * 0.5);
  const auto saved = nlohmann::json::parse(read_text(dir / "run" / "config.json"));
  EXPECT_DOUBLE_EQ(saved["optim"]["lr_d"].get<double>(), cfg.optim.lr_d * 0.5);  // a --resume keeps them
  const auto event = nlohmann::json::parse(read_text(dir / "run" / "events.jsonl"));
  EXPECT_EQ(event["event"], "rollback");
  EXPECT_EQ(event["step"], 5);
  EXPECT_EQ(event["to_step"], 4);
  for (const auto& p : t.generator().parameters()) EXPECT_TRUE(torch::isfinite(p).all().item<bool>());
}

TEST_F(TrainerTest, RollbackGivesUpAfterItsLimit) {
  test::TempDir dir;
  auto cfg = tiny_config();
  cfg.divergence.policy = "rollback";
  cfg.divergence.max_rollbacks = 0;
  Trainer t(cfg, ds, dir / "run");
  t.step();
  t.save_checkpoint();
  poison_generator(t);
  const std::string what = error_of([&] { t.run(nullptr, false); });
  EXPECT_NE(what.find("after 0 rollbacks"), std::string::npos) << what;
}

TEST(ResumePoint, ARunWithoutCheckpointRestartsFromItsConfig) {
  test::TempDir dir;
  fs::create_directories(dir / "run");
  TrainConfig cfg = test::tiny_preset("cdcgan");
  cfg.steps = 3;
  const std::string json = nlohmann::json(cfg).dump();
  write_atomic(dir / "run" / "config.json", json.data(), json.size());
  const ResumePoint r = resume_point(dir / "run");
  EXPECT_EQ(r.ckpt, nullptr);
  EXPECT_EQ(r.cfg.steps, 3);
  EXPECT_EQ(r.from, dir / "run" / "config.json");
  EXPECT_NE(error_of([&] { resume_point(dir / "nothing"); }).find("not found"), std::string::npos);
  fs::create_directories(dir / "empty");
  EXPECT_NE(error_of([&] { resume_point(dir / "empty"); }).find("not a run directory"), std::string::npos);
}

TEST_F(TrainerTest, CheckpointedGeneratorSamplesTheSame) {
  test::TempDir dir;
  Trainer t(tiny_config("dcgan"), ds, dir / "run");
  for (int i = 0; i < 2; ++i) t.step();
  const auto path = t.save_checkpoint();
  const auto labels = torch::tensor({0, 1, 2}, torch::kInt64);
  const auto a = generate(t.sampling_generator(), labels, 5);
  const LoadedGenerator lg = load_generator(path);
  EXPECT_FALSE(lg.config.g.conditional);
  EXPECT_EQ(lg.step, 2);
  EXPECT_TRUE(torch::equal(a, generate(*lg.g, labels, 5)));
  EXPECT_FALSE(torch::equal(a, generate(*lg.g, labels, 6)));
}

// Fine-tuning (--init): weights that fit are copied, a new class head starts fresh and is named,
// the EMA warm-up continues from the file's step, and the run resumes exactly like any other.
TEST_F(TrainerTest, InitCopiesWhatFitsAndNamesWhatStartsFresh) {
  test::TempDir dir;
  TrainConfig plain = tiny_config("sprite");  // a run without the class head, as before the preset had one
  plain.d.class_head = false;
  plain.loss.aux_class_weight = 0;
  Trainer src(plain, ds, dir / "src");
  for (int i = 0; i < 3; ++i) src.step();
  const auto ckpt = src.save_checkpoint();
  TrainConfig c = tiny_config("sprite");
  c.seed = 99;  // another init: only the copy can make the weights equal
  c.init_from = ckpt.string();
  c.d.class_head = true;
  c.loss.aux_class_weight = 1.0;
  Trainer t(c, ds, dir / "ft");
  EXPECT_EQ(t.config().init_step, 3);
  EXPECT_NE(t.init_summary().find("fresh: D.class_head.weight"), std::string::npos) << t.init_summary();
  auto same = [](torch::nn::Module& a, torch::nn::Module& b) {
    auto pb = b.named_parameters();
    for (const auto& p : a.named_parameters())
      if (pb.contains(p.key()) && !torch::equal(p.value(), pb[p.key()])) return false;
    return true;
  };
  EXPECT_TRUE(same(t.generator(), src.generator()));
  EXPECT_TRUE(same(t.sampling_generator(), src.sampling_generator()));
  EXPECT_TRUE(same(t.discriminator(), src.discriminator()));
  EXPECT_EQ(t.steps_done(), 0);
  // The first update's EMA decay is that of step 4, (1 + 4) / (10 + 4), not step 1's 2 / 11: the
  // warm-up continues from the file's step, so the copied G_ema is not overwritten by G.
  const auto before = t.sampling_generator().named_parameters()["out_conv.weight"].clone();
  const StepStats s = t.step();
  EXPECT_EQ(s.extra.count("aux_class"), 1u);
  const auto g = t.generator().named_parameters()["out_conv.weight"];
  const auto after = t.sampling_generator().named_parameters()["out_conv.weight"];
  EXPECT_TRUE(torch::allclose(after, (5.0 / 14) * before + (9.0 / 14) * g, 1e-5, 1e-6));
  // Resumed, the run keeps its init record and continues exactly.
  const auto mid = t.save_checkpoint();
  const StepStats resumed = [&] {
    Trainer r(checkpoint_config(load_checkpoint(mid)), ds, dir / "ft", load_checkpoint(mid));
    EXPECT_EQ(r.config().init_step, 3);
    EXPECT_EQ(r.config().init_from, ckpt.string());
    return r.step();
  }();
  Trainer reset(checkpoint_config(load_checkpoint(mid)), ds, dir / "ft", load_checkpoint(mid));  // the global RNG back
  const StepStats straight = t.step();
  EXPECT_EQ(resumed.d_loss, straight.d_loss);
  EXPECT_EQ(resumed.g_loss, straight.g_loss);
  // The fine-tune's model file counts its own steps and names the steps before it.
  export_generator(mid, dir / "ft.safetensors", nlohmann::json::object(), false);
  const auto ft_prov = nlohmann::json::parse(load_checkpoint(dir / "ft.safetensors").metadata.at("provenance"));
  EXPECT_EQ(ft_prov["steps"], 1);
  EXPECT_EQ(ft_prov["init_step"], 3);
  EXPECT_EQ(ft_prov["total_steps"], 4);
  EXPECT_EQ(ft_prov["init_from"], ckpt.filename().string());
  // A model file (G_ema only) initialises G as well; D stays fresh.
  const auto model = dir / "model.safetensors";
  export_generator(ckpt, model, nlohmann::json::object(), false);
  TrainConfig m = tiny_config("sprite");
  m.seed = 99;
  m.init_from = model.string();
  Trainer fm(m, ds, dir / "fm");
  EXPECT_TRUE(same(fm.generator(), src.sampling_generator()));
  EXPECT_FALSE(same(fm.discriminator(), src.discriminator()));
  EXPECT_NE(fm.init_summary().find("fresh: D."), std::string::npos) << fm.init_summary();
  // A file of other networks fits nothing: one line naming the flag.
  TrainConfig other = tiny_config("cdcgan");
  other.init_from = model.string();
  try {
    Trainer bad(other, ds, dir / "bad");
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("no tensor in it fits this model"), std::string::npos) << e.what();
  }
}

TEST(Autocast, GuardRunsLinearLayersInBfloat16AndRestores) {
  torch::nn::Linear lin(4, 3);
  const auto x = torch::randn({2, 4});
  {
    AutocastGuard on(torch::Device(torch::kCPU), true);
    EXPECT_EQ(lin->forward(x).scalar_type(), torch::kBFloat16);
    {
      AutocastGuard off(torch::Device(torch::kCPU), false);  // leaves it as it is
      EXPECT_EQ(lin->forward(x).scalar_type(), torch::kBFloat16);
    }
  }
  EXPECT_EQ(lin->forward(x).scalar_type(), torch::kFloat32);
  EXPECT_EQ(lin->weight.scalar_type(), torch::kFloat32);
}

// amp=bf16 on the CPU: the step's forwards run under autocast; losses stay finite and float32,
// weights float32 and updated. Presets cover the transposed convs, instance and batch norm, the
// AC-GAN head and the AE-GAN's encoder and latent D.
TEST_F(TrainerTest, Bfloat16AutocastStepsTrainEveryFamily) {
  for (const std::string name : {"cdcgan", "stylegan", "aegan-ac", "mlp"}) {
    SCOPED_TRACE(name);
    TrainConfig c = tiny_config(name);
    c.amp = "bf16";
    test::TempDir dir;
    Trainer t(c, ds, dir / "run");
    const auto before = t.generator().parameters()[0].clone();
    for (int i = 0; i < 3; ++i) {
      const StepStats s = t.step();
      EXPECT_TRUE(std::isfinite(s.d_loss) && std::isfinite(s.g_loss));
    }
    for (const auto& p : t.generator().parameters()) EXPECT_EQ(p.scalar_type(), torch::kFloat32);
    EXPECT_FALSE(torch::equal(before, t.generator().parameters()[0]));
  }
}

TEST(ConfigAmp, UnknownModeIsRefused) {
  TrainConfig c = preset("cdcgan");
  c.amp = "fp8";
  EXPECT_THROW(validate(c), Error);
}

}  // namespace pokegan
