// `sekishoctl policy diff OLD NEW`: print the decisions a change flips.

#include "daemon/ctl/commands.hpp"
#include "daemon/ctl/common.hpp"
#include "daemon/ctl/diff.hpp"

#include <algorithm>
#include <cstdio>

namespace sekisho::ctl {

namespace {

constexpr const char* nobody = "(no user)";

std::string who_text(const diff_subject& s)
{
    return s.user.empty() ? std::string(nobody) : s.user;
}

} // namespace

int diff_cmd(const std::string& old_file, const std::string& new_file, const options& o)
{
    const auto at = at_option(o);
    if (!at)
    {
        return usage("--at takes a time like 2027-04-01T09:00+09:00");
    }
    auto before = load(old_file);
    if (!usable(before, old_file, "compare"))
    {
        return exit_failed;
    }
    auto after = load(new_file);
    if (!usable(after, new_file, "compare"))
    {
        return exit_failed;
    }
    const auto plan = plan_diff(*before.snap, before.test_defs, *after.snap, after.test_defs);
    if (plan.requests() > max_diff_requests)
    {
        std::fprintf(
            stderr,
            "sekishoctl: diff would compare %zu requests ((%zu users + no user) x %zu destinations x 2 "
            "layers), more than %zu; nothing compared\n",
            plan.requests(),
            plan.subjects.size() - 1,
            plan.targets.size(),
            max_diff_requests);
        return exit_usage;
    }
    const auto changes = diff_policies(plan, *before.snap, *after.snap, *at);
    if (o.json)
    {
        boost::json::array a;
        for (const auto& c : changes)
        {
            a.push_back({{"user", c.who->user},
                         {"device", c.who->device},
                         {"layer", std::string(policy::to_string(c.on))},
                         {"target", c.target},
                         {"before", verdict_text(c.before)},
                         {"after", verdict_text(c.after)},
                         {"before_decision", decision_json(c.before)},
                         {"after_decision", decision_json(c.after)}});
        }
        boost::json::object out{{"old", before.snap->hash()},
                                {"new", after.snap->hash()},
                                {"at", iso_time(*at)},
                                {"users", plan.subjects.size() - 1},
                                {"destinations", plan.targets.size()},
                                {"compared", plan.requests()},
                                {"changes", std::move(a)}};
        std::printf("%s\n", boost::json::serialize(out).c_str());
        return exit_ok;
    }
    std::size_t now_allowed = 0;
    std::size_t now_denied = 0;
    for (const auto& c : changes)
    {
        now_allowed += c.after.allowed() && !c.before.allowed() ? 1U : 0U;
        now_denied += !c.after.allowed() && c.before.allowed() ? 1U : 0U;
    }
    std::printf(
        "%s (%s) -> %s (%s): %zu decision(s) change (%zu now allowed, %zu now denied, %zu for another "
        "reason)\n",
        old_file.c_str(),
        before.snap->hash().substr(0, 16).c_str(),
        new_file.c_str(),
        after.snap->hash().substr(0, 16).c_str(),
        changes.size(),
        now_allowed,
        now_denied,
        changes.size() - now_allowed - now_denied);
    std::printf("compared %zu requests: (%zu user(s) + no user) x %zu destination(s) x 2 layers, at %s, "
                "users on their own device with a second factor\n",
                plan.requests(),
                plan.subjects.size() - 1,
                plan.targets.size(),
                tokyo_time(*at).c_str());
    std::size_t who_width = 0;
    std::size_t target_width = 0;
    for (const auto& c : changes)
    {
        who_width = std::max(who_width, who_text(*c.who).size());
        target_width = std::max(target_width, c.target.size());
    }
    for (const auto& c : changes)
    {
        std::printf("%-*s  %-8s  %-*s  %s -> %s\n",
                    static_cast<int>(who_width),
                    who_text(*c.who).c_str(),
                    std::string(policy::to_string(c.on)).c_str(),
                    static_cast<int>(target_width),
                    c.target.c_str(),
                    decision_text(c.before).c_str(),
                    decision_text(c.after).c_str());
    }
    return exit_ok;
}

} // namespace sekisho::ctl
