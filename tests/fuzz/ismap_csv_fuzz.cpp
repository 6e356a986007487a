// libFuzzer target: the ISMAP list importer (daemon/ctl/ismap_csv.hpp), which
// reads a CSV export downloaded from the ISMAP portal and the --columns
// option of `sekishoctl catalog import-ismap`. Both come from outside.
//
// The input is split at its first line break: the first line is a --columns
// spec (empty: the default Japanese headers), the rest is the CSV file. Any
// input must be read without a crash, and the result must keep the contract
// the command relies on (checked below; a violation aborts):
//   - a result with any problem has no registrations (nothing half-imported);
//   - every registration has a non-empty, unique number, an expiry that is a
//     date normalise_date accepts and gives back unchanged, and the fields of
//     the record it came from;
//   - parse_csv and read_ismap_csv agree (records, field counts, lines), and
//     the records parse_csv gives, written back as CSV, read back the same;
//   - every line a problem names is between 1 and the input's lines + 1.
//
// Build with the `fuzz` preset (clang); the unit suite (tests/unit/policy/
// ismap_csv.cpp) replays the corpus (tests/fuzz/corpus/ismap_csv/) under GCC.
// There another target owns LLVMFuzzerTestOneInput, so in the unit build
// (recognised by SEKISHO_SOURCE_DIR) this one is only sekisho_ismap_csv_fuzz_one.

#include "daemon/ctl/ismap_csv.hpp"
#include "policy/load.hpp"

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace {

using namespace sekisho;

void check(bool condition)
{
    if (!condition)
    {
        std::abort();
    }
}

const std::string file_name = "ismap.csv";

// Lines as an editor counts them: LF, CRLF and a lone CR each end one.
std::size_t count_lines(std::string_view text)
{
    std::size_t lines = 1;
    for (std::size_t i = 0; i < text.size(); ++i)
    {
        if (text[i] == '\n' || (text[i] == '\r' && (i + 1 == text.size() || text[i + 1] != '\n')))
        {
            ++lines;
        }
    }
    return lines;
}

// The number after `prefix` at the start of `s`, if any.
std::optional<std::size_t> number_after(std::string_view s, std::string_view prefix)
{
    if (!s.starts_with(prefix))
    {
        return std::nullopt;
    }
    s.remove_prefix(prefix.size());
    std::size_t n = 0;
    std::size_t digits = 0;
    while (digits < s.size() && digits < 12 && s[digits] >= '0' && s[digits] <= '9')
    {
        n = n * 10 + static_cast<std::size_t>(s[digits] - '0');
        ++digits;
    }
    if (digits == 0)
    {
        return std::nullopt;
    }
    return n;
}

// The line a problem names: "FILE:LINE: ..." or "FILE: line N: ..." (broken
// quoting); 0 for the one problem without a line (an empty file).
std::size_t problem_line(const std::string& problem)
{
    if (auto n = number_after(problem, file_name + ":"))
    {
        return *n;
    }
    if (auto n = number_after(problem, file_name + ": line "))
    {
        return *n;
    }
    check(problem == file_name + ": the file is empty (no header line)");
    return 0;
}

// Every field quoted, "" for a quote, LF between records.
std::string write_csv(const std::vector<ctl::csv_record>& records)
{
    std::string out;
    for (const auto& rec : records)
    {
        for (std::size_t i = 0; i < rec.fields.size(); ++i)
        {
            out += i == 0 ? "\"" : ",\"";
            for (const char c : rec.fields[i])
            {
                out += c == '"' ? std::string("\"\"") : std::string(1, c);
            }
            out += '"';
        }
        out += '\n';
    }
    return out;
}

void check_date(const std::string& text)
{
    const auto d = ctl::normalise_date(text);
    if (!d)
    {
        return;
    }
    check(d->size() == 10);
    check(ctl::normalise_date(*d) == d);
    check(policy::parse_time(*d + "T00:00+09:00").has_value());
}

// parse_csv on its own: lines in order and in range, and what it gives
// survives being written back and read again.
std::optional<std::vector<ctl::csv_record>> check_parse(std::string_view text)
{
    std::string why;
    auto records = ctl::parse_csv(text, &why);
    const auto lines = count_lines(text);
    if (!records)
    {
        check(why.starts_with("line "));
        const auto n = number_after(why, "line ");
        check(n && *n >= 1 && *n <= lines + 1);
        return records;
    }
    std::size_t previous = 0;
    for (const auto& rec : *records)
    {
        check(!rec.fields.empty());
        check(rec.line > previous && rec.line <= lines);
        previous = rec.line;
    }
    std::string why_again;
    const auto again = ctl::parse_csv(write_csv(*records), &why_again);
    check(again.has_value() && again->size() == records->size());
    // Written back, record i starts after the lines of those before it (a
    // line break inside quotes counts, as in the original).
    std::size_t line = 1;
    for (std::size_t i = 0; i < records->size(); ++i)
    {
        check((*again)[i].fields == (*records)[i].fields);
        check((*again)[i].line == line);
        line += 1;
        for (const auto& f : (*records)[i].fields)
        {
            line += static_cast<std::size_t>(std::count(f.begin(), f.end(), '\n'));
        }
    }
    return records;
}

std::optional<std::size_t> column_of(const ctl::csv_record& header, const std::string& name)
{
    const auto it = std::find(header.fields.begin(), header.fields.end(), name);
    if (it == header.fields.end())
    {
        return std::nullopt;
    }
    return static_cast<std::size_t>(it - header.fields.begin());
}

void check_import(std::string_view text, const ctl::ismap_columns& cols, policy::cert_scheme scheme)
{
    const auto records = check_parse(text);
    const auto r = ctl::read_ismap_csv(text, file_name, cols, scheme);
    const auto lines = count_lines(text);

    // Nothing half-imported.
    check(r.problems.empty() || r.rows.empty());
    for (const auto& p : r.problems)
    {
        const auto n = problem_line(p);
        check(n <= lines + 1);
        check(n >= 1 || r.problems.size() == 1);
    }

    if (!records || records->empty())
    {
        // Broken quoting or nothing at all: one problem, and it says so.
        check(r.problems.size() == 1 && r.rows.empty() && r.missing_columns.empty());
        return;
    }
    const auto& header = records->front();
    const auto number_col = column_of(header, cols.number);
    const auto until_col = column_of(header, cols.valid_until);
    if (!number_col || !until_col)
    {
        check(!r.problems.empty() && r.rows.empty());
        check(r.problems.size() == (number_col ? 0U : 1U) + (until_col ? 0U : 1U));
        for (const auto& p : r.problems)
        {
            check(problem_line(p) == header.line);
        }
        return;
    }
    const auto service_col = column_of(header, cols.service);
    const auto provider_col = column_of(header, cols.provider);
    const auto registered_col = column_of(header, cols.registered);
    std::vector<std::string> missing;
    for (const auto& [field, col] :
         {std::pair<const char*, std::optional<std::size_t>>{"service", service_col},
          {"provider", provider_col},
          {"registered", registered_col}})
    {
        if (!col)
        {
            missing.emplace_back(field);
        }
    }
    check(r.missing_columns == missing);

    // At most one problem per data record, and every record whose field count
    // differs from the header's is reported with its line and its count.
    check(r.problems.size() <= records->size() - 1);
    std::size_t wrong_width = 0;
    for (std::size_t i = 1; i < records->size(); ++i)
    {
        const auto& rec = (*records)[i];
        if (rec.fields.size() != header.fields.size())
        {
            ++wrong_width;
            const auto expected = file_name + ":" + std::to_string(rec.line) + ": " +
                                  std::to_string(rec.fields.size()) + " fields where the header has " +
                                  std::to_string(header.fields.size());
            check(std::find(r.problems.begin(), r.problems.end(), expected) != r.problems.end());
        }
    }
    check(wrong_width <= r.problems.size());
    if (!r.problems.empty())
    {
        return;
    }

    // A clean file: one registration per data record, in order, with its fields.
    check(r.rows.size() == records->size() - 1);
    std::set<std::string> numbers;
    for (std::size_t i = 0; i < r.rows.size(); ++i)
    {
        const auto& reg = r.rows[i];
        const auto& rec = (*records)[i + 1];
        check(!reg.number.empty() && reg.number == rec.fields[*number_col]);
        check(numbers.insert(reg.number).second);
        check(reg.scheme == scheme);
        check(reg.service == (service_col ? rec.fields[*service_col] : std::string()));
        check(reg.provider == (provider_col ? rec.fields[*provider_col] : std::string()));
        check(reg.where.file == file_name && reg.where.line == static_cast<int>(rec.line));
        check(reg.where.line >= 1 && static_cast<std::size_t>(reg.where.line) <= lines);

        const auto until = ctl::normalise_date(rec.fields[*until_col]);
        check(until.has_value() && ctl::normalise_date(*until) == until);
        const auto day = policy::parse_time(*until + "T00:00+09:00");
        check(day && reg.valid_until == *day + std::chrono::hours(24));

        const std::string registered_text = registered_col ? rec.fields[*registered_col] : std::string();
        check(reg.registered.has_value() == !registered_text.empty());
        if (reg.registered)
        {
            const auto d = ctl::normalise_date(registered_text);
            check(d && ctl::normalise_date(*d) == d &&
                  policy::parse_time(*d + "T00:00+09:00") == reg.registered);
        }
    }
}

} // namespace

