// Type grouping: the study merged its 5 rarest types into others (18 -> 13 classes). A grouping is
// a small CSV of "from,to" merges (data/groups/study13.csv holds the study's), which a user can
// replace; Grouping::none() keeps all 18 types as classes.
#pragma once
#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace pokegan {

class Grouping {
 public:
  static Grouping none();
  static Grouping load(const std::filesystem::path& csv);
  // "none" -> none(); "study" -> the built-in study13.csv; anything else is a path.
  static Grouping from_spec(const std::string& spec);

  // Class names, in canonical type order, after merging.
  const std::vector<std::string>& classes() const { return classes_; }
  // Class index of a raw type name; throws Error for an unknown type.
  int class_of(const std::string& type) const;
  const std::map<std::string, std::string>& merges() const { return merges_; }
  std::string name() const { return name_; }

 private:
  explicit Grouping(std::map<std::string, std::string> merges, std::string name);
  std::map<std::string, std::string> merges_;
  std::vector<std::string> classes_;
  std::string name_;
};

// Where the files the repository ships (types.csv, groups/) live.
std::filesystem::path builtin_data_dir();

}  // namespace pokegan
