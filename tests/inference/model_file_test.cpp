// The shipped-model file: export from a run, complete metadata, float16 samples like float32,
// deterministic per seed, a corrupted copy refused in one line, and the file in the repository.
#include "pokegan/inference/model_file.h"

#include <gtest/gtest.h>

#include <fstream>

#include "pokegan/common/error.h"
#include "pokegan/common/threads.h"
#include "pokegan/training/sampler.h"
#include "pokegan/training/trainer.h"
#include "support/fixtures.h"

namespace pokegan {

class ModelFile : public ::testing::Test {
 protected:
  void SetUp() override { ckpt_ = test::tiny_checkpoint(ds_, dir_ / "run", 3, 1); }
  Dataset ds_ = test::tiny_dataset(6, 3, 16);
  test::TempDir dir_;
  std::filesystem::path ckpt_;
};

TEST_F(ModelFile, ExportKeepsOnlyTheGeneratorWithCompleteMetadata) {
  const auto out = dir_ / "model.safetensors";
  export_generator(ckpt_, out, {{"commit", "abc123"}, {"command", "pokegan train ..."}, {"wall_time", "1 s"}});
  const Checkpoint f = load_checkpoint(out);
  EXPECT_NO_THROW(check_generator_file(f, out));
  for (const auto& [k, v] : f.tensors) {
    EXPECT_EQ(k.rfind("G_ema.", 0), 0u) << k;
    if (v.is_floating_point()) EXPECT_EQ(v.scalar_type(), torch::kFloat16) << k;
  }
  const auto prov = nlohmann::json::parse(f.metadata.at("provenance"));
  for (const char* k : {"preset", "steps", "batch", "images_seen", "commit", "command", "wall_time"})
    EXPECT_TRUE(prov.contains(k)) << k;
  EXPECT_EQ(prov["steps"].get<int>(), 3);
  EXPECT_EQ(prov["images_seen"].get<int>(), 3 * 4);
  EXPECT_EQ(nlohmann::json::parse(f.metadata.at("classes")).get<std::vector<std::string>>(), ds_.classes);
  EXPECT_LT(std::filesystem::file_size(out), std::filesystem::file_size(ckpt_) / 3);
}

TEST_F(ModelFile, Float16SamplesLikeTheCheckpointAndIsDeterministicPerSeed) {
  const auto out = dir_ / "model.safetensors";
  export_generator(ckpt_, out, {});
  const auto labels = torch::tensor({0, 1, 2, 2}, torch::kLong);
  LoadedGenerator full = load_generator(ckpt_), half = load_generator(out);
  const auto a = generate(*full.g, labels, 5), b = generate(*half.g, labels, 5);
  EXPECT_LT((a - b).abs().max().item<double>(), 1e-2);
  EXPECT_TRUE(torch::equal(b, generate(*load_generator(out).g, labels, 5)));
  EXPECT_FALSE(torch::equal(b, generate(*half.g, labels, 6)));
}

TEST_F(ModelFile, CorruptedCopyGetsOneLineError) {
  const auto out = dir_ / "model.safetensors";
  export_generator(ckpt_, out, {});
  const auto size = std::filesystem::file_size(out);
  std::filesystem::resize_file(out, size / 2);
  try {
    load_generator(out);
    FAIL() << "a truncated file loaded";
  } catch (const Error& e) {
    const std::string msg = e.what();
    EXPECT_EQ(msg.find('\n'), std::string::npos) << msg;
    EXPECT_NE(msg.find(out.filename().string()), std::string::npos) << msg;
  }
  std::ofstream(out, std::ios::binary | std::ios::trunc) << "not a model";
  EXPECT_THROW(load_generator(out), Error);
}

TEST_F(ModelFile, MissingDefaultModelSaysWhatToDo) {
  ::setenv("POKEGAN_MODEL", (dir_ / "absent.safetensors").c_str(), 1);
  try {
    resolve_model_path("");
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("--checkpoint"), std::string::npos) << e.what();
  }
  ::unsetenv("POKEGAN_MODEL");
  EXPECT_EQ(resolve_model_path((dir_ / "run").string()), Trainer::latest_checkpoint(dir_ / "run"));
}

// The model the repository ships (models/sprite-64.safetensors), when it ships one: it loads,
// its metadata is complete, it is small, it samples deterministically per seed, a damaged copy is
// refused in one line, and `pokegan sample` uses it without --checkpoint.
TEST(ShippedModel, LoadsWithCompleteMetadataAndSamplesDeterministically) {
  const auto path = std::filesystem::path(POKEGAN_SOURCE_DIR) / "models" / "sprite-64.safetensors";
  if (!std::filesystem::exists(path)) GTEST_SKIP() << "no shipped model in this checkout";
  set_threads(1);
  EXPECT_LE(std::filesystem::file_size(path), 20u << 20);
  const Checkpoint f = load_checkpoint(path);
  EXPECT_NO_THROW(check_generator_file(f, path));
  const auto prov = nlohmann::json::parse(f.metadata.at("provenance"));
  for (const char* k : {"preset", "steps", "batch", "images_seen", "commit", "command", "wall_time"})
    EXPECT_TRUE(prov.contains(k)) << k;
  const auto classes = nlohmann::json::parse(f.metadata.at("classes")).get<std::vector<std::string>>();
  EXPECT_EQ(classes.size(), 13u);
  EXPECT_EQ(classes[1], "Fire");
  EXPECT_EQ(f.metadata.at("image_size"), "64");

  LoadedGenerator a = load_generator(path), b = load_generator(path);
  const auto labels = torch::tensor({1, 2, 4, 4}, torch::kLong);
  const auto x = generate(*a.g, labels, 7);
  EXPECT_EQ(x.sizes(), (std::vector<int64_t>{4, 3, 64, 64}));
  EXPECT_TRUE(torch::equal(x, generate(*b.g, labels, 7)));
  EXPECT_FALSE(torch::equal(x, generate(*b.g, labels, 8)));
  EXPECT_GT(x.std().item<double>(), 0.05) << "samples are not flat";

  test::TempDir dir;
  const auto copy = dir / "damaged.safetensors";
  std::filesystem::copy_file(path, copy);
  std::filesystem::resize_file(copy, std::filesystem::file_size(copy) - 1000);
  try {
    load_generator(copy);
    FAIL() << "a damaged copy loaded";
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()).find('\n'), std::string::npos) << e.what();
  }
  std::string out;
  ::unsetenv("POKEGAN_MODEL");
  ASSERT_EQ(test::run_cli("sample --type Fire --count 4 --seed 7 --out " + (dir / "fire.png").string(), &out), 0) << out;
  EXPECT_TRUE(std::filesystem::exists(dir / "fire.png"));
}

}  // namespace pokegan
