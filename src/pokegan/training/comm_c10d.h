// What the c10d backends of connect() share (comm_gloo.cpp, comm_nccl.cpp): the TCPStore
// rendezvous and one Comm over any c10d process group. Included only by those translation units,
// which are built only where their backend's headers are found (CMakeLists.txt).
// Compiles against LibTorch 1.13 (process groups derive from ProcessGroup) and 2.x (from Backend):
// only the methods both have are used.
#pragma once
#include <torch/csrc/distributed/c10d/PrefixStore.hpp>
#include <torch/csrc/distributed/c10d/TCPStore.hpp>

#include <chrono>
#include <string>

#include "pokegan/common/error.h"
#include "pokegan/training/distributed.h"

namespace pokegan::c10d_comm {

// The first line of a c10d error, without its C++ stack trace.
inline std::string first_line(const std::exception& e) {
  std::string s = e.what();
  if (const auto nl = s.find('\n'); nl != std::string::npos) s.resize(nl);
  return s;
}

// The rendezvous: rank 0 serves a TCPStore on MASTER_PORT (or, under torchrun's agent store, every
// rank is a client under /worker/attempt_<restart count>, as torch.distributed does).
inline c10::intrusive_ptr<c10d::Store> rendezvous(const DistEnv& env, std::chrono::milliseconds timeout) {
  try {
    c10d::TCPStoreOptions so;
    so.port = static_cast<std::uint16_t>(env.master_port);
    so.isServer = env.rank == 0 && !env.agent_store;
    so.numWorkers = static_cast<std::size_t>(env.world_size);
    so.waitWorkers = true;
    so.timeout = timeout;
    c10::intrusive_ptr<c10d::Store> store = c10::make_intrusive<c10d::TCPStore>(env.master_addr, so);
    if (env.agent_store) store = c10::make_intrusive<c10d::PrefixStore>("/worker/attempt_" + env.restart_count, store);
    return store;
  } catch (const std::exception& e) {
    if (env.rank == 0 && !env.agent_store)
      throw Error("rank 0 cannot serve the rendezvous on " + env.master_addr + ":" + std::to_string(env.master_port) +
                  " (is MASTER_PORT already taken?): " + first_line(e));
    throw Error("rank " + std::to_string(env.rank) + " cannot reach the rendezvous at " + env.master_addr + ":" +
                std::to_string(env.master_port) + " within " + std::to_string(timeout.count() / 1000) +
                " s: " + first_line(e));
  }
}

// The trainer's collectives over process group `PG` (ProcessGroupGloo, ProcessGroupNCCL). Every
// collective waits at most `timeout`; a failure (a dead rank, a rank that never answers) becomes
// one Error line naming the collective and this rank.
template <class PG>
class ProcessGroupComm final : public Comm {
 public:
  ProcessGroupComm(c10::intrusive_ptr<c10d::Store> store, c10::intrusive_ptr<PG> pg, int rank, int size,
                   std::chrono::milliseconds timeout)
      : store_(std::move(store)), pg_(std::move(pg)), rank_(rank), size_(size), timeout_(timeout) {}
  int rank() const override { return rank_; }
  int world_size() const override { return size_; }
  void allreduce_sum(torch::Tensor& t) override { allreduce(t, c10d::ReduceOp::SUM); }
  void allreduce_max(torch::Tensor& t) override { allreduce(t, c10d::ReduceOp::MAX); }
  void broadcast(torch::Tensor& t, int root) override {
    std::vector<at::Tensor> ts{t};
    c10d::BroadcastOptions o;
    o.rootRank = root;
    o.timeout = timeout_;
    bytes += static_cast<double>(t.numel() * t.element_size());
    run("broadcast", [&] { return pg_->broadcast(ts, o); });
  }
  void barrier() override {
    c10d::BarrierOptions o;
    o.timeout = timeout_;
    run("barrier", [&] { return pg_->barrier(o); });
  }

 private:
  void allreduce(torch::Tensor& t, c10d::ReduceOp op) {
    std::vector<at::Tensor> ts{t};
    c10d::AllreduceOptions o;
    o.reduceOp = op;
    o.timeout = timeout_;
    bytes += static_cast<double>(t.numel() * t.element_size());
    run("allreduce", [&] { return pg_->allreduce(ts, o); });
  }
  template <class F>
  void run(const char* what, F&& start) {
    const auto t0 = std::chrono::steady_clock::now();
    try {
      start()->wait(timeout_);
    } catch (const std::exception& e) {
      throw Error(std::string("distributed ") + what + " failed on rank " + std::to_string(rank_) +
                  " (another rank died, or did not answer within " + std::to_string(timeout_.count() / 1000) +
                  " s): " + first_line(e));
    }
    seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  }
  c10::intrusive_ptr<c10d::Store> store_;
  c10::intrusive_ptr<PG> pg_;
  int rank_, size_;
  std::chrono::milliseconds timeout_;
};

}  // namespace pokegan::c10d_comm
