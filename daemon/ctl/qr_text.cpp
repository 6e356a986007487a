#include "daemon/ctl/qr_text.hpp"

#include <sodium.h>

#include <memory>

#include <qrencode.h>

namespace sekisho::ctl {

namespace {

struct qrcode_free
{
    void operator()(QRcode* code) const
    {
        // The modules spell out the TOTP key: wiped before they are freed.
        const auto side = static_cast<std::size_t>(code->width);
        sodium_memzero(code->data, side * side);
        QRcode_free(code);
    }
};

} // namespace

std::optional<std::string> qr_text(std::string_view data, bool invert)
{
    const std::string text(data);
    // Level M (15% of the code may be damaged): a phone held to a screen
    // needs little correction, and a smaller code fits an 80-column terminal.
    std::unique_ptr<QRcode, qrcode_free> code(
        QRcode_encodeString(text.c_str(), 0, QR_ECLEVEL_M, QR_MODE_8, 1));
    if (!code)
    {
        return std::nullopt;
    }
    const int width = code->width;
    const int side = width + 2 * quiet_zone;
    // Whether the module at (x, y) of the padded square is drawn. Outside the
    // square (the last half row of an odd side) counts as quiet zone.
    auto drawn = [&](int x, int y) {
        const int cx = x - quiet_zone;
        const int cy = y - quiet_zone;
        bool dark = false;
        if (cx >= 0 && cx < width && cy >= 0 && cy < width)
        {
            dark = (code->data[static_cast<std::size_t>(cy) * static_cast<std::size_t>(width) +
                               static_cast<std::size_t>(cx)] &
                    1U) != 0;
        }
        return invert ? dark : !dark;
    };
    std::string out;
    for (int y = 0; y < side; y += 2)
    {
        for (int x = 0; x < side; ++x)
        {
            const bool top = drawn(x, y);
            const bool bottom = y + 1 < side ? drawn(x, y + 1) : !invert;
            out += top && bottom ? "█" : top ? "▀" : bottom ? "▄" : " ";
        }
        out += '\n';
    }
    return out;
}

} // namespace sekisho::ctl
