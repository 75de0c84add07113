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
  void createContext(uint32_t xid, const std::string& name);

  // Moves the calling process into an existing context (1: the spectator).
  void migrate(uint32_t xid);

  ContextInfo context(uint32_t xid);
  std::vector<ContextInfo> contexts();

  // The context of process pid, or of the caller when pid is empty.
  uint32_t taskXid(std::optional<pid_t> pid = std::nullopt);

  uint32_t protocolVersion() const { return family_.version; }

 private:
  GenlSocket socket_;
  GenlFamily family_;
};

}  // namespace vs
