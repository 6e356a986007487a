#pragma once
// Reading an export of the ISMAP / ISMAP-LIU cloud service list (CSV) into
// registrations (policy/catalog.hpp) for `sekishoctl catalog import-ismap`.
//
// CSV as RFC 4180 writes it: fields separated by commas, optionally in double
// quotes ("" for a quote, line breaks allowed inside quotes), CRLF or LF, a
// UTF-8 byte-order mark ignored. The first record is the header. Which column
// holds what is configurable (docs/catalog.md#importing-the-ismap-list),
// because the portal's column names are not fixed; the defaults are below.
//
// Every problem is reported with the line it is on; a file with any problem
// yields no registrations at all (nothing is half-imported).

#include "policy/catalog.hpp"

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sekisho::ctl {

// Field → column header. `number` and `valid_until` are required columns;
// the others are read when present.
struct ismap_columns
{
    std::string number = "登録番号";
    std::string service = "クラウドサービス名称";
    std::string provider = "クラウドサービス事業者名";
    std::string registered = "登録日";
    std::string valid_until = "有効期限";
};

// "number=Registration No.,valid_until=Expiry" over the defaults; false with
// the reason in *why for an unknown field or a malformed list.
bool apply_column_spec(std::string_view spec, ismap_columns& cols, std::string* why);

struct csv_record
{
    std::size_t line = 0; // where the record starts (1-based)
    std::vector<std::string> fields;
};

// The records of `text`; nullopt with "line N: ..." in *why when the quoting
// is broken.
std::optional<std::vector<csv_record>> parse_csv(std::string_view text, std::string* why);

// "2027-03-31", "2027/3/31", "2027年3月31日" (a calendar date in Japan).
std::optional<std::string> normalise_date(std::string_view text);

struct ismap_import
{
    std::vector<policy::registration> rows; // empty when there are problems
    std::vector<std::string> problems;      // "FILE:LINE: ..."
    // Optional columns the header lacks: those fields keep what the registry had.
    std::vector<std::string> missing_columns; // "service", "provider", "registered"
};

// The rows of an exported list, every one of scheme `scheme`.
ismap_import read_ismap_csv(std::string_view text,
                            const std::string& name,
                            const ismap_columns& cols,
                            policy::cert_scheme scheme);

} // namespace sekisho::ctl
