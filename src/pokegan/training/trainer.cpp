#include "pokegan/training/trainer.h"

#include <ATen/CPUGeneratorImpl.h>
#include <torch/utils.h>

#include <chrono>
#include <cmath>
#include <tuple>
#include <ctime>
#include <functional>
#include <cstdio>
#include <mutex>
#include <regex>

#include "pokegan/common/device.h"
#include "pokegan/common/error.h"
#include "pokegan/common/fs.h"
#include "pokegan/common/progress.h"
#include "pokegan/common/seed_mix.h"
#include "pokegan/data/augment.h"
#include "pokegan/io/image.h"
#include "pokegan/training/distributed.h"
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

// A resumed run logs again the steps after its checkpoint: their old lines go, and so does a line
// cut short by a kill, so that stats.jsonl holds each step once.
void drop_stats_after(const fs::path& path, int64_t step) {
  if (!fs::exists(path)) return;
  const std::string text = read_text(path);
  std::string kept;
  size_t at = 0;
  while (at < text.size()) {
    size_t end = text.find('\n', at);
    if (end == std::string::npos) break;  // no newline: cut short
    const std::string line = text.substr(at, end - at);
    at = end + 1;
    const auto j = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
    if (j.is_object() && j.contains("step") && j["step"].is_number_integer() && j["step"].get<int64_t>() <= step)
      kept += line + "\n";
  }
  if (kept.size() != text.size()) write_atomic(path, kept.data(), kept.size());
}

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

Trainer::Trainer(TrainConfig cfg, const Dataset& ds, std::filesystem::path run_dir, torch::Device device, Comm* comm,
                 const Checkpoint* init)
    : cfg_(std::move(cfg)), ds_(ds), run_dir_(std::move(run_dir)), device_(device), comm_(comm) {
  cfg_.image_size = ds.size;
  cfg_.classes = ds.classes;
  validate(cfg_);
  tune_for_device(device_);
  torch::manual_seed(cfg_.seed);  // model init draws from it; later steps keep drawing from it
  build();
  if (!cfg_.init_from.empty()) init_weights(init ? *init : load_checkpoint(cfg_.init_from));
  join_group();
  if (!is_root()) return;
  fs::create_directories(run_dir_);
  // A run restarted from step 0 (resumed before its first checkpoint) starts a fresh log.
  for (const char* log : {"stats.jsonl", "events.jsonl"}) fs::remove(run_dir_ / log);
  const std::string json = nlohmann::json(cfg_).dump(2) + "\n";
  write_atomic(run_dir_ / "config.json", json.data(), json.size());
}

Trainer::Trainer(TrainConfig cfg, const Dataset& ds, std::filesystem::path run_dir, const Checkpoint& ckpt,
                 torch::Device device, Comm* comm)
    : cfg_(std::move(cfg)), ds_(ds), run_dir_(std::move(run_dir)), device_(device), comm_(comm) {
  if (ds.size != cfg_.image_size || ds.classes != cfg_.classes)
    throw Error("the dataset does not match the checkpoint (image size or classes differ)");
  if (const auto it = ckpt.metadata.find("dataset"); it != ckpt.metadata.end() && it->second != ds.fingerprint())
    throw Error("the dataset " + cfg_.data + " has changed since this run was checkpointed (fingerprint " + it->second +
                ", now " + ds.fingerprint() + "): resume with the file it was trained on, or start a new run");
  validate(cfg_);
  tune_for_device(device_);
  build();
  restore(ckpt);
  join_group();
  if (is_root()) drop_stats_after(run_dir_ / "stats.jsonl", step_);
}

