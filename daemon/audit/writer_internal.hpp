#pragma once
// Shared by writer.cpp and writer_files.cpp only.

#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

namespace sekisho::audit::detail {

// The current file's name in the audit folder.
inline constexpr std::string_view current_name = "audit.log";

// The wall clock in milliseconds since the epoch (records' `ts`).
inline std::int64_t now_ms()
{
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

// `s` as a JSON string, quoted and escaped.
inline std::string json_string(std::string_view s)
{
    return boost::json::serialize(boost::json::value(s));
}

} // namespace sekisho::audit::detail
