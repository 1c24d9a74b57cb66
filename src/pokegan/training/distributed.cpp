#include "pokegan/training/distributed.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <map>
#include <thread>

#include "pokegan/common/error.h"

namespace pokegan {

namespace {

// A whole number in [lo, hi] from variable `name`, or an Error saying what is wrong.
int env_int(const char* name, const char* v, long lo, long hi) {
  if (!v || !*v) throw Error(std::string(name) + " is not set (a distributed launch needs RANK, WORLD_SIZE, MASTER_ADDR, MASTER_PORT)");
  char* end = nullptr;
  errno = 0;
  const long x = std::strtol(v, &end, 10);
  if (errno != 0 || end == v || *end != '\0' || x < lo || x > hi)
    throw Error(std::string(name) + "=" + v + " is not a whole number in [" + std::to_string(lo) + ", " +
                std::to_string(hi) + "]");
  return static_cast<int>(x);
}

}  // namespace

DistEnv dist_env(const std::function<const char*(const char*)>& get_fn) {
  auto get = [&](const char* k) -> const char* { return get_fn ? get_fn(k) : std::getenv(k); };
  DistEnv e;
  const char* ws = get("WORLD_SIZE");
  if (!ws || !*ws) return e;
  e.world_size = env_int("WORLD_SIZE", ws, 1, 4096);
  if (e.world_size == 1) return e;
  e.rank = env_int("RANK", get("RANK"), 0, 1L << 30);
  if (e.rank >= e.world_size)
    throw Error("RANK=" + std::to_string(e.rank) + " is not below WORLD_SIZE=" + std::to_string(e.world_size));
  const char* lr = get("LOCAL_RANK");
  e.local_rank = (lr && *lr) ? env_int("LOCAL_RANK", lr, 0, e.world_size - 1) : e.rank;
  const char* addr = get("MASTER_ADDR");
  if (!addr || !*addr) throw Error("MASTER_ADDR is not set (the host of rank 0, e.g. 127.0.0.1)");
  e.master_addr = addr;
  e.master_port = env_int("MASTER_PORT", get("MASTER_PORT"), 1, 65535);
  const char* agent = get("TORCHELASTIC_USE_AGENT_STORE");
  e.agent_store = agent && std::string(agent) == "True";
  if (const char* rc = get("TORCHELASTIC_RESTART_COUNT"); rc && *rc) e.restart_count = rc;
  return e;
}

#ifndef POKEGAN_HAVE_NCCL  // comm_nccl.cpp is not in this build
bool nccl_available() { return false; }
std::unique_ptr<Comm> connect_nccl(const DistEnv&, std::chrono::milliseconds) {
  throw Error("the NCCL backend is unavailable in this build (it needs a CUDA LibTorch with ProcessGroupNCCL and nccl.h)");
}
#endif

std::string dist_backend(const std::string& requested, const c10::Device& device) {
  if (requested == "auto") return device.is_cuda() && nccl_available() ? "nccl" : "gloo";
  if (requested == "gloo") return requested;
  if (requested == "nccl") {
    if (!device.is_cuda()) throw Error("--dist-backend nccl needs a CUDA device (--device cuda); on the CPU use gloo");
    if (!nccl_available())
      throw Error("--dist-backend nccl is unavailable in this build (it needs a CUDA LibTorch with ProcessGroupNCCL and nccl.h); use gloo");
    return requested;
  }
  throw Error("unknown --dist-backend '" + requested + "' (valid: auto, gloo, nccl)");
}

c10::Device rank_device(const c10::Device& device, const DistEnv& env) {
  if (!env.distributed() || !device.is_cuda() || device.has_index()) return device;
  return c10::Device(c10::kCUDA, static_cast<c10::DeviceIndex>(env.local_rank));
}

std::unique_ptr<Comm> connect(const DistEnv& env, std::chrono::milliseconds timeout, const std::string& backend) {
  if (backend == "gloo") return connect_gloo(env, timeout);
  if (backend == "nccl") return connect_nccl(env, timeout);
  throw Error("unknown distributed backend '" + backend + "' (valid: gloo, nccl)");
}

void allreduce_gradients(Comm& comm, const std::vector<torch::Tensor>& params, double divisor) {
  if (params.empty()) return;
  torch::NoGradGuard no_grad;
  std::vector<torch::Tensor> grads;
  grads.reserve(params.size());
  for (const auto& p : params) {
    auto& g = const_cast<torch::Tensor&>(p).mutable_grad();
    if (!g.defined()) g = torch::zeros_like(p);
    grads.push_back(g.reshape({-1}));
  }
  auto flat = torch::cat(grads);
  comm.allreduce_sum(flat);
  if (divisor != 1) flat.div_(divisor);
  int64_t at = 0;
  for (const auto& p : params) {
    auto& g = const_cast<torch::Tensor&>(p).mutable_grad();
    g.copy_(flat.narrow(0, at, g.numel()).view_as(g));
    at += g.numel();
  }
}

void broadcast_module(Comm& comm, torch::nn::Module& m, bool parameters, bool buffers, int root) {
  torch::NoGradGuard no_grad;
  std::vector<torch::Tensor> all;
  if (parameters)
    for (auto& p : m.parameters()) all.push_back(p);
  if (buffers)
    for (auto& b : m.buffers()) all.push_back(b);
  // One flat tensor per dtype (BatchNorm's num_batches_tracked is int64).
  std::map<c10::ScalarType, std::vector<torch::Tensor>> by_type;
  for (auto& t : all) by_type[t.scalar_type()].push_back(t);
  for (auto& [type, ts] : by_type) {
    std::vector<torch::Tensor> flat_parts;
    for (auto& t : ts) flat_parts.push_back(t.reshape({-1}));
    auto flat = torch::cat(flat_parts);
    comm.broadcast(flat, root);
    int64_t at = 0;
    for (auto& t : ts) {
      t.copy_(flat.narrow(0, at, t.numel()).view_as(t));
      at += t.numel();
    }
  }
}

namespace {

std::atomic<int> g_forward_signal{0};
extern "C" void remember_signal(int sig) { g_forward_signal.store(sig); }

int free_loopback_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) throw Error(std::string("cannot open a socket: ") + std::strerror(errno));
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = 0;
  socklen_t len = sizeof a;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) != 0) {
    ::close(fd);
    throw Error(std::string("cannot find a free loopback port: ") + std::strerror(errno));
  }
  ::close(fd);
  return ntohs(a.sin_port);
}

