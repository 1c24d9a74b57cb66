// connect_gloo() on c10d's TCPStore and ProcessGroupGloo (built only when Gloo's headers are found;
// see CMakeLists.txt).
#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>

#include <cstdlib>

#include "pokegan/training/comm_c10d.h"

namespace pokegan {

bool dist_available() { return true; }

namespace {
bool is_loopback(const std::string& a) { return a == "localhost" || a.rfind("127.", 0) == 0 || a == "::1"; }
}  // namespace

std::unique_ptr<Comm> connect_gloo(const DistEnv& env, std::chrono::milliseconds timeout) {
  auto store = c10d_comm::rendezvous(env, timeout);
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
    return std::make_unique<c10d_comm::ProcessGroupComm<c10d::ProcessGroupGloo>>(store, pg, env.rank, env.world_size,
                                                                                 timeout);
  } catch (const std::exception& e) {
    throw Error("rank " + std::to_string(env.rank) + " cannot join the Gloo process group of " + std::to_string(env.world_size) +
                " ranks within " + std::to_string(timeout.count() / 1000) + " s (did every rank start?): " +
                c10d_comm::first_line(e));
  }
}

}  // namespace pokegan
