#pragma once
// The catalog rules for one service at one moment (DOMAIN.md §7 rules 9-11,
// 14-15), in this order: restricted provider, restricted country (provider,
// parent, subprocessors), data residency for the service's class,
// certification (missing, withdrawn, not yet valid, expired unless a renewal
// is pending), review overdue, open known-exploited vulnerabilities. A rule
// an unexpired exception waives is passed over, and the exception is named.
// Internal to policy/: decide() calls it for every catalogued service.

#include "decide.hpp"

#include <string>
#include <vector>

namespace sekisho::policy {

struct catalog_verdict
{
    reason why = reason::allowed; // or the first rule that fails
    std::string rule;             // "supply_chain:restricted_countries", "catalog:<id>", ...
    std::string detail;
    std::string exception_id;      // the exception that waived a rule, if one did
    reason warn = reason::allowed; // review_overdue under `review_overdue: warn`
};

catalog_verdict check_catalog(const snapshot& snap, const cloud_service& svc, clock::time_point now);

// The rules that do not depend on time (restricted provider, restricted
// country, residency) that the service breaks, in that order: computed once
// by compile (snapshot::supply_chain_failures), not per decision.
std::vector<supply_chain_failure> find_supply_chain_failures(const policy_document& doc,
                                                             const cloud_service& svc);

} // namespace sekisho::policy
