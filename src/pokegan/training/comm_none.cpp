// connect_gloo() in a build without Gloo (Debian: libgloo-dev): distributed training is unavailable.
#include "pokegan/common/error.h"
#include "pokegan/training/distributed.h"

namespace pokegan {

bool dist_available() { return false; }

std::unique_ptr<Comm> connect_gloo(const DistEnv&, std::chrono::milliseconds) {
  throw Error("distributed training is unavailable in this build (install libgloo-dev and rebuild)");
}

}  // namespace pokegan
