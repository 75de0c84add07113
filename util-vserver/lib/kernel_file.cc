#include "kernel_file.h"

#include <fcntl.h>
#include <unistd.h>

#include "error.h"
#include "unique_fd.h"

namespace vs {

void writeKernelFile(const std::filesystem::path& file, const std::string& value) {
  const UniqueFd fd(open(file.c_str(), O_WRONLY | O_CLOEXEC));
  if (!fd) throwErrno("cannot open " + file.string());
  if (write(fd.get(), value.data(), value.size()) != static_cast<ssize_t>(value.size()))
    throwErrno("cannot write '" + value + "' to " + file.string());
}

}  // namespace vs
