// The query of one studio request, parsed and checked: every parameter known to its endpoint and
// named once, numbers whole or finite and in range, flags 0/1. Anything else is a Refusal with the
// HTTP status and a one-line message naming the parameter and its valid range. Torch-free, so that
// fuzz/fuzz_query can drive it (with httplib's own query-string parser) under ASan and UBSan.
#pragma once
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <set>
#include <string>

namespace pokegan::server {

// A request the server refuses: 400 (bad input), 404 (feature off) or 503 (busy).
struct Refusal {
  int status;
  std::string message;
};

inline const std::set<std::string> kArtParams = {"type", "type2", "trunc", "scale", "palette", "transparent", "outline"};

// The query of one request: every parameter named once, all of them known to the endpoint.
class Query {
 public:
  // `params` as parsed from the query string (httplib::Params is this multimap).
  Query(const std::multimap<std::string, std::string>& params, std::set<std::string> allowed) {
    allowed.insert(kArtParams.begin(), kArtParams.end());
    for (const auto& [k, v] : params) {
      if (!allowed.count(k)) {
        std::string valid;
        for (const auto& a : allowed) valid += (valid.empty() ? "" : ", ") + a;
        throw Refusal{400, "unknown parameter '" + printable(k) + "' (valid: " + valid + ")"};
      }
      if (params.count(k) > 1) throw Refusal{400, "parameter '" + k + "' given more than once"};
      values_[k] = v;
    }
  }
  bool has(const std::string& k) const { return values_.count(k) > 0; }
  std::string str(const std::string& k, const std::string& def = "") const {
    auto it = values_.find(k);
    return it == values_.end() ? def : it->second;
  }
  uint64_t u64(const std::string& k, uint64_t def) const {
    if (!has(k)) return def;
    const std::string& s = values_.at(k);
    uint64_t v = 0;
    const auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (s.empty() || ec != std::errc() || p != s.data() + s.size())
      throw Refusal{400, k + " must be a whole number in 0..18446744073709551615, got '" + printable(s) + "'"};
    return v;
  }
  int64_t integer(const std::string& k, int64_t lo, int64_t hi, int64_t def) const {
    if (!has(k)) return def;
    const std::string& s = values_.at(k);
    int64_t v = 0;
    const auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (s.empty() || ec != std::errc() || p != s.data() + s.size() || v < lo || v > hi)
      throw Refusal{400, k + " must be a whole number in " + std::to_string(lo) + ".." + std::to_string(hi) + ", got '" +
                             printable(s) + "'"};
    return v;
  }
  double real(const std::string& k, double lo, double hi, double def) const {
    if (!has(k)) return def;
    const std::string& s = values_.at(k);
    char* end = nullptr;
    const double v = s.empty() ? NAN : std::strtod(s.c_str(), &end);
    if (s.empty() || end != s.c_str() + s.size() || !std::isfinite(v) || v < lo || v > hi) {
      char range[64];
      std::snprintf(range, sizeof range, "%g..%g", lo, hi);
      throw Refusal{400, k + " must be a number in " + range + ", got '" + printable(s) + "'"};
    }
    return v;
  }
  bool flag(const std::string& k) const {
    const std::string s = str(k, "0");
    if (s == "1" || s == "true" || s == "on") return true;
    if (s == "0" || s == "false" || s == "off") return false;
    throw Refusal{400, k + " must be 0 or 1, got '" + printable(s) + "'"};
  }
  // Request bytes in an error message: printable ASCII only, and not too long.
  static std::string printable(const std::string& s) {
    std::string out;
    for (char c : s.substr(0, 64)) out += (c >= 0x20 && c < 0x7f) ? c : '?';
    return s.size() > 64 ? out + "..." : out;
  }

 private:
  std::map<std::string, std::string> values_;
};

}  // namespace pokegan::server
