#pragma once
// The fixed block of bytes that bulk senders repeat. One shared read-only block keeps the
// generator's own cost per byte down to the copy into the socket or the TLS record.

#include <array>
#include <cstddef>

namespace gw::bench {

inline constexpr std::size_t pattern_size = 256 * 1024;

inline const std::array<unsigned char, pattern_size>& pattern_block()
{
    static const auto block = [] {
        std::array<unsigned char, pattern_size> b{};
        for (std::size_t i = 0; i < b.size(); ++i)
        {
            b[i] = static_cast<unsigned char>((i * 131U + 7U) & 0xffU);
        }
        return b;
    }();
    return block;
}

} // namespace gw::bench
