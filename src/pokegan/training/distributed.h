// Data-parallel training on PyTorch's own distributed engine, c10d (Gloo on CPU, NCCL on CUDA), from C++.
// docs/distributed.md has the design; in short:
//   - processes are launched as torchrun launches them: RANK, WORLD_SIZE, LOCAL_RANK, MASTER_ADDR,
//     MASTER_PORT in the environment; rendezvous through c10d's TCPStore (rank 0 serves it);
//   - `pokegan train --nproc N` is the one-machine shortcut: launch_local() re-executes the program
//     N times on loopback with those variables;
//   - the trainer (training/trainer.h) takes a Comm: it allreduces gradients, broadcasts rank 0's
//     weights and buffers, and agrees on stop decisions through it.
// A build without Gloo (Debian: libgloo-dev) still builds: connect() then throws "unavailable".
// NCCL is compiled in only against a CUDA LibTorch whose ProcessGroupNCCL and nccl.h are found.
#pragma once
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <c10/core/Device.h>
#include <torch/nn/module.h>
#include <torch/types.h>

namespace pokegan {

struct DistEnv {
  int rank = 0, world_size = 1, local_rank = 0;
  std::string master_addr;
  int master_port = 0;
  // Under torchrun (TORCHELASTIC_USE_AGENT_STORE=True) the launcher's agent already serves the
  // store on MASTER_PORT: every rank is a client, under the prefix /worker/attempt_<restart count>.
  bool agent_store = false;
  std::string restart_count = "0";
  bool distributed() const { return world_size > 1; }
};

// Reads the torchrun variables through `get` (getenv by default). WORLD_SIZE unset or 1 is a plain
// single-process run (the other variables are then ignored). Otherwise every variable must be there
// and in range; throws Error with one line naming the variable and what is wrong.
DistEnv dist_env(const std::function<const char*(const char*)>& get = nullptr);

// Whether this build has c10d's Gloo backend.
bool dist_available();
// Whether this build has c10d's NCCL backend (a CUDA LibTorch with ProcessGroupNCCL and nccl.h).
bool nccl_available();

// The backend for `--dist-backend requested` on `device`: "auto" is nccl for a CUDA device where
// this build has it, else gloo; "gloo" and "nccl" are taken as given, "nccl" only on a CUDA device
// of a build that has it. Anything else, or an impossible pair, throws Error with one line.
std::string dist_backend(const std::string& requested, const c10::Device& device);
// The device rank `env` trains on: a CUDA device without an index becomes cuda:LOCAL_RANK in a
// distributed run (one GPU per process, as torchrun's convention); anything else is kept.
c10::Device rank_device(const c10::Device& device, const DistEnv& env);

// The collectives the trainer needs, over one process group.
class Comm {
 public:
  virtual ~Comm() = default;
  virtual int rank() const = 0;
  virtual int world_size() const = 0;
  // In place, over all ranks: the sum, or the maximum.
  virtual void allreduce_sum(torch::Tensor& t) = 0;
  virtual void allreduce_max(torch::Tensor& t) = 0;
  // In place: every rank gets root's values.
  virtual void broadcast(torch::Tensor& t, int root = 0) = 0;
  virtual void barrier() = 0;
  // Bytes sent into allreduce and seconds spent in collectives since the last reset.
  double bytes = 0, seconds = 0;
};

// Joins the process group described by `env`: TCPStore rendezvous (rank 0 serves it on
// MASTER_PORT), then a process group of `backend` ("gloo" or "nccl", as dist_backend() returns)
// whose collectives time out after `timeout`. Throws Error with one line for a port already taken,
// a master that cannot be reached within the timeout, or a build without that backend.
std::unique_ptr<Comm> connect(const DistEnv& env, std::chrono::milliseconds timeout, const std::string& backend = "gloo");
// The two backends behind connect() (comm_gloo.cpp / comm_none.cpp, comm_nccl.cpp).
std::unique_ptr<Comm> connect_gloo(const DistEnv& env, std::chrono::milliseconds timeout);
std::unique_ptr<Comm> connect_nccl(const DistEnv& env, std::chrono::milliseconds timeout);

// Every gradient of `params` flattened into one bucket, allreduced (sum) and divided by `divisor`,
// then written back. A parameter without a gradient counts as zeros (and gets them), so that every
// rank sends the same layout.
void allreduce_gradients(Comm& comm, const std::vector<torch::Tensor>& params, double divisor);
// Rank `root`'s parameters and buffers of `m`, flattened per dtype, copied into every rank's.
void broadcast_module(Comm& comm, torch::nn::Module& m, bool parameters, bool buffers, int root = 0);

// Runs `argv` (the program and its arguments, without --nproc) `nproc` times on loopback, with
// RANK/LOCAL_RANK 0..nproc-1, WORLD_SIZE nproc, MASTER_ADDR 127.0.0.1 and MASTER_PORT `port` (0: a
// free port is picked). Forwards SIGINT and SIGTERM to every worker; when one exits non-zero the
// others get SIGTERM, and SIGKILL 10 s later. Returns the first non-zero exit status (128 + signal
// for a worker killed by a signal), or 0.
int launch_local(int nproc, const std::vector<std::string>& argv, int port = 0);

}  // namespace pokegan
