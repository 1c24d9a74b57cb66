// Progress reporting for long work (data preparation, training): step counts, rate, ETA and a few
// named values. On a terminal the line is redrawn in place; otherwise (CI logs, pipes) a plain line
// is printed every `plain_every` updates and at the end.
#pragma once
#include <chrono>
#include <cstdint>
#include <string>

namespace pokegan {

class Progress {
 public:
  // `total` may be 0 when unknown (no ETA then). `unit` names what `rate` counts ("img", "file").
  Progress(std::string label, int64_t total, std::string unit = "it", int64_t plain_every = 10);
  ~Progress();

  // `done` items finished so far; `items_per_step` converts steps into rate units; `extra` is shown after.
  void update(int64_t done, const std::string& extra = "", double rate_items = -1);
  void finish(const std::string& extra = "");

  static std::string format_duration(double seconds);  // "1h02m", "3m07s", "12s"

 private:
  std::string label_, unit_;
  int64_t total_, plain_every_, updates_ = 0, start_done_ = -1;
  bool tty_, finished_ = false;
  std::chrono::steady_clock::time_point start_;
  std::string last_line_;
};

}  // namespace pokegan
