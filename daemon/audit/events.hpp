#pragma once
// The fields of the audit events about connections (docs/audit-events.md),
// built from the connection's record as JSON text: tunnel_allowed when the
// decision is made (before anything is dialled), tunnel_denied,
// tunnel_closed when an allowed tunnel ends, and connection_failed for
// connections that never reached a decision (TLS handshake failures,
// malformed requests).

#include "daemon/log/tunnel_record.hpp"

#include <string>
#include <string_view>

namespace sekisho::audit {

// tunnel_allowed, tunnel_denied or connection_failed: who, from where, to
// what, and the decision with its grounds. `decision` and `reason` are
// given: the record's own are those of the connection's end.
std::string decision_fields(const log::tunnel_record& r, std::string_view decision, std::string_view reason);
// tunnel_closed: how an allowed tunnel ended.
std::string closed_fields(const log::tunnel_record& r);
// Which event a finished connection's record ends with.
std::string_view final_event(const log::tunnel_record& r);

} // namespace sekisho::audit
