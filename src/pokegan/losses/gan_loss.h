// GAN losses as small objects on logits, so a loss pairs with any G/D (networks.h).
//   d_loss(real, fake, labels, fake_labels): what D minimises, given D's outputs on a real batch
//                                (of `labels`) and a fake one (drawn for `fake_labels`, which differ
//                                when mode seeking pairs up the fake batch's classes)
//   g_loss(fake, labels):                   what G minimises, given D's output on its fakes
// BceLoss is the study's baseline loss with label smoothing: D's targets are drawn per sample from
// U(real_min, real_max) and U(fake_min, fake_max); G's target is 1. The D loss is the mean of the
// real and fake terms, as in the study's code.
#pragma once
#include <memory>

#include "pokegan/models/networks.h"
#include <string>
#include <vector>

#include "pokegan/losses/options.h"

namespace pokegan {

class GanLoss {
 public:
  virtual ~GanLoss() = default;
  // Where training is, for losses with a schedule.
  virtual void set_step(int64_t /*step*/, int64_t /*total*/) {}
  virtual torch::Tensor d_loss(const DOutput& real, const DOutput& fake, const torch::Tensor& labels,
                               const torch::Tensor& fake_labels) = 0;
  virtual torch::Tensor g_loss(const DOutput& fake, const torch::Tensor& labels) = 0;
};

class BceLoss : public GanLoss {
 public:
  explicit BceLoss(const LossOptions& opt) : opt_(opt) {}
  torch::Tensor d_loss(const DOutput& real, const DOutput& fake, const torch::Tensor& labels,
                       const torch::Tensor& fake_labels) override;
  torch::Tensor g_loss(const DOutput& fake, const torch::Tensor& labels) override;

 private:
  LossOptions opt_;
};

// AC-GAN (Odena et al. 2017) as the study's §2.3 writes it: D has a source head and a class head.
//   L_s: BCE (with the smoothing above) of real vs fake;  L_c: cross-entropy of the true class on
//   real images (their labels) and on fake ones (the classes they were drawn for). D minimises
//   w_s L_s + w_c L_c (i.e. maximises the log-likelihoods);
//   G minimises w_s BCE(D(G(z)) -> 1) + w_c CE(class(G(z, c)), c): fool the source head, satisfy
//   the class head. (w_s, w_c) follow the linear schedule of LossOptions.
class AcganLoss : public BceLoss {
 public:
  explicit AcganLoss(const LossOptions& opt) : BceLoss(opt), opt_(opt) { set_step(0, 1); }
  void set_step(int64_t step, int64_t total) override;
  torch::Tensor d_loss(const DOutput& real, const DOutput& fake, const torch::Tensor& labels,
                       const torch::Tensor& fake_labels) override;
  torch::Tensor g_loss(const DOutput& fake, const torch::Tensor& labels) override;
  double source_weight() const { return ws_; }
  double class_weight() const { return wc_; }

