// Joining a distributed run (distributed_rendezvous.h): the local address that reaches the
// master, the c10d TCPStore, every rank's registration with a clear error for the missing
// ones, the Gloo process group; c10d's own log lines are silenced while it connects.
#include "train/distributed_rendezvous.h"

#include <glog/logging.h>
#include <netdb.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <fstream>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>
#include <vector>

#include "train/distributed.h"

namespace musegen::train {

namespace {

using Clock = std::chrono::steady_clock;

std::string rank_prefix(const DistributedConfig& config) {
  return "rank " + std::to_string(config.rank) + ": ";
}

std::string seconds_text(double sec) {
  std::string text = std::to_string(sec);
  text.erase(text.find_last_not_of('0') + 1);
  if (!text.empty() && text.back() == '.') text.pop_back();
  return text + " s";
}

std::string endpoint(const DistributedConfig& config) {
  const bool v6 = config.master_addr.find(':') != std::string::npos;
  return (v6 ? "[" + config.master_addr + "]" : config.master_addr) + ":" +
         std::to_string(config.master_port);
}

bool contains(const std::string& text, const char* part) {
  return text.find(part) != std::string::npos;
}

std::chrono::milliseconds milliseconds(double sec) {
  return std::chrono::milliseconds(static_cast<std::int64_t>(sec * 1000));
}

// Gloo connects the ranks within the timeout its options give, and every collective then
// waits as long; joining may take longer than an exchange (ranks start at different moments),
// so the collectives' wait is set apart once the connections stand.
class GlooGroup : public c10d::ProcessGroupGloo {
 public:
  using ProcessGroupGloo::ProcessGroupGloo;
  void set_collective_timeout(std::chrono::milliseconds timeout) {
    for (auto& context : contexts_) context->setTimeout(timeout);
  }
};

// c10d logs connection retries and bind failures through glog on stderr; the errors below
// say the same in one line, so its messages are held back while connecting.
class QuietTorchLog {
 public:
  QuietTorchLog() {
    std::lock_guard<std::mutex> lock(mutex());
    if (depth()++ == 0) {
      saved() = FLAGS_minloglevel;
      FLAGS_minloglevel = google::GLOG_FATAL;
    }
  }
  ~QuietTorchLog() {
    std::lock_guard<std::mutex> lock(mutex());
    if (--depth() == 0) FLAGS_minloglevel = saved();
  }
  QuietTorchLog(const QuietTorchLog&) = delete;
  QuietTorchLog& operator=(const QuietTorchLog&) = delete;

