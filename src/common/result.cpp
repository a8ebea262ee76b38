#include "common/result.h"

namespace mysql2ch {

const char* error_code_name(ErrorCode code) {
  switch (code) {
    case ErrorCode::kInvalidArgument: return "invalid argument";
    case ErrorCode::kConfig: return "configuration error";
    case ErrorCode::kNotFound: return "not found";
    case ErrorCode::kIo: return "I/O error";
    case ErrorCode::kUnavailable: return "unavailable";
    case ErrorCode::kTimeout: return "timeout";
    case ErrorCode::kAuth: return "authentication failed";
    case ErrorCode::kTls: return "TLS error";
    case ErrorCode::kProtocol: return "protocol error";
    case ErrorCode::kCorrupt: return "corrupt data";
    case ErrorCode::kUnsupported: return "unsupported";
    case ErrorCode::kServer: return "server error";
    case ErrorCode::kInternal: return "internal error";
  }
  return "error";
}

}  // namespace mysql2ch
