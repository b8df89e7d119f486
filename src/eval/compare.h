// Comparison of a set of pieces with a reference corpus, after Yang & Lerch, "On the
// evaluation of generative models in music" (2018): Gaussian kernel density estimates of each
// feature, then overlapping area (OA) and Kullback-Leibler divergence. See docs/metrics.md.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "eval/metrics.h"

namespace musegen::eval {

struct KdeOptions {
  int grid_points = 2048;  // evaluation grid, 16..65536
  // Kernel standard deviation in the samples' unit; 0: Scott's rule per sample set,
  // sigma * n^(-1/5) (sigma with ddof 1), floored at 1% of the pooled range of both sets.
  double bandwidth = 0;
};

// Scott's rule of thumb, sigma * n^(-1/5) with sigma the ddof-1 standard deviation (as
// scipy.stats.gaussian_kde); 0 for fewer than two samples.
double scott_bandwidth(std::span<const double> samples);

// OA is the integral of min(p, q), 0..1; KL(P || Q) is in nats, >= 0, with q floored at 1e-12
// per grid cell so disjoint distributions give a large finite value.
struct DistributionDistance {
  double overlap_area = 0;
  double kl_nats = 0;
};

// Densities of samples `p` and `q`, each a Gaussian KDE, evaluated on one common grid that
// covers both sets plus six bandwidths either side. Throws ConfigError (key "kde") when a set
// is empty or an option is out of range. Equal constant sets give OA 1, KL 0.
DistributionDistance kde_distance(std::span<const double> p, std::span<const double> q,
                                  const KdeOptions& options = {});

// OA = sum of min(p_i, q_i) and KL(P || Q) of two histograms after normalising each to sum 1.
// Two empty histograms: OA 1, KL 0; one empty: OA 0, KL 0 (P empty) or the floored value.
// Throws ConfigError (key "histogram") when the sizes differ.
DistributionDistance histogram_distance(std::span<const double> p_counts,
                                        std::span<const double> q_counts);

struct FeatureComparison {
  std::string feature;
  bool histogram = false;  // a histogram feature (vector per piece) or a scalar
  // Scalars: KDE of the per-piece values of the set vs the reference. Histograms: the pooled
  // histograms of the two sets compared bin by bin.
  DistributionDistance distribution;
  // Yang & Lerch's relative measure: KDE of the set's intra-set distances (Euclidean, between
  // pairs of its pieces) vs KDE of the inter-set distances (set x reference pieces); likewise
  // for the reference's intra-set distances. Absent when that set has fewer than 2 pieces.
  std::optional<DistributionDistance> set_intra_vs_inter;
  std::optional<DistributionDistance> reference_intra_vs_inter;
};

struct SetComparison {
  std::size_t n_pieces = 0, n_reference_pieces = 0;
  std::vector<FeatureComparison> features;  // scalar_features() then histogram_features()
  double mean_overlap_area = 0;             // over features, of `distribution`
  double mean_kl_nats = 0;
  std::optional<double> mean_intra_inter_overlap_area;  // of set_intra_vs_inter
  std::optional<double> mean_intra_inter_kl_nats;
};

// Throws ConfigError (key "pieces" / "reference") when either set is empty.
SetComparison compare_sets(const std::vector<PieceMetrics>& pieces,
                           const std::vector<PieceMetrics>& reference,
                           const KdeOptions& options = {});

nlohmann::json to_json(const DistributionDistance& d);
nlohmann::json to_json(const SetComparison& c);

}  // namespace musegen::eval
