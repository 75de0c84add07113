// A generic netlink socket (libmnl) that sends one request at a time and
// collects its replies.
#pragma once

#include <libmnl/libmnl.h>
#include <linux/netlink.h>

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>

#include "error.h"
#include "genl_message.h"

namespace vs {

struct GenlFamily {
  uint16_t id = 0;
  uint32_t version = 0;
  std::map<std::string, uint32_t> multicastGroups;  // name to group id
};

// An error the kernel answered with; kernelMessage() is its extended-ack
// text, empty when it gave none.
class KernelError : public Error {
 public:
  KernelError(int errnum, std::string kernelMessage);

  const std::string& kernelMessage() const { return kernelMessage_; }

 private:
  std::string kernelMessage_;
};

class GenlSocket {
 public:
  using ReplyHandler = std::function<void(const nlmsghdr*)>;

  // Opens and binds the socket, with extended acks enabled.
  GenlSocket();

  // Looks a family up by name; throws Error(ENOENT) if the kernel has none.
  GenlFamily resolveFamily(const std::string& name);

  // Sends request with a fresh sequence number and NLM_F_ACK, and passes
  // every reply message to onReply until the acknowledgement (or the end
  // of a dump).  A kernel error throws Error(errno, text), where the text
  // is the kernel's extended-ack message or, failing that, strerror.
  // Messages not carrying the request's sequence number (notifications of
  // a group this socket joined) are skipped: keep requests and groups on
  // separate sockets.
  void transact(GenlRequest& request, const ReplyHandler& onReply);

  // Joins a multicast group of a family.
  void joinGroup(uint32_t group);

  // Waits up to timeoutMs (-1: forever) for messages sent to the groups
  // joined, passing each to onMessage; returns false on time-out.
  bool receive(int timeoutMs, const ReplyHandler& onMessage);

  // The descriptor, to poll for group messages alongside other things.
  int fd() const { return mnl_socket_get_fd(socket_.get()); }

 private:
  struct Closer {
    void operator()(mnl_socket* sock) const { mnl_socket_close(sock); }
  };
  std::unique_ptr<mnl_socket, Closer> socket_;
  uint32_t portId_ = 0;
  uint32_t sequence_;
};

}  // namespace vs
