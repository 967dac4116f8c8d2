// TZif reader: transitions and local time types, enough to map an instant to its UTC offset.
#include "notify/time_zone.h"

#include <algorithm>
#include <fstream>
#include <sstream>

namespace tidemark::alerting {
namespace {

int64_t BigEndian(const std::string& d, size_t pos, int bytes) {
  uint64_t v = 0;
  for (int i = 0; i < bytes; ++i) v = (v << 8) | static_cast<unsigned char>(d[pos + i]);
  if (bytes == 4) return static_cast<int32_t>(static_cast<uint32_t>(v));
  return static_cast<int64_t>(v);
}

}  // namespace

Result<std::shared_ptr<const TimeZone>> TimeZone::FromTzif(const std::string& name, const std::string& d) {
  const Status bad = Status::InvalidArgument("unknown time zone " + name + ": malformed TZif data");
  if (d.size() < 44 || d.compare(0, 4, "TZif") != 0) return bad;
  auto counts = [&](size_t at, int64_t c[6]) {
    for (int i = 0; i < 6; ++i) c[i] = BigEndian(d, at + 20 + 4 * i, 4);
  };
  // Counts: isutcnt, isstdcnt, leapcnt, timecnt, typecnt, charcnt.
  int64_t c[6];
  counts(0, c);
  size_t pos = 44;
  int tbytes = 4;
  if (d[4] >= '2') {
    // Skip the 32-bit block; the second header and 64-bit data follow.
    pos += c[3] * 4 + c[3] + c[4] * 6 + c[5] + c[2] * 8 + c[1] + c[0];
    if (d.size() < pos + 44 || d.compare(pos, 4, "TZif") != 0) return bad;
    counts(pos, c);
    pos += 44;
    tbytes = 8;
  }
  const int64_t timecnt = c[3], typecnt = c[4];
  if (typecnt <= 0 || timecnt < 0 ||
      d.size() < pos + static_cast<size_t>(timecnt * tbytes + timecnt + typecnt * 6)) {
    return bad;
  }
  auto tz = std::make_shared<TimeZone>();
  tz->name_ = name;
  for (int64_t i = 0; i < timecnt; ++i) tz->transitions_.push_back(BigEndian(d, pos + i * tbytes, tbytes));
  pos += timecnt * tbytes;
  for (int64_t i = 0; i < timecnt; ++i) {
    const uint8_t t = static_cast<uint8_t>(d[pos + i]);
    if (t >= typecnt) return bad;
    tz->transition_types_.push_back(t);
  }
  pos += timecnt;
  for (int64_t i = 0; i < typecnt; ++i) {
    tz->type_offsets_.push_back(static_cast<int32_t>(BigEndian(d, pos + i * 6, 4)));
  }
  if (!std::is_sorted(tz->transitions_.begin(), tz->transitions_.end())) return bad;
  return std::shared_ptr<const TimeZone>(std::move(tz));
}

Result<std::shared_ptr<const TimeZone>> TimeZone::Load(const std::string& name, const std::string& zoneinfo_dir) {
  if (name.empty() || name == "UTC") {
    auto tz = std::make_shared<TimeZone>();
    tz->name_ = "UTC";
    tz->type_offsets_ = {0};
    return std::shared_ptr<const TimeZone>(std::move(tz));
  }
  // Go's LoadLocation refuses names that could leave the zoneinfo directory.
  if (name.front() == '/' || name.find("..") != std::string::npos || name.find('\\') != std::string::npos) {
    return Status::InvalidArgument("time: invalid location name");
  }
  const std::string path = name == "Local" ? "/etc/localtime" : zoneinfo_dir + "/" + name;
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::InvalidArgument("unknown time zone " + name);
  std::stringstream ss;
  ss << in.rdbuf();
  return FromTzif(name, ss.str());
}

int64_t TimeZone::OffsetAt(int64_t unix_seconds) const {
  // Before the first transition the first local time type applies (RFC 8536 3.2).
  auto it = std::upper_bound(transitions_.begin(), transitions_.end(), unix_seconds);
  if (it == transitions_.begin()) return type_offsets_[0];
  return type_offsets_[transition_types_[it - transitions_.begin() - 1]];
}

}  // namespace tidemark::alerting
