// sekisho-audit query: the records that pass the filters (records.hpp), as an
// aligned table for people, as JSON Lines (each line exactly as written, so
// it still hashes to the chain) or as CSV (RFC 4180) for spreadsheets.
// Output is streamed: a million lines never sit in memory as records.

#include "daemon/audit_tool/commands.hpp"
#include "daemon/audit_tool/records.hpp"

#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

namespace sekisho::audit_tool {

namespace {

// Written in large blocks; a failed write (a closed pipe) stops the output.
class output
{
public:
    ~output() { flush(); }
    void add(std::string_view s)
    {
        buf_ += s;
        if (buf_.size() >= (1 << 20))
        {
            flush();
        }
    }
    void flush()
    {
        if (!failed_ && !buf_.empty() && std::fwrite(buf_.data(), 1, buf_.size(), stdout) != buf_.size())
        {
            failed_ = true;
        }
        buf_.clear();
        failed_ = failed_ || std::fflush(stdout) != 0;
    }
    bool failed() const { return failed_; }

private:
    std::string buf_;
    bool failed_ = false;
};

// ---- table -----------------------------------------------------------------

constexpr const char* table_columns[] = {
    "ts", "event", "user", "device", "layer", "target", "zone", "service", "decision", "reason"};
constexpr std::size_t table_width = std::size(table_columns);
constexpr std::size_t max_column_width = 40;
// Column widths come from the first rows; later longer values are cut.
constexpr std::size_t rows_for_widths = 1000;

// Decodes one UTF-8 code point at s[i] (valid UTF-8: the JSON parser checked).
char32_t next_code_point(std::string_view s, std::size_t& i)
{
    const auto c = static_cast<unsigned char>(s[i]);
    const std::size_t n = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
    char32_t cp = n == 1 ? c : c & (0xFFu >> (n + 1));
    for (std::size_t k = 1; k < n && i + k < s.size(); ++k)
    {
        cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3Fu);
    }
    i += n;
    return cp;
}

// Terminal columns: CJK and full-width forms take two.
std::size_t columns_of(char32_t cp)
{
    const bool wide = (cp >= 0x1100 && cp <= 0x115F) || (cp >= 0x2E80 && cp <= 0xA4CF) ||
                      (cp >= 0xAC00 && cp <= 0xD7A3) || (cp >= 0xF900 && cp <= 0xFAFF) ||
                      (cp >= 0xFE30 && cp <= 0xFE4F) || (cp >= 0xFF00 && cp <= 0xFF60) ||
                      (cp >= 0xFFE0 && cp <= 0xFFE6) || (cp >= 0x20000 && cp <= 0x3FFFD);
    return wide ? 2 : 1;
}

struct cell
{
    std::string text;
    std::size_t width = 0;
};

// Log text is attacker-influenced: control characters (escape sequences
// that would drive the terminal) are shown as '?'.
cell make_cell(std::string_view s)
{
    cell c;
    for (std::size_t i = 0; i < s.size();)
    {
        const auto start = i;
        const auto cp = next_code_point(s, i);
        if (cp < 0x20 || (cp >= 0x7F && cp <= 0x9F))
        {
            c.text += '?';
            ++c.width;
            continue;
        }
        c.text.append(s.substr(start, std::min(i, s.size()) - start));
        c.width += columns_of(cp);
    }
    return c;
}

// Cut to `width` columns, ending in "…" when something was cut.
void cut(cell& c, std::size_t width)
{
    if (c.width <= width)
    {
        return;
    }
    std::string out;
    std::size_t used = 0;
    for (std::size_t i = 0; i < c.text.size();)
    {
        const auto start = i;
        const auto w = columns_of(next_code_point(c.text, i));
        if (used + w > width - 1)
        {
            break;
        }
        out.append(c.text, start, i - start);
        used += w;
    }
    c.text = out + "…";
    c.width = used + 1;
}

class table_writer
{
public:
    explicit table_writer(output& out) : out_(out)
    {
        std::vector<cell> header;
        for (const auto* name : table_columns)
        {
            header.push_back(make_cell(name));
        }
        pending_.push_back(std::move(header));
    }

    void add(const record& r)
    {
        std::vector<cell> row;
        row.reserve(table_width);
        row.push_back(make_cell(r.ts));
        row.push_back(make_cell(r.event));
        for (std::size_t i = 2; i < table_width; ++i)
        {
            row.push_back(make_cell(field_text(r.fields, table_columns[i])));
        }
        if (widths_.empty())
        {
            pending_.push_back(std::move(row));
            if (pending_.size() > rows_for_widths)
            {
                release();
            }
            return;
        }
        write(row);
    }

    void finish()
    {
        if (widths_.empty())
        {
            release();
        }
    }

private:
    void release()
    {
        widths_.assign(table_width, 0);
        for (const auto& row : pending_)
        {
            for (std::size_t i = 0; i < table_width; ++i)
            {
                widths_[i] = std::max(widths_[i], std::min(row[i].width, max_column_width));
            }
        }
        for (auto& row : pending_)
        {
            write(row);
        }
        pending_.clear();
    }

