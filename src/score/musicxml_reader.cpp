// MusicXML -> Score: the part list, the measures of every part (partwise or timewise), a pass
// that finds every bar's length (the longest voice of any part), and a pass collecting notes.
#include "score/musicxml_reader.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <numeric>
#include <pugixml.hpp>

#include "core/errors.h"
#include "core/file_io.h"
#include "music/general_midi.h"
#include "score/musicxml_walk.h"
#include "score/mxl.h"

namespace musegen::score {

namespace {

using xml::Instrument;

struct PartInfo {
  std::string id, name;
  std::map<std::string, Instrument> instruments;
  std::string first_instrument;
  std::vector<pugi::xml_node> measures;
};

int number_in(pugi::xml_node node, int lo, int hi) {
  const long long v = node.text().as_llong(-1);
  return v >= lo && v <= hi ? static_cast<int>(v) : -1;
}

PartInfo read_score_part(pugi::xml_node sp) {
  PartInfo part;
  part.id = sp.attribute("id").value();
  part.name = sp.child_value("part-name");
  for (auto si : sp.children("score-instrument")) {
    const std::string id = si.attribute("id").value();
    Instrument& inst = part.instruments[id];
    inst.program = gm_program_from_text(si.child_value("instrument-name"));
    if (part.first_instrument.empty()) part.first_instrument = id;
  }
  for (auto mi : sp.children("midi-instrument")) {
    const std::string id = mi.attribute("id").value();
    Instrument& inst = part.instruments[id];
    if (int ch = number_in(mi.child("midi-channel"), 1, 16); ch > 0) inst.channel = ch - 1;
    if (int pr = number_in(mi.child("midi-program"), 1, 128); pr > 0) inst.program = pr - 1;
    if (int un = number_in(mi.child("midi-unpitched"), 1, 128); un > 0) inst.unpitched = un - 1;
    if (part.first_instrument.empty()) part.first_instrument = id;
  }
  return part;
}

std::vector<PartInfo> read_parts(pugi::xml_node root, xml::Repairs& repairs) {
  std::vector<PartInfo> parts;
  for (auto sp : root.child("part-list").children("score-part"))
    parts.push_back(read_score_part(sp));
  auto part_named = [&](pugi::xml_node node) -> PartInfo& {
    const std::string id = node.attribute("id").value();
    for (auto& p : parts)
      if (p.id == id) return p;
    repairs.add(node.offset_debug(), "part '" + id + "' missing from the part list, read anyway");
    parts.push_back({id, id, {}, "", {}});
    return parts.back();
  };
  if (std::string(root.name()) == "score-timewise") {
    for (auto measure : root.children("measure"))
      for (auto part : measure.children("part")) part_named(part).measures.push_back(part);
  } else {
    for (auto part : root.children("part")) {
      PartInfo& info = part_named(part);
      for (auto measure : part.children("measure")) info.measures.push_back(measure);
    }
  }
  return parts;
}

// Ticks per quarter that hold every <divisions> exactly: their common multiple with 480 when it
// fits a MIDI file's 15 bits, else 960 with positions rounded.
int ticks_per_quarter(pugi::xml_node root, xml::Repairs& repairs) {
  struct Collect : pugi::xml_tree_walker {
    std::int64_t lcm = 480;
    bool exact = true;
    bool for_each(pugi::xml_node& node) override {
      if (std::string(node.name()) != "divisions") return true;
      const double d = node.text().as_double();
      if (d >= 1 && d <= 32767 && d == std::floor(d) && exact) {
        lcm = std::lcm(lcm, static_cast<std::int64_t>(d));
        exact = lcm <= 32767;
      } else if (d > 0) {
        exact = false;
      }
      return true;
    }
  } collect;
  root.traverse(collect);
  if (collect.exact) return static_cast<int>(collect.lcm);
  repairs.add(0, "divisions that no MIDI resolution holds: positions rounded to 1/960 quarter");
  return 960;
}

// Start of every measure in ticks: each lasts as long as its longest part, an empty one as its
// time signature says.
std::vector<double> measure_starts(const std::vector<PartInfo>& parts, int tpq,
                                   const std::string& name) {
  std::size_t n = 0;
  for (const auto& p : parts) n = std::max(n, p.measures.size());
  std::vector<double> length(n, 0);
  std::vector<TimeSignature> nominal(n);
  for (std::size_t p = 0; p < parts.size(); ++p) {
    xml::PartState state;
    const xml::WalkContext context{tpq, &parts[p].instruments, nullptr, nullptr, false};
    for (std::size_t i = 0; i < parts[p].measures.size(); ++i) {
      length[i] =
          std::max(length[i], xml::walk_measure(parts[p].measures[i], 0, state, context, name));
      if (p == 0) nominal[i] = state.time;
    }
    for (std::size_t i = parts[p].measures.size(); p == 0 && i < n; ++i) nominal[i] = state.time;
  }
  std::vector<double> starts(n + 1, 0);
  for (std::size_t i = 0; i < n; ++i) {
    const double bar = 4.0 * tpq * nominal[i].numerator / nominal[i].denominator;
    starts[i + 1] = starts[i] + (length[i] > 0 ? length[i] : bar);
    if (!(starts[i + 1] < 1099511627776.0))
      throw ParseError(
          name, parts.front().measures.empty() ? 0 : parts.front().measures.front().offset_debug(),
          "measures lasting beyond 2^40 ticks");
  }
  return starts;
}

// Joins tied notes into one: after a tie start, the next note of its pitch, staff and voice that
// begins where it ends (with or without its tie stop, as music21's stripTies does).
std::vector<xml::RawNote> join_ties(std::vector<xml::RawNote> raw) {
  std::vector<xml::RawNote> out;
  std::map<std::tuple<bool, int, int, std::string>, std::size_t> open;  // -> index in out
  for (auto& n : raw) {
    const auto key = std::make_tuple(n.drum, n.pitch, n.staff, n.voice);
    const auto it = open.find(key);
    if (it != open.end() && out[it->second].end == n.start) {
      out[it->second].end = n.end;
      if (!n.tie_start) open.erase(it);
      continue;
    }
    if (it != open.end() && n.start >= out[it->second].end) open.erase(it);  // the tie led nowhere
    if (n.tie_start) open[key] = out.size();
    out.push_back(std::move(n));
  }
  return out;
}

struct Channels {
  int next = 0;
  int take() {
    const int c = next == kDrumChannel ? ++next : next;
    next = (next + 1) % 16;
    return c;
  }
};

void add_part_notes(const PartInfo& part, int track, const std::vector<xml::RawNote>& raw,
                    Channels& channels, xml::Repairs& repairs, Score& score) {
  const bool has_drums = std::any_of(raw.begin(), raw.end(), [](const auto& n) { return n.drum; });
  Instrument fallback;
  if (auto it = part.instruments.find(part.first_instrument); it != part.instruments.end())
    fallback = it->second;
  const int part_channel = fallback.channel >= 0 ? fallback.channel
                           : has_drums           ? kDrumChannel
                                                 : channels.take();
  const int guessed = gm_program_from_text(part.name);
  std::size_t dropped = 0;
  for (const auto& n : join_ties(raw)) {
    if (n.end <= n.start) {
      ++dropped;
      continue;
    }
    auto it = part.instruments.find(n.instrument);
    const Instrument& inst = it != part.instruments.end() ? it->second : fallback;
    Note note;
    note.pitch = n.pitch;
    note.velocity = n.velocity;
    note.channel = n.drum && inst.channel < 0 ? kDrumChannel
                   : inst.channel >= 0        ? inst.channel
                                              : part_channel;
    note.program = inst.program >= 0 ? inst.program : std::max(guessed, 0);
    note.track = track;
    note.start_ticks = n.start;
    note.end_ticks = n.end;
    score.notes.push_back(note);
  }
  if (dropped > 0) repairs.add(0, std::to_string(dropped) + " note(s) of no duration dropped");
}

template <typename T, typename Same>
void add_changes(std::vector<T>& out, std::vector<T> in, Same same) {
  std::stable_sort(in.begin(), in.end(), [](const T& a, const T& b) { return a.tick < b.tick; });
  for (auto& x : in) {
    if (!out.empty() && out.back().tick == x.tick) out.pop_back();
    if (out.empty() || !same(out.back(), x)) out.push_back(x);
  }
}

Score read_document(pugi::xml_node root, const std::string& name, xml::Repairs& repairs) {
  std::vector<PartInfo> parts = read_parts(root, repairs);
  Score score;
  score.ticks_per_quarter = ticks_per_quarter(root, repairs);
  const std::vector<double> starts = measure_starts(parts, score.ticks_per_quarter, name);
  Channels channels;
  std::vector<TempoChange> tempos;
  for (std::size_t p = 0; p < parts.size(); ++p) {
    xml::PartState state;
    xml::Collected collected;
    const xml::WalkContext context{score.ticks_per_quarter, &parts[p].instruments, &repairs,
                                   &collected, p == 0};
    for (std::size_t i = 0; i < parts[p].measures.size(); ++i)
      xml::walk_measure(parts[p].measures[i], starts[i], state, context, name);
    score.tracks.push_back({parts[p].name});
    add_part_notes(parts[p], static_cast<int>(p), collected.notes, channels, repairs, score);
    tempos.insert(tempos.end(), collected.tempos.begin(), collected.tempos.end());
    if (p == 0) {
      add_changes(score.time_signatures, collected.times, [](const auto& a, const auto& b) {
        return a.numerator == b.numerator && a.denominator == b.denominator;
      });
      add_changes(score.key_signatures, collected.keys, [](const auto& a, const auto& b) {
        return a.sharps == b.sharps && a.minor == b.minor;
      });
    }
  }
  add_changes(score.tempos, tempos,
              [](const auto& a, const auto& b) { return a.us_per_quarter == b.us_per_quarter; });
  score.sort_events();
  score.update_times();
  return score;
}

}  // namespace

bool is_musicxml_name(const std::filesystem::path& path) {
  std::string ext = path.extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return ext == ".musicxml" || ext == ".xml" || ext == ".mxl";
}

MusicXmlRead read_musicxml(std::span<const std::uint8_t> bytes, const std::string& name,
                           bool strict) {
  std::string label = name;
  std::string text;
  if (is_zip(bytes)) {
    MxlDocument doc = read_mxl(bytes, name);
    label = name + " (" + doc.entry + ")";
    text = std::move(doc.xml);
  }
  const void* data = text.empty() ? static_cast<const void*>(bytes.data()) : text.data();
  const std::size_t size = text.empty() ? bytes.size() : text.size();
  pugi::xml_document doc;
  const pugi::xml_parse_result parsed = doc.load_buffer(data, size);
  if (!parsed)
    throw ParseError(label, parsed.offset,
                     std::string("not well-formed XML: ") + parsed.description());
  const pugi::xml_node root = doc.document_element();
  const std::string root_name = root.name();
  if (root_name != "score-partwise" && root_name != "score-timewise")
    throw ParseError(label, root.offset_debug(),
                     "not a MusicXML score (the root element is <" + root_name + ">)");
  xml::Repairs repairs(label, strict);
  MusicXmlRead read;
  read.score = read_document(root, label, repairs);
  read.warnings = repairs.diagnostics();
  return read;
}

MusicXmlRead read_musicxml_file(const std::filesystem::path& path, bool strict) {
  const std::vector<std::uint8_t> bytes = read_file_bytes(path);
  return read_musicxml(bytes, path.string(), strict);
}

}  // namespace musegen::score
