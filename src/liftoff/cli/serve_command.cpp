// `liftoff serve`: load a model, start the engine loop and the OpenAI-compatible HTTP server,
// print the bound address, and shut down gracefully on SIGINT/SIGTERM. Every option is declared
// once in kServeOptions (flag, env var, help, range); the CLI11 flags are generated from it.
#include <pthread.h>
#include <signal.h>

#include <algorithm>
#include <cstdio>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "liftoff/base/log.h"
#include "liftoff/base/thread_pool.h"
#include "liftoff/cli/commands.h"
#include "liftoff/cli/model_source.h"
#include "liftoff/engine/engine_loop.h"
#include "liftoff/server/server.h"

namespace liftoff::cli {
namespace {

constexpr int64_t kDefaultMaxContext = 4096;  // as `liftoff run` and llama.cpp cap the default

struct ServeSettings {
  std::string model;
  std::string tokenizer;
  int64_t threads = 0;  // compute threads; 0 = physical cores
  bool no_prefix_cache = false;
  server::ServerConfig server;
  engine::EngineConfig engine = [] {
    engine::EngineConfig c;
    c.n_ctx = 0;  // 0: the model's training context, at most kDefaultMaxContext
    return c;
  }();
};

// Where an option's value lives in ServeSettings.
template <typename T>
using Field = T& (*)(ServeSettings&);
using Target = std::variant<Field<std::string>, Field<int64_t>, Field<int32_t>, Field<uint64_t>,
                            Field<uint16_t>, Field<bool>>;

struct OptionSpec {
  const char* flags;  // CLI11 names, e.g. "-m,--model"
  const char* env;    // environment variable, nullptr if none
  const char* help;
  Target target;
  std::optional<CLI::Validator> check;
};

template <typename T>
CLI::Validator range(T lo, T hi) {
  return CLI::Range(lo, hi);
}

const std::vector<OptionSpec>& serve_options() {
  static const std::vector<OptionSpec> options = {
      {"-m,--model", nullptr,
       "GGUF file or llama2.c checkpoint (default: $LIFTOFF_MODEL, then the best model in "
       "$LIFTOFF_MODELS_DIR or ../shared/models)",
       +[](ServeSettings& s) -> std::string& { return s.model; }, std::nullopt},
      {"--tokenizer", nullptr, "llama2.c tokenizer .bin (llama2.c checkpoints only)",
       +[](ServeSettings& s) -> std::string& { return s.tokenizer; }, std::nullopt},
      {"--host", "LIFTOFF_SERVER_HOST", "address to listen on (IPv4 or IPv6)",
       +[](ServeSettings& s) -> std::string& { return s.server.host; }, std::nullopt},
      {"--port", "LIFTOFF_SERVER_PORT", "TCP port (0: any free port; the bound one is printed)",
       +[](ServeSettings& s) -> uint16_t& { return s.server.port; }, range<int>(0, 65535)},
      {"--alias", "LIFTOFF_SERVER_ALIAS", "model id clients use (default: the model file's stem)",
       +[](ServeSettings& s) -> std::string& { return s.server.alias; }, std::nullopt},
      {"--chat-template", "LIFTOFF_SERVER_CHAT_TEMPLATE",
       "chat template: a built-in name (chatml, llama2, llama3, mistral, zephyr, gemma, phi3) "
       "or Jinja source (default: the model's own, else detected from its special tokens)",
       +[](ServeSettings& s) -> std::string& { return s.server.chat_template; }, std::nullopt},
      {"--http-threads", "LIFTOFF_SERVER_HTTP_THREADS", "HTTP I/O threads",
       +[](ServeSettings& s) -> int32_t& { return s.server.http_threads; }, range<int32_t>(1, 256)},
      {"--max-body-bytes", "LIFTOFF_SERVER_MAX_BODY_BYTES",
       "largest request body; larger ones get 413",
       +[](ServeSettings& s) -> uint64_t& { return s.server.max_body_bytes; },
       range<uint64_t>(1024, uint64_t{1} << 32)},
      {"--idle-timeout", "LIFTOFF_SERVER_IDLE_TIMEOUT",
       "seconds a connection may sit idle (or a client may stall a write) before it is closed",
       +[](ServeSettings& s) -> int32_t& { return s.server.idle_timeout_s; },
       range<int32_t>(1, 86400)},
      {"--shutdown-timeout", "LIFTOFF_SERVER_SHUTDOWN_TIMEOUT",
       "on SIGINT/SIGTERM, seconds to let in-flight requests finish",
       +[](ServeSettings& s) -> int32_t& { return s.server.shutdown_timeout_s; },
       range<int32_t>(0, 3600)},
      {"-c,--ctx", "LIFTOFF_ENGINE_CTX",
       "context size per sequence in tokens (0: the model's, at most 4096)",
       +[](ServeSettings& s) -> int64_t& { return s.engine.n_ctx; },
       range<int64_t>(0, int64_t{1} << 20)},
      {"--parallel", "LIFTOFF_ENGINE_PARALLEL",
       "sequences decoded together; the KV cache holds this many full contexts unless "
       "--kv-blocks is given",
       +[](ServeSettings& s) -> int32_t& { return s.engine.max_running; }, range<int32_t>(1, 4096)},
      {"-b,--batch", "LIFTOFF_ENGINE_BATCH", "most tokens per forward pass (prefill chunk budget)",
       +[](ServeSettings& s) -> int64_t& { return s.engine.max_batch_tokens; },
       range<int64_t>(1, int64_t{1} << 16)},
      {"--kv-blocks", "LIFTOFF_ENGINE_KV_BLOCKS",
       "KV cache size in blocks of 16 tokens (0: parallel x ctx)",
       +[](ServeSettings& s) -> int64_t& { return s.engine.kv_blocks; },
       range<int64_t>(0, int64_t{1} << 26)},
      {"--max-queue", "LIFTOFF_ENGINE_MAX_QUEUE",
       "requests waiting for a slot; beyond this they get 503 + Retry-After",
       +[](ServeSettings& s) -> int32_t& { return s.engine.max_waiting; },
       range<int32_t>(1, 1 << 20)},
      {"--no-prefix-cache", "LIFTOFF_ENGINE_NO_PREFIX_CACHE",
       "do not reuse KV blocks across requests that share a prompt prefix",
       +[](ServeSettings& s) -> bool& { return s.no_prefix_cache; }, std::nullopt},
      {"-t,--threads", "LIFTOFF_ENGINE_THREADS", "compute threads (0: physical cores)",
       +[](ServeSettings& s) -> int64_t& { return s.threads; }, range<int64_t>(0, 1024)},
  };
  return options;
}

void add_options(CLI::App& cmd, ServeSettings& settings) {
  for (const OptionSpec& spec : serve_options()) {
    CLI::Option* opt = std::visit(
        [&](auto field) -> CLI::Option* {
          auto& value = field(settings);
          using T = std::remove_reference_t<decltype(value)>;
          if constexpr (std::is_same_v<T, bool>) {
            return cmd.add_flag(spec.flags, value, spec.help);
          } else {
            return cmd.add_option(spec.flags, value, spec.help)->capture_default_str();
          }
        },
        spec.target);
    if (spec.env != nullptr) opt->envname(spec.env);
    if (spec.check) opt->check(*spec.check);
  }
}

// Blocks SIGINT and SIGTERM in this thread and every thread started after it, so that only
// sigwait() below sees them.
sigset_t block_stop_signals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  signal(SIGPIPE, SIG_IGN);  // a client that hangs up is a write error, not a dead server
  return set;
}

std::string url_host(const std::string& host) {
  return host.find(':') != std::string::npos ? "[" + host + "]" : host;
}

int serve(ServeSettings s) {
  const sigset_t stop_signals = block_stop_signals();
  if (auto st = s.server.validate(); !st.is_ok()) return report_error("serve", st);
  auto loaded = load_model(s.model, s.tokenizer);
  if (!loaded.ok()) return report_error("serve", loaded.status());
  const auto& hp = loaded->model.hparams();
  if (s.engine.n_ctx == 0) s.engine.n_ctx = std::min<int64_t>(hp.n_ctx_train, kDefaultMaxContext);
  s.engine.prefix_caching = !s.no_prefix_cache;
  if (auto st = s.engine.validate(); !st.is_ok()) return report_error("serve", st);

  base::ThreadPool pool(static_cast<size_t>(s.threads));
  auto engine = engine::EngineLoop::start(loaded->model, loaded->tokenizer, pool, s.engine);
  if (!engine.ok()) return report_error("serve", engine.status());
  auto server = server::Server::start(s.server, loaded->path.stem().string(), loaded->tokenizer,
                                      std::move(*engine));
  if (!server.ok()) return report_error("serve", server.status());

  // Integration tests and scripts read the bound port from this line.
  std::printf("liftoff serve: listening on http://%s:%u\n", url_host(s.server.host).c_str(),
              static_cast<unsigned>((*server)->port()));
  std::fflush(stdout);

  int signal_number = 0;
  sigwait(&stop_signals, &signal_number);
  base::logger("server")->info("server.stopping signal={}", signal_number);
  (*server)->stop();
  return 0;
}

}  // namespace

void add_serve_command(CLI::App& app, int& exit_code) {
  auto settings = std::make_shared<ServeSettings>();
  CLI::App* cmd = app.add_subcommand("serve", "Serve a model over an OpenAI-compatible HTTP API");
  add_options(*cmd, *settings);
  cmd->callback([settings, &exit_code] { exit_code = serve(*settings); });
}

}  // namespace liftoff::cli
