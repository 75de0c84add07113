#include "genl_socket.h"

#include <linux/genetlink.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>
#include <ctime>
#include <vector>

#include "error.h"

namespace vs {

GenlSocket::GenlSocket()
    // Close-on-exec: tools exec guest programs, which must not inherit it.
    : socket_(mnl_socket_open2(NETLINK_GENERIC, SOCK_CLOEXEC)),
      sequence_(static_cast<uint32_t>(time(nullptr))) {
  if (!socket_) throwErrno("netlink socket");
  if (mnl_socket_bind(socket_.get(), 0, MNL_SOCKET_AUTOPID) < 0) throwErrno("netlink bind");
  portId_ = mnl_socket_get_portid(socket_.get());
  // Without this the kernel's explanation of an error is dropped.
  int on = 1;
  if (mnl_socket_setsockopt(socket_.get(), NETLINK_EXT_ACK, &on, sizeof(on)) < 0)
    throwErrno("netlink extended ack");
}

namespace {

struct TransactState {
  const GenlSocket::ReplyHandler* onReply;
  NetlinkStatus status;
};

int onData(const nlmsghdr* nlh, void* data) {
  auto* state = static_cast<TransactState*>(data);
  (*state->onReply)(nlh);
  return MNL_CB_OK;
}

int onError(const nlmsghdr* nlh, void* data) {
  auto* state = static_cast<TransactState*>(data);
  state->status = parseNetlinkStatus(nlh);
  return state->status.error ? MNL_CB_ERROR : MNL_CB_STOP;
}

int onDone(const nlmsghdr* nlh, void* data) {
  auto* state = static_cast<TransactState*>(data);
  state->status = parseDumpDone(nlh);
  return state->status.error ? MNL_CB_ERROR : MNL_CB_STOP;
}

int onOverrun(const nlmsghdr*, void*) {
  errno = ENOBUFS;
  return MNL_CB_ERROR;
}

}  // namespace

void GenlSocket::transact(GenlRequest& request, const ReplyHandler& onReply) {
  const uint32_t seq = ++sequence_;
  request.setSequence(seq);
  request.header()->nlmsg_flags |= NLM_F_ACK;
  if (mnl_socket_sendto(socket_.get(), request.data(), request.size()) < 0)
    throwErrno("netlink send");

  TransactState state{&onReply, {}};
  // With a control array, libmnl ignores the types left NULL in it rather
  // than falling back to its defaults: every type that ends a transaction
  // must be here.
  mnl_cb_t controlCallbacks[NLMSG_MIN_TYPE] = {};
  controlCallbacks[NLMSG_ERROR] = onError;
  controlCallbacks[NLMSG_DONE] = onDone;
  controlCallbacks[NLMSG_OVERRUN] = onOverrun;
  std::vector<char> buffer(MNL_SOCKET_BUFFER_SIZE);
  for (;;) {
    const ssize_t len = mnl_socket_recvfrom(socket_.get(), buffer.data(), buffer.size());
    if (len < 0) throwErrno("netlink receive");
    const int ret = mnl_cb_run2(buffer.data(), len, seq, portId_, onData, &state,
                                controlCallbacks, NLMSG_MIN_TYPE);
    if (ret == MNL_CB_STOP) return;
    if (ret == MNL_CB_ERROR) {
      if (state.status.error) {
        const int errnum = -state.status.error;
        throw Error(errnum, state.status.message.empty()
                                ? std::string(std::strerror(errnum))
                                : state.status.message + " (" + std::strerror(errnum) + ")");
      }
      throwErrno("netlink reply");
    }
  }
}

GenlFamily GenlSocket::resolveFamily(const std::string& name) {
  GenlRequest request(GENL_ID_CTRL, CTRL_CMD_GETFAMILY, 1, 0);
  request.putString(CTRL_ATTR_FAMILY_NAME, name);

  GenlFamily family;
  try {
    transact(request, [&family](const nlmsghdr* nlh) {
      static_assert(CTRL_ATTR_FAMILY_ID == 1 && CTRL_ATTR_FAMILY_NAME == 2 &&
                    CTRL_ATTR_VERSION == 3);
      static const mnl_attr_data_type types[CTRL_ATTR_VERSION + 1] = {
          MNL_TYPE_UNSPEC, MNL_TYPE_U16, MNL_TYPE_NUL_STRING, MNL_TYPE_U32};
      const nlattr* table[CTRL_ATTR_VERSION + 1];
      parseGenlAttributes(nlh, types, table, CTRL_ATTR_VERSION);
      if (!table[CTRL_ATTR_FAMILY_ID] || !table[CTRL_ATTR_VERSION])
        throw Error(EPROTO, "incomplete generic netlink family reply");
      family.id = mnl_attr_get_u16(table[CTRL_ATTR_FAMILY_ID]);
      family.version = mnl_attr_get_u32(table[CTRL_ATTR_VERSION]);
    });
  } catch (const Error& e) {
    if (e.errnum() == ENOENT)
      throw Error(ENOENT, "generic netlink family '" + name + "' not found");
    throw;
  }
  return family;
}

}  // namespace vs
