#include "vserver_proto.h"

#include <linux/genetlink.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <initializer_list>
#include <limits>
#include <span>
#include <utility>

#include "error.h"

namespace vs {

namespace {

GenlRequest makeRequest(uint16_t family, uint8_t cmd, uint16_t flags = 0) {
  return GenlRequest(family, cmd, VSERVER_GENL_VERSION, flags);
}

// A table of the type of every attribute up to Max, for the parsers of
// genl_message.h; a type not given is MNL_TYPE_UNSPEC (not checked).
template <int Max>
constexpr std::array<mnl_attr_data_type, Max + 1> typeTable(
    std::initializer_list<std::pair<int, mnl_attr_data_type>> given) {
  std::array<mnl_attr_data_type, Max + 1> types{};
  types.fill(MNL_TYPE_UNSPEC);
  for (const auto& [type, dataType] : given) types[static_cast<size_t>(type)] = dataType;
  return types;
}

// The type of every attribute the kernel may send back.
constexpr auto kAttributeTypes = typeTable<VSERVER_A_MAX>({
    {VSERVER_A_XID, MNL_TYPE_U32},
    {VSERVER_A_NAME, MNL_TYPE_NUL_STRING},
    {VSERVER_A_PID, MNL_TYPE_U32},
    {VSERVER_A_TASKS, MNL_TYPE_U32},
    {VSERVER_A_UPTIME_NS, MNL_TYPE_U64},
    {VSERVER_A_FLAGS, MNL_TYPE_U64},
    {VSERVER_A_BCAPS, MNL_TYPE_U64},
    {VSERVER_A_CCAPS, MNL_TYPE_U64},
    {VSERVER_A_EXIT_REASON, MNL_TYPE_U32},
    {VSERVER_A_DEVICES, MNL_TYPE_NESTED},
    {VSERVER_A_NET, MNL_TYPE_NESTED},
    {VSERVER_A_LIMITS, MNL_TYPE_NESTED},
    {VSERVER_A_START_NS, MNL_TYPE_U64},
});

// The type of every attribute of a device map rule.
constexpr auto kDeviceAttributeTypes = typeTable<VSERVER_A_DEVICE_MAX>({
    {VSERVER_A_DEVICE_TYPE, MNL_TYPE_U32},
    {VSERVER_A_DEVICE_MAJOR, MNL_TYPE_U32},
    {VSERVER_A_DEVICE_MINOR, MNL_TYPE_U32},
    {VSERVER_A_DEVICE_ACCESS, MNL_TYPE_U32},
});

// The type of every attribute of one counted resource.
constexpr auto kLimitAttributeTypes = typeTable<VSERVER_A_LIMIT_ATTR_MAX>({
    {VSERVER_A_LIMIT_HARD, MNL_TYPE_U64},
    {VSERVER_A_LIMIT_CURRENT, MNL_TYPE_U64},
    {VSERVER_A_LIMIT_HELD, MNL_TYPE_U64},
    {VSERVER_A_LIMIT_HITS, MNL_TYPE_U64},
});

// util-vserver's names of the counted resources, indexed by enum
// vserver_limit_resource.
constexpr std::array<const char*, VSERVER_LIMIT_MAX + 1> kCountedResourceNames = {
    nullptr, "nofile", "nsock", "semary", "msgqueue", "nsems", "locks"};
// A resource linux/vserver.h gains needs its name here: the tools print it.
static_assert(std::all_of(kCountedResourceNames.begin() + 1, kCountedResourceNames.end(),
                          [](const char* name) { return name != nullptr; }));

using Attributes = std::array<const nlattr*, VSERVER_A_MAX + 1>;
using DeviceAttributes = std::array<const nlattr*, VSERVER_A_DEVICE_MAX + 1>;
using LimitAttributes = std::array<const nlattr*, VSERVER_A_LIMIT_ATTR_MAX + 1>;

// The command of a message of the family; throws Error(EPROTO) when it is
// too short to have one.
uint8_t commandOf(const nlmsghdr* nlh) {
  if (mnl_nlmsg_get_payload_len(nlh) < sizeof(genlmsghdr))
    throw Error(EPROTO, "truncated generic netlink message");
  return static_cast<const genlmsghdr*>(mnl_nlmsg_get_payload(nlh))->cmd;
}

// A decoder reads only the message it was written for: an exit
// notification read as a reply (it carries an xid too) would answer a
// question about another context.
void requireCommand(const nlmsghdr* nlh, uint8_t expected) {
  const uint8_t cmd = commandOf(nlh);
  if (cmd != expected)
    throw Error(EPROTO, "unexpected netlink message (command " + std::to_string(cmd) +
                            " where " + std::to_string(expected) + " was due)");
}

Attributes parse(const nlmsghdr* nlh) {
  Attributes table;
  parseGenlAttributes(nlh, kAttributeTypes.data(), table.data(), VSERVER_A_MAX);
  return table;
}

const nlattr* require(std::span<const nlattr* const> table, int type, const char* what) {
  if (!table[type]) throw Error(EPROTO, std::string("netlink reply lacks the ") + what);
  return table[type];
}

uint64_t optionalU64(const Attributes& table, int type) {
  return table[type] ? mnl_attr_get_u64(table[type]) : 0;
}

void putChange(GenlRequest& request, int valueType, int maskType, const BitChange& change) {
  if (change.empty()) return;
  request.putU64(valueType, change.value);
  request.putU64(maskType, change.mask);
}

void putDeviceRule(GenlRequest& request, uint16_t nestType, const DeviceRule& rule) {
  const size_t nest = request.beginNest(nestType);
  request.putU32(VSERVER_A_DEVICE_TYPE, static_cast<uint32_t>(rule.type));
  request.putU32(VSERVER_A_DEVICE_MAJOR, rule.major);
  if (rule.minor) request.putU32(VSERVER_A_DEVICE_MINOR, *rule.minor);
  request.putU32(VSERVER_A_DEVICE_ACCESS, rule.access);
  request.endNest(nest);
}

// The kernel takes each rule's nest whatever its type; they are numbered
// from 1, as in its replies.
void putDevices(GenlRequest& request, const std::vector<DeviceRule>& rules) {
  if (rules.empty()) return;
  const size_t nest = request.beginNest(VSERVER_A_DEVICES);
  for (size_t i = 0; i < rules.size(); i++)
    putDeviceRule(request, static_cast<uint16_t>(i + 1), rules[i]);
  request.endNest(nest);
}

DeviceRule decodeDeviceRule(const nlattr* nest) {
  DeviceAttributes table;
  parseNestedAttributes(nest, kDeviceAttributeTypes.data(), table.data(), VSERVER_A_DEVICE_MAX);
  const uint32_t type = mnl_attr_get_u32(require(table, VSERVER_A_DEVICE_TYPE, "device type"));
  if (type != VSERVER_DEVICE_CHAR && type != VSERVER_DEVICE_BLOCK)
    throw Error(EPROTO, "unknown device type " + std::to_string(type) + " in netlink reply");
  DeviceRule rule;
  rule.type = static_cast<DeviceRule::Type>(type);
  rule.major = mnl_attr_get_u32(require(table, VSERVER_A_DEVICE_MAJOR, "device major"));
  if (table[VSERVER_A_DEVICE_MINOR]) rule.minor = mnl_attr_get_u32(table[VSERVER_A_DEVICE_MINOR]);
  rule.access = mnl_attr_get_u32(require(table, VSERVER_A_DEVICE_ACCESS, "device access"));
  return rule;
}

std::vector<DeviceRule> decodeDevices(const nlattr* nest) {
  std::vector<DeviceRule> rules;
  for (const nlattr* rule : nestedList(nest)) rules.push_back(decodeDeviceRule(rule));
  return rules;
}

// The network set: flags and capabilities always, so that what is sent is
// what is meant whatever the kernel's defaults; the loopback address when
// chosen; each address in order.
void putNetworkSet(GenlRequest& request, const std::optional<NetworkSet>& net) {
  if (!net) return;
  const size_t nest = request.beginNest(VSERVER_A_NET);
  request.putU64(VSERVER_A_NET_FLAGS, net->flags);
  request.putU64(VSERVER_A_NET_CAPS, net->caps);
  if (net->lback) request.putBytes(VSERVER_A_NET_LBACK, net->lback->bytes.data(), 4);
  for (const IpAddress& address : net->ipv4)
    request.putBytes(VSERVER_A_NET_ADDR4, address.bytes.data(), 4);
  for (const IpAddress& address : net->ipv6)
    request.putBytes(VSERVER_A_NET_ADDR6, address.bytes.data(), 16);
  request.endNest(nest);
}

// An address attribute of the family its type says; a wrong length is a
// malformed reply.
IpAddress decodeAddress(const nlattr* attr, size_t size, const char* what) {
  if (mnl_attr_get_payload_len(attr) != size)
    throw Error(EPROTO, std::string("malformed ") + what + " in netlink reply");
  return *ipAddressFromBytes(mnl_attr_get_payload(attr), size);
}

uint64_t decodeNetU64(const nlattr* attr, const char* what) {
  if (mnl_attr_validate(attr, MNL_TYPE_U64) < 0)
    throw Error(EPROTO, std::string("malformed ") + what + " in netlink reply");
  return mnl_attr_get_u64(attr);
}

// Read attribute by attribute rather than into a table: the addresses
// repeat, and their order matters.
NetworkSet decodeNetworkSet(const nlattr* nest) {
  NetworkSet net;
  const auto* payload = static_cast<const char*>(mnl_attr_get_payload(nest));
  const char* end = payload + mnl_attr_get_payload_len(nest);
  for (auto* attr = reinterpret_cast<const nlattr*>(payload);
       mnl_attr_ok(attr, static_cast<int>(end - reinterpret_cast<const char*>(attr)));
       attr = static_cast<const nlattr*>(mnl_attr_next(attr))) {
    switch (mnl_attr_get_type(attr)) {
      case VSERVER_A_NET_FLAGS:
        net.flags = decodeNetU64(attr, "network flags");
        break;
      case VSERVER_A_NET_CAPS:
        net.caps = decodeNetU64(attr, "network capabilities");
        break;
      case VSERVER_A_NET_LBACK:
        net.lback = decodeAddress(attr, 4, "loopback address");
        break;
      case VSERVER_A_NET_ADDR4:
        net.ipv4.push_back(decodeAddress(attr, 4, "IPv4 address"));
        break;
      case VSERVER_A_NET_ADDR6:
        net.ipv6.push_back(decodeAddress(attr, 16, "IPv6 address"));
        break;
      default:  // padding, and what a newer kernel adds
        break;
    }
  }
  return net;
}

// One nest per resource named, holding its hard limit: in a request the
// kernel takes nothing else.
void putLimits(GenlRequest& request, const HardLimits& limits) {
  if (limits.empty()) return;
  const size_t nest = request.beginNest(VSERVER_A_LIMITS);
  for (const auto& [resource, hard] : limits) {
    const size_t item = request.beginNest(static_cast<uint16_t>(resource));
    request.putU64(VSERVER_A_LIMIT_HARD, hard);
    request.endNest(item);
  }
  request.endNest(nest);
}

CountedLimit decodeLimit(const nlattr* nest) {
  LimitAttributes table;
  parseNestedAttributes(nest, kLimitAttributeTypes.data(), table.data(), VSERVER_A_LIMIT_ATTR_MAX);
  CountedLimit limit;
  limit.hard = mnl_attr_get_u64(require(table, VSERVER_A_LIMIT_HARD, "hard limit"));
  limit.current = mnl_attr_get_u64(require(table, VSERVER_A_LIMIT_CURRENT, "current use"));
  limit.held = mnl_attr_get_u64(require(table, VSERVER_A_LIMIT_HELD, "most held"));
  limit.hits = mnl_attr_get_u64(require(table, VSERVER_A_LIMIT_HITS, "limit hits"));
  return limit;
}

// A resource a newer kernel counts is skipped: this build cannot name it.
std::map<vserver_limit_resource, CountedLimit> decodeLimits(const nlattr* nest) {
  std::map<vserver_limit_resource, CountedLimit> limits;
  for (const nlattr* item : nestedList(nest)) {
    const uint16_t type = mnl_attr_get_type(item);
    if (type == VSERVER_LIMIT_UNSPEC || type > VSERVER_LIMIT_MAX) continue;
    limits[static_cast<vserver_limit_resource>(type)] = decodeLimit(item);
  }
  return limits;
}

}  // namespace

const char* countedResourceName(vserver_limit_resource resource) {
  return resource <= VSERVER_LIMIT_MAX ? kCountedResourceNames[resource] : nullptr;
}

std::optional<vserver_limit_resource> countedResourceOf(const std::string& name) {
  for (size_t i = 1; i < kCountedResourceNames.size(); i++)
    if (name == kCountedResourceNames[i]) return static_cast<vserver_limit_resource>(i);
  return std::nullopt;
}

std::vector<IpAddress> NetworkSet::addresses() const {
  std::vector<IpAddress> all = ipv4;
  all.insert(all.end(), ipv6.begin(), ipv6.end());
  return all;
}

bool NetworkSet::contains(const IpAddress& address) const {
  const auto& list = address.family == AF_INET ? ipv4 : ipv6;
  return std::find(list.begin(), list.end(), address) != list.end();
}

void NetworkSet::add(const IpAddress& address) {
  (address.family == AF_INET ? ipv4 : ipv6).push_back(address);
}

bool NetworkSet::remove(const IpAddress& address) {
  auto& list = address.family == AF_INET ? ipv4 : ipv6;
  const auto it = std::find(list.begin(), list.end(), address);
  if (it == list.end()) return false;
  list.erase(it);
  return true;
}

const char* exitReasonName(uint32_t reason) {
  switch (reason) {
    case VSERVER_EXIT_TASKS_GONE:
      return "exited";
    case VSERVER_EXIT_RESTART:
      return "restart";
    case VSERVER_EXIT_HALT:
      return "halt";
    case VSERVER_EXIT_POWER_OFF:
      return "poweroff";
    default:
      return "unknown";
  }
}

GenlRequest encodeContextCreate(uint16_t family, uint32_t xid, const std::string& name,
                                const ContextPolicy& policy) {
  GenlRequest request = makeRequest(family, VSERVER_CMD_CTX_CREATE);
  request.putU32(VSERVER_A_XID, xid);
  if (!name.empty()) request.putString(VSERVER_A_NAME, name);
  if (policy.flags) request.putU64(VSERVER_A_FLAGS, policy.flags);
  if (policy.bcaps) request.putU64(VSERVER_A_BCAPS, *policy.bcaps);
  if (policy.ccaps) request.putU64(VSERVER_A_CCAPS, policy.ccaps);
  putDevices(request, policy.devices);
  putNetworkSet(request, policy.net);
  putLimits(request, policy.limits);
  return request;
}

GenlRequest encodeContextSet(uint16_t family, uint32_t xid, const PolicyChange& change) {
  GenlRequest request = makeRequest(family, VSERVER_CMD_CTX_SET);
  request.putU32(VSERVER_A_XID, xid);
  putChange(request, VSERVER_A_FLAGS, VSERVER_A_FLAGS_MASK, change.flags);
  putChange(request, VSERVER_A_BCAPS, VSERVER_A_BCAPS_MASK, change.bcaps);
  putChange(request, VSERVER_A_CCAPS, VSERVER_A_CCAPS_MASK, change.ccaps);
  putNetworkSet(request, change.net);
  putLimits(request, change.limits);
  return request;
}

GenlRequest encodeContextKill(uint16_t family, uint32_t xid, int signal,
                              std::optional<pid_t> pid) {
  GenlRequest request = makeRequest(family, VSERVER_CMD_CTX_KILL);
  request.putU32(VSERVER_A_XID, xid);
  request.putU32(VSERVER_A_SIGNAL, static_cast<uint32_t>(signal));
  if (pid) request.putU32(VSERVER_A_PID, static_cast<uint32_t>(*pid));
  return request;
}

GenlRequest encodeContextMigrate(uint16_t family, uint32_t xid) {
  GenlRequest request = makeRequest(family, VSERVER_CMD_CTX_MIGRATE);
  request.putU32(VSERVER_A_XID, xid);
  return request;
}

GenlRequest encodeContextGet(uint16_t family, uint32_t xid) {
  GenlRequest request = makeRequest(family, VSERVER_CMD_CTX_GET);
  request.putU32(VSERVER_A_XID, xid);
  return request;
}

GenlRequest encodeContextDump(uint16_t family) {
  return makeRequest(family, VSERVER_CMD_CTX_GET, NLM_F_DUMP);
}

GenlRequest encodeTaskGet(uint16_t family, std::optional<pid_t> pid) {
  GenlRequest request = makeRequest(family, VSERVER_CMD_TASK_GET);
  if (pid) request.putU32(VSERVER_A_PID, static_cast<uint32_t>(*pid));
  return request;
}

GenlRequest encodeTaskDump(uint16_t family) {
  return makeRequest(family, VSERVER_CMD_TASK_GET, NLM_F_DUMP);
}

ContextInfo decodeContext(const nlmsghdr* nlh) {
  requireCommand(nlh, VSERVER_CMD_CTX_GET);
  const Attributes table = parse(nlh);
  ContextInfo info;
  info.xid = mnl_attr_get_u32(require(table, VSERVER_A_XID, "context id"));
  if (table[VSERVER_A_NAME]) info.name = mnl_attr_get_str(table[VSERVER_A_NAME]);
  info.tasks = mnl_attr_get_u32(require(table, VSERVER_A_TASKS, "task count"));
  info.uptimeNs = mnl_attr_get_u64(require(table, VSERVER_A_UPTIME_NS, "uptime"));
  info.flags = optionalU64(table, VSERVER_A_FLAGS);
  info.bcaps = optionalU64(table, VSERVER_A_BCAPS);
  info.ccaps = optionalU64(table, VSERVER_A_CCAPS);
  if (table[VSERVER_A_DEVICES]) info.devices = decodeDevices(table[VSERVER_A_DEVICES]);
  if (table[VSERVER_A_NET]) info.net = decodeNetworkSet(table[VSERVER_A_NET]);
  if (table[VSERVER_A_LIMITS]) info.limits = decodeLimits(table[VSERVER_A_LIMITS]);
  return info;
}

uint32_t decodeTaskXid(const nlmsghdr* nlh) {
  requireCommand(nlh, VSERVER_CMD_TASK_GET);
  return mnl_attr_get_u32(require(parse(nlh), VSERVER_A_XID, "context id"));
}

TaskContext decodeTaskContext(const nlmsghdr* nlh) {
  requireCommand(nlh, VSERVER_CMD_TASK_GET);
  const Attributes table = parse(nlh);
  const uint32_t pid = mnl_attr_get_u32(require(table, VSERVER_A_PID, "process id"));
  if (pid == 0 || pid > static_cast<uint32_t>(std::numeric_limits<pid_t>::max()))
    throw Error(EPROTO, "the kernel sent process id " + std::to_string(pid));
  return TaskContext{.pid = static_cast<pid_t>(pid),
                     .xid = mnl_attr_get_u32(require(table, VSERVER_A_XID, "context id")),
                     .startNs = table[VSERVER_A_START_NS]
                                    ? std::optional(mnl_attr_get_u64(table[VSERVER_A_START_NS]))
                                    : std::nullopt};
}

std::optional<ExitEvent> decodeExitEvent(const nlmsghdr* nlh) {
  if (commandOf(nlh) != VSERVER_CMD_CTX_EXIT) return std::nullopt;
  const Attributes table = parse(nlh);
  ExitEvent event;
  event.xid = mnl_attr_get_u32(require(table, VSERVER_A_XID, "context id"));
  if (table[VSERVER_A_NAME]) event.name = mnl_attr_get_str(table[VSERVER_A_NAME]);
  event.reason = mnl_attr_get_u32(require(table, VSERVER_A_EXIT_REASON, "exit reason"));
  return event;
}

}  // namespace vs
