#include "vserver_client.h"

#include <cerrno>

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

void VserverClient::createContext(uint32_t xid, const std::string& name) {
  GenlRequest request = encodeContextCreate(family_.id, xid, name);
  withContext("create context " + std::to_string(xid),
              [&] { socket_.transact(request, [](const nlmsghdr*) {}); });
}

void VserverClient::migrate(uint32_t xid) {
  GenlRequest request = encodeContextMigrate(family_.id, xid);
  withContext("enter context " + std::to_string(xid),
              [&] { socket_.transact(request, [](const nlmsghdr*) {}); });
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

}  // namespace vs
