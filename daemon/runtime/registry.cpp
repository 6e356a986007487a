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

void connection_registry::kill_all()
{
    for (auto* e = head_; e != nullptr; e = e->next)
    {
        e->killed = true;
        cancel(e->client);
        cancel(e->upstream);
    }
}

} // namespace sekisho::runtime
