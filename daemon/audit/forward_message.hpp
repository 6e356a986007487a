#pragma once
// The syslog message the forwarder sends for one audit line (forwarder.cpp):
// RFC 5424 with RFC 5425 octet counting, the line byte for byte as MSG.
// No I/O here: pure functions of strings.

#include "daemon/audit/line.hpp"

#include <string>
#include <string_view>

namespace sekisho::audit::detail {

// Appends `LEN SP <110>1 TS HOST APP-NAME PROCID MSGID - LINE` to `out`:
// facility 13 (log audit), severity 6 (info). TS is the record's ts, HOST
// the record's "host" (`fallback_host` when it is not a valid HOSTNAME),
// MSGID its event.
void append_message(std::string& out,
                    const envelope& e,
                    std::string_view line,
                    std::string_view fallback_host,
                    std::string_view app,
                    std::string_view procid);

// `host` as a syslog HOSTNAME: "-" when it is not one.
std::string syslog_host(std::string host);

} // namespace sekisho::audit::detail
