#pragma once
// Assertions shared by the integration suites.

#include "harness/clients.hpp"
#include "harness/gateway.hpp"

#include <boost/test/unit_test.hpp>

namespace sekisho::test {

// After any bad input the daemon must still serve an allowed tunnel.
inline void require_serving(gateway& g)
{
    BOOST_REQUIRE_MESSAGE(g.proc().running(), "sekishod exited:\n" + g.log());
    const auto& w = world::get();
    auto r = curl_via(g.internet(), "http://files.cloud.test:" + std::to_string(w.cloud.port()) + "/");
    BOOST_REQUIRE_MESSAGE(r.connect_code == 200 && r.http_code == 200 && r.body == cloud_body,
                          "an allowed tunnel failed after bad input: " + r.verbose);
}

inline std::string str(const boost::json::object& o, const char* key)
{
    const auto* v = o.if_contains(key);
    return v != nullptr && v->is_string() ? std::string(v->as_string()) : std::string();
}

inline std::int64_t num(const boost::json::object& o, const char* key)
{
    const auto* v = o.if_contains(key);
    if (v == nullptr)
    {
        return -1;
    }
    return v->is_int64() ? v->as_int64() : static_cast<std::int64_t>(v->as_uint64());
}

// A gateway per test process, for tests that do not change its settings.
inline gateway& shared_gateway()
{
    static gateway g;
    return g;
}

} // namespace sekisho::test
