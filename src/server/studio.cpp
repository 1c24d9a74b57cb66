#include "server/studio.h"

#include <httplib.h>

#include <charconv>
#include <csignal>
#include <cmath>
#include <set>
#include <thread>

#include "pokegan/common/error.h"
#include "pokegan/common/pair_label.h"
#include "pokegan/io/draw.h"
#include "pokegan/io/image.h"
#include "pokegan/io/pixelart.h"
#include "server/query.h"

namespace pokegan::server {

namespace {

struct Busy {
  std::string message;
};

// What every image endpoint shares: the class, truncation and the export options.
struct Common {
  int64_t cls = 0;
  double trunc = 1.0;
  PixelArtOptions art;
};

Common common(const Query& q, const SpriteModel& m) {
  Common c;
  if (m.conditional() && !q.has("type")) throw Refusal{400, "type is required (valid: " + [&] {
    std::string v;
    for (const auto& n : m.classes()) v += (v.empty() ? "" : ", ") + n;
    return v;
  }() + ")"};
  if (q.has("type2") && !m.dual_types())
    throw Refusal{400, "type2: this model was trained with one type per sprite (no dual types); leave type2 out"};
  if (q.has("type")) {
    try {
      c.cls = m.type_index(q.str("type"));
    } catch (const Error& e) {
      throw Refusal{400, "type: " + std::string(e.what())};
    }
  }
  if (q.has("type2")) {  // type is resolved above; only the second type is looked up here
    try {
      c.cls = pair_label(c.cls, m.type_index(q.str("type2")), static_cast<int64_t>(m.classes().size()));
    } catch (const Error& e) {
      throw Refusal{400, "type2: " + std::string(e.what())};
    }
  }
  c.trunc = q.real("trunc", kMinTrunc, 1.0, 1.0);
  // Parsed as integers here; which values are allowed is check_pixel_art's to say (below).
  c.art.scale = int(q.integer("scale", 1, 8, 1));
  c.art.palette = int(q.integer("palette", 0, kMaxPalette, 0));
  c.art.transparent = q.flag("transparent");
  c.art.outline = q.flag("outline");
  try {
    check_pixel_art(c.art);
  } catch (const Error& e) {
    throw Refusal{400, e.what()};
  }
  return c;
}

std::vector<Image> export_all(std::vector<Image> tiles, const PixelArtOptions& art) {
  if (art.any())
    for (auto& t : tiles) t = to_pixel_art(t, art);
  return tiles;
}

void send_png(httplib::Response& res, const Image& img) {
  const auto png = encode_png(img);
  res.set_content(std::string(png.begin(), png.end()), "image/png");
  // The same query always gives the same picture.
  res.set_header("Cache-Control", "public, max-age=86400");
}

void send_error(httplib::Response& res, int status, const std::string& message) {
  res.status = status;
  res.set_content(nlohmann::json{{"error", message}}.dump(), "application/json");
}

}  // namespace

Studio::Studio(SpriteModel& model, const NearestReal* nearest, ServeOptions opt)
    : model_(model), nearest_(nearest), opt_(std::move(opt)), http_(std::make_unique<httplib::Server>()) {
  if (opt_.queue < 0 || opt_.timeout_ms < 1 || opt_.http_threads < 1) throw Error("serve: bad queue, timeout or thread count");
  const int threads = opt_.http_threads;
  http_->new_task_queue = [threads] { return new httplib::ThreadPool(size_t(threads)); };
  http_->set_payload_max_length(16 * 1024);  // GET only: a body is never needed
  http_->set_read_timeout(5, 0);
  http_->set_write_timeout(5, 0);
  http_->set_keep_alive_max_count(100);
  // httplib's default socket options add SO_REUSEPORT, with which a second server on the same port
  // binds without error and steals half the connections. SO_REUSEADDR alone: restart at once after
  // a stop, and a taken port is an error.
  http_->set_socket_options([](socket_t sock) {
    int yes = 1;
    setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, reinterpret_cast<void*>(&yes), sizeof(yes));
  });
  routes();
}

