// connect_nccl() on c10d's TCPStore and ProcessGroupNCCL: built only against a CUDA LibTorch whose
// ProcessGroupNCCL.hpp and nccl.h are found (CMakeLists.txt, with USE_C10D_NCCL); elsewhere
// distributed.cpp says NCCL is unavailable. One GPU per rank: the trainer runs on
// rank_device() = cuda:LOCAL_RANK, and that device is made current before the group is created.
#include <torch/csrc/distributed/c10d/ProcessGroupNCCL.hpp>

#include <c10/cuda/CUDAFunctions.h>

#include "pokegan/training/comm_c10d.h"

namespace pokegan {

bool nccl_available() { return true; }

std::unique_ptr<Comm> connect_nccl(const DistEnv& env, std::chrono::milliseconds timeout) {
  auto store = c10d_comm::rendezvous(env, timeout);
  try {
    c10::cuda::set_device(static_cast<c10::DeviceIndex>(env.local_rank));
    auto opts = c10d::ProcessGroupNCCL::Options::create();
    opts->timeout = timeout;
    auto pg = c10::make_intrusive<c10d::ProcessGroupNCCL>(store, env.rank, env.world_size, opts);
    return std::make_unique<c10d_comm::ProcessGroupComm<c10d::ProcessGroupNCCL>>(store, pg, env.rank, env.world_size,
                                                                                 timeout);
  } catch (const std::exception& e) {
    throw Error("rank " + std::to_string(env.rank) + " cannot join the NCCL process group of " + std::to_string(env.world_size) +
                " ranks on cuda:" + std::to_string(env.local_rank) + " within " + std::to_string(timeout.count() / 1000) +
                " s: " + c10d_comm::first_line(e));
  }
}

}  // namespace pokegan
