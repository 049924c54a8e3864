// URL parsing for the load generator: a deliberately small subset of RFC 3986 (what an
// OpenAI-compatible base URL looks like), with errors that say what to type instead.
#include "liftoff/tooling/loadtest_url.h"

#include <cctype>
#include <charconv>

namespace liftoff::tooling {
namespace {

constexpr std::string_view kExpected =
    "expected http://host:port/prefix, e.g. http://127.0.0.1:8080/v1";

Status bad_url(std::string_view url, std::string_view why) {
  return Status::invalid_argument("URL '" + std::string(url) + "': " + std::string(why) + "; " +
                                  std::string(kExpected));
}

}  // namespace

std::string ServerUrl::host_header() const {
  const bool ipv6 = host.find(':') != std::string::npos;
  return (ipv6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

Result<ServerUrl> parse_server_url(std::string_view url) {
  const size_t scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos) return bad_url(url, "no scheme");
  std::string scheme(url.substr(0, scheme_end));
  for (char& c : scheme) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (scheme == "https") {
    return Status::invalid_argument(
        "URL '" + std::string(url) +
        "': https is not supported; put a TLS-terminating proxy in front of the server or talk to "
        "its plain http port");
  }
  if (scheme != "http") return bad_url(url, "scheme '" + scheme + "' is not supported");

  std::string_view rest = url.substr(scheme_end + 3);
  if (rest.find_first_of("?#") != std::string_view::npos) {
    return bad_url(url, "queries and fragments are not supported");
  }
  const size_t path_start = rest.find('/');
  std::string_view authority = rest.substr(0, path_start);
  std::string_view path = path_start == std::string_view::npos ? "" : rest.substr(path_start);
  if (authority.find('@') != std::string_view::npos) {
    return bad_url(url, "user info is not supported (use --api-key)");
  }

  ServerUrl out;
  std::string_view port_text;
  if (!authority.empty() && authority.front() == '[') {  // IPv6 literal: [::1]:8080
    const size_t close = authority.find(']');
    if (close == std::string_view::npos) return bad_url(url, "unterminated '[' in the host");
    out.host = std::string(authority.substr(1, close - 1));
    std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return bad_url(url, "unexpected text after ']'");
      port_text = after.substr(1);
      if (port_text.empty()) return bad_url(url, "empty port");
    }
  } else {
    const size_t colon = authority.rfind(':');
    out.host = std::string(authority.substr(0, colon));
    if (colon != std::string_view::npos) {
      port_text = authority.substr(colon + 1);
      if (port_text.empty()) return bad_url(url, "empty port");
    }
  }
  if (out.host.empty()) return bad_url(url, "no host");
  if (!port_text.empty()) {
    unsigned port = 0;
    const auto [end, ec] =
        std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
    if (ec != std::errc() || end != port_text.data() + port_text.size() || port == 0 ||
        port > 65535) {
      return bad_url(url, "port '" + std::string(port_text) + "' is not a number in 1..65535");
    }
    out.port = static_cast<uint16_t>(port);
  }
  while (!path.empty() && path.back() == '/') path.remove_suffix(1);
  out.path_prefix = std::string(path);
  return out;
}

}  // namespace liftoff::tooling
