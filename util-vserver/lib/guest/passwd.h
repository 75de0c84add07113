// Users of a guest, read from its own /etc/passwd and /etc/group as plain
// files: no NSS modules of the guest are loaded into our process.
#pragma once

#include <sys/types.h>

#include <filesystem>
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

// Looks user up in the account files passwd and group in etc (the
// guest's /etc, once we joined it).  They are the guest's to make: anything
// but a regular file of sane size there is refused, not read, so a FIFO
// or a link to a device cannot hang or flood the caller.  A missing file
// counts as empty.
GuestUser lookUpGuestUser(const std::string& user, const std::filesystem::path& etc = "/etc");

// Drops to user: supplementary groups, gid, uid.
void becomeUser(const GuestUser& user);

}  // namespace vs::guest
