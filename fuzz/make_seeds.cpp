// Writes the seeds of a fuzz target into a folder, generated at test time so that they follow
// the formats as they change (the inputs the fuzzers found are kept in fuzz/corpus/):
//   midi_reader   small files covering the reader's paths (formats 0/1/2, SMPTE, RMID, running
//                 status, SysEx, re-strikes, unknown chunks) and a few damaged ones
//   model_loader  tiny model files: with Adam, SGD and RMSprop state, without optimiser state,
//                 a GRU with scalar input and dense layers
//   corpus_cache  a small token-corpus cache with training and validation files
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include "data/corpus_cache.h"
#include "midi/smf_builder.h"
#include "midi/writer.h"
#include "model_file/model_fixture.h"

namespace {

using musegen::midi::testing::Bytes;
using musegen::midi::testing::SmfBytes;
using musegen::midi::testing::TrackBytes;

musegen::Score small_score() {
  musegen::Score s;
  s.ticks_per_quarter = 96;
  s.tracks = {{"Lead"}, {"Drums"}};
  for (int i = 0; i < 12; ++i) {
    musegen::Note n;
    n.pitch = 60 + (i * 5) % 12;
    n.velocity = 40 + i * 5;
    n.program = i < 6 ? 0 : 40;
    n.start_ticks = i * 48;
    n.end_ticks = n.start_ticks + (i % 3) * 40;
    s.notes.push_back(n);
    n.track = 1;
    n.channel = 9;
    n.pitch = 36 + i % 4;
    s.notes.push_back(n);
  }
  s.tempos = {{0, 500000}, {200, 300000}};
  s.time_signatures = {{0, 3, 4}};
  s.key_signatures = {{0, -2, true}};
  s.sort_events();
  return s;
}

std::vector<std::pair<std::string, Bytes>> midi_seeds() {
  std::vector<std::pair<std::string, Bytes>> out;
  const musegen::Score score = small_score();
  out.push_back({"format1.mid", musegen::midi::write_bytes(score)});
  musegen::midi::WriteOptions format0;
  format0.format = 0;
  out.push_back({"format0.mid", musegen::midi::write_bytes(score, format0)});
  musegen::Score smpte = score;
  smpte.smpte_ticks_per_sec = 1000;
  out.push_back({"smpte.mid", musegen::midi::write_bytes(smpte)});
  out.push_back({"rmid.rmi", musegen::midi::testing::rmid_wrap(out[0].second)});

  TrackBytes a, b;
  a.name("A").program(0, 0, 5).on(0, 0, 60, 80).event(0, {64, 81}).on(10, 0, 60, 70);
  a.off(0, 0, 60).event(0, {0xF0, 0x03, 0x7E, 0x01, 0xF7}).event(5, {0xF7, 0x01, 0x02});
  a.event(5, {0x90, 64, 0}).meta(0, 0x58, {6, 3, 24, 8}).end();
  b.tempo(0, 700000).on(0, 3, 50, 90).off(10, 3, 50).end(20);
  out.push_back({"events.mid", SmfBytes(1, 2, 120).track(a).chunk("XFIH", {1, 2}).track(b).bytes});
  out.push_back({"format2.mid", SmfBytes(2, 2, 120).track(b).track(a).bytes});

  Bytes cut = out[4].second;
  cut.resize(cut.size() - 7);
  out.push_back({"cut.mid", cut});
  TrackBytes bad;
  bad.tempo(0, 0).off(0, 0, 61).on(0, 0, 62, 9).event(0, {0xF4}).raw({0x81, 0x80, 0x80, 0x80, 1});
  out.push_back({"damaged.mid", SmfBytes(0, 3, 96).track(bad).raw({0, 0x1A, 0x1A}).bytes});
  return out;
}

Bytes bytes_of(const std::string& text) {
  return Bytes(text.begin(), text.end());
}

std::vector<std::pair<std::string, Bytes>> model_seeds() {
  using namespace musegen::model;
  std::vector<std::pair<std::string, Bytes>> out;
  out.push_back({"adam.pt", bytes_of(checkpoint_to_bytes(testing::tiny_checkpoint()))});
  out.push_back({"exported.pt", bytes_of(checkpoint_to_bytes(testing::tiny_checkpoint(false)))});
  for (const char* kind : {"sgd", "rmsprop"}) {
    Checkpoint c = testing::tiny_checkpoint(false);
    c.preset.train.optimizer = kind;
    const auto network = network_parameters(c.preset.model);
    OptimizerState state;
    for (std::size_t i = 0; i < network.size(); ++i) {
      const std::string prefix = "param." + std::to_string(i) + ".";
      if (std::string(kind) == "rmsprop") {
        state.steps.push_back(1);
        state.tensors.tensors.push_back(
            testing::filled(prefix + "square_avg", network[i].shape, 1));
      }
      state.tensors.tensors.push_back(
          testing::filled(prefix + "momentum_buffer", network[i].shape, 1));
    }
    c.optimizer = state;
    out.push_back({std::string(kind) + ".pt", bytes_of(checkpoint_to_bytes(c))});
  }
  Checkpoint gru = testing::tiny_checkpoint(false);
  gru.preset.model.cell = "gru";
  gru.preset.model.input = "scalar";
  gru.preset.model.dense_sizes = {3, 2};
  gru.weights.tensors.clear();
  for (const auto& p : network_parameters(gru.preset.model))
    gru.weights.tensors.push_back(testing::filled(p.name, p.shape, 0.5f));
  out.push_back({"gru.pt", bytes_of(checkpoint_to_bytes(gru))});
  return out;
}

std::vector<std::pair<std::string, Bytes>> cache_seeds() {
  musegen::data::Corpus corpus;
  corpus.tokenizer_config = {{"name", "notes"}, {"velocity_bins", 0}};
  for (const char* token : {"p:60", "p:64", "d:12", "t:6"}) corpus.vocabulary.add(token);
  corpus.train = {{"a.mid", 0, {4, 6, 7, 5, 6, 7}}, {"a.mid", 2, {4, 6, 7}}};
  corpus.valid = {{"sub/b.mid", 0, {5, 6}}};
  corpus.stats.files_found = 3;
  corpus.stats.files_read = 2;
  corpus.stats.files_skipped = 1;
  corpus.stats.skipped = {{"junk.mid", "not a MIDI file"}};
  const nlohmann::json key = {{"version", 1},
                              {"tokenizer", corpus.tokenizer_config},
                              {"inputs", {{"train", {{"a.mid", 120, 5}}}}}};
  return {{"small.cache", musegen::data::corpus_cache_to_bytes(corpus, key)}};
}

}  // namespace

