// Request ids: validation of client-sent ids and random generation.
#include "liftoff/server/http/request_id.h"

#include <random>

namespace liftoff::server::http {
namespace {

constexpr size_t kMaxIdLength = 128;

std::mt19937_64& thread_rng() {
  thread_local std::mt19937_64 rng{(static_cast<uint64_t>(std::random_device{}()) << 32) ^
                                   std::random_device{}()};
  return rng;
}

std::string random_from(std::string_view alphabet, size_t n) {
  std::string out(n, '0');
  std::uniform_int_distribution<size_t> pick(0, alphabet.size() - 1);
  for (char& c : out) c = alphabet[pick(thread_rng())];
  return out;
}

}  // namespace

bool is_well_formed_request_id(std::string_view id) {
  if (id.empty() || id.size() > kMaxIdLength) return false;
  for (char c : id) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '.' || c == '_' || c == ':' || c == '/' || c == '+' || c == '=' ||
                    c == '@' || c == '-';
    if (!ok) return false;
  }
  return true;
}

std::string request_id_for(std::string_view incoming) {
  if (is_well_formed_request_id(incoming)) return std::string(incoming);
  return random_from("0123456789abcdef", 32);
}

std::string random_alnum(size_t n) {
  return random_from("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789", n);
}

}  // namespace liftoff::server::http
