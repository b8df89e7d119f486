// Key, range and repetition steering over "p:N" tokens, and the steering chain.
#include "generate/pitch_steering.h"

#include <algorithm>
#include <limits>

#include "core/errors.h"
#include "tokenize/token_utils.h"

namespace musegen::generate {

namespace {

constexpr float kNever = -std::numeric_limits<float>::infinity();
constexpr std::size_t kNgramHistory = 64;

}  // namespace

PitchSteering::PitchSteering(const tokenize::Vocabulary& vocabulary, PitchRequest request)
    : request_(std::move(request)) {
  bool any = false;
  for (std::size_t id = 0; id < vocabulary.size(); ++id) {
    int pitch = -1;
    if (!vocabulary.is_special(static_cast<std::int32_t>(id)))
      tokenize::parse_token(vocabulary.token(static_cast<std::int32_t>(id)), "p:", 0, 127, &pitch);
    pitch_of_.push_back(pitch);
    any = any || pitch >= 0;
  }
  if (!any)
    throw ConfigError("key", "this model's tokens have no pitch tokens to steer",
                      "a model with notes or multitrack tokens");
}

void PitchSteering::start(int rows, std::span<const std::int32_t> primer) {
  history_.assign(static_cast<std::size_t>(rows), {});
  for (int r = 0; r < rows; ++r)
    for (std::int32_t id : primer) took(r, id);
}

bool PitchSteering::blocked_by_ngram(const std::vector<int>& history, int pitch) const {
  const auto n = static_cast<std::size_t>(request_.no_repeat_ngram);
  if (n == 0 || history.size() + 1 < n) return false;
  // The candidate n-gram: the last n - 1 pitches, then `pitch`.
  std::vector<int> gram(history.end() - static_cast<std::ptrdiff_t>(n - 1), history.end());
  gram.push_back(pitch);
  const std::size_t from = history.size() > kNgramHistory ? history.size() - kNgramHistory : 0;
  int seen = 0;
  for (std::size_t i = from; i + n <= history.size(); ++i)
    if (std::equal(gram.begin(), gram.end(), history.begin() + static_cast<std::ptrdiff_t>(i)))
      ++seen;
  return seen >= 2;
}

int PitchSteering::steer(int row, std::span<float> logits) {
  if (request_.not_a_pitch && request_.not_a_pitch(row)) return -1;
  const auto& history = history_[static_cast<std::size_t>(row)];
  const std::size_t recent_from =
      history.size() > static_cast<std::size_t>(request_.repetition_window)
          ? history.size() - static_cast<std::size_t>(request_.repetition_window)
          : 0;
  std::vector<bool> recent(128, false);
  for (std::size_t i = recent_from; i < history.size(); ++i) recent[static_cast<std::size_t>(history[i])] = true;
  std::vector<float> before(logits.begin(), logits.end());
  for (std::size_t id = 0; id < logits.size() && id < pitch_of_.size(); ++id) {
    const int pitch = pitch_of_[id];
    if (pitch < 0 || logits[id] == kNever) continue;
    float& l = logits[id];
    if (request_.scale && !request_.scale->contains(pitch)) l = static_cast<float>(l + request_.scale_penalty);
    if (request_.range && (pitch < request_.range->first || pitch > request_.range->second)) l = kNever;
    if (request_.repetition_penalty != 1.0 && recent[static_cast<std::size_t>(pitch)] && l != kNever)
      l = l > 0 ? static_cast<float>(l / request_.repetition_penalty)
                : static_cast<float>(l * request_.repetition_penalty);
    if (blocked_by_ngram(history, pitch)) l = kNever;
  }
  // When every drawable token was a pitch and none is left, the constraints cannot all hold:
  // keep the model's own choice rather than stall.
  const bool any = std::any_of(logits.begin(), logits.end(), [](float l) { return l != kNever; });
  if (!any) std::copy(before.begin(), before.end(), logits.begin());
  return -1;
}

void PitchSteering::took(int row, std::int32_t token) {
  if (token < 0 || static_cast<std::size_t>(token) >= pitch_of_.size()) return;
  const int pitch = pitch_of_[static_cast<std::size_t>(token)];
  if (pitch >= 0 && request_.not_a_pitch && request_.not_a_pitch(row)) return;
  if (pitch >= 0) history_[static_cast<std::size_t>(row)].push_back(pitch);
}

void PitchSteering::reorder(std::span<const int> source) {
  const auto copy = history_;
  for (std::size_t r = 0; r < source.size() && r < history_.size(); ++r)
    history_[r] = copy[static_cast<std::size_t>(source[r])];
}

void SteeringChain::add(std::unique_ptr<Steering> steering) {
  if (steering) parts_.push_back(std::move(steering));
}

void SteeringChain::start(int rows, std::span<const std::int32_t> primer) {
  for (auto& p : parts_) p->start(rows, primer);
}

int SteeringChain::steer(int row, std::span<float> logits) {
  for (auto& p : parts_)
    if (const int forced = p->steer(row, logits); forced >= 0) return forced;
  return -1;
}

void SteeringChain::took(int row, std::int32_t token) {
  for (auto& p : parts_) p->took(row, token);
}

bool SteeringChain::done(int row) const {
  return std::any_of(parts_.begin(), parts_.end(), [&](const auto& p) { return p->done(row); });
}

void SteeringChain::reorder(std::span<const int> source) {
  for (auto& p : parts_) p->reorder(source);
}

}  // namespace musegen::generate
