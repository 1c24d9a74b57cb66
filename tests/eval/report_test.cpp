#include "pokegan/eval/report.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <fstream>
#include <regex>
#include <sstream>

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

namespace {
nlohmann::json eval_at(int step, double type_acc, double fid) {
  nlohmann::json m;
  m["format"] = "pokegan-eval/1";
  m["step"] = step;
  m["model"] = {{"type_accuracy", type_acc}, {"fid", fid}, {"diversity_ratio", 0.8}, {"coverage", 0.4}};
  m["real"] = {{"type_accuracy", 0.42}, {"fid", 2.5}, {"coverage", 0.5}};
  m["memorisation"]["feature"] = {{"model_share", 0.2}, {"floor_share", 0.1}};
  return m;
}
}  // namespace

TEST(Report, DrawsTimeToQualityFromTheRunsEvaluatedCheckpoints) {
  test::TempDir dir;
  const fs::path run = dir / "runs" / "long";
  fake_run(run, "sprite", false);
  // Written out of order: the chart sorts by step.
  write(run / "evals" / "ckpt-00000300.json", eval_at(300, 0.5, 6.0).dump());
  write(run / "evals" / "ckpt-00000100.json", eval_at(100, 0.2, 30.0).dump());
  write(run / "evals" / "ckpt-00000200.json", eval_at(200, 0.3, 12.0).dump());
  write_png(run / "evals" / "ckpt-00000100-closest-pairs.png", Image(8, 8, 3, 0));  // not read
  ReportOptions opt;
  opt.runs = {run};
  opt.out = dir / "report";
  const std::string html = read_text(build_report(opt));
  const fs::path svg_file = opt.out / "runs" / "long" / "time-to-quality.svg";
  ASSERT_TRUE(fs::exists(svg_file));
  EXPECT_NE(html.find("runs/long/time-to-quality.svg"), std::string::npos);
  EXPECT_NE(html.find("3 checkpoints evaluated"), std::string::npos);
  const std::string svg = read_text(svg_file);
  for (const char* title : {"type accuracy", "diversity / real", "coverage", "FID", "near-copies, features", "2x floor"})
    EXPECT_NE(svg.find(title), std::string::npos) << title;
  // The type-accuracy chart: the model's line rises left to right across three points, and the
  // axis spans the floor (0.42) and the model's range (0.2 .. 0.5).
  const std::smatch first = [&] {
    std::smatch m;
    std::regex_search(svg, m, std::regex(R"re(<polyline fill="none" stroke="#c0392b"[^>]*points="([^"]*)")re"));
    return m;
  }();
  ASSERT_FALSE(first.empty());
  std::istringstream pts(first[1].str());
  std::vector<std::pair<double, double>> xy;
  std::string pt;
  while (pts >> pt) xy.emplace_back(std::stod(pt.substr(0, pt.find(','))), std::stod(pt.substr(pt.find(',') + 1)));
  ASSERT_EQ(xy.size(), 3u);
  EXPECT_LT(xy[0].first, xy[1].first);
  EXPECT_GT(xy[0].second, xy[1].second);  // SVG y grows downwards: higher accuracy, smaller y
  EXPECT_GT(xy[1].second, xy[2].second);
  EXPECT_NE(svg.find(">0.5<"), std::string::npos);  // the top of the axis
  EXPECT_NE(svg.find(">0.2<"), std::string::npos);  // its bottom
}

TEST(Report, ABrokenEvalFileIsAOneLineError) {
  test::TempDir dir;
  const fs::path run = dir / "run";
  fake_run(run, "sprite", false);
  write(run / "evals" / "ckpt-00000100.json", "{\"step\": 1");
  ReportOptions opt;
  opt.runs = {run};
  opt.out = dir / "report";
  try {
    build_report(opt);
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("ckpt-00000100.json is not valid JSON"), std::string::npos) << e.what();
  }
  write(run / "evals" / "ckpt-00000100.json", "{\"step\": 1}");
  EXPECT_THROW(build_report(opt), Error);  // valid JSON, not an eval result
}

TEST(Report, EvalResultsGoWhereTheReportLooks) {
  test::TempDir dir;
  fake_run(dir / "run", "sprite", false);
  EXPECT_EQ(eval_output_path(dir / "run"), dir / "run" / "metrics.json");
  EXPECT_EQ(eval_output_path(dir / "run" / "checkpoints" / "ckpt-00000500.safetensors"),
            dir / "run" / "evals" / "ckpt-00000500.json");
  EXPECT_TRUE(eval_output_path(dir / "model.safetensors").empty());
  // A folder named checkpoints outside a run is not a run's.
  EXPECT_TRUE(eval_output_path(dir / "checkpoints" / "ckpt-00000500.safetensors").empty());
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
