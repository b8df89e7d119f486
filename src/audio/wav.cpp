// 16-bit PCM RIFF/WAVE writing and reading, and level measurements of sample buffers.
#include "audio/wav.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <optional>

#include "core/errors.h"
#include "core/file_io.h"

namespace musegen::audio {

namespace {

constexpr std::size_t kHeaderBytes = 44;

void put_u32(std::vector<std::uint8_t>& out, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
}

void put_u16(std::vector<std::uint8_t>& out, std::uint16_t v) {
  out.push_back(static_cast<std::uint8_t>(v));
  out.push_back(static_cast<std::uint8_t>(v >> 8));
}

void put_tag(std::vector<std::uint8_t>& out, const char* tag) {
  out.insert(out.end(), tag, tag + 4);
}

// A bounds-checked little-endian cursor over the bytes being parsed.
struct Reader {
  std::span<const std::uint8_t> bytes;
  const std::string& name;

  void need(std::size_t at, std::size_t n, const std::string& what) const {
    if (at + n > bytes.size() || at + n < at)
      throw ParseError(name, static_cast<std::int64_t>(std::min(at, bytes.size())),
                       "expected " + what + ", found the end of the file");
  }
  std::uint32_t u32(std::size_t at, const std::string& what) const {
    need(at, 4, what);
    return bytes[at] | bytes[at + 1] << 8 | bytes[at + 2] << 16 |
           static_cast<std::uint32_t>(bytes[at + 3]) << 24;
  }
  std::uint16_t u16(std::size_t at, const std::string& what) const {
    need(at, 2, what);
    return static_cast<std::uint16_t>(bytes[at] | bytes[at + 1] << 8);
  }
  bool tag(std::size_t at, const char* expected) const {
    need(at, 4, std::string("\"") + expected + "\"");
    return std::memcmp(bytes.data() + at, expected, 4) == 0;
  }
};

struct Format {
  int channels = 0, sample_rate = 0;
};

Format parse_fmt(const Reader& r, std::size_t at, std::uint32_t size) {
  if (size < 16)
    throw ParseError(r.name, static_cast<std::int64_t>(at), "a \"fmt \" chunk of 16 bytes or more");
  const std::uint16_t format = r.u16(at, "the audio format");
  if (format != 1)
    throw ParseError(r.name, static_cast<std::int64_t>(at),
                     "PCM audio (format 1), found format " + std::to_string(format));
  Format f;
  f.channels = r.u16(at + 2, "the channel count");
  f.sample_rate = static_cast<int>(r.u32(at + 4, "the sample rate"));
  const std::uint16_t bits = r.u16(at + 14, "the bits per sample");
  if (bits != 16)
    throw ParseError(r.name, static_cast<std::int64_t>(at + 14),
                     "16 bits per sample, found " + std::to_string(bits));
  if (f.channels < 1 || f.channels > 16)
    throw ParseError(r.name, static_cast<std::int64_t>(at + 2), "1 to 16 channels");
  if (f.sample_rate < 1)
    throw ParseError(r.name, static_cast<std::int64_t>(at + 4), "a positive sample rate");
  if (r.u16(at + 12, "the block alignment") != 2 * f.channels)
    throw ParseError(r.name, static_cast<std::int64_t>(at + 12),
                     "a block alignment of 2 bytes per channel");
  return f;
}

}  // namespace

double rms(const AudioBuffer& audio) {
  if (audio.samples.empty()) return 0;
  double sum = 0;
  for (std::int16_t s : audio.samples) sum += static_cast<double>(s) * s;
  return std::sqrt(sum / static_cast<double>(audio.samples.size())) / 32768.0;
}

double peak(const AudioBuffer& audio) {
  int most = 0;
  for (std::int16_t s : audio.samples) most = std::max(most, std::abs(static_cast<int>(s)));
  return most / 32768.0;
}

std::vector<std::uint8_t> wav_bytes(const AudioBuffer& audio) {
  if (audio.channels < 1 || audio.channels > 16)
    throw ConfigError("audio", "channel count " + std::to_string(audio.channels), "1..16");
  if (audio.sample_rate < 1 || audio.sample_rate > 1000000)
    throw ConfigError("audio", "sample rate " + std::to_string(audio.sample_rate), "1..1000000 Hz");
  if (audio.samples.size() % audio.channels != 0)
    throw ConfigError("audio", "sample count is not a whole number of frames",
                      "a multiple of the channel count");
  const std::uint64_t data_bytes = audio.samples.size() * 2;
  if (data_bytes > std::numeric_limits<std::uint32_t>::max() - kHeaderBytes)
    throw ConfigError("audio", "more audio than a WAV file can hold", "under 4 GiB of samples");
  std::vector<std::uint8_t> out;
  out.reserve(kHeaderBytes + data_bytes);
  put_tag(out, "RIFF");
  put_u32(out, static_cast<std::uint32_t>(36 + data_bytes));
  put_tag(out, "WAVE");
  put_tag(out, "fmt ");
  put_u32(out, 16);
  put_u16(out, 1);  // PCM
  put_u16(out, static_cast<std::uint16_t>(audio.channels));
  put_u32(out, static_cast<std::uint32_t>(audio.sample_rate));
  put_u32(out, static_cast<std::uint32_t>(audio.sample_rate * audio.channels * 2));  // bytes/s
  put_u16(out, static_cast<std::uint16_t>(audio.channels * 2));                      // per frame
  put_u16(out, 16);
  put_tag(out, "data");
  put_u32(out, static_cast<std::uint32_t>(data_bytes));
  for (std::int16_t s : audio.samples) put_u16(out, static_cast<std::uint16_t>(s));
  return out;
}

void write_wav_file(const AudioBuffer& audio, const std::filesystem::path& path) {
  write_file_atomic(path, wav_bytes(audio));
}

AudioBuffer parse_wav(std::span<const std::uint8_t> bytes, const std::string& name) {
  const Reader r{bytes, name};
  if (!r.tag(0, "RIFF")) throw ParseError(name, 0, "\"RIFF\" (a WAV file)");
  if (!r.tag(8, "WAVE")) throw ParseError(name, 8, "\"WAVE\"");
  std::optional<Format> format;
  for (std::size_t at = 12;;) {
    const std::uint32_t size = r.u32(at + 4, "a chunk header");
    const std::size_t body = at + 8;
    if (r.tag(at, "fmt ")) {
      format = parse_fmt(r, body, size);
    } else if (r.tag(at, "data")) {
      if (!format) throw ParseError(name, static_cast<std::int64_t>(at), "a \"fmt \" chunk first");
      r.need(body, size, std::to_string(size) + " bytes of samples");
      if (size % (2 * format->channels) != 0)
        throw ParseError(name, static_cast<std::int64_t>(at + 4), "whole frames of samples");
      AudioBuffer audio;
      audio.channels = format->channels;
      audio.sample_rate = format->sample_rate;
      audio.samples.resize(size / 2);
      for (std::size_t i = 0; i < audio.samples.size(); ++i)
        audio.samples[i] = static_cast<std::int16_t>(r.u16(body + 2 * i, "a sample"));
      return audio;
    }
    r.need(body, size, "the rest of a chunk");
    at = body + size + (size & 1);  // chunks are padded to an even size
  }
}

AudioBuffer read_wav_file(const std::filesystem::path& path) {
  const std::vector<std::uint8_t> bytes = read_file_bytes(path);
  return parse_wav(bytes, path.string());
}

}  // namespace musegen::audio
