// General MIDI names: the 128 program (instrument) names, the percussion key map, and pitch
// spelling for display.
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace musegen {

// "Acoustic Grand Piano" for 0 ... "Gunshot" for 127; "" outside 0..127.
const char* gm_program_name(int program);
// Case-insensitive lookup of a GM program by exact name or by number text ("0".."127");
// returns -1 when unknown.
int gm_program_from_text(const std::string& text);
// Percussion key map of channel 10: "Acoustic Bass Drum" for 35 ... "Open Triangle" for 81;
// "" outside 35..81.
const char* gm_drum_name(int key);
// Not a program: the drums (channel 10) where an instrument number is expected.
inline constexpr int kGmDrumKit = 128;

// "Violin", "Drums" for kGmDrumKit, "Program N" for a number without a name.
std::string gm_instrument_name(int instrument);

// The instruments a user's word may mean, case-insensitive: a number 0..127, "drums" (also
// "drum", "drum kit", "percussion": kGmDrumKit), an exact GM name, or every program whose name
// has the word(s) as whole words ("bass" -> 32..39 and 87, "piano" -> 0..5). Empty: unknown.
std::vector<int> gm_programs_for(const std::string& text);

// The lowest and highest pitch `instrument` (a GM program) plays: piano 21..108, violin
// 55..103, ... (music/playable_range.cpp); 0..127 for drums (kGmDrumKit) and sound effects.
std::pair<int, int> gm_playable_range(int instrument);

// True for instruments that sound one note at a time, as a part: solo strings (40-43), voices
// (52-54), brass, reeds and pipes (56-79) and synth leads (80-87).
bool gm_one_voice(int instrument);

// Scientific pitch name with sharps, C4 = 60: "C4", "F#3", "C-1".
std::string pitch_name(int pitch);
// "C major", "A minor", "E- major" style names for a key signature (sharps -7..7).
std::string key_name(int sharps, bool minor);

}  // namespace musegen
