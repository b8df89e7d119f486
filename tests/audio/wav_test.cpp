// WAV bytes: the RIFF header field by field, round trips, other chunks, and clear errors for
// input that is not 16-bit PCM WAV.
#include "audio/wav.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "core/errors.h"

namespace musegen::audio {
namespace {

std::uint32_t u32_at(const std::vector<std::uint8_t>& b, std::size_t at) {
  return b[at] | b[at + 1] << 8 | b[at + 2] << 16 | static_cast<std::uint32_t>(b[at + 3]) << 24;
}
std::uint16_t u16_at(const std::vector<std::uint8_t>& b, std::size_t at) {
  return static_cast<std::uint16_t>(b[at] | b[at + 1] << 8);
}
std::string tag_at(const std::vector<std::uint8_t>& b, std::size_t at) {
  return std::string(b.begin() + at, b.begin() + at + 4);
}

AudioBuffer stereo(std::vector<std::int16_t> samples, int rate = 44100) {
  AudioBuffer a;
  a.sample_rate = rate;
  a.channels = 2;
  a.samples = std::move(samples);
  return a;
}

TEST(WavBytes, HeaderFieldsAreThoseOfCanonicalPcm) {
  const auto b = wav_bytes(stereo({1, -1, 32767, -32768, 0, 258}));
  ASSERT_EQ(b.size(), 44u + 12u);
  EXPECT_EQ(tag_at(b, 0), "RIFF");
  EXPECT_EQ(u32_at(b, 4), 36u + 12u);  // file size minus 8
  EXPECT_EQ(tag_at(b, 8), "WAVE");
  EXPECT_EQ(tag_at(b, 12), "fmt ");
  EXPECT_EQ(u32_at(b, 16), 16u);
  EXPECT_EQ(u16_at(b, 20), 1);  // PCM
  EXPECT_EQ(u16_at(b, 22), 2);  // channels
  EXPECT_EQ(u32_at(b, 24), 44100u);
  EXPECT_EQ(u32_at(b, 28), 44100u * 4);  // bytes per second
  EXPECT_EQ(u16_at(b, 32), 4);           // bytes per frame
  EXPECT_EQ(u16_at(b, 34), 16);          // bits per sample
  EXPECT_EQ(tag_at(b, 36), "data");
  EXPECT_EQ(u32_at(b, 40), 12u);
  EXPECT_EQ(u16_at(b, 44), 1);
  EXPECT_EQ(u16_at(b, 46), 0xFFFF);  // -1, little-endian two's complement
  EXPECT_EQ(u16_at(b, 50), 0x8000);
  EXPECT_EQ(b[54], 0x02);
  EXPECT_EQ(b[55], 0x01);
}

TEST(WavBytes, RoundTripsThroughTheParser) {
  AudioBuffer a = stereo({5, -7, 300, -300, 32767, -32768}, 22050);
  AudioBuffer back = parse_wav(wav_bytes(a), "mem.wav");
  EXPECT_EQ(back.sample_rate, 22050);
  EXPECT_EQ(back.channels, 2);
  EXPECT_EQ(back.samples, a.samples);
  EXPECT_EQ(back.n_frames(), 3u);
  EXPECT_DOUBLE_EQ(back.duration_sec(), 3.0 / 22050);
}

TEST(WavBytes, RejectsImpossibleBuffers) {
  AudioBuffer odd = stereo({1, 2, 3});
  EXPECT_THROW(wav_bytes(odd), ConfigError);
  AudioBuffer no_channels = stereo({});
  no_channels.channels = 0;
  EXPECT_THROW(wav_bytes(no_channels), ConfigError);
}

TEST(ParseWav, SkipsOtherChunksWithTheirPadding) {
  auto b = wav_bytes(stereo({10, 20}));
  // Insert an odd-sized LIST chunk (3 bytes + 1 pad byte) between "fmt " and "data".
  const std::vector<std::uint8_t> list = {'L', 'I', 'S', 'T', 3, 0, 0, 0, 'a', 'b', 'c', 0};
  b.insert(b.begin() + 36, list.begin(), list.end());
  AudioBuffer a = parse_wav(b, "list.wav");
  EXPECT_EQ(a.samples, (std::vector<std::int16_t>{10, 20}));
}

TEST(ParseWav, ErrorsNameTheFileTheOffsetAndTheExpectation) {
  auto good = wav_bytes(stereo({1, 2, 3, 4}));
  try {
    std::vector<std::uint8_t> text = {'h', 'e', 'l', 'l', 'o'};
    parse_wav(text, "notes.txt");
    FAIL() << "no error";
  } catch (const ParseError& e) {
    EXPECT_EQ(e.file(), "notes.txt");
    EXPECT_EQ(e.byte_offset(), 0);
    EXPECT_NE(std::string(e.what()).find("RIFF"), std::string::npos);
  }
  std::vector<std::uint8_t> truncated(good.begin(), good.end() - 3);
  try {
    parse_wav(truncated, "cut.wav");
    FAIL() << "no error";
  } catch (const ParseError& e) {
    EXPECT_EQ(e.byte_offset(), 44);
    EXPECT_NE(std::string(e.what()).find("end of the file"), std::string::npos);
  }
  auto eight_bit = good;
  eight_bit[34] = 8;
  EXPECT_THROW(parse_wav(eight_bit, "8bit.wav"), ParseError);
  auto float_format = good;
  float_format[20] = 3;
  EXPECT_THROW(parse_wav(float_format, "float.wav"), ParseError);
  std::vector<std::uint8_t> header_only(good.begin(), good.begin() + 36);
  EXPECT_THROW(parse_wav(header_only, "nodata.wav"), ParseError);
}

TEST(WavFile, WritesAtomicallyAndReadsBack) {
  const auto dir =
      std::filesystem::temp_directory_path() / ("musegen_wav_test_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  AudioBuffer a = stereo({1, 2, 3, 4, 5, 6});
  write_wav_file(a, dir / "out.wav");
  EXPECT_EQ(read_wav_file(dir / "out.wav").samples, a.samples);
  for (const auto& entry : std::filesystem::directory_iterator(dir))
    EXPECT_EQ(entry.path().filename(), "out.wav") << "temporary file left behind";
  EXPECT_THROW(read_wav_file(dir / "missing.wav"), IoError);
  EXPECT_THROW(write_wav_file(a, dir / "no_such_dir" / "x.wav"), IoError);
  std::filesystem::remove_all(dir);
}

TEST(Levels, RmsAndPeakInFullScale) {
  EXPECT_DOUBLE_EQ(rms(stereo({16384, -16384})), 0.5);
  EXPECT_DOUBLE_EQ(peak(stereo({16384, -32768})), 1.0);
  EXPECT_DOUBLE_EQ(rms(stereo({})), 0.0);
  EXPECT_DOUBLE_EQ(peak(stereo({0, 0})), 0.0);
}

}  // namespace
}  // namespace musegen::audio
