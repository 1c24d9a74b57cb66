#include "pokegan/eval/report.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <fstream>
#include <regex>

#include "pokegan/common/error.h"
#include "pokegan/common/fs.h"
#include "pokegan/io/draw.h"
#include "support/fixtures.h"

namespace pokegan {

namespace {
void write(const fs::path& p, const std::string& text) {
  fs::create_directories(p.parent_path());
  std::ofstream(p) << text;
}

// A run folder as the trainer leaves it, with or without metrics.json.
void fake_run(const fs::path& dir, const std::string& preset, bool evaluated) {
  write(dir / "config.json", nlohmann::json{{"preset", preset}, {"image_size", 16}, {"data", ""}}.dump());
  std::string stats;
  for (int s = 1; s <= 5; ++s)
    stats += nlohmann::json{{"step", s}, {"d_loss", 1.0 / s}, {"g_loss", 0.5 * s}, {"d_real", 0.6}, {"d_fake", 0.4}}.dump() + "\n";
  write(dir / "stats.jsonl", stats + "{\"step\": 6, \"d_lo");  // a cut last line is skipped
  fs::create_directories(dir / "samples");
  write_png(dir / "samples" / "fakes-00000002.png", Image(8, 8, 3, 0));
  write_png(dir / "samples" / "fakes-00000005.png", Image(8, 8, 3, 128));
  if (evaluated) {
    nlohmann::json m;
    m["step"] = 5;
    m["image_size"] = 16;
    m["samples"] = 10;
    m["seed"] = 0;
    m["model"] = {{"fid", 12.5}, {"kid", 0.01}, {"precision", 0.4}, {"colour", 0.2}};
    m["real"] = {{"fid", 3.25}, {"kid", 0.001}, {"precision", 0.7}, {"colour", 0.05}};
    m["per_type"]["Fire"] = {{"model", {{"n", 4}, {"fid", 20.0}}}, {"real", {{"fid", 5.0}}}};
    write(dir / "metrics.json", m.dump());
  }
}
}  // namespace

TEST(Report, BuildsFromRunsAndReferencesOnlyFilesThatExist) {
  test::TempDir dir;
  fake_run(dir / "runs" / "a", "cdcgan", true);
  fake_run(dir / "runs" / "b", "unet", false);
  fake_run(dir / "other" / "a", "mlp", true);  // same basename as the first run
  ReportOptions opt;
  opt.runs = {dir / "runs" / "a", dir / "runs" / "b", dir / "other" / "a"};
  opt.out = dir / "report";
  const auto page = build_report(opt);
  const std::string html = read_text(page);
  const std::regex ref_pattern(R"((src|href)="([^"]+)\")");
  int refs = 0;
  for (auto it = std::sregex_iterator(html.begin(), html.end(), ref_pattern);
       it != std::sregex_iterator(); ++it) {
    const std::string ref = (*it)[2];
    EXPECT_EQ(ref.find("://"), std::string::npos) << "network reference: " << ref;
    EXPECT_TRUE(fs::exists(opt.out / ref)) << ref;
    ++refs;
  }
  EXPECT_EQ(refs, 3);  // one grid per run
  EXPECT_NE(html.find("real floor"), std::string::npos);
  EXPECT_NE(html.find("<td>12.5</td>"), std::string::npos);  // the model's FID in the table
  EXPECT_NE(html.find("<td>3.25</td>"), std::string::npos);  // the floor's
  EXPECT_NE(html.find("<polyline"), std::string::npos);      // loss curves
  EXPECT_NE(html.find("a-2"), std::string::npos);            // the second "a" got its own folder
  // The latest grid is the one copied.
  EXPECT_EQ(fs::file_size(opt.out / "runs" / "a" / "samples.png"),
            fs::file_size(dir / "runs" / "a" / "samples" / "fakes-00000005.png"));
}

TEST(Report, RefusesAFolderThatIsNotARun) {
  test::TempDir dir;
  fs::create_directories(dir / "empty");
  ReportOptions opt;
  opt.runs = {dir / "empty"};
  opt.out = dir / "report";
  EXPECT_THROW(build_report(opt), Error);
  EXPECT_FALSE(fs::exists(dir / "report" / "index.html"));
}

TEST(Report, LineChartScalesItsSeries) {
  const std::string svg = line_chart_svg("t", {{"a", "#000", {0, 10}, {1, 3}}});
  EXPECT_NE(svg.find("<polyline"), std::string::npos);
  EXPECT_NE(svg.find("step 10"), std::string::npos);
  EXPECT_NE(line_chart_svg("t", {}).find("no data"), std::string::npos);
}

}  // namespace pokegan
