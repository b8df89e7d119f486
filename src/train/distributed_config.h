// Where a distributed training process stands: world size, its rank, the master's address and
// the timeout, from command-line flags or the environment variables torchrun sets (WORLD_SIZE,
// RANK, MASTER_ADDR, MASTER_PORT). Torch-free, so the CLI parses it without LibTorch headers.
#pragma once

#include <functional>
#include <optional>
#include <string>

#include "data/corpus.h"
#include "model/config.h"

namespace musegen::train {

inline constexpr int kDefaultMasterPort = 29500;  // torchrun's and c10d's default

struct DistributedConfig {
  int world_size = 1;       // processes in all, >= 1; 1: no distribution
  int rank = 0;             // this process, 0 .. world_size - 1; rank 0 hosts the store
  std::string master_addr;  // host name or address of rank 0 (IPv6 without brackets)
  int master_port = 0;      // 1 .. 65535, where rank 0 listens
  double timeout_sec = 60;  // every collective: the longest wait for a rank that stops answering
  // Joining (the master's store, every rank's registration, the Gloo connections): ranks start
  // at different moments, so this may be longer than a collective's wait. 0: timeout_sec.
  double join_timeout_sec = 0;
  double join_timeout() const { return join_timeout_sec > 0 ? join_timeout_sec : timeout_sec; }
  // Under torchrun's static rendezvous its agent already hosts the store at the master's
  // address (TORCHELASTIC_USE_AGENT_STORE=True): every rank connects as a client, under the
  // key prefix of the agent's restart attempt (TORCHELASTIC_RESTART_COUNT).
  bool agent_store = false;
  int attempt = 0;
  bool distributed() const { return world_size > 1; }
};

// Values given on the command line; unset ones fall back to the environment.
struct DistributedFlags {
  std::optional<int> world_size;
  std::optional<int> rank;
  std::optional<std::string> master;  // "HOST:PORT", "HOST" (port 29500) or "[IPV6]:PORT"
  std::optional<double> timeout_sec;
  std::optional<double> join_timeout_sec;
};

// Reads an environment variable; nullopt when unset or empty.
using EnvLookup = std::function<std::optional<std::string>(const std::string& name)>;
EnvLookup process_environment();

// Flags first, then WORLD_SIZE, RANK, MASTER_ADDR, MASTER_PORT (and torchrun's
// TORCHELASTIC_USE_AGENT_STORE, TORCHELASTIC_RESTART_COUNT). Without a world size (or with
// 1) the run is a single process and the other settings are not required. Throws ConfigError
// naming the flag and variable: a value that is not a number, a rank outside 0 .. N-1, a
// missing rank or master for N > 1, a port outside 1..65535, a timeout (--timeout,
// --join-timeout) <= 0 or over a day.
DistributedConfig resolve_distributed_config(const DistributedFlags& flags,
                                             const EnvLookup& environment);

// "HOST:PORT", "[IPV6]:PORT", or "HOST" alone (port `default_port`). Throws ConfigError (key
// "--master") for an empty host or a port that is not 1..65535.
std::pair<std::string, int> parse_host_port(const std::string& text, int default_port);

// What every rank must hold alike before training, as text to compare: the preset without the
// per-machine keys (threads, max_minutes), and a 16-hex-digit FNV-1a digest of the corpus
// (tokenizer, vocabulary, every file's path, transposition and ids, both parts).
std::string preset_fingerprint(const model::Preset& preset);
std::string corpus_fingerprint(const data::Corpus& corpus);

}  // namespace musegen::train
