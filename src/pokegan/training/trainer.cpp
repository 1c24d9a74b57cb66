#include "pokegan/training/trainer.h"

#include <ATen/CPUGeneratorImpl.h>
#include <torch/utils.h>

#include <chrono>
#include <cmath>
#include <tuple>
#include <ctime>
#include <cstdio>
#include <mutex>
#include <regex>

#include "pokegan/common/device.h"
#include "pokegan/common/error.h"
#include "pokegan/common/fs.h"
#include "pokegan/common/progress.h"
#include "pokegan/data/augment.h"
#include "pokegan/io/image.h"
#include "pokegan/training/sampler.h"

namespace pokegan {

namespace {

std::string step_name(const char* prefix, int64_t step, const char* ext) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%s-%08lld%s", prefix, static_cast<long long>(step), ext);
  return buf;
}

bool is_checkpoint_file(const fs::path& p) {
  static const std::regex kName(R"(ckpt-\d{8}\.safetensors)");
  return std::regex_match(p.filename().string(), kName);
}

// CPU time of this process, all threads, in seconds.
double process_cpu_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return double(ts.tv_sec) + 1e-9 * double(ts.tv_nsec);
}

// A handle sharing LibTorch's default CPU generator (the one randn, rand_like and dropout use).
at::Generator torch_rng() { return at::detail::getDefaultCPUGenerator(); }

}  // namespace

TrainConfig checkpoint_config(const Checkpoint& ckpt) {
  const auto it = ckpt.metadata.find("config");
  if (it == ckpt.metadata.end()) throw Error("checkpoint has no config");
  return config_from_json(it->second, "checkpoint");
}

ResumePoint resume_point(const fs::path& run_dir) {
  if (!fs::is_directory(run_dir)) throw Error("run directory not found: " + run_dir.string());
  ResumePoint r;
  const auto dir = run_dir / "checkpoints";
  bool any = false;
  if (fs::is_directory(dir))
    for (const auto& e : fs::directory_iterator(dir)) any = any || is_checkpoint_file(e.path());
  if (any) {
    r.from = Trainer::latest_checkpoint(run_dir);
    r.ckpt = std::make_unique<Checkpoint>(load_checkpoint(r.from));
    r.cfg = checkpoint_config(*r.ckpt);
    return r;
  }
  r.from = run_dir / "config.json";
  if (!fs::exists(r.from)) throw Error(run_dir.string() + " has neither a checkpoint nor a config.json: not a run directory");
  r.cfg = config_from_json(read_text(r.from), r.from.string());
  return r;
}

Trainer::Trainer(TrainConfig cfg, const Dataset& ds, std::filesystem::path run_dir, torch::Device device)
    : cfg_(std::move(cfg)), ds_(ds), run_dir_(std::move(run_dir)), device_(device) {
  cfg_.image_size = ds.size;
  cfg_.classes = ds.classes;
  validate(cfg_);
  tune_for_device(device_);
  torch::manual_seed(cfg_.seed);  // model init draws from it; later steps keep drawing from it
  build();
  fs::create_directories(run_dir_);
  // A run restarted from step 0 (resumed before its first checkpoint) starts a fresh log.
  for (const char* log : {"stats.jsonl", "events.jsonl"}) fs::remove(run_dir_ / log);
  const std::string json = nlohmann::json(cfg_).dump(2) + "\n";
  write_atomic(run_dir_ / "config.json", json.data(), json.size());
}

Trainer::Trainer(TrainConfig cfg, const Dataset& ds, std::filesystem::path run_dir, const Checkpoint& ckpt,
                 torch::Device device)
    : cfg_(std::move(cfg)), ds_(ds), run_dir_(std::move(run_dir)), device_(device) {
  if (ds.size != cfg_.image_size || ds.classes != cfg_.classes)
    throw Error("the dataset does not match the checkpoint (image size or classes differ)");
  if (const auto it = ckpt.metadata.find("dataset"); it != ckpt.metadata.end() && it->second != ds.fingerprint())
    throw Error("the dataset " + cfg_.data + " has changed since this run was checkpointed (fingerprint " + it->second +
                ", now " + ds.fingerprint() + "): resume with the file it was trained on, or start a new run");
  validate(cfg_);
  tune_for_device(device_);
  build();
  restore(ckpt);
}

