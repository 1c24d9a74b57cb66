#include "pokegan/perf/bench.h"

#include <gtest/gtest.h>

#include <torch/cuda.h>

#include <cstdlib>

#include "pokegan/common/device.h"
#include "pokegan/common/error.h"
#include "pokegan/common/memory.h"
#include "pokegan/common/threads.h"

namespace pokegan {

TEST(Bench, MedianOfOddAndEvenCounts) {
  EXPECT_DOUBLE_EQ(median({3, 1, 2}), 2.0);
  EXPECT_DOUBLE_EQ(median({4, 1, 3, 2}), 2.5);
  EXPECT_DOUBLE_EQ(median({}), 0.0);
}

TEST(Bench, RunsATinyPresetAndMeasuresEverything) {
  set_threads(1);
  BenchOptions o;
  o.preset = "cdcgan-quick";
  o.sets = {"g.base_channels=4", "d.base_channels=4"};
  o.size = 16;
  o.batch = 4;
  o.classes = 3;
  o.warmup = 0;
  o.steps = 2;
  o.sample_count = 6;
  o.sample_reps = 2;
  const BenchResult r = run_bench(o);
  EXPECT_GT(r.img_per_s, 0);
  EXPECT_NEAR(r.img_per_s, o.batch / (r.step_ms / 1000.0), 1e-6 * r.img_per_s);
  EXPECT_GT(r.sample_ms, 0);
  EXPECT_GT(r.sgemm_gflops, 0);
  o.mkldnn = "maybe";
  EXPECT_THROW(run_bench(o), Error);
}

TEST(Device, ParsesCpuAndRefusesUnknownOrMissingDevices) {
  EXPECT_EQ(parse_device("cpu"), c10::Device(c10::kCPU));
  EXPECT_THROW(parse_device("tpu"), Error);
  if (!torch::cuda::is_available()) EXPECT_THROW(parse_device("cuda"), Error);
}

TEST(Bench, RefusesACudaDeviceWithoutCuda) {
  if (torch::cuda::is_available()) GTEST_SKIP() << "a GPU is visible";
  BenchOptions o;
  o.device = "cuda";
  EXPECT_THROW(run_bench(o), Error);
}

TEST(Memory, GlibcTakesTheSettingsUnlessTurnedOff) {
#if defined(__SANITIZE_ADDRESS__)
  GTEST_SKIP() << "ASan's allocator replaces glibc's malloc: mallopt() has nothing to set";
#endif
  ::setenv("POKEGAN_NO_MALLOC_TUNING", "1", 1);
  EXPECT_FALSE(keep_freed_memory_in_heap());
  ::unsetenv("POKEGAN_NO_MALLOC_TUNING");
  EXPECT_TRUE(keep_freed_memory_in_heap());
}

}  // namespace pokegan
