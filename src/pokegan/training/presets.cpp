#include "pokegan/training/presets.h"

#include <functional>
#include <map>

#include "pokegan/common/error.h"
#include "pokegan/common/names.h"

namespace pokegan {

namespace {

// The study's conditional DCGAN (§2.2.1) with its §2.5 training settings: Adam lr 2e-4,
// betas (0.5, 0.999), batch 128; G gets the one-hot class with z, D a 16-dim class embedding
// tiled as a 4th channel; BCE with label smoothing (real U(0.9,1), fake U(0,0.1)).
// Two fixes on top, each switchable back to the study's network (docs/models.md has the ablation):
// g.upsample=resize (nearest x2 + 3x3 conv instead of stride-2 transposed convs, which leave a
// checkerboard, Odena et al. 2016) and g.class_norm=cbn (class-conditional BatchNorm in every
// block, so type reaches more than the input; the study's own conclusion, §2.6.4).
// --set g.upsample=transposed --set g.class_norm=none gives the study's exact model.
TrainConfig cdcgan() {
  TrainConfig c;
  c.preset = "cdcgan";
  c.description = "Conditional DCGAN baseline (study §2.2.1), full width, resize upsampling + class BN";
  c.g.upsample = "resize";
  c.g.class_norm = "cbn";
  c.epochs = 50;
  return c;
}

// The same model at the width the 20-minute main job can afford on 2 CPU cores (see
// docs/performance.md): a quarter of the channels (16 instead of 64), batch 64, 2000 steps
// (about 8 minutes at the measured 261 img/s). Everything else as cdcgan.
TrainConfig cdcgan_quick() {
  TrainConfig c = cdcgan();
  c.preset = "cdcgan-quick";
  c.description = "Conditional DCGAN baseline at quarter width for a ~8-minute CPU run";
  c.g.base_channels = 16;
  c.d.base_channels = 16;
  c.batch = 64;
  c.epochs = 0;
  c.steps = 2000;
  c.sample_every = 250;
  c.checkpoint_every = 500;
  return c;
}

// Seed 004's Keras DCGAN: unconditional, D's real target 0.9 (one-sided smoothing), G's 1,
// recolouring augmentation on.
TrainConfig dcgan() {
  TrainConfig c;
  c.preset = "dcgan";
  c.description = "Unconditional DCGAN with recolouring (seed 004)";
  c.g.conditional = false;
  c.d.conditional = false;
  c.loss.real_min = c.loss.real_max = 0.9;
  c.loss.fake_min = c.loss.fake_max = 0.0;
  c.augment.hue = true;
  c.g.upsample = "resize";  // no checkerboard; --set g.upsample=transposed gives seed 004's layers
  c.epochs = 50;
  return c;
}

// The study's PatchGAN with Gaussian noise before every conv (§2.2.4, §2.5.2): its code's widths
// (hidden_channels 8) and noise std 0.1.
// Minibatch stddev before the last conv (d.mbstd_group=4; StyleGAN2) lets D see a batch's lack of
// variety, against the U-Net family's collapse; --set d.mbstd_group=0 gives the study's D.
DiscriminatorOptions patchgan(const std::string& arch = "patchgan") {
  DiscriminatorOptions d;
  d.arch = arch;
  d.base_channels = 8;
  d.noise_std = 0.1;
  d.mbstd_group = 4;
  return d;
}

// The class-conditioned U-Net generator (§2.2.3) at a width a CPU can train: 16 channels in the
// first block, doubling to a cap of 256 at the 1x1 bottleneck. The study's U-Net gets z only through
// its tiled input plane and collapses per type (every z the same sprite; pix2pix saw U-Nets ignore
// input noise); here z also modulates every expanding block through AdaIN (z_inject=style).
// --set g.z_inject=input gives the study's network.
GeneratorOptions unet_g() {
  GeneratorOptions g;
  g.arch = "unet";
  g.z_inject = "style";
  g.z_dim = 64;
  g.base_channels = 16;
  g.max_channels = 256;
  return g;
}

TrainConfig study(const std::string& name, const std::string& description) {
  TrainConfig c;
  c.preset = name;
  c.description = description;
  c.epochs = 50;
  return c;
}

// The study's U-Net presets with the fixes that break their collapse: z into every expanding block
// (unet_g), minibatch stddev in D (patchgan), and the mode-seeking term (MSGAN) at batch 64. At an
// equal 20 CPU-minutes, mode seeking took the U-Net's diversity from 0.42 to 0.86 of real, recall
// from 0.01 to 0.11 and FID from 41.6 to 17.2 (docs/models.md). --set loss.mode_seeking=0 turns it
// off; --set batch=128 is the study's batch. aegan-ac keeps it off (not measured with it).
TrainConfig unet_study(const std::string& name, const std::string& description) {
  TrainConfig c = study(name, description);
  c.g = unet_g();
  c.loss.mode_seeking = 1;
  c.batch = 64;
  return c;
}

// §2.2.2 / §2.5.2: class-conditioned StyleGAN generator with the PatchGAN (noise) discriminator.
TrainConfig stylegan() {
  TrainConfig c = study("stylegan", "Class-conditioned StyleGAN G + PatchGAN D with noise (study §2.2.2)");
  c.g.arch = "stylegan";
  c.g.z_dim = 64;
  c.g.base_channels = 32;
  c.d = patchgan();
  return c;
}

// §2.2.3 / §2.5.3: class-conditioned U-Net generator with the PatchGAN (noise) discriminator.
TrainConfig unet() {
  TrainConfig c = unet_study("unet", "Class-conditioned U-Net G + PatchGAN D with noise (study §2.2.3)");
  c.d = patchgan();
  return c;
}

// §2.2.4 / §2.5.4: U-Net with the projection PatchGAN.
TrainConfig unet_proj() {
  TrainConfig c = unet_study("unet-proj", "U-Net G + projection PatchGAN D (study §2.2.4)");
  c.d = patchgan("projection");
  return c;
}

// §2.3 / §2.5.5: U-Net, PatchGAN with a class head, the multi-class (AC-GAN) loss with its schedule.
TrainConfig acgan() {
  TrainConfig c = unet_study("acgan", "U-Net G + PatchGAN D with class head, AC-GAN loss with weight schedule (study §2.3)");
  c.d = patchgan();
  c.d.class_head = true;
  c.loss.kind = "acgan";
  // Mode seeking stays on (unet_study): at 30 CPU-minutes it took acgan's diversity from 0.30 to
  // 0.97 of real, at FID 104 against 84 (docs/results.md, 2026-12-07); --set loss.mode_seeking=0
  // is the study's loss.
  // The study's D also takes the class as an input channel, so its class head read the label
  // (accuracy 0.95 on real sprites within 100 steps) and never taught G the type. Here D classifies
  // the image alone (AC-GAN's D), and its class term learns real sprites only (Shu et al. 2017).
  // At 30 CPU-minutes: FID 104 -> 6.8, type accuracy 0.21 -> 0.57 (docs/results.md, 2026-12-07).
  // --set d.conditional=true --set loss.class_on_fakes=true gives the study's D and loss.
  c.d.conditional = false;
  c.loss.class_on_fakes = false;
  return c;
}

// §2.4 / §2.5.6: autoencoding GAN with the U-Net and the projection PatchGAN.
TrainConfig aegan() {
  TrainConfig c = unet_study("aegan", "Autoencoding GAN: U-Net G + projection PatchGAN D, encoder E and latent D_z (study §2.4)");
  c.d = patchgan("projection");
  c.ae.enabled = true;
  return c;
}

// The study's future work: the AE-GAN with the multi-class loss as well.
TrainConfig aegan_ac() {
  TrainConfig c = aegan();
  c.preset = "aegan-ac";
  c.description = "AE-GAN plus the AC-GAN multi-class loss (the study's future work)";
  c.d.class_head = true;
  c.loss.kind = "acgan";
  // As in acgan: mode seeking on (unet_study's), and D's class term learns real sprites only. At 30
  // CPU-minutes (docs/results.md, 2026-12-07): FID 44.3 -> 26.0, recall 0.00 -> 0.14, diversity
  // 0.30 -> 0.77 of real. --set loss.mode_seeking=0 --set loss.class_on_fakes=true gives the
  // study's loss.
  c.loss.class_on_fakes = false;
  return c;
}

// Seed 004's fully connected GAN (made class-conditional; --set g.conditional=false
// --set d.conditional=false gives seed 004's unconditional one).
TrainConfig mlp() {
  TrainConfig c = study("mlp", "MLP G + MLP D (seed 004), class-conditional by one-hot input");
  c.g.arch = "mlp";
  c.g.base_channels = 32;
  c.d.arch = "mlp";
  c.d.base_channels = 32;
  c.d.dropout = 0.3;
  return c;
}

// A modern conditional GAN for small sprite sets on a CPU (docs/models.md has the ablations):
// a BigGAN/SNGAN-style ResNet G with class-conditional BatchNorm fed by z and a shared class
// embedding, bilinear-upsample convs; a spectrally normalised ResNet D with projection and an
// auxiliary class head trained on real sprites; hinge loss with TTUR (D's rate 4x G's, one D step
// per G step); lazy R1; DiffAugment (colour, translation, cutout); LeCam; G EMA with warm-up.
// Nearest upsampling (BigGAN's) with equal rates and a 12-channel D gave a lattice texture and a D
// whose hinge loss sat at 2.0 (no discrimination) from step ~600 on; bilinear upsampling and TTUR
// removed both (docs/models.md). Since 2026-12-03 (the 30-CPU-minute ablation in docs/models.md):
// a D of base 16 (a quarter of the base-32 D's cost; 2.1x the images per CPU-minute), R1, the
// class head at weight 0.6, flat z and no minibatch stddev: at 30 CPU-minutes FID 23.9 -> 4.9 and
// type accuracy 0.11 -> 0.38. Since 2026-12-06: z maps (g.z_maps) and mode seeking at 0.05; over
// three seeds at 30 CPU-minutes median FID 8.4 -> 7.3, type 0.35 -> 0.39, diversity 0.88 -> 0.96.
TrainConfig sprite() {
  TrainConfig c;
  c.preset = "sprite";
  c.description = "Conditional ResNet GAN for small sprite sets: cBN + z, SN projection D with a class head, hinge, R1, DiffAugment, LeCam, EMA";
  c.g.arch = "resnet";
  c.g.z_dim = 120;
  c.g.base_channels = 16;
  c.g.max_channels = 128;
  c.g.class_embed_dim = 32;
  c.g.hier_z = false;  // every block's cBN sees all of z
  c.g.z_maps = true;   // z at every resolution through fixed projections (2026-12-06, docs/results.md)
  c.d.arch = "resnet";
  c.g.upsample = "bilinear";
  c.d.base_channels = 16;  // 16, 32, 64, 128
  c.d.max_channels = 128;
  c.d.mbstd_group = 0;
  c.d.class_head = true;
  c.loss.aux_class_weight = 0.6;
  c.loss.r1_gamma = 0.1;
  c.loss.kind = "hinge";
  c.loss.lecam_weight = 0.1;
  c.loss.mode_seeking = 0.05;
  c.augment.rotate_degrees = 0;
  c.augment.diffaug = "color,translation,cutout";
  c.optim.beta1 = 0.0;
  c.optim.beta2 = 0.999;
  c.optim.lr_g = 1e-4;
  c.optim.lr_d = 4e-4;
  c.batch = 64;
  c.steps = 100000;
  c.sample_every = 1000;
  c.checkpoint_every = 1000;
  return c;
}

const std::map<std::string, std::function<TrainConfig()>>& registry() {
  static const std::map<std::string, std::function<TrainConfig()>> r = {
      {"cdcgan", cdcgan}, {"cdcgan-quick", cdcgan_quick}, {"dcgan", dcgan}, {"stylegan", stylegan},
      {"unet", unet},     {"unet-proj", unet_proj},       {"acgan", acgan}, {"aegan", aegan},
      {"aegan-ac", aegan_ac}, {"mlp", mlp},       {"sprite", sprite}};
  return r;
}

}  // namespace

std::vector<std::string> preset_names() { return registry_names(registry()); }

TrainConfig preset(const std::string& name) {
  auto it = registry().find(name);
  if (it == registry().end()) throw unknown_name("preset", name, preset_names());
  return it->second();
}

}  // namespace pokegan