Studio::~Studio() { stop(); }

int Studio::bind() {
  if (opt_.port == 0) {
    const int port = http_->bind_to_any_port(opt_.host);
    if (port < 0) throw Error("cannot bind " + opt_.host + " (is it an address of this machine?)");
    return port;
  }
  if (!http_->bind_to_port(opt_.host, opt_.port))
    throw Error("cannot bind " + opt_.host + ":" + std::to_string(opt_.port) + " (port in use, or not an address of this machine)");
  return opt_.port;
}

// stop() may come from another thread before run() has started listening; httplib's stop() is a
// no-op then, and run() would block for ever. So run() announces itself (in_run_) before it looks
// at stop_requested_, and stop() sets stop_requested_ before it looks at in_run_: one of the two
// sees the other, and a run() that goes on to listen is stopped once it is listening.
void Studio::run() {
  in_run_ = true;
  if (!stop_requested_) http_->listen_after_bind();
  in_run_ = false;
}

void Studio::stop() {
  stop_requested_ = true;
  while (in_run_ && !http_->is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  http_->stop();
}

void Studio::run_until_signal() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);  // inherited by every thread started below
  std::thread server([this] { run(); });
  int sig = 0;
  sigwait(&set, &sig);
  std::fprintf(stderr, "\n%s: stopping\n", sig == SIGINT ? "SIGINT" : "SIGTERM");
  stop();
  server.join();
}

