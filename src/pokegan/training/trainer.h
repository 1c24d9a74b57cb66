// The trainer owns a run's state: G, D, their Adam optimizers, the objective (training/objective.h),
// the batch loader, the step counter and the RNG, and where the config asks for them the EMA copy of
// G and the autoencoding GAN's encoder E and latent discriminator D_z. It is a loop: per step it
// draws a batch and z, lets the objective run the D (D_z) and G (E) phases, steps the optimisers
// and updates the EMA. It writes the run directory:
//   <run>/config.json            the TrainConfig
//   <run>/stats.jsonl            every log_every steps: losses, D(x), D(G(z)), img/s, epoch
//   <run>/samples/fakes-<step>.png   fixed-noise grid, one labelled row per class
//   <run>/checkpoints/ckpt-<step>.safetensors   the last keep_checkpoints are kept
// With a Comm (training/distributed.h) it is one rank of a data-parallel run: it computes its shards
// of every global batch, averages gradients with the other ranks, and only rank 0 writes the run
// directory. With micro_batches > 1 one process computes several shards in turn (docs/distributed.md).
#pragma once
#include <atomic>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <torch/optim/adam.h>

#include "pokegan/data/dataset.h"
#include "pokegan/data/loader.h"
#include "pokegan/io/checkpoint.h"
#include "pokegan/models/autoencoder.h"
#include "pokegan/models/networks.h"
#include "pokegan/training/config.h"
#include "pokegan/training/objective.h"

namespace pokegan {

class Comm;

struct StepStats {
  int64_t step = 0;
  double d_loss = 0, g_loss = 0;
  double d_real = 0, d_fake = 0;  // mean sigmoid(D) on the real and the fake batch, before D's update
  std::map<std::string, double> extra;  // model-specific: dz_loss, rec_x, rec_z, d_class_acc, ...
};

class Trainer {
 public:
  // Starts a run in `run_dir` (created; config.json written). The dataset must outlive the trainer.
  // With `comm` (not owned; it must outlive the trainer) this process is one rank of a
  // data-parallel run: rank 0's weights are broadcast at start, and only rank 0 writes files.
  // With cfg.init_from set, the weights that fit come from `init` (that file, already loaded by the
  // caller), or from loading cfg.init_from when `init` is null.
  Trainer(TrainConfig cfg, const Dataset& ds, std::filesystem::path run_dir,
          torch::Device device = torch::kCPU, Comm* comm = nullptr, const Checkpoint* init = nullptr);
  // Continues the run whose checkpoint this is; `cfg` must be the checkpoint's config (possibly with
  // a larger `steps`).
  Trainer(TrainConfig cfg, const Dataset& ds, std::filesystem::path run_dir, const Checkpoint& ckpt,
          torch::Device device = torch::kCPU, Comm* comm = nullptr);

  StepStats step();
  // Runs to total_steps(), logging, sampling and checkpointing on schedule. Returns false if `stop`
  // was raised (a checkpoint is saved first), true when the run completed. After every step the
  // losses and weights are checked; divergence is handled by cfg.divergence (see config.h): an
  // Error naming the step, the quantity and the last good checkpoint, which is left untouched. With max_seconds > 0 the
  // run also ends, like a completed one (final samples and checkpoint), once that much time passed.
  // With cpu_time the budget counts this process's CPU time (all threads) instead of wall time, so
  // equal-budget comparisons hold on a busy machine.
  bool run(const std::atomic<bool>* stop = nullptr, bool show_progress = true, double max_seconds = 0,
           bool cpu_time = false);

  // For a run started with cfg.init_from: what was copied from that file and what started fresh,
  // one line ("initialised from F (step N): 120 tensors copied; fresh: D.class_head.weight, ...").
  const std::string& init_summary() const { return init_summary_; }
  // Both write only on rank 0 and return an empty path elsewhere.
  std::filesystem::path save_checkpoint();
  std::filesystem::path write_samples();

  int rank() const;
  int world_size() const;
  bool is_root() const { return rank() == 0; }
  // Shards per step: world_size() x micro_batches.
  int64_t shards() const;

