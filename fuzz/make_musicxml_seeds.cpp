// Writes the seed corpus of the MusicXML reader fuzzer into a folder: the notation test pieces
// as musegen writes them (piano grand staff, 6/8, triplets and ties with a time change, drums),
// a hand-written score using the reader's other paths (timewise, transposition, backup and
// forward, grace notes, dynamics, unpitched notes), and the same as a compressed .mxl.
#include <zip.h>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>

#include "score/musicxml_writer.h"
#include "score/pieces.h"

namespace {

const char* const kHandWritten = R"(<?xml version="1.0"?>
<score-timewise version="4.0"><part-list>
 <score-part id="A"><part-name>Clarinet</part-name><score-instrument id="A1"><instrument-name>Clarinet</instrument-name></score-instrument>
  <midi-instrument id="A1"><midi-channel>2</midi-channel><midi-program>72</midi-program></midi-instrument></score-part>
 <score-part id="B"><part-name>Drums</part-name><midi-instrument id="B39"><midi-channel>10</midi-channel><midi-unpitched>39</midi-unpitched></midi-instrument></score-part>
</part-list>
<measure number="1">
 <part id="A"><attributes><divisions>6</divisions><key><fifths>-2</fifths><mode>minor</mode></key><time><beats>3+2</beats><beat-type>8</beat-type></time>
  <transpose><chromatic>-2</chromatic><octave-change>0</octave-change></transpose></attributes>
  <direction><direction-type><dynamics><pp/></dynamics></direction-type><sound tempo="72.5" dynamics="40"/><offset>1</offset></direction>
  <note><grace/><pitch><step>G</step><octave>5</octave></pitch></note>
  <note><pitch><step>F</step><alter>1</alter><octave>5</octave></pitch><duration>4</duration><tie type="start"/><voice>1</voice></note>
  <note><chord/><pitch><step>A</step><octave>5</octave></pitch><duration>4</duration><voice>1</voice></note>
  <note><pitch><step>F</step><alter>1</alter><octave>5</octave></pitch><duration>2</duration><tie type="stop"/><voice>1</voice></note>
  <backup><duration>6</duration></backup><forward><duration>3</duration></forward>
  <note dynamics="120"><pitch><step>C</step><octave>4</octave></pitch><duration>12</duration><voice>2</voice></note>
  <sound tempo="90"/></part>
 <part id="B"><attributes><divisions>2</divisions></attributes>
  <note><unpitched><display-step>C</display-step><display-octave>5</display-octave></unpitched><duration>2</duration><instrument id="B39"/></note>
  <note><unpitched><display-step>G</display-step><display-octave>5</display-octave></unpitched><duration>3</duration><notehead>x</notehead></note></part>
</measure></score-timewise>)";

void write(const std::filesystem::path& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary);
  out << bytes;
}

void write_mxl(const std::filesystem::path& path, const std::string& xml) {
  int error = 0;
  zip_t* z = zip_open(path.c_str(), ZIP_CREATE | ZIP_TRUNCATE, &error);
  const std::string container =
      R"(<container><rootfiles><rootfile full-path="s.xml"/></rootfiles></container>)";
  zip_file_add(z, "META-INF/container.xml",
               zip_source_buffer(z, container.data(), container.size(), 0), 0);
  zip_file_add(z, "s.xml", zip_source_buffer(z, xml.data(), xml.size(), 0), 0);
  zip_close(z);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::cerr << "usage: fuzz_make_musicxml_seeds SEED_DIR [CORPUS_DIR]\n";
    return 2;
  }
  const std::filesystem::path dir = argv[1];
  std::filesystem::create_directories(dir);
  if (argc > 2) std::filesystem::create_directories(argv[2]);  // libFuzzer writes new inputs there
  namespace t = musegen::testing;
  for (const auto& [name, score] :
       {std::pair{"piano", t::two_hand_piano()}, std::pair{"six_eight", t::six_eight()},
        std::pair{"triplets", t::triplets_and_ties()}, std::pair{"drums", t::drum_groove()}})
    write(dir / (std::string(name) + ".musicxml"),
          musegen::score::to_musicxml(musegen::score::build_notation(score)));
  write(dir / "handwritten.musicxml", kHandWritten);
  write_mxl(dir / "handwritten.mxl", kHandWritten);
  std::cout << "wrote 6 seeds to " << dir << "\n";
  return 0;
}
