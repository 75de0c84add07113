#include "registry.h"

#include <cerrno>
#include <charconv>

#include "../error.h"
#include "config_files.h"

namespace vs::guest {

namespace fs = std::filesystem;

std::optional<uint32_t> contextOf(const fs::path& cfgdir) {
  const auto text = readScalar(cfgdir / "context");
  uint32_t xid = 0;
  if (!text || std::from_chars(text->data(), text->data() + text->size(), xid).ec != std::errc())
    return std::nullopt;
  return xid;
}

std::vector<RegisteredGuest> registeredGuests(const fs::path& configRoot) {
  std::vector<RegisteredGuest> guests;
  std::error_code error;
  for (const auto& entry : fs::directory_iterator(configRoot, error)) {
    const std::string dirName = entry.path().filename().string();
    if (dirName[0] == '.' || !entry.is_directory(error)) continue;
    guests.push_back({entry.path(), readScalar(entry.path() / "name").value_or(dirName),
                      contextOf(entry.path())});
  }
  return guests;
}

std::vector<RegisteredGuest> otherGuests(const fs::path& configRoot, const fs::path& exclude) {
  std::error_code error;
  const fs::path self = fs::weakly_canonical(exclude, error);
  std::vector<RegisteredGuest> guests = registeredGuests(configRoot);
  std::erase_if(guests, [&](const RegisteredGuest& guest) {
    return fs::weakly_canonical(guest.cfgdir, error) == self;
  });
  return guests;
}

void refuseSharedIdentity(const fs::path& cfgdir, const std::string& name,
                          std::optional<uint32_t> xid) {
  for (const RegisteredGuest& other : otherGuests(cfgdir.parent_path(), cfgdir)) {
    if (other.name == name)
      throw Error(EEXIST, "guest name '" + name + "' is also the name of " +
                              other.cfgdir.string() + ": give one of them another (name)");
    if (xid && other.xid == xid)
      throw Error(EEXIST, "context " + std::to_string(*xid) + " is also the context of " +
                              other.cfgdir.string() + ": give one of them another (context)");
  }
}

}  // namespace vs::guest
