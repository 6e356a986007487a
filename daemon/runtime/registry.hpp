#pragma once
// The live connections of one I/O thread, so that drain can close them.
// Each session links an entry for its lifetime; the entry points at the
// session's sockets. Only the owning thread touches its registry (sekishod
// runs one io_context per thread), so there are no locks.

#include "policy/decide.hpp"

#include <boost/asio/ip/tcp.hpp>

#include <openssl/types.h>

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace sekisho::runtime {

struct connection_entry
{
    boost::asio::ip::tcp::socket* client = nullptr;
    boost::asio::ip::tcp::socket* upstream = nullptr;
    // The client's TLS session, so that a reloaded CRL can find the tunnels
    // of a certificate it revokes.
    SSL* tls = nullptr;
    // Set once the tunnel is relaying: what was allowed, and where to.
    std::optional<policy::request> request;
    std::vector<policy::ip_address> addresses;
    std::string session_id; // the telework session it belongs to (auth:), if any
    bool killed = false;
    std::string kill_cause;        // "drain", "policy_withdrawn", "certificate_revoked", "session_ended"
    policy::decision withdrawn_by; // the new decision, for "policy_withdrawn"
    connection_entry* prev = nullptr;
    connection_entry* next = nullptr;

    // The record's end cause when killed: the kill's own cause.
    std::string end_cause_or(const std::string& otherwise) const { return killed ? kill_cause : otherwise; }
};

class connection_registry
{
public:
    void add(connection_entry& e);
    void remove(connection_entry& e);
    // Marks every connection killed (cause "drain") and cancels its socket
    // operations.
    void kill_all();
    // Decides every relaying tunnel again under `snap` and closes those it no
    // longer allows (cause "policy_withdrawn"); returns how many it closed.
    std::size_t recheck(const policy::snapshot& snap, policy::clock::time_point now);
    // Closes every connection `doomed` picks, with `cause`; returns how many.
    std::size_t kill_if(const std::function<bool(const connection_entry&)>& doomed, const char* cause);
    std::size_t size() const { return size_; }

    // The registry of the calling I/O thread.
    static connection_registry*& current();

private:
    connection_entry* head_ = nullptr;
    std::size_t size_ = 0;
};

// Links an entry into the current thread's registry for a scope.
class registry_link
{
public:
    explicit registry_link(connection_entry& e) : entry_(e), registry_(connection_registry::current())
    {
        if (registry_ != nullptr)
        {
            registry_->add(entry_);
        }
    }
    ~registry_link()
    {
        if (registry_ != nullptr)
        {
            registry_->remove(entry_);
        }
    }
    registry_link(const registry_link&) = delete;
    registry_link& operator=(const registry_link&) = delete;

private:
    connection_entry& entry_;
    connection_registry* registry_;
};

} // namespace sekisho::runtime
