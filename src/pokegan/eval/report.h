// pokegan report: one HTML page, readable offline, that compares training runs. Everything it
// shows lies beside it in the output folder (images as PNG files, charts as inline SVG); nothing is
// fetched from the network. It holds:
//   - the dataset's per-type counts (a bar chart), when a dataset is given or a run names one;
//   - per run: its loss curves (from stats.jsonl), its latest per-type sample grid, and, when
//     `pokegan eval` wrote <run>/metrics.json, its per-type metrics; when checkpoints of the run
//     were evaluated into <run>/evals/ (eval_output_path), its time-to-quality charts: type
//     accuracy, diversity, coverage, FID and near-copies per step against the real floor and the
//     shipped-model targets, also written as <out>/runs/<name>/time-to-quality.svg;
//   - the comparison table: one row per run with the study's columns (Colour, Shape, Detail,
//     Diversity) as numbers, then FID, intra-type FID, KID, precision, recall, density, coverage,
//     type accuracy; and the real floor (real half vs real half) as its own row per evaluation
//     setting.
// Torch-free.
#pragma once
#include <nlohmann/json.hpp>

#include <filesystem>
#include <string>
#include <vector>

namespace pokegan {

struct ReportOptions {
  std::vector<std::filesystem::path> runs;
  std::filesystem::path out;
  std::filesystem::path data;  // optional dataset for the counts chart
  std::string title = "pokegan report";
};

// Writes <out>/index.html and its images; returns the page's path. Throws Error for a run
// directory without config.json.
std::filesystem::path build_report(const ReportOptions& opt);

// Where `pokegan eval` writes its result when --out is not given: <run>/metrics.json for a run
// directory, <run>/evals/<checkpoint stem>.json for a checkpoint file inside <run>/checkpoints/
// (the report's time-to-quality charts read that folder); empty for any other file.
std::filesystem::path eval_output_path(const std::filesystem::path& checkpoint);

// A `pokegan eval` result file, parsed; throws a one-line Error for a file that is not valid JSON
// or not an eval result (format pokegan-eval/1).
nlohmann::json read_eval_result(const std::filesystem::path& file);

// An SVG line chart (inline in HTML): one polyline per series over shared axes.
struct Series {
  std::string name, color;
  std::vector<double> x, y;
};
std::string line_chart_svg(const std::string& title, const std::vector<Series>& series, int width = 420,
                           int height = 220);

}  // namespace pokegan
