#include "harness/audit_log.hpp"

#include "daemon/audit/keys.hpp"
#include "daemon/audit/reader.hpp"
#include "harness/gateway.hpp"

#include <boost/test/unit_test.hpp>

#include <stdexcept>

namespace sekisho::test {

audit_keys make_audit_keys(const temp_dir& dir, const std::string& name)
{
    const auto key = audit::signing_key::generate();
    audit_keys k{key.secret_text(), dir.file(name + ".pub")};
    write_file(k.public_file, key.public_text());
    return k;
}

std::string audit_section(const std::string& directory,
                          const std::string& key_file,
                          const std::vector<std::string>& extra)
{
    std::string y = "audit:\n  directory: " + directory + "\n  signing_key: " + key_file + "\n";
    for (const auto& e : extra)
    {
        y += "  " + e + "\n";
    }
    return y;
}

std::vector<boost::json::object> audit_records(const std::string& directory)
{
    std::vector<audit::log_file> files;
    std::string error;
    if (!audit::read_log_files({directory}, files, error))
    {
        throw std::runtime_error(error);
    }
    std::vector<boost::json::object> out;
    for (const auto& f : files)
    {
        audit::for_each_line(f.text, [&](std::size_t, std::string_view line, bool terminated) {
            boost::system::error_code ec;
            auto v = boost::json::parse(line, ec);
            if (terminated && !ec && v.is_object())
            {
                out.push_back(std::move(v.as_object()));
            }
            return true;
        });
    }
    return out;
}

std::vector<boost::json::object> audit_events(const std::string& directory, const std::string& event)
{
    std::vector<boost::json::object> out;
    for (auto& r : audit_records(directory))
    {
        const auto* e = r.if_contains("event");
        if (e != nullptr && e->is_string() && e->as_string() == event)
        {
            out.push_back(std::move(r));
        }
    }
    return out;
}

boost::json::object audit_status(const gateway& g)
{
    const auto r =
        run({"curl", "-sS", "--unix-socket", g.dir().file("run/admin.sock"), "http://sekishod/v1/status"},
            g.dir());
    boost::system::error_code ec;
    auto v = boost::json::parse(r.out, ec);
    BOOST_REQUIRE_MESSAGE(!ec && v.is_object() && v.as_object().contains("audit"), r.out + r.err);
    return v.as_object().at("audit").as_object();
}

run_result sekisho_audit(const std::vector<std::string>& args, const temp_dir& dir)
{
    std::vector<std::string> argv{SEKISHO_AUDIT_PATH};
    argv.insert(argv.end(), args.begin(), args.end());
    return run(argv, dir, std::chrono::seconds(60));
}

} // namespace sekisho::test
