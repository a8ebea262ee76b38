// Root connections to the test's source servers, for tests that set up and drive the source. Test-only: a
// failure throws (std::runtime_error with the server's message), which GoogleTest reports as the test's failure.
#pragma once

#include <string_view>

#include "mysql/connection.h"

namespace mysql2ch::test {

// root/rootpass on 127.0.0.1:`port`.
Connection root_connection(int port);

// Throws when `status` is an error.
void must(const Status& status);

}  // namespace mysql2ch::test
