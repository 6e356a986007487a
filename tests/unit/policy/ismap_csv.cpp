// Reading an export of the ISMAP cloud service list (daemon/ctl/ismap_csv.hpp),
// what `sekishoctl catalog import-ismap` builds the registry from: a good file
// gives one registration per row with its fields; a file with any problem gives
// none, and the problem names its line; RFC 4180 quoting (commas, "" and line
// breaks inside quotes); a byte-order mark and CRLF as Excel writes them;
// renamed columns; the date formats the portal uses. Last, the fuzz target
// (tests/fuzz/ismap_csv_fuzz.cpp) replayed over its corpus.

#include "daemon/ctl/ismap_csv.hpp"

#include "policy/load.hpp"

#include <boost/test/unit_test.hpp>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

extern "C" int sekisho_ismap_csv_fuzz_one(const std::uint8_t* data, std::size_t size);

namespace ctl = sekisho::ctl;
namespace sp = sekisho::policy;

namespace {

// The default headers (ismap_columns), as the ISMAP portal's export has them.
const std::string header = "登録番号,クラウドサービス名称,クラウドサービス事業者名,登録日,有効期限";

ctl::ismap_import import(const std::string& text, const ctl::ismap_columns& cols = {})
{
    return ctl::read_ismap_csv(text, "ismap.csv", cols, sp::cert_scheme::ismap);
}

// A moment in Japan Standard Time.
sp::clock::time_point jst(const std::string& date_time)
{
    return *sp::parse_time(date_time + "+09:00");
}

std::string read_all(const std::filesystem::path& p)
{
    std::ifstream in(p, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

} // namespace

BOOST_AUTO_TEST_SUITE(ismap_csv)

BOOST_AUTO_TEST_CASE(good_export_gives_one_registration_per_row_with_its_fields)
{
    const auto r =
        import(header + "\n" +
               "C21-0001-1,Amazon Web Services,アマゾン ウェブ サービス ジャパン合同会社,2021/3/12,"
               "2027/3/31\n"
               "C21-0002-1,Microsoft Azure,日本マイクロソフト株式会社,2021年3月12日,2026年9月30日\n");
    BOOST_TEST(r.problems.empty());
    BOOST_TEST(r.missing_columns.empty());
    BOOST_TEST_REQUIRE(r.rows.size() == 2U);

    const auto& aws = r.rows[0];
    BOOST_TEST(aws.number == "C21-0001-1");
    BOOST_TEST(aws.service == "Amazon Web Services");
    BOOST_TEST(aws.provider == "アマゾン ウェブ サービス ジャパン合同会社");
    BOOST_TEST((aws.scheme == sp::cert_scheme::ismap));
    BOOST_TEST((aws.registered == jst("2021-03-12T00:00")));
    // Valid through the whole expiry day in Tokyo.
    BOOST_TEST((aws.valid_until == jst("2027-04-01T00:00")));
    BOOST_TEST(aws.where.file == "ismap.csv");
    BOOST_TEST(aws.where.line == 2);

    // The same dates written the Japanese way.
    const auto& azure = r.rows[1];
    BOOST_TEST(azure.number == "C21-0002-1");
    BOOST_TEST((azure.registered == jst("2021-03-12T00:00")));
    BOOST_TEST((azure.valid_until == jst("2026-10-01T00:00")));
    BOOST_TEST(azure.where.line == 3);
}

BOOST_AUTO_TEST_CASE(one_bad_row_imports_nothing_and_names_its_line)
{
    const auto r = import(header + "\n" + "C21-0001-1,AWS,アマゾン,2021/3/12,2027/3/31\n" +
                          "C21-0002-1,Azure,マイクロソフト,2021/3/12,未定\n" +
                          "C21-0005-1,GCP,グーグル,2021/3/26,2026/9/30\n" +
                          "C21-0001-1,AWS (再掲),アマゾン,2021/3/12,2027/3/31\n");
    // The good rows are not imported either: nothing half-imported.
    BOOST_TEST(r.rows.empty());
    const std::vector<std::string> expected{
        "ismap.csv:3: expiry `未定` of C21-0002-1 is not a date",
        "ismap.csv:5: registration number C21-0001-1 appears twice",
    };
    BOOST_TEST(r.problems == expected, boost::test_tools::per_element());

    // A row with a field too few, on the line it is on.
    const auto short_row = import(header + "\n\nC21-0001-1,AWS,アマゾン,2021/3/12\n");
    BOOST_TEST(short_row.rows.empty());
    BOOST_TEST_REQUIRE(short_row.problems.size() == 1U);
    BOOST_TEST(short_row.problems[0] == "ismap.csv:3: 4 fields where the header has 5");
}

BOOST_AUTO_TEST_CASE(quotes_commas_and_line_breaks_inside_quotes)
{
    const auto r =
        import(header + "\n" +
               "C23-0200-1,\"Box, Enterprise Plan\",\"株式会社 \"\"Box\"\" Japan\",2023/1/10,2028/1/9\n" +
               "C23-0300-1,\"Salesforce\nSales Cloud\",\"  株式会社セールスフォース・ジャパン  \",,"
               "\"2027-01-31\"\n" +
               "C23-0301-1,Slack,株式会社セールスフォース・ジャパン,2023/2/1,2027/1/31\n");
    BOOST_TEST(r.problems.empty());
    BOOST_TEST_REQUIRE(r.rows.size() == 3U);
    BOOST_TEST(r.rows[0].service == "Box, Enterprise Plan");
    BOOST_TEST(r.rows[0].provider == "株式会社 \"Box\" Japan");
    // A line break inside quotes is part of the field; a quoted field keeps its
    // spaces; an empty registration date is no date.
    BOOST_TEST(r.rows[1].service == "Salesforce\nSales Cloud");
    BOOST_TEST(r.rows[1].provider == "  株式会社セールスフォース・ジャパン  ");
    BOOST_TEST(!r.rows[1].registered.has_value());
    BOOST_TEST((r.rows[1].valid_until == jst("2027-02-01T00:00")));
    // Lines count the line break inside quotes: the next row is on line 5.
    BOOST_TEST(r.rows[1].where.line == 3);
    BOOST_TEST(r.rows[2].where.line == 5);

    // Broken quoting is one problem with its line, and nothing is imported.
    const auto unclosed = import(header + "\nC21-0001-1,AWS,アマゾン,2021/3/12,2027/3/31\n" +
                                 "C21-0002-1,\"Azure,マイクロソフト,2021/3/12,2027/3/31\n");
    BOOST_TEST(unclosed.rows.empty());
    BOOST_TEST_REQUIRE(unclosed.problems.size() == 1U);
    BOOST_TEST(unclosed.problems[0] == "ismap.csv: line 3: a quoted field is never closed");
    const auto stray = import(header + "\nC21-0001-1,AW\"S,アマゾン,2021/3/12,2027/3/31\n");
    BOOST_TEST_REQUIRE(stray.problems.size() == 1U);
    BOOST_TEST(stray.problems[0] == "ismap.csv: line 2: a quote inside an unquoted field");
}

BOOST_AUTO_TEST_CASE(byte_order_mark_and_crlf_as_excel_saves_them)
{
    const auto r =
        import("\xEF\xBB\xBF" + header + "\r\n" + "C21-0001-1,AWS,アマゾン,2021/3/12,2027/3/31\r\n" + "\r\n" +
               "\xE3\x80\x80"
               "C21-0002-1"
               "\xE3\x80\x80"
               ",Azure ,マイクロソフト,,2027/3/31\r\n");
    // The header's first column is found despite the mark, no field ends in
    // \r, a blank line is skipped and full-width spaces around a field go.
    BOOST_TEST(r.problems.empty());
    BOOST_TEST(r.missing_columns.empty());
    BOOST_TEST_REQUIRE(r.rows.size() == 2U);
    BOOST_TEST(r.rows[0].number == "C21-0001-1");
    BOOST_TEST(r.rows[0].where.line == 2);
    BOOST_TEST((r.rows[0].valid_until == jst("2027-04-01T00:00")));
    BOOST_TEST(r.rows[1].number == "C21-0002-1");
    BOOST_TEST(r.rows[1].service == "Azure");
    BOOST_TEST(r.rows[1].where.line == 4);
}

BOOST_AUTO_TEST_CASE(columns_missing_or_renamed)
{
    // A required column missing: reported on the header's line, nothing imported.
    const auto no_number = import("クラウドサービス名称,有効期限\nAWS,2027/3/31\n");
    BOOST_TEST(no_number.rows.empty());
    BOOST_TEST_REQUIRE(no_number.problems.size() == 1U);
    BOOST_TEST(no_number.problems[0] ==
               "ismap.csv:1: no column `登録番号` for number (name it with --columns number=<header>)");

    // Optional columns missing: imported, and said which.
    const auto minimal = import("登録番号,有効期限\nC21-0001-1,2027/3/31\n");
    BOOST_TEST(minimal.problems.empty());
    BOOST_TEST(minimal.rows.size() == 1U);
    const std::vector<std::string> missing{"service", "provider", "registered"};
    BOOST_TEST(minimal.missing_columns == missing, boost::test_tools::per_element());

    // --columns names other headers; a bad spec says why.
    ctl::ismap_columns cols;
    std::string why;
    BOOST_TEST(ctl::apply_column_spec("number=Registration No.,valid_until= Expiry", cols, &why));
    BOOST_TEST(cols.number == "Registration No.");
    BOOST_TEST(cols.valid_until == "Expiry");
    BOOST_TEST(cols.service == "クラウドサービス名称");
    const auto english = import("Registration No.,Expiry\nC21-0001-1,2027-03-31\n", cols);
    BOOST_TEST(english.problems.empty());
    BOOST_TEST_REQUIRE(english.rows.size() == 1U);
    BOOST_TEST(english.rows[0].number == "C21-0001-1");

    ctl::ismap_columns other;
    BOOST_TEST(!ctl::apply_column_spec("expires=Expiry", other, &why));
    BOOST_TEST(why.find("unknown field `expires`") != std::string::npos, why);
    BOOST_TEST(!ctl::apply_column_spec("number", other, &why));
    BOOST_TEST(why.find("field=Header pairs") != std::string::npos, why);
}

BOOST_AUTO_TEST_CASE(dates_in_the_formats_the_portal_uses)
{
    BOOST_TEST(ctl::normalise_date("2027-03-31").value_or("") == "2027-03-31");
    BOOST_TEST(ctl::normalise_date("2027/3/31").value_or("") == "2027-03-31");
    BOOST_TEST(ctl::normalise_date("2027年3月31日").value_or("") == "2027-03-31");
    BOOST_TEST(ctl::normalise_date(" 2028/2/29 ").value_or("") == "2028-02-29");
    // What it gives reads back unchanged.
    BOOST_TEST(ctl::normalise_date(*ctl::normalise_date("2027年3月1日")).value_or("") == "2027-03-01");

    for (const char* bad : {"2027/2/29",
                            "2027/4/31",
                            "2027/13/1",
                            "未定",
                            "令和9年3月31日",
                            "R9.3.31",
                            "31/03/2027",
                            "2027.03.31",
                            "2027-03-31T00:00",
                            "2027-03",
                            ""})
    {
        BOOST_TEST(!ctl::normalise_date(bad).has_value(), bad);
    }
}

BOOST_AUTO_TEST_CASE(fuzz_corpus_replays_cleanly)
{
    std::size_t inputs = 0;
    for (const auto& e : std::filesystem::directory_iterator(std::string(SEKISHO_SOURCE_DIR) +
                                                             "/tests/fuzz/corpus/ismap_csv"))
    {
        const auto data = read_all(e.path());
        sekisho_ismap_csv_fuzz_one(reinterpret_cast<const std::uint8_t*>(data.data()), data.size());
        ++inputs;
    }
    BOOST_TEST(inputs >= 30U);
}

BOOST_AUTO_TEST_SUITE_END()
