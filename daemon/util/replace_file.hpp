#pragma once
// Replacing a file sekishod reads (the secrets file, the device inventory,
// the ISMAP registry) so that a reader sees the old file or the new one,
// never half of one: a temporary file in the same folder (created 0600, so
// its bytes are never readable by others even for a moment), given the
// wanted mode and the old file's owner and group when they differ from ours,
// written, synced, renamed over the file, and the folder synced. An existing
// symbolic link is followed: its target is replaced and the link stays.

#include <string>
#include <string_view>

#include <sys/types.h>

namespace sekisho::util {

struct replace_how
{
    // The new file's mode; 0: the old file's (which must then exist).
    mode_t mode = 0;
    // Non-null: the file must still hold exactly this just before the rename
    // (someone else's edit meanwhile is not lost: nothing is written).
    const std::string_view* expected = nullptr;
};

// False with the reason in *why; the file is then untouched.
bool replace_file(const std::string& path, std::string_view text, replace_how how, std::string* why);

} // namespace sekisho::util
