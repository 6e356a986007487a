#pragma once
// Text helpers shared by the tunnel log and the audit log: timestamps in
// RFC 3339 with milliseconds, and strings made safe for JSON.

#include <chrono>
#include <string>
#include <string_view>

namespace sekisho::log {

// "2026-11-22T10:00:00.123Z" (UTC).
std::string rfc3339_ms(std::chrono::system_clock::time_point t);

// Strings from the outside (certificate names, OpenSSL messages) may not be
// UTF-8; a record must always be valid JSON, so invalid sequences become
// U+FFFD. Overlong forms, surrogates and code points past U+10FFFF are invalid.
std::string valid_utf8(std::string_view in);

} // namespace sekisho::log
