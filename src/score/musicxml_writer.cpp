// Notation -> MusicXML 4.0 partwise, element order as the schema requires.
#include "score/musicxml_writer.h"

#include <cmath>
#include <pugixml.hpp>

#include "core/decimal.h"
#include "core/file_io.h"
#include "music/general_midi.h"
#include "score/drums.h"

namespace musegen::score {

namespace {

using pugi::xml_node;

struct StringWriter : pugi::xml_writer {
  std::string out;
  void write(const void* data, std::size_t size) override {
    out.append(static_cast<const char*>(data), size);
  }
};

xml_node add(xml_node parent, const char* name) {
  return parent.append_child(name);
}

template <typename T>
xml_node add(xml_node parent, const char* name, const T& value) {
  xml_node node = parent.append_child(name);
  if constexpr (std::is_convertible_v<T, const char*> || std::is_same_v<T, std::string>)
    node.text().set(std::string(value).c_str());
  else
    node.text().set(value);
  return node;
}

std::string decimal(double value) {
  return short_decimal(value, 4);
}

std::string part_id(std::size_t p) {
  std::string id = "P";  // written as appends: GCC 12 warns (-Wrestrict) on "P" + to_string
  return id.append(std::to_string(p + 1));
}
std::string drum_id(std::size_t p, int key) {
  return part_id(p) + "-I" + std::to_string(key + 1);
}

const char* type_name(NoteType t) {
  static constexpr const char* kNames[] = {"whole", "half", "quarter", "eighth", "16th", "32nd"};
  return kNames[static_cast<int>(t)];
}

const char* accidental_name(int alter) {
  switch (alter) {
    case -2:
      return "flat-flat";
    case -1:
      return "flat";
    case 1:
      return "sharp";
    case 2:
      return "double-sharp";
    default:
      return "natural";
  }
}

const char* beam_name(Beam b) {
  switch (b) {
    case Beam::begin:
      return "begin";
    case Beam::continue_:
      return "continue";
    case Beam::end:
      return "end";
    case Beam::forward_hook:
      return "forward hook";
    default:
      return "backward hook";
  }
}

void add_score_part(xml_node list, const Part& part, std::size_t p) {
  xml_node sp = add(list, "score-part");
  sp.append_attribute("id") = part_id(p).c_str();
  add(sp, "part-name", part.name);
  if (!part.drums) {
    xml_node si = add(sp, "score-instrument");
    si.append_attribute("id") = (part_id(p) + "-I1").c_str();
    add(si, "instrument-name", gm_program_name(part.program));
    xml_node mi = add(sp, "midi-instrument");
    mi.append_attribute("id") = (part_id(p) + "-I1").c_str();
    add(mi, "midi-channel", part.channel + 1);
    add(mi, "midi-program", part.program + 1);
    return;
  }
  for (int key : part.drum_keys) {
    xml_node si = add(sp, "score-instrument");
    si.append_attribute("id") = drum_id(p, key).c_str();
    const std::string name = gm_drum_name(key);
    add(si, "instrument-name", name.empty() ? "Drum " + std::to_string(key) : name);
  }
  for (int key : part.drum_keys) {
    xml_node mi = add(sp, "midi-instrument");
    mi.append_attribute("id") = drum_id(p, key).c_str();
    add(mi, "midi-channel", part.channel + 1);
    add(mi, "midi-unpitched", key + 1);
  }
}

void add_clef(xml_node attributes, Clef clef, std::size_t staff, std::size_t n_staves) {
  xml_node c = add(attributes, "clef");
  if (n_staves > 1) c.append_attribute("number") = static_cast<unsigned>(staff + 1);
  switch (clef) {
    case Clef::treble:
      add(c, "sign", "G");
      add(c, "line", 2);
      break;
    case Clef::treble_8vb:
      add(c, "sign", "G");
      add(c, "line", 2);
      add(c, "clef-octave-change", -1);
      break;
    case Clef::bass:
      add(c, "sign", "F");
      add(c, "line", 4);
      break;
    case Clef::alto:
      add(c, "sign", "C");
      add(c, "line", 3);
      break;
    case Clef::percussion:
      add(c, "sign", "percussion");
      break;
  }
}

void add_attributes(xml_node measure, const Notation& n, const Part& part, std::size_t m) {
  const MeasureInfo& info = n.measures[m];
  const bool key = info.key_change && !part.drums;
  if (m > 0 && !key && !info.time_change) return;
  xml_node a = add(measure, "attributes");
  if (m == 0) add(a, "divisions", n.divisions);
  if (key) {
    xml_node k = add(a, "key");
    add(k, "fifths", info.key.sharps);
    add(k, "mode", info.key.minor ? "minor" : "major");
  }
  if (info.time_change) {
    xml_node t = add(a, "time");
    add(t, "beats", info.beats);
    add(t, "beat-type", info.beat_type);
  }
  if (m > 0) return;
  if (part.clefs.size() > 1) {
    add(a, "staves", static_cast<unsigned>(part.clefs.size()));
    add(a, "part-symbol", "brace");
  }
  for (std::size_t s = 0; s < part.clefs.size(); ++s)
    add_clef(a, part.clefs[s], s, part.clefs.size());
}

void add_tempos(xml_node measure, const MeasureInfo& info) {
  const bool compound = info.beats % 3 == 0 && (info.beats > 3 || info.beat_type >= 8);
  for (const auto& tempo : info.tempos) {
    xml_node sound;
    if (tempo.shown) {
      xml_node d = add(measure, "direction");
      d.append_attribute("placement") = "above";
      xml_node metronome = add(add(d, "direction-type"), "metronome");
      add(metronome, "beat-unit", "quarter");
      if (compound) add(metronome, "beat-unit-dot");
      add(metronome, "per-minute", std::lround(compound ? tempo.bpm / 1.5 : tempo.bpm));
      if (tempo.offset > 0) add(d, "offset", tempo.offset);
      sound = add(d, "sound");
    } else {
      sound = add(measure, "sound");
      if (tempo.offset > 0) add(sound, "offset", tempo.offset);
    }
    sound.append_attribute("tempo") = decimal(tempo.bpm).c_str();
  }
}

void add_head_pitch(xml_node note, const Part& part, const Head& head) {
  if (part.drums) {
    xml_node u = add(note, "unpitched");
    add(u, "display-step", std::string(1, head.spelling.step));
    add(u, "display-octave", head.spelling.octave);
    return;
  }
  xml_node p = add(note, "pitch");
  add(p, "step", std::string(1, head.spelling.step));
  if (head.spelling.alter != 0) add(p, "alter", head.spelling.alter);
  add(p, "octave", head.spelling.octave);
}

struct NoteContext {
  const Part& part;
  std::size_t part_index;
  std::size_t staff;
  int voice_number;  // as written: 1, 2 on the first staff; 5, 6 on the second
  bool two_voices;
  bool tuplet_bracket;
};

void add_notations(xml_node note, const Item& item, const Head* head, const NoteContext& c) {
  const bool tie_stop = head && head->tie_stop, tie_start = head && head->tie_start;
  if (!tie_stop && !tie_start && !item.tuplet_start && !item.tuplet_stop) return;
  xml_node nots = add(note, "notations");
  if (tie_stop) add(nots, "tied").append_attribute("type") = "stop";
  if (tie_start) add(nots, "tied").append_attribute("type") = "start";
  if (item.tuplet_start) {
    xml_node t = add(nots, "tuplet");
    t.append_attribute("type") = "start";
    t.append_attribute("bracket") = c.tuplet_bracket ? "yes" : "no";
  }
  if (item.tuplet_stop) add(nots, "tuplet").append_attribute("type") = "stop";
}

void add_note(xml_node measure, const Item& item, const Head* head, bool chord,
              const NoteContext& c) {
  xml_node note = add(measure, "note");
  // The second voice's rests keep its time but are not drawn: the first voice's are enough.
  if (!head && c.voice_number % 2 == 0) note.append_attribute("print-object") = "no";
  if (head) note.append_attribute("dynamics") = decimal(head->velocity * 100.0 / 90.0).c_str();
  if (chord) add(note, "chord");
  if (head) {
    add_head_pitch(note, c.part, *head);
  } else {
    xml_node rest = add(note, "rest");
    if (item.measure_rest) rest.append_attribute("measure") = "yes";
  }
  add(note, "duration", item.duration);
  if (head && head->tie_stop) add(note, "tie").append_attribute("type") = "stop";
  if (head && head->tie_start) add(note, "tie").append_attribute("type") = "start";
  if (head && c.part.drums)
    add(note, "instrument").append_attribute("id") = drum_id(c.part_index, head->pitch).c_str();
  add(note, "voice", c.voice_number);
  if (!item.measure_rest) add(note, "type", type_name(item.type));
  for (int d = 0; d < item.dots; ++d) add(note, "dot");
  if (head && head->show_accidental) add(note, "accidental", accidental_name(head->spelling.alter));
  if (item.triplet) {
    xml_node tm = add(note, "time-modification");
    add(tm, "actual-notes", 3);
    add(tm, "normal-notes", 2);
  }
  if (head && c.two_voices) add(note, "stem", c.voice_number % 2 == 1 ? "up" : "down");
  if (head && c.part.drums) {
    const std::string notehead = drum_placement(head->pitch).notehead;
    if (notehead != "normal") add(note, "notehead", notehead);
  }
  if (c.part.clefs.size() > 1) add(note, "staff", static_cast<unsigned>(c.staff + 1));
  for (int level = 0; level < 3 && !chord; ++level) {
    if (item.beams[level] == Beam::none || !head) continue;
    xml_node b = add(note, "beam", beam_name(item.beams[level]));
    b.append_attribute("number") = level + 1;
  }
  add_notations(note, item, head, c);
}

// A tuplet gets a bracket unless all of it is one beamed group of notes.
bool needs_bracket(const std::vector<Item>& items, std::size_t from) {
  for (std::size_t k = from; k < items.size(); ++k) {
    if (items[k].is_rest() || items[k].beams[0] == Beam::none) return true;
    if (items[k].tuplet_stop) return false;
  }
  return true;
}

void add_voice(xml_node measure, const Voice& voice, NoteContext c) {
  for (std::size_t k = 0; k < voice.items.size(); ++k) {
    const Item& item = voice.items[k];
    if (item.tuplet_start) c.tuplet_bracket = needs_bracket(voice.items, k);
    if (item.is_rest()) {
      add_note(measure, item, nullptr, false, c);
      continue;
    }
    for (std::size_t h = 0; h < item.heads.size(); ++h)
      add_note(measure, item, &item.heads[h], h > 0, c);
  }
}

void add_measure(xml_node part_node, const Notation& n, const Part& part, std::size_t p,
                 std::size_t m) {
  xml_node measure = add(part_node, "measure");
  measure.append_attribute("number") = static_cast<unsigned>(m + 1);
  add_attributes(measure, n, part, m);
  if (p == 0) add_tempos(measure, n.measures[m]);
  bool first = true;
  const PartMeasure& pm = part.measures[m];
  for (std::size_t s = 0; s < pm.staves.size(); ++s) {
    const StaffMeasure& staff = pm.staves[s];
    for (const Voice& voice : staff.voices) {
      if (!first) add(add(measure, "backup"), "duration", n.measures[m].length);
      first = false;
      const int number = voice.number + static_cast<int>(s) * 4;
      add_voice(measure, voice, {part, p, s, number, staff.voices.size() > 1, true});
    }
  }
  if (m + 1 == n.measures.size()) {
    xml_node barline = add(measure, "barline");
    barline.append_attribute("location") = "right";
    add(barline, "bar-style", "light-heavy");
  }
}

}  // namespace

std::string to_musicxml(const Notation& n) {
  pugi::xml_document doc;
  xml_node decl = doc.append_child(pugi::node_declaration);
  decl.append_attribute("version") = "1.0";
  decl.append_attribute("encoding") = "UTF-8";
  doc.append_child(pugi::node_doctype)
      .set_value(
          "score-partwise PUBLIC \"-//Recordare//DTD MusicXML 4.0 Partwise//EN\" "
          "\"http://www.musicxml.org/dtds/partwise.dtd\"");
  xml_node root = add(doc, "score-partwise");
  root.append_attribute("version") = "4.0";
  if (!n.title.empty()) add(add(root, "work"), "work-title", n.title);
  xml_node encoding = add(add(root, "identification"), "encoding");
  add(encoding, "software", "musegen");
  xml_node list = add(root, "part-list");
  for (std::size_t p = 0; p < n.parts.size(); ++p) add_score_part(list, n.parts[p], p);
  for (std::size_t p = 0; p < n.parts.size(); ++p) {
    xml_node part = add(root, "part");
    part.append_attribute("id") = part_id(p).c_str();
    for (std::size_t m = 0; m < n.measures.size(); ++m) add_measure(part, n, n.parts[p], p, m);
  }
  StringWriter writer;
  doc.save(writer, "  ", pugi::format_indent, pugi::encoding_utf8);
  return writer.out;
}

void write_musicxml_file(const Notation& notation, const std::filesystem::path& path) {
  write_file_atomic(path, to_musicxml(notation));
}

Notation write_musicxml_file(const Score& score, const std::filesystem::path& path,
                             const NotationOptions& options) {
  Notation notation = build_notation(score, options);
  write_musicxml_file(notation, path);
  return notation;
}

}  // namespace musegen::score
