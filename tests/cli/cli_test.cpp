// The pokegan program run as a user runs it, on a tiny sprite tree the test writes.
#include <gtest/gtest.h>

#include "pokegan/common/blas_env.h"
#include "pokegan/common/fs.h"
#include "pokegan/training/trainer.h"
#include "support/fixtures.h"

namespace pokegan {

namespace {

// A failure the way the CLI promises it: non-zero exit, one line starting "error:", no crash.
void expect_clean_error(const std::string& args, const std::string& must_mention) {
  std::string out;
  const int rc = test::run_cli(args, &out);
  EXPECT_NE(rc, 0) << args;
  EXPECT_LT(rc, 128) << "killed by a signal: " << args << "\n" << out;
  // Progress lines may come first; the error is the last line, alone, and the only one.
  ASSERT_FALSE(out.empty());
  ASSERT_EQ(out.back(), '\n') << out;
  const auto start = out.rfind('\n', out.size() - 2);
  const std::string last = out.substr(start == std::string::npos ? 0 : start + 1);
  EXPECT_EQ(last.rfind("error: ", 0), 0u) << out;
  EXPECT_EQ(out.find("error: "), start == std::string::npos ? 0 : start + 1) << out;
  EXPECT_EQ(out.find("terminate"), std::string::npos) << out;
  EXPECT_NE(last.find(must_mention), std::string::npos) << out;
}

}  // namespace

class Cli : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new test::TempDir();
    std::string out;
    ASSERT_EQ(test::prepare_tiny_data(dir_->path(), &out), 0) << out;
    ASSERT_EQ(test::run_cli("train --preset cdcgan --data " + data() + " --outdir " + (dir_->path() / "runs").string() +
                                " --steps 4 --batch 4 --name tiny --set g.base_channels=4 --set d.base_channels=4 --set g.z_dim=8"
                                " --set sample_every=2 --set checkpoint_every=2",
                            &out),
              0)
        << out;
  }
  static void TearDownTestSuite() { delete dir_; }
  static std::string raw() { return dir_->path().string(); }
  static std::string data() { return (dir_->path() / "d.safetensors").string(); }
  static fs::path run() { return dir_->path() / "runs" / "00000-tiny"; }
  static test::TempDir* dir_;
};
test::TempDir* Cli::dir_ = nullptr;

TEST_F(Cli, EveryCommandHasHelp) {
  for (const char* c : {"", "data", "data fetch", "data prepare", "data stats", "data export", "data import", "train", "sample", "presets"}) {
    std::string out;
    EXPECT_EQ(test::run_cli(std::string(c) + " --help", &out), 0) << c;
    EXPECT_NE(out.find("Usage"), std::string::npos) << c;
  }
}

TEST_F(Cli, TrainWritesTheRunDirectory) {
  EXPECT_TRUE(fs::exists(run() / "config.json"));
  EXPECT_TRUE(fs::exists(run() / "stats.jsonl"));
  EXPECT_TRUE(fs::exists(run() / "samples" / "fakes-00000002.png"));
  EXPECT_TRUE(fs::exists(run() / "checkpoints" / "ckpt-00000004.safetensors"));
}

TEST_F(Cli, SampleByTypeAndAll) {
  std::string out;
  const auto png = (dir_->path() / "fire.png").string();
  ASSERT_EQ(test::run_cli("sample --checkpoint " + run().string() + " --type fire --count 5 --seed 7 --out " + png +
                              " --individual " + (dir_->path() / "single").string(),
                          &out),
            0)
      << out;
  EXPECT_TRUE(fs::exists(png));
  EXPECT_TRUE(fs::exists(dir_->path() / "single" / "Fire-004.png"));
  const auto first = read_file(dir_->path() / "single" / "Fire-000.png");
  // Same seed, same sprites; and a Fire sprite is the same whether asked alone or with --type all.
  ASSERT_EQ(test::run_cli("sample --checkpoint " + run().string() + " --type all --count 5 --seed 7 --out " +
                              (dir_->path() / "all.png").string() + " --individual " + (dir_->path() / "all").string(),
                          &out),
            0)
      << out;
  EXPECT_EQ(read_file(dir_->path() / "all" / "Fire-000.png"), first);
  EXPECT_NE(read_file(dir_->path() / "all" / "Water-000.png"), first);
}

