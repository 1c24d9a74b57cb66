// The studio's HTTP query parsing: the input is a request's query string (what follows '?'). It goes
// through cpp-httplib's own parser (parse_query_text: splitting and percent-decoding, as the server
// does) and then through server::Query with every endpoint's parameter set, reading each parameter
// the way the endpoints do. Outside input either parses or is a Refusal (an HTTP 400 with one line);
// a Refusal must say something, be one line and not echo control bytes.
#include <httplib.h>

#include <cstdlib>

#include "server/query.h"

namespace {
void check(const pokegan::server::Refusal& r) {
  if (r.status != 400 || r.message.empty() || r.message.find('\n') != std::string::npos) std::abort();
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  httplib::Params params;
  httplib::detail::parse_query_text(text, params);
  using Set = std::set<std::string>;
  for (const Set& allowed : {Set{"seed", "index"}, Set{"seed", "count", "cols"}, Set{"seed", "index", "strength", "count"},
                             Set{"from", "to", "from_index", "to_index", "steps"}, Set{"seed", "index", "k"}}) {
    try {
      const pokegan::server::Query q(params, allowed);
      for (const char* k : {"seed", "from", "to"}) {
        try { q.u64(k, 0); } catch (const pokegan::server::Refusal& r) { check(r); }
      }
      for (const char* k : {"index", "count", "cols", "steps", "k", "scale", "palette"}) {
        try { q.integer(k, 0, 64, 1); } catch (const pokegan::server::Refusal& r) { check(r); }
      }
      for (const char* k : {"strength", "trunc"}) {
        try { q.real(k, 0.0, 1.0, 0.5); } catch (const pokegan::server::Refusal& r) { check(r); }
      }
      for (const char* k : {"transparent", "outline"}) {
        try { q.flag(k); } catch (const pokegan::server::Refusal& r) { check(r); }
      }
      (void)q.str("type");
    } catch (const pokegan::server::Refusal& r) {
      check(r);
    }
  }
  return 0;
}
