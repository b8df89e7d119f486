// Following the multitrack grammar token by token, and what may come next.
#include "generate/multitrack_grammar.h"

namespace musegen::generate {

using tokenize::MtKind;

namespace {

// Drum-map keys a drum part may play: GM's 35..81 and GM2's extensions 27..87.
constexpr int kLowestDrumKey = 27, kHighestDrumKey = 87;

}  // namespace

void follow(GrammarState& s, const tokenize::MtToken& t, const tokenize::MultitrackTokenizer& tk) {
  const bool tracks_layout = tk.tracks_layout();
  switch (t.kind) {
    case MtKind::inst:
      if (s.header) s.instruments.push_back(t.value);
      break;
    case MtKind::bar:
      s.header = false;
      ++s.bar;
      s.position = -1;
      if (!tracks_layout) s.track = -1;
      s.velocity_bin = 0;
      s.notes_in_bar = 0;
      s.bar_open = true;
      break;
    case MtKind::ts:
      if (s.bar_open) {
        s.signature_numerator = t.value;
        s.signature_denominator = t.value2;
        s.bar_steps = t.value * 4 * tk.piece_options().steps_per_quarter / t.value2;
      }
      break;
    case MtKind::pos:
      s.position = t.value;
      s.bar_open = false;
      if (!tracks_layout) s.track = -1;
      break;
    case MtKind::trk:
      if (tracks_layout) s.bar = -1, s.header = false;
      s.track = t.value;
      break;
    case MtKind::velocity:
      s.velocity_bin = t.value;
      break;
    case MtKind::pitch:
      ++s.notes_in_bar;
      s.note_steps = 0;
      break;
    case MtKind::duration:
      s.note_steps += t.value;
      break;
    case MtKind::fill:
      s.header = false;
      s.fill_marker = t.value;
      s.bar = -1;
      s.position = -1;
      s.track = -1;
      break;
    default:
      break;
  }
  if (t.kind != MtKind::other) s.last = t.kind;
}

bool grammatical(const GrammarState& s, const tokenize::MtToken& t,
                 const tokenize::MultitrackTokenizer& tk) {
  const int n_tracks = static_cast<int>(s.instruments.size());
  const bool tracks_layout = tk.tracks_layout();
  if (s.last == MtKind::pitch) return t.kind == MtKind::duration;
  // A part's token and a velocity are followed by the note they introduce.
  if (!tracks_layout && s.last == MtKind::trk)
    return t.kind == MtKind::pitch || t.kind == MtKind::velocity;
  if (s.last == MtKind::velocity) return t.kind == MtKind::pitch;
  // After an onset, a part (or a tempo change) comes before anything else.
  if (!tracks_layout && s.last == MtKind::pos)
    return t.kind == MtKind::trk ? t.value < n_tracks : t.kind == MtKind::tempo;
  const bool placed = s.bar >= 0 && s.position >= 0 && s.track >= 0 && s.track < n_tracks;
  switch (t.kind) {
    case MtKind::inst:
    case MtKind::fill:
      return false;
    case MtKind::duration:
      return s.last == MtKind::duration;
    case MtKind::ts:
      return s.bar_open && s.last == MtKind::bar;
    case MtKind::tempo:
      return s.bar >= 0 && (s.bar_open || s.last == MtKind::pos);
    case MtKind::pos:
      return s.bar >= 0 && t.value > s.position && t.value < s.bar_steps;
    case MtKind::trk:
      if (t.value >= n_tracks) return false;
      return tracks_layout ? t.value == s.track + 1 : s.position >= 0 && t.value > s.track;
    case MtKind::velocity:
      return placed && t.value != s.velocity_bin;
    case MtKind::pitch:
      return placed && (!s.is_drum_track(s.track) ||
                        (t.value >= kLowestDrumKey && t.value <= kHighestDrumKey));
    case MtKind::bar:
      return !tracks_layout || s.track >= 0;
    default:
      return true;  // tokens of no kind (<end>)
  }
}

}  // namespace musegen::generate
