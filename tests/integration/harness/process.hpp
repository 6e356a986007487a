#pragma once
// Child processes for integration tests: sekishod and curl run as real
// programs, with output captured to files in the test's temporary folder.

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <sys/types.h>

namespace sekisho::test {

std::string read_file(const std::string& path);
// The lines of `text`, without their newlines.
std::vector<std::string> lines_of(const std::string& text);
void write_file(const std::string& path, const std::string& text);

// A fresh folder under $TMPDIR, removed when the object goes (unless
// SEKISHO_KEEP_TMP is set, for post-mortems).
class temp_dir
{
public:
    temp_dir();
    ~temp_dir();
    temp_dir(const temp_dir&) = delete;
    temp_dir& operator=(const temp_dir&) = delete;
    const std::string& path() const { return path_; }
    std::string file(const std::string& name) const { return path_ + "/" + name; }

private:
    std::string path_;
};

class process
{
public:
    // argv[0] is looked up in PATH. stdout/stderr go to the given files.
    process(const std::vector<std::string>& argv,
            const std::string& stdout_file,
            const std::string& stderr_file,
            const std::map<std::string, std::string>& extra_env = {});
    ~process(); // SIGKILL if still running
    process(const process&) = delete;
    process& operator=(const process&) = delete;

    pid_t pid() const { return pid_; }
    void signal(int sig) const;
    // The exit status (or 128 + signal), or nullopt if still running at the deadline.
    std::optional<int> wait_for(std::chrono::milliseconds timeout);
    bool running();

private:
    pid_t pid_ = -1;
    std::optional<int> status_;
};

struct run_result
{
    int exit_code = -1;
    std::string out;
    std::string err;
};

// Runs to completion (killed after `timeout`).
run_result run(const std::vector<std::string>& argv,
               const temp_dir& dir,
               std::chrono::milliseconds timeout = std::chrono::seconds(30),
               const std::map<std::string, std::string>& extra_env = {});

// A loopback port free for both TCP and UDP now, for peers (Squid, dnsmasq)
// that cannot pick one themselves.
std::uint16_t free_loopback_port();

// Polls `pred` every 20 ms until it holds or the timeout passes.
template <typename Pred>
bool eventually(Pred pred, std::chrono::milliseconds timeout)
{
    const auto end = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < end)
    {
        if (pred())
        {
            return true;
        }
        struct timespec ts = {0, 20 * 1000 * 1000};
        nanosleep(&ts, nullptr);
    }
    return pred();
}

} // namespace sekisho::test