    void write(std::vector<cell>& row)
    {
        std::string line;
        for (std::size_t i = 0; i < table_width; ++i)
        {
            cut(row[i], widths_[i]);
            line += row[i].text;
            if (i + 1 < table_width)
            {
                line.append(widths_[i] - row[i].width + 2, ' ');
            }
        }
        while (!line.empty() && line.back() == ' ')
        {
            line.pop_back();
        }
        line += '\n';
        out_.add(line);
    }

    output& out_;
    std::vector<std::vector<cell>> pending_;
    std::vector<std::size_t> widths_; // empty until known
};

// ---- CSV ---------------------------------------------------------------------

constexpr const char* csv_columns[] = {"seq",      "ts",         "host",   "event",   "user",   "department",
                                       "device",   "layer",      "peer",   "target",  "zone",   "service",
                                       "decision", "reason",     "status", "session", "tunnel", "duration_ms",
                                       "bytes_up", "bytes_down", "cause",  "detail"};

// RFC 4180: quoted when it holds a comma, quote or line break, quotes
// doubled. A value that a spreadsheet would run as a formula (=, +, -, @
// first) gets a leading apostrophe: the log's text is attacker-influenced.
void csv_field(std::string& line, std::string_view v)
{
    std::string text;
    if (!v.empty() &&
        (v[0] == '=' || v[0] == '+' || v[0] == '-' || v[0] == '@' || v[0] == '\t' || v[0] == '\r'))
    {
        text += '\'';
    }
    text += v;
    if (text.find_first_of(",\"\r\n") == std::string::npos)
    {
        line += text;
        return;
    }
    line += '"';
    for (const char c : text)
    {
        line += c;
        if (c == '"')
        {
            line += '"';
        }
    }
    line += '"';
}

void csv_row(output& out, const record& r)
{
    std::string line;
    for (std::size_t i = 0; i < std::size(csv_columns); ++i)
    {
        if (i > 0)
        {
            line += ',';
        }
        const std::string_view name = csv_columns[i];
        csv_field(line,
                  name == "seq"     ? std::to_string(r.seq)
                  : name == "ts"    ? std::string(r.ts)
                  : name == "event" ? std::string(r.event)
                                    : field_text(r.fields, name));
    }
    line += "\r\n";
    out.add(line);
}

// The command's name ("query" or "export") is argv[1].
const char* command_name = "query";

void usage(const char* why)
{
    std::fprintf(stderr,
                 "sekisho-audit %s: %s\n"
                 "usage: sekisho-audit %s [--format table|json|csv] [--count]\n"
                 "         %.*s\n"
                 "         FILES|FOLDERS...\n",
                 command_name,
                 why,
                 command_name,
                 static_cast<int>(filter_usage().size()),
                 filter_usage().data());
}

int run_query(int argc, char** argv, int from, const char* default_format)
{
    command_name = argv[from - 1];
    std::string error;
    auto valued = filter_options();
    valued.insert("--format");
    auto switches = filter_switches();
    switches.insert("--count");
    const auto a = parse_args(argc, argv, from, valued, switches, error);
    if (!a)
    {
        usage(error.c_str());
        return exit_cannot_run;
    }
    const auto format = a->get("--format").value_or(default_format);
    if (format != "table" && format != "json" && format != "csv")
    {
        usage(("--format `" + format + "` is not table, json or csv").c_str());
        return exit_cannot_run;
    }
    const auto filter = filter_from_args(*a, error);
    if (!filter || a->files.empty())
    {
        usage(filter ? "no files given" : error.c_str());
        return exit_cannot_run;
    }
    std::vector<audit::log_file> files;
    if (!audit::read_log_files(a->files, files, error))
    {
        std::fprintf(stderr, "sekisho-audit %s: %s\n", command_name, error.c_str());
        return exit_cannot_run;
    }

    output out;
    table_writer table(out);
    const bool count_only = a->has("--count");
    if (!count_only && format == "csv")
    {
        std::string header;
        for (std::size_t i = 0; i < std::size(csv_columns); ++i)
        {
            header += (i > 0 ? "," : "");
            header += csv_columns[i];
        }
        out.add(header + "\r\n");
    }
    const auto summary = for_each_record(files, *filter, [&](const record& r) {
        if (count_only)
        {
            return;
        }
        if (format == "json")
        {
            out.add(r.line);
            out.add("\n");
        }
        else if (format == "csv")
        {
            csv_row(out, r);
        }
        else
        {
            table.add(r);
        }
    });
    if (count_only)
    {
        out.add(std::to_string(summary.matched) + "\n");
    }
    else if (format == "table")
    {
        table.finish();
    }
    out.flush();
    warn_unreadable(command_name, summary);
    if (out.failed())
    {
        std::fprintf(stderr, "sekisho-audit query: cannot write the output\n");
        return exit_cannot_run;
    }
    return 0;
}

} // namespace

int query_command(int argc, char** argv, int from)
{
    return run_query(argc, argv, from, "table");
}

// `export`: the same filters, JSON Lines by default, for moving records into
// another system (a SIEM, a spreadsheet with --format csv).
int export_command(int argc, char** argv, int from)
{
    return run_query(argc, argv, from, "json");
}

} // namespace sekisho::audit_tool
