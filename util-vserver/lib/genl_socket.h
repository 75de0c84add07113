// A generic netlink socket (libmnl) that sends one request at a time and
// collects its replies.
#pragma once

#include <libmnl/libmnl.h>
#include <linux/netlink.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "genl_message.h"

namespace vs {

struct GenlFamily {
  uint16_t id = 0;
  uint32_t version = 0;
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
  void transact(GenlRequest& request, const ReplyHandler& onReply);

 private:
  struct Closer {
    void operator()(mnl_socket* sock) const { mnl_socket_close(sock); }
  };
  std::unique_ptr<mnl_socket, Closer> socket_;
  uint32_t portId_ = 0;
  uint32_t sequence_;
};

}  // namespace vs
