// Reading the studio's generation requests and describing their outcome (serve/generate_api.h).
#include "serve/generate_api.h"

#include <random>
#include <set>

#include "serve/job_queue.h"
#include "serve/roll_json.h"

namespace musegen::serve {

namespace {

using nlohmann::json;

RequestError bad(const std::string& key, const std::string& what) {
  return RequestError{400, "\"" + key + "\": " + what, "docs/api.md lists the request's keys"};
}

template <typename T>
T get(const json& j, const std::string& key) {
  try {
    return j.at(key).get<T>();
  } catch (const json::exception&) {
    throw bad(key, "has the wrong type (" + std::string(j.at(key).type_name()) + ")");
  }
}

double number_in(const json& j, const std::string& key, double lo, double hi) {
  const double x = get<double>(j, key);
  if (!(x >= lo && x <= hi))
    throw bad(key,
              std::to_string(x) + " is outside " + std::to_string(lo) + ".." + std::to_string(hi));
  return x;
}

int int_in(const json& j, const std::string& key, int lo, int hi) {
  if (!j.at(key).is_number_integer()) throw bad(key, "takes a whole number");
  return static_cast<int>(number_in(j, key, lo, hi));
}

constexpr std::uint64_t kMaxSeed = (std::uint64_t{1} << 53) - 1;

const std::set<std::string> kKeys = {"model",
                                     "temperature",
                                     "top_k",
                                     "top_p",
                                     "greedy",
                                     "beam",
                                     "no_end",
                                     "length",
                                     "seconds",
                                     "count",
                                     "keep",
                                     "rank",
                                     "seed",
                                     "instruments",
                                     "key",
                                     "key_strength",
                                     "time_signature",
                                     "tempo",
                                     "density",
                                     "bars",
                                     "ranges",
                                     "repetition_penalty",
                                     "no_repeat_ngram",
                                     "program",
                                     "primer",
                                     "primer_bars",
                                     "fill",
                                     "harmonize"};

void read_sampling(const json& b, compose::GenerateRequest& r, const GenerateLimits& limits) {
  if (b.contains("temperature")) r.temperature = number_in(b, "temperature", 0.01, 10);
  if (b.contains("top_k")) r.top_k = int_in(b, "top_k", 0, 100000);
  if (b.contains("top_p")) r.top_p = number_in(b, "top_p", 0.01, 1);
  if (b.contains("greedy")) r.greedy = get<bool>(b, "greedy");
  if (b.contains("beam")) r.beam = int_in(b, "beam", 0, limits.max_count);
  if (b.contains("no_end")) r.no_end = get<bool>(b, "no_end");
  if (b.contains("length")) {
    r.length = int_in(b, "length", 1, limits.max_length);
    r.has_length = true;
  }
  if (b.contains("seconds")) r.seconds = number_in(b, "seconds", 0, limits.max_seconds);
  r.max_length = limits.max_length;
  if (b.contains("count")) r.count = int_in(b, "count", 1, limits.max_count);
  if (b.contains("keep")) r.keep = int_in(b, "keep", 0, limits.max_count);
  if (b.contains("rank")) r.rank = get<std::string>(b, "rank");
  if (r.rank == "reference") throw bad("rank", "the studio ranks by likelihood or not at all");
  if (b.contains("seed")) {
    if (!b["seed"].is_number_unsigned() || b["seed"].get<std::uint64_t>() > kMaxSeed)
      throw bad("seed", "takes a whole number 0..9007199254740991");
    r.seed = b["seed"].get<std::uint64_t>();
  } else {
    // JavaScript numbers hold integers up to 2^53 exactly: a seed the page shows can be reused.
    r.seed = std::random_device{}() & 0x7fffffffu;
  }
}

void read_controls(const json& b, compose::GenerateRequest& r, const GenerateLimits& limits) {
  auto& c = r.controls;
  if (b.contains("instruments")) c.instruments = get<std::string>(b, "instruments");
  if (b.contains("key")) c.key = get<std::string>(b, "key");
  if (b.contains("key_strength")) c.key_strength = number_in(b, "key_strength", 0, 1);
  if (b.contains("time_signature")) c.time_signature = get<std::string>(b, "time_signature");
  if (b.contains("tempo")) c.tempo_bpm = number_in(b, "tempo", 4, 1000);
  if (b.contains("density")) c.density = number_in(b, "density", 0, 200);
  if (b.contains("bars")) c.bars = int_in(b, "bars", 0, limits.max_bars);
  if (b.contains("ranges")) c.ranges = get<std::string>(b, "ranges");
  if (b.contains("repetition_penalty"))
    c.repetition_penalty = number_in(b, "repetition_penalty", 1, 10);
  if (b.contains("no_repeat_ngram")) c.no_repeat_ngram = int_in(b, "no_repeat_ngram", 0, 32);
  if (b.contains("program")) r.program = get<std::string>(b, "program");
}

// "primer": upload id; "fill": {"upload" or "job_file", "bars", "tracks"}; "harmonize": id.
void read_sources(const json& b, compose::GenerateRequest& r, const RequestPaths& paths) {
  if (b.contains("primer")) r.primer = paths.upload(get<std::string>(b, "primer")).string();
  if (b.contains("primer_bars")) r.primer_bars = int_in(b, "primer_bars", 0, 256);
  if (b.contains("harmonize"))
    r.harmonize = paths.upload(get<std::string>(b, "harmonize")).string();
  if (!b.contains("fill")) return;
  const json& f = b["fill"];
  if (!f.is_object()) throw bad("fill", "takes {\"upload\" or \"job_file\", \"bars\", \"tracks\"}");
  if (f.contains("upload"))
    r.fill = paths.upload(get<std::string>(f, "upload")).string();
  else if (f.contains("job_file"))
    r.fill = paths.job_file(get<std::string>(f, "job_file")).string();
  else
    throw bad("fill", "names the piece: \"upload\" (an upload id) or \"job_file\" (JOB/NAME)");
  if (!f.contains("bars")) throw bad("fill", "needs \"bars\", e.g. \"3-4\"");
  r.fill_bars = get<std::string>(f, "bars");
  if (f.contains("tracks")) r.tracks = get<std::string>(f, "tracks");
}

}  // namespace

compose::GenerateRequest parse_generate_request(const json& body, const GenerateLimits& limits,
                                                const RequestPaths& paths,
                                                const std::filesystem::path& folder) {
  if (!body.is_object()) throw RequestError{400, "the request body is not a JSON object", ""};
  for (const auto& [key, value] : body.items())
    if (!kKeys.count(key)) throw bad(key, "is not a key of a generation request");
  compose::GenerateRequest r;
  r.model = paths.model(body.contains("model") ? get<std::string>(body, "model") : "");
  read_sampling(body, r, limits);
  read_controls(body, r, limits);
  read_sources(body, r, paths);
  r.threads = 0;
  r.out = (folder / "song.mid").string();
  r.wav = (folder / "song.wav").string();
  r.musicxml = (folder / "song.musicxml").string();
  return r;
}

json outcome_json(const compose::GenerateOutcome& outcome, const std::string& job,
                  const std::string& url_prefix) {
  json candidates = json::array();
  for (const auto& c : outcome.kept) {
    json j = c.json;
    json urls = json::object();
    for (const auto& file : j["files"]) {
      const std::filesystem::path p(file.get<std::string>());
      const std::string ext = p.extension().string();
      const std::string kind = ext == ".mid" ? "midi" : ext == ".wav" ? "wav" : "musicxml";
      urls[kind] = url_prefix + job + "/" + p.filename().string();
    }
    j.erase("files");  // server paths stay on the server
    j["urls"] = urls;
    j["roll"] = roll_json(c.music);
    candidates.push_back(std::move(j));
  }
  const json full = outcome.to_json();
  json j = {{"job", job},
            {"model", outcome.model},
            {"seed", outcome.seed},
            {"engine", outcome.result.engine},
            {"tokens_per_sec", outcome.result.tokens_per_sec},
            {"elapsed_sec", outcome.result.elapsed_sec},
            {"primer", full["primer"]},
            {"screening", outcome.screening},
            {"warnings", outcome.warnings},
            {"candidates", candidates}};
  for (const char* mode : {"fill", "harmonize"})
    if (full.contains(mode)) {
      j[mode] = full[mode];
      j[mode].erase("file");  // a path on the server
    }
  return j;
}

}  // namespace musegen::serve
