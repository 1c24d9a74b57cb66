// Options for every network family, as plain data with JSON round trips (they are written into
// each run's config.json and every checkpoint). `arch` picks the family in the registry
// (models/networks.h); the other fields are that family's knobs, ignored by the others.
#pragma once
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace pokegan {

struct GeneratorOptions {
  std::string arch = "dcgan";  // the registry in models/networks.h lists them: dcgan | stylegan | unet | mlp | resnet
  int z_dim = 100;
  int base_channels = 64;      // dcgan: last hidden block's width; stylegan: every block's width;
                               // unet: first block's width; mlp: hidden width unit
  bool conditional = true;     // dcgan/mlp: one-hot class with z; stylegan/unet: class embeddings
  int class_embed_dim = 16;    // stylegan/unet: learned class embedding size
  int mapping_hidden = 128;    // stylegan/unet: mapping network hidden width
  int w_dim = 128;             // stylegan: style vector size
  // stylegan: λ_c per synthesis block (block 0 at 4x4 ... the last at S), rising with depth;
  // empty = 0.2 .. 1.0 evenly spaced.
  std::vector<double> lambda_c;
  int max_channels = 256;      // unet: channel cap as widths double per contracting block
  std::vector<int> cadain_contract = {0, 1};  // unet: contracting blocks followed by class AdaIN
  std::vector<int> cadain_expand;             // unet: expanding blocks followed by class AdaIN (empty = all)
  bool hidden_mapping = true;  // unet: the bottleneck mapping network over (encoding, class embedding)
  // unet: where z enters. "input": only through the tiled input plane (the study's code; pix2pix
  // found a U-Net then ignores it). "style": also as the style w = mapping(z, class) of an AdaIN
  // after every expanding block (as BicycleGAN's z at every level, through StyleGAN's modulation).
  std::string z_inject = "input";
  // unet: the input plane, made from mapping(z, class). "rows": a vector of S values repeated down
  // every row (the study's code), so the plane varies along x only; through the full-resolution
  // skip it reaches the last block as it is, and the samples carry vertical stripes. "grid": an
  // (S/8)x(S/8) map, bilinearly upsampled to SxS, which varies smoothly along both axes.
  std::string input_plane = "rows";
  // dcgan: "transposed" (stride-2 transposed convs, the study's; they leave checkerboard artefacts,
  // Odena et al. 2016) or "resize" (nearest x2 upsampling, then a 3x3 conv).
  // resnet: "bilinear" (bilinear x2 upsampling before each block's first conv); any other value
  // nearest x2 (BigGAN's).
  std::string upsample = "transposed";
  // dcgan: "none" (BatchNorm; class only with z at the input, the study's) or "cbn" (class-
  // conditional BatchNorm in every block: gain and bias from the class embedding, as BigGAN).
  std::string class_norm = "none";
  // resnet: hierarchical z (BigGAN): z is split into blocks + 1 equal chunks, the first feeds the
  // 4x4 input, chunk i + 1 with the shared class embedding the conditional BatchNorms of block i.
  bool hier_z = true;
  // resnet: z maps (StyleGAN's per-pixel noise inputs, made a function of z so that G stays one
  // deterministic function of (z, class)): after each conv of every block, a map m = P z reshaped
  // to the block's resolution, with P a fixed Gaussian projection (a buffer, 1/sqrt(z_dim) per
  // entry, so m is about N(0, 1) per pixel), is added times a learned per-channel strength that
  // starts at 0. It gives z a spatial path into every resolution; the cBN gains are spatially uniform.
  bool z_maps = false;
  // resnet: the class embedding enters the 4x4 input layer beside z (as a conditional DCGAN's input
  // and StyleGAN2-ADA's conditioned mapping), so type can set the coarse layout, not only each
  // block's per-channel BatchNorm gains, which are the same at every position.
  bool class_input = false;
};

struct DiscriminatorOptions {
  std::string arch = "dcgan";  // the registry in models/networks.h lists them: dcgan | patchgan | projection | mlp | resnet
  int base_channels = 64;      // channels of the first block; block i has base * 2^i
  bool conditional = true;     // dcgan/patchgan: class embedding tiled as an extra input channel;
                               // projection: the inner-product term; mlp: one-hot input
  int class_embed_dim = 16;    // the study's 16-dim embedding, repeated across each image row
  double dropout = 0.0;        // before the final layer
  double noise_std = 0.0;      // patchgan/projection: Gaussian noise std added before every conv
  double noise_std_end = -1;   // anneal linearly to this by the end of training (-1 = constant)
  bool class_head = false;     // a classifier head (AC-GAN): class_logits [N, C]
  // patchgan/projection/resnet: minibatch-stddev group (StyleGAN2) before the last block; 0 = off.
  int mbstd_group = 0;
  bool spectral_norm = true;   // resnet: spectral normalisation of every weight (SNGAN)
  int max_channels = 256;      // resnet: channel cap as widths double per block
  // resnet: how the last 4x4 feature map becomes one feature vector. "sum" (SNGAN, BigGAN): summed
  // over positions, so D scores a bag of local patches and cannot tell where in the frame a patch
  // sits; "dense" (StyleGAN2's epilogue): flattened and passed through a dense layer, so D sees
  // the layout (a figure in the middle, white corners).
  std::string epilogue = "sum";
  // resnet, patchgan, projection: TAC-GAN's twin classifier (Gong et al. 2019), a second class head
  // on the same pooled features as the class head, that learns the labels of *generated* images
  // (twin_logits [N, C]); loss.aux_twin_weight uses it.
  bool twin_class_head = false;
  // resnet: SAGAN's self-attention block (Zhang et al. 2019; BigGAN's D has one) after the block
  // whose output has this resolution (S/2 ... 8); 0 = off. Its output scale starts at 0, so a D
  // with it computes what the D without it did until it learns to use it.
  int attention = 0;
};

// Autoencoding GAN parts (Lazarou 2020): an encoder E (image -> z) and a latent discriminator D_z.
struct AutoencoderOptions {
  bool enabled = false;
  int encoder_channels = 16;   // E: DCGAN-style conv stack, first block width
  int latent_hidden = 256;     // D_z: MLP hidden width
  double lambda_rx = 1.0;      // weight of |G(E(x)) - x|_1
  double lambda_rz = 1.0;      // weight of |E(G(z)) - z|_1
};

NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(GeneratorOptions, arch, z_dim, base_channels, conditional,
                                                class_embed_dim, mapping_hidden, w_dim, lambda_c, max_channels,
                                                cadain_contract, cadain_expand, hidden_mapping, z_inject, input_plane, upsample,
                                                class_norm, hier_z, z_maps, class_input)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(DiscriminatorOptions, arch, base_channels, conditional,
                                                class_embed_dim, dropout, noise_std, noise_std_end, class_head,
                                                mbstd_group, spectral_norm, max_channels, epilogue,
                                                twin_class_head, attention)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(AutoencoderOptions, enabled, encoder_channels, latent_hidden,
                                                lambda_rx, lambda_rz)

}  // namespace pokegan