void Trainer::restore(const Checkpoint& ckpt) {
  for (const Part& p : parts()) {
    get_module(ckpt, p.prefix, *p.module);
    if (p.opt) get_adam(ckpt, p.opt_prefix, *p.opt, *p.module);
  }
  loader_->load_state(ckpt.with_prefix("loader"));
  objective_->load_state(ckpt.with_prefix("objective"));
  step_ = ckpt.tensor("step").item<int64_t>();
  at::Generator rng = torch_rng();
  std::lock_guard<std::mutex> lock(rng.mutex());
  rng.set_state(ckpt.tensor("rng.torch"));
}

std::string Trainer::divergence(const StepStats& s) {
  char buf[200];
  auto value = [&](const std::string& name, double v, bool bounded) -> std::string {
    if (!std::isfinite(v)) return name + " = " + (std::isnan(v) ? "NaN" : "Inf");
    if (bounded && std::abs(v) > cfg_.divergence.loss_max) {
      std::snprintf(buf, sizeof buf, "%s = %.3g, past divergence.loss_max = %g", name.c_str(), v, cfg_.divergence.loss_max);
      return buf;
    }
    return "";
  };
  for (const auto& [name, v, bounded] : {std::tuple<std::string, double, bool>{"d_loss", s.d_loss, true},
                                         {"g_loss", s.g_loss, true}, {"D(x)", s.d_real, false},
                                         {"D(G(z))", s.d_fake, false}})
    if (auto w = value(name, v, bounded); !w.empty()) return w;
  for (const auto& [k, v] : s.extra)
    if (auto w = value(k, v, k == "dz_loss"); !w.empty()) return w;
  torch::NoGradGuard no_grad;
  // One reduction over every weight, so one device sync per step (not one per tensor); the
  // offending tensor is looked up only when something is off.
  std::vector<torch::Tensor> finite;
  for (const Part& p : parts())
    for (const auto& t : p.module->parameters()) finite.push_back(torch::isfinite(t).all());
  if (finite.empty() || torch::stack(finite).all().item<bool>()) return "";
  for (const Part& p : parts())
    for (const auto& t : p.module->named_parameters())
      if (!torch::isfinite(t.value()).all().item<bool>())
        return "a weight of " + p.prefix + " (" + t.key() + ") is " + (torch::isnan(t.value()).any().item<bool>() ? "NaN" : "Inf");
  return "";
}

void Trainer::on_divergence(const std::string& what) {
  std::string last;
  fs::path ckpt_path;
  try {
    ckpt_path = latest_checkpoint(run_dir_);
    last = "the last good checkpoint, " + ckpt_path.string() + ", is left untouched";
  } catch (const Error&) {
    last = "no checkpoint was written before it";
  }
  const std::string head = "training diverged at step " + std::to_string(step_) + ": " + what + "; ";
  const bool can_roll = cfg_.divergence.policy == "rollback" && !ckpt_path.empty();
  if (!can_roll || rollbacks_ >= cfg_.divergence.max_rollbacks) {
    std::string hint = cfg_.divergence.policy == "rollback"
                           ? (ckpt_path.empty() ? " (nothing to roll back to)" : " (after " + std::to_string(rollbacks_) + " rollbacks)")
                           : "; lower optim.lr_g and optim.lr_d, or --set divergence.policy=rollback";
    throw Error(head + last + hint);
  }
  ++rollbacks_;
  const int64_t bad_step = step_;
  restore(load_checkpoint(ckpt_path));
  cfg_.optim.lr_g *= cfg_.divergence.lr_scale;
  cfg_.optim.lr_d *= cfg_.divergence.lr_scale;
  for (const Part& p : parts()) {
    if (!p.opt) continue;
    const double lr = (p.opt == opt_g_.get() || p.opt == opt_e_.get()) ? cfg_.optim.lr_g : cfg_.optim.lr_d;
    for (auto& group : p.opt->param_groups()) static_cast<torch::optim::AdamOptions&>(group.options()).lr(lr);
  }
  // The lower rates are the run's config from now on: later checkpoints and a --resume keep them.
  const std::string json = nlohmann::json(cfg_).dump(2) + "\n";
  write_atomic(run_dir_ / "config.json", json.data(), json.size());
  const nlohmann::json event = {{"event", "rollback"}, {"step", bad_step}, {"reason", what}, {"to_step", step_},
                                {"lr_g", cfg_.optim.lr_g}, {"lr_d", cfg_.optim.lr_d}, {"rollback", rollbacks_}};
  const std::string line = event.dump() + "\n";
  if (std::FILE* f = std::fopen((run_dir_ / "events.jsonl").c_str(), "a")) {
    std::fputs(line.c_str(), f);
    std::fclose(f);
  }
  std::fprintf(stderr, "\ndiverged at step %lld (%s): rolled back to step %lld (%s) with lr_g %g, lr_d %g (rollback %d of %d)\n",
               static_cast<long long>(bad_step), what.c_str(), static_cast<long long>(step_), ckpt_path.c_str(),
               cfg_.optim.lr_g, cfg_.optim.lr_d, rollbacks_, cfg_.divergence.max_rollbacks);
}

