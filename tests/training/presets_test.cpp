// Every preset trains a few steps on tiny data with finite losses, and its checkpoint survives a
// save/load round trip (resuming from it continues the same run).
#include <gtest/gtest.h>

#include <cmath>

#include "pokegan/common/threads.h"
#include "pokegan/training/presets.h"
#include "pokegan/training/sampler.h"
#include "pokegan/training/trainer.h"
#include "support/fixtures.h"

namespace pokegan {

class EveryPreset : public ::testing::TestWithParam<std::string> {};

TEST_P(EveryPreset, TrainsAndRoundTripsItsCheckpoint) {
  set_threads(1);
  const Dataset ds = test::tiny_dataset(6, 3, 16);
  TrainConfig c = test::tiny_preset(GetParam());
  c.steps = 4, c.seed = 3;
  test::TempDir dir;
  std::vector<StepStats> straight;
  {
    Trainer t(c, ds, dir / "a");
    for (int i = 0; i < 4; ++i) {
      straight.push_back(t.step());
      EXPECT_TRUE(std::isfinite(straight.back().d_loss)) << GetParam();
      EXPECT_TRUE(std::isfinite(straight.back().g_loss)) << GetParam();
      for (const auto& [k, v] : straight.back().extra) EXPECT_TRUE(std::isfinite(v)) << k;
    }
  }
  Trainer t(c, ds, dir / "b");
  t.step(), t.step();
  const auto path = t.save_checkpoint();
  const auto labels = torch::tensor({0, 1, 2}, torch::kInt64);
  const auto before = generate(t.sampling_generator(), labels, 9);
  const LoadedGenerator lg = load_generator(path);
  EXPECT_TRUE(torch::equal(before, generate(*lg.g, labels, 9))) << GetParam();
  const Checkpoint ck = load_checkpoint(path);
  Trainer resumed(checkpoint_config(ck), ds, dir / "b", ck);
  for (int i = 2; i < 4; ++i) EXPECT_EQ(resumed.step().g_loss, straight[i].g_loss) << GetParam() << " step " << i + 1;
}

INSTANTIATE_TEST_SUITE_P(Presets, EveryPreset, ::testing::ValuesIn(preset_names()),
                         [](const auto& info) {
                           std::string n = info.param;
                           for (auto& ch : n) if (ch == '-') ch = '_';
                           return n;
                         });

}  // namespace pokegan
