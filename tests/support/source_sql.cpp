#include "support/source_sql.h"

#include <stdexcept>

namespace mysql2ch::test {

Connection root_connection(int port) {
  ConnectOptions o;
  o.host = "127.0.0.1";
  o.port = static_cast<uint16_t>(port);
  o.user = "root";
  o.password = Secret("rootpass");
  auto c = Connection::open(o);
  if (!c.ok()) throw std::runtime_error(c.error().message());
  return std::move(c).value();
}

void must(const Status& status) {
  if (!status.ok()) throw std::runtime_error(status.error().message());
}

}  // namespace mysql2ch::test
