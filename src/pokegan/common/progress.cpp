#include "pokegan/common/progress.h"

#include <unistd.h>

#include <cstdio>

namespace pokegan {

Progress::Progress(std::string label, int64_t total, std::string unit, int64_t plain_every)
    : label_(std::move(label)),
      unit_(std::move(unit)),
      total_(total),
      plain_every_(plain_every > 0 ? plain_every : 1),
      tty_(::isatty(fileno(stderr))),
      start_(std::chrono::steady_clock::now()) {}

Progress::~Progress() {
  if (!finished_ && tty_ && !last_line_.empty()) std::fputc('\n', stderr);
}

std::string Progress::format_duration(double s) {
  if (!(s >= 0) || s > 1e7) return "?";
  char buf[32];
  const long t = static_cast<long>(s + 0.5);
  if (t >= 3600) std::snprintf(buf, sizeof buf, "%ldh%02ldm", t / 3600, (t % 3600) / 60);
  else if (t >= 60) std::snprintf(buf, sizeof buf, "%ldm%02lds", t / 60, t % 60);
  else std::snprintf(buf, sizeof buf, "%lds", t);
  return buf;
}

void Progress::update(int64_t done, const std::string& extra, double rate_items) {
  if (start_done_ < 0) {  // the first update (a resumed run starts mid-way) sets the rate's origin
    start_done_ = done;
    start_ = std::chrono::steady_clock::now();
  }
  ++updates_;
  const double elapsed =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  const double steps_per_s = elapsed > 0 ? (done - start_done_) / elapsed : 0;
  const double rate = rate_items >= 0 ? rate_items : steps_per_s;
  char head[160];
  if (total_ > 0) {
    const double eta = steps_per_s > 0 ? (total_ - done) / steps_per_s : -1;
    std::snprintf(head, sizeof head, "%s %lld/%lld (%3.0f%%) %.1f %s/s ETA %s", label_.c_str(),
                  static_cast<long long>(done), static_cast<long long>(total_),
                  100.0 * done / total_, rate, unit_.c_str(), format_duration(eta).c_str());
  } else {
    std::snprintf(head, sizeof head, "%s %lld %.1f %s/s", label_.c_str(),
                  static_cast<long long>(done), rate, unit_.c_str());
  }
  last_line_ = std::string(head) + (extra.empty() ? "" : "  " + extra);
  if (tty_) {
    std::fprintf(stderr, "\r\033[K%s", last_line_.c_str());
    std::fflush(stderr);
  } else if (updates_ % plain_every_ == 0) {
    std::fprintf(stderr, "%s\n", last_line_.c_str());
  }
}

void Progress::finish(const std::string& extra) {
  if (finished_) return;
  finished_ = true;
  const double elapsed =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  std::string line = last_line_.empty() ? label_ : last_line_;
  if (!extra.empty()) line += "  " + extra;
  line += "  [" + format_duration(elapsed) + "]";
  if (tty_) std::fprintf(stderr, "\r\033[K%s\n", line.c_str());
  else std::fprintf(stderr, "%s\n", line.c_str());
}

}  // namespace pokegan
