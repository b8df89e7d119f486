// Piano-roll SVG: one rectangle per note with the right geometry, colour and opacity, grid
// lines from time signatures, C labels, escaping, scaling, and a well-formedness check by a
// small XML parser written here.
#include "music/piano_roll_svg.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <map>
#include <stdexcept>

#include "core/errors.h"
#include "core/file_io.h"

namespace musegen {
namespace {

struct Element {
  std::string name;
  std::map<std::string, std::string> attrs;
  std::string text;  // character data directly inside, entities left as written
};

// Checks entity references in character data or attribute values.
void check_entities(const std::string& s) {
  for (std::size_t i = s.find('&'); i != std::string::npos; i = s.find('&', i + 1)) {
    const std::size_t end = s.find(';', i);
    if (end == std::string::npos) throw std::runtime_error("unterminated entity in " + s);
    const std::string entity = s.substr(i + 1, end - i - 1);
    if (entity != "amp" && entity != "lt" && entity != "gt" && entity != "quot" &&
        entity != "apos" && entity.rfind("#", 0) != 0)
      throw std::runtime_error("unknown entity &" + entity + ";");
  }
}

// A strict little XML parser: declaration, one root, matched tags, quoted attributes, legal
// entities, no '<' in text. Throws std::runtime_error on anything ill-formed.
std::vector<Element> parse_xml(const std::string& xml) {
  std::vector<Element> elements;
  std::vector<std::size_t> open;  // indices into elements
  std::size_t i = 0, roots = 0;
  if (xml.rfind("<?xml", 0) == 0) i = xml.find("?>") + 2;
  while (i < xml.size()) {
    if (xml[i] != '<') {
      const std::size_t end = xml.find('<', i);
      const std::string text = xml.substr(i, end - i);
      check_entities(text);
      if (open.empty() && text.find_first_not_of(" \n\t") != std::string::npos)
        throw std::runtime_error("text outside the root: " + text);
      if (!open.empty()) elements[open.back()].text += text;
      if (end == std::string::npos) break;
      i = end;
      continue;
    }
    const std::size_t close = xml.find('>', i);
    if (close == std::string::npos) throw std::runtime_error("unterminated tag");
    std::string tag = xml.substr(i + 1, close - i - 1);
    i = close + 1;
    if (tag[0] == '/') {
      if (open.empty() || elements[open.back()].name != tag.substr(1))
        throw std::runtime_error("mismatched </" + tag.substr(1) + ">");
      open.pop_back();
      continue;
    }
    const bool self_closing = tag.back() == '/';
    if (self_closing) tag.pop_back();
    Element e;
    std::size_t p = tag.find_first_of(" \n");
    e.name = tag.substr(0, p);
    while (p != std::string::npos && (p = tag.find_first_not_of(" \n", p)) != std::string::npos) {
      const std::size_t eq = tag.find('=', p);
      if (eq == std::string::npos || eq + 1 >= tag.size() || tag[eq + 1] != '"')
        throw std::runtime_error("unquoted attribute in <" + tag + ">");
      const std::size_t end = tag.find('"', eq + 2);
      if (end == std::string::npos) throw std::runtime_error("unterminated attribute");
      const std::string name = tag.substr(p, eq - p), value = tag.substr(eq + 2, end - eq - 2);
      if (value.find('<') != std::string::npos) throw std::runtime_error("'<' in an attribute");
      check_entities(value);
      if (!e.attrs.emplace(name, value).second) throw std::runtime_error("duplicate " + name);
      p = end + 1;
    }
    if (open.empty() && ++roots > 1) throw std::runtime_error("more than one root");
    elements.push_back(e);
    if (!self_closing) open.push_back(elements.size() - 1);
  }
  if (!open.empty()) throw std::runtime_error("unclosed <" + elements[open.back()].name + ">");
  return elements;
}

std::vector<Element> with_attr(const std::vector<Element>& all, const std::string& name,
                               const std::string& attr, const std::string& value) {
  std::vector<Element> out;
  for (const auto& e : all)
    if (e.name == name && e.attrs.count(attr) && e.attrs.at(attr) == value) out.push_back(e);
  return out;
}

double attr(const Element& e, const std::string& name) {
  return std::stod(e.attrs.at(name));
}

Note make_note(int pitch, double start_beats, double end_beats, int velocity = 100, int track = 0,
               int channel = 0) {
  Note n;
  n.pitch = pitch;
  n.velocity = velocity;
  n.track = track;
  n.channel = channel;
  n.start_ticks = std::llround(start_beats * 480);
  n.end_ticks = std::llround(end_beats * 480);
  return n;
}

Score three_notes() {
  Score s;
  s.ticks_per_quarter = 480;
  s.tracks = {{"Melody"}, {"Bass"}};
  s.notes = {make_note(60, 0, 1, 127), make_note(62, 1, 3, 64), make_note(48, 0.5, 1, 100, 1, 1)};
  s.sort_events();
  s.update_times();
  return s;
}

TEST(PianoRollSvg, OneRectanglePerNoteWithItsGeometry) {
  Score s = three_notes();
  PianoRollOptions o;
  o.px_per_unit = 32;
  o.row_height_px = 6;
  const PianoRollLayout l = piano_roll_layout(s, o);
  EXPECT_EQ(l.lowest_pitch, 47);
  EXPECT_EQ(l.highest_pitch, 63);
  EXPECT_DOUBLE_EQ(l.px_per_unit, 32);
  EXPECT_DOUBLE_EQ(l.duration_units, 3);
  const auto notes = with_attr(parse_xml(piano_roll_svg(s, o)), "rect", "class", "note");
  ASSERT_EQ(notes.size(), 3u);
  for (std::size_t i = 0; i < notes.size(); ++i) {
    const Note& n = s.notes[i];
    EXPECT_NEAR(attr(notes[i], "x"), l.x(n.start_beats), 1e-3);
    EXPECT_NEAR(attr(notes[i], "y"), l.y(n.pitch), 1e-3);
    EXPECT_NEAR(attr(notes[i], "width"), (n.end_beats - n.start_beats) * 32, 1e-3);
    EXPECT_NEAR(attr(notes[i], "height"), 6, 1e-9);
    EXPECT_NEAR(attr(notes[i], "fill-opacity"), n.velocity / 127.0, 1e-3);
  }
  // By hand: C4 at beat 0 and D4 at beat 1 are 32 px apart and two rows (12 px) apart.
  EXPECT_NEAR(attr(notes[2], "x") - attr(notes[0], "x"), 32, 1e-3);
  EXPECT_NEAR(attr(notes[0], "y") - attr(notes[2], "y"), 12, 1e-3);
  EXPECT_NEAR(attr(notes[2], "width"), 64, 1e-3);
  // Bass (track 1, channel 2) is s.notes[1]: a colour of its own.
  EXPECT_EQ(notes[0].attrs.at("fill"), notes[2].attrs.at("fill"));
  EXPECT_NE(notes[0].attrs.at("fill"), notes[1].attrs.at("fill"));
}

// The legend and the colours follow the tracks, not which part plays first: a part keeps its
// colour from piece to piece.
TEST(PianoRollSvg, ColoursFollowTheTrackOrder) {
  Score late_melody = three_notes(), early_melody = three_notes();
  for (Note& n : late_melody.notes)
    if (n.track == 0) n.start_ticks += 480, n.end_ticks += 480;  // Bass now sounds first
  late_melody.sort_events();
  late_melody.update_times();
  for (const Score* s : {&early_melody, &late_melody}) {
    const std::string svg = piano_roll_svg(*s, {});
    EXPECT_LT(svg.find("Melody"), svg.find("Bass"));
    const auto notes = with_attr(parse_xml(svg), "rect", "class", "note");
    for (std::size_t i = 0; i < notes.size(); ++i)
      EXPECT_EQ(notes[i].attrs.at("fill"), s->notes[i].track == 0 ? "#1f77b4" : "#ff7f0e");
  }
}

TEST(PianoRollSvg, LongPiecesAreScaledToTheMaximumWidth) {
  Score s;
  s.notes = {make_note(60, 0, 1), make_note(64, 999, 1000)};
  PianoRollOptions o;
  o.max_width_px = 1000;
  const PianoRollLayout l = piano_roll_layout(s, o);
  EXPECT_NEAR(l.width_px, 1000, 1e-9);
  EXPECT_LT(l.px_per_unit, 1.0);
  const auto elements = parse_xml(piano_roll_svg(s, o));
  EXPECT_NEAR(attr(elements.front(), "width"), 1000, 1e-3);
  const auto notes = with_attr(elements, "rect", "class", "note");
  ASSERT_EQ(notes.size(), 2u);
  EXPECT_NEAR(attr(notes[1], "x"), l.x(999), 1e-3);
  EXPECT_NEAR(attr(notes[1], "x") - attr(notes[0], "x"), 999 * l.px_per_unit, 2e-3);
}

TEST(PianoRollSvg, SecondsFollowTheTempoMap) {
  Score s;
  s.ticks_per_quarter = 480;
  s.tempos = {{0, 1000000}};  // 60 bpm: one second per quarter note
  s.notes = {make_note(60, 0, 1), make_note(62, 2, 3)};
  s.update_times();
  PianoRollOptions o;
  o.time_in_seconds = true;
  o.px_per_unit = 50;
  const auto notes = with_attr(parse_xml(piano_roll_svg(s, o)), "rect", "class", "note");
  ASSERT_EQ(notes.size(), 2u);
  EXPECT_NEAR(attr(notes[1], "x") - attr(notes[0], "x"), 100, 1e-3);
  EXPECT_NEAR(attr(notes[1], "width"), 50, 1e-3);
}

TEST(PianoRollSvg, BarLinesFollowTimeSignaturesAndBeatsAreMarked) {
  Score s;
  s.ticks_per_quarter = 480;
  s.time_signatures = {{0, 3, 4}};
  s.notes = {make_note(60, 0, 6)};
  s.update_times();
  PianoRollOptions o;
  o.px_per_unit = 20;
  const auto elements = parse_xml(piano_roll_svg(s, o));
  const PianoRollLayout l = piano_roll_layout(s, o);
  const auto bars = with_attr(elements, "line", "stroke", "#999999");
  ASSERT_EQ(bars.size(), 3u);  // beats 0, 3, 6
  for (int i = 0; i < 3; ++i) EXPECT_NEAR(attr(bars[i], "x1"), l.x(3.0 * i), 1e-3);
  EXPECT_EQ(with_attr(elements, "line", "stroke", "#dddddd").size(), 7u);  // beats 0..6
}

TEST(PianoRollSvg, CNotesAreLabelled) {
  Score s;
  s.notes = {make_note(55, 0, 1), make_note(74, 1, 2)};
  std::vector<std::string> labels;
  for (const auto& e : parse_xml(piano_roll_svg(s)))
    if (e.name == "text") labels.push_back(e.text);
  EXPECT_NE(std::find(labels.begin(), labels.end(), "C4"), labels.end());
  EXPECT_NE(std::find(labels.begin(), labels.end(), "C5"), labels.end());
  EXPECT_EQ(std::find(labels.begin(), labels.end(), "D4"), labels.end());
}

TEST(PianoRollSvg, TitleAndTrackNamesAreEscaped) {
  Score s = three_notes();
  s.tracks[0].name = "<Lead & \"Solo\"> caf\xE9";  // Latin-1 e-acute from a MIDI file
  PianoRollOptions o;
  o.title = "Tom & Jerry's <theme>";
  const std::string svg = piano_roll_svg(s, o);
  EXPECT_EQ(svg.find("<Lead"), std::string::npos);
  EXPECT_NE(svg.find("&lt;Lead &amp; &quot;Solo&quot;&gt; caf\xC3\xA9"), std::string::npos);
  EXPECT_NE(svg.find("Tom &amp; Jerry&apos;s &lt;theme&gt;"), std::string::npos);
  EXPECT_NO_THROW(parse_xml(svg));
  EXPECT_EQ(xml_escape("a\x01"
                       "b\tc"),
            "ab\tc");
  EXPECT_EQ(xml_escape("\xC3\xA9"), "\xC3\xA9");  // valid UTF-8 kept
}

TEST(PianoRollSvg, EmptyScoreIsAValidEmptyRoll) {
  const auto elements = parse_xml(piano_roll_svg(Score{}));
  EXPECT_EQ(elements.front().name, "svg");
  EXPECT_TRUE(with_attr(elements, "rect", "class", "note").empty());
}

TEST(PianoRollSvg, TheParserHereRejectsBrokenXml) {
  EXPECT_THROW(parse_xml("<svg><g></svg>"), std::runtime_error);
  EXPECT_THROW(parse_xml("<svg a=\"1\">x & y</svg>"), std::runtime_error);
  EXPECT_THROW(parse_xml("<svg a=1/>"), std::runtime_error);
  EXPECT_THROW(parse_xml("<a/><b/>"), std::runtime_error);
}

TEST(PianoRollSvg, RejectsOptionsOutOfRange) {
  PianoRollOptions o;
  o.px_per_unit = 0;
  EXPECT_THROW(piano_roll_svg(Score{}, o), ConfigError);
  o = {};
  o.max_width_px = 10;
  EXPECT_THROW(piano_roll_svg(Score{}, o), ConfigError);
  o = {};
  o.row_height_px = 1000;
  EXPECT_THROW(piano_roll_svg(Score{}, o), ConfigError);
}

TEST(PianoRollSvg, WritesTheFileAtomically) {
  const auto path = std::filesystem::temp_directory_path() /
                    ("musegen_roll_" + std::to_string(::getpid()) + ".svg");
  write_piano_roll_svg(three_notes(), path);
  EXPECT_EQ(read_file_text(path), piano_roll_svg(three_notes()));
  std::filesystem::remove(path);
  EXPECT_THROW(write_piano_roll_svg(three_notes(), "/nonexistent/dir/x.svg"), IoError);
}

}  // namespace
}  // namespace musegen
