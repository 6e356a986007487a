#pragma once
// The live connections of one I/O thread, so that drain can close them.
// Each session links an entry for its lifetime; the entry points at the
// session's sockets. Only the owning thread touches its registry (sekishod
// runs one io_context per thread), so there are no locks.

#include <boost/asio/ip/tcp.hpp>

#include <cstddef>

namespace sekisho::runtime {

struct connection_entry
{
    boost::asio::ip::tcp::socket* client = nullptr;
    boost::asio::ip::tcp::socket* upstream = nullptr;
    bool killed = false;
    connection_entry* prev = nullptr;
    connection_entry* next = nullptr;
};

class connection_registry
{
public:
    void add(connection_entry& e);
    void remove(connection_entry& e);
    // Marks every connection killed and cancels its socket operations.
    void kill_all();
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
