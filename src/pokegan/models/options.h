// Options for every network family, as plain data with JSON round trips (they are written into
// each run's config.json and every checkpoint). `arch` picks the family in the registry
// (models/networks.h); the other fields are that family's knobs.
#pragma once
#include <string>

#include <nlohmann/json.hpp>

namespace pokegan {

struct GeneratorOptions {
  std::string arch = "dcgan";
  int z_dim = 100;
  int base_channels = 64;   // channels of the last hidden block; block i has base * 2^(depth-1-i)
  bool conditional = true;  // one-hot class concatenated to z (the study's baseline)
};

struct DiscriminatorOptions {
  std::string arch = "dcgan";
  int base_channels = 64;   // channels of the first block; block i has base * 2^i
  bool conditional = true;  // learned class embedding tiled as an extra input channel
  int class_embed_dim = 16; // the study's 16-dim embedding, repeated across each image row
  double dropout = 0.0;     // before the final conv (the study's code used 0.3 before its linear)
};

NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(GeneratorOptions, arch, z_dim, base_channels, conditional)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(DiscriminatorOptions, arch, base_channels, conditional,
                                                class_embed_dim, dropout)

}  // namespace pokegan
