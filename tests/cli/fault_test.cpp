// Fault injection: the program killed with SIGKILL at seeded random moments and resumed, a file-size
// limit hit while a checkpoint is written, an output directory that cannot be written, and a
// dataset that changes under a run. Each must end in a clear one-line error or an exact resume,
// with nothing good lost.
#include <gtest/gtest.h>

#include <random>

#include "pokegan/common/fs.h"
#include "pokegan/io/checkpoint.h"
#include "pokegan/training/trainer.h"
#include "support/fixtures.h"

namespace pokegan {

namespace {

const char* kTiny =
    " --steps 24 --batch 4 --set g.base_channels=4 --set d.base_channels=4 --set g.z_dim=8"
    " --set checkpoint_every=1 --set sample_every=0 --quiet";

// Every tensor of two checkpoints equal, bit for bit.
void expect_same_checkpoint(const fs::path& a, const fs::path& b) {
  const Checkpoint x = load_checkpoint(a), y = load_checkpoint(b);
  ASSERT_EQ(x.tensors.size(), y.tensors.size());
  for (const auto& [k, v] : x.tensors) {
    ASSERT_TRUE(y.tensors.count(k)) << k;
    EXPECT_TRUE(torch::equal(v, y.tensors.at(k))) << k;
  }
}

std::string last_line(const std::string& out) {
  const auto end = out.find_last_not_of('\n');
  const auto start = out.rfind('\n', end);
  return out.substr(start == std::string::npos ? 0 : start + 1, end - (start == std::string::npos ? 0 : start + 1) + 1);
}

}  // namespace

class Fault : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new test::TempDir();
    std::string out;
    ASSERT_EQ(test::prepare_tiny_data(dir_->path(), &out), 0) << out;
  }
  static void TearDownTestSuite() { delete dir_; }
  static std::string data() { return (dir_->path() / "d.safetensors").string(); }
  static std::string train(const fs::path& outdir, const std::string& name) {
    return "train --preset cdcgan --data " + data() + " --outdir " + outdir.string() + " --name " + name + kTiny;
  }
  static test::TempDir* dir_;
};
test::TempDir* Fault::dir_ = nullptr;

TEST_F(Fault, KillNineAtRandomMomentsThenResumeIsBitExact) {
  test::TempDir work;
  std::string out;
  ASSERT_EQ(test::run_cli(train(work / "a", "run"), &out), 0) << out;
  const fs::path straight = work / "a" / "00000-run";

  // The same run, killed with SIGKILL at 4 seeded random moments (process start included: some land
  // before the first checkpoint, some mid-write), each time resumed; then resumed to the end.
  std::mt19937 rng(20261127);
  std::uniform_real_distribution<double> when(0.3, 2.5);
  const fs::path killed = work / "b" / "00000-run";
  // Resume the killed run, or start it where no kill left anything to resume: killed between making
  // the run directory and writing its config.json, or (a sanitizer build on a loaded machine) before
  // the directory existed at all.
  auto resume_or_start = [&] {
    if (fs::exists(killed) && !fs::exists(killed / "config.json")) fs::remove_all(killed);
    return fs::exists(killed) ? "train --resume " + killed.string() + " --quiet" : train(work / "b", "run");
  };
  for (int i = 0; i < 4; ++i) {
    char wrap[64];
    std::snprintf(wrap, sizeof wrap, "timeout -s KILL %.2f ", when(rng));
    test::run_cli(resume_or_start(), &out, wrap);
  }
  ASSERT_EQ(test::run_cli(resume_or_start(), &out), 0) << out;
  expect_same_checkpoint(Trainer::latest_checkpoint(straight), Trainer::latest_checkpoint(killed));
  EXPECT_EQ(Trainer::latest_checkpoint(killed).filename(), "ckpt-00000024.safetensors");
}

TEST_F(Fault, FileSizeLimitWhileCheckpointingKeepsThePreviousCheckpoint) {
  test::TempDir work;
  std::string out;
  const std::string first = "train --preset cdcgan --data " + data() + " --outdir " + (work / "r").string() +
                            " --name run --steps 2 --batch 4 --set g.base_channels=4 --set d.base_channels=4"
                            " --set g.z_dim=8 --set checkpoint_every=2 --set sample_every=0 --quiet";
  ASSERT_EQ(test::run_cli(first, &out), 0) << out;
  const fs::path run = work / "r" / "00000-run";
  const fs::path good = Trainer::latest_checkpoint(run);
  const auto bytes = read_file(good);
  // ulimit -f counts 1 KiB blocks in bash: half the checkpoint's size.
  const std::string wrap = "bash -c 'ulimit -f " + std::to_string(bytes.size() / 2048) + "; exec \"$0\" \"$@\"' ";
  const int rc = test::run_cli("train --resume " + run.string() + " --steps 4 --quiet", &out, wrap);
  EXPECT_NE(rc, 0) << out;
  EXPECT_LT(rc, 128) << "killed by a signal\n" << out;
  EXPECT_EQ(last_line(out).rfind("error: cannot write ", 0), 0u) << out;
  EXPECT_NE(out.find("File too large"), std::string::npos) << out;
  EXPECT_EQ(Trainer::latest_checkpoint(run), good);
  EXPECT_EQ(read_file(good), bytes);
  for (const auto& e : fs::directory_iterator(run / "checkpoints"))
    EXPECT_EQ(e.path().filename().string().find(".tmp-"), std::string::npos) << "temp file left: " << e.path();
}

TEST_F(Fault, UnwritableOutputDirectoryIsAOneLineError) {
  std::string out;
  // /proc refuses new directories even to root (CI runs as root, so a chmod would not stop it).
  const int rc = test::run_cli(train("/proc/pokegan-runs", "run"), &out);
  EXPECT_NE(rc, 0) << out;
  EXPECT_LT(rc, 128) << out;
  EXPECT_EQ(last_line(out).rfind("error: ", 0), 0u) << out;
  EXPECT_NE(last_line(out).find("/proc/pokegan-runs"), std::string::npos) << out;
}

TEST_F(Fault, ResumeOnAChangedDatasetIsRefusedWithTheReason) {
  test::TempDir work;
  std::string out;
  const fs::path copy = work / "d.safetensors";
  fs::copy_file(data(), copy);
  ASSERT_EQ(test::run_cli("train --preset cdcgan --data " + copy.string() + " --outdir " + (work / "r").string() +
                              " --name run --steps 2 --batch 4 --set g.base_channels=4 --set d.base_channels=4"
                              " --set g.z_dim=8 --set checkpoint_every=2 --set sample_every=0 --quiet",
                          &out),
            0)
      << out;
  // Same classes and size, other pixels: a dataset rebuilt or edited between runs.
  Dataset ds = Dataset::load(copy);
  for (auto& p : ds.images) p = static_cast<uint8_t>(255 - p);
  ds.save(copy);
  const int rc = test::run_cli("train --resume " + (work / "r" / "00000-run").string() + " --steps 4 --quiet", &out);
  EXPECT_NE(rc, 0) << out;
  EXPECT_NE(last_line(out).find("has changed since this run was checkpointed"), std::string::npos) << out;
}

}  // namespace pokegan
