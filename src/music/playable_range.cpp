// The playable pitch range of every General MIDI program (general_midi.h): written ranges of
// the orchestral instruments (violin G3..G7, cello C2..E5, ...), the keyboard's 21..108 for
// pianos, wide ranges for synthesizers; sound effects unrestricted.
#include <array>

#include "music/general_midi.h"

namespace musegen {

namespace {

using Range = std::pair<int, int>;

// Indexed by program. Sources: orchestration ranges (Adler, The Study of Orchestration) for
// acoustic instruments, rounded outward to the notes players reach.
constexpr std::array<Range, 128> kRanges = {{
    // 0-7 pianos, harpsichord, clavinet
    {21, 108},
    {21, 108},
    {21, 108},
    {21, 108},
    {21, 108},
    {21, 108},
    {29, 89},
    {36, 96},
    // 8-15 chromatic percussion: celesta, glockenspiel, music box, vibraphone, marimba,
    // xylophone, tubular bells, dulcimer
    {60, 108},
    {79, 108},
    {60, 96},
    {53, 89},
    {45, 96},
    {65, 108},
    {60, 77},
    {48, 84},
    // 16-23 organs, accordion, harmonica, bandoneon
    {24, 96},
    {24, 96},
    {24, 96},
    {21, 108},
    {36, 96},
    {53, 89},
    {60, 84},
    {53, 89},
    // 24-31 guitars
    {40, 88},
    {40, 88},
    {40, 88},
    {40, 88},
    {40, 88},
    {40, 88},
    {40, 88},
    {40, 88},
    // 32-39 basses
    {28, 67},
    {28, 67},
    {28, 67},
    {28, 67},
    {28, 67},
    {28, 67},
    {24, 72},
    {24, 72},
    // 40-47 violin, viola, cello, contrabass, tremolo and pizzicato strings, harp, timpani
    {55, 103},
    {48, 91},
    {36, 76},
    {28, 67},
    {28, 103},
    {28, 103},
    {24, 103},
    {40, 57},
    // 48-55 string and synth ensembles, choir aahs, voice oohs, synth voice, orchestra hit
    {28, 103},
    {28, 103},
    {28, 103},
    {28, 103},
    {40, 84},
    {40, 84},
    {40, 84},
    {36, 84},
    // 56-63 trumpet, trombone, tuba, muted trumpet, horn, brass section, synth brass
    {54, 86},
    {40, 72},
    {28, 58},
    {54, 82},
    {34, 77},
    {34, 86},
    {36, 96},
    {36, 96},
    // 64-71 saxophones (soprano, alto, tenor, baritone), oboe, English horn, bassoon, clarinet
    {56, 87},
    {49, 81},
    {44, 76},
    {36, 69},
    {58, 91},
    {52, 81},
    {34, 75},
    {50, 94},
    // 72-79 piccolo, flute, recorder, pan flute, blown bottle, shakuhachi, whistle, ocarina
    {74, 108},
    {60, 96},
    {60, 98},
    {60, 96},
    {60, 96},
    {55, 86},
    {60, 96},
    {60, 84},
    // 80-87 synth leads
    {24, 108},
    {24, 108},
    {24, 108},
    {24, 108},
    {24, 108},
    {24, 108},
    {24, 108},
    {24, 108},
    // 88-95 synth pads
    {24, 108},
    {24, 108},
    {24, 108},
    {24, 108},
    {24, 108},
    {24, 108},
    {24, 108},
    {24, 108},
    // 96-103 synth effects
    {24, 108},
    {24, 108},
    {24, 108},
    {24, 108},
    {24, 108},
    {24, 108},
    {24, 108},
    {24, 108},
    // 104-111 sitar, banjo, shamisen, koto, kalimba, bagpipe, fiddle, shanai
    {48, 77},
    {48, 84},
    {50, 79},
    {55, 84},
    {60, 84},
    {55, 77},
    {55, 96},
    {60, 84},
    // 112-119 tinkle bell, agogo, steel drums, woodblock, taiko, melodic tom, synth drum,
    // reverse cymbal
    {72, 96},
    {60, 84},
    {52, 76},
    {60, 84},
    {36, 60},
    {36, 72},
    {36, 72},
    {36, 84},
    // 120-127 sound effects: any key
    {0, 127},
    {0, 127},
    {0, 127},
    {0, 127},
    {0, 127},
    {0, 127},
    {0, 127},
    {0, 127},
}};

}  // namespace

std::pair<int, int> gm_playable_range(int instrument) {
  if (instrument < 0 || instrument > 127) return {0, 127};  // drums and unknowns: any key
  return kRanges[static_cast<std::size_t>(instrument)];
}

}  // namespace musegen
