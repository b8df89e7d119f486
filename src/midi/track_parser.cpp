// One MTrk chunk -> EventTrack: delta times, running status, channel messages, meta events
// (validated), SysEx (skipped) and the repairs for damaged tracks. Every read is bounded by
// the chunk; wherever the framing of events is lost, the rest of the track is dropped.
#include <algorithm>

#include "midi/detail.h"

namespace musegen::midi::detail {

namespace {

enum class Step { next, stop };

class TrackParser {
 public:
  TrackParser(std::span<const std::uint8_t> body, std::int64_t body_offset, Reporter& reporter)
      : begin_(body.data()),
        p_(body.data()),
        end_(body.data() + body.size()),
        base_(body_offset),
        rep_(reporter) {}

  EventTrack parse();

 private:
  enum class Vlq { ok, cut, too_long };

  std::int64_t offset(const std::uint8_t* at) const { return base_ + (at - begin_); }
  std::uint32_t offset32(const std::uint8_t* at) const {
    return static_cast<std::uint32_t>(std::min<std::int64_t>(offset(at), UINT32_MAX));
  }
  std::string rest_dropped(const std::uint8_t* at) const {
    return "; the rest of the track (" + std::to_string(end_ - at) + " bytes) is dropped";
  }

  // A variable-length quantity of at most 4 bytes (the SMF limit, values up to 0x0FFFFFFF).
  Vlq read_vlq(std::uint32_t& value) {
    if (p_ != end_ && *p_ < 0x80) {  // most delta times and lengths are one byte
      value = *p_++;
      return Vlq::ok;
    }
    std::uint32_t v = 0;
    for (int i = 0; i < 4; ++i) {
      if (p_ == end_) return Vlq::cut;
      const std::uint8_t b = *p_++;
      v = (v << 7) | (b & 0x7Fu);
      if (!(b & 0x80)) {
        value = v;
        return Vlq::ok;
      }
    }
    return Vlq::too_long;
  }
  // Reads a VLQ, warning and returning false when it is cut off or over 4 bytes.
  bool vlq_or_stop(std::uint32_t& value, const std::uint8_t* event_start, const char* what) {
    const std::uint8_t* at = p_;
    switch (read_vlq(value)) {
      case Vlq::ok:
        return true;
      case Vlq::cut:
        cut_short(event_start);
        return false;
      case Vlq::too_long:
        rep_.warn(offset(at), std::string("variable-length ") + what + " longer than 4 bytes" +
                                  rest_dropped(at));
        return false;
    }
    return false;
  }
  void cut_short(const std::uint8_t* event_start) {
    rep_.warn(offset(event_start),
              "track cut short: the chunk ends inside an event (no End-of-Track)");
  }

  Step event();
  Step channel_event(std::uint8_t status, const std::uint8_t* event_start);
  Step meta_event(const std::uint8_t* event_start);
  Step sysex_event(std::uint8_t status, const std::uint8_t* event_start);
  Step system_message(std::uint8_t status, const std::uint8_t* event_start);
  // False (with a warning) when the meta event's data is malformed and must be dropped.
  bool valid_meta(std::uint8_t type, const std::uint8_t* data, std::uint32_t size,
                  const std::uint8_t* event_start);

