// pokegan classifier train / eval / report: the type classifier that defines the feature space,
// the metrics of a checkpoint against real sprites, and the offline HTML comparison page.
#include <cstdio>

#include "cli/commands.h"
#include "pokegan/common/error.h"
#include "pokegan/common/fs.h"
#include "pokegan/common/progress.h"
#include "pokegan/eval/classifier.h"
#include "pokegan/eval/evaluate.h"
#include "pokegan/eval/report.h"
#include "pokegan/training/trainer.h"

namespace pokegan::cli {

namespace {

struct ClassifierArgs {
  std::string data, out;
  ClassifierOptions opt;
};

void run_classifier_train(const ClassifierArgs& a) {
  require_exists(a.data, "dataset");
  const Dataset ds = Dataset::load(a.data);
  Progress progress("classifier", a.opt.epochs, "epoch", 1);
  const TrainedClassifier c = train_classifier(ds, a.opt, [&](int epoch, int, double loss) {
    char extra[48];
    std::snprintf(extra, sizeof extra, "loss %.3f", loss);
    progress.update(epoch, extra);
  });
  progress.finish();
  save_classifier(a.out, c);
  const auto& r = c.report;
  std::printf("held-out accuracy (%s split): %.1f%% on %lld images of %lld species (trained on %lld images)\n",
              r.split.c_str(), 100 * r.accuracy, static_cast<long long>(r.test_images),
              static_cast<long long>(r.test_species), static_cast<long long>(r.train_images));
  for (size_t i = 0; i < c.classes.size(); ++i)
    if (r.per_class_accuracy[i] >= 0) std::printf("  %-10s %5.1f%%\n", c.classes[i].c_str(), 100 * r.per_class_accuracy[i]);
  std::printf("wrote %s\n", a.out.c_str());
}

struct TableArgs {
  std::vector<std::string> files, names;
};

void run_table(const TableArgs& a) {
  if (!a.names.empty() && a.names.size() != a.files.size())
    throw Error("--names needs one name per metrics file (" + std::to_string(a.files.size()) + ")");
  std::vector<std::pair<std::string, nlohmann::json>> results;
  for (size_t i = 0; i < a.files.size(); ++i) {
    require_exists(a.files[i], "metrics file");
    results.emplace_back(a.names.empty() ? fs::path(a.files[i]).parent_path().filename().string() : a.names[i],
                         read_eval_result(a.files[i]));
  }
  std::printf("%s", format_eval_comparison(results).c_str());
}

struct EvalArgs {
  std::string checkpoint, data, classifier, out;
  EvalOptions opt;
};

void run_eval(const EvalArgs& a) {
  fs::path ckpt = a.checkpoint;
  fs::path out = a.out.empty() ? eval_output_path(ckpt) : fs::path(a.out);  // where `pokegan report` looks
  if (fs::is_directory(ckpt)) ckpt = Trainer::latest_checkpoint(ckpt);
  if (out.empty()) throw Error("--out is required when --checkpoint is a file outside a run's checkpoints/ folder");
  require_exists(a.data, "dataset");
  require_exists(a.classifier, "classifier");
  const Dataset ds = Dataset::load(a.data);
  TrainedClassifier clf = load_classifier(a.classifier);
  EvalOptions opt = a.opt;
  // The memorisation check's closest pairs go beside the metrics file.
  opt.pairs_png = (out.parent_path() / (out.stem().string() + "-closest-pairs.png")).string();
  const auto result = evaluate(ckpt, ds, clf, opt, [](const std::string& s) {
    std::printf("%s\n", s.c_str());
    std::fflush(stdout);
  });
  const std::string text = result.dump(2) + "\n";
  write_atomic(out, text.data(), text.size());
  std::printf("%s", format_eval_table(result).c_str());
  std::printf("wrote %s\n", out.c_str());
}

}  // namespace

void add_eval_commands(CLI::App& app) {
  auto* cls = app.add_subcommand("classifier", "the type classifier whose features the metrics use");
  cls->require_subcommand(1);
  auto ca = std::make_shared<ClassifierArgs>();
  auto* ct = cls->add_subcommand("train", "train the type classifier and report its held-out accuracy");
  ct->add_option("--data", ca->data, "dataset file (pokegan data prepare)")->required();
  ct->add_option("--out", ca->out, "classifier checkpoint to write")->required();
  ct->add_option("--split", ca->opt.split, "held-out part: species (the dataset's held-out species) or random (10% of images)")
      ->capture_default_str();
  ct->add_option("--epochs", ca->opt.epochs)->capture_default_str()->check(CLI::Range(1, 10000));
  ct->add_option("--batch", ca->opt.batch)->capture_default_str()->check(CLI::Range(1, kMaxBatch));
  ct->add_option("--width", ca->opt.width, "channels of the first stage")->capture_default_str()->check(CLI::Range(1, 1024));
  ct->add_option("--lr", ca->opt.lr)->capture_default_str()->check(CLI::PositiveNumber);
  ct->add_option("--seed", ca->opt.seed)->capture_default_str()->check(seed_check());
  ct->callback([ca] { run_classifier_train(*ca); });

  auto ea = std::make_shared<EvalArgs>();
  auto* e = app.add_subcommand("eval", "measure a checkpoint against real sprites (FID, KID, P/R, type accuracy, ...)");
  e->add_option("--checkpoint", ea->checkpoint, "model file (models/sprite-64.safetensors), checkpoint file, or run directory (its latest checkpoint)")->required();
  e->add_option("--data", ea->data, "the dataset the model was trained on")->required();
  e->add_option("--classifier", ea->classifier, "type classifier (pokegan classifier train)")->required();
  e->add_option("--samples", ea->opt.samples, "model samples (0 = as many as the real half holds; generated in batches)")->capture_default_str()->check(CLI::Range(0, kMaxEvalSamples));
  e->add_option("--seed", ea->opt.seed, "seed for the halves, the noise and KID's subsets")->capture_default_str()->check(seed_check());
  e->add_option("--real", ea->opt.real, "real images to compare with: all, train or heldout")->capture_default_str();
  e->add_option("--out", ea->out, "metrics JSON (default <run>/metrics.json for a run directory, <run>/evals/<ckpt>.json for one of its checkpoints)");
  e->callback([ea] { run_eval(*ea); });

  auto ta = std::make_shared<TableArgs>();
  auto* t = app.add_subcommand("compare", "print eval results (metrics.json files) side by side with the real floor");
  t->add_option("files", ta->files, "metrics files from pokegan eval")->required()->expected(1, -1);
  t->add_option("--names", ta->names, "a column name per file (default: each file's folder)")->delimiter(',');
  t->callback([ta] { run_table(*ta); });

  auto ra = std::make_shared<ReportOptions>();
  auto* r = app.add_subcommand("report", "an offline HTML page comparing runs: curves, grids, metrics");
  r->add_option("--runs", ra->runs, "run directories")->required()->expected(1, -1);
  r->add_option("--out", ra->out, "output folder (index.html and its images)")->required();
  r->add_option("--data", ra->data, "dataset for the per-type counts chart (default: the runs' own)");
  r->add_option("--title", ra->title)->capture_default_str();
  r->callback([ra] {
    const auto page = build_report(*ra);
    std::printf("wrote %s\n", page.c_str());
  });
}

}  // namespace pokegan::cli
