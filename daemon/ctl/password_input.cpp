#include "daemon/ctl/password_input.hpp"

#include <sodium.h>

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>

#include <termios.h>
#include <unistd.h>

namespace sekisho::ctl {

namespace {

// The terminal's settings while echo is off, for the signal handler.
struct termios saved_termios
{};
volatile std::sig_atomic_t echo_off = 0;

extern "C" void restore_echo_and_die(int sig)
{
    if (echo_off != 0)
    {
        ::tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved_termios);
        static constexpr char newline = '\n';
        (void)::write(STDERR_FILENO, &newline, 1);
    }
    std::signal(sig, SIG_DFL);
    std::raise(sig);
}

// Wipes the string's bytes before it is freed.
class wiped
{
public:
    explicit wiped(std::string& s) : s_(s) {}
    wiped(const wiped&) = delete;
    wiped& operator=(const wiped&) = delete;
    ~wiped() { sodium_memzero(s_.data(), s_.size()); }

private:
    std::string& s_;
};

// Reads stdin up to end of file, or up to the end of the first line when
// one_line; false with *why on a read error or too much input.
bool read_input(std::string& out, bool one_line, std::size_t limit, std::string* why)
{
    char c = 0;
    for (;;)
    {
        const auto n = ::read(STDIN_FILENO, &c, 1);
        if (n < 0 && errno == EINTR)
        {
            continue;
        }
        if (n < 0)
        {
            *why = std::string("cannot read the password: ") + std::strerror(errno);
            return false;
        }
        if (n == 0 || (one_line && c == '\n'))
        {
            break;
        }
        if (out.size() >= limit)
        {
            *why = "the password is longer than " + std::to_string(max_password_bytes) + " bytes";
            c = 0;
            return false;
        }
        out.push_back(c);
    }
    c = 0;
    return true;
}

void drop_carriage_return(std::string& line)
{
    if (!line.empty() && line.back() == '\r')
    {
        line.back() = '\0';
        line.pop_back();
    }
}

// One line from the terminal with echo off.
bool read_hidden(const char* prompt, std::string& out, std::string* why)
{
    std::fputs(prompt, stderr);
    std::fflush(stderr);
    struct termios t
    {};
    if (::tcgetattr(STDIN_FILENO, &t) != 0)
    {
        *why = std::string("cannot read the terminal's settings: ") + std::strerror(errno);
        return false;
    }
    saved_termios = t;
    echo_off = 1;
    auto* const previous_int = std::signal(SIGINT, restore_echo_and_die);
    auto* const previous_term = std::signal(SIGTERM, restore_echo_and_die);
    auto* const previous_hup = std::signal(SIGHUP, restore_echo_and_die);
    t.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    t.c_lflag |= static_cast<tcflag_t>(ECHONL);
    bool ok = ::tcsetattr(STDIN_FILENO, TCSAFLUSH, &t) == 0;
    if (!ok)
    {
        *why = std::string("cannot turn the terminal's echo off: ") + std::strerror(errno);
    }
    else
    {
        ok = read_input(out, true, max_password_bytes, why);
    }
    ::tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved_termios);
    echo_off = 0;
    std::signal(SIGINT, previous_int);
    std::signal(SIGTERM, previous_term);
    std::signal(SIGHUP, previous_hup);
    drop_carriage_return(out);
    return ok;
}

} // namespace

std::optional<std::string> read_new_password(const std::string& user, std::string* why)
{
    std::string first;
    std::string second;
    wiped wipe_first(first);
    wiped wipe_second(second);
    if (::isatty(STDIN_FILENO) != 0)
    {
        const std::string prompt = "New password for " + user + ": ";
        if (!read_hidden(prompt.c_str(), first, why))
        {
            return std::nullopt;
        }
        if (first.empty())
        {
            *why = "the password is empty";
            return std::nullopt;
        }
        if (!read_hidden("Again: ", second, why))
        {
            return std::nullopt;
        }
        if (first != second)
        {
            *why = "the two passwords differ";
            return std::nullopt;
        }
    }
    else
    {
        // Two lines of the longest password, their newlines and a little
        // slack: anything longer is refused, not silently cut.
        std::string all;
        wiped wipe_all(all);
        all.reserve(2 * max_password_bytes + 8);
        if (!read_input(all, false, 2 * max_password_bytes + 4, why))
        {
            return std::nullopt;
        }
        const auto newline = all.find('\n');
        first.assign(all, 0, newline);
        if (newline != std::string::npos)
        {
            second.assign(all, newline + 1);
            if (!second.empty() && second.back() == '\n')
            {
                second.pop_back();
            }
        }
        drop_carriage_return(first);
        drop_carriage_return(second);
        if (second.find('\n') != std::string::npos)
        {
            *why = "stdin has more than two lines; give the password on one line (or twice, on two)";
            return std::nullopt;
        }
        if (first.empty())
        {
            *why = "the password is empty";
            return std::nullopt;
        }
        if (first.size() > max_password_bytes)
        {
            *why = "the password is longer than " + std::to_string(max_password_bytes) + " bytes";
            return std::nullopt;
        }
        if (!second.empty() && first != second)
        {
            *why = "the two lines of stdin differ";
            return std::nullopt;
        }
    }
    // Moved into a new buffer: the local one is wiped on return.
    std::string result;
    result.reserve(first.size());
    result.assign(first);
    return result;
}

} // namespace sekisho::ctl
