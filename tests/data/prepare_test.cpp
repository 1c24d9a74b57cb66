#include "pokegan/data/prepare.h"

#include <gtest/gtest.h>

#include <set>

#include "pokegan/common/error.h"
#include "pokegan/common/fs.h"
#include "pokegan/data/imagefolder.h"
#include "support/fixtures.h"

namespace pokegan {

namespace {
PrepareOptions tiny_options(const fs::path& raw) {
  PrepareOptions o;
  o.raw_dir = raw;
  o.sprite.size = 16;
  o.sprite.frames = 2;
  o.threads = 2;
  o.progress = false;
  o.held_out = 0.3;
  return o;
}
}  // namespace

TEST(Prepare, BuildsTypedDatasetFromGifs) {
  test::TempDir dir;
  test::make_raw_dir(dir.path());
  const auto r = prepare_dataset(tiny_options(dir.path()));
  const Dataset& ds = r.dataset;
  // 9 usable front animations (1,4,7,25,361,479,479-heat,414-plant + ...) minus 479-wash; plus 2 shiny.
  EXPECT_EQ(r.files, 8 + 2);
  EXPECT_EQ(ds.count(), (8 + 2) * 2);  // 2 frames each
  EXPECT_EQ(ds.size, 16);
  EXPECT_EQ(ds.classes.size(), 13u);
  std::set<std::string> skipped;
  for (const auto& s : r.skipped) skipped.insert(fs::path(s.file).stem().string());
  EXPECT_EQ(skipped, (std::set<std::string>{"479-wash", "10001", "substitute"}));
  // Snorunt (Ice) is grouped into Water; Rotom-Heat keeps its primary type Electric.
  for (int64_t i = 0; i < ds.count(); ++i) {
    const std::string cls = ds.classes[static_cast<size_t>(ds.labels[i])];
    if (ds.species[i] == 361) EXPECT_EQ(cls, "Water");
    if (ds.species[i] == 4) EXPECT_EQ(cls, "Fire");
    if (ds.species[i] == 1) EXPECT_EQ(cls, "Grass");
  }
  EXPECT_EQ(std::count(ds.shiny.begin(), ds.shiny.end(), 1), 4);
}

TEST(Prepare, SplitNeverPutsASpeciesOnBothSides) {
  test::TempDir dir;
  test::make_raw_dir(dir.path());
  auto o = tiny_options(dir.path());
  o.held_out = 0.5;
  const Dataset ds = prepare_dataset(o).dataset;
  std::map<int32_t, std::set<uint8_t>> sides;
  for (int64_t i = 0; i < ds.count(); ++i) sides[ds.species[i]].insert(ds.split[i]);
  int held = 0;
  for (const auto& [sp, s] : sides) {
    EXPECT_EQ(s.size(), 1u) << "species " << sp;
    held += *s.begin() == kHeldOut;
  }
  EXPECT_GT(held, 0);
  EXPECT_LT(held, static_cast<int>(sides.size()));
}

TEST(Prepare, DualBothFilesUnderBothTypesAndNoneKeepsEighteen) {
  test::TempDir dir;
  test::make_raw_dir(dir.path());
  auto o = tiny_options(dir.path());
  o.dual = "both";
  o.grouping = "none";
  const Dataset ds = prepare_dataset(o).dataset;
  EXPECT_EQ(ds.classes.size(), 18u);
  std::set<std::string> bulbasaur;
  for (int64_t i = 0; i < ds.count(); ++i)
    if (ds.species[i] == 1) bulbasaur.insert(ds.classes[static_cast<size_t>(ds.labels[i])]);
  EXPECT_EQ(bulbasaur, (std::set<std::string>{"Grass", "Poison"}));
}

TEST(Prepare, CorruptGifStopsWithItsNameUnlessSkipped) {
  test::TempDir dir;
  test::make_raw_dir(dir.path());
  write_atomic(dir / "sprites" / "7.gif", "GIF89a garbage", 14);
  auto o = tiny_options(dir.path());
  try {
    prepare_dataset(o);
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("7.gif"), std::string::npos) << e.what();
  }
  o.skip_bad = true;
  EXPECT_EQ(prepare_dataset(o).files, 9);
}

TEST(Prepare, DatasetFileRoundTripAndImageFolder) {
  test::TempDir dir;
  test::make_raw_dir(dir.path());
  const Dataset ds = prepare_dataset(tiny_options(dir.path())).dataset;
  ds.save(dir / "d.safetensors");
  const Dataset back = Dataset::load(dir / "d.safetensors");
  EXPECT_EQ(back.images, ds.images);
  EXPECT_EQ(back.labels, ds.labels);
  EXPECT_EQ(back.species, ds.species);
  EXPECT_EQ(back.split, ds.split);
  EXPECT_EQ(back.type2, ds.type2);
  EXPECT_EQ(back.classes, ds.classes);
  EXPECT_EQ(back.provenance_json, ds.provenance_json);

  EXPECT_EQ(export_imagefolder(back, dir / "folder"), ds.count());
  ImportOptions io;
  io.root = dir / "folder";
  io.sprite.size = 16;
  const Dataset imported = import_imagefolder(io).dataset;
  EXPECT_EQ(imported.count(), ds.count());
  // Only classes with images become folders with files; each image keeps its class name.
  std::map<std::string, int> a, b;
  for (int64_t i = 0; i < ds.count(); ++i) ++a[ds.classes[static_cast<size_t>(ds.labels[i])]];
  for (int64_t i = 0; i < imported.count(); ++i) ++b[imported.classes[static_cast<size_t>(imported.labels[i])]];
  for (const auto& [k, v] : a) EXPECT_EQ(b[k], v) << k;
}

}  // namespace pokegan
