#include "passwd.h"

#include <grp.h>
#include <unistd.h>

#include <cerrno>
#include <optional>
#include <sstream>

#include "../error.h"
#include "../number.h"

namespace vs::guest {

namespace {

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

void becomeUser(const GuestUser& user) {
  if (setgroups(user.groups.size(), user.groups.data()) != 0) throwErrno("setgroups");
  if (setgid(user.gid) != 0) throwErrno("setgid " + std::to_string(user.gid));
  if (setuid(user.uid) != 0) throwErrno("setuid " + std::to_string(user.uid));
}

}  // namespace vs::guest
