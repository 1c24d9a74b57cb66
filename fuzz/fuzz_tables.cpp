// The type table (types.csv) and a type grouping CSV ("from,to" merges), read from files as the
// program reads them. The input is split at its first NUL byte: table before, grouping after.
#include <cstring>

#include "fuzz_util.h"
#include "pokegan/data/grouping.h"
#include "pokegan/data/type_table.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const auto* nul = static_cast<const uint8_t*>(std::memchr(data, 0, size));
  const size_t cut = nul ? size_t(nul - data) : size;
  const auto table = fuzz::write_input("types.csv", data, cut);
  const auto groups = fuzz::write_input("groups.csv", nul ? nul + 1 : data + size, nul ? size - cut - 1 : 0);
  fuzz::expect_parse_or_error([&] {
    const auto t = pokegan::TypeTable::load(table);
    t.resolve("479-heat"), t.resolve("25"), t.resolve("");
  });
  fuzz::expect_parse_or_error([&] {
    const auto g = pokegan::Grouping::load(groups);
    for (const auto& type : pokegan::all_types()) fuzz::expect_parse_or_error([&] { g.class_of(type); });
  });
  return 0;
}
