#include "daemon/auth/sodium_ready.hpp"

#include <sodium.h>

namespace sekisho::auth {

bool sodium_ready()
{
    // sodium_init() returns 1 when it already ran: that is success too.
    static const bool ready = sodium_init() >= 0;
    return ready;
}

} // namespace sekisho::auth
