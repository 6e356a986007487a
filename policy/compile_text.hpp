#pragma once
// Wording shared by compile()'s checks (compile_identity.cpp,
// compile_catalog.cpp). Internal to policy/.

#include "identity.hpp"
#include "yaml_reader.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace sekisho::policy::detail {

// "did you mean `tanaka`?" for the id of `items` closest to `word`, or "".
template <typename Items>
std::string did_you_mean(std::string_view word, const Items& items)
{
    std::vector<std::string_view> ids;
    ids.reserve(items.size());
    for (const auto& item : items)
    {
        ids.push_back(item.id);
    }
    auto near = closest_word(word, ids);
    return near.empty() ? std::string() : "did you mean `" + near + "`?";
}

// The Asia/Tokyo calendar date of the last moment before t ("2027-03-31"
// for an `expires: 2027-03-31`, which ends at the next day's 00:00 JST).
std::string date_text(clock::time_point t);

// Whole days from now to t, rounded down.
inline long days_until(clock::time_point now, clock::time_point t)
{
    return static_cast<long>(std::chrono::duration_cast<std::chrono::hours>(t - now).count() / 24);
}

} // namespace sekisho::policy::detail
