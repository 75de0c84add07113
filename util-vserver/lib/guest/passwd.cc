#include "passwd.h"

#include <fcntl.h>
#include <grp.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <optional>
#include <sstream>

#include "../error.h"
#include "../number.h"
#include "../unique_fd.h"

namespace vs::guest {

namespace {

// Far beyond any real passwd or group file.
constexpr off_t kMaxAccountFileBytes = 16 << 20;

std::string readAccountFile(const std::filesystem::path& file) {
  const std::string path = file.string();
  // O_NONBLOCK: opening a FIFO must not wait for a writer.
  const UniqueFd fd(open(path.c_str(), O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC));
  if (!fd) {
    if (errno == ENOENT) return {};
    throwErrno("cannot open the guest's " + path);
  }
  struct stat st {};
  if (fstat(fd.get(), &st) != 0) throwErrno("cannot stat the guest's " + path);
  if (!S_ISREG(st.st_mode)) throw Error(EINVAL, "the guest's " + path + " is not a regular file");
  if (st.st_size > kMaxAccountFileBytes)
    throw Error(EFBIG, "the guest's " + path + " is larger than " +
                           std::to_string(kMaxAccountFileBytes) + " bytes");
  std::string contents(static_cast<size_t>(st.st_size), '\0');
  size_t done = 0;
  while (done < contents.size()) {
    const ssize_t n = read(fd.get(), contents.data() + done, contents.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throwErrno("cannot read the guest's " + path);
    if (n == 0) break;  // shrank meanwhile
    done += static_cast<size_t>(n);
  }
  contents.resize(done);
  return contents;
}

std::vector<std::string> fieldsOf(const std::string& line) {
  std::vector<std::string> fields;
  std::istringstream stream(line);
  std::string field;
  while (std::getline(stream, field, ':')) fields.push_back(field);
  if (!line.empty() && line.back() == ':') fields.emplace_back();
  return fields;
}

std::optional<GuestUser> passwdEntry(const std::string& user, const std::string& passwd) {
  std::istringstream lines(passwd);
  std::string line;
  while (std::getline(lines, line)) {
    const auto fields = fieldsOf(line);
    if (fields.size() < 7) continue;
    if (fields[0] != user && fields[2] != user) continue;
    GuestUser entry;
    entry.name = fields[0];
    entry.uid = static_cast<uid_t>(parseUnsigned(fields[2], 0, UINT32_MAX - 1, "uid"));
    entry.gid = static_cast<gid_t>(parseUnsigned(fields[3], 0, UINT32_MAX - 1, "gid"));
    entry.home = fields[5].empty() ? "/" : fields[5];
    return entry;
  }
  return std::nullopt;
}

void addSupplementaryGroups(GuestUser& user, const std::string& group) {
  std::istringstream lines(group);
  std::string line;
  while (std::getline(lines, line)) {
    const auto fields = fieldsOf(line);
    if (fields.size() < 4) continue;
    std::istringstream members(fields[3]);
    std::string member;
    while (std::getline(members, member, ',')) {
      if (member != user.name) continue;
      user.groups.push_back(static_cast<gid_t>(parseUnsigned(fields[2], 0, UINT32_MAX - 1, "gid")));
    }
  }
}

}  // namespace

GuestUser findGuestUser(const std::string& user, const std::string& passwd,
                        const std::string& group) {
  if (auto entry = passwdEntry(user, passwd)) {
    addSupplementaryGroups(*entry, group);
    return *entry;
  }
  if (user.empty() || user.find_first_not_of("0123456789") != std::string::npos)
    throwUsage("no user '" + user + "' in the guest's /etc/passwd");
  GuestUser numeric;
  numeric.uid = static_cast<uid_t>(parseUnsigned(user, 0, UINT32_MAX - 1, "uid"));
  numeric.gid = numeric.uid;
  numeric.name = user;
  return numeric;
}

GuestUser lookUpGuestUser(const std::string& user, const std::filesystem::path& etc) {
  return findGuestUser(user, readAccountFile(etc / "passwd"), readAccountFile(etc / "group"));
}

void becomeUser(const GuestUser& user) {
  if (setgroups(user.groups.size(), user.groups.data()) != 0) throwErrno("setgroups");
  if (setgid(user.gid) != 0) throwErrno("setgid " + std::to_string(user.gid));
  if (setuid(user.uid) != 0) throwErrno("setuid " + std::to_string(user.uid));
}

}  // namespace vs::guest
