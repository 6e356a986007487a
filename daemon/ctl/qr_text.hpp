#pragma once
// A QR code drawn with text, for `sekishoctl user totp-enroll`: staff scan
// the otpauth:// URI from the operator's terminal with their phone.
//
// libqrencode encodes; this file only draws. Two modules share one character
// cell, top and bottom: "█" both, "▀" top only, "▄" bottom only, " " none,
// with a quiet zone of `quiet_zone` modules on every side (ISO/IEC 18004
// asks for 4).
//
// What is drawn (the cell's foreground) is the *light* modules by default,
// as `qrencode -t UTF8` does: on the usual light-on-dark terminal the code
// then shows dark on light, as printed codes are. `invert` draws the dark
// modules instead, for a terminal with a light background.

#include <optional>
#include <string>
#include <string_view>

namespace sekisho::ctl {

inline constexpr int quiet_zone = 4;

// Lines ending in "\n", or nullopt when libqrencode fails (the data is too
// long for a QR code, or out of memory).
std::optional<std::string> qr_text(std::string_view data, bool invert);

} // namespace sekisho::ctl