// Usage: fuzz_make_seeds TARGET SEED_DIR [CORPUS_DIR]: writes TARGET's seeds into SEED_DIR and
// creates CORPUS_DIR (where libFuzzer keeps the inputs it finds) when given.
int main(int argc, char** argv) {
  const std::string target = argc > 1 ? argv[1] : "";
  std::vector<std::pair<std::string, Bytes>> all;
  if (target == "midi_reader") all = midi_seeds();
  if (target == "model_loader") all = model_seeds();
  if (target == "corpus_cache") all = cache_seeds();
  if (argc < 3 || argc > 4 || all.empty()) {
    std::cerr
        << "usage: fuzz_make_seeds midi_reader|model_loader|corpus_cache SEED_DIR [CORPUS_DIR]\n";
    return 2;
  }
  const std::filesystem::path dir = argv[2];
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (argc == 4) std::filesystem::create_directories(argv[3], ec);
  for (const auto& [name, bytes] : all) {
    std::ofstream f(dir / name, std::ios::binary);
    f.write(reinterpret_cast<const char*>(bytes.data()),
            static_cast<std::streamsize>(bytes.size()));
    if (!f) {
      std::cerr << "error: " << (dir / name).string() << ": cannot write\n";
      return 1;
    }
  }
  std::cout << "wrote " << all.size() << " seeds to " << dir.string() << "\n";
  return 0;
}
