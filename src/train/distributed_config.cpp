// Distributed settings from flags and torchrun's environment variables (distributed_config.h).
#include "train/distributed_config.h"

#include <cstdio>
#include <cstdlib>
#include <limits>

#include "core/errors.h"

namespace musegen::train {

namespace {

// A whole number in [min, max] from `text`, else ConfigError naming `key`.
long parse_int(const std::string& text, const std::string& key, long min, long max) {
  std::size_t used = 0;
  long value = 0;
  try {
    value = std::stol(text, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used == 0 || used != text.size() || value < min || value > max)
    throw ConfigError(key, "\"" + text + "\" is not a whole number in range",
                      std::to_string(min) + " .. " + std::to_string(max));
  return value;
}

struct Fnv1a {
  std::uint64_t hash = 0xcbf29ce484222325ULL;
  void add(const void* data, std::size_t size) {
    const auto* bytes = static_cast<const unsigned char*>(data);
    for (std::size_t i = 0; i < size; ++i) {
      hash ^= bytes[i];
      hash *= 0x100000001b3ULL;
    }
  }
  void add(const std::string& text) {
    const std::uint64_t size = text.size();  // length first: "ab"+"c" differs from "a"+"bc"
    add(&size, sizeof size);
    add(text.data(), text.size());
  }
};

int port_of(const std::string& text, const std::string& key) {
  return static_cast<int>(parse_int(text, key, 1, 65535));
}

// A timeout flag's value, or `fallback` when it was not given.
double seconds_of(const std::optional<double>& flag, const std::string& key, double fallback) {
  if (!flag) return fallback;
  if (!(*flag > 0) || *flag > 86400)
    throw ConfigError(key, "must be a positive number of seconds", "0 < s <= 86400");
  return *flag;
}

}  // namespace

EnvLookup process_environment() {
  return [](const std::string& name) -> std::optional<std::string> {
    const char* value = std::getenv(name.c_str());
    if (value == nullptr || *value == '\0') return std::nullopt;
    return std::string(value);
  };
}

std::pair<std::string, int> parse_host_port(const std::string& text, int default_port) {
  std::string host = text;
  std::string port;
  if (!text.empty() && text.front() == '[') {  // [IPv6]:port
    const auto close = text.find(']');
    if (close == std::string::npos)
      throw ConfigError("--master", "\"" + text + "\" lacks the closing ]", "[ADDRESS]:PORT");
    host = text.substr(1, close - 1);
    if (close + 1 < text.size()) {
      if (text[close + 1] != ':')
        throw ConfigError("--master", "\"" + text + "\": expected : after ]", "[ADDRESS]:PORT");
      port = text.substr(close + 2);
      if (port.empty())
        throw ConfigError("--master", "\"" + text + "\" ends in : without a port",
                          "[ADDRESS]:PORT");
    }
  } else if (const auto colon = text.rfind(':'); colon != std::string::npos) {
    if (text.find(':') != colon)  // a bare IPv6 address: no port
      host = text;
    else {
      host = text.substr(0, colon);
      port = text.substr(colon + 1);
      if (port.empty())
        throw ConfigError("--master", "\"" + text + "\" ends in : without a port",
                          "HOST:PORT, e.g. 10.0.0.1:29500");
    }
  }
  if (host.empty())
    throw ConfigError("--master", "\"" + text + "\" names no host",
                      "HOST:PORT, e.g. 10.0.0.1:29500");
  return {host, port.empty() ? default_port : port_of(port, "--master")};
}

DistributedConfig resolve_distributed_config(const DistributedFlags& flags,
                                             const EnvLookup& environment) {
  DistributedConfig config;
  constexpr long kMaxRanks = 65536;
  if (flags.world_size)
    config.world_size = static_cast<int>(
        parse_int(std::to_string(*flags.world_size), "--world-size", 1, kMaxRanks));
  else if (auto env = environment("WORLD_SIZE"))
    config.world_size = static_cast<int>(parse_int(*env, "WORLD_SIZE", 1, kMaxRanks));
  config.timeout_sec = seconds_of(flags.timeout_sec, "--timeout", config.timeout_sec);
  config.join_timeout_sec = seconds_of(flags.join_timeout_sec, "--join-timeout", 0);
  std::optional<std::string> rank_text =
      flags.rank ? std::optional<std::string>(std::to_string(*flags.rank)) : environment("RANK");
  const std::string rank_key = flags.rank ? "--rank" : "RANK";
  if (rank_text)
    config.rank =
        static_cast<int>(parse_int(*rank_text, rank_key, 0, std::max(0, config.world_size - 1)));
  if (!config.distributed()) return config;
  config.agent_store = environment("TORCHELASTIC_USE_AGENT_STORE") == std::string("True");
  if (auto attempt = environment("TORCHELASTIC_RESTART_COUNT"))
    config.attempt =
        static_cast<int>(parse_int(*attempt, "TORCHELASTIC_RESTART_COUNT", 0, 1 << 30));
  if (!rank_text)
    throw ConfigError("--rank",
                      "a run of " + std::to_string(config.world_size) +
                          " processes needs each one's rank (--rank or RANK)",
                      "0 .. " + std::to_string(config.world_size - 1));
  if (flags.master) {
    std::tie(config.master_addr, config.master_port) =
        parse_host_port(*flags.master, kDefaultMasterPort);
  } else if (auto addr = environment("MASTER_ADDR")) {
    config.master_addr = *addr;
    auto port = environment("MASTER_PORT");
    config.master_port = port ? port_of(*port, "MASTER_PORT") : kDefaultMasterPort;
  } else {
    throw ConfigError("--master",
                      "a run of " + std::to_string(config.world_size) +
                          " processes needs rank 0's address (--master or MASTER_ADDR)",
                      "HOST:PORT, e.g. 127.0.0.1:29500");
  }
  return config;
}

std::string preset_fingerprint(const model::Preset& preset) {
  nlohmann::json train = preset.train.to_json();
  train.erase("threads");
  train.erase("max_minutes");
  return nlohmann::json{{"name", preset.name}, {"model", preset.model.to_json()}, {"train", train}}
      .dump();
}

std::string corpus_fingerprint(const data::Corpus& corpus) {
  Fnv1a fnv;
  fnv.add(corpus.tokenizer_config.dump());
  fnv.add(corpus.vocabulary.to_json(corpus.tokenizer_config).dump());
  for (const auto* part : {&corpus.train, &corpus.valid}) {
    const std::uint64_t n_files = part->size();
    fnv.add(&n_files, sizeof n_files);
    for (const data::TokenizedFile& file : *part) {
      fnv.add(file.path);
      fnv.add(&file.transpose, sizeof file.transpose);
      const std::uint64_t n_ids = file.ids.size();
      fnv.add(&n_ids, sizeof n_ids);
      fnv.add(file.ids.data(), file.ids.size() * sizeof(std::int32_t));
    }
  }
  char text[17];
  std::snprintf(text, sizeof text, "%016llx", static_cast<unsigned long long>(fnv.hash));
  return text;
}

}  // namespace musegen::train
