// ServerProcess: fork/exec + the startup line + readiness polling.
#include "server_process.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <thread>

#include "http_client.h"
#include "test_data.h"

namespace liftoff::testing {
namespace {

using Clock = std::chrono::steady_clock;
constexpr int kStartTimeoutS = 60;
constexpr std::string_view kListening = "liftoff serve: listening on http://127.0.0.1:";

// Reads lines from `fd` until one starts with kListening; returns the port, 0 on timeout/EOF.
uint16_t read_port(int fd, Clock::time_point deadline) {
  std::string text;
  char buf[256];
  while (Clock::now() < deadline) {
    pollfd p{fd, POLLIN, 0};
    if (poll(&p, 1, 100) <= 0) continue;
    const ssize_t n = read(fd, buf, sizeof buf);
    if (n <= 0) return 0;
    text.append(buf, static_cast<size_t>(n));
    const size_t at = text.find(kListening);
    const size_t eol = at == std::string::npos ? at : text.find('\n', at);
    if (eol != std::string::npos) {
      return static_cast<uint16_t>(std::stoi(text.substr(at + kListening.size())));
    }
  }
  return 0;
}

}  // namespace

std::filesystem::path stories_model() { return models_dir() / "gguf" / "stories260K-f32.gguf"; }

ServerProcess::ServerProcess(std::vector<std::string> extra_args) {
  const auto model = stories_model();
  if (!std::filesystem::exists(model)) {
    ADD_FAILURE() << "missing test model " << model;
    return;
  }
  static int counter = 0;
  log_path_ =
      std::filesystem::temp_directory_path() /
      ("liftoff_serve_" + std::to_string(getpid()) + "_" + std::to_string(counter++) + ".log");
  std::vector<std::string> args = {
      LIFTOFF_BINARY, "--log-level", "info",   "serve", "-m", model.string(),
      "--host",       "127.0.0.1",   "--port", "0",     "-t", "1"};
  args.insert(args.end(), extra_args.begin(), extra_args.end());
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);

  int out[2];
  if (pipe(out) != 0) {
    ADD_FAILURE() << "pipe failed";
    return;
  }
  // fork + exec rather than posix_spawn, for PR_SET_PDEATHSIG: a crashed test binary must not
  // leave servers behind. Between fork and exec only async-signal-safe calls.
  const std::string log_path = log_path_.string();
  pid_ = fork();
  if (pid_ == 0) {
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    const int err = open(log_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    const int in = open("/dev/null", O_RDONLY);
    if (err < 0 || in < 0) _exit(127);
    dup2(out[1], STDOUT_FILENO);
    dup2(err, STDERR_FILENO);
    dup2(in, STDIN_FILENO);
    close(out[0]);
    close(out[1]);
    execv(argv[0], argv.data());
    _exit(127);
  }
  close(out[1]);
  if (pid_ < 0) {
    close(out[0]);
    ADD_FAILURE() << "cannot start " << LIFTOFF_BINARY;
    return;
  }
  const auto deadline = Clock::now() + std::chrono::seconds(kStartTimeoutS);
  port_ = read_port(out[0], deadline);
  close(out[0]);
  if (port_ == 0) {
    ADD_FAILURE() << "server did not print its port; log:\n" << log();
    return;
  }
  while (Clock::now() < deadline) {
    HttpClient client(port_);
    if (client.get("/ready").status == 200) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ADD_FAILURE() << "server never became ready; log:\n" << log();
  port_ = 0;
}

ServerProcess::~ServerProcess() {
  if (pid_ > 0) stop();
  std::error_code ec;
  if (!log_path_.empty()) std::filesystem::remove(log_path_, ec);
}

int ServerProcess::stop(int timeout_s) {
  if (pid_ <= 0) return -1;
  kill(pid_, SIGTERM);
  int status = 0;
  const auto deadline = Clock::now() + std::chrono::seconds(timeout_s);
  while (true) {
    const pid_t r = waitpid(pid_, &status, WNOHANG);
    if (r == pid_) break;
    if (Clock::now() > deadline) {
      kill(pid_, SIGKILL);
      waitpid(pid_, &status, 0);
      pid_ = -1;
      return -1;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  pid_ = -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

std::string ServerProcess::log() const { return read_file(log_path_); }

bool ServerProcess::wait_for_log(const std::string& needle, int timeout_s) const {
  const auto deadline = Clock::now() + std::chrono::seconds(timeout_s);
  while (Clock::now() < deadline) {
    if (log().find(needle) != std::string::npos) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return false;
}

}  // namespace liftoff::testing
