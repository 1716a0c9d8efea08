#include "harness/os/user_path.h"

#include <cstdlib>

namespace sockspec {

std::string UserPath(const std::string& path) {
  const char* cwd = getenv("BUILD_WORKING_DIRECTORY");
  if (path.empty() || path[0] == '/' || cwd == nullptr || *cwd == '\0') {
    return path;
  }
  return std::string(cwd) + "/" + path;
}

}  // namespace sockspec
