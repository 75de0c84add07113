#include "vserver_client.h"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <climits>
#include <cstdint>

#include "error.h"

namespace vs {

namespace {

// Prefixes an error from the kernel with the action that failed.
template <typename Fn>
auto withContext(const std::string& action, Fn&& fn) {
  try {
    return fn();
  } catch (const Error& e) {
    throw Error(e.errnum(), action + ": " + e.what());
  }
}

// The generic netlink core refuses a caller without CAP_NET_ADMIN before
// the module can say why; say it here.
template <typename Fn>
auto asAdministrator(const std::string& action, Fn&& fn) {
  return withContext(action, [&] {
    try {
      return fn();
    } catch (const KernelError& e) {
      if (e.errnum() == EPERM && e.kernelMessage().empty())
        throw Error(EPERM,
                    "only root of the host context may manage contexts (Operation not permitted)");
      throw;
    }
  });
}

// For commands whose replies carry nothing the caller needs.
void ignoreReply(const nlmsghdr*) {}

}  // namespace

VserverClient::VserverClient() {
  try {
    family_ = socket_.resolveFamily(VSERVER_GENL_NAME);
  } catch (const Error& e) {
    if (e.errnum() != ENOENT) throw;
    throw Error(ENOENT,
                "the vserver kernel module is not loaded (hint: modprobe vserver, "
                "on a kernel built with CONFIG_SECURITY_VSERVER)");
  }
  if (family_.version < VSERVER_GENL_VERSION)
    throw Error(EPROTO, "the vserver module speaks protocol version " +
                            std::to_string(family_.version) + ", these tools need " +
                            std::to_string(VSERVER_GENL_VERSION));
}

void VserverClient::createContext(uint32_t xid, const std::string& name,
                                  const ContextPolicy& policy) {
  GenlRequest request = encodeContextCreate(family_.id, xid, name, policy);
  asAdministrator("create context " + std::to_string(xid),
                  [&] { socket_.transact(request, ignoreReply); });
}

void VserverClient::migrate(uint32_t xid) {
  GenlRequest request = encodeContextMigrate(family_.id, xid);
  asAdministrator("enter context " + std::to_string(xid),
                  [&] { socket_.transact(request, ignoreReply); });
}

void VserverClient::setPolicy(uint32_t xid, const PolicyChange& change) {
  GenlRequest request = encodeContextSet(family_.id, xid, change);
  asAdministrator("set attributes of context " + std::to_string(xid),
                  [&] { socket_.transact(request, ignoreReply); });
}

void VserverClient::setLimits(uint32_t xid, const HardLimits& limits) {
  PolicyChange change;
  change.limits = limits;
  GenlRequest request = encodeContextSet(family_.id, xid, change);
  asAdministrator("set limits of context " + std::to_string(xid),
                  [&] { socket_.transact(request, ignoreReply); });
}

void VserverClient::kill(uint32_t xid, int signal, std::optional<pid_t> pid) {
  GenlRequest request = encodeContextKill(family_.id, xid, signal, pid);
  const std::string target = pid ? "process " + std::to_string(*pid) + " of context "
                                 : std::string("context ");
  asAdministrator("signal " + target + std::to_string(xid),
                  [&] { socket_.transact(request, ignoreReply); });
}

void VserverClient::watchExits() {
  const auto group = family_.multicastGroups.find(VSERVER_MCGRP_EVENTS);
  if (group == family_.multicastGroups.end())
    throw Error(EPROTO, "the vserver module has no '" VSERVER_MCGRP_EVENTS "' group");
  withContext("watch context exits", [&] {
    if (!events_) events_.emplace();
    events_->joinGroup(group->second);
  });
}

std::optional<ExitEvent> VserverClient::waitForExit(uint32_t xid, int64_t timeoutMs) {
  if (!events_) throw Error(EINVAL, "waiting for context exits without watching them");
  std::optional<ExitEvent> found;
  // A deadline rather than a per-message time-out: other contexts' exits
  // must not extend the wait.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeoutMs);
  while (!found) {
    int left = -1;
    if (timeoutMs >= 0) {
      const auto remaining = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      // poll() takes an int: a longer wait goes on after it.
      left = static_cast<int>(std::clamp<int64_t>(remaining.count(), 0, INT_MAX));
    }
    const bool received = events_->receive(left, [&](const nlmsghdr* nlh) {
      if (nlh->nlmsg_type != family_.id) return;
      std::optional<ExitEvent> event = decodeExitEvent(nlh);
      if (event && event->xid == xid) found = event;
    });
    if (!received && (timeoutMs < 0 || std::chrono::steady_clock::now() >= deadline))
      return std::nullopt;
  }
  return found;
}

ContextInfo VserverClient::context(uint32_t xid) {
  GenlRequest request = encodeContextGet(family_.id, xid);
  std::optional<ContextInfo> info;
  withContext("context " + std::to_string(xid), [&] {
    socket_.transact(request, [&info](const nlmsghdr* nlh) { info = decodeContext(nlh); });
  });
  if (!info) throw Error(EPROTO, "context " + std::to_string(xid) + ": no reply");
  return *info;
}

std::vector<ContextInfo> VserverClient::contexts() {
  GenlRequest request = encodeContextDump(family_.id);
  std::vector<ContextInfo> all;
  withContext("list contexts", [&] {
    socket_.transact(request, [&all](const nlmsghdr* nlh) { all.push_back(decodeContext(nlh)); });
  });
  return all;
}

uint32_t VserverClient::taskXid(std::optional<pid_t> pid) {
  GenlRequest request = encodeTaskGet(family_.id, pid);
  std::optional<uint32_t> xid;
  withContext(pid ? "process " + std::to_string(*pid) : std::string("own context"), [&] {
    socket_.transact(request, [&xid](const nlmsghdr* nlh) { xid = decodeTaskXid(nlh); });
  });
  if (!xid) throw Error(EPROTO, "task query: no reply");
  return *xid;
}

std::vector<TaskContext> VserverClient::processes() {
  GenlRequest request = encodeTaskDump(family_.id);
  std::vector<TaskContext> all;
  withContext("list processes", [&] {
    socket_.transact(request, [&all](const nlmsghdr* nlh) { all.push_back(decodeTaskContext(nlh)); });
  });
  return all;
}

ContextInfo requireRunningContext(VserverClient& client, uint32_t xid) {
  try {
    return client.context(xid);
  } catch (const Error& e) {
    if (e.errnum() == ESRCH) throw Error(ESRCH, "context " + std::to_string(xid) + " is not running");
    throw;
  }
}

}  // namespace vs
