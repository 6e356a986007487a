#include "model.hpp"

namespace sekisho::policy {

std::string_view to_string(zone z)
{
    switch (z)
    {
        case zone::mynumber:
            return "mynumber";
        case zone::lgwan:
            return "lgwan";
        case zone::internet:
            return "internet";
        case zone::none:
            break;
    }
    return "none";
}

std::string_view to_string(layer l)
{
    return l == layer::lgwan ? "lgwan" : "internet";
}

std::optional<layer> parse_layer(std::string_view text)
{
    if (text == "lgwan")
    {
        return layer::lgwan;
    }
    if (text == "internet")
    {
        return layer::internet;
    }
    return std::nullopt;
}

zone zone_of(layer l)
{
    return l == layer::lgwan ? zone::lgwan : zone::internet;
}

std::string_view to_string(network_model m)
{
    switch (m)
    {
        case network_model::alpha:
            return "alpha";
        case network_model::alpha_prime:
            return "alpha_prime";
        case network_model::beta:
            return "beta";
        case network_model::beta_prime:
            break;
    }
    return "beta_prime";
}

std::optional<network_model> parse_network_model(std::string_view text)
{
    for (auto m :
         {network_model::alpha, network_model::alpha_prime, network_model::beta, network_model::beta_prime})
    {
        if (text == to_string(m))
        {
            return m;
        }
    }
    return std::nullopt;
}

const zone_def& policy_document::zone_definition(zone z) const
{
    switch (z)
    {
        case zone::mynumber:
            return mynumber;
        case zone::lgwan:
            return lgwan;
        default:
            return internet;
    }
}

} // namespace sekisho::policy
