// pokegan serve: the studio web page and its HTTP API over the shipped model or a checkpoint
// (src/server/studio.h). This only parses the command line and opens what it names.
#include <cstdio>
#include <memory>
#include <optional>

#include "cli/commands.h"
#include "pokegan/common/error.h"
#include "pokegan/data/dataset.h"
#include "pokegan/inference/nearest_real.h"
#include "pokegan/inference/sprite_model.h"
#include "server/studio.h"

namespace pokegan::cli {

namespace {
struct ServeArgs {
  std::string checkpoint, data;
  server::ServeOptions opt;
};

void run_serve(const ServeArgs& a) {
  SpriteModel model(a.checkpoint);
  std::optional<Dataset> ds;
  std::unique_ptr<NearestReal> nearest;
  if (!a.data.empty()) {
    ds = Dataset::load(a.data);
    if (ds->size != model.image_size())
      throw Error(a.data + " holds " + std::to_string(ds->size) + "px sprites, the model makes " + std::to_string(model.image_size()) + "px");
    nearest = std::make_unique<NearestReal>(*ds);
  }
  server::Studio studio(model, nearest.get(), a.opt);
  const int port = studio.bind();
  std::printf("pokegan studio: http://%s:%d/  (model %s, step %lld%s; Ctrl-C stops)\n", a.opt.host.c_str(), port,
              model.path().filename().c_str(), static_cast<long long>(model.step()),
              nearest ? ", nearest real sprites on" : ", no --data: nearest real sprites off");
  std::fflush(stdout);
  studio.run_until_signal();
  std::printf("stopped after %lld requests (%lld answered busy)\n", static_cast<long long>(studio.requests()),
              static_cast<long long>(studio.refused_busy()));
}
}  // namespace

void add_serve_command(CLI::App& app) {
  auto a = std::make_shared<ServeArgs>();
  auto* c = app.add_subcommand("serve", "the studio: a web page (and HTTP API) that makes sprites of a chosen type");
  c->add_option("--checkpoint", a->checkpoint, "model file, checkpoint or run directory; default: the shipped model");
  c->add_option("--data", a->data, "dataset (.safetensors) for the nearest-real-sprite check; off without it");
  c->add_option("--host", a->opt.host,
                "address to listen on; the default serves this machine only. Another address (0.0.0.0: every "
                "interface) lets anyone who can reach it use the page and the API, with no login")
      ->capture_default_str();
  c->add_option("--port", a->opt.port, "TCP port")->capture_default_str()->check(CLI::Range(1, 65535));
  c->add_option("--queue", a->opt.queue, "generation requests admitted at once; more are answered 503 + Retry-After")
      ->capture_default_str()->check(CLI::Range(1, 1024));
  c->add_option("--timeout-ms", a->opt.timeout_ms, "how long admitted work may wait for the generator before a 503")
      ->capture_default_str()->check(CLI::Range(1, 600000));
  c->add_option("--http-threads", a->opt.http_threads, "connections served at once")->capture_default_str()->check(CLI::Range(1, 256));
  c->callback([a] { run_serve(*a); });
}

}  // namespace pokegan::cli
