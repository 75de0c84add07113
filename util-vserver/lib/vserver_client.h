// The vserver module's generic netlink family, as calls.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "genl_socket.h"
#include "vserver_proto.h"

namespace vs {

class VserverClient {
 public:
  // Connects and looks the family up; without the module loaded this
  // throws an Error saying so and how to fix it.
  VserverClient();

  // Creates context xid, named name (may be empty), and moves the calling
  // process into it.  The caller must be single-threaded.
  void createContext(uint32_t xid, const std::string& name, const ContextPolicy& policy = {});

  // Moves the calling process into an existing context (1: the spectator).
  void migrate(uint32_t xid);

  ContextInfo context(uint32_t xid);
  std::vector<ContextInfo> contexts();

  // The context of process pid, or of the caller when pid is empty.
  uint32_t taskXid(std::optional<pid_t> pid = std::nullopt);

  // Changes a context's flags and capability sets.
  void setPolicy(uint32_t xid, const PolicyChange& change);

  // Signals every process of a context, or only process pid of it.
  void kill(uint32_t xid, int signal, std::optional<pid_t> pid = std::nullopt);

  // Joins the context notifications; call before checking a context still
  // exists, then waitForExit().
  void watchExits();

  // Waits up to timeoutMs (-1: forever) for context xid to end; returns
  // its notification, or nothing on time-out.
  std::optional<ExitEvent> waitForExit(uint32_t xid, int timeoutMs);

  // Readable when notifications wait: drain them with waitForExit(xid, 0)
  // so that the socket's buffer never overflows and loses one.
  int eventFd() const { return socket_.fd(); }

  uint32_t protocolVersion() const { return family_.version; }

 private:
  GenlSocket socket_;
  GenlFamily family_;
};

}  // namespace vs
