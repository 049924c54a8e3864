// Request ids: every response carries `x-request-id`. A well-formed id sent by the client (from a
// proxy or a tracing system) is echoed; anything else is replaced by a fresh random id.
#pragma once

#include <string>
#include <string_view>

namespace liftoff::server::http {

// 1 to 128 characters from [A-Za-z0-9._:/+=@-]: safe to echo in a header and to log.
bool is_well_formed_request_id(std::string_view id);

// `incoming` if well-formed, else a fresh id (32 hex digits).
std::string request_id_for(std::string_view incoming);

// `n` random characters from [A-Za-z0-9] (thread-safe; not for secrets).
std::string random_alnum(size_t n);

}  // namespace liftoff::server::http