void Trainer::init_weights(const Checkpoint& ckpt) {
  torch::NoGradGuard no_grad;
  int copied = 0;
  std::vector<std::string> fresh;
  for (const Part& p : parts()) {
    std::string from = p.prefix;
    if (ckpt.with_prefix(from).empty() && (from == "G" || from == "G_ema")) from = from == "G" ? "G_ema" : "G";
    const auto src = ckpt.with_prefix(from);
    auto copy = [&](const std::string& name, torch::Tensor& dst) {
      const auto it = src.find(name);
      if (it == src.end() || it->second.sizes() != dst.sizes()) {
        fresh.push_back(p.prefix + "." + name);
        return;
      }
      dst.copy_(it->second.to(dst.dtype()));
      ++copied;
    };
    for (auto& t : p.module->named_parameters()) copy(t.key(), t.value());
    for (auto& t : p.module->named_buffers()) copy(t.key(), t.value());
  }
  if (copied == 0) throw Error(cfg_.init_from + ": no tensor in it fits this model (--init needs a checkpoint or model file of the same networks)");
  const auto step = ckpt.metadata.find("step");
  if (step != ckpt.metadata.end()) {
    try {
      cfg_.init_step = std::stoll(step->second);
    } catch (const std::exception&) {
      throw Error(cfg_.init_from + ": its 'step' metadata is not a number");
    }
  }
  if (cfg_.init_step < 0) throw Error(cfg_.init_from + ": its 'step' metadata is negative");
  std::string list;
  for (size_t i = 0; i < fresh.size() && i < 8; ++i) list += (i ? ", " : "") + fresh[i];
  if (fresh.size() > 8) list += ", ... (" + std::to_string(fresh.size()) + " in all)";
  init_summary_ = "initialised from " + cfg_.init_from + " (step " + std::to_string(cfg_.init_step) + "): " +
                  std::to_string(copied) + " tensors copied; " + (fresh.empty() ? "none fresh" : "fresh: " + list);
  try {
    if (checkpoint_config(ckpt).classes != cfg_.classes)
      init_summary_ += "; its classes differ from the dataset's (class embeddings of the same shape were copied as they are)";
  } catch (const Error&) {  // no or unreadable config metadata: nothing to compare
  }
}

int Trainer::rank() const { return comm_ ? comm_->rank() : 0; }
int Trainer::world_size() const { return comm_ ? comm_->world_size() : 1; }
int64_t Trainer::shards() const { return int64_t(world_size()) * cfg_.micro_batches; }

void Trainer::join_group() {
  objective_->set_sharded(shards() > 1);
  if (cfg_.batch % shards() != 0)
    throw Error("batch " + std::to_string(cfg_.batch) + " does not split into " + std::to_string(shards()) + " shards (" +
                std::to_string(world_size()) + " processes x micro_batches " + std::to_string(cfg_.micro_batches) +
                "): the global batch must be a multiple of their product");
  if (world_size() == 1) return;
  if (cfg_.divergence.policy == "rollback")
    throw Error("divergence.policy=rollback is not available with several processes (it needs the checkpoint on every node); use stop");
  for (const Part& p : parts()) broadcast_module(*comm_, *p.module, true, true);
}

bool Trainer::any_rank(bool flag) {
  if (world_size() == 1) return flag;
  auto t = torch::tensor({flag ? 1.0f : 0.0f});
  comm_->allreduce_max(t);
  return t.item<float>() > 0;
}

void Trainer::reduce_gradients(const std::vector<torch::Tensor>& params) {
  const double s = static_cast<double>(shards());
  if (comm_ && world_size() > 1) {
    allreduce_gradients(*comm_, params, s);
    return;
  }
  torch::NoGradGuard no_grad;
  for (const auto& p : params)
    if (p.grad().defined()) const_cast<torch::Tensor&>(p).mutable_grad().div_(s);
}

std::vector<torch::Tensor> Trainer::snapshot_buffers() {
  std::vector<torch::Tensor> out;
  for (const Part& p : parts())
    if (p.opt)
      for (const auto& b : p.module->buffers()) out.push_back(b.clone());
  return out;
}

