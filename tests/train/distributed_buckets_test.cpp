// Gradient buckets: layout (reverse parameter order, size cap, one dtype), launches strictly
// in bucket order as gradients arrive, and the averages written back in place.
#include "train/distributed_buckets.h"

#include "core/errors.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

namespace musegen::train {
namespace {

std::vector<at::Tensor> parameters_of_sizes(const std::vector<std::int64_t>& sizes) {
  std::vector<at::Tensor> out;
  for (std::int64_t n : sizes) out.push_back(torch::zeros({n}));
  return out;
}

TEST(DistributedBuckets, ReverseOrderUnderTheSizeCap) {
  // float32: 100 elements = 400 bytes; cap 1000 bytes.
  GradientBuckets buckets(parameters_of_sizes({100, 100, 300, 100, 100}), 1000);
  ASSERT_EQ(buckets.n_buckets(), 3u);
  EXPECT_EQ(buckets.members(0), (std::vector<std::size_t>{4, 3}));
  EXPECT_EQ(buckets.members(1), (std::vector<std::size_t>{2}));  // 1200 bytes: alone
  EXPECT_EQ(buckets.members(2), (std::vector<std::size_t>{1, 0}));
  EXPECT_EQ(buckets.total_bytes(), 700 * 4);
  EXPECT_EQ(buckets.bucket_of(3), 0u);
}

TEST(DistributedBuckets, ADtypeChangeStartsABucket) {
  std::vector<at::Tensor> params = {torch::zeros({2}), torch::zeros({2}, torch::kDouble)};
  GradientBuckets buckets(params, 1 << 20);
  EXPECT_EQ(buckets.n_buckets(), 2u);
}

TEST(DistributedBuckets, LaunchesInBucketOrderOnlyWhenComplete) {
  std::vector<at::Tensor> params = parameters_of_sizes({1, 1, 1, 1});
  GradientBuckets buckets(params, 8);  // buckets {3,2} {1,0}
  std::vector<std::size_t> launched;
  auto launch = [&](std::size_t b, at::Tensor& flat) {
    launched.push_back(b);
    flat.mul_(2);  // as if two ranks held the same gradient
  };
  // Bucket 1 completes first but must wait for bucket 0.
  buckets.mark_ready(1, torch::full({1}, 1.0f), launch);
  buckets.mark_ready(0, torch::full({1}, 0.5f), launch);
  EXPECT_TRUE(launched.empty());
  buckets.mark_ready(3, torch::full({1}, 3.0f), launch);
  EXPECT_TRUE(launched.empty());
  buckets.mark_ready(2, torch::full({1}, 2.0f), launch);
  EXPECT_EQ(launched, (std::vector<std::size_t>{0, 1}));
  std::vector<at::Tensor> grads = {torch::full({1}, -1.0f), torch::full({1}, -1.0f),
                                   torch::full({1}, -1.0f), torch::full({1}, -1.0f)};
  std::vector<std::size_t> waited;
  buckets.finish(grads, 2, launch, [&](std::size_t b) { waited.push_back(b); });
  EXPECT_EQ(waited, (std::vector<std::size_t>{0, 1}));
  EXPECT_EQ(buckets.launched_early(), 2u);
  // The hooked values were used, not the stale ones in `grads`: (2 * g) / 2 == g.
  EXPECT_FLOAT_EQ(grads[0].item<float>(), 0.5f);
  EXPECT_FLOAT_EQ(grads[1].item<float>(), 1.0f);
  EXPECT_FLOAT_EQ(grads[2].item<float>(), 2.0f);
  EXPECT_FLOAT_EQ(grads[3].item<float>(), 3.0f);
}

TEST(DistributedBuckets, FinishFillsWhatNoHookDeliveredAndResets) {
  std::vector<at::Tensor> params = {torch::zeros({2, 3}), torch::zeros({4})};
  GradientBuckets buckets(params, 1 << 20);
  auto launch = [](std::size_t, at::Tensor& flat) { flat.mul_(4); };  // four equal ranks
  for (int step = 0; step < 2; ++step) {
    buckets.mark_ready(1, torch::arange(4).to(torch::kFloat) * (step + 1), launch);
    std::vector<at::Tensor> grads = {torch::ones({2, 3}) * 7, torch::zeros({4})};
    const at::Tensor storage = grads[0];
    buckets.finish(grads, 4, launch, [](std::size_t) {});
    EXPECT_TRUE(grads[0].is_same(storage));  // written in place
    EXPECT_TRUE(torch::equal(grads[0], torch::ones({2, 3}) * 7));
    EXPECT_TRUE(torch::equal(grads[1], torch::arange(4).to(torch::kFloat) * (step + 1)));
    EXPECT_EQ(buckets.launched_early(), 0u);  // its only bucket waited for parameter 0
  }
}

TEST(DistributedBuckets, RejectsWrongGradients) {
  GradientBuckets buckets(parameters_of_sizes({3}), 1 << 20);
  std::vector<at::Tensor> wrong_size = {torch::zeros({4})};
  auto launch = [](std::size_t, at::Tensor&) {};
  EXPECT_THROW(buckets.finish(wrong_size, 2, launch, [](std::size_t) {}), Error);
  std::vector<at::Tensor> undefined(1);
  EXPECT_THROW(buckets.finish(undefined, 2, launch, [](std::size_t) {}), Error);
  EXPECT_THROW(GradientBuckets({}, 1), Error);
}

}  // namespace
}  // namespace musegen::train
