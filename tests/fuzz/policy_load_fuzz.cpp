// libFuzzer target: a policy file, read and used the way a reload does it:
// load_policy_text (YAML → policy_document), compile (even after load
// errors, as the reload does, so that one run reports everything), then,
// for a policy that compiles without errors, a fixed handful of decisions.
//
// Invariants for every input (a violation aborts):
//   - loading and compiling never crash or throw, and every problem is a
//     diagnostic at a place in the file (file name, line within the text);
//   - a load without errors gives a document; compile returns a snapshot
//     exactly when it adds no error;
//   - invariant 1 (DOMAIN.md §7): a destination inside the My Number zone is
//     never allowed, by name, by address (also IPv4-mapped, NAT64 and 6to4
//     forms of a My Number IPv4 address) or through what a name resolves to.
//     "Inside" is judged from the document's own zones.mynumber lists, not
//     from the snapshot's classify(), so that a classification bug shows.
//
// `include:` reads files named in the policy (absolute, relative to the
// policy's folder, or from environment variables), so inputs that could
// spell that key are skipped: the fuzzer never reads the disk.
//
// Inputs with more than max_aliases YAML aliases are skipped too: the tree
// shares an aliased node, but the loader walks every use of it, so a few KiB
// of nested aliases cost seconds to minutes and GiB (issue #8, reproducers
// crash-alias-*.yaml, which this harness therefore skips). A handful of
// aliases keeps them covered.
//
// Build with the `fuzz` preset (clang); the unit suite (unit_policy) replays
// the corpus (tests/fuzz/corpus/policy_load/) under GCC as a regression test.
// There another target owns LLVMFuzzerTestOneInput, so this one is reachable
// as sekisho_policy_load_fuzz_one only.

#include "policy/decide.hpp"
#include "policy/load.hpp"
#include "policy/snapshot.hpp"
#include "policy/target.hpp"

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace {

namespace sp = sekisho::policy;

// Large enough for a real policy without comments (the shipped examples,
// so and with their devices inlined, are 14-16 KB), small enough that every
// input stays fast.
constexpr std::size_t max_input = 16 * 1024;
// At most this many entries of each list are turned into requests.
constexpr std::size_t max_each = 4;
// See above: the most aliases an input may hold.
constexpr std::size_t max_aliases = 64;

void check(bool condition)
{
    if (!condition)
    {
        std::abort();
    }
}

// Whether the text could name the `include` key. The key may be spelled with
// other bytes between its letters (a folded or escaped scalar), so: any
// backslash escape in a double-quoted scalar, or "include" in the letters
// that remain once everything else is dropped (case-insensitive, which is
// more than YAML needs).
bool may_include(std::string_view text)
{
    if (text.find('\\') != std::string_view::npos && text.find('"') != std::string_view::npos)
    {
        return true;
    }
    std::string letters;
    letters.reserve(text.size());
    for (char c : text)
    {
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))
        {
            letters += static_cast<char>(c | 0x20);
        }
    }
    return letters.find("include") != std::string::npos;
}

// An alias is `*name`; a wildcard domain (`*.example`) is not one.
std::size_t alias_count(std::string_view text)
{
    std::size_t n = 0;
    for (std::size_t i = 0; i < text.size(); ++i)
    {
        if (text[i] == '*' && (i + 1 == text.size() || text[i + 1] != '.'))
        {
            ++n;
        }
    }
    return n;
}

// Every diagnostic names the policy and a line of it (line breaks counted
// generously: \r, \n and the bytes of the Unicode ones YAML also accepts).
void check_diagnostics(const sp::diagnostics& diags, const std::string& name, std::string_view text)
{
    const auto lines = 1 + static_cast<int>(std::count_if(text.begin(), text.end(), [](char c) {
                           const auto b = static_cast<unsigned char>(c);
                           return b == '\n' || b == '\r' || b == 0x85 || b == 0xa8 || b == 0xa9;
                       }));
    for (const auto& d : diags.items())
    {
        check(d.where.file == name);
        check(!d.message.empty());
        check(d.where.line >= 0 && d.where.line <= lines + 1);
        if (d.level == sp::severity::error)
        {
            check(d.where.line >= 1);
        }
    }
}

struct destination
{
    sp::target dest;
    std::vector<sp::ip_address> resolves;
};

std::optional<sp::target> target_of(const std::string& host, bool ipv6, std::uint16_t port)
{
    return sp::parse_authority(sp::authority_text(host, ipv6, port));
}

std::optional<sp::target> target_of(const sp::ip_address& addr, std::uint16_t port)
{
    return target_of(addr.to_string(), !addr.is_v4(), port);
}

