// build_notation on pieces built in code: the notes a player reads are the notes written,
// with the parts, staves, clefs, keys, spelling and values a musician expects.
#include "score/notation.h"

#include <gtest/gtest.h>

#include "core/errors.h"
#include "score/parts.h"
#include "score/pieces.h"
#include "score/spelling.h"

namespace musegen::score {

namespace {

using testing::kQ;

// The Score's notes as notated notes (divisions of 12 per quarter), part = `part_of(track)`.
template <typename PartOf>
std::vector<NotatedNote> expected_notes(const Score& s, PartOf part_of) {
  std::vector<NotatedNote> out;
  for (const Note& n : s.notes)
    out.push_back(
        {part_of(n.track), n.pitch, n.start_ticks * 12 / kQ, n.end_ticks * 12 / kQ, n.velocity});
  std::sort(out.begin(), out.end(), [](const NotatedNote& a, const NotatedNote& b) {
    return std::tie(a.start, a.part, a.pitch, a.end) < std::tie(b.start, b.part, b.pitch, b.end);
  });
  return out;
}

const Item* item_at(const Notation& n, std::size_t part, std::size_t measure, std::size_t staff,
                    std::size_t voice, std::int64_t start) {
  for (const Item& item : n.parts[part].measures[measure].staves[staff].voices[voice].items)
    if (item.start == start) return &item;
  return nullptr;
}

TEST(Notation, PiecesGiveBackTheirNotes) {
  const auto same = [](int track) { return track; };
  const auto one = [](int) { return 0; };
  for (const auto& [name, score, piano] :
       {std::tuple{"two_hand_piano", testing::two_hand_piano(), true},
        std::tuple{"six_eight", testing::six_eight(), false},
        std::tuple{"triplets_and_ties", testing::triplets_and_ties(), false},
        std::tuple{"drum_groove", testing::drum_groove(), false}}) {
    const Notation n = build_notation(score);
    EXPECT_EQ(notated_notes(n), piano ? expected_notes(score, one) : expected_notes(score, same))
        << name;
    EXPECT_EQ(n.stats.n_merged + n.stats.n_shortened + n.stats.n_lengthened, 0u) << name;
  }
}

TEST(Notation, TwoHandPianoOnAGrandStaff) {
  const Notation n = build_notation(testing::two_hand_piano());
  ASSERT_EQ(n.parts.size(), 1u);
  const Part& piano = n.parts[0];
  EXPECT_EQ(piano.name, "Acoustic Grand Piano");
  EXPECT_EQ(piano.clefs, (std::vector<Clef>{Clef::treble, Clef::bass}));
  ASSERT_EQ(n.measures.size(), 4u);
  EXPECT_EQ(n.measures[0].key.sharps, 2);
  EXPECT_FALSE(n.stats.key_estimated);
  // Bar 2: D5 over G4 and A4, in two voices.
  EXPECT_EQ(piano.measures[1].staves[0].voices.size(), 2u);
  // Bar 3: F sharp 5 tied over the bar line; the left hand's G sharp shows its sharp.
  const Item* tied = item_at(n, 0, 2, 0, 0, 24);
  ASSERT_NE(tied, nullptr);
  EXPECT_EQ(tied->type, NoteType::half);
  EXPECT_TRUE(tied->heads[0].tie_start);
  EXPECT_EQ(tied->heads[0].spelling.step, 'F');
  EXPECT_EQ(tied->heads[0].spelling.alter, 1);
  EXPECT_FALSE(tied->heads[0].show_accidental);  // in the key
  const Item* g_sharp = item_at(n, 0, 2, 1, 0, 0);
  ASSERT_NE(g_sharp, nullptr);
  EXPECT_EQ(g_sharp->heads[0].spelling.step, 'G');
  EXPECT_TRUE(g_sharp->heads[0].show_accidental);
  // Bar 1: sixteenths beamed with the eighth before them.
  const Item* sixteenth = item_at(n, 0, 0, 0, 0, 30);
  ASSERT_NE(sixteenth, nullptr);
  EXPECT_EQ(sixteenth->type, NoteType::n16th);
  EXPECT_EQ(sixteenth->beams[0], Beam::continue_);
  EXPECT_EQ(sixteenth->beams[1], Beam::begin);
}

TEST(Notation, SixEightInAnEstimatedKey) {
  const Notation n = build_notation(testing::six_eight());
  EXPECT_TRUE(n.stats.key_estimated);
  EXPECT_EQ(n.measures[0].key.sharps, 1);
  EXPECT_FALSE(n.measures[0].key.minor);
  EXPECT_EQ(n.measures[0].beats, 6);
  EXPECT_EQ(n.measures[0].length, 36);
  EXPECT_EQ(n.parts[0].clefs, std::vector<Clef>{Clef::treble});
  EXPECT_EQ(n.parts[0].program, 73);
  const Item* dotted = item_at(n, 0, 0, 0, 0, 0);
  ASSERT_NE(dotted, nullptr);
  EXPECT_EQ(dotted->type, NoteType::quarter);
  EXPECT_EQ(dotted->dots, 1);
  const Item* bar4 = item_at(n, 0, 3, 0, 0, 0);
  ASSERT_NE(bar4, nullptr);
  EXPECT_EQ(bar4->type, NoteType::half);
  EXPECT_EQ(bar4->dots, 1);
}

TEST(Notation, TripletsTiesAndATimeChange) {
  const Notation n = build_notation(testing::triplets_and_ties());
  ASSERT_EQ(n.measures.size(), 4u);
  EXPECT_EQ(n.measures[3].beats, 3);
  EXPECT_TRUE(n.measures[3].time_change);
  EXPECT_FALSE(n.measures[2].time_change);
  const Item* first = item_at(n, 0, 0, 0, 0, 0);
  ASSERT_NE(first, nullptr);
  EXPECT_TRUE(first->triplet);
  EXPECT_TRUE(first->tuplet_start);
  const Item* quarter_triplet = item_at(n, 0, 0, 0, 0, 24);
  ASSERT_NE(quarter_triplet, nullptr);
  EXPECT_TRUE(quarter_triplet->triplet);
  EXPECT_EQ(quarter_triplet->type, NoteType::quarter);
  const Item* rest = item_at(n, 0, 1, 0, 0, 36);  // the triplet that starts with a rest
  ASSERT_NE(rest, nullptr);
  EXPECT_TRUE(rest->is_rest());
  EXPECT_TRUE(rest->triplet);
  EXPECT_TRUE(rest->tuplet_start);
  const Item* whole = item_at(n, 0, 2, 0, 0, 0);
  ASSERT_NE(whole, nullptr);
  EXPECT_EQ(whole->type, NoteType::whole);
  EXPECT_TRUE(whole->heads[0].tie_start);
  EXPECT_GT(n.stats.n_triplet_beats, 0u);
}

TEST(Notation, DrumsOnAPercussionStaff) {
  const Notation n = build_notation(testing::drum_groove());
  ASSERT_EQ(n.parts.size(), 1u);
  const Part& drums = n.parts[0];
  EXPECT_TRUE(drums.drums);
  EXPECT_EQ(drums.name, "Drums");
  EXPECT_EQ(drums.channel, 9);
  EXPECT_EQ(drums.clefs, std::vector<Clef>{Clef::percussion});
  EXPECT_EQ(drums.drum_keys, (std::vector<int>{36, 38, 42, 49}));
  const Item* first = item_at(n, 0, 0, 0, 0, 0);
  ASSERT_NE(first, nullptr);
  ASSERT_EQ(first->heads.size(), 2u);
  EXPECT_EQ(first->heads[0].pitch, 49);  // crash, above the staff
  EXPECT_EQ(first->heads[0].spelling.step, 'A');
  EXPECT_EQ(first->heads[0].spelling.octave, 5);
  EXPECT_EQ(first->heads[1].spelling.step, 'F');  // kick, bottom space
  EXPECT_EQ(first->heads[1].spelling.octave, 4);
}

TEST(Notation, ChoraleVoicesGetTheirClefs) {
  testing::PieceBuilder b({"Soprano", "Alto", "Tenor", "Bass"});
  const int choir = 52;
  for (auto [track, pitches] : {std::pair{0, std::vector<int>{72, 74, 76, 74}},
                                std::pair{1, std::vector<int>{67, 65, 64, 67}},
                                std::pair{2, std::vector<int>{57, 60, 64, 62}},
                                std::pair{3, std::vector<int>{48, 50, 45, 43}}}) {
    b.from(0);
    for (int p : pitches) b.play({p}, kQ, track, track, choir);
  }
  const Notation n = build_notation(b.done());
  ASSERT_EQ(n.parts.size(), 4u);
  EXPECT_EQ(n.parts[0].clefs[0], Clef::treble);
  EXPECT_EQ(n.parts[1].clefs[0], Clef::treble);
  EXPECT_EQ(n.parts[2].clefs[0], Clef::treble_8vb);
  EXPECT_EQ(n.parts[3].clefs[0], Clef::bass);
  EXPECT_EQ(n.parts[2].name, "Tenor");
  EXPECT_EQ(n.parts[2].channel, 2);
}

TEST(Notation, OnePianoTrackSplitsAtThePitch) {
  testing::PieceBuilder b({"Piano"});
  b.play({48, 60, 64}, kQ).play({59, 67}, kQ);
  NotationOptions options;
  const Notation n = build_notation(b.done(), options);
  ASSERT_EQ(n.parts.size(), 1u);
  ASSERT_EQ(n.parts[0].clefs.size(), 2u);
  EXPECT_EQ(item_at(n, 0, 0, 0, 0, 0)->heads.size(), 2u);   // C4 and E4 above
  EXPECT_EQ(item_at(n, 0, 0, 1, 0, 12)->heads.size(), 1u);  // B3 below
  options.split_pitch = 59;
  const Notation moved = build_notation(b.done(), options);
  EXPECT_EQ(item_at(moved, 0, 0, 0, 0, 12)->heads.size(), 2u);
  options.split_pitch = 128;
  EXPECT_THROW(build_notation(b.done(), options), ConfigError);
}

TEST(Notation, HighFourPartPianoSplitsAtItsMedian) {
  testing::PieceBuilder b({"Piano"});
  for (int k = 0; k < 4; ++k) b.play({67 + k, 72 + k, 76 + k, 84 + k}, kQ);  // all above C4
  const Notation n = build_notation(b.done());
  ASSERT_EQ(n.parts[0].clefs.size(), 2u);
  for (std::int64_t beat = 0; beat < 4; ++beat) {
    EXPECT_EQ(item_at(n, 0, 0, 0, 0, 12 * beat)->heads.size(), 2u) << beat;  // two voices up
    EXPECT_EQ(item_at(n, 0, 0, 1, 0, 12 * beat)->heads.size(), 2u) << beat;  // two down
  }
  EXPECT_EQ(n.parts[0].clefs[1], Clef::treble);  // the lower staff's range is a treble one
  testing::PieceBuilder melody({"Piano"});
  for (int k = 0; k < 8; ++k) melody.play({72 + k}, kQ);
  const Notation m = build_notation(melody.done());
  EXPECT_EQ(item_at(m, 0, 0, 1, 0, 0)->measure_rest, true);  // a melody stays on one staff
}

TEST(Notation, KeyChangesAtTheNextBarAndEstimateOnRequest) {
  testing::PieceBuilder b({"Violin"});
  for (int bar = 0; bar < 3; ++bar) b.play({62, 66, 69}, 4 * kQ, 0, 0, 40);
  b.score.key_signatures = {{0, 2, false}, {4 * kQ + kQ, -3, false}};  // inside bar 2
  const Notation n = build_notation(b.done());
  EXPECT_EQ(n.measures[1].key.sharps, 2);
  EXPECT_EQ(n.measures[2].key.sharps, -3);
  EXPECT_TRUE(n.measures[2].key_change);
  EXPECT_FALSE(n.measures[1].key_change);
  NotationOptions options;
  options.estimate_key = true;
  EXPECT_EQ(build_notation(b.done(), options).measures[2].key.sharps, 2);  // D major chords
}

TEST(Notation, MusicTooLongForAScoreIsAnError) {
  testing::PieceBuilder b({"Piano"});
  b.play({60}, kQ).from(std::int64_t{kQ} * 4 * 30000).play({62}, kQ);
  EXPECT_THROW(build_notation(b.done()), Error);
}

TEST(Notation, EmptyScoreIsOneRestingBar) {
  const Notation n = build_notation(Score{});
  EXPECT_EQ(n.measures.size(), 1u);
  ASSERT_EQ(n.parts.size(), 1u);  // a score holds at least one part
  EXPECT_TRUE(n.parts[0].measures[0].staves[0].voices[0].items[0].measure_rest);
  EXPECT_TRUE(notated_notes(n).empty());
}

TEST(Spelling, FollowsTheKey) {
  struct Row {
    int sharps = 0;
    bool minor = false;
    int pitch = 60;
    char step = 'C';
    int alter = 0, octave = 4;
  };
  // clang-format off: one row a line
  const Row rows[] = {
      {.sharps = 2, .pitch = 66, .step = 'F', .alter = 1, .octave = 4},  // F sharp in D major
      {.sharps = -6,
       .minor = true,
       .pitch = 66,
       .step = 'G',
       .alter = -1,
       .octave = 4},  // G flat in E flat minor
      {.sharps = 0,
       .minor = true,
       .pitch = 68,
       .step = 'G',
       .alter = 1,
       .octave = 4},  // G sharp in A minor (raised seventh)
      {.sharps = 0, .pitch = 61, .step = 'C', .alter = 1, .octave = 4},    // C sharp in C major
      {.sharps = 0, .pitch = 63, .step = 'E', .alter = -1, .octave = 4},   // E flat
      {.sharps = 0, .pitch = 70, .step = 'B', .alter = -1, .octave = 4},   // B flat
      {.sharps = -1, .pitch = 70, .step = 'B', .alter = -1, .octave = 4},  // B flat in F major
      {.sharps = 5, .pitch = 63, .step = 'D', .alter = 1, .octave = 4},    // D sharp in B major
      {.sharps = -6,
       .pitch = 71,
       .step = 'C',
       .alter = -1,
       .octave = 5},  // C flat in G flat major: the octave of C
      {.sharps = 7, .pitch = 65, .step = 'E', .alter = 1, .octave = 4},  // E sharp in C sharp major
      {.sharps = 7,
       .pitch = 60,
       .step = 'B',
       .alter = 1,
       .octave = 3},  // B sharp: an octave lower by name
      {.sharps = -7, .pitch = 64, .step = 'F', .alter = -1, .octave = 4},  // F flat in C flat major
      {.sharps = -3,
       .pitch = 59,
       .step = 'B',
       .alter = 0,
       .octave = 3},  // B natural in E flat major
  };
  // clang-format on

  for (const Row& r : rows) {
    const Spelling s = spell(r.pitch, {0, r.sharps, r.minor});
    EXPECT_EQ(s.step, r.step) << r.pitch << " in " << r.sharps;
    EXPECT_EQ(s.alter, r.alter) << r.pitch << " in " << r.sharps;
    EXPECT_EQ(s.octave, r.octave) << r.pitch << " in " << r.sharps;
  }
}

TEST(Spelling, KeyEstimatedFromPitchClasses) {
  auto weights = [](std::initializer_list<int> pcs) {
    std::array<double, 12> w{};
    for (int pc : pcs) w[pc] += 1;
    return w;
  };
  auto c_major = weights({0, 2, 4, 5, 7, 9, 11, 0, 4, 7});
  EXPECT_EQ(estimate_key(c_major).sharps, 0);
  EXPECT_FALSE(estimate_key(c_major).minor);
  auto a_minor = weights({9, 11, 0, 2, 4, 5, 8, 9, 0, 4, 9});
  EXPECT_EQ(estimate_key(a_minor).sharps, 0);
  EXPECT_TRUE(estimate_key(a_minor).minor);
  auto g_major = weights({7, 9, 11, 0, 2, 4, 6, 7, 11, 2});
  EXPECT_EQ(estimate_key(g_major).sharps, 1);
  auto e_flat_minor = weights({3, 5, 6, 8, 10, 11, 2, 3, 6, 10, 3});
  EXPECT_EQ(estimate_key(e_flat_minor).sharps, -6);
  EXPECT_TRUE(estimate_key(e_flat_minor).minor);
  EXPECT_EQ(estimate_key(std::array<double, 12>{}).sharps, 0);
}

TEST(Spelling, AccidentalsLastTheMeasure) {
  StaffMeasure staff;
  Voice voice;
  const KeySignature d_major{0, 2, false};
  for (auto [start, pitch, tie_stop] : {std::tuple{0, 72, false}, std::tuple{12, 72, false},
                                        std::tuple{24, 73, false}, std::tuple{36, 73, true}}) {
    Item item;
    item.start = start;
    Head head;
    head.pitch = pitch;
    head.tie_stop = tie_stop;
    head.spelling = spell(pitch, d_major);
    item.heads.push_back(head);
    voice.items.push_back(item);
  }
  staff.voices.push_back(voice);
  mark_accidentals(staff, d_major);
  const auto& items = staff.voices[0].items;
  EXPECT_TRUE(items[0].heads[0].show_accidental);   // C natural against the key's C sharp
  EXPECT_FALSE(items[1].heads[0].show_accidental);  // still natural in this measure
  EXPECT_TRUE(items[2].heads[0].show_accidental);   // back to C sharp: shown
  EXPECT_FALSE(items[3].heads[0].show_accidental);  // tied over: never
}

}  // namespace
}  // namespace musegen::score
