#include <gtest/gtest.h>

#include "pokegan/common/error.h"
#include "pokegan/common/fs.h"
#include "pokegan/common/threads.h"
#include "pokegan/eval/classifier.h"
#include "pokegan/eval/evaluate.h"
#include "pokegan/training/trainer.h"
#include "support/fixtures.h"

namespace pokegan {

namespace {
ClassifierOptions tiny_classifier(const std::string& split) {
  ClassifierOptions o;
  o.width = 4;
  o.epochs = 8;
  o.batch = 8;
  o.lr = 3e-3;
  o.split = split;
  return o;
}
// A one-step tiny cdcgan run in `dir`/run; returns its checkpoint.
fs::path one_step_checkpoint(const Dataset& ds, const test::TempDir& dir) {
  TrainConfig cfg = test::tiny_preset("cdcgan");
  cfg.steps = 1;
  Trainer t(cfg, ds, dir / "run");
  return t.save_checkpoint();
}
}  // namespace

class ClassifierEval : public ::testing::Test {
 protected:
  void SetUp() override { set_threads(1); }
  Dataset ds = test::tiny_dataset(16, 3, 16);  // class = square colour: learnable
};

TEST_F(ClassifierEval, LearnsColouredSquaresAndReportsBothSplits) {
  const auto species = train_classifier(ds, tiny_classifier("species"));
  EXPECT_EQ(species.report.split, "species");
  EXPECT_GT(species.report.test_images, 0);
  EXPECT_GT(species.report.accuracy, 0.9);  // colour alone names the class here
  const auto random = train_classifier(ds, tiny_classifier("random"));
  EXPECT_EQ(random.report.test_images, ds.count() / 10);
  EXPECT_THROW(train_classifier(ds, tiny_classifier("by-colour")), Error);
}

TEST_F(ClassifierEval, CheckpointRoundTripGivesTheSameFeatures) {
  test::TempDir dir;
  auto c = train_classifier(ds, tiny_classifier("species"));
  save_classifier(dir / "c.safetensors", c);
  auto back = load_classifier(dir / "c.safetensors");
  EXPECT_EQ(back.classes, c.classes);
  EXPECT_EQ(back.report.accuracy, c.report.accuracy);
  const auto images = torch::from_blob(ds.images.data(), {ds.count(), ds.size, ds.size, 3}, torch::kUInt8);
  EXPECT_TRUE(torch::equal(classify(c, images).features, classify(back, images).features));
  // A different size is resized to the classifier's own.
  const auto big = torch::zeros({2, 32, 32, 3}, torch::kUInt8);
  EXPECT_EQ(classify(back, big).features.size(1), back.net->feature_dim());
}

TEST_F(ClassifierEval, AGeneratorCheckpointIsNotAClassifier) {
  test::TempDir dir;
  EXPECT_THROW(load_classifier(one_step_checkpoint(ds, dir)), Error);
}

TEST_F(ClassifierEval, EvalIsDeterministicAndReportsTheFloor) {
  test::TempDir dir;
  TrainConfig cfg = test::tiny_preset("cdcgan");
  cfg.steps = 2;
  Trainer t(cfg, ds, dir / "run");
  ASSERT_TRUE(t.run(nullptr, false));
  const auto ckpt = Trainer::latest_checkpoint(dir / "run");
  auto clf = train_classifier(ds, tiny_classifier("species"));
  EvalOptions opt;
  opt.seed = 3;
  opt.kid_subsets = 4;
  const auto r1 = evaluate(ckpt, ds, clf, opt);
  const auto r2 = evaluate(ckpt, ds, clf, opt);
  EXPECT_EQ(r1.dump(), r2.dump());
  for (const char* k : {"fid", "kid", "precision", "recall", "density", "coverage", "type_accuracy", "diversity",
                        "colour", "shape", "detail", "stripes"}) {
    EXPECT_TRUE(r1["model"].contains(k)) << k;
    EXPECT_TRUE(r1["real"].contains(k)) << k;
  }
  EXPECT_TRUE(r1["per_type"].contains(ds.classes[0]));
  // The floor compares real with real: its colour distance is far below an untrained model's.
  EXPECT_LT(r1["real"]["colour"].get<double>(), r1["model"]["colour"].get<double>());
  opt.seed = 4;
  EXPECT_NE(evaluate(ckpt, ds, clf, opt).dump(), r1.dump());
}

TEST_F(ClassifierEval, EvalRefusesAMismatchedDataset) {
  test::TempDir dir;
  const auto ckpt = one_step_checkpoint(ds, dir);
  auto clf = train_classifier(ds, tiny_classifier("species"));
  const Dataset other = test::tiny_dataset(16, 3, 32);
  EXPECT_THROW(evaluate(ckpt, other, clf, {}), Error);
  auto clf4 = train_classifier(test::tiny_dataset(8, 4, 16), tiny_classifier("species"));
  EXPECT_THROW(evaluate(ckpt, ds, clf4, {}), Error);
}

// A dual-type model is asked for A's own type pairs, and the eval scores their second type against
// A's real dual-type sprites; a one-type model's table has no such row.
TEST_F(ClassifierEval, DualTypeModelsGetASecondTypeScoreWithItsFloor) {
  ds.classes = {"Normal", "Fire", "Water"};  // type1 of class c is raw type c
  for (size_t i = 0; i < ds.type2.size(); ++i)
    if (ds.labels[i] == 1) ds.type2[i] = 2;  // every Fire sprite is Fire/Water
  test::TempDir dir;
  const auto dual = test::tiny_checkpoint(ds, dir / "dual", 2, 5, "sprite",
                                          {"dual_types=true", "d.class_head=true", "loss.aux_class_weight=0.3"});
  auto clf = train_classifier(ds, tiny_classifier("species"));
  EvalOptions opt;
  opt.kid_subsets = 4;
  opt.real = "all";  // both halves from every species, so that A holds Fire/Water sprites
  const auto r = evaluate(dual, ds, clf, opt);
  ASSERT_TRUE(r.contains("pairs"));
  EXPECT_GT(r["pairs"].get<int64_t>(), 0);
  for (const char* side : {"model", "real"}) {
    const double a = r[side]["second_type_accuracy"].get<double>();
    EXPECT_GE(a, 0.0);
    EXPECT_LE(a, 1.0);
  }
  EXPECT_NE(format_eval_table(r).find("second type, pairs"), std::string::npos);

  const auto single = test::tiny_checkpoint(ds, dir / "single", 2, 5, "sprite");
  const auto s = evaluate(single, ds, clf, opt);
  EXPECT_FALSE(s.contains("pairs"));
  EXPECT_FALSE(s["model"].contains("second_type_accuracy"));
  EXPECT_EQ(format_eval_table(s).find("second type"), std::string::npos);
}

}  // namespace pokegan
