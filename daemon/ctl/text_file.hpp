#pragma once
// Replacing a text file sekishod reads (the device inventory) atomically:
// a temporary file in the same folder with the old file's mode (and owner
// and group, when they differ from ours), written, synced, renamed over the
// file, and the folder synced. A reader (a reload) sees the old file or the
// new one, never half of one. A symbolic link is followed: its target is
// replaced and the link stays.

#include <optional>
#include <string>
#include <string_view>

namespace sekisho::ctl {

// The file's bytes, or nullopt with the reason in *why.
std::optional<std::string> read_text(const std::string& path, std::string* why);

// Replaces `path` with `text`. `expected` is what the caller read and edited:
// when the file no longer holds it (someone else changed it meanwhile) nothing
// is written. False with the reason in *why; the file is then untouched.
bool replace_text(const std::string& path,
                  std::string_view text,
                  std::string_view expected,
                  std::string* why);

} // namespace sekisho::ctl
