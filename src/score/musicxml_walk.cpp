// One measure of MusicXML music data: a time cursor moved by notes, backup and forward, with
// the attributes, directions and sounds met on the way.
#include "score/musicxml_walk.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <set>

#include "core/errors.h"
#include "score/drums.h"

namespace musegen::score::xml {

void Repairs::add(std::ptrdiff_t offset, const std::string& what) {
  if (strict_) throw ParseError(name_, offset, what + " (strict mode)");
  auto [it, added] = kinds_.try_emplace(what);
  if (added) {
    it->second.first_offset = offset;
    order_.push_back(what);
  }
  ++it->second.count;
}

Diagnostics Repairs::diagnostics() const {
  Diagnostics out;
  for (const auto& what : order_) {
    const Kind& k = kinds_.at(what);
    std::string message = what;
    if (k.count > 1) message += " (and " + std::to_string(k.count - 1) + " more)";
    out.push_back({name_, k.first_offset, message});
  }
  return out;
}

namespace {

constexpr double kMaxTicks = 1099511627776.0;  // 2^40

// Music data a player's part holds that sounds no note: read past without a word.
const std::set<std::string> kKnownSilent = {"harmony",  "figured-bass", "print",    "barline",
                                            "grouping", "link",         "bookmark", "listening"};

// MIDI velocities of the dynamics marks (MuseScore's defaults).
int mark_velocity(const std::string& mark) {
  static const std::map<std::string, int> kMarks = {
      {"pppp", 10}, {"ppp", 16}, {"pp", 33},   {"p", 49},     {"mp", 64},  {"mf", 80},
      {"f", 96},    {"ff", 112}, {"fff", 126}, {"ffff", 127}, {"sf", 112}, {"sfz", 112}};
  const auto it = kMarks.find(mark);
  return it == kMarks.end() ? -1 : it->second;
}

int velocity_of_percent(double percent) {
  if (!std::isfinite(percent)) return 80;
  return static_cast<int>(std::lround(std::clamp(percent * 0.9, 1.0, 127.0)));
}

double finite_or_zero(double v) {
  return std::isfinite(v) ? v : 0;
}

int bounded(pugi::xml_node node, int limit) {
  return static_cast<int>(std::clamp<long long>(node.text().as_llong(), -limit, limit));
}

struct Walker {
  pugi::xml_node measure;
  double start;
  PartState& state;
  const WalkContext& c;
  const std::string& name;
  double cursor = 0, reached = 0, last_onset = 0;

  void repair(pugi::xml_node node, const std::string& what) const {
    if (c.repairs) c.repairs->add(node.offset_debug(), what);
  }

  double ticks(pugi::xml_node duration_parent) const {
    const double d = duration_parent.child("duration").text().as_double();
    if (!std::isfinite(d) || d < 0) return 0;
    return d * c.ticks_per_quarter / state.divisions;
  }

  std::int64_t at(double rel, pugi::xml_node node) const {
    const double t = start + rel;
    if (!(t >= 0 && t < kMaxTicks))
      throw ParseError(name, node.offset_debug(), "a position beyond 2^40 ticks");
    return std::llround(t);
  }

