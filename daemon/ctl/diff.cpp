#include "daemon/ctl/diff.hpp"

#include <optional>
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

std::optional<std::string> device_of(const policy::snapshot& snap, const std::string& user, bool active_only)
{
    for (const auto& dv : snap.document().devices)
    {
        if (dv.owner == user && (!active_only || dv.status == policy::device_status::active))
        {
            return dv.id;
        }
    }
    return std::nullopt;
}

bool same(const policy::decision& a, const policy::decision& b)
{
    return std::tie(a.result, a.why, a.rule_id, a.role_id, a.would_deny) ==
           std::tie(b.result, b.why, b.rule_id, b.role_id, b.would_deny);
}

} // namespace

diff_plan plan_diff(const policy::snapshot& before,
                    const std::vector<policy::policy_test>& before_tests,
                    const policy::snapshot& after,
                    const std::vector<policy::policy_test>& after_tests)
{
    diff_plan plan;
    std::set<std::string> targets;
    collect(before, before_tests, targets);
    collect(after, after_tests, targets);
    plan.targets.assign(targets.begin(), targets.end());

    std::set<std::string> users;
    for (const auto* snap : {&before, &after})
    {
        for (const auto& u : snap->document().users)
        {
            users.insert(u.id);
        }
    }
    plan.subjects.push_back({});
    for (const auto& id : users)
    {
        auto dv = device_of(after, id, true);
        dv = dv ? dv : device_of(before, id, true);
        dv = dv ? dv : device_of(after, id, false);
        dv = dv ? dv : device_of(before, id, false);
        plan.subjects.push_back({id, dv.value_or("")});
    }
    return plan;
}

std::vector<decision_change> diff_policies(const diff_plan& plan,
                                           const policy::snapshot& before,
                                           const policy::snapshot& after,
                                           policy::clock::time_point at)
{
    std::vector<decision_change> out;
    std::vector<std::optional<policy::target>> dests;
    dests.reserve(plan.targets.size());
    for (const auto& text : plan.targets)
    {
        dests.push_back(policy::parse_authority(text));
    }
    for (const auto& who : plan.subjects)
    {
        for (std::size_t i = 0; i < plan.targets.size(); ++i)
        {
            if (!dests[i])
            {
                continue;
            }
            for (auto l : {policy::layer::internet, policy::layer::lgwan})
            {
                // With a second factor: the diff shows what the policy
                // changes, not what a missing factor would refuse.
                const policy::request req{l, *dests[i], who.user, who.device, true};
                auto b = policy::decide(before, req, at);
                auto a = policy::decide(after, req, at);
                if (!same(b, a))
                {
                    out.push_back({&who, l, plan.targets[i], std::move(b), std::move(a)});
                }
            }
        }
    }
    return out;
}

} // namespace sekisho::ctl
