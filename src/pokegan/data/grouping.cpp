#include "pokegan/data/grouping.h"

#include <algorithm>
#include <cstdlib>
#include <sstream>

#include "pokegan/common/error.h"
#include "pokegan/common/fs.h"
#include "pokegan/data/type_table.h"

namespace pokegan {

std::filesystem::path builtin_data_dir() {
  if (const char* env = std::getenv("POKEGAN_DATA_DIR")) return env;
  return std::filesystem::path(POKEGAN_SOURCE_DIR) / "data";
}

Grouping::Grouping(std::map<std::string, std::string> merges, std::string name)
    : merges_(std::move(merges)), name_(std::move(name)) {
  for (const auto& t : all_types())
    if (!merges_.count(t)) classes_.push_back(t);
}

Grouping Grouping::none() { return Grouping({}, "none"); }

Grouping Grouping::load(const std::filesystem::path& csv) {
  std::istringstream in(read_text(csv));
  std::map<std::string, std::string> merges;
  std::string line;
  int lineno = 0;
  auto trim = [](std::string s) {
    s.erase(0, s.find_first_not_of(" \t\r"));
    s.erase(s.find_last_not_of(" \t\r") + 1);
    return s;
  };
  while (std::getline(in, line)) {
    ++lineno;
    line = trim(line);
    if (line.empty() || line[0] == '#') continue;
    const auto comma = line.find(',');
    auto bad = [&](const std::string& why) {
      return Error(csv.string() + ":" + std::to_string(lineno) + ": " + why);
    };
    if (comma == std::string::npos) throw bad("expected 'from,to'");
    const std::string from = trim(line.substr(0, comma)), to = trim(line.substr(comma + 1));
    if (type_index(from) < 0) throw bad("unknown type '" + from + "'");
    if (type_index(to) < 0) throw bad("unknown type '" + to + "'");
    if (from == to) throw bad("type merged into itself");
    merges[from] = to;
  }
  for (const auto& [from, to] : merges)
    if (merges.count(to))
      throw Error(csv.string() + ": '" + from + "' merges into '" + to +
                  "', which is itself merged away; merge into a class that remains");
  return Grouping(std::move(merges), csv.stem().string());
}

Grouping Grouping::from_spec(const std::string& spec) {
  if (spec == "none") return none();
  if (spec == "study" || spec == "study13") return load(builtin_data_dir() / "groups" / "study13.csv");
  require_exists(spec, "grouping file");
  return load(spec);
}

int Grouping::class_of(const std::string& type) const {
  if (type_index(type) < 0) throw Error("unknown type '" + type + "'");
  auto it = merges_.find(type);
  const std::string& target = it == merges_.end() ? type : it->second;
  return static_cast<int>(std::find(classes_.begin(), classes_.end(), target) - classes_.begin());
}

}  // namespace pokegan
