// Users of a guest, read from its own /etc/passwd and /etc/group as plain
// files: no NSS modules of the guest are loaded into our process.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

namespace vs::guest {

struct GuestUser {
  std::string name;
  uid_t uid = 0;
  gid_t gid = 0;
  std::vector<gid_t> groups;  // supplementary
  std::string home = "/";
};

// Looks user (a name, or a uid) up in passwd and group file contents.  A
// uid without a passwd entry is accepted as it is, with gid = uid.
GuestUser findGuestUser(const std::string& user, const std::string& passwd,
                        const std::string& group);

// Drops to user: supplementary groups, gid, uid.
void becomeUser(const GuestUser& user);

}  // namespace vs::guest