 private:
  LossOptions opt_;
  double ws_ = 1, wc_ = 1;
};

// The autoencoding GAN's objective (Lazarou 2020; the study's §2.4), built from any GanLoss on the
// image discriminator D and a plain one on the latent discriminator D_z:
//   D   : x vs G(z) and x vs G(E(x))           -> mean of the two d_loss terms
//   D_z : z vs E(x) and z vs E(G(z))           -> mean of the two d_loss terms
//   G, E: the four adversarial terms as g_loss, plus λ_rx |G(E(x)) - x|_1 + λ_rz |E(G(z)) - z|_1
//         (L1 as the mean absolute error).
// `labels` are the real batch's (and so G(E(x))'s), `fake_labels` those G(z) was drawn for.
torch::Tensor aegan_d_loss(GanLoss& loss, const DOutput& real, const DOutput& fake, const DOutput& rec,
                           const torch::Tensor& labels, const torch::Tensor& fake_labels);
torch::Tensor aegan_dz_loss(GanLoss& latent, const DOutput& prior, const DOutput& enc, const DOutput& enc_fake);
struct AeganGTerms {
  torch::Tensor adversarial;  // g_loss(D(G(z))) + g_loss(D(G(E(x)))) + g_loss(Dz(E(x))) + g_loss(Dz(E(G(z))))
  torch::Tensor rec_x, rec_z;  // mean |G(E(x)) - x|, mean |E(G(z)) - z|
  torch::Tensor total;         // adversarial + λ_rx rec_x + λ_rz rec_z
};
AeganGTerms aegan_g_loss(GanLoss& loss, GanLoss& latent, const DOutput& fake, const DOutput& rec,
                         const DOutput& enc, const DOutput& enc_fake, const torch::Tensor& x,
                         const torch::Tensor& recon, const torch::Tensor& z, const torch::Tensor& z_rec,
                         const torch::Tensor& labels, const torch::Tensor& fake_labels, double lambda_rx,
                         double lambda_rz);

// Hinge loss (Lim & Ye 2017; SNGAN, BigGAN): D minimises E[relu(1 - D(x))] + E[relu(1 + D(G(z)))],
// G minimises -E[D(G(z))]. Patch logits [N, P] are averaged like per-image ones.
class HingeLoss : public GanLoss {
 public:
  explicit HingeLoss(const LossOptions&) {}
  torch::Tensor d_loss(const DOutput& real, const DOutput& fake, const torch::Tensor& labels,
                       const torch::Tensor& fake_labels) override;
  torch::Tensor g_loss(const DOutput& fake, const torch::Tensor& labels) override;
};

// ---- regularisers: pure functions, so that tests check them against hand-computed values ----

// R1: the mean over the batch of |grad_x sum(D(x))|^2, where `logits` came from `x` (which must
// require grad). The graph is kept (create_graph), so the penalty itself can be differentiated.
torch::Tensor r1_penalty(const torch::Tensor& logits, const torch::Tensor& x);

// LeCam: mean(relu(real - ema_fake)^2) + mean(relu(ema_real - fake)^2).
torch::Tensor lecam_term(const torch::Tensor& real_logits, const torch::Tensor& fake_logits, double ema_real,
                         double ema_fake);

// The auxiliary classifier term: cross-entropy of D's class head against `labels`, averaged over
// the batch. Throws Error when `out` has no class logits.
torch::Tensor aux_class_term(const DOutput& out, const torch::Tensor& labels);

// TAC-GAN's twin term: cross-entropy of D's twin class head against `labels`, averaged over the
// batch. D adds it on generated images, G subtracts it. Throws Error when `out` has no twin logits.
torch::Tensor aux_twin_term(const DOutput& out, const torch::Tensor& labels);

// Mode seeking (MSGAN): 1 / (mean|a - b| / mean|za - zb| + 1e-5) for images a = G(za), b = G(zb).
torch::Tensor mode_seeking_term(const torch::Tensor& a, const torch::Tensor& b, const torch::Tensor& za,
                                const torch::Tensor& zb);

// The ink map of images [N, 3, H, W] in [-1, 1] drawn on white: [N, 1, H, W] = (1 - min_c x_c) / 2,
// 0 on white, 1 where any channel is at its floor. Every saturated colour (red, green, blue,
// black) inks a pixel fully, so the map keeps a sprite's silhouette and drops its hue.
torch::Tensor silhouette(const torch::Tensor& images);

// Uniform targets in [lo, hi] shaped like `like` (no random draw when lo == hi).
torch::Tensor smoothed_targets(const torch::Tensor& like, double lo, double hi);

// Builds the loss named by opt.kind; throws Error listing loss_kinds() for an unknown one.
std::unique_ptr<GanLoss> make_loss(const LossOptions& opt);
// The registered loss kinds, sorted.
std::vector<std::string> loss_kinds();

}  // namespace pokegan
