// Presets: named TrainConfigs, one per experiment. A preset picks parts and settings; it is never a
// code path. `pokegan train --preset NAME`; `pokegan presets` lists them.
#pragma once
#include <string>
#include <vector>

#include "pokegan/training/config.h"

namespace pokegan {

// Throws Error listing the valid names for an unknown preset.
TrainConfig preset(const std::string& name);
std::vector<std::string> preset_names();

}  // namespace pokegan