void Trainer::build() {
  const int classes = cfg_.num_classes();
  g_ = make_generator(cfg_.g, cfg_.image_size, classes);
  d_ = make_discriminator(cfg_.d, cfg_.image_size, classes);
  g_->to(device_);
  d_->to(device_);
  const auto& o = cfg_.optim;
  auto adam = [&](const std::vector<torch::Tensor>& params, double lr) {
    return std::make_unique<torch::optim::Adam>(params, torch::optim::AdamOptions(lr).betas({o.beta1, o.beta2}));
  };
  opt_g_ = adam(g_->parameters(), o.lr_g);
  opt_d_ = adam(d_->parameters(), o.lr_d);
  if (cfg_.ema_decay > 0) {
    g_ema_ = make_generator(cfg_.g, cfg_.image_size, classes);
    g_ema_->to(device_);
    g_ema_->eval();
    torch::NoGradGuard no_grad;
    auto src = g_->named_parameters();
    for (auto& p : g_ema_->named_parameters()) p.value().copy_(src[p.key()]);
    for (auto& p : g_ema_->parameters()) p.set_requires_grad(false);
  }
  if (cfg_.ae.enabled) {
    e_ = Encoder(cfg_.image_size, cfg_.ae.encoder_channels, cfg_.g.z_dim);
    dz_ = LatentDiscriminator(cfg_.g.z_dim, cfg_.ae.latent_hidden);
    e_->to(device_);
    dz_->to(device_);
    opt_e_ = adam(e_->parameters(), o.lr_g);
    opt_dz_ = adam(dz_->parameters(), o.lr_d);
  }
  ObjectiveOptions oo;
  oo.loss = cfg_.loss;
  oo.augment = cfg_.augment;
  oo.d_noise_std = cfg_.d.noise_std, oo.d_noise_std_end = cfg_.d.noise_std_end;
  oo.lambda_rx = cfg_.ae.lambda_rx, oo.lambda_rz = cfg_.ae.lambda_rz;
  oo.amp = cfg_.amp == "bf16";
  objective_ = std::make_unique<Objective>(oo, ObjectiveNets{g_.get(), d_.get(), e_ ? e_.get() : nullptr,
                                                            dz_ ? dz_.get() : nullptr},
                                           device_);
  loader_ = std::make_unique<BatchLoader>(ds_, cfg_.batch, cfg_.seed, cfg_.split);
}

std::vector<Trainer::Part> Trainer::parts() {
  std::vector<Part> p = {{"G", g_.get(), "optG", opt_g_.get()}, {"D", d_.get(), "optD", opt_d_.get()}};
  if (g_ema_) p.push_back({"G_ema", g_ema_.get(), "", nullptr});
  if (e_) {
    p.push_back({"E", e_.get(), "optE", opt_e_.get()});
    p.push_back({"Dz", dz_.get(), "optDz", opt_dz_.get()});
  }
  return p;
}

void Trainer::update_ema() {
  if (!g_ema_) return;
  torch::NoGradGuard no_grad;
  const double beta = std::min(cfg_.ema_decay, (1.0 + static_cast<double>(step_)) / (10.0 + static_cast<double>(step_)));
  auto src = g_->named_parameters();
  for (auto& p : g_ema_->named_parameters()) p.value().mul_(beta).add_(src[p.key()], 1.0 - beta);
  auto bufs = g_->named_buffers();
  for (auto& b : g_ema_->named_buffers()) b.value().copy_(bufs[b.key()]);
}

