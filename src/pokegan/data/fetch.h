// `pokegan data fetch`: installs the pinned sprite package with `npm ci` (npm checks the tarball
// against the sha512 integrity in data/fetch/package-lock.json), moves the Gen V Black/White
// animated sprites to <dir>/sprites, and puts the committed type table beside them, so that
// `data prepare` needs neither node nor the network.
#pragma once
#include <filesystem>
#include <string>

namespace pokegan {

struct FetchOptions {
  std::filesystem::path dir = "data/raw";
  bool force = false;  // fetch again even if <dir> already holds this version
};

struct FetchResult {
  bool already_present = false;
  int front = 0, back = 0, shiny = 0;  // .gif files per view
  std::string version, integrity;
};

FetchResult fetch_sprites(const FetchOptions& opt);

}  // namespace pokegan
