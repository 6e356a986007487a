#include "harness/process.hpp"

#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace sekisho::test {

std::vector<std::string> lines_of(const std::string& text)
{
    std::vector<std::string> out;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);)
    {
        out.push_back(line);
    }
    return out;
}

std::string read_file(const std::string& path)
{
    std::ifstream in(path, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

void write_file(const std::string& path, const std::string& text)
{
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << text;
    if (!out)
    {
        throw std::runtime_error("cannot write " + path);
    }
}

temp_dir::temp_dir()
{
    const char* base = std::getenv("TMPDIR");
    std::string pattern = std::string(base != nullptr ? base : "/tmp") + "/sekisho-it-XXXXXX";
    if (::mkdtemp(pattern.data()) == nullptr)
    {
        throw std::runtime_error("mkdtemp failed");
    }
    path_ = pattern;
}

temp_dir::~temp_dir()
{
    if (std::getenv("SEKISHO_KEEP_TMP") == nullptr)
    {
        std::error_code ignored;
        std::filesystem::remove_all(path_, ignored);
    }
}

process::process(const std::vector<std::string>& argv,
                 const std::string& stdout_file,
                 const std::string& stderr_file,
                 const std::map<std::string, std::string>& extra_env)
{
    std::vector<char*> args;
    for (const auto& a : argv)
    {
        args.push_back(const_cast<char*>(a.c_str()));
    }
    args.push_back(nullptr);

    std::vector<std::string> env_store;
    for (char** e = environ; *e != nullptr; ++e)
    {
        const std::string entry(*e);
        const auto name = entry.substr(0, entry.find('='));
        if (extra_env.count(name) == 0)
        {
            env_store.push_back(entry);
        }
    }
    for (const auto& [k, v] : extra_env)
    {
        env_store.push_back(k + "=" + v);
    }
    std::vector<char*> env;
    for (auto& e : env_store)
    {
        env.push_back(e.data());
    }
    env.push_back(nullptr);

    // fork/exec rather than posix_spawn: the child asks to be killed when
    // the test process dies, so a crashed test never leaves daemons behind.
    // Between fork and exec only async-signal-safe calls are made.
    const pid_t parent = ::getpid();
    pid_ = ::fork();
    if (pid_ < 0)
    {
        throw std::runtime_error("cannot fork for " + argv[0] + ": " + std::strerror(errno));
    }
    if (pid_ == 0)
    {
        ::prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (::getppid() != parent)
        {
            ::_exit(127);
        }
        const int in = ::open("/dev/null", O_RDONLY);
        const int out = ::open(stdout_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
        const int err = ::open(stderr_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (in < 0 || out < 0 || err < 0 || ::dup2(in, 0) < 0 || ::dup2(out, 1) < 0 || ::dup2(err, 2) < 0)
        {
            ::_exit(127);
        }
        ::execvpe(args[0], args.data(), env.data());
        ::_exit(127);
    }
}

process::~process()
{
    if (running())
    {
        ::kill(pid_, SIGKILL);
        wait_for(std::chrono::seconds(5));
    }
}

void process::signal(int sig) const
{
    ::kill(pid_, sig);
}

bool process::running()
{
    if (status_)
    {
        return false;
    }
    int st = 0;
    const pid_t r = ::waitpid(pid_, &st, WNOHANG);
    if (r == pid_)
    {
        status_ = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
        return false;
    }
    return r == 0;
}

std::optional<int> process::wait_for(std::chrono::milliseconds timeout)
{
    eventually([&] { return !running(); }, timeout);
    return status_;
}

run_result run(const std::vector<std::string>& argv,
               const temp_dir& dir,
               std::chrono::milliseconds timeout,
               const std::map<std::string, std::string>& extra_env)
{
    static std::atomic<int> counter{0};
    const auto n = std::to_string(counter++);
    const auto out_file = dir.file("run-" + n + ".out");
    const auto err_file = dir.file("run-" + n + ".err");
    run_result r;
    {
        process p(argv, out_file, err_file, extra_env);
        auto status = p.wait_for(timeout);
        r.exit_code = status ? *status : -1;
    }
    r.out = read_file(out_file);
    r.err = read_file(err_file);
    return r;
}

std::uint16_t free_loopback_port()
{
    // A port free for both UDP and TCP.
    for (int attempt = 0; attempt < 50; ++attempt)
    {
        const int t = ::socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        socklen_t len = sizeof a;
        ::bind(t, reinterpret_cast<sockaddr*>(&a), sizeof a);
        ::getsockname(t, reinterpret_cast<sockaddr*>(&a), &len);
        const int u = ::socket(AF_INET, SOCK_DGRAM, 0);
        const bool udp_free = ::bind(u, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
        ::close(u);
        ::close(t);
        if (udp_free)
        {
            return ntohs(a.sin_port);
        }
    }
    throw std::runtime_error("no free loopback port");
}

} // namespace sekisho::test
