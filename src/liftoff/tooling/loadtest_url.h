// The server address `liftoff loadtest` talks to: http://host[:port][/prefix]. Parsing only; no
// name resolution and no I/O.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "liftoff/base/status.h"

namespace liftoff::tooling {

struct ServerUrl {
  std::string host;  // without IPv6 brackets: "127.0.0.1", "::1", "localhost"
  uint16_t port = 80;
  std::string path_prefix;  // "" or "/v1"; never ends with '/'

  // The Host header value: "host:port", IPv6 literals in brackets.
  std::string host_header() const;
  // prefix + suffix, e.g. "/v1" + "/completions".
  std::string target(std::string_view suffix) const { return path_prefix + std::string(suffix); }
  std::string to_string() const { return "http://" + host_header() + path_prefix; }
};

// Accepts http://host[:port][/path]; rejects https (no TLS client here), other schemes, user info,
// queries and fragments with a message that names the problem.
Result<ServerUrl> parse_server_url(std::string_view url);

}  // namespace liftoff::tooling
