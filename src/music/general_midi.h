// General MIDI names: the 128 program (instrument) names and pitch spelling for display.
#pragma once

#include <string>

namespace musegen {

// "Acoustic Grand Piano" for 0 ... "Gunshot" for 127; "" outside 0..127.
const char* gm_program_name(int program);
// Case-insensitive lookup of a GM program by exact name or by number text ("0".."127");
// returns -1 when unknown.
int gm_program_from_text(const std::string& text);
// Scientific pitch name with sharps, C4 = 60: "C4", "F#3", "C-1".
std::string pitch_name(int pitch);
// "C major", "A minor", "E- major" style names for a key signature (sharps -7..7).
std::string key_name(int sharps, bool minor);

}  // namespace musegen
