#include "support/fixtures.h"

#include <unistd.h>

#include <array>
#include <cstdio>
#include <fstream>
#include <random>

#include "pokegan/common/threads.h"
#include "pokegan/training/presets.h"
#include "pokegan/training/trainer.h"
#include "support/gif_writer.h"

namespace pokegan::test {

TempDir::TempDir() {
  static int counter = 0;
  path_ = std::filesystem::temp_directory_path() /
          ("pokegan-test-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
  std::filesystem::remove_all(path_);
  std::filesystem::create_directories(path_);
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

Image blob_frame(int w, int h, Rgb color, int shift) {
  Image im(w, h, 4, 0);
  for (int y = h / 4; y < h - h / 4; ++y)
    for (int x = w / 4 + shift; x < w - w / 4 + shift && x < w; ++x) {
      uint8_t* p = im.at(x, y);
      p[0] = color[0], p[1] = color[1], p[2] = color[2], p[3] = 255;
    }
  return im;
}

void make_raw_dir(const std::filesystem::path& dir) {
  std::ofstream(dir / "types.csv") << "key,num,name,type1,type2\n"
                                      "1,1,Bulbasaur,Grass,Poison\n"
                                      "4,4,Charmander,Fire,\n"
                                      "7,7,Squirtle,Water,\n"
                                      "25,25,Pikachu,Electric,\n"
                                      "361,361,Snorunt,Ice,\n"
                                      "414,414,Mothim,Bug,Flying\n"
                                      "479,479,Rotom,Electric,Ghost\n"
                                      "479-heat,479,Rotom-Heat,Electric,Fire\n";
  const std::vector<std::pair<std::string, Rgb>> files = {
      {"1", {40, 180, 60}},    {"4", {230, 80, 30}},   {"7", {40, 90, 220}},
      {"25", {240, 220, 40}},  {"361", {150, 220, 250}}, {"479", {200, 80, 200}},
      {"479-heat", {250, 120, 0}}, {"479-wash", {0, 120, 250}}, {"414-plant", {120, 140, 60}},
      {"10001", {10, 10, 10}}, {"substitute", {100, 100, 100}}};
  auto animation = [](Rgb c) {
    return std::vector<Image>{blob_frame(20, 14, c, 0), blob_frame(20, 14, c, 1), blob_frame(20, 14, c, 2)};
  };
  for (const auto& [name, color] : files) write_gif(dir / "sprites" / (name + ".gif"), animation(color));
  write_gif(dir / "sprites" / "shiny" / "1.gif", animation({200, 200, 40}));
  write_gif(dir / "sprites" / "shiny" / "4.gif", animation({40, 40, 40}));
}

Dataset tiny_dataset(int per_class, int classes, int size) {
  Dataset ds;
  ds.size = size;
  static const std::array<Rgb, 6> colors = {{{220, 40, 40}, {40, 160, 40}, {40, 60, 220}, {220, 200, 40}, {160, 40, 200}, {40, 200, 200}}};
  std::mt19937 rng(1);
  for (int c = 0; c < classes; ++c) ds.classes.push_back("Class" + std::to_string(c));
  int i = 0;
  for (int c = 0; c < classes; ++c)
    for (int k = 0; k < per_class; ++k, ++i) {
      Image im(size, size, 3, 255);
      const int s = size / 4 + static_cast<int>(rng() % 3), o = static_cast<int>(rng() % 3);
      fill_rect(im, s + o - 1, s - 1 + o % 2, size - 2 * s, size - 2 * s, colors[c % colors.size()]);
      ds.add(im, c, i / 2, 0, 0, static_cast<int8_t>(c), -1);
    }
  ds.split_by_species(0.25, 0);
  return ds;
}

TrainConfig tiny_preset(const std::string& name) {
  TrainConfig c = preset(name);
  c.g.z_dim = 8, c.g.base_channels = 4, c.g.class_embed_dim = 4, c.g.mapping_hidden = 8, c.g.w_dim = 8, c.g.max_channels = 16;
  c.g.lambda_c.clear();
  if (c.g.arch == "resnet") c.g.z_dim = 12;  // hierarchical z: a multiple of stages + 1 (3 at 16 px, 4 at 32)
  c.d.base_channels = 4, c.d.class_embed_dim = 4, c.d.max_channels = 16;
  c.ae.encoder_channels = 4, c.ae.latent_hidden = 8;
  c.batch = 4;
  c.log_every = 1, c.sample_every = 0, c.checkpoint_every = 0, c.samples_per_class = 2;
  return c;
}

int run_cli(const std::string& args, std::string* output, const std::string& wrapper) {
  const std::string cmd = wrapper + std::string(POKEGAN_BIN) + " --threads 1 " + args + " 2>&1";
  std::FILE* p = ::popen(cmd.c_str(), "r");
  std::string out;
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  const int status = ::pclose(p);
  if (output) *output = out;
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

std::filesystem::path tiny_checkpoint(const Dataset& ds, const std::filesystem::path& run_dir, int steps,
                                      uint64_t seed, const std::string& preset, const std::vector<std::string>& sets) {
  set_threads(1);
  TrainConfig c = tiny_preset(preset);
  c.steps = steps, c.seed = seed;
  for (const auto& kv : sets) apply_override(c, kv);
  Trainer t(c, ds, run_dir);
  for (int i = 0; i < steps; ++i) t.step();
  return t.save_checkpoint();
}

int prepare_tiny_data(const std::filesystem::path& dir, std::string* log) {
  make_raw_dir(dir);
  return run_cli("data prepare --raw " + dir.string() + " --size 16 --frames 2 --held-out 0.2 --out " +
                     (dir / "d.safetensors").string(),
                 log);
}

}  // namespace pokegan::test