void Studio::routes() {
  auto& s = *http_;
  // Wraps a handler: counts it, turns refusals and library errors into JSON answers.
  auto guarded = [this](auto body) {
    return [this, body](const httplib::Request& req, httplib::Response& res) {
      ++requests_;
      try {
        body(req, res);
      } catch (const Refusal& r) {
        send_error(res, r.status, r.message);
      } catch (const Busy& b) {
        ++busy_;
        res.set_header("Retry-After", "1");
        send_error(res, 503, b.message);
      } catch (const Error& e) {  // the library's checks name the parameter
        send_error(res, 400, e.what());
      } catch (const std::exception& e) {
        send_error(res, 500, std::string("internal error: ") + e.what());
      }
    };
  };
  // Generation work: admitted up to opt_.queue at once, then waits for G at most timeout_ms.
  auto generating = [this](auto make) {
    struct Slot {
      std::atomic<int>& n;
      ~Slot() { --n; }
    };
    if (++admitted_ > opt_.queue) {
      --admitted_;
      throw Busy{"busy: " + std::to_string(opt_.queue) + " generation requests already queued; retry shortly"};
    }
    Slot slot{admitted_};
    std::unique_lock<std::timed_mutex> lock(gen_, std::defer_lock);
    if (!lock.try_lock_for(std::chrono::milliseconds(opt_.timeout_ms)))
      throw Busy{"busy: the generator did not free up within " + std::to_string(opt_.timeout_ms) + " ms; retry shortly"};
    return make();
  };

  s.Get("/", guarded([](const httplib::Request&, httplib::Response& res) {
    res.set_content(studio_page(), "text/html; charset=utf-8");
  }));
  s.Get("/api/model", guarded([this](const httplib::Request& req, httplib::Response& res) {
    if (!req.params.empty()) throw Refusal{400, "/api/model takes no parameters"};
    auto j = model_.info();
    j["nearest_real"] = nearest_ != nullptr;
    j["nearest_real_sprites"] = nearest_ ? nearest_->size() : 0;
    res.set_content(j.dump(), "application/json");
  }));
  s.Get("/api/sprite.png", guarded([this, generating](const httplib::Request& req, httplib::Response& res) {
    Query q(req.params, {"seed", "index"});
    const Common c = common(q, model_);
    const uint64_t seed = q.u64("seed", 0);
    const int64_t index = q.integer("index", 0, kMaxPerType - 1, 0);
    Image img = generating([&] { return model_.sprite(c.cls, seed, index, c.trunc); });
    send_png(res, c.art.any() ? to_pixel_art(img, c.art) : img);
  }));
  s.Get("/api/sheet.png", guarded([this, generating](const httplib::Request& req, httplib::Response& res) {
    Query q(req.params, {"seed", "count", "cols"});
    const Common c = common(q, model_);
    const uint64_t seed = q.u64("seed", 0);
    const int count = int(q.integer("count", 1, kMaxPerType, 16));
    const int cols = int(q.integer("cols", 1, 256, std::min(count, 8)));
    auto tiles = generating([&] { return model_.sheet(c.cls, seed, count, c.trunc); });
    send_png(res, make_grid(export_all(std::move(tiles), c.art), cols));
  }));
  s.Get("/api/variations.png", guarded([this, generating](const httplib::Request& req, httplib::Response& res) {
    Query q(req.params, {"seed", "index", "strength", "count"});
    const Common c = common(q, model_);
    const uint64_t seed = q.u64("seed", 0);
    const int64_t index = q.integer("index", 0, kMaxPerType - 1, 0);
    const double strength = q.real("strength", 0.0, kMaxStrength, 0.3);
    const int count = int(q.integer("count", 1, kMaxVariations, 8));
    auto tiles = generating([&] { return model_.variations(c.cls, seed, index, strength, count, c.trunc); });
    send_png(res, make_grid(export_all(std::move(tiles), c.art), count));
  }));
  s.Get("/api/interpolate.png", guarded([this, generating](const httplib::Request& req, httplib::Response& res) {
    Query q(req.params, {"from", "to", "from_index", "to_index", "steps"});
    const Common c = common(q, model_);
    if (!q.has("from") || !q.has("to")) throw Refusal{400, "from and to (seeds, 0..18446744073709551615) are required"};
    const uint64_t from = q.u64("from", 0), to = q.u64("to", 0);
    const int64_t fi = q.integer("from_index", 0, kMaxPerType - 1, 0), ti = q.integer("to_index", 0, kMaxPerType - 1, 0);
    const int steps = int(q.integer("steps", 2, kMaxInterpolationSteps, 8));
    auto tiles = generating([&] { return model_.interpolate(c.cls, from, fi, to, ti, steps, c.trunc); });
    send_png(res, make_grid(export_all(std::move(tiles), c.art), steps));
  }));
  auto nearest = [this, generating](const httplib::Request& req) {
    Query q(req.params, {"seed", "index", "k"});
    const Common c = common(q, model_);
    if (!nearest_)
      throw Refusal{404, "nearest real sprites need the dataset: start pokegan serve with --data data/pokemon-64.safetensors"};
    const uint64_t seed = q.u64("seed", 0);
    const int64_t index = q.integer("index", 0, kMaxPerType - 1, 0);
    const int k = int(q.integer("k", 1, kMaxNearest, 4));
    const Image img = generating([&] { return model_.sprite(c.cls, seed, index, c.trunc); });
    return std::make_pair(nearest_->nearest(img, k), c);
  };
  s.Get("/api/nearest.png", guarded([nearest](const httplib::Request& req, httplib::Response& res) {
    auto [matches, c] = nearest(req);
    std::vector<Image> tiles;
    for (auto& m : matches) tiles.push_back(std::move(m.image));
    send_png(res, make_grid(export_all(std::move(tiles), c.art), int(tiles.size())));
  }));
  s.Get("/api/nearest.json", guarded([nearest](const httplib::Request& req, httplib::Response& res) {
    auto [matches, c] = nearest(req);
    nlohmann::json j = nlohmann::json::array();
    for (const auto& m : matches) j.push_back({{"species", m.species}, {"type", m.type}, {"distance", m.distance}});
    res.set_content(nlohmann::json{{"nearest", j}}.dump(), "application/json");
  }));
  s.set_error_handler([](const httplib::Request& req, httplib::Response& res) {
    if (res.status == 404 && res.body.empty()) send_error(res, 404, "no such page: " + Query::printable(req.path));
  });
}

}  // namespace pokegan::server
