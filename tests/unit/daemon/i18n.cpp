// daemon/i18n: the pattern matcher (catalog.cpp), the choice of language
// (lang.cpp), and that every policy and configuration diagnostic the bad
// fixtures and the shipped examples produce reads in Japanese
// (ja_diagnostics.cpp).

#include "common/fixture_expectations.hpp"
#include "daemon/config/settings.hpp"
#include "daemon/ctl/explain.hpp"
#include "daemon/i18n/catalog.hpp"
#include "daemon/i18n/lang.hpp"
#include "policy/load.hpp"
#include "policy/snapshot.hpp"

#include <boost/test/unit_test.hpp>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

namespace i18n = sekisho::i18n;
namespace sp = sekisho::policy;
namespace cfg = sekisho::config;
namespace st = sekisho::test;

namespace {

const std::filesystem::path source_dir(SEKISHO_SOURCE_DIR);

// Sets the language for one test and puts English back afterwards.
struct in_japanese
{
    in_japanese() { i18n::set(i18n::lang::ja); }
    ~in_japanese() { i18n::set(i18n::lang::en); }
    in_japanese(const in_japanese&) = delete;
    in_japanese& operator=(const in_japanese&) = delete;
};

// Sets or clears an environment variable for a scope.
class scoped_env
{
public:
    scoped_env(const char* name, const char* value) : name_(name)
    {
        if (const char* old = std::getenv(name))
        {
            saved_ = old;
        }
        if (value != nullptr)
        {
            ::setenv(name, value, 1);
        }
        else
        {
            ::unsetenv(name);
        }
    }
    ~scoped_env()
    {
        if (saved_)
        {
            ::setenv(name_, saved_->c_str(), 1);
        }
        else
        {
            ::unsetenv(name_);
        }
    }
    scoped_env(const scoped_env&) = delete;
    scoped_env& operator=(const scoped_env&) = delete;

private:
    const char* name_;
    std::optional<std::string> saved_;
};

bool is_letter(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

// An English word: ASCII letters, perhaps with an inner ' or - ("don't",
// "single-factor"), perhaps with , . : ; ( ) ? ! around it. "x509",
// "-noout", "services[0].id", "data_class" are not words.
bool is_english_word(std::string_view token)
{
    const std::string_view around = ",.:;()?!\"";
    while (!token.empty() && around.find(token.front()) != std::string_view::npos)
    {
        token.remove_prefix(1);
    }
    while (!token.empty() && around.find(token.back()) != std::string_view::npos)
    {
        token.remove_suffix(1);
    }
    if (token.empty() || !is_letter(token.front()) || !is_letter(token.back()))
    {
        return false;
    }
    for (char c : token)
    {
        if (!is_letter(c) && c != '\'' && c != '-')
        {
            return false;
        }
    }
    return true;
}

// The longest run of English words side by side outside `backticks`, in
// words; a translated text has none of 4 or more.
std::size_t longest_english_run(std::string_view text)
{
    std::string outside;
    bool quoted = false;
    for (char c : text)
    {
        if (c == '`')
        {
            quoted = !quoted;
            outside += ' ';
            outside += '|'; // a quoted value breaks a run
            outside += ' ';
            continue;
        }
        if (!quoted)
        {
            outside += c;
        }
    }
    std::istringstream words(outside);
    std::string token;
    std::size_t run = 0;
    std::size_t longest = 0;
    while (words >> token)
    {
        // A token that holds non-ASCII bytes (Japanese) is no English word.
        run = is_english_word(token) ? run + 1 : 0;
        longest = std::max(longest, run);
    }
    return longest;
}

// Why `en` does not read as Japanese, or empty when it does.
std::string untranslated(const std::string& en)
{
    const auto ja = i18n::message(en);
    if (ja == en)
    {
        return "no entry matches";
    }
    if (longest_english_run(ja) >= 4)
    {
        return "English left in: " + ja;
    }
    return {};
}

struct coverage
{
    std::size_t texts = 0;
    std::vector<std::string> missing;

    void check(const std::string& source, const std::string& en)
    {
        if (en.empty())
        {
            return;
        }
        ++texts;
        if (auto why = untranslated(en); !why.empty())
        {
            missing.push_back(source + ": \"" + en + "\": " + why);
        }
    }
    void check(const std::string& source, const sp::diagnostics& diags)
    {
        for (const auto& d : diags.items())
        {
            check(source, d.message);
            check(source, d.hint);
        }
    }
    std::string report() const
    {
        std::string out;
        for (const auto& m : missing)
        {
            out += "\n  " + m;
        }
        return out;
    }
};

std::optional<std::chrono::system_clock::time_point> at(const char* text)
{
    return sp::parse_time(text);
}

// A policy file as daemon/ctl/common.cpp load() reads it: load, then compile
// (with `now` for the expiry warnings).
sp::diagnostics load_and_compile(const std::string& path,
                                 std::optional<std::chrono::system_clock::time_point> now = std::nullopt)
{
    sp::diagnostics diags;
    auto loaded = sp::load_policy_file(path);
    diags.append(loaded.diags);
    if (loaded.document)
    {
        auto doc = std::move(*loaded.document);
        doc.tests.clear();
        sp::compile_inputs inputs;
        inputs.now = now;
        (void)sp::compile(std::move(doc), inputs, diags);
    }
    return diags;
}

sp::diagnostics load_and_compile_text(const std::string& yaml, const char* now)
{
    sp::diagnostics diags;
    auto loaded = sp::load_policy_text(yaml, "inline.yaml");
    diags.append(loaded.diags);
    if (loaded.document)
    {
        sp::compile_inputs inputs;
        inputs.now = at(now);
        (void)sp::compile(std::move(*loaded.document), inputs, diags);
    }
    return diags;
}

} // namespace

BOOST_AUTO_TEST_SUITE(i18n_catalog)

// ---- The matcher ------------------------------------------------------------

constexpr i18n::entry sample[] = {
    {"service `{id}` is granted by no role: nobody can reach it", "サービス `{id}` は誰も使えません"},
    {"{a} and {b} overlap", "{a} と {b} が重なっています"},
    {"{what} is empty", "{what} が空です"},
    {"cannot read {path}", "{path} を読めません"},
    {"literal only", "文字だけ"},
    {"unknown key `{key}` in {what}", "{what} の不明なキー `{key}`（{hint}）"},
};

BOOST_AUTO_TEST_CASE(fields_are_captured_and_filled)
{
    BOOST_TEST(i18n::match(sample, "service `mail` is granted by no role: nobody can reach it") ==
               "サービス `mail` は誰も使えません");
    BOOST_TEST(i18n::match(sample, "literal only") == "文字だけ");
    // A field takes at least one character.
    BOOST_TEST(i18n::match(sample, "service `` is granted by no role: nobody can reach it").empty());
    // A field the Japanese names but the English does not stays as written.
    BOOST_TEST(i18n::match(sample, "unknown key `a` in b") == "b の不明なキー `a`（{hint}）");
}

BOOST_AUTO_TEST_CASE(fields_at_the_start_and_the_end)
{
    BOOST_TEST(i18n::match(sample, "listeners is empty") == "listeners が空です");
    BOOST_TEST(i18n::match(sample, "cannot read /etc/sekisho/policy.yaml") ==
               "/etc/sekisho/policy.yaml を読めません");
    // The whole text must match: nothing before or after the pattern.
    BOOST_TEST(i18n::match(sample, "literal only!").empty());
    BOOST_TEST(i18n::match(sample, "is empty").empty());
}

BOOST_AUTO_TEST_CASE(the_match_backtracks)
{
    // The first " overlap" ends the second field too early (text follows
    // it): the matcher must try the later one.
    BOOST_TEST(i18n::match(sample, "x and y overlap and z overlap") ==
               "x と y overlap and z が重なっています");
    BOOST_TEST(i18n::match(sample, "x and y overlap and z").empty());
    // "`" occurs inside the id: still matched as a whole.
    BOOST_TEST(i18n::match(sample, "unknown key `a`b` in c") == "c の不明なキー `a`b`（{hint}）");
}

BOOST_AUTO_TEST_CASE(first_entry_wins)
{
    constexpr i18n::entry ordered[] = {
        {"{what} is empty", "一般"},
        {"listeners is empty", "特定"},
    };
    BOOST_TEST(i18n::match(ordered, "listeners is empty") == "一般");
}

BOOST_AUTO_TEST_CASE(untranslated_text_stays_english)
{
    const in_japanese ja;
    const std::string en = "a text nobody wrote a translation for";
    BOOST_TEST(i18n::message(en) == en);
    BOOST_TEST(i18n::message("").empty());
}

BOOST_AUTO_TEST_CASE(english_is_left_alone)
{
    i18n::set(i18n::lang::en);
    BOOST_TEST(i18n::message("the policy is empty") == "the policy is empty");
    sp::diagnostic d{sp::severity::error, {"p.yaml", 3, 5}, "the policy is empty", "start with `version: 1`"};
    BOOST_TEST(i18n::format(d) == sp::format(d));
}

BOOST_AUTO_TEST_CASE(captured_values_are_translated_too)
{
    const in_japanese ja;
    // The hint inside the message is itself a known text.
    BOOST_TEST(i18n::message("did you mean `domains`?") == "`domains` ではありませんか？");
    BOOST_TEST(i18n::message("unknown key `x` in the policy") ==
               "ポリシーの最上位に不明なキー `x` があります");
    BOOST_TEST(i18n::message("role `clerk` grants nothing") == "ロール `clerk` は何も許可していません");
    BOOST_TEST(i18n::message("YAML syntax: did not find expected key while parsing a block mapping") ==
               "YAML の構文エラー: "
               "ブロックマッピングの解析中にキーが見つかりませんでした。字下げを確認してください");
    BOOST_TEST(
        i18n::message("service `box` breaks supply_chain:restricted_countries (subprocessor Foo Inc. in CN): "
                      "every tunnel to it is denied (restricted_country)") ==
        "サービス `box` は supply_chain:restricted_countries に反しています（再委託先 Foo Inc. の所在国 "
        "CN）: "
        "このサービスへのトンネルはすべて拒否されます（restricted_country）");
}

BOOST_AUTO_TEST_CASE(format_translates_message_and_hint)
{
    const in_japanese ja;
    sp::diagnostic d{sp::severity::error,
                     {"policy.yaml", 12, 5},
                     "unknown key `domain` in services[0]",
                     "did you mean `domains`?"};
    BOOST_TEST(i18n::format(d) == "policy.yaml:12:5: エラー: services[0] に不明なキー `domain` があります"
                                  "（ヒント: `domains` ではありませんか？）");
    d.level = sp::severity::warning;
    d.hint.clear();
    d.where = {"", 0, 0};
    BOOST_TEST(i18n::format(d) == "<input>: 警告: services[0] に不明なキー `domain` があります");
}

// ---- The language -------------------------------------------------------------

BOOST_AUTO_TEST_CASE(language_names)
{
    BOOST_TEST((i18n::parse("ja") == i18n::lang::ja));
    BOOST_TEST((i18n::parse("ja_JP.UTF-8") == i18n::lang::ja));
    BOOST_TEST((i18n::parse("C") == i18n::lang::en));
    BOOST_TEST((i18n::parse("POSIX") == i18n::lang::en));
    BOOST_TEST((i18n::parse("en_US.UTF-8") == i18n::lang::en));
    BOOST_TEST(!i18n::parse("fr_FR.UTF-8").has_value());
}

BOOST_AUTO_TEST_CASE(lang_option_is_taken_out_of_the_arguments)
{
    const scoped_env lc_all("LC_ALL", "C");
    std::vector<std::string> args{"policy", "check", "--lang", "ja", "p.yaml"};
    BOOST_TEST(i18n::choose(args).empty());
    BOOST_TEST((i18n::current() == i18n::lang::ja));
    BOOST_TEST((args == std::vector<std::string>{"policy", "check", "p.yaml"}));

    args = {"--lang=en", "status"};
    BOOST_TEST(i18n::choose(args).empty());
    BOOST_TEST((i18n::current() == i18n::lang::en));
    BOOST_TEST((args == std::vector<std::string>{"status"}));

    args = {"status", "--lang", "fr"};
    BOOST_TEST(!i18n::choose(args).empty());
    args = {"status", "--lang"};
    BOOST_TEST(!i18n::choose(args).empty());
    i18n::set(i18n::lang::en);
}

BOOST_AUTO_TEST_CASE(language_from_the_environment)
{
    {
        const scoped_env lc_all("LC_ALL", "ja_JP.UTF-8");
        std::vector<std::string> args{"status"};
        BOOST_TEST(i18n::choose(args).empty());
        BOOST_TEST((i18n::current() == i18n::lang::ja));
    }
    {
        const scoped_env lc_all("LC_ALL", "C");
        std::vector<std::string> args{"status"};
        BOOST_TEST(i18n::choose(args).empty());
        BOOST_TEST((i18n::current() == i18n::lang::en));
    }
    i18n::set(i18n::lang::en);
}

// ---- The checker the coverage tests rely on -------------------------------------

BOOST_AUTO_TEST_CASE(english_run_checker)
{
    BOOST_TEST(longest_english_run("the policy is empty") == 4U);
    BOOST_TEST(longest_english_run("ポリシーが空です") == 0U);
    BOOST_TEST(longest_english_run("`the policy is empty` が空です") == 0U);
    BOOST_TEST(longest_english_run("services[0] に不明なキー `domain` があります") == 0U);
    BOOST_TEST(longest_english_run("16進数: openssl x509 -in device.pem -noout -serial") == 1U);
    BOOST_TEST(longest_english_run("ゾーン: every tunnel is refused") == 4U);
}

// ---- Coverage: every diagnostic people meet reads in Japanese ------------------

BOOST_AUTO_TEST_CASE(policy_bad_fixtures_are_translated)
{
    const in_japanese ja;
    coverage c;
    const auto dir = source_dir / "tests" / "fixtures" / "policy_bad";
    for (const auto& name : st::list_yaml(dir))
    {
        c.check("policy_bad/" + name, load_and_compile((dir / name).string()));
    }
    BOOST_TEST(c.texts >= 100U);
    BOOST_TEST(c.missing.empty(), c.missing.size() << " of " << c.texts << " untranslated:" << c.report());
    BOOST_TEST_MESSAGE("policy_bad: " << c.texts - c.missing.size() << " of " << c.texts << " translated");
}

BOOST_AUTO_TEST_CASE(config_bad_fixtures_are_translated)
{
    const in_japanese ja;
    const scoped_env unset("SEKISHO_UT_UNSET_VARIABLE", nullptr);
    coverage c;
    const auto dir = source_dir / "tests" / "fixtures" / "config_bad";
    for (const auto& name : st::list_yaml(dir))
    {
        c.check("config_bad/" + name, cfg::load_settings_file((dir / name).string()).diags);
    }
    BOOST_TEST(c.texts >= 50U);
    BOOST_TEST(c.missing.empty(), c.missing.size() << " of " << c.texts << " untranslated:" << c.report());
    BOOST_TEST_MESSAGE("config_bad: " << c.texts - c.missing.size() << " of " << c.texts << " translated");
}

// The shipped examples at the dates their certifications, exceptions,
// reviews and accounts come due, and after.
BOOST_AUTO_TEST_CASE(example_warnings_are_translated)
{
    const in_japanese ja;
    coverage c;
    std::vector<std::string> files{(source_dir / "config" / "policy.yaml").string()};
    for (const auto& name : st::list_yaml(source_dir / "config" / "policies"))
    {
        files.push_back((source_dir / "config" / "policies" / name).string());
    }
    for (const auto& file : files)
    {
        for (const char* now : {"2027-09-15T09:00+09:00",
                                "2027-10-15T09:00+09:00",
                                "2030-03-15T09:00+09:00",
                                "2030-07-15T09:00+09:00",
                                "2031-01-01T09:00+09:00"})
        {
            c.check(file + " at " + now, load_and_compile(file, at(now)));
        }
        c.check(file, load_and_compile(file));
    }
    {
        const scoped_env pki("SEKISHO_PKI", "/tmp/sekisho-unit-pki");
        c.check("config/sekisho.yaml",
                cfg::load_settings_file((source_dir / "config" / "sekisho.yaml").string()).diags);
    }
    BOOST_TEST(c.texts >= 10U);
    BOOST_TEST(c.missing.empty(), c.missing.size() << " of " << c.texts << " untranslated:" << c.report());
    BOOST_TEST_MESSAGE("examples: " << c.texts - c.missing.size() << " of " << c.texts << " translated");
}

// Texts no fixture reaches: small policies and configurations that produce
// them (each must produce at least one diagnostic).
BOOST_AUTO_TEST_CASE(other_policy_diagnostics_are_translated)
{
    const in_japanese ja;
    coverage c;
    const std::string head = "version: 1\nmodel: alpha\n"
                             "zones:\n"
                             "  mynumber: {cidrs: [10.20.0.0/16], domains: [mynumber.example.lg.jp]}\n"
                             "  lgwan: {cidrs: [10.30.0.0/16], domains: [lgwan.example.lg.jp]}\n"
                             "  internet: {}\n";
    const std::string svc = "services:\n"
                            "  - id: box\n"
                            "    domains: [box.example.com]\n"
                            "    ports: [443]\n"
                            "    data_class: 2\n";
    const std::string people = "roles:\n"
                               "  - {id: clerk, layers: [internet], services: [box], data_class: 2}\n"
                               "users:\n"
                               "  - {id: tanaka, roles: [clerk], expires: 2027-04-10}\n"
                               "devices:\n"
                               "  - {id: pc1, owner: tanaka, kind: lent, status: active, serial: \"0a\","
                               " expires: 2027-04-10}\n";
    const std::vector<std::pair<std::string, std::string>> cases{
        {"certification kinds",
         head + "services:\n"
                "  - {id: a, domains: [a.example.com], ports: [443], data_class: 3C,\n"
                "     certification: {scheme: ismap_liu, number: L1, valid_until: 2027-04-10, "
                "liu_categories: [x]}}\n"
                "  - {id: b, domains: [b.example.com], ports: [443], data_class: 3C,\n"
                "     certification: {scheme: municipal_assessment, number: M1, valid_until: 2030-01-01}}\n"
                "  - {id: c, domains: [c.example.com], ports: [443], data_class: 2,\n"
                "     certification: {scheme: ismap, number: C1, valid_until: 2030-01-01, withdrawn: "
                "2027-04-01}}\n"
                "  - {id: d, domains: [d.example.com], ports: [443], data_class: 2,\n"
                "     certification: {scheme: ismap, number: D1, valid_until: 2030-01-01, withdrawn: "
                "2027-04-20}}\n"
                "  - {id: e, domains: [e.example.com], ports: [443], data_class: 2,\n"
                "     certification: {scheme: ismap, number: E1, valid_until: 2026-10-01, renewal_pending: "
                "2026-09-01}}\n"
                "  - {id: f, domains: [f.example.com], ports: [443], data_class: 2,\n"
                "     certification: {scheme: ismap, number: F1, valid_until: 2027-03-31, renewal_pending: "
                "2027-03-01}}\n"
                "  - {id: g, domains: [g.example.com], ports: [443], data_class: 2,\n"
                "     certification: {registry: X-1}}\n"
                "  - {id: h, domains: [h.example.com], ports: [443], data_class: 2,\n"
                "     certification: {scheme: ismap, number: H1, valid_until: 2027-03-01},\n"
                "     approval: {by: 課長, on: 2026-04-01, review_due: 2027-03-01}}\n"
                "  - {id: i, domains: [i.example.com], ports: [443], data_class: 2,\n"
                "     certification: {scheme: ismap, number: I1, valid_until: 2027-04-20},\n"
                "     approval: {by: 課長, on: 2026-04-01, review_due: 2027-04-20}}\n"
                "  - {id: j, domains: [j.example.com], ports: [443], data_class: 2}\n"
                "exceptions:\n"
                "  - {id: x1, service: nosuch, waives: [residency], from: 2027-01-01, until: 2027-04-10,"
                " approved_by: 課長, reason: 試行}\n"
                "  - {id: x2, service: j, waives: [kev_open], from: 2026-01-01, until: 2027-03-01,"
                " approved_by: 課長, reason: 試行}\n"
                "  - {id: x2, service: j, waives: [kev_open], from: 2026-01-01, until: 2027-03-01,"
                " approved_by: 課長, reason: 試行}\n"},
        {"registry",
         head + "registrations:\n"
                "  - {number: R-1, scheme: ismap_liu, valid_until: 2030-01-01}\n"
                "  - {number: R-1, scheme: ismap_liu, valid_until: 2030-01-01}\n"
                "  - {number: R-2, scheme: ismap, valid_until: 2027-05-01}\n"
                "services:\n"
                "  - {id: a, domains: [a.example.com], ports: [443], data_class: 2,\n"
                "     certification: {registry: R-1}}\n"
                "  - {id: b, domains: [b.example.com], ports: [443], data_class: 2,\n"
                "     certification: {registry: R-2, renewal_pending: 2027-06-01}}\n"},
        {"supply chain",
         head + "supply_chain:\n"
                "  restricted_countries: [CN]\n"
                "  restricted_providers: [Bad Corp]\n"
                "  residency: [{min_class: 2, countries: [JP]}]\n"
                "services:\n"
                "  - {id: a, domains: [a.example.com], ports: [443], data_class: 2,\n"
                "     certification: {scheme: ismap, number: A1, valid_until: 2030-01-01},\n"
                "     provider: {name: Bad Corp, country: JP, parent_country: CN},\n"
                "     residency: {storage: [US], failover: [JP]}}\n"
                "  - {id: b, domains: [b.example.com], ports: [443], data_class: 2,\n"
                "     certification: {scheme: ismap, number: B1, valid_until: 2030-01-01},\n"
                "     provider: {name: Good, country: JP},\n"
                "     subprocessors: [{name: Sub, country: CN}],\n"
                "     residency: {storage: [JP], failover: [SG]}}\n"
                "  - {id: c, domains: [c.example.com], ports: [443], data_class: 2,\n"
                "     certification: {scheme: ismap, number: C1, valid_until: 2030-01-01}}\n"
                "  - {id: d, domains: [d.example.com], ports: [443], data_class: 2,\n"
                "     certification: {scheme: ismap, number: D1, valid_until: 2030-01-01},\n"
                "     provider: {name: Other, country: CN}}\n"},
        {"catalog shapes",
         head + "supply_chain:\n"
                "  review_overdue: maybe\n"
                "  municipal_assessment_max_class: 3A\n"
                "  residency: [{min_class: 2, countries: []}]\n"
                "services:\n"
                "  - {id: a, domains: [a.example.com], ports: [443], data_class: 2,\n"
                "     certification: {scheme: nope, number: A1, valid_until: 2030-01-01, registered: "
                "2031-01-01,\n"
                "                     renewal_pending: 2030-02-01},\n"
                "     provider: {name: P, country: jp, corporate_number: \"12\"},\n"
                "     residency: {storage: [], failover: [JP]},\n"
                "     sbom: {format: xml, kev_open: 2}}\n"
                "  - {id: b, domains: [b.example.com], ports: [443], data_class: 2,\n"
                "     certification: {scheme: ismap_liu, number: B1, valid_until: 2030-01-01}}\n"
                "  - {id: c, domains: [c.example.com], ports: [443], data_class: 2,\n"
                "     certification: {scheme: ismap, number: C1, valid_until: 2030-01-01, liu_categories: "
                "[x]}}\n"
                "exceptions:\n"
                "  - {id: x1, service: a, waives: [mynumber_zone], from: 2027-05-01, until: 2027-04-01,"
                " approved_by: \"\", reason: \"\"}\n"
                "  - {id: x2, service: a, waives: [], from: 2027-01-01, until: 2027-04-01, approved_by: a,"
                " reason: b}\n"},
        {"people",
         head + svc + people +
             "  - {id: pc2, owner: suzuki, kind: byod, status: active, serial: \"0a\"}\n"
             "  - {id: pc3, owner: tanaka, kind: loaned, status: gone, fingerprint: xyz}\n"
             "  - {id: pc4, owner: tanaka, kind: lent, status: active}\n"},
        {"people expired", head + svc + people},
        {"roles",
         head + svc +
             "  - {id: big, domains: [big.example.com], ports: [443], data_class: 2, tags: [big]}\n"
             "screen_transfer:\n"
             "  - {id: vdi, host: 10.30.0.5, ports: [443],\n"
             "     controls: {clipboard: false, file_transfer: false, printing: false, drive_mapping: "
             "false}}\n"
             "roles:\n"
             "  - {id: r1, layers: [internet], screen_transfer: [vdi], services: [tag:nothing, boxx],"
             " data_class: 1, mfa: false, factors: [password]}\n"
             "  - {id: r2, layers: [lgwan], services: [box], data_class: 1}\n"
             "  - {id: r3, layers: [], data_class: 3A, hours: [], enforce: loud}\n"
             "  - {id: r4, layers: [mynumber, moon], data_class: 2,\n"
             "     hours: [{days: [mon-fri, someday], from: \"09:00\", to: \"09:00\"}, {days: [], from: "
             "\"25:00\","
             " to: \"24:01\"}], factors: [device, retina], limits: {tunnels_per_user: 0}}\n"
             "  - {id: r5, layers: [internet], services: [tag:big], data_class: 1}\n"
             "users:\n"
             "  - {id: u1, roles: [r1, r2, r3, r4, r5, r6]}\n"},
        {"beta prime",
         "version: 1\nmodel: beta_prime\nbyod_allowed: true\n"
         "zones: {mynumber: {cidrs: [10.20.0.0/16]}, lgwan: {}, internet: {}}\n" +
             svc + "    local_breakout: true\n" +
             "roles:\n"
             "  - {id: r1, layers: [internet], services: [box], data_class: 2, mfa: false}\n"
             "  - {id: r2, layers: [internet], services: [box], data_class: 2, posture_max_age: 30d}\n"
             "users:\n"
             "  - {id: u1, roles: [r1, r2]}\n"},
        {"tests",
         head + svc +
             "tests:\n"
             "  - {name: t1, user: nobody, device: nodev, layer: moon, target: \"x\", expect: maybe,"
             " reason: why, resolves: [nope], at: soon}\n"
             "  - {name: t2, user: nobody, device: nodev, layer: internet, target: \"box.example.com:443\","
             " expect: allow}\n"},
        {"zones",
         "version: 1\nmodel: alpha\n"
         "zones:\n"
         "  mynumber: {}\n"
         "  lgwan: {cidrs: [10.30.0.0/16, 10.30.1.0/24], domains: [x.mynumber.example]}\n"
         "  internet: {cidrs: [10.30.0.0/24], domains: [mynumber.example]}\n"
         "include: [\"${SEKISHO_UT_NO_SUCH_VARIABLE}/a.yaml\", /no/such/file.yaml, /no/such/file.yaml]\n"},
        {"shapes",
         "version: 1\nmodel: alpha\n"
         "zones: {mynumber: {cidrs: [10.20.0.0/16]}, lgwan: {}, internet: {}}\n"
         "byod_allowed: maybe\n"
         "services:\n"
         "  - {id: a, domains: [a.example.com], ports: [443, 443, x]}\n"
         "  - {id: b, domains: [\"*.mynumber.example\"], ports: {a: 1}}\n"
         "  - {id: c, domains: [b.example.com], ports: [443], data_class: 2, posture: {a: b}}\n"
         "roles:\n"
         "  - id: r1\n"
         "    layers: [internet]\n"
         "    data_class: 2\n"
         "    posture_max_age: soon\n"
         "  - {id: r2, layers: [internet], data_class: 2, posture_max_age: 10x}\n"
         "  - {id: r3, layers: [internet], data_class: 2, posture_max_age: 1000d, limits: "
         "{tunnels_per_user: 999999}}\n"},
        {"alias bomb",
         "a: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
         "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n"
         "e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\nf: [*e, *e, *e, *e, *e, *e, *e, *e, *e, *e]\n"},
        {"unknown anchor", "a: *nowhere\n"},
        {"tab", "a:\n\tb: 1\n"},
        {"unclosed quote", "a: \"b\n"},
        {"flow", "a: [b, c\n"},
    };
    for (const auto& [name, yaml] : cases)
    {
        const auto diags = load_and_compile_text(yaml, "2027-04-01T09:00+09:00");
        BOOST_TEST(!diags.items().empty(), name << " produced no diagnostic");
        c.check(name, diags);
    }
    const auto registry = sp::load_registrations_text("registry: []\n", "registry.yaml");
    c.check("registry file", registry.diags);
    BOOST_TEST(c.missing.empty(), c.missing.size() << " of " << c.texts << " untranslated:" << c.report());
    BOOST_TEST_MESSAGE("other policy texts: " << c.texts - c.missing.size() << " of " << c.texts
                                              << " translated");
}

BOOST_AUTO_TEST_CASE(other_configuration_diagnostics_are_translated)
{
    const in_japanese ja;
    coverage c;
    const std::string head = "version: 1\n"
                             "policy: policy.yaml\n"
                             "listeners:\n"
                             "  - id: internet\n"
                             "    address: 127.0.0.1\n"
                             "    port: 8443\n"
                             "    layer: internet\n"
                             "    tls: {certificate: a.pem, private_key: a.key, client_ca: ca.pem}\n"
                             "    proxy_protocol: {trusted: [0.0.0.0/0, 10.0.0.1/8, nope]}\n"
                             "  - id: lgwan\n"
                             "    address: 127.0.0.1\n"
                             "    port: 8443\n"
                             "    layer: lgwan\n"
                             "    tls: {certificate: a.pem, private_key: a.key, client_ca: ca.pem}\n"
                             "    proxy_protocol: {trusted: []}\n";
    const std::vector<std::pair<std::string, std::string>> cases{
        {"sections",
         head +
             "timeouts: {idle: 2h, tunnel_lifetime: 1h}\n"
             "admin: {socket: /run/" +
             std::string(120, 'x') +
             "/admin.sock}\n"
             "metrics: {address: 0.0.0.0, port: 9100}\n"
             "session_tickets: {enabled: false, key_file: /etc/k}\n"
             "auth:\n"
             "  secrets: /etc/s.yaml\n"
             "  totp: {step: 1500ms}\n"
             "  lockout: {backoff: 10m, max_backoff: 1m}\n"
             "  session: {idle: 10h, max: 1h}\n"
             "  store: {type: memory, servers: [\"10.0.0.5:6379\"], reconnect_backoff: 10s,"
             " reconnect_backoff_max: 1s, on_unavailable: local_fallback}\n"
             "audit:\n"
             "  directory: /var/lib/sekisho/audit\n"
             "  signing_key: /etc/k\n"
             "  on_failure: maybe\n"
             "  forward: {address: syslog.example, port: 514, transport: udp, app_name: \"\"}\n"
             "egress:\n"
             "  internet:\n"
             "    proxy: {address: proxy.example, port: 8080, username: \"a:b\", resolve: maybe}\n"
             "    dns: {servers: [\"1.2.3.4:99999\"]}\n"
             "  lgwan:\n"
             "    proxy: {address: 10.0.0.1, port: 8080, resolve: proxy}\n"
             "    dns: {servers: []}\n"},
        {"more sections",
         head + "auth:\n"
                "  secrets: /etc/s.yaml\n"
                "  store: {type: redis, servers: [nope], sentinels: [\"10.0.0.1:26379\"], prefix: \"\","
                " tls: {ca: ca.pem, certificate: c.pem}, password_file: /no/such/file}\n"
                "audit:\n"
                "  directory: /var/lib/sekisho/audit\n"
                "  signing_key: /etc/k\n"
                "  forward: {address: 10.0.0.9, port: 514, transport: tcp, ca: ca.pem, certificate: c.pem}\n"
                "egress:\n"
                "  internet:\n"
                "    proxy: {address: 10.0.0.1, port: 8080, username: a, tls: {ca: ca.pem}}\n"
                "hosts:\n"
                "  Upper.Example: [10.0.0.1]\n"
                "  ok.example: [nope]\n"},
        {"redis",
         head + "auth:\n  secrets: /etc/s.yaml\n  store: {type: redis, sentinels: [\"10.0.0.1:26379\"]}\n"},
        {"redis none", head + "auth:\n  secrets: /etc/s.yaml\n  store: {type: redis}\n"},
        {"store type",
         head + "auth:\n  secrets: /etc/s.yaml\n  store: {type: disk, on_unavailable: maybe}\n"},
        {"forward tls",
         head + "audit:\n  directory: /a\n  signing_key: /k\n"
                "  forward: {address: 10.0.0.9, port: 514, transport: tls}\n"},
    };
    for (const auto& [name, yaml] : cases)
    {
        const auto r = cfg::load_settings_text(yaml, "sekisho.yaml", "/etc/sekisho");
        BOOST_TEST(!r.diags.items().empty(), name << " produced no diagnostic");
        c.check(name, r.diags);
    }
    BOOST_TEST(c.missing.empty(), c.missing.size() << " of " << c.texts << " untranslated:" << c.report());
    BOOST_TEST_MESSAGE("other configuration texts: " << c.texts - c.missing.size() << " of " << c.texts
                                                     << " translated");
}

// `sekishoctl catalog import-ismap` reports these (daemon/ctl/ismap_csv.cpp;
// the texts as tests/unit/policy/ismap_csv.cpp pins them).
BOOST_AUTO_TEST_CASE(ismap_import_problems_are_translated)
{
    const in_japanese ja;
    coverage c;
    for (const char* text : {
             "ismap.csv:3: expiry `未定` of C21-0002-1 is not a date",
             "ismap.csv:5: registration number C21-0001-1 appears twice",
             "ismap.csv:3: 4 fields where the header has 5",
             "ismap.csv: line 3: a quoted field is never closed",
             "ismap.csv: line 2: a quote inside an unquoted field",
             "ismap.csv: line 2: text after a closing quote",
             "ismap.csv:1: no column `登録番号` for number (name it with --columns number=<header>)",
             "ismap.csv: the file is empty (no header line)",
             "ismap.csv:4: no registration number",
             "ismap.csv:4: registration date `昨年` of C21-0002-1 is not a date",
             "--columns takes field=Header pairs separated by commas, not `number`",
             "--columns: unknown field `owner` (number, service, provider, registered, valid_until)",
         })
    {
        c.check("ismap_csv", text);
    }
    BOOST_TEST(c.missing.empty(), c.missing.size() << " of " << c.texts << " untranslated:" << c.report());
    BOOST_TEST(i18n::message("ismap.csv:3: 4 fields where the header has 5") ==
               "ismap.csv:3: 見出し行は 5 項目ですが、この行は 4 項目です");
}

// ---- sekishoctl policy explain, catalog status | import-ismap ---------------

// Every reason code, from the first to the last of policy::reason.
std::vector<sp::reason> all_reasons()
{
    std::vector<sp::reason> out;
    for (auto r = static_cast<int>(sp::reason::allowed); r <= static_cast<int>(sp::reason::kev_open); ++r)
    {
        out.push_back(static_cast<sp::reason>(r));
    }
    return out;
}

BOOST_AUTO_TEST_CASE(every_reason_has_a_japanese_why_and_what_to_do)
{
    const in_japanese ja;
    const auto reasons = all_reasons();
    BOOST_TEST(reasons.size() >= 34U);
    std::vector<std::string> missing;
    for (const auto r : reasons)
    {
        // The enum has no gap: each value is a reason with its code.
        BOOST_TEST_REQUIRE((sp::parse_reason(sp::to_string(r)) == std::optional(r)), sp::to_string(r));
        const auto e = sekisho::ctl::explain(r);
        for (const auto en : {e.meaning, e.action})
        {
            const auto text = i18n::text(en);
            if (text == en)
            {
                missing.push_back(std::string(sp::to_string(r)) + ": no entry for \"" + std::string(en) +
                                  "\"");
            }
            else if (longest_english_run(text) >= 4)
            {
                missing.push_back(std::string(sp::to_string(r)) + ": English left in " + std::string(text));
            }
        }
    }
    std::string report;
    for (const auto& m : missing)
    {
        report += "\n  " + m;
    }
    BOOST_TEST(missing.empty(), missing.size() << " untranslated:" << report);
    BOOST_TEST(i18n::text(sekisho::ctl::explain(sp::reason::outside_hours).meaning) ==
               "ロールがテレワークできる時間帯（Asia/Tokyo）の外です。");
}

BOOST_AUTO_TEST_CASE(explanations_stay_english_in_english)
{
    for (const auto r : all_reasons())
    {
        const auto e = sekisho::ctl::explain(r);
        BOOST_TEST(i18n::text(e.meaning) == e.meaning);
        BOOST_TEST(i18n::text(e.action) == e.action);
    }
}

BOOST_AUTO_TEST_CASE(every_explain_entry_is_the_one_looked_up)
{
    // A key another table has already (ja_doctor, ja_cli come first) would
    // hide this table's Japanese.
    const in_japanese ja;
    for (const auto& e : i18n::ja_explain())
    {
        BOOST_TEST(i18n::text(e.en) == e.ja, e.en);
    }
}

// A role's steps and the report-mode line, as daemon/ctl/chain.cpp writes
// them (tests/integration/test_sekishoctl.cpp pins the English), and the
// catalog lines.
BOOST_AUTO_TEST_CASE(explain_steps_and_catalog_lines_are_translated)
{
    const in_japanese ja;
    coverage c;
    for (const char* text : {
             "layer: may use the internet layer",
             "layer: not the lgwan layer (internet)",
             "grant: service groupware is granted (tag:office)",
             "grant: service groupware is granted",
             "grant: service records is not granted",
             "grant: screen_transfer vdi is granted (tag:telework)",
             "grant: screen_transfer vdi is not granted",
             "data class: the service carries 2, the role reaches up to 2",
             "data class: the service carries 3C, above the role's 2",
             "ISMAP-LIU: the role's business is a category the service was assessed for",
             "ISMAP-LIU: none of the role's business categories (none) was assessed for the service",
             "mfa: required; the session has a second factor",
             "mfa: required; the session has no second factor",
             "mfa: not required (one factor is enough)",
             "hours: any time",
             "hours: mon,tue,wed,thu,fri 08:00-20:00 JST: 2027-04-07 22:00 JST (wed) is outside",
             "hours: mon,tue,wed,thu,fri 08:00-20:00 JST: 2027-04-07 10:00 JST (wed) is within",
             "posture: not checked by this role",
             "posture: a report no older than 7d; the device has never passed a posture check",
             "posture: a report no older than 7d; the device passed one on 2027-04-01 09:00 JST (thu), 8d 1h "
             "before: too old",
             "posture: a report no older than 7d; the device passed one on 2027-04-01 09:00 JST (thu), 1d "
             "before",
             "allowed, but role night-pilot would deny: outside_hours",
             "policy.yaml at 2027-09-15 09:00 JST (wed): 6 service(s); 3 finding(s) (past due, or within 30 "
             "days)",
             "reachable under an exception only",
             "every tunnel is denied",
             "ismap C22-0004-1 (valid while the renewal is decided)",
             "approved by 副町長",
             "2 known-exploited vulnerabilities open past the grace period",
             "waives certification_missing; approved by 副町長 (CISO)",
             "ismap-2026-12.csv: 4 ismap registration(s) read; dry run, nothing written to registry.yaml",
             "ismap-2026-12.csv: 4 ismap registration(s) read; written to registry.yaml",
             "ismap-2026-12.csv: 4 ismap registration(s) read; no change to registry.yaml",
             "1 new, 1 renewed, 0 changed, 0 relisted, 1 removed, 1 expired",
             "note: no `provider` column in ismap.csv (see --columns); that field is kept as it was",
             "Removed registrations are kept with `withdrawn:`; services that name them are denied "
             "(certification_withdrawn). sekishod applies it at the next reload: systemctl reload sekishod "
             "(or kill -HUP <pid>)",
             "sekishoctl: --within takes a number of days, 0 to 3650",
             "sekishoctl: --target a b: no port (the gateway answers 400 invalid_target)",
         })
    {
        c.check("explain", text);
    }
    BOOST_TEST(c.missing.empty(), c.missing.size() << " of " << c.texts << " untranslated:" << c.report());
    BOOST_TEST(
        i18n::message("hours: mon,tue,wed,thu,fri 08:00-20:00 JST: 2027-04-07 22:00 JST (wed) is outside") ==
        "時間帯: mon,tue,wed,thu,fri 08:00-20:00 JST: 2027-04-07 22:00 JST (wed) は時間外です");
    BOOST_TEST(i18n::message("grant: service groupware is granted (tag:office)") ==
               "許可: サービス groupware は許可されています（tag:office）");
}

BOOST_AUTO_TEST_SUITE_END()
