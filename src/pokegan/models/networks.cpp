#include "pokegan/models/networks.h"

#include <functional>
#include <map>

#include <torch/nn/init.h>
#include <torch/nn/modules/batchnorm.h>
#include <torch/nn/modules/conv.h>

#include "pokegan/common/error.h"
#include "pokegan/common/names.h"
#include "pokegan/models/dcgan.h"
#include "pokegan/models/mlp.h"
#include "pokegan/models/patchgan.h"
#include "pokegan/models/resnet.h"
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

namespace {

template <typename Net, typename Options>
using Factory = std::function<Net(const Options&, int, int)>;

template <typename Impl, typename Net, typename Options>
Factory<Net, Options> make() {
  return [](const Options& o, int size, int classes) -> Net { return std::make_shared<Impl>(o, size, classes); };
}

// The one list of generator architectures: adding one is a file pair plus a line here.
const std::map<std::string, Factory<Generator, GeneratorOptions>>& generator_registry() {
  static const std::map<std::string, Factory<Generator, GeneratorOptions>> r = {
      {"dcgan", make<DCGANGeneratorImpl, Generator, GeneratorOptions>()},
      {"stylegan", make<StyleGANGeneratorImpl, Generator, GeneratorOptions>()},
      {"unet", make<UNetGeneratorImpl, Generator, GeneratorOptions>()},
      {"mlp", make<MLPGeneratorImpl, Generator, GeneratorOptions>()},
      {"resnet", make<ResNetGeneratorImpl, Generator, GeneratorOptions>()},
  };
  return r;
}

const std::map<std::string, Factory<Discriminator, DiscriminatorOptions>>& discriminator_registry() {
  static const std::map<std::string, Factory<Discriminator, DiscriminatorOptions>> r = {
      {"dcgan", make<DCGANDiscriminatorImpl, Discriminator, DiscriminatorOptions>()},
      {"patchgan", make<PatchGANDiscriminatorImpl, Discriminator, DiscriminatorOptions>()},
      {"projection", make<PatchGANDiscriminatorImpl, Discriminator, DiscriminatorOptions>()},
      {"mlp", make<MLPDiscriminatorImpl, Discriminator, DiscriminatorOptions>()},
      {"resnet", make<ResNetDiscriminatorImpl, Discriminator, DiscriminatorOptions>()},
  };
  return r;
}

}  // namespace

std::vector<std::string> generator_archs() { return registry_names(generator_registry()); }
std::vector<std::string> discriminator_archs() { return registry_names(discriminator_registry()); }

Generator make_generator(const GeneratorOptions& opt, int image_size, int num_classes) {
  const auto it = generator_registry().find(opt.arch);
  if (it == generator_registry().end())
    throw unknown_name("generator arch", opt.arch, generator_archs());
  return it->second(opt, image_size, num_classes);
}

Discriminator make_discriminator(const DiscriminatorOptions& opt, int image_size, int num_classes) {
  const auto it = discriminator_registry().find(opt.arch);
  if (it == discriminator_registry().end())
    throw unknown_name("discriminator arch", opt.arch, discriminator_archs());
  return it->second(opt, image_size, num_classes);
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
