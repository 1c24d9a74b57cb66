// Distributed training (training/distributed.h), end to end through the program: workers are real
// processes on loopback (c10d TCPStore + ProcessGroupGloo), as torchrun would start them.
#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <map>
#include <thread>

#include "pokegan/common/error.h"
#include "pokegan/common/fs.h"
#include "pokegan/io/checkpoint.h"
#include "pokegan/training/distributed.h"
#include "pokegan/training/trainer.h"
#include "support/fixtures.h"

namespace pokegan {

namespace {

DistEnv env_of(const std::map<std::string, std::string>& vars) {
  return dist_env([&](const char* k) -> const char* {
    const auto it = vars.find(k);
    return it == vars.end() ? nullptr : it->second.c_str();
  });
}

std::string error_of(const std::map<std::string, std::string>& vars) {
  try {
    env_of(vars);
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

// A loopback port nobody listens on (the kernel's pick), or a socket held listening on one.
int listening_socket(int* port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_ANY);
  socklen_t len = sizeof a;
  ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  ::listen(fd, 4);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  *port = ntohs(a.sin_port);
  return fd;
}
int free_port() {
  int port = 0;
  ::close(listening_socket(&port));
  return port;
}

// The largest |a - b| over every tensor two checkpoints share, except the ones named in `skip`;
// throws when their key sets differ.
double max_difference(const fs::path& a, const fs::path& b, const std::vector<std::string>& skip) {
  const Checkpoint x = load_checkpoint(a), y = load_checkpoint(b);
  EXPECT_EQ(x.tensors.size(), y.tensors.size());
  double worst = 0;
  for (const auto& [k, v] : x.tensors) {
    if (std::find(skip.begin(), skip.end(), k) != skip.end()) continue;
    if (!y.tensors.count(k)) throw Error("missing " + k);
    const auto& w = y.tensors.at(k);
    if (v.sizes() != w.sizes()) throw Error("shape of " + k);
    if (v.numel() == 0) continue;
    worst = std::max(worst, (v.to(torch::kFloat64) - w.to(torch::kFloat64)).abs().max().item<double>());
  }
  return worst;
}

const char* kTinyCdcgan = " --set g.base_channels=4 --set d.base_channels=4 --set g.z_dim=8";
const char* kTinySprite =
    " --set g.z_dim=12 --set g.base_channels=4 --set g.class_embed_dim=4 --set g.mapping_hidden=8 --set g.w_dim=8"
    " --set g.max_channels=16 --set g.lambda_c=[] --set d.base_channels=4 --set d.class_embed_dim=4"
    " --set d.max_channels=16";

}  // namespace

TEST(DistEnv, UnsetOrWorldSizeOneIsASingleProcess) {
  EXPECT_FALSE(env_of({}).distributed());
  EXPECT_FALSE(env_of({{"WORLD_SIZE", "1"}, {"RANK", "0"}}).distributed());
  const DistEnv e = env_of({{"WORLD_SIZE", "4"}, {"RANK", "3"}, {"LOCAL_RANK", "1"}, {"MASTER_ADDR", "10.0.0.1"},
                            {"MASTER_PORT", "29500"}});
  EXPECT_TRUE(e.distributed());
  EXPECT_EQ(e.rank, 3);
  EXPECT_EQ(e.local_rank, 1);
  EXPECT_EQ(e.master_addr, "10.0.0.1");
  EXPECT_EQ(e.master_port, 29500);
}

TEST(DistEnv, BadLaunchEnvironmentsAreOneLineErrors) {
  const std::map<std::string, std::string> ok = {
      {"WORLD_SIZE", "2"}, {"RANK", "1"}, {"MASTER_ADDR", "127.0.0.1"}, {"MASTER_PORT", "29500"}};
  auto without = [&](const char* k) { auto v = ok; v.erase(k); return v; };
  auto with = [&](const char* k, const char* val) { auto v = ok; v[k] = val; return v; };
  EXPECT_NE(error_of(without("MASTER_ADDR")).find("MASTER_ADDR is not set"), std::string::npos);
  EXPECT_NE(error_of(without("MASTER_PORT")).find("MASTER_PORT is not set"), std::string::npos);
  EXPECT_NE(error_of(without("RANK")).find("RANK is not set"), std::string::npos);
  EXPECT_NE(error_of(with("RANK", "2")).find("RANK=2 is not below WORLD_SIZE=2"), std::string::npos);
  EXPECT_NE(error_of(with("RANK", "-1")).find("RANK=-1 is not a whole number"), std::string::npos);
  EXPECT_NE(error_of(with("MASTER_PORT", "70000")).find("MASTER_PORT=70000"), std::string::npos);
  EXPECT_NE(error_of(with("WORLD_SIZE", "two")).find("WORLD_SIZE=two"), std::string::npos);
  EXPECT_EQ(error_of(ok), "");
}

// The backend choice and each rank's device (both testable without a GPU; the NCCL path itself
// runs only on a CUDA build, docs/distributed.md).
TEST(DistBackend, AutoIsGlooOnTheCpuAndNcclOnlyWhereBuiltAndOnCuda) {
  const c10::Device cpu(c10::kCPU), cuda(c10::kCUDA);
  EXPECT_EQ(dist_backend("auto", cpu), "gloo");
  EXPECT_EQ(dist_backend("gloo", cpu), "gloo");
  EXPECT_EQ(dist_backend("auto", cuda), nccl_available() ? "nccl" : "gloo");
  auto error = [](const std::string& b, const c10::Device& d) {
    try {
      dist_backend(b, d);
    } catch (const Error& e) {
      return std::string(e.what());
    }
    return std::string();
  };
  EXPECT_NE(error("nccl", cpu).find("--dist-backend nccl needs a CUDA device"), std::string::npos);
  EXPECT_NE(error("mpi", cpu).find("unknown --dist-backend 'mpi' (valid: auto, gloo, nccl)"), std::string::npos);
  if (!nccl_available()) EXPECT_NE(error("nccl", cuda).find("unavailable in this build"), std::string::npos);
  EXPECT_EQ(error("nccl", cpu).find('\n'), std::string::npos);
}

TEST(DistBackend, EachRankTakesTheGpuOfItsLocalRank) {
  const DistEnv two = env_of({{"WORLD_SIZE", "4"}, {"RANK", "3"}, {"LOCAL_RANK", "1"}, {"MASTER_ADDR", "10.0.0.1"},
                              {"MASTER_PORT", "29500"}});
  EXPECT_EQ(rank_device(c10::Device(c10::kCUDA), two), c10::Device(c10::kCUDA, 1));
  EXPECT_EQ(rank_device(c10::Device(c10::kCUDA, 0), two), c10::Device(c10::kCUDA, 0));  // an explicit index is kept
  EXPECT_EQ(rank_device(c10::Device(c10::kCPU), two), c10::Device(c10::kCPU));
  EXPECT_EQ(rank_device(c10::Device(c10::kCUDA), env_of({})), c10::Device(c10::kCUDA));  // not distributed
}

TEST(DistBackend, NcclOnTheCpuIsRefusedByTrainWithOneLine) {
  std::string out;
  EXPECT_NE(test::run_cli("train --preset cdcgan-quick --data nowhere.safetensors --dist-backend nccl", &out), 0);
  EXPECT_NE(out.find("error: --dist-backend nccl needs a CUDA device"), std::string::npos) << out;
}

class Distributed : public ::testing::Test {
 public:
  static void SetUpTestSuite() {
    dir_ = new test::TempDir();
    std::string out;
    ASSERT_EQ(test::prepare_tiny_data(dir_->path(), &out), 0) << out;
  }
  static void TearDownTestSuite() { delete dir_; }
  static std::string data() { return (dir_->path() / "d.safetensors").string(); }
  static std::string train(const std::string& preset, const fs::path& outdir, const std::string& extra) {
    return "train --preset " + preset + " --data " + data() + " --outdir " + outdir.string() + " --name run" +
           (preset == "sprite" ? kTinySprite : kTinyCdcgan) + " --set sample_every=0 --quiet " + extra;
  }
  static void skip_without_gloo() {
    if (!dist_available()) GTEST_SKIP() << "built without Gloo (libgloo-dev)";
  }
  static test::TempDir* dir_;
};
test::TempDir* Distributed::dir_ = nullptr;

// Two processes at global batch B against one process at batch B in two micro-batches: the same
// shards, the same per-shard BatchNorm statistics and random draws, gradients summed in the same
// order. Every weight, Adam moment, buffer and the EMA must agree (tolerance 1e-6 absolute; the
// sums are the same floating-point operations, so the expected difference is 0).
void expect_equivalent(const std::string& preset, int batch, const std::string& extra = "") {
  test::TempDir work;
  std::string out;
  const std::string common = " --steps 3 --batch " + std::to_string(batch) + " --set checkpoint_every=0" + extra;
  ASSERT_EQ(test::run_cli(Distributed::train(preset, work / "two", common) + " --nproc 2", &out), 0) << out;
  ASSERT_EQ(test::run_cli(Distributed::train(preset, work / "one", common) + " --set micro_batches=2", &out), 0) << out;
  ASSERT_EQ(test::run_cli(Distributed::train(preset, work / "plain", common), &out), 0) << out;
  const auto two = Trainer::latest_checkpoint(work / "two" / "00000-run");
  const auto one = Trainer::latest_checkpoint(work / "one" / "00000-run");
  const auto plain = Trainer::latest_checkpoint(work / "plain" / "00000-run");
  // rng.torch is where each process's last re-seed left the default generator; nothing reads it
  // in sharded mode.
  const double d = max_difference(two, one, {"rng.torch"});
  EXPECT_LE(d, 1e-6) << preset;
  std::printf("[ %s ] max |2 processes - 1 process x 2 micro-batches| = %g\n", preset.c_str(), d);
  // And the comparison is not vacuous: a plain batch-B process (one shard, one BN batch) differs.
  EXPECT_GT(max_difference(two, plain, {"rng.torch"}), 1e-4) << preset;
}

TEST_F(Distributed, TwoProcessesMatchOneProcessWithTwoMicroBatchesCdcgan) {
  skip_without_gloo();
  expect_equivalent("cdcgan", 4);
}

TEST_F(Distributed, TwoProcessesMatchOneProcessWithTwoMicroBatchesSprite) {
  skip_without_gloo();
  expect_equivalent("sprite", 8);
}

// ADA's p moves by the sign sums of all shards (allreduced); at 10 images per unit it moves every
// step, and the checkpoints compared hold it (objective.ada_p).
TEST_F(Distributed, TwoProcessesMatchOneProcessWithTwoMicroBatchesSpriteWithAda) {
  skip_without_gloo();
  expect_equivalent("sprite", 8,
                    " --set augment.ada_target=0.01 --set augment.ada_kimg=0.01 --set augment.ada_interval=1");
}

TEST_F(Distributed, RankZeroAloneWritesAndAResumeAtTheSameWorldSizeIsExact) {
  skip_without_gloo();
  test::TempDir work;
  std::string out;
  ASSERT_EQ(test::run_cli(train("cdcgan", work / "a", "--steps 4 --batch 4 --set checkpoint_every=2 --nproc 2"), &out), 0) << out;
  // One run directory, one copy of each file: the second rank wrote nothing.
  std::vector<std::string> entries;
  for (const auto& e : fs::directory_iterator(work / "a")) entries.push_back(e.path().filename().string());
  EXPECT_EQ(entries, std::vector<std::string>{"00000-run"});
  const fs::path straight = work / "a" / "00000-run";
  EXPECT_EQ(Trainer::latest_checkpoint(straight).filename(), "ckpt-00000004.safetensors");

  ASSERT_EQ(test::run_cli(train("cdcgan", work / "b", "--steps 2 --batch 4 --set checkpoint_every=2 --nproc 2"), &out), 0) << out;
  const fs::path resumed = work / "b" / "00000-run";
  ASSERT_EQ(test::run_cli("train --resume " + resumed.string() + " --steps 4 --quiet --nproc 2", &out), 0) << out;
  EXPECT_EQ(max_difference(Trainer::latest_checkpoint(straight), Trainer::latest_checkpoint(resumed), {}), 0.0);

  // Another world size continues from the same step, with the shards dealt anew.
  ASSERT_EQ(test::run_cli("train --resume " + resumed.string() + " --steps 6 --quiet", &out), 0) << out;
  EXPECT_EQ(Trainer::latest_checkpoint(resumed).filename(), "ckpt-00000006.safetensors");
}

// Under torchrun the launcher's agent serves the store and every rank is a client
// (TORCHELASTIC_USE_AGENT_STORE=True). Debian's torchrun 1.13 fails on Python 3.11 before starting
// anything, so tests/support/torchelastic_agent.py plays the agent with PyTorch-Python's own TCPStore.
TEST_F(Distributed, RanksJoinThroughATorchElasticAgentStore) {
  skip_without_gloo();
  if (std::system("/usr/bin/python3 -c 'import torch.distributed' 2>/dev/null") != 0) GTEST_SKIP() << "no python3-torch";
  test::TempDir work;
  const std::string cmd = "/usr/bin/python3 " + std::string(POKEGAN_SOURCE_DIR) + "/tests/support/torchelastic_agent.py " +
                          std::to_string(free_port()) + " 2 " + POKEGAN_BIN + " --threads 1 " +
                          train("cdcgan", work / "t", "--steps 2 --batch 4 --set checkpoint_every=0") + " 2>&1";
  EXPECT_EQ(std::system(cmd.c_str()), 0);
  EXPECT_EQ(Trainer::latest_checkpoint(work / "t" / "00000-run").filename(), "ckpt-00000002.safetensors");
}

TEST_F(Distributed, KillingOneWorkerEndsTheOtherWithinTheTimeout) {
  skip_without_gloo();
  test::TempDir work;
  const int port = free_port();
  const std::string vars = "env WORLD_SIZE=2 MASTER_ADDR=127.0.0.1 MASTER_PORT=" + std::to_string(port);
  // Rank 1 is killed with SIGKILL mid-training: only once rank 0 has written config.json, which it
  // does after the group join, so the kill cannot land during a slow start (an ASan build on a
  // loaded machine took more than 4 s to join). Rank 1 runs without a `timeout` wrapper so that its
  // pid is the program's own (env execs it). Rank 0, guarded by a 150 s timeout, must notice within
  // --dist-timeout 20 and exit non-zero on its own; a rank 1 left alive by a failed assertion ends
  // by the same timeout once rank 0 is gone.
  const std::string run = train("cdcgan", work / "k", "--steps 1000000 --batch 4 --set checkpoint_every=0 --dist-timeout 20");
  const std::string cmd = "cd " + work.path().string() + " && { " + vars + " RANK=1 " + POKEGAN_BIN + " --threads 1 " + run +
                          " >rank1.log 2>&1 & echo $! > rank1.pid; } && { " + vars +
                          " RANK=0 timeout 150 " + POKEGAN_BIN + " --threads 1 " + run +
                          " >rank0.log 2>&1; echo $? > rank0.rc.tmp; mv rank0.rc.tmp rank0.rc; } &";
  ASSERT_EQ(std::system(cmd.c_str()), 0);
  auto wait_for = [](const fs::path& p, double limit) {
    const auto t0 = std::chrono::steady_clock::now();
    while (!fs::exists(p) && std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count() < limit)
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    return fs::exists(p);
  };
  const bool joined = wait_for(work / "k" / "00000-run" / "config.json", 120);
  std::this_thread::sleep_for(std::chrono::seconds(2));  // a few steps into training
  ASSERT_TRUE(wait_for(work / "rank1.pid", 1));
  const std::string kill = "kill -KILL " + read_text(work / "rank1.pid");
  const auto t_kill = std::chrono::steady_clock::now();
  std::system(kill.c_str());
  ASSERT_TRUE(wait_for(work / "rank0.rc", 160)) << read_text(work / "rank0.log");
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t_kill).count();
  const std::string log = read_text(work / "rank0.log");
  ASSERT_TRUE(joined) << "the ranks never joined\n" << log << read_text(work / "rank1.log");
  const int rc = std::stoi(read_text(work / "rank0.rc"));
  EXPECT_NE(rc, 0) << log;
  EXPECT_NE(rc, 124) << "rank 0 hung until the guard timeout\n" << log;
  EXPECT_LT(secs, 60) << log;
  EXPECT_NE(log.find("error: distributed"), std::string::npos) << log;
}

TEST_F(Distributed, BadLaunchEnvironmentsFailWithOneLine) {
  test::TempDir work;
  std::string out;
  const std::string run = train("cdcgan", work / "e", "--steps 2 --batch 4 --dist-timeout 5");
  EXPECT_EQ(test::run_cli(run, &out, "env WORLD_SIZE=2 RANK=0 MASTER_PORT=29511 "), 1) << out;
  EXPECT_NE(out.find("error: MASTER_ADDR is not set"), std::string::npos) << out;
  EXPECT_EQ(test::run_cli(run, &out, "env WORLD_SIZE=2 RANK=2 MASTER_ADDR=127.0.0.1 MASTER_PORT=29511 "), 1) << out;
  EXPECT_NE(out.find("error: RANK=2 is not below WORLD_SIZE=2"), std::string::npos) << out;
  if (!dist_available()) return;
  int port = 0;
  const int held = listening_socket(&port);
  EXPECT_EQ(test::run_cli(run, &out, "env WORLD_SIZE=2 RANK=0 MASTER_ADDR=127.0.0.1 MASTER_PORT=" + std::to_string(port) + " "), 1)
      << out;
  EXPECT_NE(out.find("error: rank 0 cannot serve the rendezvous"), std::string::npos) << out;
  EXPECT_NE(out.find("already taken"), std::string::npos) << out;
  ::close(held);
  // --batch must split into the shards.
  EXPECT_EQ(test::run_cli(train("cdcgan", work / "f", "--steps 2 --batch 3 --nproc 2"), &out), 1) << out;
  EXPECT_NE(out.find("does not split into 2 shards"), std::string::npos) << out;
}

}  // namespace pokegan
