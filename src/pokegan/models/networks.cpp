#include "pokegan/models/networks.h"

#include <torch/nn/init.h>
#include <torch/nn/modules/batchnorm.h>
#include <torch/nn/modules/conv.h>

#include "pokegan/common/error.h"
#include "pokegan/models/dcgan.h"
#include "pokegan/models/mlp.h"
#include "pokegan/models/patchgan.h"
#include "pokegan/models/stylegan.h"
#include "pokegan/models/unet.h"

namespace pokegan {

int stages_for(int size) {
  if (size < 16 || size > 256 || (size & (size - 1)) != 0)
    throw Error("image size must be a power of two from 16 to 256, got " + std::to_string(size));
  int s = 0;
  while ((4 << s) < size) ++s;
  return s;
}

Generator make_generator(const GeneratorOptions& opt, int image_size, int num_classes) {
  if (opt.arch == "dcgan") return std::make_shared<DCGANGeneratorImpl>(opt, image_size, num_classes);
  if (opt.arch == "stylegan") return std::make_shared<StyleGANGeneratorImpl>(opt, image_size, num_classes);
  if (opt.arch == "unet") return std::make_shared<UNetGeneratorImpl>(opt, image_size, num_classes);
  if (opt.arch == "mlp") return std::make_shared<MLPGeneratorImpl>(opt, image_size, num_classes);
  throw Error("unknown generator arch '" + opt.arch + "' (valid: dcgan, stylegan, unet, mlp)");
}

Discriminator make_discriminator(const DiscriminatorOptions& opt, int image_size, int num_classes) {
  if (opt.arch == "dcgan") return std::make_shared<DCGANDiscriminatorImpl>(opt, image_size, num_classes);
  if (opt.arch == "patchgan" || opt.arch == "projection")
    return std::make_shared<PatchGANDiscriminatorImpl>(opt, image_size, num_classes);
  if (opt.arch == "mlp") return std::make_shared<MLPDiscriminatorImpl>(opt, image_size, num_classes);
  throw Error("unknown discriminator arch '" + opt.arch + "' (valid: dcgan, patchgan, projection, mlp)");
}

int64_t count_parameters(const torch::nn::Module& m) {
  int64_t n = 0;
  for (const auto& p : m.parameters()) n += p.numel();
  return n;
}

void dcgan_init(torch::nn::Module& m) {
  torch::NoGradGuard no_grad;
  for (auto& mod : m.modules(/*include_self=*/false)) {
    const bool conv = mod->as<torch::nn::Conv2d>() || mod->as<torch::nn::ConvTranspose2d>();
    const bool bn = mod->as<torch::nn::BatchNorm2d>() != nullptr;
    for (auto& p : mod->named_parameters(/*recurse=*/false)) {
      if (p.key() == "bias") p.value().zero_();
      else if (conv) p.value().normal_(0.0, 0.02);
      else if (bn) p.value().normal_(1.0, 0.02);
    }
  }
}

void use_channels_last(torch::nn::Module& m) {
  torch::NoGradGuard no_grad;
  for (auto& p : m.parameters())
    if (p.dim() == 4) p.set_data(p.contiguous(torch::MemoryFormat::ChannelsLast));
}

}  // namespace pokegan
