// Distributed settings from flags and torchrun's environment variables, and HOST:PORT parsing.
#include "train/distributed_config.h"

#include <gtest/gtest.h>

#include <map>

#include "core/errors.h"

namespace musegen::train {
namespace {

EnvLookup env_of(std::map<std::string, std::string> values) {
  return [values](const std::string& name) -> std::optional<std::string> {
    auto it = values.find(name);
    if (it == values.end()) return std::nullopt;
    return it->second;
  };
}

TEST(DistributedConfig, NothingGivenIsOneProcess) {
  DistributedConfig c = resolve_distributed_config({}, env_of({}));
  EXPECT_EQ(c.world_size, 1);
  EXPECT_EQ(c.rank, 0);
  EXPECT_FALSE(c.distributed());
  EXPECT_DOUBLE_EQ(c.timeout_sec, 60);
  EXPECT_DOUBLE_EQ(c.join_timeout(), 60);
}

TEST(DistributedConfig, TorchrunEnvironment) {
  DistributedConfig c = resolve_distributed_config({}, env_of({{"WORLD_SIZE", "4"},
                                                               {"RANK", "3"},
                                                               {"MASTER_ADDR", "node1"},
                                                               {"MASTER_PORT", "29611"}}));
  EXPECT_TRUE(c.distributed());
  EXPECT_EQ(c.world_size, 4);
  EXPECT_EQ(c.rank, 3);
  EXPECT_EQ(c.master_addr, "node1");
  EXPECT_EQ(c.master_port, 29611);
}

TEST(DistributedConfig, FlagsOverrideTheEnvironmentAndPortDefaultsTo29500) {
  DistributedFlags flags;
  flags.world_size = 2;
  flags.rank = 1;
  flags.master = "10.0.0.7";
  flags.timeout_sec = 5;
  DistributedConfig c = resolve_distributed_config(
      flags, env_of({{"WORLD_SIZE", "8"}, {"RANK", "5"}, {"MASTER_ADDR", "x"}}));
  EXPECT_EQ(c.world_size, 2);
  EXPECT_EQ(c.rank, 1);
  EXPECT_EQ(c.master_addr, "10.0.0.7");
  EXPECT_EQ(c.master_port, kDefaultMasterPort);
  EXPECT_DOUBLE_EQ(c.timeout_sec, 5);
  EXPECT_DOUBLE_EQ(c.join_timeout(), 5);  // joining waits as long unless told otherwise
  flags.join_timeout_sec = 300;
  c = resolve_distributed_config(flags, env_of({}));
  EXPECT_DOUBLE_EQ(c.timeout_sec, 5);
  EXPECT_DOUBLE_EQ(c.join_timeout(), 300);
}

TEST(DistributedConfig, HostPortForms) {
  EXPECT_EQ(parse_host_port("127.0.0.1:1234", 1), std::make_pair(std::string("127.0.0.1"), 1234));
  EXPECT_EQ(parse_host_port("host.example", 29500),
            std::make_pair(std::string("host.example"), 29500));
  EXPECT_EQ(parse_host_port("[::1]:8080", 1), std::make_pair(std::string("::1"), 8080));
  EXPECT_EQ(parse_host_port("[fe80::2]", 7), std::make_pair(std::string("fe80::2"), 7));
  EXPECT_EQ(parse_host_port("fe80::2", 7), std::make_pair(std::string("fe80::2"), 7));
  for (const char* bad : {":80", "h:0", "h:65536", "h:x", "h:", "[::1", "[::1]x", ""})
    EXPECT_THROW(parse_host_port(bad, 1), ConfigError) << bad;
}

// Each bad setting names the flag or variable it came from.
TEST(DistributedConfig, ErrorsNameTheSetting) {
  struct Case {
    DistributedFlags flags;
    std::map<std::string, std::string> env;
    std::string key;
  };
  DistributedFlags rank_only;
  rank_only.rank = 1;
  DistributedFlags bad_timeout;
  bad_timeout.timeout_sec = 0;
  DistributedFlags bad_join;
  bad_join.join_timeout_sec = -1;
  DistributedFlags two;
  two.world_size = 2;
  DistributedFlags two_rank;
  two_rank.world_size = 2;
  two_rank.rank = 2;
  const std::vector<Case> cases = {
      {{}, {{"WORLD_SIZE", "two"}}, "WORLD_SIZE"},
      {{}, {{"WORLD_SIZE", "0"}}, "WORLD_SIZE"},
      {{}, {{"WORLD_SIZE", "2"}, {"RANK", "2"}, {"MASTER_ADDR", "h"}}, "RANK"},
      {{}, {{"WORLD_SIZE", "2"}, {"RANK", "-1"}, {"MASTER_ADDR", "h"}}, "RANK"},
      {{},
       {{"WORLD_SIZE", "2"}, {"RANK", "0"}, {"MASTER_ADDR", "h"}, {"MASTER_PORT", "99999"}},
       "MASTER_PORT"},
      {{}, {{"WORLD_SIZE", "2"}, {"RANK", "0"}}, "--master"},
      {two, {{"MASTER_ADDR", "h"}}, "--rank"},
      {two_rank, {{"MASTER_ADDR", "h"}}, "--rank"},
      {rank_only, {}, "--rank"},
      {bad_timeout, {}, "--timeout"},
      {bad_join, {}, "--join-timeout"},
  };
  for (const Case& c : cases) {
    try {
      resolve_distributed_config(c.flags, env_of(c.env));
      ADD_FAILURE() << "no error, expected one naming " << c.key;
    } catch (const ConfigError& e) {
      EXPECT_EQ(e.key(), c.key) << e.what();
    }
  }
}

}  // namespace
}  // namespace musegen::train
