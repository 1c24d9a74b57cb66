#include "pokegan/eval/classifier.h"

#include <ATen/CPUGeneratorImpl.h>
#include <nlohmann/json.hpp>
#include <torch/nn/functional/loss.h>
#include <torch/nn/functional/upsampling.h>
#include <torch/nn/modules/activation.h>
#include <torch/nn/modules/batchnorm.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/modules/pooling.h>
#include <torch/optim/adam.h>

#include "pokegan/common/error.h"
#include "pokegan/data/augment.h"
#include "pokegan/data/loader.h"
#include "pokegan/io/checkpoint.h"

namespace pokegan {

namespace nn = torch::nn;
namespace F = torch::nn::functional;

TypeClassifierImpl::TypeClassifierImpl(int num_classes, int width) : feature_dim_(8 * width) {
  if (num_classes < 2) throw Error("a type classifier needs at least 2 classes");
  if (width < 1) throw Error("classifier width must be positive");
  body_ = nn::Sequential();
  int in = 3;
  for (int stage = 0; stage < 4; ++stage) {
    const int out = width << stage;
    for (int k = 0; k < 2; ++k) {
      body_->push_back(nn::Conv2d(nn::Conv2dOptions(k == 0 ? in : out, out, 3).padding(1).bias(false)));
      body_->push_back(nn::BatchNorm2d(out));
      body_->push_back(nn::LeakyReLU(nn::LeakyReLUOptions().negative_slope(0.2).inplace(true)));
    }
    body_->push_back(nn::MaxPool2d(2));
    in = out;
  }
  register_module("body", body_);
  dropout_ = register_module("dropout", nn::Dropout(0.3));
  head_ = register_module("head", nn::Linear(feature_dim_, num_classes));
}

torch::Tensor TypeClassifierImpl::features(const torch::Tensor& images) {
  return body_->forward(images).mean({2, 3});
}

torch::Tensor TypeClassifierImpl::logits(const torch::Tensor& f) { return head_->forward(dropout_->forward(f)); }

torch::Tensor TypeClassifierImpl::forward(const torch::Tensor& images) { return logits(features(images)); }

namespace {

// Indices of the training and test images for the chosen split.
std::pair<std::vector<int64_t>, std::vector<int64_t>> split_indices(const Dataset& ds, const std::string& split,
                                                                    uint64_t seed) {
  std::vector<int64_t> train, test;
  if (split == "species") {
    for (int64_t i = 0; i < ds.count(); ++i) (ds.split[size_t(i)] == kHeldOut ? test : train).push_back(i);
  } else if (split == "random") {
    auto gen = at::make_generator<at::CPUGeneratorImpl>(seed + 7);
    const auto perm = torch::randperm(ds.count(), gen, torch::kLong);
    const int64_t n_test = std::max<int64_t>(1, ds.count() / 10);
    for (int64_t k = 0; k < ds.count(); ++k) (k < n_test ? test : train).push_back(perm[k].item<int64_t>());
  } else {
    throw Error("unknown classifier split '" + split + "' (valid: species, random)");
  }
  if (train.empty() || test.empty())
    throw Error("the '" + split + "' split leaves no " + (train.empty() ? "training" : "test") +
                " images; prepare the dataset with held-out species, or use --split random");
  return {train, test};
}

}  // namespace

TrainedClassifier train_classifier(const Dataset& ds, const ClassifierOptions& opt,
                                   const std::function<void(int, int, double)>& on_epoch) {
  if (opt.epochs < 1 || opt.batch < 2) throw Error("classifier needs epochs >= 1 and batch >= 2");
  if (ds.classes.size() < 2) throw Error("the dataset has fewer than 2 classes");
  torch::manual_seed(opt.seed);
  TrainedClassifier out;
  out.classes = ds.classes;
  out.image_size = ds.size;
  out.options = opt;
  out.net = TypeClassifier(int(ds.classes.size()), opt.width);
  const auto [train_idx, test_idx] = split_indices(ds, opt.split, opt.seed);
  const auto train_images = gather_images(ds, train_idx);
  const auto train_labels = torch::tensor(ds.labels, torch::kLong).index_select(0, torch::tensor(train_idx, torch::kLong));

  torch::optim::Adam adam(out.net->parameters(), torch::optim::AdamOptions(opt.lr).weight_decay(1e-4));
  AugmentOptions aug;  // flips and small rotations; no recolouring (colour carries the type)
  aug.rotate_degrees = 10;
  aug.rotate_prob = 0.5;
  auto gen = at::make_generator<at::CPUGeneratorImpl>(opt.seed + 1);
  const int64_t n = train_images.size(0);
  for (int epoch = 0; epoch < opt.epochs; ++epoch) {
    out.net->train();
    const auto perm = torch::randperm(n, gen, torch::kLong);
    double loss_sum = 0;
    int64_t batches = 0;
    for (int64_t start = 0; start + opt.batch <= n; start += opt.batch) {
      const auto idx = perm.slice(0, start, start + opt.batch);
      const auto x = augment(to_float_images(train_images.index_select(0, idx)), aug);
      const auto loss = F::cross_entropy(out.net->forward(x), train_labels.index_select(0, idx));
      adam.zero_grad();
      loss.backward();
      adam.step();
      loss_sum += loss.item<double>();
      ++batches;
    }
    out.report.epoch_train_loss.push_back(loss_sum / std::max<int64_t>(1, batches));
    if (on_epoch) on_epoch(epoch + 1, opt.epochs, out.report.epoch_train_loss.back());
  }

  // Held-out accuracy, overall and per class.
  const auto test_images = gather_images(ds, test_idx);
  const auto pred = classify(out, test_images).logits.argmax(1);
  std::vector<int64_t> hit(ds.classes.size(), 0), total(ds.classes.size(), 0);
  int64_t hits = 0;
  std::vector<int32_t> species;
  for (size_t k = 0; k < test_idx.size(); ++k) {
    const int64_t y = ds.labels[size_t(test_idx[k])];
    const bool ok = pred[int64_t(k)].item<int64_t>() == y;
    hits += ok;
    hit[size_t(y)] += ok;
    ++total[size_t(y)];
    species.push_back(ds.species[size_t(test_idx[k])]);
  }
  std::sort(species.begin(), species.end());
  auto& r = out.report;
  r.split = opt.split;
  r.train_images = n;
  r.test_images = int64_t(test_idx.size());
  r.test_species = std::unique(species.begin(), species.end()) - species.begin();
  r.accuracy = double(hits) / double(test_idx.size());
  for (size_t c = 0; c < total.size(); ++c) r.per_class_accuracy.push_back(total[c] ? double(hit[c]) / total[c] : -1.0);
  return out;
}

void save_classifier(const std::filesystem::path& path, const TrainedClassifier& c) {
  Checkpoint ckpt;
  put_module(ckpt, "classifier", *c.net);
  const auto& r = c.report;
  nlohmann::json meta = {{"classes", c.classes},
                         {"image_size", c.image_size},
                         {"width", c.options.width},
                         {"epochs", c.options.epochs},
                         {"batch", c.options.batch},
                         {"lr", c.options.lr},
                         {"seed", c.options.seed},
                         {"split", r.split},
                         {"train_images", r.train_images},
                         {"test_images", r.test_images},
                         {"test_species", r.test_species},
                         {"accuracy", r.accuracy},
                         {"per_class_accuracy", r.per_class_accuracy},
                         {"epoch_train_loss", r.epoch_train_loss}};
  ckpt.metadata["kind"] = "type-classifier";
  ckpt.metadata["classifier"] = meta.dump();
  save_checkpoint(path, ckpt);
}

TrainedClassifier load_classifier(const std::filesystem::path& path) {
  const Checkpoint ckpt = load_checkpoint(path);
  const auto kind = ckpt.metadata.find("kind");
  if (kind == ckpt.metadata.end() || kind->second != "type-classifier")
    throw Error(path.string() + " is not a type-classifier checkpoint (make one with: pokegan classifier train)");
  TrainedClassifier c;
  try {
    const auto m = nlohmann::json::parse(ckpt.metadata.at("classifier"));
    c.classes = m.at("classes").get<std::vector<std::string>>();
    c.image_size = m.at("image_size");
    c.options.width = m.at("width");
    c.options.epochs = m.at("epochs");
    c.options.batch = m.at("batch");
    c.options.lr = m.at("lr");
    c.options.seed = m.at("seed");
    c.options.split = c.report.split = m.at("split");
    c.report.train_images = m.at("train_images");
    c.report.test_images = m.at("test_images");
    c.report.test_species = m.at("test_species");
    c.report.accuracy = m.at("accuracy");
    c.report.per_class_accuracy = m.at("per_class_accuracy").get<std::vector<double>>();
    c.report.epoch_train_loss = m.at("epoch_train_loss").get<std::vector<double>>();
  } catch (const nlohmann::json::exception&) {
    throw Error(path.string() + ": classifier metadata is missing or unreadable");
  }
  c.net = TypeClassifier(int(c.classes.size()), c.options.width);
  get_module(ckpt, "classifier", *c.net);
  c.net->eval();
  return c;
}

Classified classify(TrainedClassifier& c, const torch::Tensor& u8_nhwc, int64_t batch) {
  torch::NoGradGuard no_grad;
  c.net->eval();
  std::vector<torch::Tensor> feats, logits;
  for (int64_t start = 0; start < u8_nhwc.size(0); start += batch) {
    auto x = to_float_images(u8_nhwc.slice(0, start, std::min(start + batch, u8_nhwc.size(0))));
    if (x.size(2) != c.image_size)
      x = F::interpolate(x, F::InterpolateFuncOptions()
                                .size(std::vector<int64_t>{c.image_size, c.image_size})
                                .mode(torch::kBilinear)
                                .align_corners(false)
                                .antialias(true));
    feats.push_back(c.net->features(x));
    logits.push_back(c.net->logits(feats.back()));
  }
  if (feats.empty()) return {torch::zeros({0, c.net->feature_dim()}), torch::zeros({0, int64_t(c.classes.size())})};
  return {torch::cat(feats), torch::cat(logits)};
}

}  // namespace pokegan
