#include "daemon/ctl/ismap_csv.hpp"

#include "policy/load.hpp"

#include <algorithm>
#include <cstdio>
#include <set>

namespace sekisho::ctl {

namespace {

std::string trim(std::string_view s)
{
    const auto* ws = " \t\r\n";
    const auto a = s.find_first_not_of(ws);
    if (a == std::string_view::npos)
    {
        return {};
    }
    // A full-width space (U+3000) at either end is also padding in Japanese exports.
    std::string out(s.substr(a, s.find_last_not_of(ws) - a + 1));
    const std::string ideographic = "\xE3\x80\x80";
    while (out.starts_with(ideographic))
    {
        out.erase(0, ideographic.size());
    }
    while (out.ends_with(ideographic))
    {
        out.resize(out.size() - ideographic.size());
    }
    return out;
}

// "2027年3月31日" → {2027, 3, 31}
bool scan_date(std::string_view text, int& y, int& m, int& d)
{
    const std::string s(text);
    int used = 0;
    if (std::sscanf(s.c_str(), "%4d-%2d-%2d%n", &y, &m, &d, &used) == 3 && used == static_cast<int>(s.size()))
    {
        return true;
    }
    if (std::sscanf(s.c_str(), "%4d/%2d/%2d%n", &y, &m, &d, &used) == 3 && used == static_cast<int>(s.size()))
    {
        return true;
    }
    // 年 月 日 are three UTF-8 bytes each.
    return std::sscanf(s.c_str(), "%4d\xE5\xB9\xB4%2d\xE6\x9C\x88%2d\xE6\x97\xA5%n", &y, &m, &d, &used) ==
               3 &&
           used == static_cast<int>(s.size());
}

} // namespace

bool apply_column_spec(std::string_view spec, ismap_columns& cols, std::string* why)
{
    while (!spec.empty())
    {
        const auto comma = spec.find(',');
        const auto item = spec.substr(0, comma);
        spec = comma == std::string_view::npos ? std::string_view() : spec.substr(comma + 1);
        const auto eq = item.find('=');
        if (eq == std::string_view::npos || eq == 0 || eq + 1 == item.size())
        {
            *why = "--columns takes field=Header pairs separated by commas, not `" + std::string(item) + "`";
            return false;
        }
        const auto field = item.substr(0, eq);
        std::string header = trim(item.substr(eq + 1));
        std::string* slot = field == "number"        ? &cols.number
                            : field == "service"     ? &cols.service
                            : field == "provider"    ? &cols.provider
                            : field == "registered"  ? &cols.registered
                            : field == "valid_until" ? &cols.valid_until
                                                     : nullptr;
        if (slot == nullptr)
        {
            *why = "--columns: unknown field `" + std::string(field) +
                   "` (number, service, provider, registered, valid_until)";
            return false;
        }
        *slot = std::move(header);
    }
    return true;
}

std::optional<std::vector<csv_record>> parse_csv(std::string_view text, std::string* why)
{
    if (text.starts_with("\xEF\xBB\xBF"))
    {
        text.remove_prefix(3);
    }
    std::vector<csv_record> out;
    csv_record rec;
    std::string field;
    std::size_t line = 1;
    rec.line = 1;
    bool quoted = false;     // inside quotes
    bool was_quoted = false; // the current field was quoted (text after the closing quote is an error)
    bool any = false;        // the record has content
    const auto end_field = [&] {
        rec.fields.push_back(was_quoted ? field : trim(field));
        field.clear();
        was_quoted = false;
    };
    for (std::size_t i = 0; i < text.size(); ++i)
    {
        const char c = text[i];
        if (quoted)
        {
            if (c == '"' && i + 1 < text.size() && text[i + 1] == '"')
            {
                field += '"';
                ++i;
            }
            else if (c == '"')
            {
                quoted = false;
            }
            else
            {
                line += c == '\n' ? 1U : 0U;
                field += c;
            }
            continue;
        }
        if (c == '"')
        {
            if (was_quoted || !trim(field).empty())
            {
                *why = "line " + std::to_string(line) + ": a quote inside an unquoted field";
                return std::nullopt;
            }
            field.clear();
            quoted = was_quoted = any = true;
        }
        else if (c == ',')
        {
            end_field();
            any = true;
        }
        else if (c == '\n' || c == '\r')
        {
            if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n')
            {
                ++i;
            }
            if (any || !field.empty())
            {
                end_field();
                out.push_back(std::move(rec));
            }
            rec = {};
            any = false;
            ++line;
            rec.line = line;
        }
        else
        {
            if (was_quoted && c != ' ' && c != '\t')
            {
                *why = "line " + std::to_string(line) + ": text after a closing quote";
                return std::nullopt;
            }
            field += c;
            any = any || c != ' ';
        }
    }
    if (quoted)
    {
        *why = "line " + std::to_string(rec.line) + ": a quoted field is never closed";
        return std::nullopt;
    }
    if (any || !field.empty())
    {
        end_field();
        out.push_back(std::move(rec));
    }
    return out;
}

std::optional<std::string> normalise_date(std::string_view text)
{
    int y = 0, m = 0, d = 0;
    if (!scan_date(trim(text), y, m, d))
    {
        return std::nullopt;
    }
    char buf[16];
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", y, m, d);
    // The policy's own reader decides what a valid date is (month lengths).
    if (!policy::parse_time(std::string(buf) + "T00:00+09:00"))
    {
        return std::nullopt;
    }
    return buf;
}

ismap_import read_ismap_csv(std::string_view text,
                            const std::string& name,
                            const ismap_columns& cols,
                            policy::cert_scheme scheme)
{
    ismap_import out;
    std::string why;
    auto records = parse_csv(text, &why);
    if (!records)
    {
        out.problems.push_back(name + ": " + why);
        return out;
    }
    if (records->empty())
    {
        out.problems.push_back(name + ": the file is empty (no header line)");
        return out;
    }
    const auto& header = records->front();
    const auto column = [&](const std::string& wanted) -> std::optional<std::size_t> {
        const auto it = std::find(header.fields.begin(), header.fields.end(), wanted);
        if (it == header.fields.end())
        {
            return std::nullopt;
        }
        return static_cast<std::size_t>(it - header.fields.begin());
    };
    const auto at = [&](const char* field, const std::string& wanted, bool required) {
        auto c = column(wanted);
        if (!c && required)
        {
            out.problems.push_back(name + ":" + std::to_string(header.line) + ": no column `" + wanted +
                                   "` for " + field + " (name it with --columns " + field + "=<header>)");
        }
        return c;
    };
    const auto number_col = at("number", cols.number, true);
    const auto until_col = at("valid_until", cols.valid_until, true);
    const auto service_col = at("service", cols.service, false);
    const auto provider_col = at("provider", cols.provider, false);
    const auto registered_col = at("registered", cols.registered, false);
    if (!out.problems.empty())
    {
        return out;
    }
    for (const auto& [field, col] :
         {std::pair<const char*, const std::optional<std::size_t>&>{"service", service_col},
          {"provider", provider_col},
          {"registered", registered_col}})
    {
        if (!col)
        {
            out.missing_columns.emplace_back(field);
        }
    }
    std::set<std::string> seen;
    std::vector<policy::registration> rows;
    for (std::size_t i = 1; i < records->size(); ++i)
    {
        const auto& rec = (*records)[i];
        const auto where = name + ":" + std::to_string(rec.line) + ": ";
        if (rec.fields.size() != header.fields.size())
        {
            out.problems.push_back(where + std::to_string(rec.fields.size()) +
                                   " fields where the header has " + std::to_string(header.fields.size()));
            continue;
        }
        const auto get = [&](const std::optional<std::size_t>& c) {
            return c ? rec.fields[*c] : std::string();
        };
        policy::registration reg;
        reg.scheme = scheme;
        reg.number = get(number_col);
        reg.service = get(service_col);
        reg.provider = get(provider_col);
        if (reg.number.empty())
        {
            out.problems.push_back(where + "no registration number");
            continue;
        }
        if (!seen.insert(reg.number).second)
        {
            out.problems.push_back(where + "registration number " + reg.number + " appears twice");
            continue;
        }
        const auto until = normalise_date(get(until_col));
        if (!until)
        {
            out.problems.push_back(where + "expiry `" + get(until_col) + "` of " + reg.number +
                                   " is not a date");
            continue;
        }
        // Valid through that day in Asia/Tokyo.
        reg.valid_until = *policy::parse_time(*until + "T00:00+09:00") + std::chrono::hours(24);
        if (const auto reg_text = get(registered_col); !reg_text.empty())
        {
            const auto d = normalise_date(reg_text);
            if (!d)
            {
                out.problems.push_back(where + "registration date `" + reg_text + "` of " + reg.number +
                                       " is not a date");
                continue;
            }
            reg.registered = *policy::parse_time(*d + "T00:00+09:00");
        }
        reg.where = {name, static_cast<int>(rec.line), 0};
        rows.push_back(std::move(reg));
    }
    if (out.problems.empty())
    {
        out.rows = std::move(rows);
    }
    return out;
}

} // namespace sekisho::ctl