sp::ip_address last_address(const sp::cidr& c)
{
    auto bytes = c.network().bytes();
    const unsigned width = c.network().bit_width();
    for (unsigned bit = c.prefix_len(); bit < width; ++bit)
    {
        bytes[bit / 8] |= static_cast<std::uint8_t>(0x80U >> (bit % 8));
    }
    if (c.network().is_v4())
    {
        return sp::ip_address::v4({bytes[0], bytes[1], bytes[2], bytes[3]});
    }
    return sp::ip_address::v6(bytes);
}

// The oracle for invariant 1, from the document's own lists.
class mynumber_oracle
{
public:
    explicit mynumber_oracle(const sp::zone_def& zone) : zone_(zone) {}

    bool contains(const sp::ip_address& addr) const
    {
        const auto inner = sp::embedded_ipv4(addr);
        return in(addr) || (inner && in(*inner));
    }

    bool contains(std::string_view name) const
    {
        return std::any_of(zone_.domains.begin(), zone_.domains.end(), [&](const std::string& d) {
            return name == d ||
                   (name.size() > d.size() && name.ends_with(d) && name[name.size() - d.size() - 1] == '.');
        });
    }

    bool contains(const sp::target& t) const
    {
        return t.type == sp::target::kind::ip ? contains(t.address) : contains(std::string_view(t.host));
    }

private:
    bool in(const sp::ip_address& a) const
    {
        return std::any_of(
            zone_.cidrs.begin(), zone_.cidrs.end(), [&](const sp::cidr& c) { return c.contains(a); });
    }

    const sp::zone_def& zone_;
};

// Addresses inside the My Number zone: both ends of each CIDR, and for IPv4
// the IPv6 forms that carry it (mapped, NAT64 /96, 6to4).
std::vector<sp::ip_address> mynumber_addresses(const sp::policy_document& doc)
{
    std::vector<sp::ip_address> out;
    for (std::size_t i = 0; i < doc.mynumber.cidrs.size() && i < max_each; ++i)
    {
        const auto& c = doc.mynumber.cidrs[i];
        for (const auto& a : {c.network(), last_address(c)})
        {
            out.push_back(a);
            if (!a.is_v4())
            {
                continue;
            }
            const auto& b = a.bytes();
            std::array<std::uint8_t, 16> nat64{0x00, 0x64, 0xff, 0x9b};
            std::copy(b.begin(), b.begin() + 4, nat64.begin() + 12);
            out.push_back(sp::ip_address::v6(nat64));
            std::array<std::uint8_t, 16> six_to_four{0x20, 0x02};
            std::copy(b.begin(), b.begin() + 4, six_to_four.begin() + 2);
            out.push_back(sp::ip_address::v6(six_to_four));
        }
    }
    return out;
}

std::vector<destination> destinations(const sp::policy_document& doc,
                                      const std::vector<sp::ip_address>& mynumber)
{
    std::vector<destination> out;
    const auto add = [&](std::optional<sp::target> t, std::vector<sp::ip_address> resolves = {}) {
        if (t)
        {
            out.push_back({std::move(*t), std::move(resolves)});
        }
    };
    // The My Number zone itself, by name and by address.
    for (std::size_t i = 0; i < doc.mynumber.domains.size() && i < max_each; ++i)
    {
        add(target_of(doc.mynumber.domains[i], false, 443));
        add(target_of("juki." + doc.mynumber.domains[i], false, 443));
    }
    for (const auto& a : mynumber)
    {
        add(target_of(a, 443));
    }
    for (const auto& text : {"[::ffff:10.10.0.1]:443", "[::ffff:10.20.9.10]:443"})
    {
        add(sp::parse_authority(text));
    }
    // What the policy allows, asked for as written, then resolving to a
    // public address, into the My Number zone, and to both.
    const std::vector<sp::ip_address> public_address{*sp::ip_address::parse("203.0.113.7"),
                                                     *sp::ip_address::parse("8.8.8.8")};
    const auto with_answers = [&](const std::optional<sp::target>& t) {
        add(t);
        add(t, public_address);
        if (!mynumber.empty())
        {
            add(t, {mynumber.front()});
            add(t, {public_address.back(), mynumber.back()});
        }
    };
    for (std::size_t i = 0; i < doc.services.size() && i < max_each; ++i)
    {
        const auto& svc = doc.services[i];
        if (svc.domains.empty())
        {
            continue;
        }
        const auto& pattern = svc.domains.front();
        const std::string host = pattern.is_wildcard() ? "x." + pattern.base() : pattern.base();
        with_answers(target_of(host, false, svc.ports.empty() ? 443 : svc.ports.front()));
    }
    for (std::size_t i = 0; i < doc.screen_transfer.size() && i < max_each; ++i)
    {
        const auto& ep = doc.screen_transfer[i];
        const std::uint16_t port = ep.ports.empty() ? 443 : ep.ports.front();
        with_answers(ep.host_ip ? target_of(*ep.host_ip, port) : target_of(ep.host, false, port));
    }
    // Fixed destinations: the example's names, public and special space, the
    // gateway's own listener.
    for (const auto& text : {"www.example.com:443",
                             "juki.mn.town.kakuu.example:443",
                             "relay.telework.asp.lgwan.example:443",
                             "1.1.1.1:443",
                             "[2001:4860:4860::8888]:443",
                             "10.20.9.10:443",
                             "10.10.1.10:443",
                             "198.51.100.10:443",
                             "127.0.0.1:3128",
                             "[::1]:3128",
                             "localhost:443"})
    {
        add(sp::parse_authority(text));
    }
    return out;
}

