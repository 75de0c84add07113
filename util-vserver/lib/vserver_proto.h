// The vserver generic netlink protocol (kmod/include/uapi/linux/vserver.h):
// requests and replies as plain data, encoded and decoded without a socket.
#pragma once

#include <linux/netlink.h>
#include <linux/vserver.h>
#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>

#include "genl_message.h"

namespace vs {

// A context as the kernel describes it.
struct ContextInfo {
  uint32_t xid = 0;
  std::string name;  // empty when the context has none
  uint32_t tasks = 0;
  uint64_t uptimeNs = 0;
};

// Requests; family is the id resolved at run time.
GenlRequest encodeContextCreate(uint16_t family, uint32_t xid, const std::string& name);
GenlRequest encodeContextMigrate(uint16_t family, uint32_t xid);
GenlRequest encodeContextGet(uint16_t family, uint32_t xid);
GenlRequest encodeContextDump(uint16_t family);
GenlRequest encodeTaskGet(uint16_t family, std::optional<pid_t> pid);

// Replies; a malformed reply throws Error(EPROTO).
ContextInfo decodeContext(const nlmsghdr* nlh);
uint32_t decodeTaskXid(const nlmsghdr* nlh);

}  // namespace vs
