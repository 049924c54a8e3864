// ServerProcess: the real `liftoff serve` binary as a child process on 127.0.0.1 with --port 0.
// Reads the bound port from the startup line, polls /ready with a deadline, and on stop() sends
// SIGTERM and collects the exit status. stderr (the server's log) goes to a file tests can read.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace liftoff::testing {

class ServerProcess {
 public:
  // Starts `liftoff --log-level info serve -m <stories260K-f32> --host 127.0.0.1 --port 0 -t 1`
  // plus `extra_args`. Fails the current test (and leaves port() == 0) if it does not come up.
  explicit ServerProcess(std::vector<std::string> extra_args = {});
  ~ServerProcess();

  ServerProcess(const ServerProcess&) = delete;
  ServerProcess& operator=(const ServerProcess&) = delete;

  uint16_t port() const { return port_; }
  pid_t pid() const { return pid_; }
  // SIGTERM, then wait up to `timeout_s` (SIGKILL after). Returns the exit code, or -1 if the
  // process was killed by a signal or did not exit in time.
  int stop(int timeout_s = 30);
  // The server's log so far.
  std::string log() const;
  // True once the log contains `needle`, polled until the deadline.
  bool wait_for_log(const std::string& needle, int timeout_s = 30) const;

 private:
  pid_t pid_ = -1;
  uint16_t port_ = 0;
  std::filesystem::path log_path_;
};

std::filesystem::path stories_model();

}  // namespace liftoff::testing
