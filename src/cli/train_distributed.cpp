// The distributed side of `musegen train` (see train_distributed.h).
#include "cli/train_distributed.h"

#include <algorithm>
#include <exception>
#include <vector>

#include "core/decimal.h"
#include "core/errors.h"
#include "core/file_io.h"
#include "train/trainer.h"

namespace musegen::cli {

model::Checkpoint load_resume_checkpoint(const std::filesystem::path& out,
                                         train::DistributedSync* dist) {
  const auto last = train::last_checkpoint_path(out);
  std::string message;  // "K" + the file's bytes, or "E" + why rank 0 could not read it
  std::exception_ptr failure;
  if (!dist || dist->rank() == 0) {
    try {
      if (!std::filesystem::exists(last))
        throw IoError(last.string(), "no checkpoint to resume (run without --resume to start)");
      if (!dist) return model::load_checkpoint(last);
      const std::vector<std::uint8_t> bytes = read_file_bytes(last);
      message.reserve(bytes.size() + 1);
      message.push_back('K');
      message.append(bytes.begin(), bytes.end());
    } catch (const Error& e) {
      if (!dist) throw;
      failure = std::current_exception();
      message = std::string("E") + e.what();
    }
  }
  dist->broadcast_bytes(message);
  if (failure) std::rethrow_exception(failure);
  if (message.empty() || message.front() != 'K')
    throw IoError(last.string(), "rank 0 cannot resume: " +
                                     message.substr(std::min<std::size_t>(1, message.size())));
  return model::checkpoint_from_bytes(message.substr(1), last.string());
}

nlohmann::json distributed_json(const train::DistributedSync& dist) {
  const train::CommStats s = dist.stats();
  const double steps = static_cast<double>(std::max<std::int64_t>(1, s.steps));
  return {{"world_size", dist.world_size()},
          {"rank", dist.rank()},
          {"local_world_size", dist.local_world_size()},
          {"weights_digest", dist.parameters_digest()},
          {"gradient_bytes_per_step", s.gradient_bytes},
          {"buckets", s.n_buckets},
          {"buckets_launched_in_backward", s.buckets_early},
          {"allreduce_wait_ms_per_step", 1000 * s.average_sec / steps},
          {"sum_calls", s.n_sums},
          {"sum_ms", 1000 * s.sum_sec},
          {"connect_sec", s.connect_sec}};
}

std::string distributed_text(const train::DistributedSync& dist) {
  const nlohmann::json j = distributed_json(dist);
  return "distributed: rank " + std::to_string(dist.rank()) + " of " +
         std::to_string(dist.world_size()) + ", weights identical on every rank (digest " +
         j["weights_digest"].get<std::string>() + "), " +
         short_decimal(j["gradient_bytes_per_step"].get<double>() / 1e6, 2) +
         " MB of gradients in " + j["buckets"].dump() + " bucket(s) per step, " +
         short_decimal(j["allreduce_wait_ms_per_step"].get<double>(), 2) +
         " ms per step waiting for the all-reduce\n";
}

}  // namespace musegen::cli
