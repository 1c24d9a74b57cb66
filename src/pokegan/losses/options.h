// LossOptions: the adversarial loss and the regularisers of the training objective, as plain data
// with a JSON round trip (written into config.json and every checkpoint). The objective
// (training/objective.h) reads them; losses/gan_loss.h builds the loss named by `kind`.
#pragma once
#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

namespace pokegan {

struct LossOptions {
  std::string kind = "bce";  // the registry in losses/gan_loss.h lists them: bce | acgan | hinge
  // Label smoothing (Salimans et al. 2016, the study's §2.2.1): each D target is drawn uniformly
  // from [min, max]. The generator's target is always 1.
  double real_min = 0.9, real_max = 1.0;
  double fake_min = 0.0, fake_max = 0.1;
  // acgan (§2.3): loss = w_s * source term + w_c * class term, with (w_s, w_c) moving linearly
  // from their start to their end values over schedule_steps (0 = the whole run).
  double source_weight_start = 1.0, source_weight_end = 0.5;
  double class_weight_start = 0.5, class_weight_end = 1.0;
  int64_t schedule_steps = 0;
  // acgan: whether D's class term also learns the classes of generated images (AC-GAN, the study's
  // loss: w_c * (CE(real) + CE(fake)) / 2) or real images only (w_c * CE(real); Shu et al. 2017,
  // "AC-GAN learns a biased distribution": a head that learns the fakes' classes lets G pay its
  // class term with any mark the head learns to read, not with the type's look). G's class term
  // is the same either way.
  bool class_on_fakes = true;

  // Regularisers, each off at 0 (training/objective.h runs them):
  // R1 (Mescheder et al. 2018): gamma/2 E|grad_x D(x)|^2 on real images, lazily every r1_every D
  // steps with the weight scaled by r1_every (StyleGAN2's lazy regularisation).
  double r1_gamma = 0;
  int r1_every = 16;
  // LeCam (Tseng et al. 2021): E[relu(D(x) - a_F)^2] + E[relu(a_R - D(G(z)))^2], a_R and a_F the
  // moving averages (decay lecam_decay) of D's mean output on real and on fake batches.
  double lecam_weight = 0;
  double lecam_decay = 0.99;
  // Mode seeking (Mao et al. 2019, MSGAN): G adds w / (mean|G(z1)-G(z2)| / mean|z1-z2| + 1e-5) over
  // pairs of samples of the same class (the fake batch's second half repeats the first half's labels).
  double mode_seeking = 0;
  // Where mode seeking measures the image distance: "pixels" (MSGAN's |G(z1)-G(z2)|) or
  // "silhouette", the distance between the two samples' ink maps (silhouette()), which a change of
  // hue leaves unchanged, so z can only pay the term with shape and placement, not with palette.
  std::string mode_seeking_space = "pixels";
  // Auxiliary classifier beside any adversarial loss: AC-GAN's class term with the head trained on
  // real images only (AC-GAN's term on fakes biases G towards easily classified samples; Shu et al.
  // 2017). D adds w * CE(class head(x), y) on the real batch, G adds w * CE(class head(G(z, y)), y).
  // Needs d.class_head=true; the study's acgan loss (kind=acgan) has its own class term and schedule.
  double aux_class_weight = 0;
  // The step from which the auxiliary class term is on (both sides); before it the head is idle.
  // The shipped lineage got its class term as a fine-tune of a trained run; this is that order
  // within one run.
  int64_t aux_class_start = 0;
  // TAC-GAN (Gong et al. 2019) on top of the auxiliary class term: D's twin head
  // (d.twin_class_head) learns the labels of generated images, D adding w * CE(twin(G(z, y)), y),
  // and G *subtracts* w * CE(twin(G(z, y)), y). The class term alone pulls G towards the samples
  // the head finds easiest to classify (lower within-class variety); the twin term cancels that
  // bias. On from aux_class_start, like the class term; needs aux_class_weight > 0.
  double aux_twin_weight = 0;
};

NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(LossOptions, kind, real_min, real_max, fake_min, fake_max,
                                                source_weight_start, source_weight_end, class_weight_start,
                                                class_weight_end, schedule_steps, class_on_fakes, r1_gamma, r1_every, lecam_weight,
                                                lecam_decay, mode_seeking, mode_seeking_space, aux_class_weight,
                                                aux_class_start, aux_twin_weight)

}  // namespace pokegan