  const std::uint8_t* begin_;
  const std::uint8_t* p_;
  const std::uint8_t* end_;
  std::int64_t base_;
  Reporter& rep_;
  EventTrack track_;
  std::int64_t tick_ = 0;       // tick of the event being read
  std::int64_t last_tick_ = 0;  // tick of the last complete event
  std::uint8_t running_ = 0;    // running status, 0 when none applies
  bool ended_ = false;          // End-of-Track seen
};

EventTrack TrackParser::parse() {
  track_.channel_events.reserve(static_cast<std::size_t>(end_ - begin_) / 4);
  while (true) {
    if (p_ == end_) {
      rep_.warn(offset(p_), "missing End-of-Track: the track chunk ends without one");
      break;
    }
    if (event() == Step::stop) break;
  }
  track_.end_tick = ended_ ? tick_ : last_tick_;
  return std::move(track_);
}

Step TrackParser::event() {
  const std::uint8_t* event_start = p_;
  std::uint32_t delta = 0;
  if (!vlq_or_stop(delta, event_start, "delta time")) return Step::stop;
  tick_ = last_tick_ + delta;
  if (p_ == end_) {
    cut_short(event_start);
    return Step::stop;
  }
  std::uint8_t status = *p_;
  if (status < 0x80) {
    if (running_ == 0) {
      rep_.warn(offset(p_), "data byte " + hex_byte(status) +
                                " where a status byte is needed and no running status applies" +
                                rest_dropped(p_));
      return Step::stop;
    }
    status = running_;  // running status: the byte is the first data byte
  } else {
    ++p_;
  }
  Step step;
  if (status < 0xF0)
    step = channel_event(status, event_start);
  else if (status == 0xFF)
    step = meta_event(event_start);
  else if (status == 0xF0 || status == 0xF7)
    step = sysex_event(status, event_start);
  else
    step = system_message(status, event_start);
  if (step == Step::next) last_tick_ = tick_;
  return step;
}

Step TrackParser::channel_event(std::uint8_t status, const std::uint8_t* event_start) {
  const int n_data = (status & 0xE0) == 0xC0 ? 1 : 2;  // program change, channel pressure: 1
  std::uint8_t data[2] = {0, 0};
  for (int i = 0; i < n_data; ++i) {
    if (p_ == end_) {
      cut_short(event_start);
      return Step::stop;
    }
    if (*p_ & 0x80) {
      rep_.warn(offset(p_), "status byte " + hex_byte(*p_) + " where a data byte of " +
                                hex_byte(status) + " is needed" + rest_dropped(p_));
      return Step::stop;
    }
    data[i] = *p_++;
  }
  running_ = status;
  track_.channel_events.push_back({tick_, status, data[0], data[1], offset32(event_start)});
  return Step::next;
}

Step TrackParser::meta_event(const std::uint8_t* event_start) {
  if (p_ == end_) {
    cut_short(event_start);
    return Step::stop;
  }
  const std::uint8_t type = *p_++;
  std::uint32_t size = 0;
  if (!vlq_or_stop(size, event_start, "meta event length")) return Step::stop;
  if (size > static_cast<std::uint64_t>(end_ - p_)) {
    rep_.warn(offset(event_start), "meta event length " + std::to_string(size) +
                                       " runs past the end of the track chunk (" +
                                       std::to_string(end_ - p_) + " bytes left)" +
                                       rest_dropped(event_start));
    return Step::stop;
  }
  const std::uint8_t* data = p_;
  p_ += size;
  if (type == 0x2F) {
    if (size != 0)
      rep_.warn(offset(event_start),
                "End-of-Track with length " + std::to_string(size) + ", expected 0");
    track_.meta_events.push_back({tick_, type, {}, offset(event_start)});
    ended_ = true;
    if (p_ != end_)
      rep_.warn(offset(p_),
                std::to_string(end_ - p_) + " bytes after End-of-Track in the track chunk ignored");
    return Step::stop;
  }
  if (!valid_meta(type, data, size, event_start)) return Step::next;
  track_.meta_events.push_back(
      {tick_, type, std::vector<std::uint8_t>(data, data + size), offset(event_start)});
  return Step::next;
}

bool TrackParser::valid_meta(std::uint8_t type, const std::uint8_t* data, std::uint32_t size,
                             const std::uint8_t* event_start) {
  const std::string n = std::to_string(size);
  switch (type) {
    case 0x51:
      if (size != 3) {
        rep_.warn(offset(event_start), "malformed tempo (length " + n + ", expected 3) ignored");
        return false;
      }
      if (data[0] == 0 && data[1] == 0 && data[2] == 0) {
        rep_.warn(offset(event_start), "tempo of 0 microseconds per quarter note ignored");
        return false;
      }
      return true;
    case 0x58:
      if (size != 4) {
        rep_.warn(offset(event_start),
                  "malformed time signature (length " + n + ", expected 4) ignored");
        return false;
      }
      if (data[0] == 0 || data[1] > 7) {
        rep_.warn(offset(event_start), "impossible time signature " + std::to_string(data[0]) +
                                           "/2^" + std::to_string(data[1]) + " ignored");
        return false;
      }
      return true;
    case 0x59: {
      if (size != 2) {
        rep_.warn(offset(event_start),
                  "malformed key signature (length " + n + ", expected 2) ignored");
        return false;
      }
      const int sharps = static_cast<std::int8_t>(data[0]);
      if (sharps < -7 || sharps > 7 || data[1] > 1) {
        rep_.warn(offset(event_start), "impossible key signature (" + std::to_string(sharps) +
                                           " sharps, mode " + std::to_string(data[1]) +
                                           ") ignored");
        return false;
      }
      return true;
    }
    default:
      return true;
  }
}

Step TrackParser::sysex_event(std::uint8_t status, const std::uint8_t* event_start) {
  std::uint32_t size = 0;
  if (!vlq_or_stop(size, event_start, "SysEx length")) return Step::stop;
  if (size > static_cast<std::uint64_t>(end_ - p_)) {
    rep_.warn(offset(event_start),
              "SysEx (" + hex_byte(status) + ") length " + std::to_string(size) +
                  " runs past the end of the track chunk (" + std::to_string(end_ - p_) +
                  " bytes left)" + rest_dropped(event_start));
    return Step::stop;
  }
  p_ += size;  // SysEx carries no notes; it is not kept
  return Step::next;
}

Step TrackParser::system_message(std::uint8_t status, const std::uint8_t* event_start) {
  const std::uint8_t* status_at = p_ - 1;
  int n_data = 0;
  switch (status) {
    case 0xF1:  // MTC quarter frame
    case 0xF3:  // song select
      n_data = 1;
      break;
    case 0xF2:  // song position
      n_data = 2;
      break;
    case 0xF6:
    case 0xF8:
    case 0xFA:
    case 0xFB:
    case 0xFC:
    case 0xFE:
      break;
    default:  // F4, F5, F9, FD: no length is defined, so nothing after them can be framed
      // The status byte is always explicit here (running status only holds channel statuses).
      rep_.warn(offset(status_at),
                "undefined status byte " + hex_byte(status) + rest_dropped(status_at));
      return Step::stop;
  }
  for (int i = 0; i < n_data; ++i) {
    if (p_ == end_) {
      cut_short(event_start);
      return Step::stop;
    }
    if (*p_ & 0x80) {
      rep_.warn(offset(p_), "status byte " + hex_byte(*p_) + " where a data byte of " +
                                hex_byte(status) + " is needed" + rest_dropped(p_));
      return Step::stop;
    }
    ++p_;
  }
  rep_.warn(offset(status_at),
            "system message " + hex_byte(status) + " is not allowed in a MIDI file; skipped");
  return Step::next;
}

}  // namespace

EventTrack parse_track(std::span<const std::uint8_t> body, std::int64_t body_offset,
                       Reporter& reporter) {
  return TrackParser(body, body_offset, reporter).parse();
}

}  // namespace musegen::midi::detail
