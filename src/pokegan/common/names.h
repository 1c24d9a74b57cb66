// Registries (name -> factory maps) and the one-line error for a name that is not in one, so that
// every "valid: ..." list comes from the registry itself and cannot drift.
#pragma once
#include <string>
#include <vector>

#include "pokegan/common/error.h"

namespace pokegan {

// The keys of a registry, in its (sorted) order.
template <typename Map>
std::vector<std::string> registry_names(const Map& registry) {
  std::vector<std::string> names;
  for (const auto& entry : registry) names.push_back(entry.first);
  return names;
}

// Error("unknown <what> '<name>' (valid: a, b, c)")
inline Error unknown_name(const std::string& what, const std::string& name, const std::vector<std::string>& valid) {
  std::string list;
  for (const auto& v : valid) list += (list.empty() ? "" : ", ") + v;
  return Error("unknown " + what + " '" + name + "' (valid: " + list + ")");
}

}  // namespace pokegan
