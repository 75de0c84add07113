#include "manage.h"

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "../commands/vserver_info.h"
#include "../error.h"
#include "../network_policy.h"
#include "../remove_tree.h"
#include "../vserver_client.h"
#include "disk_limits.h"
#include "limits.h"
#include "lock.h"
#include "registry.h"
#include "root_guard.h"
#include "state.h"
#include "stop.h"
#include "veth.h"

namespace vs::guest {

namespace fs = std::filesystem;

namespace {

// By stdio: <iostream> would cost every vserver command the construction
// of the standard streams at its start.
bool confirmed(const std::string& question) {
  std::printf("%s (y/N) ", question.c_str());
  std::fflush(stdout);
  char* line = nullptr;
  size_t size = 0;
  const ssize_t length = getline(&line, &size, stdin);
  const std::unique_ptr<char, decltype(&std::free)> owned(line, std::free);
  std::string answer = length > 0 ? std::string(line, static_cast<size_t>(length)) : "";
  if (!answer.empty() && answer.back() == '\n') answer.pop_back();
  return answer == "y" || answer == "Y" || answer == "yes";
}

// A vdir link gone wrong must not make delete take other guests along.
void refuseDangerousRoot(const GuestConfig& config) {
  if (const auto held = heldByRoot(config.vdir, config.location))
    throw Error(EINVAL, config.name + ": refusing to delete the guest root " +
                            fs::weakly_canonical(config.vdir).string() + ": it holds " +
                            held->string());
  if (const auto base = outsideVdirBase(config.vdir, config.location))
    throw Error(EINVAL, config.name + ": refusing to delete the guest root " +
                            fs::weakly_canonical(config.vdir).string() +
                            ": it is not inside the vdir base " + base->string());
}

// A guest of its own network namespace has no network set: what it was
// given is its configuration's.
void printOwnNetwork(const GuestConfig& config) {
  const VethPlan plan = vethPlanOf(config);
  std::printf("Network:             its own namespace, veth %s (%s)\n", plan.hostEnd.c_str(),
              plan.bridge.empty() ? "routed" : ("bridge " + plan.bridge).c_str());
  std::vector<IpAddress> addresses;
  for (const HostAddress& address : plan.guestAddresses) addresses.push_back(address.address.address);
  std::printf("Addresses:           %s\n", joinAddresses(addresses, " ").c_str());
}

}  // namespace

int printStatus(const GuestConfig& config) {
  VserverClient client;
  const auto context = runningContext(client, config);
  if (!context) {
    std::printf("Vserver '%s' is stopped\n", config.name.c_str());
    return kExitStopped;
  }
  std::printf("Vserver '%s' is running at context '%u'\n", config.name.c_str(), context->xid);
  std::printf("Number of processes: %u\n", context->tasks);
  const std::filesystem::path cgroup = recordedCgroupOf(config);
  std::printf("Cgroup:              %s\n", cgroup.c_str());
  for (const std::string& line : cgroupUsageLines(readCgroupUsage(cgroup)))
    std::printf("%s\n", line.c_str());
  for (const std::string& line : countedLimitLines(context->limits))
    std::printf("%s\n", line.c_str());
  for (const std::string& line : diskUsageLines(readDiskUsage(config)))
    std::printf("%s\n", line.c_str());
  std::printf("Uptime:              %s\n", vserver_info::formatUptime(context->uptimeNs).c_str());
  if (context->net)
    std::printf("Addresses:           %s\n", joinAddresses(context->net->addresses(), " ").c_str());
  else if (config.spaces.net)
    printOwnNetwork(config);
  return 0;
}

int guestRunning(const GuestConfig& config) {
  VserverClient client;
  return runningContext(client, config) ? 0 : 1;
}

int deleteGuest(const GuestConfig& config, bool force) {
  refuseSharedIdentity(config.location.cfgdir, config.name, config.xid);
  refuseDangerousRoot(config);
  if (!force && !confirmed("Are you sure you want to delete the vserver " + config.name + "?"))
    return 1;
  const GuestLock lock(config.name);
  stopGuest(config, lock);
  removeTree(config.vdir);
  removeTree(config.location.cfgdir);
  return 0;
}

}  // namespace vs::guest
