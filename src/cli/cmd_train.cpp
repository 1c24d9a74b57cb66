// pokegan train: start a run from a preset, or continue one with --resume.
#include <ATen/Parallel.h>

#include <atomic>
#include <csignal>
#include <cstdio>

#include "cli/commands.h"
#include "pokegan/common/device.h"
#include "pokegan/common/error.h"
#include "pokegan/common/fs.h"
#include "pokegan/models/autoencoder.h"
#include "pokegan/training/distributed.h"
#include "pokegan/training/presets.h"
#include "pokegan/training/trainer.h"

namespace pokegan::cli {

namespace {

std::atomic<bool> g_stop{false};

extern "C" void on_sigint(int) {
  g_stop.store(true);
  std::signal(SIGINT, SIG_DFL);  // a second Ctrl-C kills at once
}

struct TrainArgs {
  std::string preset = "cdcgan", data, outdir = "runs", resume, init, name, device = "cpu";
  bool preset_given = false;
  int64_t steps = -1;
  int epochs = -1, batch = -1;
  int64_t seed = -1;
  double max_minutes = 0, max_cpu_minutes = 0;
  std::vector<std::string> sets;
  bool quiet = false;
  int nproc = 0;
  double dist_timeout = 60;
  std::string dist_backend = "auto";
};

// The command line without --nproc and its value, for the workers.
std::vector<std::string> worker_args() {
  std::vector<std::string> out;
  const auto& in = program_args();
  for (size_t i = 0; i < in.size(); ++i) {
    if (in[i] == "--nproc") {
      ++i;
      continue;
    }
    if (in[i].rfind("--nproc=", 0) == 0) continue;
    out.push_back(in[i]);
  }
  return out;
}

// A module's direct children (and its own parameters) with their parameter counts, as markdown.
void describe_module(const std::string& title, const torch::nn::Module& m) {
  std::printf("| %s | parameters |\n|---|---:|\n", title.c_str());
  for (const auto& p : m.named_parameters(/*recurse=*/false))
    std::printf("| `%s` | %lld |\n", p.key().c_str(), static_cast<long long>(p.value().numel()));
  for (const auto& c : m.named_children())
    std::printf("| `%s` | %lld |\n", c.key().c_str(), static_cast<long long>(count_parameters(*c.value())));
  std::printf("| **total** | **%lld** |\n\n", static_cast<long long>(count_parameters(m)));
}

void run_train(const TrainArgs& a) {
  const DistEnv env = dist_env();
  const c10::Device device = rank_device(parse_device(a.device), env);
  const std::string backend = dist_backend(a.dist_backend, device);
  if (a.nproc > 0) {
    if (env.distributed()) throw Error("--nproc starts its own workers: do not combine it with a launcher's WORLD_SIZE");
    if (backend == "gloo" && !dist_available())
      throw Error("distributed training is unavailable in this build (install libgloo-dev and rebuild)");
    const int code = launch_local(a.nproc, worker_args());
    if (code != 0) {
      std::fprintf(stderr, "error: a worker of `train --nproc %d` failed (exit status %d)\n", a.nproc, code);
      std::fflush(nullptr);
      std::exit(code);
    }
    return;
  }
  std::unique_ptr<Comm> comm;
  if (env.distributed())
    comm = connect(env, std::chrono::milliseconds(static_cast<int64_t>(a.dist_timeout * 1000)), backend);
  const bool root = env.rank == 0;
  TrainConfig cfg;
  fs::path run_dir;
  std::unique_ptr<Checkpoint> ckpt, init;  // a resume's checkpoint; the file --init starts from
  if (!a.resume.empty()) {
    ResumePoint r = resume_point(a.resume);
    cfg = r.cfg;
    ckpt = std::move(r.ckpt);
    run_dir = a.resume;
    if (!root) {
    } else if (ckpt)
      std::fprintf(stderr, "resuming %s from %s\n", a.resume.c_str(), r.from.c_str());
    else
      std::fprintf(stderr, "%s has no checkpoint yet: starting it again from step 0 with its %s\n", a.resume.c_str(),
                   r.from.c_str());
  } else if (!a.init.empty()) {
    // Fine-tuning: the file's own config unless --preset names another; its weights where they fit.
    const fs::path from = fs::is_directory(a.init) ? Trainer::latest_checkpoint(a.init) : fs::path(a.init);
    init = std::make_unique<Checkpoint>(load_checkpoint(from));
    cfg = a.preset_given ? preset(a.preset) : checkpoint_config(*init);
    cfg.init_from = from.string();
    cfg.init_step = 0;
  } else {
    cfg = preset(a.preset);
  }
  if (!a.data.empty()) cfg.data = a.data;
  if (cfg.data.empty()) throw Error("--data is required (a dataset from `pokegan data prepare` or `data import`)");
  if (a.steps >= 0 && a.epochs >= 0) throw Error("give --steps or --epochs, not both");
  if (a.steps >= 0) cfg.steps = a.steps;
  if (a.epochs >= 0) cfg.epochs = a.epochs, cfg.steps = 0;
  if (a.batch >= 0) {
    if (ckpt && a.batch != cfg.batch) throw Error("--batch cannot change on resume");
    cfg.batch = a.batch;
  }
  if (a.seed >= 0) cfg.seed = static_cast<uint64_t>(a.seed);
  for (const auto& s : a.sets) apply_override(cfg, s);
  validate(cfg);
  if (root)
    for (const auto& w : config_warnings(cfg)) std::fprintf(stderr, "warning: %s\n", w.c_str());

  const Dataset ds = Dataset::load(cfg.data);
  std::unique_ptr<Trainer> trainer;
  if (ckpt) {
    trainer = std::make_unique<Trainer>(cfg, ds, run_dir, *ckpt, device, comm.get());
  } else if (!run_dir.empty()) {
    trainer = std::make_unique<Trainer>(cfg, ds, run_dir, device, comm.get());
  } else {
    // Every rank names the run before the first collective; only rank 0 creates it, after it.
    run_dir = Trainer::new_run_dir(a.outdir, a.name.empty() ? cfg.preset : a.name);
    trainer = std::make_unique<Trainer>(cfg, ds, run_dir, device, comm.get(), init.get());
  }
  if (root && !trainer->init_summary().empty()) std::fprintf(stderr, "%s\n", trainer->init_summary().c_str());
  if (root) std::fprintf(stderr, "run %s: preset %s, %lld images, %d classes, G %lld params, D %lld params, %lld steps, batch %d, %d threads\n",
               run_dir.c_str(), trainer->config().preset.c_str(), static_cast<long long>(ds.count()),
               trainer->config().num_classes(), static_cast<long long>(count_parameters(trainer->generator())),
               static_cast<long long>(count_parameters(trainer->discriminator())),
               static_cast<long long>(trainer->total_steps()), trainer->config().batch, at::get_num_threads());
  std::signal(SIGINT, on_sigint);
  if (a.max_minutes < 0 || a.max_cpu_minutes < 0) throw Error("--max-minutes and --max-cpu-minutes must be >= 0");
  if (a.max_minutes > 0 && a.max_cpu_minutes > 0) throw Error("give --max-minutes or --max-cpu-minutes, not both");
  const bool cpu = a.max_cpu_minutes > 0;
  const int64_t first_step = trainer->steps_done();
  const bool done = trainer->run(&g_stop, !a.quiet, (cpu ? a.max_cpu_minutes : a.max_minutes) * 60, cpu);
  std::signal(SIGINT, SIG_DFL);
  if (comm && root)
    std::fprintf(stderr, "%d processes: %.1f MB allreduced/broadcast per step, %.3f s per step in collectives (rank 0)\n",
                 comm->world_size(), comm->bytes / 1e6 / std::max<double>(1, double(trainer->steps_done() - first_step)),
                 comm->seconds / std::max<double>(1, double(trainer->steps_done() - first_step)));
  if (done && root)
    std::printf("finished %lld steps; samples in %s/samples, checkpoint %s\n",
                static_cast<long long>(trainer->steps_done()), run_dir.c_str(),
                Trainer::latest_checkpoint(run_dir).c_str());
}

}  // namespace

void add_train_command(CLI::App& app) {
  auto a = std::make_shared<TrainArgs>();
  auto* c = app.add_subcommand("train", "train a GAN from a preset, or resume a run");
  c->add_option("--preset", a->preset, "named config (see `pokegan presets`)")->capture_default_str();
  c->add_option("--data", a->data, "dataset file");
  c->add_option("--outdir", a->outdir, "where run directories are made")->capture_default_str();
  c->add_option("--name", a->name, "run directory suffix (default: the preset)");
  c->add_option("--steps", a->steps, "total optimisation steps")->check(CLI::Range(0, kMaxSteps));
  c->add_option("--epochs", a->epochs, "total epochs (when --steps is not given)")->check(CLI::Range(0, kMaxEpochs));
  c->add_option("--batch", a->batch, "batch size")->check(CLI::Range(1, kMaxBatch));
  c->add_option("--seed", a->seed, "seed for init, noise, augmentation and data order")->check(seed_check());
  c->add_option("--set", a->sets, "override any config field: key=value (e.g. g.base_channels=32, optim.lr_g=1e-4)");
  c->add_option("--resume", a->resume, "continue the run in this directory from its latest checkpoint");
  c->add_option("--init", a->init,
                "fine-tune: start a new run from this checkpoint, model file or run's weights (its config unless "
                "--preset is given; tensors that do not fit, such as a new class head, start fresh; optimisers start fresh)")
      ->excludes("--resume");
  c->add_option("--device", a->device, "cpu, cuda or cuda:N")->capture_default_str();
  c->add_option("--max-minutes", a->max_minutes, "stop (with samples and a checkpoint) after this long; 0 = no limit")->check(CLI::NonNegativeNumber);
  c->add_option("--max-cpu-minutes", a->max_cpu_minutes,
                "stop after this much CPU time of the process (all threads): equal budgets on a busy machine")->check(CLI::NonNegativeNumber);
  c->add_flag("--quiet", a->quiet, "no progress line");
  c->add_option("--nproc", a->nproc,
                "data-parallel training in N local processes (loopback c10d/Gloo; --batch is the global batch, split "
                "evenly; --threads is per process). Several machines: launch one process per rank with torchrun's RANK, WORLD_SIZE, MASTER_ADDR, "
                "MASTER_PORT (docs/distributed.md)")->check(CLI::Range(1, 256));
  c->add_option("--dist-timeout", a->dist_timeout,
                "seconds a distributed rendezvous or collective may wait before every rank stops with an error")
      ->capture_default_str()->check(CLI::Range(1.0, 86400.0));
  c->add_option("--dist-backend", a->dist_backend,
                "c10d backend of a distributed run: auto (nccl on a CUDA device where built, else gloo), gloo, nccl; with "
                "--device cuda each rank takes cuda:LOCAL_RANK")
      ->capture_default_str();
  c->callback([a, c] {
    a->preset_given = c->count("--preset") > 0;
    run_train(*a);
  });

  auto describe = std::make_shared<std::string>();
  auto size = std::make_shared<int>(64);
  auto classes = std::make_shared<int>(13);
  auto* p = app.add_subcommand("presets", "list the named training configs, or describe one's networks");
  p->add_option("--describe", *describe, "print a preset's networks as markdown tables of blocks and parameter counts");
  p->add_option("--size", *size, "image size for --describe")->capture_default_str()->check(CLI::Range(8, kMaxImageSize));
  p->add_option("--classes", *classes, "number of classes for --describe")->capture_default_str()->check(CLI::Range(1, 1000));
  p->callback([=] {
    if (describe->empty()) {
      for (const auto& n : preset_names()) std::printf("%-14s %s\n", n.c_str(), preset(n).description.c_str());
      return;
    }
    const TrainConfig cfg = preset(*describe);
    std::printf("%s: %s\n\n", describe->c_str(), cfg.description.c_str());
    describe_module("G (" + cfg.g.arch + ")", *make_generator(cfg.g, *size, *classes));
    describe_module("D (" + cfg.d.arch + ")", *make_discriminator(cfg.d, *size, *classes));
    if (cfg.ae.enabled) {
      describe_module("E", *Encoder(*size, cfg.ae.encoder_channels, cfg.g.z_dim));
      describe_module("D_z", *LatentDiscriminator(cfg.g.z_dim, cfg.ae.latent_hidden));
    }
  });
}

}  // namespace pokegan::cli
