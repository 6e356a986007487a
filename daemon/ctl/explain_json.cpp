// `sekishoctl policy explain --json`: the decision and its chain of reasons
// as one object (docs/sekishoctl.md lists the fields).

#include "daemon/ctl/chain.hpp"
#include "daemon/ctl/common.hpp"
#include "daemon/ctl/explain.hpp"

namespace sekisho::ctl {

namespace {

boost::json::value user_json(const decision_trace& t)
{
    if (t.req.user.empty())
    {
        return nullptr;
    }
    boost::json::object o{{"id", t.req.user}, {"known", t.user != nullptr}};
    if (t.user != nullptr)
    {
        o["name"] = t.user->name;
        o["department"] = t.user->department;
        boost::json::array roles;
        for (const auto& r : t.user->roles)
        {
            roles.push_back(boost::json::value(r));
        }
        o["roles"] = std::move(roles);
        o["expires"] = t.user->expires ? boost::json::value(iso_time(*t.user->expires)) : nullptr;
    }
    return o;
}

boost::json::value device_json(const decision_trace& t)
{
    if (t.req.device.empty())
    {
        return nullptr;
    }
    boost::json::object o{{"id", t.req.device}, {"known", t.device != nullptr}};
    if (t.device != nullptr)
    {
        const auto& dv = *t.device;
        o["kind"] = std::string(policy::to_string(dv.kind));
        o["status"] = std::string(policy::to_string(dv.status));
        o["owner"] = dv.owner;
        o["own_device"] = dv.owner == t.req.user;
        o["posture_verified"] =
            dv.posture_verified ? boost::json::value(iso_time(*dv.posture_verified)) : nullptr;
        o["expires"] = dv.expires ? boost::json::value(iso_time(*dv.expires)) : nullptr;
    }
    return o;
}

boost::json::value entry_json(const decision_trace& t)
{
    auto ports = [](const std::vector<std::uint16_t>& list) {
        boost::json::array a;
        for (auto p : list)
        {
            a.push_back(p);
        }
        return a;
    };
    if (t.service != nullptr)
    {
        return boost::json::object{{"kind", "service"},
                                   {"id", t.service->id},
                                   {"name", t.service->name},
                                   {"data_class", std::string(policy::to_string(t.service->max_class))},
                                   {"ports", ports(t.service->ports)}};
    }
    if (t.endpoint != nullptr)
    {
        return boost::json::object{{"kind", "screen_transfer"},
                                   {"id", t.endpoint->id},
                                   {"host", t.endpoint->host},
                                   {"ports", ports(t.endpoint->ports)}};
    }
    return nullptr;
}

boost::json::array layers_json(const policy::role& r)
{
    boost::json::array a;
    for (auto l : {policy::layer::lgwan, policy::layer::internet})
    {
        if (on_layer(r, l))
        {
            a.push_back(boost::json::value(std::string(policy::to_string(l))));
        }
    }
    return a;
}

boost::json::array roles_json(const decision_trace& t)
{
    boost::json::array a;
    for (const auto& r : t.roles)
    {
        boost::json::array steps;
        for (const auto& s : r.steps)
        {
            steps.push_back({{"name", s.name}, {"ok", s.ok}, {"text", s.text}});
        }
        a.push_back({{"id", r.role->id},
                     {"mode", r.role->mode == policy::enforcement::report ? "report" : "enforce"},
                     {"layers", layers_json(*r.role)},
                     {"outcome", std::string(policy::to_string(r.outcome))},
                     {"steps", std::move(steps)}});
    }
    return a;
}

} // namespace

boost::json::object explain_json(const std::string& target_text,
                                 const policy::snapshot& snap,
                                 const decision_trace& t,
                                 const std::vector<chain_line>& lines)
{
    const auto& d = t.decision;
    const auto text = explain(d.why);
    boost::json::array addrs;
    for (const auto& [a, z] : t.addresses)
    {
        addrs.push_back({{"address", a.to_string()}, {"zone", std::string(policy::to_string(z))}});
    }
    boost::json::array chain;
    for (const auto& l : lines)
    {
        chain.push_back({{"label", l.label}, {"text", l.text}});
    }
    boost::json::object o{{"policy", snap.hash()},
                          {"layer", std::string(policy::to_string(t.req.listener_layer))},
                          {"target", target_text},
                          {"zone", std::string(policy::to_string(t.dest_zone))},
                          {"addresses", std::move(addrs)},
                          {"status", d.allowed() ? 200U : 403U},
                          {"result", d.allowed() ? "allow" : "deny"},
                          {"reason", std::string(policy::to_string(d.why))},
                          {"rule", d.rule_id},
                          {"service", d.service_id},
                          {"detail", d.detail},
                          {"meaning", std::string(text.meaning)},
                          {"action", std::string(text.action)},
                          {"at", iso_time(t.at)},
                          {"mfa", t.req.mfa},
                          {"user", user_json(t)},
                          {"device", device_json(t)},
                          {"entry", entry_json(t)},
                          {"role", d.role_id},
                          {"would_deny", d.report_only() ? std::string(policy::to_string(d.would_deny)) : ""},
                          {"report", d.report_only() ? report_text(d) : ""},
                          {"roles_consulted", t.roles_consulted},
                          {"roles", roles_json(t)},
                          {"chain", std::move(chain)}};
    return o;
}

} // namespace sekisho::ctl