struct asker
{
    std::string user;
    std::string device;
};

// Who asks: each device with its owner, each user with a device of theirs,
// and nobody.
std::vector<asker> askers(const sp::policy_document& doc)
{
    std::vector<asker> out{{}};
    for (std::size_t i = 0; i < doc.devices.size() && i < max_each; ++i)
    {
        out.push_back({doc.devices[i].owner, doc.devices[i].id});
    }
    for (std::size_t i = 0; i < doc.users.size() && i < max_each; ++i)
    {
        const auto& u = doc.users[i];
        const auto own = std::find_if(
            doc.devices.begin(), doc.devices.end(), [&](const sp::device& d) { return d.owner == u.id; });
        out.push_back({u.id, own == doc.devices.end() ? std::string() : own->id});
    }
    return out;
}

void decide_all(const sp::snapshot& snap)
{
    const auto& doc = snap.document();
    const mynumber_oracle oracle(doc.mynumber);
    const auto mynumber = mynumber_addresses(doc);
    const auto now = *sp::parse_time("2027-04-05T10:00+09:00"); // a Monday, as in the examples
    const auto dests = destinations(doc, mynumber);
    for (const auto& who : askers(doc))
    {
        for (auto on : {sp::layer::lgwan, sp::layer::internet})
        {
            (void)sp::session_standing(snap, who.user, who.device, on, now);
            for (const auto& d : dests)
            {
                const sp::request req{on, d.dest, who.user, who.device, true};
                const auto got = sp::decide_resolved(snap, req, now, d.resolves);
                (void)sp::to_string(got.why);
                check(got.allowed() == (got.why == sp::reason::allowed));
                check(!got.rule_id.empty());
                if (oracle.contains(d.dest))
                {
                    // Invariant 1 comes first, before who asks, by its
                    // own reason; an address in a zones.mynumber CIDR stays
                    // there whatever IPv4 address it carries.
                    check(!got.allowed() && got.why == sp::reason::mynumber_zone);
                }
                if (d.dest.type == sp::target::kind::name && got.allowed())
                {
                    check(std::none_of(d.resolves.begin(), d.resolves.end(), [&](const sp::ip_address& a) {
                        return oracle.contains(a);
                    }));
                }
            }
        }
    }
}

} // namespace

extern "C" int sekisho_policy_load_fuzz_one(const std::uint8_t* data, std::size_t size)
{
    if (size > max_input)
    {
        return 0;
    }
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    if (may_include(text) || alias_count(text) > max_aliases)
    {
        return 0;
    }
    const std::string name = "fuzz/policy.yaml";
    auto loaded = sp::load_policy_text(text, name);
    check_diagnostics(loaded.diags, name, text);
    if (!loaded.diags.has_errors())
    {
        check(loaded.document.has_value());
    }
    if (!loaded.document)
    {
        return 0;
    }
    check(loaded.document->content_hash.size() == 64);
    const bool load_errors = loaded.diags.has_errors();
    sp::diagnostics diags = loaded.diags;
    const auto errors_before = diags.error_count();
    sp::compile_inputs inputs;
    inputs.self_endpoints = {{*sp::ip_address::parse("0.0.0.0"), 3128},
                             {*sp::ip_address::parse("::1"), 3128}};
    inputs.now = sp::parse_time("2027-04-05T10:00+09:00");
    const auto snap = sp::compile(std::move(*loaded.document), inputs, diags);
    check_diagnostics(diags, name, text);
    check((snap != nullptr) == (diags.error_count() == errors_before));
    if (snap != nullptr && !load_errors)
    {
        decide_all(*snap);
    }
    return 0;
}

#ifndef SEKISHO_SOURCE_DIR
extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    return sekisho_policy_load_fuzz_one(data, size);
}
#endif
