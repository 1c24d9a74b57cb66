// connect() on c10d's TCPStore and ProcessGroupGloo (built only when Gloo's headers are found; see
// CMakeLists.txt). Compiles against LibTorch 1.13 (ProcessGroupGloo : ProcessGroup) and 2.x
// (ProcessGroupGloo : Backend): only the methods both have are used.
#include <torch/csrc/distributed/c10d/PrefixStore.hpp>
#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#include <torch/csrc/distributed/c10d/TCPStore.hpp>

#include <chrono>
#include <cstdlib>

#include "pokegan/common/error.h"
#include "pokegan/training/distributed.h"

namespace pokegan {

bool dist_available() { return true; }

namespace {

// The first line of a c10d error, without its C++ stack trace.
std::string first_line(const std::exception& e) {
  std::string s = e.what();
  if (const auto nl = s.find('\n'); nl != std::string::npos) s.resize(nl);
  return s;
}

class GlooComm final : public Comm {
 public:
  GlooComm(c10::intrusive_ptr<c10d::Store> store, c10::intrusive_ptr<c10d::ProcessGroupGloo> pg, int rank, int size,
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
  c10::intrusive_ptr<c10d::ProcessGroupGloo> pg_;
  int rank_, size_;
  std::chrono::milliseconds timeout_;
};

bool is_loopback(const std::string& a) { return a == "localhost" || a.rfind("127.", 0) == 0 || a == "::1"; }

}  // namespace

std::unique_ptr<Comm> connect(const DistEnv& env, std::chrono::milliseconds timeout) {
  c10::intrusive_ptr<c10d::Store> store;
  try {
    c10d::TCPStoreOptions so;
    so.port = static_cast<std::uint16_t>(env.master_port);
    so.isServer = env.rank == 0 && !env.agent_store;
    so.numWorkers = static_cast<std::size_t>(env.world_size);
    so.waitWorkers = true;
    so.timeout = timeout;
    store = c10::make_intrusive<c10d::TCPStore>(env.master_addr, so);
    if (env.agent_store)  // as torch.distributed does under torchrun
      store = c10::make_intrusive<c10d::PrefixStore>("/worker/attempt_" + env.restart_count, store);
  } catch (const std::exception& e) {
    if (env.rank == 0 && !env.agent_store)
      throw Error("rank 0 cannot serve the rendezvous on " + env.master_addr + ":" + std::to_string(env.master_port) +
                  " (is MASTER_PORT already taken?): " + first_line(e));
    throw Error("rank " + std::to_string(env.rank) + " cannot reach the rendezvous at " + env.master_addr + ":" +
                std::to_string(env.master_port) + " within " + std::to_string(timeout.count() / 1000) +
                " s: " + first_line(e));
  }
  try {
    auto opts = c10d::ProcessGroupGloo::Options::create(timeout);
    if (is_loopback(env.master_addr))
      opts->devices = {c10d::ProcessGroupGloo::createDeviceForHostname("127.0.0.1")};
    else if (const char* ifname = std::getenv("GLOO_SOCKET_IFNAME"); ifname && *ifname)
      opts->devices = {c10d::ProcessGroupGloo::createDeviceForInterface(ifname)};
    else
      opts->devices = {c10d::ProcessGroupGloo::createDefaultDevice()};
    opts->threads = 1;
    auto pg = c10::make_intrusive<c10d::ProcessGroupGloo>(store, env.rank, env.world_size, opts);
    return std::make_unique<GlooComm>(store, pg, env.rank, env.world_size, timeout);
  } catch (const std::exception& e) {
    throw Error("rank " + std::to_string(env.rank) + " cannot join the Gloo process group of " + std::to_string(env.world_size) +
                " ranks within " + std::to_string(timeout.count() / 1000) + " s (did every rank start?): " + first_line(e));
  }
}

}  // namespace pokegan
