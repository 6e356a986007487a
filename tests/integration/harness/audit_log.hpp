#pragma once
// The audit log in integration tests: a signing key pair for the daemon,
// the `audit:` section that uses it, the records the daemon wrote, the
// daemon's audit status, and sekisho-audit run on them.

#include "harness/process.hpp"

#include <boost/json.hpp>

#include <string>
#include <vector>

namespace sekisho::test {

class gateway;

struct audit_keys
{
    std::string secret_text; // for gateway_options.files (written 0600)
    std::string public_file; // written into `dir`
};
// A new key pair; the public half is written to dir/<name>.pub.
audit_keys make_audit_keys(const temp_dir& dir, const std::string& name = "audit");

// `audit:` with the key file `key_file` (relative to sekisho.yaml's folder or
// absolute) and the folder; `extra`: more keys, each "name: value".
std::string audit_section(const std::string& directory,
                          const std::string& key_file,
                          const std::vector<std::string>& extra = {});

// Every record in the folder's audit files, in seq order.
std::vector<boost::json::object> audit_records(const std::string& directory);
// The records of one event.
std::vector<boost::json::object> audit_events(const std::string& directory, const std::string& event);

// GET /v1/status on the gateway's admin socket (curl --unix-socket; the
// gateway's config needs `admin: {socket: run/admin.sock}`): its "audit"
// object, the writer's state (and "forward", the forwarder's, when
// audit.forward is set). A failed test when there is none.
boost::json::object audit_status(const gateway& g);

// sekisho-audit with these arguments.
run_result sekisho_audit(const std::vector<std::string>& args, const temp_dir& dir);

} // namespace sekisho::test