void Trainer::load_buffers(const std::vector<torch::Tensor>& saved, bool generators, bool discriminators) {
  torch::NoGradGuard no_grad;
  size_t i = 0;
  for (const Part& p : parts()) {
    if (!p.opt) continue;
    const bool gen = p.prefix == "G" || p.prefix == "E";
    for (auto& b : p.module->buffers()) {
      const auto& v = saved.at(i++);
      if (gen ? generators : discriminators) b.copy_(v);
    }
  }
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
  loader_ = std::make_unique<BatchLoader>(ds_, cfg_.batch, cfg_.seed, cfg_.split, cfg_.dual_types);
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
  const double t = static_cast<double>(step_ + cfg_.init_step);  // warm-up from the init file's step
  const double beta = std::min(cfg_.ema_decay, (1.0 + t) / (10.0 + t));
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
  if (shards() > 1) return sharded_step(real, labels);
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

StepStats Trainer::sharded_step(const torch::Tensor& real_all, const torch::Tensor& labels_all) {
  const int world = world_size(), micro = cfg_.micro_batches;
  const int64_t S = shards(), B = real_all.size(0), total = total_steps();
  if (B % S != 0) throw Error("a batch of " + std::to_string(B) + " does not split into " + std::to_string(S) + " shards");
  // Shard s of the global batch is rows s, s + S, s + 2S, ...; this rank computes shards
  // rank, rank + world, ..., one per micro-batch.
  auto shard_of = [&](int m) { return static_cast<int64_t>(rank()) + static_cast<int64_t>(world) * m; };
  auto reseed = [&](int64_t shard, uint64_t phase) {
    torch::manual_seed(mix_seed(mix_seed(mix_seed(cfg_.seed) ^ static_cast<uint64_t>(step_)) ^
                                (static_cast<uint64_t>(shard) * 4 + phase)));
  };
  // A shard's batch, augmentation, z and G(z): the same draws wherever and however often it runs.
  auto begin = [&](int m) {
    const int64_t shard = shard_of(m);
    reseed(shard, 0);
    const auto idx = torch::arange(shard, B, S, torch::kInt64);
    const auto real = augment(real_all.index_select(0, idx), cfg_.augment).to(device_);
    const auto labels = labels_all.index_select(0, idx).to(device_);
    const auto z = torch::randn({real.size(0), g_->z_dim()}, real.options());
    objective_->begin(step_, total, real, labels, z);
  };
  std::map<std::string, double> sums;
  auto add = [&](const PhaseStats& p, const std::string& loss_key) {
    sums[loss_key] += p.loss;
    for (const auto& [k, v] : p.extra) sums[k] += v;
  };
  // With micro-batches each shard keeps its own buffers (what its own process would hold) and,
  // between the D and D_z phases, its step tensors. Its G phase recomputes G(z) from the buffers G
  // had at the start of the step: BatchNorm saves its running statistics for backward, so another
  // shard's forward in between would invalidate a graph kept from the D phase.
  std::vector<Objective::StepState> states(static_cast<size_t>(micro));
  std::vector<std::vector<torch::Tensor>> bufs(static_cast<size_t>(micro));
  const std::vector<torch::Tensor> start = micro > 1 ? snapshot_buffers() : std::vector<torch::Tensor>{};
  // Puts micro-batch m's step tensors aside with the buffers it left (micro > 1 only).
  auto stash = [&](int m) {
    if (micro == 1) return;
    objective_->swap_step(states[m]);
    bufs[m] = snapshot_buffers();
  };

  opt_d_->zero_grad();
  for (int m = 0; m < micro; ++m) {
    if (m > 0) load_buffers(start, true, true);
    begin(m);
    reseed(shard_of(m), 1);
    add(objective_->accumulate(Phase::D), "d_loss");
    stash(m);
  }
  reduce_gradients(d_->parameters());
  opt_d_->step();
  if (cfg_.loss.lecam_weight > 0) {  // the averages move once per step, by the mean over all shards
    auto t = torch::tensor({sums["lecam_mean_real"], sums["lecam_mean_fake"]}, torch::kFloat64);
    if (world > 1) comm_->allreduce_sum(t);
    objective_->update_lecam(t[0].item<double>() / double(S), t[1].item<double>() / double(S));
    sums.erase("lecam_mean_real"), sums.erase("lecam_mean_fake");
  }
  if (cfg_.augment.ada_target > 0) {  // ADA's p moves once per step, by the signs of all shards
    auto t = torch::tensor({sums["ada_sign_sum"], sums["ada_count"]}, torch::kFloat64);
    if (world > 1) comm_->allreduce_sum(t);
    objective_->update_ada(t[0].item<double>(), t[1].item<double>());
    sums.erase("ada_sign_sum"), sums.erase("ada_count");
  }
  if (objective_->has_latent()) {
    opt_dz_->zero_grad();
    for (int m = 0; m < micro; ++m) {
      if (micro > 1) {
        load_buffers(bufs[m], true, true);
        objective_->swap_step(states[m]);
      }
      reseed(shard_of(m), 2);
      add(objective_->accumulate(Phase::Dz), "dz_loss");
      stash(m);
    }
    reduce_gradients(dz_->parameters());
    opt_dz_->step();
  }
  states.clear();  // frees the D phase's graphs
  opt_g_->zero_grad();
  if (opt_e_) opt_e_->zero_grad();
  for (int m = 0; m < micro; ++m) {
    if (micro > 1) {
      load_buffers(bufs[m], false, true);  // D and D_z as this shard left them
      load_buffers(start, true, false);    // G and E as the step began: G(z) recomputed identically
      begin(m);
    }
    reseed(shard_of(m), 3);
    add(objective_->accumulate(Phase::G), "g_loss");
    if (micro > 1) bufs[m] = snapshot_buffers();
  }
  reduce_gradients(g_->parameters());
  opt_g_->step();
  if (opt_e_) {
    reduce_gradients(e_->parameters());
    opt_e_->step();
  }
  // Buffers after the step are shard 0's, as DDP's broadcast_buffers makes them.
  if (micro > 1) load_buffers(bufs[0], true, true);
  if (world > 1)
    for (const Part& p : parts())
      if (p.opt) broadcast_module(*comm_, *p.module, false, true);

  // Every rank reports the mean over all shards, so that divergence is decided alike everywhere.
  std::vector<double> values;
  for (const auto& [k, v] : sums) values.push_back(v);
  auto t = torch::tensor(values, torch::kFloat64);
  if (world > 1) comm_->allreduce_sum(t);
  t.div_(double(S));
  size_t i = 0;
  for (auto& [k, v] : sums) v = t[static_cast<int64_t>(i++)].item<double>();

  ++step_;
  update_ema();
  StepStats s;
  s.step = step_;
  s.d_loss = sums["d_loss"], s.g_loss = sums["g_loss"];
  s.d_real = sums["d_real"], s.d_fake = sums["d_fake"];
  for (const auto& [k, v] : sums)
    if (k != "d_loss" && k != "g_loss" && k != "d_real" && k != "d_fake") s.extra[k] = v;
  return s;
}

void Trainer::append_stats(const StepStats& s, double img_per_s) {
  nlohmann::json j = {{"step", s.step},     {"epoch", loader_->epoch()}, {"d_loss", s.d_loss},
                      {"g_loss", s.g_loss}, {"d_real", s.d_real},        {"d_fake", s.d_fake},
                      {"img_per_s", img_per_s}};
  for (const auto& [k, v] : s.extra) j[k] = v;
  if (!is_root()) return;
  std::FILE* f = std::fopen((run_dir_ / "stats.jsonl").c_str(), "a");
  if (!f) throw Error("cannot append to " + (run_dir_ / "stats.jsonl").string());
  std::fprintf(f, "%s\n", j.dump().c_str());
  std::fclose(f);
}

std::filesystem::path Trainer::write_samples() {
  if (!is_root()) return {};
  const auto path = run_dir_ / "samples" / step_name("fakes", step_, ".png");
  const std::vector<std::string> rows = cfg_.g.conditional ? cfg_.classes : std::vector<std::string>{};
  write_png(path, class_grid(sampling_generator(), rows, cfg_.samples_per_class, cfg_.seed + 1, device_));
  return path;
}

std::filesystem::path Trainer::save_checkpoint() {
  if (!is_root()) return {};
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
  show_progress = show_progress && is_root();
  Progress progress("train", total, "img", cfg_.log_every);
  double window_d = 0, window_g = 0;
  int window_n = 0;
  auto window_start = std::chrono::steady_clock::now();
  while (step_ < total) {
    if (any_rank(stop && stop->load())) {  // every rank stops at the same step
      const auto path = save_checkpoint();
      if (show_progress) progress.finish("interrupted");
      if (is_root())
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
    if (step_ < total && any_rank(out_of_time())) {
      if (show_progress) progress.finish("time budget reached");
      if (is_root()) std::fprintf(stderr, "%s budget of %.0f s reached at step %lld of %lld\n", cpu_time ? "CPU-time" : "time", max_seconds,
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
