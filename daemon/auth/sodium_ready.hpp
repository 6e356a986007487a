#pragma once
// libsodium wants sodium_init() before any other call. The auth helpers call
// sodium_ready() first so that they stay usable from tests and tools that do
// not go through main().

namespace sekisho::auth {

// Runs sodium_init() once per process (thread-safe); false if it failed.
bool sodium_ready();

} // namespace sekisho::auth
