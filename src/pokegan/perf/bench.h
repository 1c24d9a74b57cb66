// Throughput measurement for `pokegan bench`: a preset's full training step (data batch,
// augmentation, D and G updates, EMA) timed on synthetic sprites held in memory, the latency of
// generating 64 sprites, and the machine's sgemm ceiling measured in the same process. The
// PyTorch-Python twin in bench/torch_ref.py measures the same quantities the same way.
#pragma once
#include <string>
#include <vector>

namespace pokegan {

struct BenchOptions {
  std::string preset = "cdcgan";
  std::vector<std::string> sets;  // config overrides, as `train --set`
  int size = 64, batch = 128, classes = 13;
  int warmup = 1, steps = 5;      // training steps: untimed, then timed
  int sample_count = 64, sample_reps = 20;
  bool channels_last = false;
  std::string mkldnn = "on";      // on | off: oneDNN (mkldnn) convolutions
  std::string resample = "pokegan";  // pokegan | libtorch: x2 bilinear upsampling and 2x2 pooling kernels
  int blas_threads = 1;           // OpenBLAS threads while training (pokegan's default: 1)
  std::string device = "cpu";     // cpu | cuda | cuda:N (train and sample there; sgemm stays on the CPU)
  uint64_t seed = 0;
};

struct BenchResult {
  int threads = 0;
  double img_per_s = 0;        // batch / median step time
  double step_ms = 0;          // median
  double sample_ms = 0;        // median over sample_reps, sample_count sprites, no autograd
  std::string blas_core;       // OpenBLAS kernels in use ("" for another BLAS)
  double sgemm_gflops = 0;     // 1024^3 float matmul, median
};

BenchResult run_bench(const BenchOptions& opt);

// Generation from a trained model file, as a designer meets it (no training in the process):
// loading the file, 64 sprites of mixed types as tensors (sample --count), and a 16-sprite sheet of
// one type through SpriteModel with PNG encoding, as the studio answers /api/sheet.png.
struct ModelBenchResult {
  int threads = 0;
  double load_ms = 0;       // open the file and build G
  double sample64_ms = 0;   // median: 64 sprites, 13 types, tensors to uint8 images
  double sheet16_ms = 0;    // median: SpriteModel::sheet(16) + grid + PNG bytes
};
ModelBenchResult bench_model(const std::string& model, int reps = 20);

// GFLOP/s of an n x n x n float32 matrix product through LibTorch (BLAS on all of LibTorch's
// threads), median of `reps`.
double sgemm_gflops(int n = 1024, int reps = 10);

// Median of a vector (by copy).
double median(std::vector<double> v);

}  // namespace pokegan
