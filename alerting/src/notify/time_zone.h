// A time zone read from the system tzdata (TZif files under /usr/share/zoneinfo), for the
// `location` of Alertmanager time intervals: the UTC offset in effect at an instant.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "tidemark/storage/model/status.h"

namespace tidemark::alerting {

class TimeZone {
 public:
  // "UTC" (or ""), "Local" (/etc/localtime), or an IANA name such as "Europe/Berlin", looked up
  // in `zoneinfo_dir`. Unknown names and malformed files are errors, as Go's LoadLocation.
  static Result<std::shared_ptr<const TimeZone>> Load(const std::string& name,
                                                      const std::string& zoneinfo_dir = "/usr/share/zoneinfo");
  // Parses TZif data (RFC 8536, versions 1 to 4).
  static Result<std::shared_ptr<const TimeZone>> FromTzif(const std::string& name, const std::string& data);

  // Seconds east of UTC at `unix_seconds`. After the file's last transition the last offset
  // stays in effect (the files Debian ships list transitions up to 2037).
  int64_t OffsetAt(int64_t unix_seconds) const;
  const std::string& name() const { return name_; }

 private:
  std::string name_;
  std::vector<int64_t> transitions_;  // ascending
  std::vector<uint8_t> transition_types_;
  std::vector<int32_t> type_offsets_;
};

}  // namespace tidemark::alerting
