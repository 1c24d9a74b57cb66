// The training objective as one object (as stylegan2-ada's `Loss`): built with the networks (G, D,
// and the AE-GAN's E and D_z where present), the augmentation policy and the loss options, it runs
// each phase of a step and accumulates that phase's gradients. The trainer only loops, zeroes and
// steps optimisers, updates the EMA, logs and checkpoints; tests call this same object.
//
// One step:
//   begin(step, total, real, labels, z)   G(z) once (and E(x), G(E(x)), E(G(z)) for the AE-GAN);
//                                          schedules: loss weights, D's input-noise anneal, lazy R1
//   accumulate(Phase::D)    adversarial D loss (+ R1 every r1_every steps, + LeCam)
//   accumulate(Phase::Dz)   the AE-GAN's latent discriminator
//   accumulate(Phase::G)    G (and E) through the updated D (and D_z) (+ mode seeking)
// Every image D sees goes through ADA's blits when augment.ada_target > 0 (at the adaptive
// probability p), then DiffAugment when augment.diffaug is set. Under amp=bf16 every
// network forward runs under autocast with float32 results.
//
// State that is not a network (LeCam's moving averages, ADA's p and its running sign sum) comes out of state() and goes back through
// load_state(), so that checkpoints hold it and a resume is exact.
#pragma once
#include <map>
#include <memory>
#include <string>

#include <c10/core/Device.h>
#include <torch/types.h>

#include "pokegan/data/augment_options.h"
#include "pokegan/losses/gan_loss.h"
#include "pokegan/losses/options.h"
#include "pokegan/models/autoencoder.h"
#include "pokegan/models/networks.h"

namespace pokegan {

enum class Phase { D, Dz, G };

struct ObjectiveNets {
  GeneratorImpl* g = nullptr;
  DiscriminatorImpl* d = nullptr;
  EncoderImpl* e = nullptr;               // AE-GAN only
  LatentDiscriminatorImpl* dz = nullptr;  // AE-GAN only
};

struct ObjectiveOptions {
  LossOptions loss;
  AugmentOptions augment;
  double d_noise_std = 0, d_noise_std_end = -1;  // D's input noise and its linear anneal (-1 = constant)
  double lambda_rx = 1, lambda_rz = 1;           // AE-GAN reconstruction weights
  bool amp = false;                              // bf16 autocast for the forwards
};

// What a phase reports: its loss and named extras (d_real, r1, lecam, rec_x, ...).
struct PhaseStats {
  double loss = 0;
  std::map<std::string, double> extra;
};

class Objective {
 public:
  Objective(ObjectiveOptions opt, ObjectiveNets nets, c10::Device device);

  // Starts a step on a real batch [B, 3, S, S] with labels [B] and noise z [B, z_dim].
  void begin(int64_t step, int64_t total, const torch::Tensor& real, const torch::Tensor& labels,
             const torch::Tensor& z);
  // Runs one phase's forward passes and backward; the caller zeroes gradients before and steps the
  // phase's optimisers after. Throws Error for Phase::Dz without an encoder.
  PhaseStats accumulate(Phase phase);

  bool has_latent() const { return nets_.e != nullptr; }
  // The images of this step's fake batch (after begin).
  const torch::Tensor& fake() const { return fake_; }
  // The labels G was given this step (the real labels, or with mode seeking the first half's
  // labels repeated, so that pairs share a class).
  const torch::Tensor& fake_labels() const { return fake_labels_; }

  // The per-step tensors begin() sets (a shard's batch, z, G(z) with its graph, ...). Swapping them
  // out and back lets the trainer run several shards' phases in turn (micro-batches).
  struct StepState {
    torch::Tensor real, labels, fake_labels, z, fake, z_enc, recon, z_rec;
  };
  void swap_step(StepState& s);
  // Sharded mode (a step computed as several shards, in one process or many): a D phase does not
  // update LeCam's moving averages but reports its batch means as "lecam_mean_real" and
  // "lecam_mean_fake"; the trainer averages them over all shards and calls update_lecam once. The
  // term therefore uses the averages of the previous step.
  void set_sharded(bool on) { sharded_ = on; }
  void update_lecam(double real_mean, double fake_mean);
  // ADA: adds a step's sum of sign(D(real)) over `count` real images; every augment.ada_interval-th
  // call moves p by sign(r_t - ada_target) * images / (ada_kimg * 1000), r_t being the mean sign
  // since the last move, and clamps p to [0, 1]. Unsharded D phases call it themselves; in sharded
  // mode they report "ada_sign_sum" and "ada_count", and the trainer calls it once per step with
  // the sums over all shards.
  void update_ada(double sign_sum, double count);
  double ada_p() const { return ada_p_; }

  std::map<std::string, torch::Tensor> state() const;
  void load_state(const std::map<std::string, torch::Tensor>& s);  // throws Error when a key is missing

 private:
  bool aux_class_on() const { return opt_.loss.aux_class_weight > 0 && step_ >= opt_.loss.aux_class_start; }
  bool aux_twin_on() const { return opt_.loss.aux_twin_weight > 0 && step_ >= opt_.loss.aux_class_start; }
  torch::Tensor G(const torch::Tensor& z, const torch::Tensor& y);
  torch::Tensor E(const torch::Tensor& x);
  DOutput D(const torch::Tensor& x, const torch::Tensor& y);
  DOutput Dz(const torch::Tensor& z);
  PhaseStats d_phase();
  PhaseStats dz_phase();
  PhaseStats g_phase();

  ObjectiveOptions opt_;
  ObjectiveNets nets_;
  c10::Device device_;
  std::unique_ptr<GanLoss> loss_, latent_loss_;
  int64_t step_ = 0;
  torch::Tensor real_, labels_, fake_labels_, z_, fake_, z_enc_, recon_, z_rec_;
  // LeCam's moving averages of D's mean output on real and on fake batches; lecam_n_ counts updates
  // (the first update sets them).
  double lecam_real_ = 0, lecam_fake_ = 0;
  int64_t lecam_n_ = 0;
  // ADA: the augmentation probability, and the sign sum, image count and steps since its last move.
  double ada_p_ = 0, ada_sign_sum_ = 0, ada_count_ = 0;
  int64_t ada_steps_ = 0;
  bool ada_on() const { return opt_.augment.ada_target > 0; }
  bool sharded_ = false;
};

}  // namespace pokegan
