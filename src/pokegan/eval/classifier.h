// The type classifier: a small CNN that predicts a sprite's (grouped) type. It stands in for
// Inception in the metrics: no Inception weights can be downloaded on these machines, so FID, KID,
// precision/recall and the rest are computed in this network's penultimate feature space (global
// average pool of its last conv stage, 8·width dims), and its predictions give type accuracy.
//
// Network (width w): four stages of [conv3x3 -> BatchNorm -> LeakyReLU(0.2)] x2 -> max-pool 2,
// channels w, 2w, 4w, 8w; global average pool (the features); dropout; linear to the classes.
// Any input size works (the pool is global); inputs of another size than the classifier was
// trained at are resized to it (bilinear, antialiased) first.
//
// Training: Adam, cross-entropy, horizontal flips and small rotations. Accuracy is reported on a
// named split: "species" holds out the dataset's held-out species (no frame or shiny copy of a
// test species is ever seen); "random" holds out a random 10% of images, so frames and shiny
// copies of one species sit on both sides (the leaky figure, reported for comparison only).
#pragma once
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include <torch/nn/module.h>
#include <torch/nn/modules/container/sequential.h>
#include <torch/nn/modules/dropout.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/pimpl.h>
#include <torch/types.h>

#include "pokegan/data/dataset.h"

namespace pokegan {

class TypeClassifierImpl : public torch::nn::Module {
 public:
  TypeClassifierImpl(int num_classes, int width);
  torch::Tensor features(const torch::Tensor& images);  // [N, 3, S, S] in [-1, 1] -> [N, 8w]
  torch::Tensor forward(const torch::Tensor& images);   // -> logits [N, C]
  torch::Tensor logits(const torch::Tensor& features);  // the head alone (dropout applies in training)
  int feature_dim() const { return feature_dim_; }

 private:
  int feature_dim_;
  torch::nn::Sequential body_{nullptr};
  torch::nn::Dropout dropout_{nullptr};
  torch::nn::Linear head_{nullptr};
};
TORCH_MODULE(TypeClassifier);

struct ClassifierOptions {
  int width = 16;
  int epochs = 5;
  int batch = 64;
  double lr = 1e-3;
  uint64_t seed = 0;
  std::string split = "species";  // "species" or "random"
};

struct ClassifierReport {
  std::string split;
  int64_t train_images = 0, test_images = 0, test_species = 0;
  double accuracy = 0;                       // on the held-out part
  std::vector<double> per_class_accuracy;    // NaN-free: classes with no test image get -1
  std::vector<double> epoch_train_loss;
};

struct TrainedClassifier {
  TypeClassifier net{nullptr};
  std::vector<std::string> classes;
  int image_size = 0;
  ClassifierOptions options;
  ClassifierReport report;
};

// on_epoch(epoch, epochs, train_loss) after each epoch.
TrainedClassifier train_classifier(const Dataset& ds, const ClassifierOptions& opt,
                                   const std::function<void(int, int, double)>& on_epoch = {});

void save_classifier(const std::filesystem::path& path, const TrainedClassifier& c);
TrainedClassifier load_classifier(const std::filesystem::path& path);

struct Classified {
  torch::Tensor features;  // [N, D] float32
  torch::Tensor logits;    // [N, C]
};
// uint8 [N, S, S, 3] images, in batches, without autograd.
Classified classify(TrainedClassifier& c, const torch::Tensor& u8_nhwc, int64_t batch = 256);

}  // namespace pokegan
