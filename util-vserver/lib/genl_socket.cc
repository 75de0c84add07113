#include "genl_socket.h"

#include <linux/genetlink.h>
#include <poll.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>
#include <ctime>
#include <vector>

#include "error.h"

namespace vs {

KernelError::KernelError(int errnum, std::string kernelMessage)
    : Error(errnum, kernelMessage.empty() ? std::string(std::strerror(errnum))
                                          : kernelMessage + " (" + std::strerror(errnum) + ")"),
      kernelMessage_(std::move(kernelMessage)) {}

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
  uint32_t sequence = 0;  // 0: notifications, which carry no sequence number
};

int onData(const nlmsghdr* nlh, void* data) {
  auto* state = static_cast<TransactState*>(data);
  // libmnl lets a message with sequence number 0 (a notification) through
  // as if it answered us: it is no reply of ours, so it is set aside.
  if (nlh->nlmsg_seq != state->sequence) return MNL_CB_OK;
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

  TransactState state{&onReply, {}, seq};
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
      if (state.status.error) throw KernelError(-state.status.error, state.status.message);
      throwErrno("netlink reply");
    }
  }
}

namespace {

struct GroupAttributes {
  const nlattr* name = nullptr;
  const nlattr* id = nullptr;
};

int collectGroupAttribute(const nlattr* attr, void* data) {
  auto* group = static_cast<GroupAttributes*>(data);
  const uint16_t type = mnl_attr_get_type(attr);
  if (type == CTRL_ATTR_MCAST_GRP_NAME && mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) == 0)
    group->name = attr;
  if (type == CTRL_ATTR_MCAST_GRP_ID && mnl_attr_validate(attr, MNL_TYPE_U32) == 0)
    group->id = attr;
  return MNL_CB_OK;
}

// Reads one CTRL_ATTR_MCAST_GROUPS entry into the family.
int collectGroup(const nlattr* entry, void* data) {
  GroupAttributes group;
  mnl_attr_parse_nested(entry, collectGroupAttribute, &group);
  if (group.name && group.id)
    static_cast<GenlFamily*>(data)->multicastGroups[mnl_attr_get_str(group.name)] =
        mnl_attr_get_u32(group.id);
  return MNL_CB_OK;
}

}  // namespace

GenlFamily GenlSocket::resolveFamily(const std::string& name) {
  GenlRequest request(GENL_ID_CTRL, CTRL_CMD_GETFAMILY, 1, 0);
  request.putString(CTRL_ATTR_FAMILY_NAME, name);

  GenlFamily family;
  try {
    transact(request, [&family](const nlmsghdr* nlh) {
      static_assert(CTRL_ATTR_FAMILY_ID == 1 && CTRL_ATTR_FAMILY_NAME == 2 &&
                    CTRL_ATTR_VERSION == 3 && CTRL_ATTR_MCAST_GROUPS == 7);
      static const mnl_attr_data_type types[CTRL_ATTR_MCAST_GROUPS + 1] = {
          MNL_TYPE_UNSPEC, MNL_TYPE_U16,    MNL_TYPE_NUL_STRING, MNL_TYPE_U32,
          MNL_TYPE_UNSPEC, MNL_TYPE_UNSPEC, MNL_TYPE_UNSPEC,     MNL_TYPE_NESTED};
      const nlattr* table[CTRL_ATTR_MCAST_GROUPS + 1];
      parseGenlAttributes(nlh, types, table, CTRL_ATTR_MCAST_GROUPS);
      if (!table[CTRL_ATTR_FAMILY_ID] || !table[CTRL_ATTR_VERSION])
        throw Error(EPROTO, "incomplete generic netlink family reply");
      family.id = mnl_attr_get_u16(table[CTRL_ATTR_FAMILY_ID]);
      family.version = mnl_attr_get_u32(table[CTRL_ATTR_VERSION]);
      if (table[CTRL_ATTR_MCAST_GROUPS])
        mnl_attr_parse_nested(table[CTRL_ATTR_MCAST_GROUPS], collectGroup, &family);
    });
  } catch (const Error& e) {
    if (e.errnum() == ENOENT)
      throw Error(ENOENT, "generic netlink family '" + name + "' not found");
    throw;
  }
  return family;
}

void GenlSocket::joinGroup(uint32_t group) {
  int id = static_cast<int>(group);
  if (mnl_socket_setsockopt(socket_.get(), NETLINK_ADD_MEMBERSHIP, &id, sizeof(id)) < 0)
    throwErrno("join netlink multicast group");
}

bool GenlSocket::receive(int timeoutMs, const ReplyHandler& onMessage) {
  pollfd pfd{mnl_socket_get_fd(socket_.get()), POLLIN, 0};
  int ready;
  do {
    ready = poll(&pfd, 1, timeoutMs);
  } while (ready < 0 && errno == EINTR);
  if (ready < 0) throwErrno("poll netlink socket");
  if (ready == 0) return false;

  std::vector<char> buffer(MNL_SOCKET_BUFFER_SIZE);
  const ssize_t len = mnl_socket_recvfrom(socket_.get(), buffer.data(), buffer.size());
  if (len < 0) throwErrno("netlink receive");
  TransactState state{&onMessage, {}};
  // Notifications carry sequence number and port id 0.
  if (mnl_cb_run(buffer.data(), len, 0, 0, onData, &state) < 0) throwErrno("netlink notification");
  return true;
}

}  // namespace vs
