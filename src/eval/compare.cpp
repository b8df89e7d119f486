// Kernel density estimates on a grid, overlapping area and KL divergence, and the feature-by-
// feature comparison of a set of pieces with a reference set (Yang & Lerch 2018).
#include "eval/compare.h"

#include <algorithm>
#include <cmath>
#include <string>

#include "core/errors.h"

namespace musegen::eval {

namespace {

constexpr double kMassFloor = 1e-12;  // q's smallest mass per grid cell or bin in KL
constexpr double kGridPaddingBandwidths = 6;
constexpr double kMinBandwidthShareOfRange = 0.01;

void check_options(const KdeOptions& o) {
  if (o.grid_points < 16 || o.grid_points > 65536)
    throw ConfigError("kde.grid_points", "got " + std::to_string(o.grid_points), "16..65536");
  if (!std::isfinite(o.bandwidth) || o.bandwidth < 0)
    throw ConfigError("kde.bandwidth", "got " + std::to_string(o.bandwidth),
                      "0 (Scott's rule) or a positive number");
}

// Gaussian KDE as probability mass per grid cell (sums to 1): samples are spread linearly onto
// the two nearest grid points, then the grid is convolved with the kernel.
std::vector<double> kde_masses(std::span<const double> x, double lo, double dx, int n_grid,
                               double bandwidth) {
  std::vector<double> weights(n_grid, 0.0);
  for (double v : x) {
    const double pos = (v - lo) / dx;
    const int i = std::clamp(static_cast<int>(std::floor(pos)), 0, n_grid - 2);
    const double frac = std::clamp(pos - i, 0.0, 1.0);
    weights[i] += 1 - frac;
    weights[i + 1] += frac;
  }
  const int reach = std::min(n_grid - 1, static_cast<int>(std::ceil(8 * bandwidth / dx)));
  std::vector<double> kernel(reach + 1);
  for (int d = 0; d <= reach; ++d) {
    const double z = d * dx / bandwidth;
    kernel[d] = std::exp(-0.5 * z * z);
  }
  std::vector<double> mass(n_grid, 0.0);
  for (int i = 0; i < n_grid; ++i) {
    if (weights[i] == 0) continue;
    for (int j = std::max(0, i - reach); j <= std::min(n_grid - 1, i + reach); ++j)
      mass[j] += weights[i] * kernel[std::abs(i - j)];
  }
  double total = 0;
  for (double m : mass) total += m;
  for (double& m : mass) m /= total;
  return mass;
}

// OA and KL(P || Q) of two probability vectors of equal size.
DistributionDistance mass_distance(const std::vector<double>& p, const std::vector<double>& q) {
  DistributionDistance d;
  for (std::size_t i = 0; i < p.size(); ++i) {
    d.overlap_area += std::min(p[i], q[i]);
    if (p[i] > 0) d.kl_nats += p[i] * std::log(p[i] / std::max(q[i], kMassFloor));
  }
  d.overlap_area = std::min(d.overlap_area, 1.0);
  d.kl_nats = std::max(d.kl_nats, 0.0);
  return d;
}

}  // namespace

double scott_bandwidth(std::span<const double> x) {
  if (x.size() < 2) return 0;
  double mean = 0;
  for (double v : x) mean += v;
  mean /= static_cast<double>(x.size());
  double squares = 0;
  for (double v : x) squares += (v - mean) * (v - mean);
  const double sigma = std::sqrt(squares / static_cast<double>(x.size() - 1));
  return sigma * std::pow(static_cast<double>(x.size()), -0.2);
}

DistributionDistance kde_distance(std::span<const double> p, std::span<const double> q,
                                  const KdeOptions& options) {
  check_options(options);
  if (p.empty() || q.empty())
    throw ConfigError("kde", "a distribution needs at least one sample", "non-empty sets");
  double lo = p[0], hi = p[0];
  for (auto set : {p, q})
    for (double v : set) {
      if (!std::isfinite(v)) throw ConfigError("kde", "a sample is not finite", "finite values");
      lo = std::min(lo, v);
      hi = std::max(hi, v);
    }
  const double range = hi - lo;
  if (range == 0) return {1.0, 0.0};  // both sets are the same single value
  auto bandwidth = [&](std::span<const double> x) {
    if (options.bandwidth > 0) return options.bandwidth;
    return std::max(scott_bandwidth(x), kMinBandwidthShareOfRange * range);
  };
  const double hp = bandwidth(p), hq = bandwidth(q);
  const double pad = kGridPaddingBandwidths * std::max(hp, hq);
  const double grid_lo = lo - pad;
  const double dx = (range + 2 * pad) / (options.grid_points - 1);
  return mass_distance(kde_masses(p, grid_lo, dx, options.grid_points, hp),
                       kde_masses(q, grid_lo, dx, options.grid_points, hq));
}

DistributionDistance histogram_distance(std::span<const double> p_counts,
                                        std::span<const double> q_counts) {
  if (p_counts.size() != q_counts.size())
    throw ConfigError("histogram",
                      "sizes differ: " + std::to_string(p_counts.size()) + " and " +
                          std::to_string(q_counts.size()),
                      "histograms over the same bins");
  double tp = 0, tq = 0;
  for (double c : p_counts) tp += c;
  for (double c : q_counts) tq += c;
  if (tp <= 0 && tq <= 0) return {1.0, 0.0};
  std::vector<double> p(p_counts.size(), 0.0), q(q_counts.size(), 0.0);
  for (std::size_t i = 0; i < p.size(); ++i) {
    if (tp > 0) p[i] = p_counts[i] / tp;
    if (tq > 0) q[i] = q_counts[i] / tq;
  }
  return mass_distance(p, q);
}

namespace {

using Vectors = std::vector<std::vector<double>>;  // one feature vector per piece

double euclidean(const std::vector<double>& a, const std::vector<double>& b) {
  double s = 0;
  for (std::size_t i = 0; i < a.size() && i < b.size(); ++i) s += (a[i] - b[i]) * (a[i] - b[i]);
  return std::sqrt(s);
}

std::vector<double> intra_distances(const Vectors& a) {
  std::vector<double> out;
  out.reserve(a.size() * (a.size() - 1) / 2);
  for (std::size_t i = 0; i < a.size(); ++i)
    for (std::size_t j = i + 1; j < a.size(); ++j) out.push_back(euclidean(a[i], a[j]));
  return out;
}

std::vector<double> inter_distances(const Vectors& a, const Vectors& b) {
  std::vector<double> out;
  out.reserve(a.size() * b.size());
  for (const auto& x : a)
    for (const auto& y : b) out.push_back(euclidean(x, y));
  return out;
}

// Yang & Lerch's relative measures for one feature.
void add_relative(FeatureComparison& fc, const Vectors& a, const Vectors& b,
                  const KdeOptions& options) {
  const std::vector<double> inter = inter_distances(a, b);
  if (a.size() >= 2) fc.set_intra_vs_inter = kde_distance(intra_distances(a), inter, options);
  if (b.size() >= 2) fc.reference_intra_vs_inter = kde_distance(intra_distances(b), inter, options);
}

Vectors scalar_vectors(const std::vector<PieceMetrics>& set, std::size_t feature) {
  Vectors out;
  for (const auto& p : set) out.push_back({scalar_features(p).at(feature).second});
  return out;
}

Vectors histogram_vectors(const std::vector<PieceMetrics>& set, std::size_t feature) {
  Vectors out;
  for (const auto& p : set) out.push_back(histogram_features(p).at(feature).second->shares());
  return out;
}

std::vector<double> pooled_counts(const std::vector<PieceMetrics>& set, std::size_t feature) {
  std::vector<double> pooled;
  for (const auto& p : set) {
    const Histogram* h = histogram_features(p).at(feature).second;
    pooled.resize(h->counts.size(), 0.0);
    for (std::size_t i = 0; i < h->counts.size(); ++i) pooled[i] += h->counts[i];
  }
  return pooled;
}

std::vector<double> flatten(const Vectors& v) {
  std::vector<double> out;
  for (const auto& x : v) out.push_back(x.at(0));
  return out;
}

}  // namespace

SetComparison compare_sets(const std::vector<PieceMetrics>& pieces,
                           const std::vector<PieceMetrics>& reference, const KdeOptions& options) {
  check_options(options);
  if (pieces.empty()) throw ConfigError("pieces", "no piece to compare", "at least one piece");
  if (reference.empty()) throw ConfigError("reference", "no reference piece", "at least one piece");
  SetComparison c;
  c.n_pieces = pieces.size();
  c.n_reference_pieces = reference.size();
  const auto scalars = scalar_features(pieces[0]);
  for (std::size_t i = 0; i < scalars.size(); ++i) {
    FeatureComparison fc;
    fc.feature = scalars[i].first;
    const Vectors a = scalar_vectors(pieces, i), b = scalar_vectors(reference, i);
    fc.distribution = kde_distance(flatten(a), flatten(b), options);
    add_relative(fc, a, b, options);
    c.features.push_back(std::move(fc));
  }
  const auto histograms = histogram_features(pieces[0]);
  for (std::size_t i = 0; i < histograms.size(); ++i) {
    FeatureComparison fc;
    fc.feature = histograms[i].first;
    fc.histogram = true;
    fc.distribution = histogram_distance(pooled_counts(pieces, i), pooled_counts(reference, i));
    add_relative(fc, histogram_vectors(pieces, i), histogram_vectors(reference, i), options);
    c.features.push_back(std::move(fc));
  }
  double oa = 0, kl = 0, intra_oa = 0, intra_kl = 0;
  for (const auto& fc : c.features) {
    oa += fc.distribution.overlap_area;
    kl += fc.distribution.kl_nats;
    if (fc.set_intra_vs_inter) {
      intra_oa += fc.set_intra_vs_inter->overlap_area;
      intra_kl += fc.set_intra_vs_inter->kl_nats;
    }
  }
  const double n = static_cast<double>(c.features.size());
  c.mean_overlap_area = oa / n;
  c.mean_kl_nats = kl / n;
  if (pieces.size() >= 2) {
    c.mean_intra_inter_overlap_area = intra_oa / n;
    c.mean_intra_inter_kl_nats = intra_kl / n;
  }
  return c;
}

nlohmann::json to_json(const DistributionDistance& d) {
  return {{"overlap_area", d.overlap_area}, {"kl_nats", d.kl_nats}};
}

namespace {

nlohmann::json optional_json(const std::optional<DistributionDistance>& d) {
  return d ? to_json(*d) : nlohmann::json(nullptr);
}

nlohmann::json optional_json(const std::optional<double>& v) {
  return v ? nlohmann::json(*v) : nlohmann::json(nullptr);
}

}  // namespace

nlohmann::json to_json(const SetComparison& c) {
  nlohmann::json j;
  j["n_pieces"] = c.n_pieces;
  j["n_reference_pieces"] = c.n_reference_pieces;
  j["summary"] = {{"mean_overlap_area", c.mean_overlap_area},
                  {"mean_kl_nats", c.mean_kl_nats},
                  {"mean_intra_inter_overlap_area", optional_json(c.mean_intra_inter_overlap_area)},
                  {"mean_intra_inter_kl_nats", optional_json(c.mean_intra_inter_kl_nats)}};
  j["features"] = nlohmann::json::array();
  for (const auto& fc : c.features)
    j["features"].push_back(
        {{"feature", fc.feature},
         {"histogram", fc.histogram},
         {"overlap_area", fc.distribution.overlap_area},
         {"kl_nats", fc.distribution.kl_nats},
         {"set_intra_vs_inter", optional_json(fc.set_intra_vs_inter)},
         {"reference_intra_vs_inter", optional_json(fc.reference_intra_vs_inter)}});
  return j;
}

}  // namespace musegen::eval
