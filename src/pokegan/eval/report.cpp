#include "pokegan/eval/report.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <map>
#include <sstream>

#include "pokegan/common/error.h"
#include "pokegan/common/fs.h"
#include "pokegan/data/dataset.h"
#include "pokegan/io/draw.h"

namespace pokegan {

namespace {

using nlohmann::json;

std::string escape(const std::string& s) {
  std::string o;
  for (char c : s) {
    switch (c) {
      case '&': o += "&amp;"; break;
      case '<': o += "&lt;"; break;
      case '>': o += "&gt;"; break;
      case '"': o += "&quot;"; break;
      default: o += c;
    }
  }
  return o;
}

std::string fmt(double v, const char* f = "%.3g") {
  char b[32];
  std::snprintf(b, sizeof b, f, v);
  return b;
}

std::string num_cell(const json& j, const std::string& key) {
  if (!j.is_object() || !j.contains(key) || !j[key].is_number()) return "<td class=na>-</td>";
  const double v = j[key].get<double>();
  return "<td>" + fmt(v, key == "kid" ? "%.4f" : "%.3g") + "</td>";
}

struct Run {
  fs::path dir;
  std::string name, preset, data;
  int image_size = 0;
  json stats = json::array();
  fs::path samples;  // latest sample grid, empty if none
  json metrics;      // null if not evaluated
  fs::path pairs;    // the memorisation check's closest pairs (metrics-closest-pairs.png), empty if none
  std::vector<json> evals;  // <run>/evals/*.json (checkpoints evaluated along the way), by step
};

Run read_run(const fs::path& dir) {
  if (!fs::is_directory(dir)) throw Error(dir.string() + " is not a directory");
  if (!fs::exists(dir / "config.json")) throw Error(dir.string() + " is not a run directory (no config.json)");
  Run r;
  r.dir = dir;
  r.name = fs::absolute(dir).lexically_normal().filename().string();
  if (r.name.empty()) r.name = fs::absolute(dir).lexically_normal().parent_path().filename().string();
  try {
    const json cfg = json::parse(read_text(dir / "config.json"));
    r.preset = cfg.value("preset", "");
    r.data = cfg.value("data", "");
    r.image_size = cfg.value("image_size", 0);
  } catch (const json::exception&) {
    throw Error((dir / "config.json").string() + " is not valid JSON");
  }
  if (fs::exists(dir / "stats.jsonl")) {
    std::istringstream lines(read_text(dir / "stats.jsonl"));
    std::string line;
    while (std::getline(lines, line))
      if (!line.empty()) try {
          r.stats.push_back(json::parse(line));
        } catch (const json::exception&) {
          // A line cut by an interrupted write: skip it, keep the rest.
        }
  }
  if (fs::is_directory(dir / "samples")) {
    std::vector<fs::path> grids;
    for (const auto& e : fs::directory_iterator(dir / "samples"))
      if (e.path().extension() == ".png") grids.push_back(e.path());
    std::sort(grids.begin(), grids.end());
    if (!grids.empty()) r.samples = grids.back();  // names carry a zero-padded step
  }
  if (fs::exists(dir / "metrics-closest-pairs.png")) r.pairs = dir / "metrics-closest-pairs.png";
  if (fs::exists(dir / "metrics.json")) {
    try {
      r.metrics = json::parse(read_text(dir / "metrics.json"));
    } catch (const json::exception&) {
      throw Error((dir / "metrics.json").string() + " is not valid JSON");
    }
  }
  if (fs::is_directory(dir / "evals")) {
    for (const auto& e : fs::directory_iterator(dir / "evals"))
      if (e.path().extension() == ".json") r.evals.push_back(read_eval_result(e.path()));
    std::sort(r.evals.begin(), r.evals.end(),
              [](const json& a, const json& b) { return a.value("step", 0) < b.value("step", 0); });
  }
  return r;
}

std::vector<Series> curves(const json& stats, const std::vector<std::pair<std::string, std::string>>& keys) {
  std::vector<Series> out;
  for (const auto& [key, color] : keys) {
    Series s{key, color, {}, {}};
    for (const auto& row : stats)
      if (row.contains(key) && row[key].is_number() && row.contains("step")) {
        s.x.push_back(row["step"].get<double>());
        s.y.push_back(row[key].get<double>());
      }
    if (!s.x.empty()) out.push_back(std::move(s));
  }
  return out;
}

// One value of an eval result by its path ("model/fid", "memorisation/feature/floor_share"); NaN
// where the result lacks it.
double eval_value(const json& j, const std::string& path) {
  const json* at = &j;
  std::istringstream parts(path);
  std::string part;
  while (std::getline(parts, part, '/')) {
    if (!at->is_object() || !at->contains(part)) return std::nan("");
    at = &(*at)[part];
  }
  return at->is_number() ? at->get<double>() : std::nan("");
}

// The time-to-quality charts of one run: each metric per step, with the real floor (or the
// shipped-model target drawn from it) beside it. One SVG, three charts a row.
std::string time_to_quality_svg(const std::vector<json>& evals) {
  struct Chart {
    const char* title;
    const char* model;
    const char* reference;
    double scale;  // reference = floor * scale (or the constant when reference is empty)
    const char* reference_name;
  };
  const Chart charts[] = {
      {"type accuracy", "model/type_accuracy", "real/type_accuracy", 1.0, "floor"},
      {"diversity / real", "model/diversity_ratio", "", 0.9, "target 0.9"},
      {"coverage", "model/coverage", "real/coverage", 0.8, "0.8x floor"},
      {"FID", "model/fid", "real/fid", 2.0, "2x floor"},
      {"near-copies, features", "memorisation/feature/model_share", "memorisation/feature/floor_share", 1.0, "floor"},
      {"near-copies, pixels", "memorisation/pixel/model_share", "memorisation/pixel/floor_share", 1.0, "floor"},
  };
  const int w = 420, h = 220, per_row = 3;
  std::ostringstream o;
  o << "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" << w * per_row << "\" height=\"" << h * 2 << "\">";
  o << "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>";
  int i = 0;
  for (const auto& c : charts) {
    Series model{"model", "#c0392b", {}, {}}, ref{c.reference_name, "#7f8c8d", {}, {}};
    for (const auto& e : evals) {
      const double step = e.value("step", 0);
      model.x.push_back(step), model.y.push_back(eval_value(e, c.model));
      ref.x.push_back(step);
      ref.y.push_back(*c.reference ? c.scale * eval_value(e, c.reference) : c.scale);
    }
    o << "<g transform=\"translate(" << (i % per_row) * w << "," << (i / per_row) * h << ")\">"
      << line_chart_svg(c.title, {model, ref}, w, h) << "</g>";
    ++i;
  }
  return o.str() + "</svg>";
}

const std::vector<std::pair<std::string, std::string>> kColumns = {
    {"colour", "Colour ↓"},         {"shape", "Shape ↓"},          {"detail", "Detail →1"},
    {"stripes", "Stripes →1"},      {"diversity_ratio", "Diversity →1"}, {"fid", "FID ↓"},
    {"intra_fid", "intra-FID ↓"},   {"kid", "KID ↓"},              {"precision", "Precision ↑"}, {"recall", "Recall ↑"},
    {"density", "Density"},         {"coverage", "Coverage ↑"},   {"type_accuracy", "Type acc. ↑"}};

std::string table_row(const std::string& label, const std::string& cls, const json& m) {
  std::string row = "<tr class=\"" + cls + "\"><th>" + label + "</th>";
  for (const auto& [key, _] : kColumns) row += num_cell(m, key);
  return row + "</tr>\n";
}

std::string per_type_table(const json& metrics) {
  if (!metrics.contains("per_type")) return "";
  std::string h = "<details><summary>Per type</summary><table><tr><th>type</th><th>n</th>"
                  "<th>FID</th><th>floor</th><th>type acc.</th><th>floor</th><th>diversity</th>"
                  "<th>floor</th><th>colour</th><th>floor</th></tr>\n";
  for (const auto& [type, t] : metrics["per_type"].items()) {
    h += "<tr><th>" + escape(type) + "</th><td>" + std::to_string(t["model"].value("n", 0)) + "</td>";
    for (const char* k : {"fid", "type_accuracy", "diversity_ratio", "colour"})
      h += num_cell(t["model"], k) + num_cell(t["real"], k);
    h += "</tr>\n";
  }
  return h + "</table></details>\n";
}

const char* kStyle = R"(
body{font-family:sans-serif;margin:24px;color:#222;max-width:1200px}
h1{font-size:22px} h2{font-size:18px;margin-top:32px;border-bottom:1px solid #ccc}
table{border-collapse:collapse;font-size:13px;margin:8px 0}
td,th{border:1px solid #ddd;padding:3px 7px;text-align:right} th{background:#f4f4f4;text-align:left}
tr.floor th,tr.floor td{background:#eef6ee;font-style:italic} td.na{color:#aaa}
.run{display:flex;flex-wrap:wrap;gap:16px;align-items:flex-start}
.run img{image-rendering:pixelated;max-width:100%;border:1px solid #ddd}
p.note{font-size:13px;color:#555}
)";

}  // namespace

std::string line_chart_svg(const std::string& title, const std::vector<Series>& series, int width, int height) {
  const int left = 44, right = 10, top = 22, bottom = 26;
  double x0 = 1e300, x1 = -1e300, y0 = 1e300, y1 = -1e300;
  for (const auto& s : series)
    for (size_t i = 0; i < s.x.size(); ++i) {
      if (!std::isfinite(s.y[i])) continue;
      x0 = std::min(x0, s.x[i]), x1 = std::max(x1, s.x[i]);
      y0 = std::min(y0, s.y[i]), y1 = std::max(y1, s.y[i]);
    }
  std::ostringstream o;
  o << "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" << width << "\" height=\"" << height
    << "\" font-size=\"11\" font-family=\"sans-serif\">";
  o << "<text x=\"" << left << "\" y=\"14\" font-weight=\"bold\">" << escape(title) << "</text>";
  if (x0 > x1) return o.str() + "<text x=\"50\" y=\"100\">no data</text></svg>";
  if (x1 == x0) x1 = x0 + 1;
  if (y1 == y0) y1 = y0 + 1;
  const double pw = width - left - right, ph = height - top - bottom;
  auto px = [&](double x) { return left + (x - x0) / (x1 - x0) * pw; };
  auto py = [&](double y) { return top + (1 - (y - y0) / (y1 - y0)) * ph; };
  o << "<rect x=\"" << left << "\" y=\"" << top << "\" width=\"" << pw << "\" height=\"" << ph
    << "\" fill=\"none\" stroke=\"#999\"/>";
  o << "<text x=\"" << left - 4 << "\" y=\"" << top + 8 << "\" text-anchor=\"end\">" << fmt(y1) << "</text>";
  o << "<text x=\"" << left - 4 << "\" y=\"" << top + ph << "\" text-anchor=\"end\">" << fmt(y0) << "</text>";
  o << "<text x=\"" << left << "\" y=\"" << height - 8 << "\">" << fmt(x0, "%.0f") << "</text>";
  o << "<text x=\"" << left + pw << "\" y=\"" << height - 8 << "\" text-anchor=\"end\">step " << fmt(x1, "%.0f")
    << "</text>";
  double legend_x = left + 16 + 7.0 * double(title.size());  // legends follow the title
  for (const auto& s : series) {
    o << "<polyline fill=\"none\" stroke=\"" << s.color << "\" stroke-width=\"1.3\" points=\"";
    for (size_t i = 0; i < s.x.size(); ++i)
      if (std::isfinite(s.y[i])) o << fmt(px(s.x[i]), "%.1f") << ',' << fmt(py(s.y[i]), "%.1f") << ' ';
    o << "\"/>";
    if (s.x.size() <= 40)  // few points (evaluated checkpoints): mark each
      for (size_t i = 0; i < s.x.size(); ++i)
        if (std::isfinite(s.y[i]))
          o << "<circle cx=\"" << fmt(px(s.x[i]), "%.1f") << "\" cy=\"" << fmt(py(s.y[i]), "%.1f")
            << "\" r=\"2.5\" fill=\"" << s.color << "\"/>";
    o << "<text x=\"" << legend_x << "\" y=\"14\" fill=\"" << s.color << "\">" << escape(s.name)
      << "</text>";
    legend_x += 8 + 6.5 * double(s.name.size());
  }
  return o.str() + "</svg>";
}

json read_eval_result(const fs::path& file) {
  json j;
  try {
    j = json::parse(read_text(file));
  } catch (const json::exception&) {
    throw Error(file.string() + " is not valid JSON");
  }
  if (!j.is_object() || j.value("format", "") != "pokegan-eval/1")
    throw Error(file.string() + " is not a pokegan eval result");
  return j;
}

fs::path eval_output_path(const fs::path& checkpoint) {
  if (fs::is_directory(checkpoint)) return checkpoint / "metrics.json";
  const fs::path dir = checkpoint.parent_path();
  if (dir.filename() == "checkpoints" && fs::exists(dir.parent_path() / "config.json"))
    return dir.parent_path() / "evals" / (checkpoint.stem().string() + ".json");
  return {};
}

fs::path build_report(const ReportOptions& opt) {
  if (opt.runs.empty()) throw Error("report needs at least one run directory (--runs)");
  std::vector<Run> runs;
  for (const auto& d : opt.runs) runs.push_back(read_run(d));
  // Unique names for the image folders (two runs may share a basename).
  std::map<std::string, int> seen;
  for (auto& r : runs)
    if (seen[r.name]++) r.name += "-" + std::to_string(seen[r.name]);
  fs::create_directories(opt.out);

  std::ostringstream h;
  h << "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>" << escape(opt.title) << "</title><style>"
    << kStyle << "</style></head><body>\n<h1>" << escape(opt.title) << "</h1>\n";

  // Dataset chart.
  fs::path data = opt.data;
  if (data.empty())
    for (const auto& r : runs)
      if (!r.data.empty() && fs::exists(r.data)) {
        data = r.data;
        break;
      }
  if (!data.empty()) {
    const Dataset ds = Dataset::load(data);
    const auto counts = ds.count_per_class();
    std::vector<double> values(counts.begin(), counts.end());
    write_png(opt.out / "dataset.png",
              bar_chart("images per type (" + std::to_string(ds.count()) + " in all)", ds.classes, values));
    h << "<h2>Dataset</h2><p class=note>" << escape(data.string()) << ": " << ds.count() << " images, " << ds.size
      << "x" << ds.size << ", " << ds.classes.size() << " types.</p><img src=\"dataset.png\" alt=\"per-type counts\">\n";
  }

  // Comparison table.
  h << "<h2>Comparison</h2>\n<p class=note>One row per evaluated run (<code>pokegan eval</code>); the shaded "
       "row is the real floor: real sprites of one half of the species measured against the other half, the "
       "figure a perfect generator would get. Colour and Shape are distances (0 = real), Detail and "
       "Diversity are ratios to real (1 = real).</p>\n<table><tr><th>run</th>";
  for (const auto& [_, title] : kColumns) h << "<th>" << title << "</th>";
  h << "</tr>\n";
  std::map<std::string, json> floors;  // one per evaluation setting
  int evaluated = 0;
  for (const auto& r : runs) {
    if (r.metrics.is_null()) continue;
    ++evaluated;
    h << table_row(escape(r.name) + " <small>" + escape(r.preset) + ", step " +
                       std::to_string(r.metrics.value("step", 0)) + "</small>",
                   "model", r.metrics.value("model", json::object()));
    const std::string key = std::to_string(r.metrics.value("image_size", 0)) + "px, " +
                            std::to_string(r.metrics.value("samples", 0)) + " samples, real " +
                            r.metrics.value("real_split", std::string("all")) + ", seed " +
                            std::to_string(r.metrics.value("seed", 0));
    floors.emplace(key, r.metrics.value("real", json::object()));
  }
  for (const auto& [key, m] : floors) h << table_row("real floor <small>(" + escape(key) + ")</small>", "floor", m);
  h << "</table>\n";
  if (!evaluated) h << "<p class=note>No run has metrics.json yet: run <code>pokegan eval</code> on them.</p>\n";

  // Per run: curves, grid, per-type metrics.
  for (const auto& r : runs) {
    h << "<h2>" << escape(r.name) << "</h2><p class=note>preset " << escape(r.preset) << ", " << r.image_size << "x"
      << r.image_size << ", " << r.stats.size() << " logged points";
    if (!r.stats.empty()) h << ", last step " << r.stats.back().value("step", 0);
    h << "</p>\n<div class=run>";
    h << line_chart_svg("losses", curves(r.stats, {{"d_loss", "#c0392b"}, {"g_loss", "#2c6fbb"}}));
    h << line_chart_svg("D(real), D(fake)", curves(r.stats, {{"d_real", "#27ae60"}, {"d_fake", "#8e44ad"}}));
    if (!r.samples.empty()) {
      const fs::path rel = fs::path("runs") / r.name / "samples.png";
      fs::create_directories(opt.out / rel.parent_path());
      fs::copy_file(r.samples, opt.out / rel, fs::copy_options::overwrite_existing);
      h << "<figure><img src=\"" << escape(rel.generic_string()) << "\" alt=\"samples\"><figcaption><small>"
        << escape(r.samples.filename().string()) << ": one row per type</small></figcaption></figure>";
    }
    if (!r.pairs.empty()) {
      const fs::path rel = fs::path("runs") / r.name / "closest-pairs.png";
      fs::create_directories(opt.out / rel.parent_path());
      fs::copy_file(r.pairs, opt.out / rel, fs::copy_options::overwrite_existing);
      std::string share;
      if (r.metrics.contains("memorisation") && r.metrics["memorisation"].contains("pixel")) {
        const auto& m = r.metrics["memorisation"]["pixel"];
        char b[160];
        std::snprintf(b, sizeof b, " Near-copies (pixels): %.1f%% of samples, real floor %.1f%%.",
                      100 * m.value("model_share", 0.0), 100 * m.value("floor_share", 0.0));
        share = b;
      }
      h << "<figure><img src=\"" << escape(rel.generic_string()) << "\" alt=\"closest pairs\"><figcaption><small>"
        << "memorisation check: the 8 samples closest to a training sprite, each beside it." << escape(share)
        << "</small></figcaption></figure>";
    }
    h << "</div>\n";
    if (!r.evals.empty()) {
      const fs::path rel = fs::path("runs") / r.name / "time-to-quality.svg";
      const std::string svg = time_to_quality_svg(r.evals);
      write_atomic(opt.out / rel, svg.data(), svg.size());
      h << "<h3>Time to quality</h3><p class=note>" << r.evals.size()
        << " checkpoints evaluated (<code>" << escape((r.dir / "evals").string())
        << "</code>): the model's line in red, the real floor or the shipped-model target drawn from it in grey."
           "</p><img src=\"" << escape(rel.generic_string()) << "\" alt=\"time to quality\">\n";
    }
    h << per_type_table(r.metrics);
  }
  h << "<p class=note>Made by pokegan report. Metrics: docs/results.md.</p></body></html>\n";
  const fs::path page = opt.out / "index.html";
  const std::string text = h.str();
  write_atomic(page, text.data(), text.size());
  return page;
}

}  // namespace pokegan
