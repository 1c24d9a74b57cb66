// pokegan bench: training-step throughput, 64-sprite latency and the sgemm ceiling, as one JSON
// line (bench/run.sh puts it beside the PyTorch-Python twin's figures).
#include <ATen/Parallel.h>
#include <nlohmann/json.hpp>

#include <cstdio>

#include "cli/commands.h"
#include "pokegan/common/blas_env.h"
#include "pokegan/perf/bench.h"

namespace pokegan::cli {

void add_bench_command(CLI::App& app) {
  auto o = std::make_shared<BenchOptions>();
  auto* c = app.add_subcommand("bench", "time a preset's training step and sampling on synthetic sprites");
  c->add_option("--preset", o->preset)->capture_default_str();
  c->add_option("--set", o->sets, "config override key=value, as for train");
  c->add_option("--size", o->size)->capture_default_str()->check(CLI::Range(8, kMaxImageSize));
  c->add_option("--batch", o->batch)->capture_default_str()->check(CLI::Range(1, kMaxBatch));
  c->add_option("--classes", o->classes)->capture_default_str()->check(CLI::Range(1, 1000));
  c->add_option("--warmup", o->warmup, "untimed training steps first")->capture_default_str()->check(CLI::Range(0, 100000));
  c->add_option("--steps", o->steps, "timed training steps (the median is reported)")->capture_default_str()->check(CLI::Range(1, 100000));
  c->add_option("--sample-reps", o->sample_reps, "timed 64-sprite generations")->capture_default_str()->check(CLI::Range(0, 100000));
  c->add_flag("--channels-last", o->channels_last, "convert G's and D's conv weights to channels-last");
  c->add_option("--mkldnn", o->mkldnn, "oneDNN convolutions: on or off")->capture_default_str();
  c->add_option("--resample", o->resample,
                "x2 bilinear upsampling and 2x2 average pooling: pokegan (its own loops) or libtorch (LibTorch's kernels)")
      ->capture_default_str();
  c->add_option("--blas-threads", o->blas_threads, "OpenBLAS threads during the training steps")->capture_default_str()->check(CLI::Range(0, kMaxThreads));
  c->add_option("--device", o->device, "cpu, cuda or cuda:N")->capture_default_str();
  c->add_option("--seed", o->seed)->capture_default_str()->check(seed_check());
  auto* core = c->add_flag("--blas-core", "print the OpenBLAS kernels in use (after pokegan's tuning) and exit");
  auto model = std::make_shared<std::string>();
  c->add_option("--model", *model,
                "time generation from this model file instead (models/sprite-64.safetensors: the shipped one): "
                "loading, 64 sprites, a 16-sprite sheet as PNG; --sample-reps sets the repetitions");
  c->callback([o, core, model] {
    if (core->count()) {
      std::printf("%s\n", blas_core_name().c_str());
      return;
    }
    if (!model->empty()) {
      const ModelBenchResult r = bench_model(*model, o->sample_reps);
      const nlohmann::json j = {{"impl", "pokegan"}, {"model", *model}, {"threads", r.threads}, {"reps", o->sample_reps},
                                {"load_ms", r.load_ms}, {"sample64_ms", r.sample64_ms}, {"sheet16_png_ms", r.sheet16_ms}};
      std::printf("%s\n", j.dump().c_str());
      return;
    }
    const BenchResult r = run_bench(*o);
    const nlohmann::json j = {{"impl", "pokegan"},           {"preset", o->preset},       {"size", o->size},
                              {"batch", o->batch},           {"threads", r.threads},      {"steps", o->steps},
                              {"img_per_s", r.img_per_s},    {"step_ms", r.step_ms},      {"sample_ms", r.sample_ms},
                              {"blas_core", r.blas_core},
                              {"sgemm_gflops", r.sgemm_gflops}, {"channels_last", o->channels_last},
                              {"mkldnn", o->mkldnn}, {"resample", o->resample}, {"blas_threads", o->blas_threads},
                              {"device", o->device}};
    std::printf("%s\n", j.dump().c_str());
  });
}

}  // namespace pokegan::cli
