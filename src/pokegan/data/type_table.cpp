#include "pokegan/data/type_table.h"

#include <sstream>

#include "pokegan/common/error.h"
#include "pokegan/common/fs.h"

namespace pokegan {

const std::vector<std::string>& all_types() {
  static const std::vector<std::string> kTypes = {
      "Normal", "Fire",    "Water", "Electric", "Grass", "Ice",   "Fighting", "Poison", "Ground",
      "Flying", "Psychic", "Bug",   "Rock",     "Ghost", "Dragon", "Dark",    "Steel",  "Fairy"};
  return kTypes;
}

int type_index(const std::string& name) {
  const auto& t = all_types();
  for (size_t i = 0; i < t.size(); ++i)
    if (t[i] == name) return static_cast<int>(i);
  return -1;
}

TypeTable TypeTable::load(const std::filesystem::path& csv) {
  std::istringstream in(read_text(csv));
  std::string line;
  TypeTable table;
  int lineno = 0;
  while (std::getline(in, line)) {
    ++lineno;
    if (lineno == 1 || line.empty()) continue;  // header
    std::vector<std::string> f;
    std::string cell;
    bool quoted = false;
    for (char c : line) {
      if (c == '"') quoted = !quoted;
      else if (c == ',' && !quoted) f.push_back(cell), cell.clear();
      else if (c != '\r') cell += c;
    }
    f.push_back(cell);
    auto bad = [&](const std::string& why) {
      return Error(csv.string() + ":" + std::to_string(lineno) + ": " + why);
    };
    if (f.size() != 5) throw bad("expected 5 columns key,num,name,type1,type2");
    TypeEntry e{f[0], 0, f[2], f[3], f[4]};
    try {
      e.num = std::stoi(f[1]);
    } catch (const std::exception&) {
      throw bad("national number '" + f[1] + "' is not a number");
    }
    if (type_index(e.type1) < 0) throw bad("unknown type '" + e.type1 + "'");
    if (!e.type2.empty() && type_index(e.type2) < 0) throw bad("unknown type '" + e.type2 + "'");
    table.by_key_[e.key] = e;
  }
  for (const auto& [key, e] : table.by_key_) table.by_num_.emplace(e.num, &e);
  if (table.by_key_.empty()) throw Error(csv.string() + ": type table is empty");
  return table;
}

const TypeEntry* TypeTable::resolve(const std::string& stem) const {
  if (auto it = by_key_.find(stem); it != by_key_.end()) return &it->second;
  const auto dash = stem.find('-');
  if (dash == std::string::npos) return nullptr;
  int num = 0;
  try {
    num = std::stoi(stem.substr(0, dash));
  } catch (const std::exception&) {
    return nullptr;
  }
  auto [lo, hi] = by_num_.equal_range(num);
  if (lo == hi) return nullptr;
  for (auto it = lo; it != hi; ++it)
    if (it->second->type1 != lo->second->type1 || it->second->type2 != lo->second->type2)
      return nullptr;
  auto base = by_key_.find(std::to_string(num));
  return base != by_key_.end() ? &base->second : lo->second;
}

}  // namespace pokegan
