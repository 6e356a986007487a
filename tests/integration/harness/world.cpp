#include "harness/world.hpp"

#include <csignal>
#include <stdexcept>

namespace sekisho::test {

world::world() : pki(dir.file("pki"))
{
    // A peer that closes mid-write must fail the write, not kill the test.
    std::signal(SIGPIPE, SIG_IGN);
    auto r = run({"bash", std::string(SEKISHO_SOURCE_DIR) + "/scripts/mkpki", pki, "--device", "alice"},
                 dir,
                 std::chrono::seconds(60));
    if (r.exit_code != 0)
    {
        throw std::runtime_error("scripts/mkpki failed: " + r.err);
    }
}

world& world::get()
{
    static world w;
    return w;
}

} // namespace sekisho::test
