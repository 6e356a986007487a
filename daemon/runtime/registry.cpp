#include "daemon/runtime/registry.hpp"

namespace sekisho::runtime {

namespace {

void cancel(boost::asio::ip::tcp::socket* s)
{
    if (s != nullptr && s->is_open())
    {
        boost::system::error_code ignored;
        s->cancel(ignored);
        s->shutdown(boost::asio::socket_base::shutdown_both, ignored);
    }
}

} // namespace

void kill_entry(connection_entry& e, const char* cause);

connection_registry*& connection_registry::current()
{
    thread_local connection_registry* registry = nullptr;
    return registry;
}

void connection_registry::add(connection_entry& e)
{
    e.prev = nullptr;
    e.next = head_;
    if (head_ != nullptr)
    {
        head_->prev = &e;
    }
    head_ = &e;
    ++size_;
}

void connection_registry::remove(connection_entry& e)
{
    if (e.prev != nullptr)
    {
        e.prev->next = e.next;
    }
    else
    {
        head_ = e.next;
    }
    if (e.next != nullptr)
    {
        e.next->prev = e.prev;
    }
    e.prev = e.next = nullptr;
    --size_;
}

void kill_entry(connection_entry& e, const char* cause)
{
    if (e.killed)
    {
        return;
    }
    e.killed = true;
    e.kill_cause = cause;
    cancel(e.client);
    cancel(e.upstream);
}

void connection_registry::kill_all()
{
    for (auto* e = head_; e != nullptr; e = e->next)
    {
        kill_entry(*e, "drain");
    }
}

std::size_t connection_registry::recheck(const policy::snapshot& snap, policy::clock::time_point now)
{
    std::size_t closed = 0;
    for (auto* e = head_; e != nullptr; e = e->next)
    {
        if (!e->request || e->killed)
        {
            continue;
        }
        const auto d = policy::decide_resolved(snap, *e->request, now, e->addresses);
        if (!d.allowed())
        {
            e->withdrawn_by = d;
            kill_entry(*e, "policy_withdrawn");
            ++closed;
        }
    }
    return closed;
}

std::size_t connection_registry::kill_if(const std::function<bool(const connection_entry&)>& doomed,
                                         const char* cause)
{
    std::size_t closed = 0;
    for (auto* e = head_; e != nullptr; e = e->next)
    {
        if (!e->killed && doomed(*e))
        {
            kill_entry(*e, cause);
            ++closed;
        }
    }
    return closed;
}

} // namespace sekisho::runtime