extern "C" int sekisho_ismap_csv_fuzz_one(const std::uint8_t* data, std::size_t size)
{
    const std::string_view input(reinterpret_cast<const char*>(data), size);
    const auto nl = input.find('\n');
    const auto spec = input.substr(0, nl);
    const auto csv = nl == std::string_view::npos ? std::string_view() : input.substr(nl + 1);

    // The --columns option: a refusal says why; a spec read twice reads the same.
    ctl::ismap_columns cols;
    std::string why;
    const bool applied = ctl::apply_column_spec(spec, cols, &why);
    check(applied == why.empty());
    if (applied)
    {
        ctl::ismap_columns twice;
        std::string why_twice;
        check(ctl::apply_column_spec(spec, twice, &why_twice) && why_twice.empty());
        check(ctl::apply_column_spec(spec, twice, &why_twice) && why_twice.empty());
        check(twice.number == cols.number && twice.service == cols.service &&
              twice.provider == cols.provider && twice.registered == cols.registered &&
              twice.valid_until == cols.valid_until);
    }
    else
    {
        cols = {};
    }

    // Every line and every field the parser finds, as a date.
    check_date(std::string(spec));
    std::string why_whole;
    if (const auto whole = ctl::parse_csv(input, &why_whole))
    {
        for (const auto& rec : *whole)
        {
            for (const auto& f : rec.fields)
            {
                check_date(f);
            }
        }
    }

    // The whole input is a CSV text too (parse_csv's own checks), and the rest
    // is the export read with those columns.
    check_parse(input);
    check_import(csv, cols, (size % 2) == 0 ? policy::cert_scheme::ismap : policy::cert_scheme::ismap_liu);
    return 0;
}

#ifndef SEKISHO_SOURCE_DIR
extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    return sekisho_ismap_csv_fuzz_one(data, size);
}
#endif