int64_t Trainer::total_steps() const {
  return cfg_.steps > 0 ? cfg_.steps : cfg_.epochs * loader_->batches_per_epoch();
}

StepStats Trainer::step() {
  auto [real, labels] = loader_->next();  // [B, 3, S, S], [B]
  real = augment(real, cfg_.augment).to(device_);
  labels = labels.to(device_);
  const auto z = torch::randn({real.size(0), g_->z_dim()}, real.options());
  objective_->begin(step_, total_steps(), real, labels, z);
  StepStats s;

  opt_d_->zero_grad();
  const PhaseStats d = objective_->accumulate(Phase::D);
  opt_d_->step();
  if (objective_->has_latent()) {
    opt_dz_->zero_grad();
    const PhaseStats dz = objective_->accumulate(Phase::Dz);
    opt_dz_->step();
    s.extra["dz_loss"] = dz.loss;
  }
  opt_g_->zero_grad();
  if (opt_e_) opt_e_->zero_grad();
  const PhaseStats g = objective_->accumulate(Phase::G);
  opt_g_->step();
  if (opt_e_) opt_e_->step();

  ++step_;
  update_ema();
  s.step = step_;
  s.d_loss = d.loss;
  s.g_loss = g.loss;
  for (const auto* phase : {&d, &g})
    for (const auto& [k, v] : phase->extra) s.extra[k] = v;
  s.d_real = s.extra["d_real"], s.d_fake = s.extra["d_fake"];
  s.extra.erase("d_real"), s.extra.erase("d_fake");
  return s;
}

void Trainer::append_stats(const StepStats& s, double img_per_s) {
  nlohmann::json j = {{"step", s.step},     {"epoch", loader_->epoch()}, {"d_loss", s.d_loss},
                      {"g_loss", s.g_loss}, {"d_real", s.d_real},        {"d_fake", s.d_fake},
                      {"img_per_s", img_per_s}};
  for (const auto& [k, v] : s.extra) j[k] = v;
  std::FILE* f = std::fopen((run_dir_ / "stats.jsonl").c_str(), "a");
  if (!f) throw Error("cannot append to " + (run_dir_ / "stats.jsonl").string());
  std::fprintf(f, "%s\n", j.dump().c_str());
  std::fclose(f);
}

std::filesystem::path Trainer::write_samples() {
  const auto path = run_dir_ / "samples" / step_name("fakes", step_, ".png");
  const std::vector<std::string> rows = cfg_.g.conditional ? cfg_.classes : std::vector<std::string>{};
  write_png(path, class_grid(sampling_generator(), rows, cfg_.samples_per_class, cfg_.seed + 1, device_));
  return path;
}

std::filesystem::path Trainer::save_checkpoint() {
  Checkpoint ckpt;
  for (const Part& p : parts()) {
    put_module(ckpt, p.prefix, *p.module);
    if (p.opt) put_adam(ckpt, p.opt_prefix, *p.opt, *p.module);
  }
  for (const auto& [k, v] : loader_->state()) ckpt.tensors["loader." + k] = v;
  for (const auto& [k, v] : objective_->state()) ckpt.tensors["objective." + k] = v;
  ckpt.tensors["step"] = torch::tensor({step_}, torch::kInt64);
  {
    at::Generator rng = torch_rng();
    std::lock_guard<std::mutex> lock(rng.mutex());
    ckpt.tensors["rng.torch"] = rng.get_state();
  }
  ckpt.metadata["config"] = nlohmann::json(cfg_).dump();
  ckpt.metadata["step"] = std::to_string(step_);
  if (dataset_fingerprint_.empty()) dataset_fingerprint_ = ds_.fingerprint();
  ckpt.metadata["dataset"] = dataset_fingerprint_;
  ckpt.metadata["epoch"] = std::to_string(loader_->epoch());
  const auto dir = run_dir_ / "checkpoints";
  const auto path = dir / step_name("ckpt", step_, ".safetensors");
  pokegan::save_checkpoint(path, ckpt);

  // Keep the newest keep_checkpoints files.
  std::vector<fs::path> all;
  for (const auto& e : fs::directory_iterator(dir))
    if (is_checkpoint_file(e.path())) all.push_back(e.path());
  std::sort(all.begin(), all.end());
  for (size_t i = 0; i + cfg_.keep_checkpoints < all.size(); ++i) fs::remove(all[i]);
  return path;
}

