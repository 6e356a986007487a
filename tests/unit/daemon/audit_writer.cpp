// The audit writer's failure policy without root or a full disk: audit.log
// is a symbolic link to /dev/full, where every write fails with ENOSPC.
// fail_closed refuses what must be recorded first and stops promptly with
// the unwritten records counted; best_effort accepts and counts.

#include "daemon/audit/keys.hpp"
#include "daemon/audit/writer.hpp"

#include <boost/test/unit_test.hpp>

#include <chrono>
#include <filesystem>
#include <thread>

#include <unistd.h>

namespace fs = std::filesystem;
namespace audit = sekisho::audit;

namespace {

struct full_disk
{
    fs::path dir = fs::temp_directory_path() / ("sekisho-full-" + std::to_string(::getpid()));
    full_disk()
    {
        fs::remove_all(dir);
        fs::create_directories(dir);
        fs::create_symlink("/dev/full", dir / "audit.log");
    }
    ~full_disk() { fs::remove_all(dir); }

    sekisho::config::audit_settings settings(bool fail_closed) const
    {
        sekisho::config::audit_settings s;
        s.directory = dir.string();
        s.signing_key = "-";
        s.fail_closed = fail_closed;
        s.retry_interval = std::chrono::milliseconds(20);
        s.fsync_interval = std::chrono::milliseconds(0);
        return s;
    }
};

template <typename Pred>
bool within(std::chrono::milliseconds limit, Pred p)
{
    const auto end = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < end)
    {
        if (p())
        {
            return true;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    return p();
}

} // namespace

BOOST_AUTO_TEST_SUITE(audit_writer)

BOOST_AUTO_TEST_CASE(fail_closed_refuses_while_unwritable_and_stops_promptly)
{
    full_disk d;
    std::string error;
    auto w = audit::writer::open(d.settings(true), audit::signing_key::generate(), "t", error);
    BOOST_TEST_REQUIRE(w != nullptr, error);
    BOOST_TEST(w->append("first", {{"n", 1}}, true)); // queued: the failure is not known yet
    BOOST_TEST(within(std::chrono::seconds(5), [&] { return !w->status().healthy; }));
    BOOST_TEST(w->status().last_error.find("No space left") != std::string::npos, w->status().last_error);
    BOOST_TEST(!w->accepting());
    BOOST_TEST(!w->append("refused", {{"n", 2}}, true)); // the caller must not act
    BOOST_TEST(w->append("closed", {{"n", 3}}));         // after the fact: queued
    BOOST_TEST(w->status().lost == 0U);
    const auto t0 = std::chrono::steady_clock::now();
    w->close();
    BOOST_TEST((std::chrono::steady_clock::now() - t0 < std::chrono::seconds(2)));
    BOOST_TEST(w->status().lost >= 2U); // "first" and "closed" never reached the file
}

BOOST_AUTO_TEST_CASE(best_effort_accepts_while_unwritable)
{
    full_disk d;
    std::string error;
    auto w = audit::writer::open(d.settings(false), audit::signing_key::generate(), "t", error);
    BOOST_TEST_REQUIRE(w != nullptr, error);
    w->append("first", {{"n", 1}}, true);
    BOOST_TEST(within(std::chrono::seconds(5), [&] { return !w->status().healthy; }));
    BOOST_TEST(w->accepting());
    BOOST_TEST(w->append("still", {{"n", 2}}, true));
    w->close();
}

BOOST_AUTO_TEST_CASE(flush_makes_everything_durable)
{
    const auto dir = fs::temp_directory_path() / ("sekisho-flush-" + std::to_string(::getpid()));
    fs::remove_all(dir);
    sekisho::config::audit_settings s;
    s.directory = dir.string();
    s.signing_key = "-";
    s.fsync_interval = std::chrono::seconds(10); // only flush() forces it
    std::string error;
    auto w = audit::writer::open(s, audit::signing_key::generate(), "t", error);
    BOOST_TEST_REQUIRE(w != nullptr, error);
    for (int i = 0; i < 100; ++i)
    {
        w->append("e", {{"n", i}});
    }
    BOOST_TEST(w->flush(std::chrono::seconds(5)));
    const auto st = w->status();
    BOOST_TEST(st.durable_seq == st.written_seq);
    BOOST_TEST(st.durable_seq >= 100U);
    w->close();
    fs::remove_all(dir);
}

BOOST_AUTO_TEST_SUITE_END()
