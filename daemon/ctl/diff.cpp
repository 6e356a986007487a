#include "daemon/ctl/diff.hpp"

#include <set>
#include <tuple>

namespace sekisho::ctl {

namespace {

// host:port strings a policy names, as CONNECT targets.
void collect(const policy::snapshot& snap,
             const std::vector<policy::policy_test>& tests,
             std::set<std::string>& out)
{
    const auto& doc = snap.document();
    for (const auto& svc : doc.services)
    {
        for (const auto& pattern : svc.domains)
        {
            // A name below a wildcard stands for all of them.
            const auto host = pattern.is_wildcard() ? "any." + pattern.base() : pattern.base();
            for (auto port : svc.ports)
            {
                out.insert(host + ":" + std::to_string(port));
            }
        }
    }
    for (const auto& ep : doc.screen_transfer)
    {
        for (auto port : ep.ports)
        {
            out.insert(policy::authority_text(ep.host, ep.host_ip && !ep.host_ip->is_v4(), port));
        }
    }
    for (const auto& t : tests)
    {
        out.insert(policy::to_string(t.dest));
    }
}

bool same(const policy::decision& a, const policy::decision& b)
{
    return std::tie(a.result, a.why, a.rule_id) == std::tie(b.result, b.why, b.rule_id);
}

} // namespace

std::vector<decision_change> diff_policies(const policy::snapshot& before,
                                           const std::vector<policy::policy_test>& before_tests,
                                           const policy::snapshot& after,
                                           const std::vector<policy::policy_test>& after_tests,
                                           policy::clock::time_point at)
{
    std::set<std::string> targets;
    collect(before, before_tests, targets);
    collect(after, after_tests, targets);
    std::vector<decision_change> out;
    for (const auto& text : targets)
    {
        const auto dest = policy::parse_authority(text);
        if (!dest)
        {
            continue;
        }
        for (auto l : {policy::layer::internet, policy::layer::lgwan})
        {
            const policy::request req{l, *dest, {}, {}, false};
            auto b = policy::decide(before, req, at);
            auto a = policy::decide(after, req, at);
            if (!same(b, a))
            {
                out.push_back({l, text, std::move(b), std::move(a)});
            }
        }
    }
    return out;
}

} // namespace sekisho::ctl
