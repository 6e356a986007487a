// The catalog keys of `services:` entries, `supply_chain:` and `exceptions:`
// (policy/catalog.hpp, docs/catalog.md). Shape and values only; what refers
// to what (an exception's service, LIU categories against roles, classes
// against schemes) is checked by compile (compile_catalog.cpp).

#include "decide.hpp"
#include "load.hpp"
#include "load_sections.hpp"

#include <algorithm>
#include <cctype>

namespace sekisho::policy {

std::string_view to_string(cert_scheme s)
{
    switch (s)
    {
        case cert_scheme::ismap:
            return "ismap";
        case cert_scheme::ismap_liu:
            return "ismap_liu";
        case cert_scheme::municipal_assessment:
            break;
    }
    return "municipal_assessment";
}

std::optional<cert_scheme> parse_cert_scheme(std::string_view text)
{
    for (auto s : {cert_scheme::ismap, cert_scheme::ismap_liu, cert_scheme::municipal_assessment})
    {
        if (to_string(s) == text)
        {
            return s;
        }
    }
    return std::nullopt;
}

bool valid_country_code(std::string_view text)
{
    return text.size() == 2 && std::isupper(static_cast<unsigned char>(text[0])) != 0 &&
           std::isupper(static_cast<unsigned char>(text[1])) != 0;
}

namespace detail {

namespace {

constexpr const char* country_hint = "use ISO 3166-1 alpha-2 codes in capitals: JP, US, SG, ...";

std::string read_text(yaml_reader& r, const yaml_node& map, const char* key, const std::string& what)
{
    if (auto n = map[key])
    {
        return r.string(n, what + "." + key).value_or("");
    }
    return {};
}

std::optional<std::string> read_country(yaml_reader& r, const yaml_node& node, const std::string& what)
{
    auto text = r.string(node, what);
    if (text && !valid_country_code(*text))
    {
        r.error(node, what + " `" + *text + "` is not a country code", country_hint);
        return std::nullopt;
    }
    return text;
}

std::vector<std::string> read_countries(yaml_reader& r, const yaml_node& node, const std::string& what)
{
    std::vector<std::string> out;
    if (!r.expect_sequence(node, what))
    {
        return out;
    }
    for (std::size_t i = 0; i < node.size(); ++i)
    {
        if (auto c = read_country(r, node[i], indexed(what, i)))
        {
            out.push_back(*c);
        }
    }
    return out;
}

std::vector<std::string> read_texts(yaml_reader& r, const yaml_node& node, const std::string& what)
{
    std::vector<std::string> out;
    if (!r.expect_sequence(node, what))
    {
        return out;
    }
    for (std::size_t i = 0; i < node.size(); ++i)
    {
        if (auto t = r.string(node[i], indexed(what, i)))
        {
            out.push_back(*t);
        }
    }
    return out;
}

void read_certification(yaml_reader& r, const yaml_node& node, const std::string& what, service_catalog& out)
{
    // `registry: <number>` takes the rest from `registrations:` at compile;
    // only what the list does not say may stand beside it.
    if (node.IsMap() && node["registry"])
    {
        if (!r.expect_map(node, what + " (with registry)", {"registry", "renewal_pending", "liu_categories"}))
        {
            return;
        }
        certification c;
        c.where = r.where(node);
        c.registry = r.string(node["registry"], what + ".registry").value_or("");
        if (auto n = node["renewal_pending"])
        {
            c.renewal_pending = read_time(r, n, what + ".renewal_pending", day_edge::start);
        }
        if (auto n = node["liu_categories"])
        {
            c.liu_categories = read_references(r, n, what + ".liu_categories", false);
        }
        if (!c.registry.empty())
        {
            out.cert = std::move(c);
        }
        return;
    }
    if (!r.expect_map(node,
                      what,
                      {"scheme",
                       "number",
                       "registered",
                       "valid_until",
                       "renewal_pending",
                       "withdrawn",
                       "liu_categories",
                       "registry"},
                      {"scheme", "number", "valid_until"}))
    {
        return;
    }
    certification c;
    c.where = r.where(node);
    bool ok = true;
    if (auto text = r.string(node["scheme"], what + ".scheme"))
    {
        if (auto s = parse_cert_scheme(*text))
        {
            c.scheme = *s;
        }
        else
        {
            r.error(node["scheme"],
                    what + ".scheme `" + *text + "` is not a certification scheme",
                    "use `ismap`, `ismap_liu` or `municipal_assessment`");
            ok = false;
        }
    }
    else
    {
        ok = false;
    }
    c.number = r.string(node["number"], what + ".number").value_or("");
    if (auto n = node["registered"])
    {
        c.registered = read_time(r, n, what + ".registered", day_edge::start);
    }
    if (auto t = read_time(r, node["valid_until"], what + ".valid_until"))
    {
        c.valid_until = *t;
    }
    else
    {
        ok = false;
    }
    if (auto n = node["renewal_pending"])
    {
        c.renewal_pending = read_time(r, n, what + ".renewal_pending", day_edge::start);
    }
    if (auto n = node["withdrawn"])
    {
        c.withdrawn = read_time(r, n, what + ".withdrawn", day_edge::start);
    }
    if (auto n = node["liu_categories"])
    {
        c.liu_categories = read_references(r, n, what + ".liu_categories", false);
    }
    if (c.scheme == cert_scheme::ismap_liu && c.liu_categories.empty() && ok)
    {
        r.error(node,
                what + " is ismap_liu without liu_categories",
                "list the business categories it was assessed for: an LIU registration covers only those");
        ok = false;
    }
    if (c.scheme != cert_scheme::ismap_liu && !c.liu_categories.empty())
    {
        r.error(node["liu_categories"],
                what + ".liu_categories is only for scheme ismap_liu",
                "remove it, or correct the scheme");
    }
    if (c.registered && *c.registered >= c.valid_until)
    {
        r.error(node["valid_until"], what + ".valid_until is not after registered");
        ok = false;
    }
    if (c.renewal_pending && *c.renewal_pending >= c.valid_until)
    {
        // ISMAP 基本規程 §3.5: a renewal keeps the registration valid only if
        // applied for before expiry.
        r.error(node["renewal_pending"],
                what + ".renewal_pending is on or after valid_until",
                "a pending renewal keeps a registration valid only when applied for before it expired");
        ok = false;
    }
    if (ok)
    {
        out.cert = std::move(c);
    }
}

void read_provider(yaml_reader& r, const yaml_node& node, const std::string& what, service_catalog& out)
{
    if (!r.expect_map(
            node, what, {"name", "corporate_number", "country", "parent_country"}, {"name", "country"}))
    {
        return;
    }
    auto& p = out.provider;
    p.name = read_text(r, node, "name", what);
    p.corporate_number = read_text(r, node, "corporate_number", what);
    if (!p.corporate_number.empty() &&
        (p.corporate_number.size() != 13 || !std::all_of(p.corporate_number.begin(),
                                                         p.corporate_number.end(),
                                                         [](char ch) { return ch >= '0' && ch <= '9'; })))
    {
        r.error(node["corporate_number"],
                what + ".corporate_number `" + p.corporate_number + "` is not 13 digits",
                "法人番号 has 13 digits; quote it so that YAML keeps it as text");
    }
    if (auto n = node["country"])
    {
        p.country = read_country(r, n, what + ".country").value_or("");
    }
    if (auto n = node["parent_country"])
    {
        p.parent_country = read_country(r, n, what + ".parent_country").value_or("");
    }
}

void read_subprocessors(yaml_reader& r, const yaml_node& node, const std::string& what, service_catalog& out)
{
    if (!r.expect_sequence(node, what))
    {
        return;
    }
    for (std::size_t i = 0; i < node.size(); ++i)
    {
        const auto item_what = indexed(what, i);
        if (!r.expect_map(node[i], item_what, {"name", "country"}, {"name", "country"}))
        {
            continue;
        }
        subprocessor s;
        s.name = read_text(r, node[i], "name", item_what);
        if (auto c = read_country(r, node[i]["country"], item_what + ".country"))
        {
            s.country = *c;
            out.subprocessors.push_back(std::move(s));
        }
    }
}

void read_residency(yaml_reader& r, const yaml_node& node, const std::string& what, service_catalog& out)
{
    if (!r.expect_map(node, what, {"storage", "failover"}, {"storage", "failover"}))
    {
        return;
    }
    out.residency.recorded = true;
    out.residency.storage = read_countries(r, node["storage"], what + ".storage");
    if (node["storage"] && node["storage"].size() == 0)
    {
        r.error(node["storage"], what + ".storage is empty", "list the countries where the data is stored");
    }
    if (auto f = node["failover"])
    {
        out.residency.failover = read_countries(r, f, what + ".failover");
    }
}

void read_approval(yaml_reader& r, const yaml_node& node, const std::string& what, service_catalog& out)
{
    if (!r.expect_map(node, what, {"by", "on", "review_due"}, {"by", "on"}))
    {
        return;
    }
    out.approved.by = read_text(r, node, "by", what);
    if (auto n = node["on"])
    {
        out.approved.on = read_time(r, n, what + ".on", day_edge::start);
    }
    if (auto n = node["review_due"])
    {
        out.approved.review_due = read_time(r, n, what + ".review_due");
    }
}

void read_sbom(yaml_reader& r, const yaml_node& node, const std::string& what, service_catalog& out)
{
    if (!r.expect_map(node, what, {"received", "format", "kev_open", "attested"}))
    {
        return;
    }
    auto& s = out.sbom;
    if (auto n = node["received"])
    {
        s.received = read_time(r, n, what + ".received", day_edge::start);
    }
    s.format = read_text(r, node, "format", what);
    if (!s.format.empty() && s.format != "spdx" && s.format != "cyclonedx")
    {
        r.error(node["format"],
                what + ".format `" + s.format + "` is not an SBOM format",
                "use spdx or cyclonedx");
    }
    if (auto n = node["kev_open"])
    {
        if (auto v = r.integer(n, what + ".kev_open", 0, 100000))
        {
            s.kev_open = static_cast<std::uint32_t>(*v);
        }
    }
    if (auto n = node["attested"])
    {
        s.attested = read_time(r, n, what + ".attested", day_edge::start);
    }
    if (s.kev_open && !s.attested)
    {
        r.error(node, what + ".kev_open needs `attested`", "the date the provider attested the count");
    }
}

} // namespace

void read_service_catalog(yaml_reader& r, const yaml_node& item, const std::string& what, cloud_service& svc)
{
    auto& c = svc.catalog;
    if (auto n = item["certification"])
    {
        read_certification(r, n, what + ".certification", c);
    }
    if (auto n = item["provider"])
    {
        read_provider(r, n, what + ".provider", c);
    }
    if (auto n = item["subprocessors"])
    {
        read_subprocessors(r, n, what + ".subprocessors", c);
    }
    if (auto n = item["residency"])
    {
        read_residency(r, n, what + ".residency", c);
    }
    if (auto n = item["approval"])
    {
        read_approval(r, n, what + ".approval", c);
    }
    if (auto n = item["sbom"])
    {
        read_sbom(r, n, what + ".sbom", c);
    }
}

void read_supply_chain(yaml_reader& r, const yaml_node& node, policy_document& doc)
{
    if (!r.expect_map(node,
                      "supply_chain",
                      {"restricted_countries",
                       "restricted_providers",
                       "residency",
                       "review_overdue",
                       "municipal_assessment_max_class",
                       "kev_attestation_max_age"}))
    {
        return;
    }
    auto& sc = doc.supply_chain;
    sc.where = r.where(node);
    if (auto n = node["restricted_countries"])
    {
        sc.restricted_countries = read_countries(r, n, "supply_chain.restricted_countries");
    }
    if (auto n = node["restricted_providers"])
    {
        sc.restricted_providers = read_texts(r, n, "supply_chain.restricted_providers");
    }
    if (auto n = node["residency"]; n && r.expect_sequence(n, "supply_chain.residency"))
    {
        for (std::size_t i = 0; i < n.size(); ++i)
        {
            const auto what = indexed("supply_chain.residency", i);
            if (!r.expect_map(n[i], what, {"min_class", "countries"}, {"min_class", "countries"}))
            {
                continue;
            }
            residency_rule rule;
            rule.where = r.where(n[i]);
            auto cls = read_data_class(r, n[i]["min_class"], what + ".min_class");
            rule.countries = read_countries(r, n[i]["countries"], what + ".countries");
            if (rule.countries.empty())
            {
                r.error(
                    n[i]["countries"], what + ".countries is empty", "list the countries data may stay in");
            }
            else if (cls)
            {
                rule.min_class = *cls;
                sc.residency.push_back(std::move(rule));
            }
        }
    }
    if (auto n = node["review_overdue"])
    {
        auto text = r.string(n, "supply_chain.review_overdue");
        if (text && (*text == "deny" || *text == "warn"))
        {
            sc.review_overdue_denies = *text == "deny";
        }
        else if (text)
        {
            r.error(n, "supply_chain.review_overdue `" + *text + "` is neither deny nor warn");
        }
    }
    if (auto n = node["municipal_assessment_max_class"])
    {
        if (auto cls = read_data_class(r, n, "supply_chain.municipal_assessment_max_class"))
        {
            if (*cls >= data_class::c3b)
            {
                r.error(n,
                        "supply_chain.municipal_assessment_max_class cannot be 3A or 3B",
                        "3A and 3B information never goes to a cloud service by telework");
            }
            else
            {
                sc.municipal_assessment_max_class = *cls;
            }
        }
    }
    if (auto n = node["kev_attestation_max_age"])
    {
        using namespace std::chrono_literals;
        if (auto d = r.duration(n, "supply_chain.kev_attestation_max_age", 24h, 3650 * 24h))
        {
            sc.kev_attestation_max_age = std::chrono::duration_cast<std::chrono::seconds>(*d);
        }
    }
}

void read_exceptions(yaml_reader& r, const yaml_node& node, policy_document& doc)
{
    if (!r.expect_sequence(node, "exceptions"))
    {
        return;
    }
    for (std::size_t i = 0; i < node.size(); ++i)
    {
        const auto what = indexed("exceptions", i);
        const auto& item = node[i];
        if (!r.expect_map(item,
                          what,
                          {"id",
                           "service",
                           "waives",
                           "from",
                           "until",
                           "approved_by",
                           "reason",
                           "compensating_controls"},
                          {"id", "service", "waives", "from", "until", "approved_by", "reason"}))
        {
            continue;
        }
        catalog_exception e;
        e.where = r.where(item);
        auto id = read_id(r, item["id"], what + ".id");
        auto service = read_id(r, item["service"], what + ".service");
        bool ok = id && service;
        const auto waives = item["waives"];
        if (r.expect_sequence(waives, what + ".waives"))
        {
            for (std::size_t j = 0; j < waives.size(); ++j)
            {
                auto text = r.string(waives[j], indexed(what + ".waives", j));
                const auto why = text ? parse_reason(*text) : std::nullopt;
                if (text && (!why || !catalog_reason(*why)))
                {
                    // Never a zone, a screen-transfer rule, identity or a role.
                    r.error(
                        waives[j],
                        what + " cannot waive `" + *text + "`",
                        "an exception waives catalog rules only: certification_missing, "
                        "certification_expired, certification_not_yet_valid, certification_withdrawn, "
                        "liu_category, restricted_provider, restricted_country, residency, review_overdue, "
                        "kev_open");
                    ok = false;
                }
                else if (text)
                {
                    e.waives.push_back(*text);
                }
            }
            if (waives.size() == 0)
            {
                r.error(waives, what + ".waives is empty", "name the rules the exception waives");
                ok = false;
            }
        }
        else
        {
            ok = false;
        }
        const auto from = read_time(r, item["from"], what + ".from", day_edge::start);
        const auto until = read_time(r, item["until"], what + ".until");
        ok = ok && from && until;
        if (from && until && *from >= *until)
        {
            r.error(item["until"], what + ".until is not after from");
            ok = false;
        }
        e.approved_by = read_text(r, item, "approved_by", what);
        e.reason = read_text(r, item, "reason", what);
        if (auto n = item["compensating_controls"])
        {
            e.compensating_controls = read_texts(r, n, what + ".compensating_controls");
        }
        if (e.approved_by.empty() || e.reason.empty())
        {
            r.error(item, what + " needs a non-empty approved_by and reason", "auditors read both");
            ok = false;
        }
        if (ok)
        {
            e.id = *id;
            e.service = *service;
            e.from = *from;
            e.until = *until;
            doc.exceptions.push_back(std::move(e));
        }
    }
}

void read_registrations(yaml_reader& r, const yaml_node& node, policy_document& doc)
{
    if (!r.expect_sequence(node, "registrations"))
    {
        return;
    }
    for (std::size_t i = 0; i < node.size(); ++i)
    {
        const auto what = indexed("registrations", i);
        const auto& item = node[i];
        if (!r.expect_map(
                item,
                what,
                {"number", "scheme", "service", "provider", "registered", "valid_until", "withdrawn"},
                {"number", "scheme", "valid_until"}))
        {
            continue;
        }
        registration reg;
        reg.where = r.where(item);
        reg.number = r.string(item["number"], what + ".number").value_or("");
        // (No std::optional<cert_scheme> here: GCC 12 at -O2 warns it may be
        // used uninitialized.)
        bool scheme_ok = false;
        if (const auto scheme_text = r.string(item["scheme"], what + ".scheme"))
        {
            if (const auto parsed = parse_cert_scheme(*scheme_text);
                parsed && *parsed != cert_scheme::municipal_assessment)
            {
                reg.scheme = *parsed;
                scheme_ok = true;
            }
            else
            {
                r.error(item["scheme"], what + ".scheme `" + *scheme_text + "` is not ismap or ismap_liu");
                continue;
            }
        }
        reg.service = read_text(r, item, "service", what);
        reg.provider = read_text(r, item, "provider", what);
        if (auto n = item["registered"])
        {
            reg.registered = read_time(r, n, what + ".registered", day_edge::start);
        }
        const auto until = read_time(r, item["valid_until"], what + ".valid_until");
        if (auto n = item["withdrawn"])
        {
            reg.withdrawn = read_time(r, n, what + ".withdrawn", day_edge::start);
        }
        if (scheme_ok && until && !reg.number.empty())
        {
            reg.valid_until = *until;
            doc.registrations.push_back(std::move(reg));
        }
    }
}

} // namespace detail

registrations_result load_registrations_text(std::string_view yaml, const std::string& name)
{
    registrations_result out;
    yaml_reader r(name, out.diags);
    const auto parsed = r.parse(yaml);
    if (!parsed)
    {
        return out;
    }
    const yaml_node root = parsed->root;
    if (!root || root.IsNull())
    {
        return out; // an empty file: no registrations yet
    }
    if (!r.expect_map(root, "a registry file", {"registrations"}))
    {
        return out;
    }
    policy_document doc;
    if (auto rg = root["registrations"])
    {
        detail::read_registrations(r, rg, doc);
    }
    out.value = std::move(doc.registrations);
    return out;
}

} // namespace sekisho::policy
