#include "run_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <fstream>
#include <string>

#include "../error.h"
#include "../unique_fd.h"
#include "cgroup_place.h"
#include "paths.h"

namespace vs::guest {

namespace fs = std::filesystem;

void writeRunFile(const fs::path& file, const RunRecord& record) {
  std::error_code ignored;
  fs::create_directories(file.parent_path(), ignored);
  const UniqueFd fd(open(file.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644));
  if (!fd) throwErrno("cannot create the run file " + file.string());
  const std::string text = std::to_string(record.xid) + "\n" + std::to_string(record.initPid) +
                           "\n" + std::to_string(record.monitorPid) + "\n" +
                           record.cgroup.string() + "\n";
  if (write(fd.get(), text.data(), text.size()) != static_cast<ssize_t>(text.size())) {
    const int errnum = errno;
    unlink(file.c_str());
    throw Error(errnum, errnoMessage("cannot write the run file " + file.string(), errnum));
  }
}

std::optional<RunRecord> readRunFile(const fs::path& file, const std::string& name) {
  std::ifstream stream(file);
  RunRecord record;
  if (!(stream >> record.xid >> record.initPid >> record.monitorPid)) return std::nullopt;
  std::string cgroup;
  stream >> std::ws;
  if (!std::getline(stream, cgroup)) {
    record.cgroup = defaultCgroupOf(name);
    return record;
  }
  if (const auto problem = guestCgroupProblem(cgroup, name))
    throw Error(EINVAL, "the run file " + file.string() + " is broken: its " + *problem);
  record.cgroup = cgroup;
  return record;
}

void removeRunFile(const fs::path& file) {
  if (unlink(file.c_str()) != 0 && errno != ENOENT) throwErrno("cannot remove " + file.string());
}

}  // namespace vs::guest
