// pokegan studio: the HTTP front end of a SpriteModel, on cpp-httplib. It serves one page (plain
// HTML, CSS and JS compiled into the binary: no CDN, no network at run time) and a small API:
//   GET /api/model                         classes, image size, preset, provenance, caps
//   GET /api/sprite.png?type=&seed=&index=  one sprite
//   GET /api/sheet.png?type=&seed=&count=&cols=
//   GET /api/variations.png?type=&seed=&index=&strength=&count=
//   GET /api/interpolate.png?type=&from=&to=&from_index=&to_index=&steps=
//   GET /api/nearest.png|.json?type=&seed=&index=&k=   closest training sprites (with --data)
// Every image endpoint also takes trunc, scale, palette, transparent, outline, and type2 (a second
// type, for a model trained with dual_types; refused with the reason otherwise). Bad input: 400 with {"error": "..."} naming the
// parameter and its valid range; an unknown parameter is bad input. More generation work than the
// queue admits: 503 with Retry-After; work that waits longer than the time limit for the
// generator: 503 too. Nothing here reads a path from a request.
// Parsing and limits live here; every picture comes from the library (SpriteModel, pixelart).
#pragma once
#include <atomic>
#include <memory>
#include <mutex>
#include <string>

#include "pokegan/inference/nearest_real.h"
#include "pokegan/inference/sprite_model.h"

namespace httplib {
class Server;
}

namespace pokegan::server {

struct ServeOptions {
  std::string host = "127.0.0.1";
  int port = 8080;         // 0: any free port (tests)
  int queue = 8;           // generation requests admitted at once, running or waiting; 0 refuses all
  int timeout_ms = 10000;  // how long admitted work may wait for the generator
  int http_threads = 8;    // connections served at once
};

class Studio {
 public:
  // `nearest` may be null: the nearest-real endpoints then answer 404 saying how to enable them.
  Studio(SpriteModel& model, const NearestReal* nearest, ServeOptions opt);
  ~Studio();
  // Binds host:port and returns the port; throws Error (port taken, bad address).
  int bind();
  // Serves until stop() (from any thread).
  void run();
  void stop();
  // Until SIGINT or SIGTERM: blocks both in the calling thread (call it before any other thread
  // starts), serves, and stops cleanly on either.
  void run_until_signal();

  int64_t requests() const { return requests_; }
  int64_t refused_busy() const { return busy_; }

 private:
  void routes();
  SpriteModel& model_;
  const NearestReal* nearest_;
  ServeOptions opt_;
  std::unique_ptr<httplib::Server> http_;
  std::timed_mutex gen_;  // one generation at a time; waiting is bounded by timeout_ms
  std::atomic<int> admitted_{0};
  std::atomic<int64_t> requests_{0}, busy_{0};
  std::atomic<bool> in_run_{false}, stop_requested_{false};
};

// The page, compiled in from src/server/page.html.
const std::string& studio_page();

}  // namespace pokegan::server
