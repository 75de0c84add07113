// The vserver generic netlink protocol (kmod/include/uapi/linux/vserver.h):
// requests and replies as plain data, encoded and decoded without a socket.
#pragma once

#include <linux/netlink.h>
#include <linux/vserver.h>
#include <sys/types.h>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "capabilities.h"
#include "genl_message.h"
#include "ip_address.h"

namespace vs {

// One rule of a context's device map (VSERVER_A_DEVICES).
struct DeviceRule {
  enum class Type : uint32_t { Char = VSERVER_DEVICE_CHAR, Block = VSERVER_DEVICE_BLOCK };

  Type type = Type::Char;
  uint32_t major = 0;
  std::optional<uint32_t> minor;  // empty: every minor of the major
  uint32_t access = 0;            // VSERVER_DEVICE_OPEN | VSERVER_DEVICE_CREATE

  bool operator==(const DeviceRule&) const = default;
};

// A context's network set (VSERVER_A_NET): what it may use of the host's
// network stack.  A context without one shares it unconfined.
struct NetworkSet {
  uint64_t flags = 0;              // VSERVER_NF_*
  uint64_t caps = 0;               // VSERVER_NCAP_*
  std::optional<IpAddress> lback;  // the kernel's default 127.1.X.Y when empty
  std::vector<IpAddress> ipv4;     // in order: the first is the preferred source
  std::vector<IpAddress> ipv6;

  // Every address, IPv4 first.
  std::vector<IpAddress> addresses() const;
  bool contains(const IpAddress& address) const;
  // Adds address to the list of its family.
  void add(const IpAddress& address);
  // Removes address; false when the set did not hold it.
  bool remove(const IpAddress& address);

  bool operator==(const NetworkSet&) const = default;
};

// The hard limits of counted resources (VSERVER_A_LIMITS), by resource;
// VSERVER_LIMIT_INFINITY is no limit.
using HardLimits = std::map<vserver_limit_resource, uint64_t>;

// One counted resource of a context, as the kernel reports it.
struct CountedLimit {
  uint64_t hard = VSERVER_LIMIT_INFINITY;
  uint64_t current = 0;  // how many the context holds
  uint64_t held = 0;     // the most it has held at once
  uint64_t hits = 0;     // how many requests the limit refused

  // hard, or nothing for no limit.
  std::optional<uint64_t> limit() const {
    return hard == VSERVER_LIMIT_INFINITY ? std::nullopt : std::optional(hard);
  }
  bool operator==(const CountedLimit&) const = default;
};

// util-vserver's name of a counted resource ("nofile"); nullptr for one
// this build does not know.
const char* countedResourceName(vserver_limit_resource resource);
// The counted resource util-vserver calls name, if any.
std::optional<vserver_limit_resource> countedResourceOf(const std::string& name);

// A context as the kernel describes it.
struct ContextInfo {
  uint32_t xid = 0;
  std::string name;  // empty when the context has none
  uint32_t tasks = 0;
  uint64_t uptimeNs = 0;
  uint64_t flags = 0;  // VSERVER_CF_*
  uint64_t bcaps = 0;  // capability bounding set
  uint64_t ccaps = 0;  // VSERVER_CCAP_*
  std::vector<DeviceRule> devices;
  std::optional<NetworkSet> net;  // empty: not confined to a network set
  // Every counted resource the kernel reported and this build knows.
  std::map<vserver_limit_resource, CountedLimit> limits;
};

// The policy of a new context; the kernel's defaults where not given.
struct ContextPolicy {
  uint64_t flags = 0;
  std::optional<uint64_t> bcaps;  // VSERVER_BCAPS_DEFAULT when empty
  uint64_t ccaps = 0;
  std::vector<DeviceRule> devices;  // at most VSERVER_DEVICES_MAX
  std::optional<NetworkSet> net;    // empty: the host's network, unconfined
  HardLimits limits;                // what it omits is unlimited
};

// A change to a context's policy; empty changes are not sent.
struct PolicyChange {
  BitChange flags, bcaps, ccaps;
  std::optional<NetworkSet> net;  // replaces the whole network set
  HardLimits limits;              // changes the limits it names, and only those

  bool empty() const {
    return flags.empty() && bcaps.empty() && ccaps.empty() && !net && limits.empty();
  }
};

// The notification that a context has ended.
struct ExitEvent {
  uint32_t xid = 0;
  std::string name;
  uint32_t reason = VSERVER_EXIT_TASKS_GONE;
};

// "exited", "restart", "halt", "poweroff".
const char* exitReasonName(uint32_t reason);

// Requests; family is the id resolved at run time.
GenlRequest encodeContextCreate(uint16_t family, uint32_t xid, const std::string& name,
                                const ContextPolicy& policy = {});
GenlRequest encodeContextSet(uint16_t family, uint32_t xid, const PolicyChange& change);
GenlRequest encodeContextKill(uint16_t family, uint32_t xid, int signal,
                              std::optional<pid_t> pid);
GenlRequest encodeContextMigrate(uint16_t family, uint32_t xid);
GenlRequest encodeContextGet(uint16_t family, uint32_t xid);
GenlRequest encodeContextDump(uint16_t family);
GenlRequest encodeTaskGet(uint16_t family, std::optional<pid_t> pid);
GenlRequest encodeTaskDump(uint16_t family);

// Replies; a malformed reply, or a message of another command (an exit
// notification, say), throws Error(EPROTO).
ContextInfo decodeContext(const nlmsghdr* nlh);
uint32_t decodeTaskXid(const nlmsghdr* nlh);
// A process and its context, from the dump of TASK_GET.
struct TaskContext {
  pid_t pid = 0;
  uint32_t xid = 0;
  // When it started, in ns of CLOCK_BOOTTIME; only in a dump, and not
  // from a module older than the attribute.
  std::optional<uint64_t> startNs;
};
TaskContext decodeTaskContext(const nlmsghdr* nlh);
// Returns an empty optional for other messages of the family.
std::optional<ExitEvent> decodeExitEvent(const nlmsghdr* nlh);

}  // namespace vs