 private:
  // Shared by every rendezvous in the process (tests run several ranks in threads).
  static std::mutex& mutex() {
    static std::mutex m;
    return m;
  }
  static int& depth() {
    static int n = 0;
    return n;
  }
  static int& saved() {
    static int level = 0;
    return level;
  }
};

// The numeric address of the local interface that routes to the master: a UDP "connect"
// sends nothing but makes the kernel choose the source address.
std::string local_address_towards(const DistributedConfig& config) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_DGRAM;
  addrinfo* found = nullptr;
  const int rc = getaddrinfo(config.master_addr.c_str(), std::to_string(config.master_port).c_str(),
                             &hints, &found);
  if (rc != 0)
    throw DistributedError(rank_prefix(config) + "cannot resolve the master address \"" +
                           config.master_addr + "\": " + gai_strerror(rc));
  std::string error = "no address";
  for (addrinfo* a = found; a != nullptr; a = a->ai_next) {
    const int fd = socket(a->ai_family, SOCK_DGRAM, 0);
    if (fd < 0) continue;
    sockaddr_storage local{};
    socklen_t length = sizeof local;
    char host[NI_MAXHOST] = {};
    if (connect(fd, a->ai_addr, a->ai_addrlen) != 0)
      error = std::strerror(errno);
    else if (getsockname(fd, reinterpret_cast<sockaddr*>(&local), &length) == 0 &&
             getnameinfo(reinterpret_cast<sockaddr*>(&local), length, host, sizeof host, nullptr, 0,
                         NI_NUMERICHOST) == 0) {
      close(fd);
      freeaddrinfo(found);
      return host;
    }
    close(fd);
  }
  freeaddrinfo(found);
  throw DistributedError(rank_prefix(config) + "no route to the master " + endpoint(config) + ": " +
                         error);
}

// Identifies the machine: ranks with the same kernel boot id share its cores.
std::string machine_id() {
  std::ifstream boot("/proc/sys/kernel/random/boot_id");
  std::string id;
  if (boot && std::getline(boot, id) && !id.empty()) return id;
  char host[256] = {};
  gethostname(host, sizeof host - 1);
  return host;
}

c10::intrusive_ptr<c10d::TCPStore> open_store(const DistributedConfig& config) {
  c10d::TCPStoreOptions options;
  options.port = static_cast<std::uint16_t>(config.master_port);
  options.isServer = config.rank == 0 && !config.agent_store;
  options.waitWorkers = false;  // registration below names the ranks that are missing
  options.timeout = milliseconds(config.join_timeout());
  try {
    return c10::make_intrusive<c10d::TCPStore>(config.master_addr, options);
  } catch (const std::exception& e) {
    const std::string what = short_message(e);
    if (options.isServer &&
        (contains(what, "bind") || contains(what, "listen") || contains(what, "in use")))
      throw DistributedError(rank_prefix(config) + "cannot listen on port " +
                             std::to_string(config.master_port) +
                             ": it is in use (another run or program holds it); choose a free "
                             "port with --master HOST:PORT or MASTER_PORT");
    if (contains(what, "timed out") || contains(what, "Timeout"))
      throw DistributedError(rank_prefix(config) + "cannot reach the master at " +
                             endpoint(config) + " within " + seconds_text(config.join_timeout()) +
                             ": is rank 0 running with this --master, and is the port open?");
    throw DistributedError(rank_prefix(config) + "cannot connect to the master at " +
                           endpoint(config) + ": " + what);
  }
}

std::string join_key(int rank) {
  return "musegen/rank/" + std::to_string(rank);
}

// Registers this rank and waits until all have. Returns every rank's registration.
std::vector<nlohmann::json> register_ranks(c10d::Store& store, const DistributedConfig& config,
                                           const nlohmann::json& mine) {
  if (store.add(join_key(config.rank) + "/claims", 1) > 1)
    throw DistributedError(rank_prefix(config) + "another process already joined as rank " +
                           std::to_string(config.rank) + ": give every process its own rank");
  const std::string text = mine.dump();
  store.set(join_key(config.rank), std::vector<std::uint8_t>(text.begin(), text.end()));
  std::vector<std::string> keys;
  for (int r = 0; r < config.world_size; ++r) keys.push_back(join_key(r));
  const auto start = Clock::now();
  while (!store.check(keys)) {
    if (std::chrono::duration<double>(Clock::now() - start).count() > config.join_timeout()) {
      std::string missing;
      int n_missing = 0;
      for (int r = 0; r < config.world_size; ++r)
        if (!store.check({join_key(r)})) {
          if (n_missing++ < 8)
            missing += (missing.empty() ? "rank " : ", rank ") + std::to_string(r);
        }
      if (n_missing > 8) missing += ", ...";
      throw DistributedError(rank_prefix(config) + "only " +
                             std::to_string(config.world_size - n_missing) + " of " +
                             std::to_string(config.world_size) + " ranks joined within " +
                             seconds_text(config.join_timeout()) + "; missing: " + missing +
                             " (start every rank with --master " + endpoint(config) +
                             " --world-size " + std::to_string(config.world_size) + ")");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  std::vector<nlohmann::json> all;
  for (int r = 0; r < config.world_size; ++r) {
    const std::vector<std::uint8_t> bytes = store.get(join_key(r));
    all.push_back(nlohmann::json::parse(std::string(bytes.begin(), bytes.end())));
    const int other = all.back().at("world_size").get<int>();
    if (other != config.world_size)
      throw DistributedError(rank_prefix(config) + "rank " + std::to_string(r) +
                             " was started with world size " + std::to_string(other) +
                             ", this rank with " + std::to_string(config.world_size));
  }
  return all;
}

c10::intrusive_ptr<c10d::ProcessGroupGloo> open_group(const c10::intrusive_ptr<c10d::Store>& store,
                                                      const DistributedConfig& config,
                                                      const std::string& local_address) {
  auto options = c10d::ProcessGroupGloo::Options::create(milliseconds(config.join_timeout()));
  const char* interface = std::getenv("GLOO_SOCKET_IFNAME");
  try {
    options->devices.push_back(
        interface != nullptr && *interface != '\0'
            ? c10d::ProcessGroupGloo::createDeviceForInterface(interface)
            : c10d::ProcessGroupGloo::createDeviceForHostname(local_address));
  } catch (const std::exception& e) {
    throw DistributedError(rank_prefix(config) + "cannot open a Gloo device on " +
                           (interface ? std::string("interface ") + interface : local_address) +
                           ": " + short_message(e));
  }
  options->threads = 2;  // collectives of different buckets may overlap
  try {
    auto group = c10::make_intrusive<GlooGroup>(store, config.rank, config.world_size, options);
    group->set_collective_timeout(milliseconds(config.timeout_sec));
    return group;
  } catch (const std::exception& e) {
    throw DistributedError(rank_prefix(config) +
                           "the ranks could not connect to each other within " +
                           seconds_text(config.join_timeout()) + " (" + short_message(e) +
                           "); check that every machine can reach the others on any port, or "
                           "set GLOO_SOCKET_IFNAME to the interface to use");
  }
}

}  // namespace

std::string short_message(const std::exception& error) {
  std::string text = error.what();
  text = text.substr(0, text.find('\n'));
  if (!text.empty() && text.front() == '[') {  // "[./gloo/transport/tcp/pair.cc:598] ..."
    const auto close = text.find("] ");
    if (close != std::string::npos) text = text.substr(close + 2);
  }
  return text;
}

std::string describe_failure(const DistributedConfig& config, const std::string& operation,
                             const std::exception& error) {
  const std::string detail = short_message(error);
  const std::string peer =
      config.world_size == 2 ? "rank " + std::to_string(1 - config.rank) : std::string("a rank");
  std::string what = detail;
  if (contains(detail, "imed out") || contains(detail, "Timeout"))
    what = peer + " did not answer within " + seconds_text(config.timeout_sec) +
           " (it is stuck, stopped or slower than --timeout allows)";
  else if (contains(detail, "losed") || contains(detail, "reset") ||
           contains(detail, "Broken pipe") || contains(detail, "refused"))
    what = peer + " closed its connection (its process exited or was killed)";
  return rank_prefix(config) + operation + " failed: " + what +
         (what == detail ? std::string() : " [" + detail + "]");
}

Rendezvous rendezvous(const DistributedConfig& config) {
  QuietTorchLog quiet;
  Rendezvous result;
  result.local_address = local_address_towards(config);
  // The prefix keeps the keys of torchrun's restart attempts (and of its agents) apart.
  result.store = c10::make_intrusive<c10d::PrefixStore>(
      "/musegen/attempt_" + std::to_string(config.attempt), open_store(config));
  const std::string machine = machine_id();
  std::vector<nlohmann::json> ranks;
  try {
    ranks = register_ranks(*result.store, config,
                           {{"world_size", config.world_size},
                            {"machine", machine},
                            {"address", result.local_address}});
  } catch (const DistributedError&) {
    throw;
  } catch (const std::exception& e) {
    // The store lives in rank 0 (or torchrun's agent): a broken connection means it is gone.
    throw DistributedError(rank_prefix(config) + "lost the connection to the master at " +
                           endpoint(config) + " while joining (" + short_message(e) +
                           "): rank 0 stopped; its own output says why");
  }
  result.local_world_size = 0;
  for (const auto& r : ranks) result.local_world_size += r.at("machine") == machine ? 1 : 0;
  result.group = open_group(result.store, config, result.local_address);
  return result;
}

}  // namespace musegen::train
