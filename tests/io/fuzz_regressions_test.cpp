// Every input that made a fuzz target (fuzz/) fail is kept in fuzz/regressions/<target>/ and run
// here through the same check: the parser either accepts it or throws pokegan::Error with a
// one-line message.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "pokegan/common/error.h"
#include "pokegan/common/fs.h"
#include "pokegan/io/image.h"
#include "pokegan/training/config.h"

namespace pokegan {

namespace {
std::vector<fs::path> regressions(const std::string& target) {
  std::vector<fs::path> out;
  const fs::path dir = fs::path(POKEGAN_SOURCE_DIR) / "fuzz" / "regressions" / target;
  if (fs::is_directory(dir))
    for (const auto& e : fs::directory_iterator(dir)) out.push_back(e.path());
  return out;
}

template <typename F>
void expect_accept_or_one_line_error(const fs::path& input, F&& f) {
  try {
    f();
  } catch (const Error& e) {
    const std::string m = e.what();
    EXPECT_EQ(m.find('\n'), std::string::npos) << input << ": [" << m << "]";
  } catch (const std::exception& e) {
    ADD_FAILURE() << input << ": not a pokegan::Error: " << e.what();
  }
}
}  // namespace

TEST(FuzzRegressions, ImageInputs) {
  const auto files = regressions("image");
  EXPECT_FALSE(files.empty());
  for (const auto& f : files) {
    const auto bytes = read_file(f);
    expect_accept_or_one_line_error(f, [&] { decode_frames(bytes.data(), bytes.size(), f.filename().string()); });
    if (f.filename().string().rfind("tga-", 0) == 0)  // not a format pokegan reads
      EXPECT_THROW(decode_frames(bytes.data(), bytes.size(), "x"), Error) << f;
    if (f.filename().string().rfind("gif-zero-height", 0) == 0)  // refused before stb sees it (finding #10)
      EXPECT_THROW(decode_frames(bytes.data(), bytes.size(), "x"), Error) << f;
  }
}

TEST(FuzzRegressions, ConfigOverrides) {
  const auto files = regressions("config");
  EXPECT_FALSE(files.empty());
  for (const auto& f : files) {
    expect_accept_or_one_line_error(f, [&] { validate(config_from_json(read_text(f), f.string())); });
    std::istringstream lines(read_text(f));
    std::string line;
    TrainConfig cfg;
    while (std::getline(lines, line)) expect_accept_or_one_line_error(f, [&] { apply_override(cfg, line); });
  }
  TrainConfig cfg;
  EXPECT_THROW(apply_override(cfg, "g.base~channels=3"), Error);
  EXPECT_THROW(apply_override(cfg, "g.lambda_c.x=3"), Error);
  try {
    config_from_json(R"({"ae": {"latent_hidden": 2.6e36}})", "c.json");
    ADD_FAILURE() << "accepted a fraction for an int";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("'ae.latent_hidden' expects a whole number"), std::string::npos) << e.what();
  }
  EXPECT_EQ(config_from_json(R"({"batch": 32})", "c.json").batch, 32);
}

}  // namespace pokegan
