#include "pokegan/perf/bench.h"

#include <ATen/Context.h>
#include <ATen/Parallel.h>

#include <algorithm>
#include <chrono>

#include <unistd.h>

#include "pokegan/common/blas_env.h"
#include "pokegan/common/device.h"
#include "pokegan/common/error.h"
#include "pokegan/common/threads.h"
#include "pokegan/common/fs.h"
#include "pokegan/data/loader.h"
#include "pokegan/inference/sprite_model.h"
#include "pokegan/io/draw.h"
#include "pokegan/models/layers.h"
#include "pokegan/models/networks.h"
#include "pokegan/training/presets.h"
#include "pokegan/training/sampler.h"
#include "pokegan/training/trainer.h"

namespace pokegan {

namespace {

using Clock = std::chrono::steady_clock;
double ms_since(Clock::time_point t) { return std::chrono::duration<double, std::milli>(Clock::now() - t).count(); }

// Random sprites: enough for a few batches, labels spread over the classes.
Dataset synthetic_dataset(int size, int classes, int count, uint64_t seed) {
  Dataset ds;
  ds.size = size;
  for (int c = 0; c < classes; ++c) ds.classes.push_back("type" + std::to_string(c));
  torch::manual_seed(seed);
  const auto pixels = torch::randint(0, 256, {count, size, size, 3}, torch::kUInt8);
  ds.images.assign(pixels.data_ptr<uint8_t>(), pixels.data_ptr<uint8_t>() + pixels.numel());
  for (int i = 0; i < count; ++i) {
    ds.labels.push_back(i % classes);
    ds.species.push_back(i);
    ds.view.push_back(0);
    ds.shiny.push_back(0);
    ds.split.push_back(kTrain);
    ds.type1.push_back(int8_t(i % classes));
    ds.type2.push_back(-1);
  }
  return ds;
}

}  // namespace

double median(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

double sgemm_gflops(int n, int reps) {
  // The machine's ceiling: BLAS on every core for this one product (training leaves OpenBLAS at
  // one thread under LibTorch's own; see common/threads.h).
  const ScopedBlasThreads blas;
  torch::NoGradGuard no_grad;
  const auto a = torch::randn({n, n}), b = torch::randn({n, n});
  auto c = torch::mm(a, b);  // warm-up
  std::vector<double> gflops;
  for (int r = 0; r < reps; ++r) {
    const auto t = Clock::now();
    torch::mm_out(c, a, b);
    gflops.push_back(2.0 * n * n * n / (ms_since(t) * 1e6));
  }
  return median(gflops);
}

BenchResult run_bench(const BenchOptions& opt) {
  if (opt.steps < 1 || opt.warmup < 0 || opt.sample_reps < 1) throw Error("bench needs steps >= 1, warmup >= 0, reps >= 1");
  if (opt.mkldnn != "on" && opt.mkldnn != "off") throw Error("--mkldnn must be on or off");
  at::globalContext().setUserEnabledMkldnn(opt.mkldnn == "on");
  if (opt.resample != "pokegan" && opt.resample != "libtorch") throw Error("--resample must be pokegan or libtorch");
  use_libtorch_resampling(opt.resample == "libtorch");
  TrainConfig cfg = preset(opt.preset);
  for (const auto& s : opt.sets) apply_override(cfg, s);
  cfg.batch = opt.batch;
  cfg.steps = opt.warmup + opt.steps;
  cfg.seed = opt.seed;
  const Dataset ds = synthetic_dataset(opt.size, opt.classes, opt.batch * 4, opt.seed);
  const fs::path dir = fs::temp_directory_path() / ("pokegan-bench-" + std::to_string(::getpid()));
  BenchResult r;
  r.threads = at::get_num_threads();
  {
    const torch::Device device = parse_device(opt.device);
    Trainer t(cfg, ds, dir, device);
    if (opt.channels_last) {
      use_channels_last(t.generator());
      use_channels_last(t.discriminator());
    }
    set_blas_threads(opt.blas_threads);
    for (int i = 0; i < opt.warmup; ++i) t.step();
    std::vector<double> ms;
    for (int i = 0; i < opt.steps; ++i) {
      const auto start = Clock::now();
      t.step();
      ms.push_back(ms_since(start));
    }
    r.step_ms = median(ms);
    set_blas_threads(1);
    r.img_per_s = opt.batch / (r.step_ms / 1000.0);

    GeneratorImpl& g = t.sampling_generator();
    std::vector<int64_t> lab(size_t(opt.sample_count));
    for (int i = 0; i < opt.sample_count; ++i) lab[size_t(i)] = i % opt.classes;
    const auto labels = torch::tensor(lab, torch::kLong);
    const auto z = fixed_noise(opt.sample_count, g.z_dim(), opt.seed + 1);
    generate(g, z, labels, device);  // warm-up
    std::vector<double> sample_ms;
    for (int i = 0; i < opt.sample_reps; ++i) {
      const auto start = Clock::now();
      const auto images = to_uint8_images(generate(g, z, labels, device));
      sample_ms.push_back(ms_since(start));
    }
    r.sample_ms = median(sample_ms);
    r.blas_core = blas_core_name();
  }
  std::error_code ec;
  fs::remove_all(dir, ec);
  r.sgemm_gflops = sgemm_gflops();
  return r;
}

ModelBenchResult bench_model(const std::string& model, int reps) {
  if (reps < 1) throw Error("bench needs reps >= 1");
  ModelBenchResult r;
  r.threads = at::get_num_threads();
  auto start = Clock::now();
  SpriteModel m(model);
  r.load_ms = ms_since(start);
  const int64_t classes = std::max<int64_t>(1, int64_t(m.classes().size()));
  std::vector<int64_t> rows;
  for (int64_t c = 0; c < classes; ++c) rows.push_back(c);
  std::vector<double> t64, t16;
  m.sheet(0, 1, 16);  // warm-up
  for (int i = 0; i < reps; ++i) {
    start = Clock::now();
    const auto z = fixed_noise(64, m.config().g.z_dim, uint64_t(i));
    torch::Tensor labels = torch::arange(64, torch::kLong) % classes;
    const auto images = m.render(z, labels);
    t64.push_back(ms_since(start));
    start = Clock::now();
    const auto png = encode_png(make_grid(m.sheet(1 % classes, uint64_t(i), 16), 8));
    t16.push_back(ms_since(start));
  }
  r.sample64_ms = median(t64);
  r.sheet16_ms = median(t16);
  return r;
}

}  // namespace pokegan
