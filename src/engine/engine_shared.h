// What the fast engines (LSTM, Transformer) share around the kernels: padded sizes, identity
// row and column maps for packing, running a kernel over a matrix's panels on the thread team,
// the checks of feed() and reorder() arguments, and moving rows for reorder(). Torch-free.
#pragma once

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <vector>

#include "core/errors.h"
#include "engine/thread_team.h"

namespace musegen::engine {

inline int round_up(int n, int block) {
  return (n + block - 1) / block * block;
}

// Packed index i -> source index offset + i for i < n, -1 (zeros) up to `padded`.
inline std::vector<int> identity_map(int n, int padded, int offset = 0) {
  std::vector<int> map(static_cast<std::size_t>(padded));
  for (int i = 0; i < padded; ++i) map[static_cast<std::size_t>(i)] = i < n ? offset + i : -1;
  return map;
}

// Phases with fewer multiply-adds than this run on the calling thread alone: waking the team
// costs more than it saves.
inline constexpr std::int64_t kMinParallelMacs = std::int64_t{1} << 21;

// Runs a kernel over all panels of a.w, shared by the team when the phase is big enough. About
// four chunks per member: a late member's share is taken by the others.
template <class Args, class Kernel>
void run_panels(ThreadTeam& team, const Args& a, Kernel kernel) {
  const int panels = a.w->panels();
  const int k_end = a.columns.k_end > 0 ? a.columns.k_end : a.w->cols;
  const std::int64_t macs =
      std::int64_t{a.w->rows} * (k_end - a.columns.k_begin) * std::int64_t{a.batch};
  if (team.size() == 1 || macs < kMinParallelMacs) {
    kernel(a, 0, panels);
    return;
  }
  const int chunk = std::max(1, panels / (4 * team.size()));
  team.run_chunks(panels, chunk, [&](int begin, int end) { kernel(a, begin, end); });
}

// Throws ConfigError (key "ids") unless ids holds batch x time ids, each in 0 .. vocab - 1.
inline void check_feed(std::span<const std::int32_t> ids, int batch, int time, int vocab) {
  if (time < 1 || ids.size() != static_cast<std::size_t>(batch) * static_cast<std::size_t>(time))
    throw ConfigError("ids", "expected batch x time ids", std::to_string(batch) + " x time");
  for (std::int32_t id : ids)
    if (id < 0 || id >= vocab)
      throw ConfigError("ids", "token id " + std::to_string(id) + " out of range",
                        "0.." + std::to_string(vocab - 1));
}

// Throws ConfigError (key "rows") unless source names one row in 0 .. batch - 1 per row.
inline void check_reorder(std::span<const int> source, int batch) {
  if (source.size() != static_cast<std::size_t>(batch))
    throw ConfigError("rows", "reorder needs one source row per row", std::to_string(batch));
  for (int r : source)
    if (r < 0 || r >= batch) throw ConfigError("rows", "source row out of range");
}

// Row r of `data` (rows of row_bytes) becomes row source[r], for every r.
inline void gather_rows(std::uint8_t* data, std::size_t row_bytes, std::span<const int> source) {
  std::vector<std::uint8_t> copy(data, data + row_bytes * source.size());
  for (std::size_t r = 0; r < source.size(); ++r)
    std::memcpy(data + r * row_bytes, copy.data() + static_cast<std::size_t>(source[r]) * row_bytes,
                row_bytes);
}

}  // namespace musegen::engine
