// parse_server_url: the accepted forms and a clear error for each rejected one.
#include "liftoff/tooling/loadtest_url.h"

#include <gtest/gtest.h>

namespace liftoff::tooling {
namespace {

TEST(ServerUrl, HostPortPrefix) {
  auto u = parse_server_url("http://127.0.0.1:8080/v1");
  ASSERT_TRUE(u.ok()) << u.status().to_string();
  EXPECT_EQ(u->host, "127.0.0.1");
  EXPECT_EQ(u->port, 8080);
  EXPECT_EQ(u->path_prefix, "/v1");
  EXPECT_EQ(u->target("/completions"), "/v1/completions");
  EXPECT_EQ(u->host_header(), "127.0.0.1:8080");
  EXPECT_EQ(u->to_string(), "http://127.0.0.1:8080/v1");
}

TEST(ServerUrl, DefaultsAndTrailingSlashes) {
  auto u = parse_server_url("HTTP://localhost/");
  ASSERT_TRUE(u.ok());
  EXPECT_EQ(u->host, "localhost");
  EXPECT_EQ(u->port, 80);
  EXPECT_EQ(u->path_prefix, "");
  EXPECT_EQ(u->target("/models"), "/models");
  auto v = parse_server_url("http://h:1/a/v1//");
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(v->path_prefix, "/a/v1");
}

TEST(ServerUrl, Ipv6Literal) {
  auto u = parse_server_url("http://[::1]:9000/v1");
  ASSERT_TRUE(u.ok()) << u.status().to_string();
  EXPECT_EQ(u->host, "::1");
  EXPECT_EQ(u->port, 9000);
  EXPECT_EQ(u->host_header(), "[::1]:9000");
}

void expect_rejected(const char* url, const char* needle) {
  auto u = parse_server_url(url);
  ASSERT_FALSE(u.ok()) << url;
  EXPECT_EQ(u.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(u.status().message().find(needle), std::string::npos) << u.status().message();
}

TEST(ServerUrl, RejectsWhatItCannotTalkTo) {
  expect_rejected("https://api.example.com/v1", "https is not supported");
  expect_rejected("https://api.example.com/v1", "TLS-terminating proxy");
  expect_rejected("127.0.0.1:8080/v1", "no scheme");
  expect_rejected("ftp://host/v1", "scheme 'ftp'");
  expect_rejected("http:///v1", "no host");
  expect_rejected("http://host:0/v1", "port '0'");
  expect_rejected("http://host:65536/v1", "port '65536'");
  expect_rejected("http://host:80x/v1", "port '80x'");
  expect_rejected("http://host:/v1", "empty port");
  expect_rejected("http://user:pw@host/v1", "user info");
  expect_rejected("http://host/v1?x=1", "queries");
  expect_rejected("http://[::1/v1", "unterminated");
}

}  // namespace
}  // namespace liftoff::tooling
