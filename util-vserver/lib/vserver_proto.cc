#include "vserver_proto.h"

#include <linux/genetlink.h>

#include <array>
#include <cerrno>

#include "error.h"

namespace vs {

namespace {

GenlRequest makeRequest(uint16_t family, uint8_t cmd, uint16_t flags = 0) {
  return GenlRequest(family, cmd, VSERVER_GENL_VERSION, flags);
}

// The type of every attribute the kernel may send back.
constexpr std::array<mnl_attr_data_type, VSERVER_A_MAX + 1> attributeTypes() {
  std::array<mnl_attr_data_type, VSERVER_A_MAX + 1> types{};
  types.fill(MNL_TYPE_UNSPEC);
  types[VSERVER_A_XID] = MNL_TYPE_U32;
  types[VSERVER_A_NAME] = MNL_TYPE_NUL_STRING;
  types[VSERVER_A_PID] = MNL_TYPE_U32;
  types[VSERVER_A_TASKS] = MNL_TYPE_U32;
  types[VSERVER_A_UPTIME_NS] = MNL_TYPE_U64;
  return types;
}

constexpr auto kAttributeTypes = attributeTypes();

using Attributes = std::array<const nlattr*, VSERVER_A_MAX + 1>;

Attributes parse(const nlmsghdr* nlh) {
  Attributes table;
  parseGenlAttributes(nlh, kAttributeTypes.data(), table.data(), VSERVER_A_MAX);
  return table;
}

const nlattr* require(const Attributes& table, int type, const char* what) {
  if (!table[type]) throw Error(EPROTO, std::string("netlink reply lacks the ") + what);
  return table[type];
}

}  // namespace

GenlRequest encodeContextCreate(uint16_t family, uint32_t xid, const std::string& name) {
  GenlRequest request = makeRequest(family, VSERVER_CMD_CTX_CREATE);
  request.putU32(VSERVER_A_XID, xid);
  if (!name.empty()) request.putString(VSERVER_A_NAME, name);
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

ContextInfo decodeContext(const nlmsghdr* nlh) {
  const Attributes table = parse(nlh);
  ContextInfo info;
  info.xid = mnl_attr_get_u32(require(table, VSERVER_A_XID, "context id"));
  if (table[VSERVER_A_NAME]) info.name = mnl_attr_get_str(table[VSERVER_A_NAME]);
  info.tasks = mnl_attr_get_u32(require(table, VSERVER_A_TASKS, "task count"));
  info.uptimeNs = mnl_attr_get_u64(require(table, VSERVER_A_UPTIME_NS, "uptime"));
  return info;
}

uint32_t decodeTaskXid(const nlmsghdr* nlh) {
  return mnl_attr_get_u32(require(parse(nlh), VSERVER_A_XID, "context id"));
}

}  // namespace vs
