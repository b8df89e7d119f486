// The generator: checkpoint -> tokenizer, vocabulary and engine; the primer fed once; the
// sampling loop over a batch of rows, each with its own random stream.
#include "generate/generator.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <optional>

#include "core/errors.h"
#include "core/rng.h"
#include "generate/duration_watch.h"
#include "generate/stepper.h"

namespace musegen::generate {

namespace detail {

void Stepper::start(int batch, std::span<const std::int32_t> primer) {
  if (window_ > 0) {
    streams_.assign(batch, std::vector<std::int32_t>(primer.begin(), primer.end()));
    feed_windows();
    return;
  }
  engine_.start(batch);
  buffer_.clear();
  for (int b = 0; b < batch; ++b) buffer_.insert(buffer_.end(), primer.begin(), primer.end());
  engine_.feed(buffer_, static_cast<int>(primer.size()), true);
  steps_ += static_cast<std::int64_t>(primer.size());
}

void Stepper::feed_windows() {
  const int batch = static_cast<int>(streams_.size());
  const std::size_t length = streams_[0].size();  // rows advance together
  const std::size_t time = std::min<std::size_t>(length, window_);
  buffer_.clear();
  for (auto& stream : streams_) {
    buffer_.insert(buffer_.end(), stream.end() - time, stream.end());
    if (stream.size() > 4 * static_cast<std::size_t>(window_))  // keep memory bounded
      stream.erase(stream.begin(), stream.end() - window_);
  }
  engine_.start(batch);
  engine_.feed(buffer_, static_cast<int>(time), true);
  steps_ += static_cast<std::int64_t>(time);
}

void Stepper::advance(std::span<const std::int32_t> tokens) {
  if (window_ > 0) {
    for (std::size_t r = 0; r < streams_.size(); ++r) streams_[r].push_back(tokens[r]);
    feed_windows();
    return;
  }
  engine_.feed(tokens, 1, true);
  steps_ += 1;
}

void Stepper::reorder(std::span<const int> source) {
  if (window_ == 0) {
    engine_.reorder(source);
    return;
  }
  std::vector<std::vector<std::int32_t>> copy = streams_;
  for (std::size_t r = 0; r < source.size(); ++r) streams_[r] = copy[source[r]];
}

void mask_specials(std::span<float> logits) {
  constexpr float kNever = -std::numeric_limits<float>::infinity();
  for (int id : {tokenize::kPadId, tokenize::kStartId, tokenize::kUnknownId})
    if (static_cast<std::size_t>(id) < logits.size()) logits[id] = kNever;
}

std::uint64_t row_seed(std::uint64_t seed, int row) {
  auto mix = [](std::uint64_t z) {  // splitmix64's finaliser
    z += 0x9e3779b97f4a7c15ull;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
  };
  return mix(mix(seed) ^ static_cast<std::uint64_t>(row));
}

namespace {

// One sampled row: its candidate, random stream, duration watch and log-probabilities.
struct Row {
  Candidate candidate;
  Rng rng;
  std::optional<DurationWatch> watch;
  std::vector<double> cumulative_log_prob{0.0};  // after 0, 1, 2 ... generated ids
  bool active = true;
};

// Appends `token` to an active row and decides whether the row stops.
void take_token(const Context& c, Row& row, int row_index, int token, double log_prob) {
  const GenerateOptions& o = c.options;
  row.cumulative_log_prob.push_back(row.cumulative_log_prob.back() + log_prob);
  if (token == tokenize::kEndId) {
    row.candidate.stop = StopReason::end_token;
    row.active = false;
    return;
  }
  row.candidate.ids.push_back(token);
  const std::size_t n_new = row.candidate.ids.size() - row.candidate.n_primer;
  if (o.steering && o.steering->done(row_index)) {
    row.candidate.stop = StopReason::steering;
    row.active = false;
  } else if (o.seconds > 0) {
    if (auto n = row.watch->reached(row.candidate.generated())) {
      row.candidate.ids.resize(row.candidate.n_primer + *n);
      row.cumulative_log_prob.resize(*n + 1);
      row.candidate.stop = StopReason::seconds;
      row.active = false;
    } else if (n_new >= static_cast<std::size_t>(o.max_tokens)) {
      row.candidate.stop = StopReason::max_tokens;
      row.active = false;
    }
  } else if (n_new >= static_cast<std::size_t>(o.length_tokens)) {
    row.candidate.stop = StopReason::length;
    row.active = false;
  }
}

}  // namespace

std::vector<Candidate> sample_rows(const Context& c, Stepper& stepper) {
  const GenerateOptions& o = c.options;
  std::vector<Row> rows;
  for (int r = 0; r < o.n_candidates; ++r) {
    Row row{Candidate{}, Rng(row_seed(o.seed, r)), std::nullopt};
    row.candidate.ids.assign(c.primer.begin(), c.primer.end());
    row.candidate.n_primer = c.primer.size();
    if (o.seconds > 0) row.watch.emplace(c.tokenizer, c.vocabulary, o.seconds, o.music, c.primer);
    rows.push_back(std::move(row));
  }
  if (o.steering) o.steering->start(o.n_candidates, c.primer);
  const std::int64_t expected = o.seconds > 0 ? 0 : std::int64_t{o.n_candidates} * o.length_tokens;
  std::vector<float> scratch(c.engine.vocab_size());
  std::vector<std::int32_t> next(rows.size());
  std::int64_t done = 0;
  stepper.start(o.n_candidates, c.primer);
  for (;;) {
    bool any_active = false;
    for (std::size_t r = 0; r < rows.size(); ++r) {
      Row& row = rows[r];
      if (!row.active) {
        next[r] = row.candidate.ids.back();  // a stopped row's input no longer matters
        continue;
      }
      const std::span<const float> logits = c.engine.logits(static_cast<int>(r));
      std::copy(logits.begin(), logits.end(), scratch.begin());
      mask_specials(scratch);
      if (!o.allow_end) scratch[tokenize::kEndId] = -std::numeric_limits<float>::infinity();
      const int forced = o.steering ? o.steering->steer(static_cast<int>(r), scratch) : -1;
      const int token = forced >= 0 ? forced : sample_token(scratch, o.sampling, row.rng);
      if (o.steering && token != tokenize::kEndId) o.steering->took(static_cast<int>(r), token);
      take_token(c, row, static_cast<int>(r), token, logits[token] - log_sum_exp(logits));
      next[r] = token;
      done += token != tokenize::kEndId;
      any_active = any_active || row.active;
    }
    if (c.progress) c.progress(done, expected);
    if (!any_active) break;
    stepper.advance(next);
  }
  std::vector<Candidate> out;
  for (Row& row : rows) {
    row.candidate.log_prob = row.cumulative_log_prob.back();
    row.candidate.cumulative_log_prob = std::move(row.cumulative_log_prob);
    out.push_back(std::move(row.candidate));
  }
  return out;
}

}  // namespace detail

std::string to_string(StopReason reason) {
  switch (reason) {
    case StopReason::length:
      return "length";
    case StopReason::end_token:
      return "end";
    case StopReason::seconds:
      return "seconds";
    case StopReason::max_tokens:
      return "max_length";
    case StopReason::steering:
      return "complete";
  }
  return "?";
}

void validate(const GenerateOptions& o) {
  validate(o.sampling);
  validate(o.music);
  if (o.n_candidates < 1 || o.n_candidates > 1024)
    throw ConfigError("count", "out of range", "1..1024");
  if (o.length_tokens < 1 || o.length_tokens > 10'000'000)
    throw ConfigError("length", "out of range", "1..10000000 tokens");
  if (!(o.seconds >= 0 && o.seconds <= 86400))
    throw ConfigError("seconds", "out of range", "0 (use --length) or up to 86400");
  if (o.max_tokens < 1 || o.max_tokens > 10'000'000)
    throw ConfigError("max-length", "out of range", "1..10000000 tokens");
  if (o.window_tokens < 0 || o.window_tokens > 100'000)
    throw ConfigError("window", "out of range", "0 (carry the state) or 1..100000 tokens");
  if (o.beam_width < 0 || o.beam_width > 256)
    throw ConfigError("beam", "out of range", "0 (sample) or 1..256 beams");
  if (o.beam_width > 0 && o.n_candidates > o.beam_width)
    throw ConfigError("count", "beam search returns at most its width of candidates",
                      "1.." + std::to_string(o.beam_width));
}

Generator::Generator(model::Checkpoint checkpoint, const std::string& name,
                     const EngineOptions& engine)
    : checkpoint_(std::move(checkpoint)) {
  const nlohmann::json& vocab_json = checkpoint_.vocabulary;
  if (!vocab_json.is_object() || !vocab_json.contains("tokenizer"))
    throw ConfigError("vocabulary", name + ": the model file holds no tokenizer configuration");
  tokenizer_ = tokenize::make_tokenizer(vocab_json.at("tokenizer"));
  vocabulary_ = tokenize::Vocabulary::from_json(vocab_json);
  if (vocabulary_.size() <= static_cast<std::size_t>(tokenize::kUnknownId) + 1)
    throw ConfigError("vocabulary", name + ": the vocabulary holds no music token");
  if (static_cast<std::size_t>(checkpoint_.preset.model.vocab_size) != vocabulary_.size())
    throw ConfigError(
        "vocab_size",
        name + ": the network has " + std::to_string(checkpoint_.preset.model.vocab_size) +
            " outputs but the vocabulary " + std::to_string(vocabulary_.size()) + " tokens",
        std::to_string(vocabulary_.size()));
  engine_ = make_engine(checkpoint_, name, engine);
}

Generator::~Generator() = default;

bool Generator::uses_start_token() const {
  return checkpoint_.preset.train.objective != "windows";
}

int Generator::default_window() const {
  return checkpoint_.preset.train.objective == "windows" ? checkpoint_.preset.train.sequence_length
                                                         : 0;
}

void Generator::check_primer(std::span<const std::int32_t> primer) const {
  if (primer.empty() && !uses_start_token())
    throw ConfigError("primer",
                      "this model learnt the tutorial's windows, which have no start token: "
                      "it needs music to continue",
                      "--primer FILE.mid, --primer-tokens, --primer-from DIR");
  for (std::int32_t id : primer)
    if (id < 0 || static_cast<std::size_t>(id) >= vocabulary_.size())
      throw ConfigError("primer", "token id " + std::to_string(id) + " is not in the vocabulary",
                        "0.." + std::to_string(vocabulary_.size() - 1));
}

GenerateResult Generator::generate(std::span<const std::int32_t> primer,
                                   const GenerateOptions& options,
                                   const GenerateProgress& progress) {
  validate(options);
  check_primer(primer);
  std::vector<std::int32_t> ids(primer.begin(), primer.end());
  if (ids.empty()) ids.push_back(tokenize::kStartId);
  detail::Stepper stepper(*engine_, options.window_tokens);
  const detail::Context context{*engine_, *tokenizer_, vocabulary_, options, ids, progress};
  const auto start = std::chrono::steady_clock::now();
  GenerateResult result;
  result.candidates = options.beam_width > 0 ? detail::beam_search(context, stepper)
                                             : detail::sample_rows(context, stepper);
  result.elapsed_sec =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  for (const Candidate& c : result.candidates)
    result.tokens += static_cast<std::int64_t>(c.ids.size() - c.n_primer);
  result.network_steps = stepper.steps();
  result.tokens_per_sec = result.elapsed_sec > 0 ? result.tokens / result.elapsed_sec : 0;
  result.engine = engine_->description();
  result.isa = engine_->instruction_set();
  return result;
}

}  // namespace musegen::generate