  int64_t steps_done() const { return step_; }
  int64_t total_steps() const;
  const TrainConfig& config() const { return cfg_; }
  const std::filesystem::path& run_dir() const { return run_dir_; }
  GeneratorImpl& generator() { return *g_; }
  // The generator used for sampling: the EMA copy when there is one.
  GeneratorImpl& sampling_generator() { return g_ema_ ? *g_ema_ : *g_; }
  DiscriminatorImpl& discriminator() { return *d_; }

  // The checkpoint with the highest step in <run>/checkpoints; throws Error if there is none.
  static std::filesystem::path latest_checkpoint(const std::filesystem::path& run_dir);
  // "<outdir>/<NNNNN>-<name>": the next free run number.
  static std::filesystem::path new_run_dir(const std::filesystem::path& outdir, const std::string& name);

 private:
  void build();
  // Copies every tensor of G, D, G_ema (E, D_z) whose name and shape match from `ckpt` (a model
  // file's G_ema serves G as well); sets cfg_.init_step; throws Error when nothing matches.
  void init_weights(const Checkpoint& ckpt);
  // Checks the run against the process group, then copies rank 0's weights and buffers to every rank.
  void join_group();
  void update_ema();
  // The step as S > 1 shards (micro-batches and/or ranks), with per-shard random streams.
  StepStats sharded_step(const torch::Tensor& real_all, const torch::Tensor& labels_all);
  // Averages the gradients of `params` over all shards: an allreduce with the other ranks, then / S.
  void reduce_gradients(const std::vector<torch::Tensor>& params);
  // Every trained network's buffers (BatchNorm statistics, spectral-norm vectors), as copies.
  std::vector<torch::Tensor> snapshot_buffers();
  // Copies them back: those of G and E, and/or those of D and D_z.
  void load_buffers(const std::vector<torch::Tensor>& saved, bool generators, bool discriminators);
  // Whether any rank says so (the flag itself without a process group).
  bool any_rank(bool flag);
  // Every network the checkpoint holds, with its key prefix and (where it is trained) its
  // optimizer's prefix: the one list that saving and restoring both walk.
  struct Part {
    std::string prefix;
    torch::nn::Module* module;
    std::string opt_prefix;
    torch::optim::Adam* opt;
  };
  std::vector<Part> parts();
  void append_stats(const StepStats& s, double img_per_s);
  // Loads every network, optimiser, the loader, the objective, the step and the RNG from `ckpt`.
  void restore(const Checkpoint& ckpt);
  // What is wrong after step `s`, as "d_loss = inf" or "a weight of D (block0.conv1.weight) is NaN";
  // empty when the losses and the weights are finite and the losses within divergence.loss_max.
  std::string divergence(const StepStats& s);
  // Applies divergence.policy to what `divergence` found: throws Error (stop), or reloads the last
  // checkpoint with lower learning rates (rollback).
  void on_divergence(const std::string& what);

  TrainConfig cfg_;
  const Dataset& ds_;
  std::filesystem::path run_dir_;
  torch::Device device_;
  Comm* comm_ = nullptr;
  Generator g_, g_ema_;
  Discriminator d_;
  Encoder e_{nullptr};
  LatentDiscriminator dz_{nullptr};
  std::unique_ptr<torch::optim::Adam> opt_g_, opt_d_, opt_e_, opt_dz_;
  std::unique_ptr<Objective> objective_;
  std::unique_ptr<BatchLoader> loader_;
  int64_t step_ = 0;
  int rollbacks_ = 0;
  std::string dataset_fingerprint_;
  std::string init_summary_;  // computed at the first checkpoint
};

// The configuration stored in a checkpoint.
TrainConfig checkpoint_config(const Checkpoint& ckpt);

// Where `train --resume RUN` continues: the run's latest checkpoint and its config, or, for a run
// stopped before its first checkpoint, its config.json with no checkpoint (the run starts again
// from step 0). Throws Error when RUN is not a run directory.
struct ResumePoint {
  TrainConfig cfg;
  std::unique_ptr<Checkpoint> ckpt;  // null: start from step 0
  std::filesystem::path from;        // the checkpoint, or config.json
};
ResumePoint resume_point(const std::filesystem::path& run_dir);

}  // namespace pokegan
