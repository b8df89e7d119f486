// General MIDI program names and pitch/key spelling.
#include "music/general_midi.h"

#include <algorithm>
#include <cctype>

namespace musegen {

namespace {

const char* const kProgramNames[128] = {"Acoustic Grand Piano",
                                        "Bright Acoustic Piano",
                                        "Electric Grand Piano",
                                        "Honky-tonk Piano",
                                        "Electric Piano 1",
                                        "Electric Piano 2",
                                        "Harpsichord",
                                        "Clavinet",
                                        "Celesta",
                                        "Glockenspiel",
                                        "Music Box",
                                        "Vibraphone",
                                        "Marimba",
                                        "Xylophone",
                                        "Tubular Bells",
                                        "Dulcimer",
                                        "Drawbar Organ",
                                        "Percussive Organ",
                                        "Rock Organ",
                                        "Church Organ",
                                        "Reed Organ",
                                        "Accordion",
                                        "Harmonica",
                                        "Tango Accordion",
                                        "Acoustic Guitar (nylon)",
                                        "Acoustic Guitar (steel)",
                                        "Electric Guitar (jazz)",
                                        "Electric Guitar (clean)",
                                        "Electric Guitar (muted)",
                                        "Overdriven Guitar",
                                        "Distortion Guitar",
                                        "Guitar Harmonics",
                                        "Acoustic Bass",
                                        "Electric Bass (finger)",
                                        "Electric Bass (pick)",
                                        "Fretless Bass",
                                        "Slap Bass 1",
                                        "Slap Bass 2",
                                        "Synth Bass 1",
                                        "Synth Bass 2",
                                        "Violin",
                                        "Viola",
                                        "Cello",
                                        "Contrabass",
                                        "Tremolo Strings",
                                        "Pizzicato Strings",
                                        "Orchestral Harp",
                                        "Timpani",
                                        "String Ensemble 1",
                                        "String Ensemble 2",
                                        "Synth Strings 1",
                                        "Synth Strings 2",
                                        "Choir Aahs",
                                        "Voice Oohs",
                                        "Synth Voice",
                                        "Orchestra Hit",
                                        "Trumpet",
                                        "Trombone",
                                        "Tuba",
                                        "Muted Trumpet",
                                        "French Horn",
                                        "Brass Section",
                                        "Synth Brass 1",
                                        "Synth Brass 2",
                                        "Soprano Sax",
                                        "Alto Sax",
                                        "Tenor Sax",
                                        "Baritone Sax",
                                        "Oboe",
                                        "English Horn",
                                        "Bassoon",
                                        "Clarinet",
                                        "Piccolo",
                                        "Flute",
                                        "Recorder",
                                        "Pan Flute",
                                        "Blown Bottle",
                                        "Shakuhachi",
                                        "Whistle",
                                        "Ocarina",
                                        "Lead 1 (square)",
                                        "Lead 2 (sawtooth)",
                                        "Lead 3 (calliope)",
                                        "Lead 4 (chiff)",
                                        "Lead 5 (charang)",
                                        "Lead 6 (voice)",
                                        "Lead 7 (fifths)",
                                        "Lead 8 (bass + lead)",
                                        "Pad 1 (new age)",
                                        "Pad 2 (warm)",
                                        "Pad 3 (polysynth)",
                                        "Pad 4 (choir)",
                                        "Pad 5 (bowed)",
                                        "Pad 6 (metallic)",
                                        "Pad 7 (halo)",
                                        "Pad 8 (sweep)",
                                        "FX 1 (rain)",
                                        "FX 2 (soundtrack)",
                                        "FX 3 (crystal)",
                                        "FX 4 (atmosphere)",
                                        "FX 5 (brightness)",
                                        "FX 6 (goblins)",
                                        "FX 7 (echoes)",
                                        "FX 8 (sci-fi)",
                                        "Sitar",
                                        "Banjo",
                                        "Shamisen",
                                        "Koto",
                                        "Kalimba",
                                        "Bagpipe",
                                        "Fiddle",
                                        "Shanai",
                                        "Tinkle Bell",
                                        "Agogo",
                                        "Steel Drums",
                                        "Woodblock",
                                        "Taiko Drum",
                                        "Melodic Tom",
                                        "Synth Drum",
                                        "Reverse Cymbal",
                                        "Guitar Fret Noise",
                                        "Breath Noise",
                                        "Seashore",
                                        "Bird Tweet",
                                        "Telephone Ring",
                                        "Helicopter",
                                        "Applause",
                                        "Gunshot"};

const char* const kDrumNames[47] = {"Acoustic Bass Drum",
                                    "Bass Drum 1",
                                    "Side Stick",
                                    "Acoustic Snare",
                                    "Hand Clap",
                                    "Electric Snare",
                                    "Low Floor Tom",
                                    "Closed Hi-Hat",
                                    "High Floor Tom",
                                    "Pedal Hi-Hat",
                                    "Low Tom",
                                    "Open Hi-Hat",
                                    "Low-Mid Tom",
                                    "Hi-Mid Tom",
                                    "Crash Cymbal 1",
                                    "High Tom",
                                    "Ride Cymbal 1",
                                    "Chinese Cymbal",
                                    "Ride Bell",
                                    "Tambourine",
                                    "Splash Cymbal",
                                    "Cowbell",
                                    "Crash Cymbal 2",
                                    "Vibraslap",
                                    "Ride Cymbal 2",
                                    "Hi Bongo",
                                    "Low Bongo",
                                    "Mute Hi Conga",
                                    "Open Hi Conga",
                                    "Low Conga",
                                    "High Timbale",
                                    "Low Timbale",
                                    "High Agogo",
                                    "Low Agogo",
                                    "Cabasa",
                                    "Maracas",
                                    "Short Whistle",
                                    "Long Whistle",
                                    "Short Guiro",
                                    "Long Guiro",
                                    "Claves",
                                    "Hi Wood Block",
                                    "Low Wood Block",
                                    "Mute Cuica",
                                    "Open Cuica",
                                    "Mute Triangle",
                                    "Open Triangle"};

const char* const kSharpNames[12] = {"C",  "C#", "D",  "D#", "E",  "F",
                                     "F#", "G",  "G#", "A",  "A#", "B"};

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

}  // namespace

const char* gm_program_name(int program) {
  return (program >= 0 && program < 128) ? kProgramNames[program] : "";
}

const char* gm_drum_name(int key) {
  return key >= 35 && key <= 81 ? kDrumNames[key - 35] : "";
}

int gm_program_from_text(const std::string& text) {
  if (!text.empty() && std::all_of(text.begin(), text.end(), ::isdigit) && text.size() <= 3) {
    int n = std::stoi(text);
    return n < 128 ? n : -1;
  }
  const std::string wanted = lower(text);
  for (int p = 0; p < 128; ++p)
    if (lower(kProgramNames[p]) == wanted) return p;
  return -1;
}

namespace {

// Lower-case words of a name, punctuation dropped: "Lead 8 (bass + lead)" -> lead 8 bass lead.
std::vector<std::string> words_of(const std::string& text) {
  std::vector<std::string> words;
  std::string word;
  for (char c : text + " ") {
    if (std::isalnum(static_cast<unsigned char>(c))) {
      word += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    } else if (!word.empty()) {
      words.push_back(word);
      word.clear();
    }
  }
  return words;
}

}  // namespace

bool gm_one_voice(int instrument) {
  return (instrument >= 40 && instrument <= 43) || (instrument >= 52 && instrument <= 54) ||
         (instrument >= 56 && instrument <= 87);
}

std::string gm_instrument_name(int instrument) {
  if (instrument == kGmDrumKit) return "Drums";
  const char* name = gm_program_name(instrument);
  return name && *name ? name : "Program " + std::to_string(instrument);
}

std::vector<int> gm_programs_for(const std::string& text) {
  const std::string wanted = lower(text);
  if (wanted == "drums" || wanted == "drum" || wanted == "drum kit" || wanted == "percussion")
    return {kGmDrumKit};
  if (const int exact = gm_program_from_text(text); exact >= 0) return {exact};
  const auto wanted_words = words_of(text);
  if (wanted_words.empty()) return {};
  std::vector<int> out;
  for (int p = 0; p < 128; ++p) {
    const auto words = words_of(kProgramNames[p]);
    const bool all = std::all_of(wanted_words.begin(), wanted_words.end(), [&](const auto& w) {
      return std::find(words.begin(), words.end(), w) != words.end();
    });
    if (all) out.push_back(p);
  }
  return out;
}

std::string pitch_name(int pitch) {
  if (pitch < 0 || pitch > 127) return "?";
  return std::string(kSharpNames[pitch % 12]) + std::to_string(pitch / 12 - 1);
}

std::string key_name(int sharps, bool minor) {
  // Circle of fifths from 7 flats to 7 sharps.
  static const char* const kMajor[15] = {"Cb", "Gb", "Db", "Ab", "Eb", "Bb", "F", "C",
                                         "G",  "D",  "A",  "E",  "B",  "F#", "C#"};
  static const char* const kMinor[15] = {"Ab", "Eb", "Bb", "F",  "C",  "G",  "D", "A",
                                         "E",  "B",  "F#", "C#", "G#", "D#", "A#"};
  if (sharps < -7 || sharps > 7) return "unknown key";
  const int i = sharps + 7;
  return std::string(minor ? kMinor[i] : kMajor[i]) + (minor ? " minor" : " major");
}

}  // namespace musegen