TEST_F(Cli, ResumeContinuesToTheNewTotal) {
  std::string out;
  ASSERT_EQ(test::run_cli("train --resume " + run().string() + " --steps 6", &out), 0) << out;
  EXPECT_TRUE(fs::exists(run() / "checkpoints" / "ckpt-00000006.safetensors"));
  EXPECT_NE(out.find("resuming"), std::string::npos);
}

TEST_F(Cli, CtrlCSavesACheckpointAndExitsCleanly) {
  std::string out;
  // SIGINT once training runs (its first stats line is written), however slow start-up is on a
  // loaded machine (a fixed 5 s failed once under ctest -j2 beside two training runs); the run
  // would otherwise go on for minutes. Up to 60 s of waiting, then SIGINT regardless.
  const std::string stats = (dir_->path() / "int" / "00000-cdcgan" / "stats.jsonl").string();
  const std::string wrap = "bash -c '\"$0\" \"$@\" & p=$!; for i in $(seq 600); do [ -s " + stats +
                           " ] && break; sleep 0.1; done; kill -INT $p; wait $p' ";
  const int rc = test::run_cli("train --preset cdcgan --data " + data() + " --outdir " + (dir_->path() / "int").string() +
                                   " --steps 1000000 --batch 4 --set g.base_channels=4 --set d.base_channels=4 --set g.z_dim=8"
                                   " --set sample_every=0 --set checkpoint_every=0",
                               &out, wrap);
  EXPECT_EQ(rc, 0) << out;
  EXPECT_NE(out.find("resume with: pokegan train --resume"), std::string::npos) << out;
  EXPECT_NO_THROW(Trainer::latest_checkpoint(dir_->path() / "int" / "00000-cdcgan"));
}

TEST_F(Cli, DataStatsExportImport) {
  std::string out;
  const auto stats = dir_->path() / "stats";
  ASSERT_EQ(test::run_cli("data stats --data " + data() + " --out " + stats.string(), &out), 0) << out;
  for (const char* f : {"counts.md", "counts.csv", "counts_raw.png", "counts_grouped.png", "sample_batch.png"})
    EXPECT_TRUE(fs::exists(stats / f)) << f;
  ASSERT_EQ(test::run_cli("data export --data " + data() + " --out " + (dir_->path() / "folder").string(), &out), 0) << out;
  EXPECT_TRUE(fs::exists(dir_->path() / "folder" / "Fire"));
  ASSERT_EQ(test::run_cli("data import --root " + (dir_->path() / "folder").string() + " --size 16 --out " +
                              (dir_->path() / "imported.safetensors").string(),
                          &out),
            0)
      << out;
  EXPECT_NE(out.find("13 classes"), std::string::npos) << out;
}

