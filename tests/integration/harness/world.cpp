#include "harness/world.hpp"

#include <csignal>
#include <stdexcept>

namespace sekisho::test {

world::world() : pki(dir.file("pki"))
{
    // A peer that closes mid-write must fail the write, not kill the test.
    std::signal(SIGPIPE, SIG_IGN);
    auto r = run({"bash",
                  std::string(SEKISHO_SOURCE_DIR) + "/scripts/mkpki",
                  pki,
                  "--device",
                  "alice",
                  "--device",
                  "lost",
                  "--device",
                  "stranger"},
                 dir,
                 std::chrono::seconds(60));
    if (r.exit_code != 0)
    {
        throw std::runtime_error("scripts/mkpki failed: " + r.err);
    }
}

std::string world::fingerprint(const std::string& device) const
{
    auto r = run({"openssl", "x509", "-noout", "-fingerprint", "-sha256", "-in", cert(device)},
                 dir,
                 std::chrono::seconds(10));
    const auto eq = r.out.find('=');
    if (r.exit_code != 0 || eq == std::string::npos)
    {
        throw std::runtime_error("openssl x509 -fingerprint " + device + ": " + r.err);
    }
    auto text = r.out.substr(eq + 1);
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r'))
    {
        text.pop_back();
    }
    return text;
}

world& world::get()
{
    static world w;
    return w;
}

} // namespace sekisho::test
