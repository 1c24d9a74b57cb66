// The 18 Pokémon types and the type table (data/types.csv, made by tools/typetable from @pkmn/dex):
// sprite key ("479" or "479-heat") -> national number, name, primary and secondary type.
#pragma once
#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace pokegan {

// The 18 types in the games' canonical order; a type's index here is its raw type id.
const std::vector<std::string>& all_types();
int type_index(const std::string& name);  // -1 if not a type (case-sensitive, canonical spelling)

struct TypeEntry {
  std::string key;   // "479-heat"
  int num = 0;       // national number
  std::string name;  // "Rotom-Heat"
  std::string type1, type2;  // type2 empty for single-type
};

class TypeTable {
 public:
  static TypeTable load(const std::filesystem::path& csv);

  // The entry for a sprite file stem. An exact key wins. A form the table does not name ("414-plant")
  // falls back to its species only when every entry of that species has the same types, so a
  // type-changing form is never given its base species' types; otherwise returns nullptr.
  const TypeEntry* resolve(const std::string& stem) const;
  size_t size() const { return by_key_.size(); }

 private:
  std::map<std::string, TypeEntry> by_key_;
  std::multimap<int, const TypeEntry*> by_num_;
};

}  // namespace pokegan