TEST_F(Cli, BadInputGetsOneLineErrors) {
  const auto d = dir_->path();
  expect_clean_error("train --preset cdcgan --data " + (d / "missing.safetensors").string(), "missing.safetensors");
  expect_clean_error("sample --checkpoint " + (d / "none.safetensors").string(), "none.safetensors");
  expect_clean_error("sample --checkpoint " + run().string() + " --type Lava", "valid: Normal, Fire");
  expect_clean_error("sample --checkpoint " + run().string() + " --type Fire --count -3", "--count");
  expect_clean_error("train --preset stylegan9 --data " + data(), "unknown preset 'stylegan9'");
  expect_clean_error("train --preset cdcgan --data " + data() + " --set g.widht=3", "g.widht");

  // A truncated checkpoint.
  auto bytes = read_file(run() / "checkpoints" / "ckpt-00000004.safetensors");
  bytes.resize(bytes.size() / 2);
  write_atomic(d / "cut.safetensors", bytes.data(), bytes.size());
  expect_clean_error("sample --checkpoint " + (d / "cut.safetensors").string(), "truncated");

  // A corrupt GIF in the sprite tree.
  test::TempDir bad;
  test::make_raw_dir(bad.path());
  write_atomic(bad / "sprites" / "25.gif", "GIF89a\x10\x00", 8);
  expect_clean_error("data prepare --raw " + bad.path().string() + " --size 16 --out " + (bad / "x.safetensors").string(), "25.gif");
  EXPECT_FALSE(fs::exists(bad / "x.safetensors"));  // nothing half-written
  expect_clean_error("data prepare --raw " + (d / "nowhere").string(), "data fetch");

  // The evaluation and device commands.
  expect_clean_error("eval --checkpoint " + run().string() + " --data " + data() + " --classifier " +
                         (run() / "checkpoints" / "ckpt-00000004.safetensors").string(),
                     "not a type-classifier checkpoint");
  expect_clean_error("report --runs " + d.string() + " --out " + (d / "report").string(), "not a run directory");
  expect_clean_error("sample --checkpoint " + run().string() + " --device tpu", "unknown --device 'tpu'");

  // Numbers: caps named in the error, no wrap-around, no zero columns.
  expect_clean_error("sample --checkpoint " + run().string() + " --count 100000000", "1024");
  expect_clean_error("sample --checkpoint " + run().string() + " --seed -1", "--seed");
  expect_clean_error("sample --checkpoint " + run().string() + " --cols 0", "--cols");
  expect_clean_error("sample --checkpoint " + run().string() + " --cols -1", "--cols");
  expect_clean_error("eval --checkpoint " + run().string() + " --data " + data() + " --classifier x --samples 100000000", "--samples");
  expect_clean_error("train --preset cdcgan --data " + data() + " --batch 0", "--batch");
  std::string help;
  test::run_cli("sample --help", &help);
  EXPECT_NE(help.find("[1 - 1024]"), std::string::npos) << help;
}

TEST_F(Cli, DivergenceExitsNonZeroNamingTheStep) {
  expect_clean_error("train --preset cdcgan-quick --data " + data() + " --outdir " + (dir_->path() / "div").string() +
                         " --steps 100 --batch 4 --set g.base_channels=4 --set d.base_channels=4 --set g.z_dim=8"
                         " --set optim.lr_g=1e6 --set optim.lr_d=1e6 --quiet",
                     "training diverged at step");
}

TEST_F(Cli, ResumeBeforeTheFirstCheckpointStartsFromStepZero) {
  const auto dir = dir_->path() / "early" / "00000-early";
  fs::create_directories(dir);
  fs::copy_file(run() / "config.json", dir / "config.json");
  std::string out;
  ASSERT_EQ(test::run_cli("train --resume " + dir.string() + " --steps 2 --quiet", &out), 0) << out;
  EXPECT_NE(out.find("starting it again from step 0"), std::string::npos) << out;
  EXPECT_TRUE(fs::exists(dir / "checkpoints" / "ckpt-00000002.safetensors"));
}

// The test process itself runs whatever kernels OpenBLAS picked; the program re-executes itself
// with OPENBLAS_CORETYPE set when those are weaker than the CPU supports.
TEST_F(Cli, ProgramRunsTheOpenBlasKernelsTheCpuSupports) {
  if (std::getenv("OPENBLAS_CORETYPE")) GTEST_SKIP() << "OPENBLAS_CORETYPE is set here: the user's choice is kept";
  const std::string want = better_blas_core();
  if (want.empty()) GTEST_SKIP() << "OpenBLAS absent, or its kernels already fit this CPU (" << blas_core_name() << ")";
  std::string out;
  ASSERT_EQ(test::run_cli("bench --blas-core", &out), 0) << out;
  EXPECT_EQ(out.substr(0, out.find('\n')), want);
  ASSERT_EQ(test::run_cli("bench --blas-core", &out, "env POKEGAN_NO_BLAS_TUNING=1 "), 0) << out;
  EXPECT_EQ(out.substr(0, out.find('\n')), blas_core_name());  // tuning off: the same as this process
}

}  // namespace pokegan
