// 16-bit PCM WAV files: an interleaved sample buffer, its RIFF/WAVE bytes (written atomically)
// and a reader for the same format (used by tests and tools).
#pragma once

#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <vector>

namespace musegen::audio {

// Interleaved signed 16-bit samples: frame f, channel c at samples[f * channels + c].
struct AudioBuffer {
  int sample_rate = 44100;  // Hz
  int channels = 2;         // 1..16
  std::vector<std::int16_t> samples;

  std::size_t n_frames() const { return channels > 0 ? samples.size() / channels : 0; }
  double duration_sec() const { return static_cast<double>(n_frames()) / sample_rate; }
};

// Root mean square over all samples, in full scale (0 silence .. 1).
double rms(const AudioBuffer& audio);
// Largest absolute sample, in full scale (0..1).
double peak(const AudioBuffer& audio);

// The RIFF/WAVE bytes: "RIFF" size "WAVE", a 16-byte "fmt " chunk (PCM, 16 bits) and "data".
// Throws ConfigError (key "audio") for a bad rate or channel count or a size over 4 GiB.
std::vector<std::uint8_t> wav_bytes(const AudioBuffer& audio);
// Atomic write (temporary file + rename). Throws IoError.
void write_wav_file(const AudioBuffer& audio, const std::filesystem::path& path);

// Parses 16-bit PCM WAV bytes (other chunks skipped). Throws ParseError (name, byte offset,
// what was expected) for anything else.
AudioBuffer parse_wav(std::span<const std::uint8_t> bytes, const std::string& name);
// Throws IoError when the file cannot be read, ParseError when it is not 16-bit PCM WAV.
AudioBuffer read_wav_file(const std::filesystem::path& path);

}  // namespace musegen::audio
