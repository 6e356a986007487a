#pragma once
// A JSON object written straight into a string, for the records made on
// the I/O threads for every tunnel (building a boost::json::object and
// serialising it cost more than the writer's own work per record). Strings
// from outside are made valid UTF-8 and escaped.

#include <cstdint>
#include <string>
#include <string_view>

namespace sekisho::audit {

class json_text
{
public:
    json_text() { out_.reserve(768); }

    json_text& str(std::string_view key, std::string_view value);
    // null when empty
    json_text& str_or_null(std::string_view key, std::string_view value);
    json_text& num(std::string_view key, std::uint64_t value);
    json_text& num(std::string_view key, std::int64_t value);
    json_text& boolean(std::string_view key, bool value);
    // A comma-separated list as an array of strings.
    json_text& list(std::string_view key, std::string_view comma_separated);

    // The object's text ("{…}").
    std::string finish() &&;

private:
    void key(std::string_view k);
    void quoted(std::string_view v);

    std::string out_ = "{";
};

} // namespace sekisho::audit
