#include "networking.h"

#include <fcntl.h>
#include <net/if.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <fstream>
#include <map>
#include <sstream>

#include "../error.h"
#include "../every_step.h"
#include "../network_policy.h"
#include "../unique_fd.h"
#include "lock.h"
#include "paths.h"
#include "run_file.h"

namespace vs::guest {

namespace fs = std::filesystem;

namespace {

IpAddress addressOf(const GuestConfig& config, const InterfaceConfig& iface) {
  return validatedAddress(interfaceDir(config, iface) / "ip", iface.ip);
}

void appendToRecord(const fs::path& record, const HostAddress& address) {
  std::error_code ignored;
  fs::create_directories(record.parent_path(), ignored);
  const UniqueFd fd(open(record.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_NOFOLLOW | O_CLOEXEC, 0644));
  if (!fd) throwErrno("cannot record the guest's addresses in " + record.string());
  const std::string line = formatAddressRecord(address) + "\n";
  if (write(fd.get(), line.data(), line.size()) != static_cast<ssize_t>(line.size()))
    throwErrno("cannot record the guest's addresses in " + record.string());
}

// Removes each address, the first failure thrown once all were tried.
void removeAll(HostNetwork& host, const std::vector<HostAddress>& addresses) {
  EveryStep steps;
  for (const HostAddress& address : addresses)
    steps.run([&] { host.remove(address.device, address.address); });
  steps.throwFirstFailure();
}

}  // namespace

fs::path interfaceDir(const GuestConfig& config, const InterfaceConfig& iface) {
  return config.location.cfgdir / "interfaces" / iface.dirName;
}

IpAddress validatedAddress(const fs::path& file, const std::string& text) {
  const auto address = parseIpAddress(text);
  // The reader validated it; a config built otherwise is a bug.
  if (!address) throw ConfigError(file, 1, "not an address");
  return *address;
}

NetworkSet networkSetOf(const GuestConfig& config) {
  NetworkSet net;
  net.flags = applyChange(kSecureNetworkFlags, config.nflags);
  net.caps = applyChange(kSecureNetworkCaps, config.ncaps);
  net.lback = config.lback;
  for (const InterfaceConfig& iface : config.interfaces) net.add(addressOf(config, iface));
  return net;
}

HostAddress hostAddressOf(const GuestConfig& config, const InterfaceConfig& iface) {
  HostAddress host;
  host.device = iface.dev;
  host.address = {addressOf(config, iface), iface.prefix};
  host.broadcast = broadcastOf(host.address.address, iface.prefix);
  if (!iface.label.empty() && host.address.address.family == AF_INET) {
    host.label = iface.dev + ":" + iface.label;
    if (host.label.size() >= IFNAMSIZ)
      throw ConfigError(interfaceDir(config, iface) / "name", 1,
                        "label '" + host.label + "' is longer than " +
                            std::to_string(IFNAMSIZ - 1) + " characters");
  }
  return host;
}

std::vector<HostAddress> plannedHostAddresses(const GuestConfig& config,
                                              const std::vector<IpAddress>& hostAddresses,
                                              const std::vector<ContextInfo>& contexts) {
  const uint32_t self = config.xid.value_or(0);
  try {
    requireAddressCount(networkSetOf(config));
  } catch (const Error& e) {
    throw ConfigError(config.location.cfgdir / "interfaces", 0, e.what());
  }
  if (config.lback)
    if (const auto conflict = loopbackConflict(*config.lback, contexts, self))
      throw ConfigError(config.location.cfgdir / "interfaces/lback", 1, *conflict);
  std::map<IpAddress, std::string> seen;
  std::vector<HostAddress> planned;
  for (const InterfaceConfig& iface : config.interfaces) {
    const fs::path dir = interfaceDir(config, iface);
    const IpAddress address = addressOf(config, iface);
    try {
      requireContextAddress(address);
    } catch (const Error& e) {
      throw ConfigError(dir / "ip", 1, e.what());
    }
    if (const auto [it, added] = seen.emplace(address, iface.dirName); !added)
      throw ConfigError(dir / "ip", 1,
                        address.str() + " is listed twice (interfaces/" + it->second + " too)");
    const bool onHost =
        std::find(hostAddresses.begin(), hostAddresses.end(), address) != hostAddresses.end();
    const AddressClaim claim{address, iface.shared, iface.nodev};
    if (const auto conflict = addressConflict(claim, hostAddresses, contexts, self))
      throw ConfigError(dir, 0,
                        *conflict + (iface.nodev && !onHost ? " (nodev: it must be there already)"
                                                            : "; a 'shared' file here allows that"));
    if (!iface.nodev && !onHost) planned.push_back(hostAddressOf(config, iface));
  }
  return planned;
}

std::string formatAddressRecord(const HostAddress& address) {
  return address.device + " " + address.address.address.str() + "/" +
         std::to_string(address.address.prefix);
}

std::vector<HostAddress> parseAddressRecord(const std::string& text) {
  std::vector<HostAddress> addresses;
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    std::istringstream fields(line);
    std::string device, prefixed, extra;
    if (!(fields >> device >> prefixed) || fields >> extra) continue;
    try {
      addresses.push_back(HostAddress{device, parseIpPrefix(prefixed), std::nullopt, ""});
    } catch (const Error&) {
      // Not ours to act on: a record line we did not write.
    }
  }
  return addresses;
}

void addGuestAddresses(const GuestConfig& config, VserverClient& client) {
  const GuestLock lock = GuestLock::onFile(interfacesLockFile());
  HostNetwork host;
  const std::vector<HostAddress> planned =
      plannedHostAddresses(config, host.addresses(), client.contexts());
  const fs::path record = addressRecordOf(config.name);
  std::vector<HostAddress> added;
  try {
    for (const HostAddress& address : planned) {
      host.add(address);
      added.push_back(address);
      appendToRecord(record, address);
    }
    for (const InterfaceConfig& iface : config.interfaces)
      if (!iface.nodev && !iface.down) host.bringUp(iface.dev);
  } catch (const Error& e) {
    try {
      removeAll(host, added);
      removeRunFile(record);
    } catch (const Error& undo) {
      throw Error(e.errnum(), std::string(e.what()) + "; removing the addresses added failed too: " +
                                  undo.what());
    }
    throw;
  }
}

void removeGuestAddresses(const GuestConfig& config) {
  const fs::path record = addressRecordOf(config.name);
  std::ifstream stream(record);
  if (!stream) return;
  std::stringstream text;
  text << stream.rdbuf();
  const GuestLock lock = GuestLock::onFile(interfacesLockFile());
  HostNetwork host;
  removeAll(host, parseAddressRecord(text.str()));
  removeRunFile(record);
}

}  // namespace vs::guest