bool Trainer::run(const std::atomic<bool>* stop, bool show_progress, double max_seconds, bool cpu_time) {
  const int64_t total = total_steps();
  const auto started = std::chrono::steady_clock::now();
  const double cpu_started = process_cpu_seconds();
  auto out_of_time = [&] {
    if (max_seconds <= 0) return false;
    if (cpu_time) return process_cpu_seconds() - cpu_started >= max_seconds;
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count() >= max_seconds;
  };
  Progress progress("train", total, "img", cfg_.log_every);
  double window_d = 0, window_g = 0;
  int window_n = 0;
  auto window_start = std::chrono::steady_clock::now();
  while (step_ < total) {
    if (stop && stop->load()) {
      const auto path = save_checkpoint();
      if (show_progress) progress.finish("interrupted");
      std::fprintf(stderr, "interrupted at step %lld; saved %s\nresume with: pokegan train --resume %s\n",
                   static_cast<long long>(step_), path.c_str(), run_dir_.c_str());
      return false;
    }
    const StepStats s = step();
    if (const std::string what = divergence(s); !what.empty()) {
      try {
        on_divergence(what);  // throws, or rolls back to the last checkpoint
      } catch (const Error&) {
        if (show_progress) progress.finish("diverged");
        throw;
      }
      window_d = window_g = 0, window_n = 0;
      continue;
    }
    window_d += s.d_loss, window_g += s.g_loss, ++window_n;
    if (step_ % cfg_.log_every == 0 || step_ == total) {
      const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - window_start).count();
      const double img_s = secs > 0 ? window_n * cfg_.batch / secs : 0;
      StepStats mean = s;
      mean.d_loss = window_d / window_n, mean.g_loss = window_g / window_n;
      append_stats(mean, img_s);
      if (show_progress) {
        char extra[160];
        std::snprintf(extra, sizeof extra, "ep %lld  D %.3f  G %.3f  D(x) %.2f  D(G(z)) %.2f",
                      static_cast<long long>(loader_->epoch()), mean.d_loss, mean.g_loss, s.d_real, s.d_fake);
        progress.update(step_, extra, img_s);
      }
      window_d = window_g = 0, window_n = 0;
      window_start = std::chrono::steady_clock::now();
    }
    if (cfg_.sample_every > 0 && step_ % cfg_.sample_every == 0) write_samples();
    if (cfg_.checkpoint_every > 0 && step_ % cfg_.checkpoint_every == 0) save_checkpoint();
    if (step_ < total && out_of_time()) {
      if (show_progress) progress.finish("time budget reached");
      std::fprintf(stderr, "%s budget of %.0f s reached at step %lld of %lld\n", cpu_time ? "CPU-time" : "time", max_seconds,
                   static_cast<long long>(step_), static_cast<long long>(total));
      break;
    }
  }
  if (show_progress) progress.finish();
  write_samples();
  save_checkpoint();
  return true;
}

std::filesystem::path Trainer::latest_checkpoint(const std::filesystem::path& run_dir) {
  const auto dir = run_dir / "checkpoints";
  fs::path best;
  if (fs::is_directory(dir))
    for (const auto& e : fs::directory_iterator(dir))
      if (is_checkpoint_file(e.path()) && (best.empty() || e.path().filename() > best.filename()))
        best = e.path();
  if (best.empty()) throw Error("no checkpoint in " + dir.string() + " (is " + run_dir.string() + " a run directory?)");
  return best;
}

std::filesystem::path Trainer::new_run_dir(const std::filesystem::path& outdir, const std::string& name) {
  int next = 0;
  if (fs::is_directory(outdir))
    for (const auto& e : fs::directory_iterator(outdir)) {
      const std::string f = e.path().filename().string();
      if (f.size() > 6 && f[5] == '-' && std::all_of(f.begin(), f.begin() + 5, ::isdigit))
        next = std::max(next, std::stoi(f.substr(0, 5)) + 1);
    }
  char buf[16];
  std::snprintf(buf, sizeof buf, "%05d-", next);
  return outdir / (buf + name);
}

}  // namespace pokegan
