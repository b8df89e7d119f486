// Internal to the train module: joining a distributed run (c10d TCPStore hosted by rank 0,
// registration of every rank, Gloo process group) and turning c10d/Gloo exceptions into
// one-line DistributedErrors. Includes the c10d headers; only distributed*.cpp include it.
#pragma once

#ifndef USE_C10D_GLOO
#define USE_C10D_GLOO  // ProcessGroupGloo.hpp declares nothing without it; Debian's libtorch has
                       // Gloo
#endif
#include <torch/csrc/distributed/c10d/PrefixStore.hpp>
#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#include <torch/csrc/distributed/c10d/TCPStore.hpp>

#include <exception>
#include <string>

#include "train/distributed_config.h"

namespace musegen::train {

struct Rendezvous {
  c10::intrusive_ptr<c10d::Store> store;  // the TCPStore under this run's key prefix
  c10::intrusive_ptr<c10d::ProcessGroupGloo> group;
  std::string local_address;  // where this rank's Gloo device listens
  int local_world_size = 1;   // ranks on this machine
};

// Joins the run; blocks at most config.timeout_sec. Throws DistributedError.
Rendezvous rendezvous(const DistributedConfig& config);

// The first line of a c10d/Gloo exception without its source-location prefix.
std::string short_message(const std::exception& error);

// "rank R: OPERATION failed: WHAT (detail)", WHAT naming the peer that timed out or left.
std::string describe_failure(const DistributedConfig& config, const std::string& operation,
                             const std::exception& error);

}  // namespace musegen::train