int exit_code(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return 1;
}

}  // namespace

int launch_local(int nproc, const std::vector<std::string>& argv, int port) {
  if (nproc < 1 || nproc > 256) throw Error("--nproc must be in [1, 256], got " + std::to_string(nproc));
  if (argv.empty()) throw Error("launch_local: no program");
  if (port == 0) port = free_loopback_port();
  std::vector<pid_t> pids;
  struct sigaction sa {}, old_int{}, old_term{};
  sa.sa_handler = remember_signal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, &old_int);
  sigaction(SIGTERM, &sa, &old_term);
  const pid_t parent = ::getpid();
  for (int r = 0; r < nproc; ++r) {
    const pid_t pid = ::fork();
    if (pid < 0) throw Error(std::string("cannot start a worker: ") + std::strerror(errno));
    if (pid == 0) {
      // The worker: its own process group, so that a terminal's Ctrl-C reaches only the launcher,
      // which forwards it once; it dies with the launcher.
      ::setpgid(0, 0);
      ::prctl(PR_SET_PDEATHSIG, SIGTERM);
      if (::getppid() != parent) ::_exit(1);
      std::signal(SIGINT, SIG_DFL);
      std::signal(SIGTERM, SIG_DFL);
      ::setenv("RANK", std::to_string(r).c_str(), 1);
      ::setenv("LOCAL_RANK", std::to_string(r).c_str(), 1);
      ::setenv("WORLD_SIZE", std::to_string(nproc).c_str(), 1);
      ::setenv("LOCAL_WORLD_SIZE", std::to_string(nproc).c_str(), 1);
      ::setenv("MASTER_ADDR", "127.0.0.1", 1);
      ::setenv("MASTER_PORT", std::to_string(port).c_str(), 1);
      std::vector<char*> args;
      for (const auto& s : argv) args.push_back(const_cast<char*>(s.c_str()));
      args.push_back(nullptr);
      ::execv("/proc/self/exe", args.data());
      std::fprintf(stderr, "error: cannot start worker %d: %s\n", r, std::strerror(errno));
      ::_exit(127);
    }
    pids.push_back(pid);
  }
  int result = 0;
  size_t alive = pids.size();
  std::vector<bool> done(pids.size(), false);
  auto kill_all = [&](int sig) {
    for (size_t i = 0; i < pids.size(); ++i)
      if (!done[i]) ::kill(pids[i], sig);
  };
  std::chrono::steady_clock::time_point kill_at{};
  bool terminating = false;
  while (alive > 0) {
    if (const int sig = g_forward_signal.exchange(0); sig != 0) kill_all(sig);
    int status = 0;
    const pid_t pid = ::waitpid(-1, &status, WNOHANG);
    if (pid > 0) {
      for (size_t i = 0; i < pids.size(); ++i)
        if (pids[i] == pid && !done[i]) {
          done[i] = true;
          --alive;
          const int code = exit_code(status);
          if (code != 0 && result == 0) {
            result = code;
            if (alive > 0) {
              std::fprintf(stderr, "worker %zu exited with status %d: stopping the other workers\n", i, code);
              kill_all(SIGTERM);
              terminating = true;
              kill_at = std::chrono::steady_clock::now() + std::chrono::seconds(10);
            }
          }
        }
      continue;
    }
    if (pid < 0 && errno != EINTR) break;
    if (terminating && std::chrono::steady_clock::now() > kill_at) {
      kill_all(SIGKILL);
      terminating = false;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  sigaction(SIGINT, &old_int, nullptr);
  sigaction(SIGTERM, &old_term, nullptr);
  return result;
}

}  // namespace pokegan
