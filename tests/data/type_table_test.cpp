#include "pokegan/data/type_table.h"

#include <gtest/gtest.h>

#include <fstream>

#include "pokegan/common/error.h"
#include "pokegan/data/grouping.h"
#include "support/fixtures.h"

namespace pokegan {

TEST(TypeTable, ResolvesExactKeysAndOnlySafeFallbacks) {
  test::TempDir dir;
  test::make_raw_dir(dir.path());
  const auto t = TypeTable::load(dir / "types.csv");
  ASSERT_NE(t.resolve("479-heat"), nullptr);
  EXPECT_EQ(t.resolve("479-heat")->type2, "Fire");
  EXPECT_EQ(t.resolve("4")->type1, "Fire");
  // Mothim has one typing, so an unnamed cosmetic form takes it.
  ASSERT_NE(t.resolve("414-plant"), nullptr);
  EXPECT_EQ(t.resolve("414-plant")->type2, "Flying");
  // Rotom's forms change type: an unknown Rotom form must not inherit Electric/Ghost.
  EXPECT_EQ(t.resolve("479-wash"), nullptr);
  EXPECT_EQ(t.resolve("9999"), nullptr);
}

TEST(TypeTable, TheCommittedTableCoversGenV) {
  const auto t = TypeTable::load(builtin_data_dir() / "types.csv");
  EXPECT_EQ(t.resolve("6")->type1, "Fire");
  EXPECT_EQ(t.resolve("6")->type2, "Flying");
  EXPECT_EQ(t.resolve("649")->name, "Genesect");
  EXPECT_EQ(t.resolve("479-heat")->type2, "Fire");
  EXPECT_EQ(t.resolve("493-fire")->type1, "Fire");
  EXPECT_EQ(t.resolve("201-exclamation")->type1, "Psychic");
}

TEST(TypeTable, BadRowsAreErrorsWithTheLine) {
  test::TempDir dir;
  std::ofstream(dir / "t.csv") << "key,num,name,type1,type2\n1,1,Bulbasaur,Grass,Poison\n2,2,Ivysaur,Plant,\n";
  try {
    TypeTable::load(dir / "t.csv");
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find(":3:"), std::string::npos) << e.what();
  }
}

TEST(Grouping, StudyGroupingHasThirteenClasses) {
  const auto g = Grouping::from_spec("study");
  EXPECT_EQ(g.classes().size(), 13u);
  const auto& c = g.classes();
  EXPECT_EQ(c[static_cast<size_t>(g.class_of("Ice"))], "Water");
  EXPECT_EQ(c[static_cast<size_t>(g.class_of("Flying"))], "Dragon");
  EXPECT_EQ(c[static_cast<size_t>(g.class_of("Fairy"))], "Psychic");
  EXPECT_EQ(c[static_cast<size_t>(g.class_of("Ground"))], "Rock");
  EXPECT_EQ(c[static_cast<size_t>(g.class_of("Dark"))], "Ghost");
  EXPECT_EQ(c[static_cast<size_t>(g.class_of("Fire"))], "Fire");
  EXPECT_THROW(g.class_of("Plant"), Error);
}

TEST(Grouping, NoneKeepsEighteenAndCustomFilesAreChecked) {
  EXPECT_EQ(Grouping::none().classes().size(), 18u);
  test::TempDir dir;
  std::ofstream(dir / "ok.csv") << "# comment\nIce, Water\n";
  EXPECT_EQ(Grouping::load(dir / "ok.csv").classes().size(), 17u);
  std::ofstream(dir / "chain.csv") << "Ice,Water\nWater,Fire\n";
  EXPECT_THROW(Grouping::load(dir / "chain.csv"), Error);
  std::ofstream(dir / "bad.csv") << "Ice,Lava\n";
  EXPECT_THROW(Grouping::load(dir / "bad.csv"), Error);
  EXPECT_THROW(Grouping::from_spec((dir / "missing.csv").string()), Error);
}

}  // namespace pokegan