  void attributes(pugi::xml_node a);
  void time_signature(pugi::xml_node t);
  void direction(pugi::xml_node d);
  void sound(pugi::xml_node s, double offset_ticks);
  void note(pugi::xml_node n);
  bool note_pitch(pugi::xml_node n, RawNote& raw) const;
  void run();
};

void Walker::time_signature(pugi::xml_node t) {
  if (t.child("senza-misura")) return;
  long beats = 0;
  for (const char* p = t.child_value("beats"); *p && beats <= 255;) {  // "3+2" is five beats
    char* end = nullptr;
    beats += std::clamp(std::strtol(p, &end, 10), -1000L, 1000L);
    p = (end == p) ? p + 1 : end;
  }
  const int type = t.child("beat-type").text().as_int();
  if (beats < 1 || beats > 255 || type < 1 || type > 128 || (type & (type - 1)) != 0) {
    repair(t, "time signature " + std::string(t.child_value("beats")) + "/" +
                  t.child_value("beat-type") + " ignored");
    return;
  }
  state.time.numerator = static_cast<int>(beats);
  state.time.denominator = type;
  if (c.signatures && c.collected)
    c.collected->times.push_back({at(cursor, t), static_cast<int>(beats), type});
}

void Walker::attributes(pugi::xml_node a) {
  if (auto d = a.child("divisions")) {
    const double v = d.text().as_double();
    if (std::isfinite(v) && v >= 1e-3 && v < 1e9)
      state.divisions = v;
    else
      repair(d, "divisions " + std::string(d.child_value()) + " ignored");
  }
  if (auto k = a.child("key"); k && k.child("fifths") && c.signatures && c.collected) {
    const int fifths = k.child("fifths").text().as_int();
    if (fifths < -7 || fifths > 7)
      repair(k, "key signature with " + std::to_string(fifths) + " fifths ignored");
    else
      c.collected->keys.push_back(
          {at(cursor, k), fifths, std::string(k.child_value("mode")) == "minor"});
  }
  if (auto t = a.child("time")) time_signature(t);
  if (auto t = a.child("transpose")) {
    state.transpose = bounded(t.child("chromatic"), 127) +
                      12 * bounded(t.child("octave-change"), 10) - (t.child("double") ? 12 : 0);
  }
}

void Walker::sound(pugi::xml_node s, double offset_ticks) {
  if (auto o = s.child("offset"))
    offset_ticks = finite_or_zero(o.text().as_double()) * c.ticks_per_quarter / state.divisions;
  if (auto dyn = s.attribute("dynamics")) state.velocity = velocity_of_percent(dyn.as_double());
  const double bpm = s.attribute("tempo").as_double();
  if (!s.attribute("tempo") || !c.collected) return;
  if (!(std::isfinite(bpm) && bpm > 0)) {
    repair(s, "tempo " + std::string(s.attribute("tempo").value()) + " ignored");
    return;
  }
  const int us = static_cast<int>(std::clamp(std::llround(60e6 / bpm), 1LL, 0xFFFFFFLL));
  c.collected->tempos.push_back({at(std::max(0.0, cursor + offset_ticks), s), us});
}

void Walker::direction(pugi::xml_node d) {
  const double offset =
      finite_or_zero(d.child("offset").text().as_double()) * c.ticks_per_quarter / state.divisions;
  const bool sound_dynamics = d.child("sound").attribute("dynamics");
  for (auto type : d.children("direction-type"))
    for (auto marks : type.children("dynamics"))
      for (auto mark : marks.children())
        if (int v = mark_velocity(mark.name()); v > 0 && !sound_dynamics) state.velocity = v;
  if (auto s = d.child("sound")) sound(s, offset);
}

bool Walker::note_pitch(pugi::xml_node n, RawNote& raw) const {
  if (auto p = n.child("pitch")) {
    static const std::string kSteps = "CDEFGAB";
    static constexpr int kPc[7] = {0, 2, 4, 5, 7, 9, 11};
    const std::string step = p.child_value("step");
    const auto s = step.size() == 1 ? kSteps.find(step[0]) : std::string::npos;
    if (s == std::string::npos) {
      repair(p, "note with step '" + step + "' dropped");
      return false;
    }
    const double alter = finite_or_zero(p.child("alter").text().as_double());
    const int octave = bounded(p.child("octave"), 100);
    const long pitch =
        (octave + 1) * 12 + kPc[s] + std::lround(std::clamp(alter, -3.0, 3.0)) + state.transpose;
    if (std::abs(alter) > 2.5 || pitch < 0 || pitch > 127) {
      repair(p, "note outside MIDI pitches 0..127 dropped");
      return false;
    }
    raw.pitch = static_cast<int>(pitch);
    return true;
  }
  const auto u = n.child("unpitched");
  raw.drum = true;
  const auto found = c.instruments->find(raw.instrument);
  if (found != c.instruments->end() && found->second.unpitched >= 0) {
    raw.pitch = found->second.unpitched;
    return true;
  }
  const std::string step = u.child_value("display-step");
  raw.pitch =
      drum_key_at({step.empty() ? 'C' : step[0], 0, u.child("display-octave").text().as_int()},
                  n.child_value("notehead"));
  if (raw.pitch < 0) repair(n, "unpitched note naming no drum sound dropped");
  return raw.pitch >= 0;
}

void Walker::note(pugi::xml_node n) {
  if (n.child("grace")) return;  // grace notes take no time and are not read
  const bool chord = n.child("chord");
  const double length = ticks(n);
  const double onset = chord ? last_onset : cursor;
  if (!chord) {
    last_onset = cursor;
    cursor += length;
  }
  reached = std::max(reached, onset + length);
  if (!c.collected || n.child("cue") || n.child("rest")) return;
  if (!n.child("pitch") && !n.child("unpitched")) {
    repair(n, "note without pitch or rest dropped");
    return;
  }
  RawNote raw;
  raw.instrument = n.child("instrument").attribute("id").value();
  raw.voice = n.child_value("voice");
  raw.staff = n.child("staff").text().as_int(1);
  if (!note_pitch(n, raw)) return;
  raw.start = at(onset, n);
  raw.end = at(onset + length, n);
  raw.velocity = n.attribute("dynamics") ? velocity_of_percent(n.attribute("dynamics").as_double())
                                         : state.velocity;
  for (auto tie : n.children("tie")) {
    raw.tie_start |= std::string(tie.attribute("type").value()) == "start";
    raw.tie_stop |= std::string(tie.attribute("type").value()) == "stop";
  }
  for (auto tied : n.child("notations").children("tied")) {
    const std::string type = tied.attribute("type").value();
    raw.tie_start |= type == "start" || type == "continue";
    raw.tie_stop |= type == "stop" || type == "continue";
  }
  c.collected->notes.push_back(std::move(raw));
}

void Walker::run() {
  for (pugi::xml_node child : measure.children()) {
    if (child.type() != pugi::node_element) continue;
    const std::string element = child.name();
    if (element == "note") {
      note(child);
    } else if (element == "backup") {
      cursor -= ticks(child);
      if (cursor < 0) {
        repair(child, "backup before the start of the measure stopped there");
        cursor = 0;
      }
    } else if (element == "forward") {
      cursor += ticks(child);
    } else if (element == "attributes") {
      attributes(child);
    } else if (element == "direction") {
      direction(child);
    } else if (element == "sound") {
      sound(child, 0);
    } else if (!kKnownSilent.count(element)) {
      repair(child, "unknown element <" + element + "> ignored");
    }
    reached = std::max(reached, cursor);
  }
}

}  // namespace

double walk_measure(pugi::xml_node measure, double start, PartState& state,
                    const WalkContext& context, const std::string& name) {
  Walker walker{measure, start, state, context, name};
  walker.run();
  return walker.reached;
}

}  // namespace musegen::score::xml
