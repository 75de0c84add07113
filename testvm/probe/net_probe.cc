// vstest network: what a guest confined to a network set (VSERVER_A_NET,
// see kmod/include/uapi/linux/vserver.h) may do on the host's shared
// network stack, seen from an attacker's side.  Every refusal comes with a
// control: the same call succeeding on the host, in an unconfined guest,
// or on the guest's own address.
//
// The probe builds its own test network: vsnet0 carries the host's
// 10.70.0.1 and 10.70.0.5 and every guest address; vsnet1 carries only
// the host's 10.71.0.1.  Three servers run for the whole probe, the host's
// and those of guests A (two addresses of each family, hide_netif) and B
// (one of each, an explicit loopback address), each logging every token it
// receives; a check sends a token and asks every server who got it.
//
// The network set is encoded here (putNetSet), apart from vserver_proto's
// encoder, so that the probe can send what the library refuses to build
// (bad addresses, duplicates) and a bug in the encoder cannot hide the
// same bug in the module's parser.
#include <arpa/inet.h>
#include <fcntl.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <netinet/icmp6.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/ip_icmp.h>
#include <netinet/udp.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <libmnl/libmnl.h>
#include <linux/capability.h>
#include <linux/ethtool_netlink.h>
#include <linux/fib_rules.h>
#include <linux/genetlink.h>
#include <linux/if_addr.h>
#include <linux/if_bridge.h>
#include <linux/if_ether.h>
#include <linux/if_link.h>
#include <linux/inet_diag.h>
#include <linux/ipv6.h>
#include <linux/mptcp.h>
#include <linux/net_tstamp.h>
#include <linux/netconf.h>
#include <linux/netlink.h>
#include <linux/netlink_diag.h>
#include <linux/nexthop.h>
#include <linux/packet_diag.h>
#include <linux/pkt_cls.h>
#include <linux/pkt_sched.h>
#include <linux/neighbour.h>
#include <linux/rtnetlink.h>
#include <linux/sock_diag.h>
#include <linux/tcp_metrics.h>
#include <linux/unix_diag.h>
#include <linux/veth.h>
#include <linux/vserver.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <tuple>
#include <utility>
#include <vector>

#include "error.h"
#include "genl_socket.h"
#include "network.h"
#include "network_namespace.h"
#include "probe.h"
#include "unique_fd.h"
#include "vserver_client.h"
#include "vserver_proto.h"

namespace probe {

namespace {

using vs::GenlRequest;

// Context ids (the suite leaves 6500-6599 to this probe).
constexpr uint32_t kXidA = 6501;        // two addresses per family, hide_netif
constexpr uint32_t kXidB = 6502;        // one address per family, explicit lback
constexpr uint32_t kXidAdmin = 6503;    // every capability in its bounding set
constexpr uint32_t kXidSingle = 6504;   // single_ip
constexpr uint32_t kXidReplace = 6505;  // its set replaced while it runs
constexpr uint32_t kXidNoNcap = 6506;   // CAP_NET_RAW, no ncap
constexpr uint32_t kXidRawIcmp = 6507;  // CAP_NET_RAW, raw_icmp
constexpr uint32_t kXidRaw = 6508;      // CAP_NET_RAW, raw
constexpr uint32_t kXidNoCapRaw = 6509; // raw_icmp without CAP_NET_RAW
constexpr uint32_t kXidUnconfined = 6510;  // CAP_NET_RAW, no network set
constexpr uint32_t kXidLback = 6511;    // holds lback 127.9.9.9
constexpr uint32_t kXidSetup = 6512;    // created in the setup state
constexpr uint32_t kXidOwnNet = 6513;   // CAP_NET_ADMIN, a network namespace of its own
constexpr uint32_t kXidShareC = 6514;   // shares 10.70.0.6 with D, owns 10.70.0.7
constexpr uint32_t kXidShareD = 6515;   // shares 10.70.0.6 with C, owns 10.70.0.8
constexpr uint32_t kXidRemoved = 6516;  // loses 10.70.0.10 and fd70::a, bound to them
constexpr uint32_t kXidNewOwner = 6517; // gets 10.70.0.10 and fd70::a after 6516 lost them
constexpr uint32_t kXidPort = 6518;     // hide_netif, 10.75.0.2 on vsv0 (a port of vsbr2)
constexpr uint32_t kXidPortAfter = 6519; // as 6518, after the host looked vsv0's sysfs links up
constexpr uint32_t kXidValid = 6520;    // validation: creates that must work
constexpr uint32_t kXidInvalid = 6521;  // validation: creates that must fail
constexpr uint32_t kXidWatch = 6522;    // every capability in its bounding set, no network set
constexpr uint32_t kXidBridge = 6523;   // hide_netif, 10.75.1.2 on the bridge vsbr3, 10.75.1.3 on its port vsv4
constexpr uint32_t kXidBackup = 6524;   // as 6518, vsv0's backup port vsv1 set
constexpr uint32_t kXidForeignPeer = 6525;  // hide_netif, 10.75.0.2 on vsv0, its peer in another namespace
constexpr uint32_t kXidLateSet = 6526;  // sealed without a set, then given one: refused
constexpr uint32_t kXidLateRaw = 6527;  // sealed with the raw ncap, then without it: refused

// The default loopback address of A: 127.1.(6501 / 256).(6501 % 256).
const std::string kLbackA = "127.1." + std::to_string(kXidA / 256) + "." + std::to_string(kXidA % 256);
const std::string kLbackB = "127.5.6.7";

const std::vector<std::string> kAddrsA = {"10.70.0.2", "10.70.0.3", "fd70::2", "fd70::3"};
const std::vector<std::string> kAddrsB = {"10.70.0.4", "fd70::4"};

uint64_t bit(int cap) { return uint64_t{1} << cap; }

// --- addresses ---

struct Address {
  sockaddr_storage storage{};
  socklen_t length = 0;

  int family() const { return storage.ss_family; }
  const sockaddr* get() const { return reinterpret_cast<const sockaddr*>(&storage); }
};

// text is an IPv4 or IPv6 address; scope an interface index for IPv6.
Address makeAddress(const std::string& text, uint16_t port, uint32_t scope = 0) {
  Address a;
  if (text.find(':') == std::string::npos) {
    auto* in = reinterpret_cast<sockaddr_in*>(&a.storage);
    in->sin_family = AF_INET;
    in->sin_port = htons(port);
    inet_pton(AF_INET, text.c_str(), &in->sin_addr);
    a.length = sizeof(sockaddr_in);
  } else {
    auto* in6 = reinterpret_cast<sockaddr_in6*>(&a.storage);
    in6->sin6_family = AF_INET6;
    in6->sin6_port = htons(port);
    in6->sin6_scope_id = scope;
    inet_pton(AF_INET6, text.c_str(), &in6->sin6_addr);
    a.length = sizeof(sockaddr_in6);
  }
  return a;
}

// The address part of a socket address, as inet_ntop writes it.
std::string hostOf(const sockaddr* sa) {
  char text[INET6_ADDRSTRLEN] = "?";
  if (sa->sa_family == AF_INET)
    inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in*>(sa)->sin_addr, text, sizeof(text));
  else if (sa->sa_family == AF_INET6)
    inet_ntop(AF_INET6, &reinterpret_cast<const sockaddr_in6*>(sa)->sin6_addr, text,
              sizeof(text));
  return text;
}

// The host part of a v4-mapped IPv6 address, else the address itself.
std::string unmapped(const std::string& text) {
  return text.rfind("::ffff:", 0) == 0 && text.find('.') != std::string::npos ? text.substr(7)
                                                                                : text;
}

std::string localHost(int fd) {
  sockaddr_storage ss{};
  socklen_t len = sizeof(ss);
  if (getsockname(fd, reinterpret_cast<sockaddr*>(&ss), &len) != 0) return "error";
  return hostOf(reinterpret_cast<sockaddr*>(&ss));
}

std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (const std::string& item : items) out += (out.empty() ? "" : " ") + item;
  return out;
}

bool contains(const std::vector<std::string>& items, const std::string& item) {
  return std::find(items.begin(), items.end(), item) != items.end();
}

int familyOf(const std::string& text) {
  return text.find(':') == std::string::npos ? AF_INET : AF_INET6;
}

// --- the vserver family, with the network set encoded here ---

struct NetSet {
  uint64_t flags = 0;
  uint64_t caps = 0;
  std::optional<std::string> lback;
  std::vector<std::string> addrs;  // IPv4 and IPv6, in order
};

void putNetSet(GenlRequest& r, const NetSet& net) {
  const size_t nest = r.beginNest(VSERVER_A_NET);
  if (net.flags) r.putU64(VSERVER_A_NET_FLAGS, net.flags);
  if (net.caps) r.putU64(VSERVER_A_NET_CAPS, net.caps);
  if (net.lback) {
    in_addr lback{};
    inet_pton(AF_INET, net.lback->c_str(), &lback);
    mnl_attr_put(r.header(), VSERVER_A_NET_LBACK, sizeof(lback), &lback);
  }
  for (const std::string& text : net.addrs) {
    if (familyOf(text) == AF_INET) {
      in_addr a{};
      inet_pton(AF_INET, text.c_str(), &a);
      mnl_attr_put(r.header(), VSERVER_A_NET_ADDR4, sizeof(a), &a);
    } else {
      in6_addr a{};
      inet_pton(AF_INET6, text.c_str(), &a);
      mnl_attr_put(r.header(), VSERVER_A_NET_ADDR6, sizeof(a), &a);
    }
  }
  r.endNest(nest);
}

class Family {
 public:
  Family() : family_(socket_.resolveFamily(VSERVER_GENL_NAME)) {}

  uint16_t id() const { return family_.id; }

  // 0 or the errno of the kernel's answer; its extended-ack text to message.
  int send(GenlRequest& request, std::string* message = nullptr) {
    try {
      socket_.transact(request, [](const nlmsghdr*) {});
      return 0;
    } catch (const vs::Error& e) {
      if (message) *message = e.what();
      return e.errnum() ? e.errnum() : EPROTO;
    }
  }

  GenlRequest create(uint32_t xid, const std::string& name, const vs::ContextPolicy& policy,
                     const std::optional<NetSet>& net) const {
    GenlRequest r = vs::encodeContextCreate(family_.id, xid, name, policy);
    if (net) putNetSet(r, *net);
    return r;
  }

  GenlRequest setNet(uint32_t xid, const NetSet& net) const {
    GenlRequest r(family_.id, VSERVER_CMD_CTX_SET, VSERVER_GENL_VERSION, 0);
    r.putU32(VSERVER_A_XID, xid);
    putNetSet(r, net);
    return r;
  }

 private:
  vs::GenlSocket socket_;
  vs::GenlFamily family_;
};

// Creates a context confined to net (none: unconfined) and moves the caller
// into it: 0 or the errno.
int createContext(uint32_t xid, const std::string& name, const vs::ContextPolicy& policy,
                  const std::optional<NetSet>& net) {
  try {
    Family family;
    GenlRequest r = family.create(xid, name, policy, net);
    std::string message;
    const int err = family.send(r, &message);
    if (err) std::printf("# create context %u: %s\n", xid, message.c_str());
    return err;
  } catch (const vs::Error& e) {
    std::printf("# create context %u: %s\n", xid, e.what());
    return e.errnum() ? e.errnum() : EINVAL;
  }
}

int setNetSet(uint32_t xid, const NetSet& net) {
  try {
    Family family;
    GenlRequest r = family.setNet(xid, net);
    return family.send(r);
  } catch (const vs::Error& e) {
    return e.errnum() ? e.errnum() : EINVAL;
  }
}

vs::ContextPolicy policyWith(uint64_t bcaps, uint64_t ccaps = 0, uint64_t flags = 0) {
  vs::ContextPolicy policy;
  policy.bcaps = bcaps;
  policy.ccaps = ccaps;
  policy.flags = flags;
  return policy;
}

// Runs fn in a child in a new context; a failed create is a failed check.
void inNewGuest(uint32_t xid, const std::string& name, const vs::ContextPolicy& policy,
                const std::optional<NetSet>& net, const std::function<void()>& fn) {
  inChild([&] {
    const int err = createContext(xid, name, policy, net);
    report(err == 0, "create context " + std::to_string(xid) + " (" + name + ")",
           errnoName(err));
    if (err == 0) fn();
  });
}

// Runs fn in a child moved into an existing context.
void inGuest(uint32_t xid, const std::function<void()>& fn) {
  inChild([&] {
    try {
      vs::VserverClient().migrate(xid);
    } catch (const vs::Error& e) {
      report(false, "enter context " + std::to_string(xid), e.what());
      return;
    }
    fn();
  });
}

// Calls fn for each attribute of nlh after offset bytes of payload.
void forEachAttribute(const nlmsghdr* nlh, size_t offset,
                      const std::function<void(const nlattr*)>& fn) {
  mnl_attr_parse(
      nlh, static_cast<unsigned int>(offset),
      [](const nlattr* attr, void* data) {
        (*static_cast<const std::function<void(const nlattr*)>*>(data))(attr);
        return MNL_CB_OK;
      },
      const_cast<std::function<void(const nlattr*)>*>(&fn));
}

void forEachNested(const nlattr* nest, const std::function<void(const nlattr*)>& fn) {
  mnl_attr_parse_nested(
      nest,
      [](const nlattr* attr, void* data) {
        (*static_cast<const std::function<void(const nlattr*)>*>(data))(attr);
        return MNL_CB_OK;
      },
      const_cast<std::function<void(const nlattr*)>*>(&fn));
}

// --- rtnetlink ---

class Rtnl {
 public:
  explicit Rtnl(int bus = NETLINK_ROUTE) : socket_(mnl_socket_open(bus)) {
    if (!socket_ || mnl_socket_bind(socket_, 0, MNL_SOCKET_AUTOPID) != 0)
      throw vs::Error(errno, "netlink socket");
    portId_ = mnl_socket_get_portid(socket_);
  }
  ~Rtnl() { mnl_socket_close(socket_); }
  Rtnl(const Rtnl&) = delete;
  Rtnl& operator=(const Rtnl&) = delete;

  // Dump requests are checked strictly: only then do address and route
  // dumps take their filters (an interface index), which they otherwise
  // ignore.
  void strict() {
    int on = 1;
    if (mnl_socket_setsockopt(socket_, NETLINK_GET_STRICT_CHK, &on, sizeof(on)) != 0)
      throw vs::Error(errno, "NETLINK_GET_STRICT_CHK");
  }

  nlmsghdr* start(uint16_t type, uint16_t flags) {
    nlmsghdr* nlh = mnl_nlmsg_put_header(buffer_);
    nlh->nlmsg_type = type;
    nlh->nlmsg_flags = NLM_F_REQUEST | flags;
    nlh->nlmsg_seq = ++sequence_;
    return nlh;
  }

  // Sends nlh and passes each reply to onReply; 0 or the errno.
  int run(nlmsghdr* nlh, const std::function<void(const nlmsghdr*)>& onReply = {}) {
    if (mnl_socket_sendto(socket_, nlh, nlh->nlmsg_len) < 0) return errno;
    const uint32_t seq = nlh->nlmsg_seq;
    std::vector<char> reply(1 << 16);
    for (;;) {
      const ssize_t n = mnl_socket_recvfrom(socket_, reply.data(), reply.size());
      if (n < 0) return errno;
      if (const int err = doneErrno(reply.data(), n)) return err;
      Callback data{&onReply};
      const int ret = mnl_cb_run(reply.data(), n, seq, portId_, callback, &data);
      if (ret < 0) return errno;
      if (ret == MNL_CB_STOP) return 0;
    }
  }

 private:
  struct Callback {
    const std::function<void(const nlmsghdr*)>* onReply;
  };
  // A dump that fails once started says so in its NLMSG_DONE, which
  // libmnl takes as success: the errno there, or 0.
  static int doneErrno(const char* buffer, ssize_t size) {
    int remaining = static_cast<int>(size);
    for (auto* nlh = reinterpret_cast<const nlmsghdr*>(buffer); mnl_nlmsg_ok(nlh, remaining);
         nlh = mnl_nlmsg_next(nlh, &remaining)) {
      int error = 0;
      if (nlh->nlmsg_type == NLMSG_DONE && nlh->nlmsg_len >= mnl_nlmsg_size(sizeof(error)))
        std::memcpy(&error, mnl_nlmsg_get_payload(nlh), sizeof(error));
      if (error < 0) return -error;
    }
    return 0;
  }

  static int callback(const nlmsghdr* nlh, void* data) {
    const auto* cb = static_cast<Callback*>(data);
    if (*cb->onReply) (*cb->onReply)(nlh);
    return MNL_CB_OK;
  }

  mnl_socket* socket_;
  uint32_t portId_ = 0;
  uint32_t sequence_ = 1000;
  alignas(nlmsghdr) char buffer_[8192];
};

// Creates link name of kind; kindData, if given, puts the kind's own
// attributes (IFLA_INFO_DATA): 0 or the errno.
int addLink(const std::string& name, const char* kind = "dummy",
            const std::function<void(nlmsghdr*)>& kindData = {}) {
  Rtnl rtnl;
  nlmsghdr* nlh = rtnl.start(RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL | NLM_F_ACK);
  auto* ifm = static_cast<ifinfomsg*>(mnl_nlmsg_put_extra_header(nlh, sizeof(ifinfomsg)));
  ifm->ifi_family = AF_UNSPEC;
  mnl_attr_put_strz(nlh, IFLA_IFNAME, name.c_str());
  nlattr* info = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
  mnl_attr_put_strz(nlh, IFLA_INFO_KIND, kind);
  if (kindData) {
    nlattr* data = mnl_attr_nest_start(nlh, IFLA_INFO_DATA);
    kindData(nlh);
    mnl_attr_nest_end(nlh, data);
  }
  mnl_attr_nest_end(nlh, info);
  return rtnl.run(nlh);
}

// Creates a veth pair name and peer, the peer in the namespace of the
// descriptor peerNetns (in ours when negative): 0 or the errno.
int addVethWithPeerIn(const std::string& name, const std::string& peer, int peerNetns) {
  return addLink(name, "veth", [&](nlmsghdr* nlh) {
    nlattr* peerInfo = mnl_attr_nest_start(nlh, VETH_INFO_PEER);
    static_cast<ifinfomsg*>(mnl_nlmsg_put_extra_header(nlh, sizeof(ifinfomsg)))->ifi_family =
        AF_UNSPEC;
    mnl_attr_put_strz(nlh, IFLA_IFNAME, peer.c_str());
    if (peerNetns >= 0) mnl_attr_put_u32(nlh, IFLA_NET_NS_FD, static_cast<uint32_t>(peerNetns));
    mnl_attr_nest_end(nlh, peerInfo);
  });
}

// Sets one u32 attribute of link (RTM_NEWLINK without create).
int changeLink(const std::string& link, uint16_t type, uint32_t value) {
  Rtnl rtnl;
  nlmsghdr* nlh = rtnl.start(RTM_NEWLINK, NLM_F_ACK);
  auto* ifm = static_cast<ifinfomsg*>(mnl_nlmsg_put_extra_header(nlh, sizeof(ifinfomsg)));
  ifm->ifi_family = AF_UNSPEC;
  ifm->ifi_index = static_cast<int>(if_nametoindex(link.c_str()));
  mnl_attr_put_u32(nlh, type, value);
  return rtnl.run(nlh);
}

// Makes link a port of master.
int setMaster(const std::string& link, const std::string& master) {
  return changeLink(link, IFLA_MASTER, if_nametoindex(master.c_str()));
}

int deleteLink(const std::string& name) {
  Rtnl rtnl;
  nlmsghdr* nlh = rtnl.start(RTM_DELLINK, NLM_F_ACK);
  auto* ifm = static_cast<ifinfomsg*>(mnl_nlmsg_put_extra_header(nlh, sizeof(ifinfomsg)));
  ifm->ifi_family = AF_UNSPEC;
  mnl_attr_put_strz(nlh, IFLA_IFNAME, name.c_str());
  return rtnl.run(nlh);
}

int setLinkUp(const std::string& name, bool up) {
  Rtnl rtnl;
  nlmsghdr* nlh = rtnl.start(RTM_NEWLINK, NLM_F_ACK);
  auto* ifm = static_cast<ifinfomsg*>(mnl_nlmsg_put_extra_header(nlh, sizeof(ifinfomsg)));
  ifm->ifi_family = AF_UNSPEC;
  ifm->ifi_index = static_cast<int>(if_nametoindex(name.c_str()));
  ifm->ifi_change = IFF_UP;
  ifm->ifi_flags = up ? IFF_UP : 0;
  return rtnl.run(nlh);
}

// Puts the address text (IPv4 or IPv6) as attribute type.
void putAddressAttribute(nlmsghdr* nlh, uint16_t type, const std::string& text) {
  if (familyOf(text) == AF_INET) {
    in_addr a{};
    inet_pton(AF_INET, text.c_str(), &a);
    mnl_attr_put(nlh, type, sizeof(a), &a);
  } else {
    in6_addr a{};
    inet_pton(AF_INET6, text.c_str(), &a);
    mnl_attr_put(nlh, type, sizeof(a), &a);
  }
}

int changeAddress(uint16_t type, const std::string& link, const std::string& text,
                  uint8_t prefix) {
  Rtnl rtnl;
  nlmsghdr* nlh = rtnl.start(type, NLM_F_ACK | (type == RTM_NEWADDR ? NLM_F_CREATE | NLM_F_EXCL : 0));
  auto* ifa = static_cast<ifaddrmsg*>(mnl_nlmsg_put_extra_header(nlh, sizeof(ifaddrmsg)));
  const int family = familyOf(text);
  ifa->ifa_family = static_cast<uint8_t>(family);
  ifa->ifa_prefixlen = prefix;
  ifa->ifa_index = if_nametoindex(link.c_str());
  if (family == AF_INET) putAddressAttribute(nlh, IFA_LOCAL, text);
  putAddressAttribute(nlh, IFA_ADDRESS, text);
  if (family == AF_INET6) {
    ifa->ifa_flags = IFA_F_NODAD;
    mnl_attr_put_u32(nlh, IFA_FLAGS, IFA_F_NODAD);
  }
  return rtnl.run(nlh);
}

int addRoute(const std::string& dst, uint8_t prefix, const std::string& link) {
  Rtnl rtnl;
  nlmsghdr* nlh = rtnl.start(RTM_NEWROUTE, NLM_F_CREATE | NLM_F_EXCL | NLM_F_ACK);
  auto* rtm = static_cast<rtmsg*>(mnl_nlmsg_put_extra_header(nlh, sizeof(rtmsg)));
  rtm->rtm_family = AF_INET;
  rtm->rtm_dst_len = prefix;
  rtm->rtm_table = RT_TABLE_MAIN;
  rtm->rtm_protocol = RTPROT_BOOT;
  rtm->rtm_scope = RT_SCOPE_LINK;
  rtm->rtm_type = RTN_UNICAST;
  putAddressAttribute(nlh, RTA_DST, dst);
  mnl_attr_put_u32(nlh, RTA_OIF, if_nametoindex(link.c_str()));
  return rtnl.run(nlh);
}

// The address of family an attribute carries, as text.
std::string addressAttribute(int family, const nlattr* attr) {
  char text[INET6_ADDRSTRLEN] = "";
  inet_ntop(family, mnl_attr_get_payload(attr), text, sizeof(text));
  return text;
}

// The addresses an RTM_GETADDR dump of family shows; err gets its errno.
std::vector<std::string> dumpAddresses(int family, int* err) {
  std::vector<std::string> out;
  Rtnl rtnl;
  nlmsghdr* nlh = rtnl.start(RTM_GETADDR, NLM_F_DUMP);
  auto* ifa = static_cast<ifaddrmsg*>(mnl_nlmsg_put_extra_header(nlh, sizeof(ifaddrmsg)));
  ifa->ifa_family = static_cast<uint8_t>(family);
  *err = rtnl.run(nlh, [&](const nlmsghdr* reply) {
    if (reply->nlmsg_type != RTM_NEWADDR) return;
    const auto* msg = static_cast<const ifaddrmsg*>(mnl_nlmsg_get_payload(reply));
    forEachAttribute(reply, sizeof(ifaddrmsg), [&](const nlattr* attr) {
      const uint16_t type = mnl_attr_get_type(attr);
      if (type != IFA_ADDRESS && type != IFA_LOCAL) return;
      const std::string text = addressAttribute(msg->ifa_family, attr);
      if (!contains(out, text)) out.push_back(text);
    });
  });
  return out;
}

// The links an RTM_GETLINK dump of family (AF_INET6: IPv6's own) names,
// filtered by master if given (an index, or -1 for none).
std::vector<std::string> dumpLinks(int* err, uint8_t family = AF_UNSPEC,
                                   std::optional<int> master = {}) {
  std::vector<std::string> out;
  Rtnl rtnl;
  nlmsghdr* nlh = rtnl.start(RTM_GETLINK, NLM_F_DUMP);
  auto* ifm = static_cast<ifinfomsg*>(mnl_nlmsg_put_extra_header(nlh, sizeof(ifinfomsg)));
  ifm->ifi_family = family;
  if (master) mnl_attr_put_u32(nlh, IFLA_MASTER, static_cast<uint32_t>(*master));
  *err = rtnl.run(nlh, [&](const nlmsghdr* reply) {
    if (reply->nlmsg_type != RTM_NEWLINK) return;
    forEachAttribute(reply, sizeof(ifinfomsg), [&](const nlattr* attr) {
      if (mnl_attr_get_type(attr) == IFLA_IFNAME) out.push_back(mnl_attr_get_str(attr));
    });
  });
  return out;
}

// The inodes of the sockets a sock_diag request of family shows: a dump
// with NLM_F_DUMP, else a lookup of one socket (with NLM_F_ACK, so that
// its end is known); fill puts the request's header after nlh's.
std::set<uint64_t> diagRequest(int family, uint16_t flags,
                               const std::function<void(nlmsghdr*)>& fill, int* err) {
  std::set<uint64_t> out;
  Rtnl diag(NETLINK_SOCK_DIAG);
  nlmsghdr* nlh = diag.start(SOCK_DIAG_BY_FAMILY, flags);
  fill(nlh);
  *err = diag.run(nlh, [&](const nlmsghdr* reply) {
    if (reply->nlmsg_type != SOCK_DIAG_BY_FAMILY) return;
    const void* payload = mnl_nlmsg_get_payload(reply);
    if (family == AF_UNIX)
      out.insert(static_cast<const unix_diag_msg*>(payload)->udiag_ino);
    else if (family == AF_NETLINK)
      out.insert(static_cast<const netlink_diag_msg*>(payload)->ndiag_ino);
    else if (family == AF_PACKET)
      out.insert(static_cast<const packet_diag_msg*>(payload)->pdiag_ino);
    else
      out.insert(static_cast<const inet_diag_msg*>(payload)->idiag_inode);
  });
  return out;
}

template <typename Request>
Request* diagHeader(nlmsghdr* nlh) {
  return static_cast<Request*>(mnl_nlmsg_put_extra_header(nlh, sizeof(Request)));
}

// An inet_diag request of family and protocol: a protocol past 255 (MPTCP)
// goes in an attribute.
inet_diag_req_v2* inetDiagHeader(nlmsghdr* nlh, int family, int protocol) {
  auto* req = diagHeader<inet_diag_req_v2>(nlh);
  req->sdiag_family = static_cast<uint8_t>(family);
  req->sdiag_protocol = static_cast<uint8_t>(protocol > 255 ? IPPROTO_TCP : protocol);
  req->idiag_states = ~0U;
  if (protocol > 255) mnl_attr_put_u32(nlh, INET_DIAG_REQ_PROTOCOL, static_cast<uint32_t>(protocol));
  return req;
}

// The inodes of the sockets a sock_diag dump of family (and protocol, for
// AF_INET and AF_INET6) shows.
std::set<uint64_t> diagInodes(int family, int protocol, int* err) {
  return diagRequest(family, NLM_F_DUMP, [&](nlmsghdr* nlh) {
    if (family == AF_UNIX) {
      auto* req = diagHeader<unix_diag_req>(nlh);
      req->sdiag_family = AF_UNIX;
      req->udiag_states = ~0U;
    } else if (family == AF_NETLINK) {
      auto* req = diagHeader<netlink_diag_req>(nlh);
      req->sdiag_family = AF_NETLINK;
      req->sdiag_protocol = NDIAG_PROTO_ALL;
    } else if (family == AF_PACKET) {
      diagHeader<packet_diag_req>(nlh)->sdiag_family = AF_PACKET;
    } else {
      inetDiagHeader(nlh, family, protocol);
    }
  }, err);
}

// The inode sock_diag's lookup of the TCP socket bound to IPv4 address:port
// (a listener) shows; 0 with the errno in *err if none.
uint64_t diagLookupTcp(const std::string& address, uint16_t port, int* err) {
  const auto found = diagRequest(AF_INET, NLM_F_ACK, [&](nlmsghdr* nlh) {
    auto* req = inetDiagHeader(nlh, AF_INET, IPPROTO_TCP);
    req->id.idiag_sport = htons(port);
    inet_pton(AF_INET, address.c_str(), &req->id.idiag_src[0]);
    req->id.idiag_cookie[0] = req->id.idiag_cookie[1] = INET_DIAG_NOCOOKIE;
  }, err);
  return found.empty() ? 0 : *found.begin();
}

// The inode sock_diag's lookup of the unix socket of inode shows; 0 with
// the errno in *err if none.
uint64_t diagLookupUnix(uint64_t inode, int* err) {
  const auto found = diagRequest(AF_UNIX, NLM_F_ACK, [&](nlmsghdr* nlh) {
    auto* req = diagHeader<unix_diag_req>(nlh);
    req->sdiag_family = AF_UNIX;
    req->udiag_states = ~0U;
    req->udiag_ino = static_cast<uint32_t>(inode);
    req->udiag_cookie[0] = req->udiag_cookie[1] = INET_DIAG_NOCOOKIE;  // as sock_diag checks it
  }, err);
  return found.empty() ? 0 : *found.begin();
}

// The inodes listed in a /proc/net table (tcp, udp, raw, unix, ...).
std::set<uint64_t> procInodes(const std::string& table) {
  std::set<uint64_t> out;
  std::istringstream in(readFile("/proc/net/" + table));
  std::string line;
  std::getline(in, line);  // the header
  const size_t column = table == "unix" ? 6 : table == "packet" ? 8 : 9;
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    std::vector<std::string> tokens;
    std::string token;
    while (fields >> token) tokens.push_back(token);
    if (tokens.size() > column) out.insert(std::stoull(tokens[column]));
  }
  return out;
}

uint64_t inodeOf(int fd) {
  struct stat st{};
  return fstat(fd, &st) == 0 ? st.st_ino : 0;
}

// --- sockets ---

class Socket {
 public:
  Socket(int family, int type, int protocol = 0)
      : fd_(socket(family, type | SOCK_CLOEXEC, protocol)), err_(fd_ < 0 ? errno : 0) {}
  ~Socket() {
    if (fd_ >= 0) close(fd_);
  }
  Socket(const Socket&) = delete;
  Socket& operator=(const Socket&) = delete;
  Socket(Socket&& other) noexcept : fd_(std::exchange(other.fd_, -1)), err_(other.err_) {}

  int fd() const { return fd_; }
  int error() const { return err_; }  // socket()'s errno
  bool ok() const { return fd_ >= 0; }

  int setInt(int level, int name, int value) { return setOption(level, name, value); }
  template <typename T>
  int setOption(int level, int name, const T& value) {
    return errnoOf(setsockopt(fd_, level, name, &value, sizeof(value)));
  }
  int bindTo(const Address& a) { return errnoOf(bind(fd_, a.get(), a.length)); }
  // A unix socket's bind to path, after whatever an earlier run left there.
  int bindToPath(const std::string& path) {
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    std::snprintf(address.sun_path, sizeof(address.sun_path), "%s", path.c_str());
    unlink(address.sun_path);
    return errnoOf(bind(fd_, reinterpret_cast<sockaddr*>(&address), sizeof(address)));
  }

 private:
  int fd_;
  int err_;
};

// A socket bound to text:port (and listening, for a stream socket), or one
// whose fd is -1 with the errno in error.
struct Bound {
  Socket socket;
  int error = 0;
};

Bound listenOn(int type, const std::string& text, uint16_t port, bool v6only = true,
               bool reusePort = false) {
  const int family = familyOf(text);
  Bound b{Socket(family, type), 0};
  if (!b.socket.ok()) {
    b.error = b.socket.error();
    return b;
  }
  b.socket.setInt(SOL_SOCKET, SO_REUSEADDR, 1);
  if (reusePort) b.socket.setInt(SOL_SOCKET, SO_REUSEPORT, 1);
  if (family == AF_INET6) b.socket.setInt(IPPROTO_IPV6, IPV6_V6ONLY, v6only ? 1 : 0);
  b.error = b.socket.bindTo(makeAddress(text, port));
  if (!b.error && type == SOCK_STREAM) b.error = errnoOf(listen(b.socket.fd(), 16));
  return b;
}

// The errno of binding a fresh socket to text:port; prepare runs first.
int bindErrno(int type, const std::string& text, uint16_t port = 0, int protocol = 0,
              const std::function<void(Socket&)>& prepare = {}, uint32_t scope = 0) {
  Socket s(familyOf(text), type, protocol);
  if (!s.ok()) return s.error();
  if (prepare) prepare(s);
  return s.bindTo(makeAddress(text, port, scope));
}

void setTimeouts(int fd, int ms) {
  timeval tv{ms / 1000, (ms % 1000) * 1000};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
}

std::string newToken() {
  static int counter = 0;
  return "t" + std::to_string(getpid()) + "-" + std::to_string(++counter);
}

// --- the servers ---

// A process serving TCP and UDP sockets: it logs each token it receives
// with the local and peer address, answers "NAME PEER" to its sender, and
// answers its control pipe: "q TOKEN" with "NAME PROTO LOCAL PEER" or
// "none", "i" with its sockets' inodes as "KIND=INODE ...".
struct Server {
  std::string name;
  pid_t pid = -1;
  int toServer = -1;
  int fromServer = -1;

  std::string ask(const std::string& line) const {
    const std::string request = line + "\n";
    if (write(toServer, request.data(), request.size()) < 0) return "error";
    std::string answer;
    char c;
    while (read(fromServer, &c, 1) == 1 && c != '\n') answer += c;
    return answer;
  }
};

std::vector<Server> servers;

// One socket a server opens: its kind (for the inode list), type and
// address.
struct Listen {
  const char* kind;
  int type;
  std::string addr;
  uint16_t port;
  bool reusePort = false;
};

std::string readLine(int fd, int timeoutMs) {
  std::string line;
  char c;
  pollfd p{fd, POLLIN, 0};
  while (poll(&p, 1, timeoutMs) == 1 && read(fd, &c, 1) == 1 && c != '\n') line += c;
  return line;
}

[[noreturn]] void serve(const std::string& name, std::vector<Bound>& sockets,
                        const std::vector<Listen>& specs, int control, int answers) {
  std::map<std::string, std::string> log;
  std::string inodes;
  for (size_t i = 0; i < sockets.size(); i++)
    inodes += std::string(i ? " " : "") + specs[i].kind + "=" +
              std::to_string(inodeOf(sockets[i].socket.fd()));
  // A unix socket and, on the host, a raw ICMP socket, for the tables.
  Socket unixSocket(AF_UNIX, SOCK_STREAM);
  if (unixSocket.bindToPath("/tmp/vs-net-" + name + ".sock") == 0) listen(unixSocket.fd(), 1);
  inodes += " unix=" + std::to_string(inodeOf(unixSocket.fd()));
  Socket raw(AF_INET, SOCK_RAW, IPPROTO_ICMP);
  if (raw.ok()) inodes += " raw=" + std::to_string(inodeOf(raw.fd()));

  std::vector<pollfd> fds;
  for (Bound& b : sockets) fds.push_back({b.socket.fd(), POLLIN, 0});
  fds.push_back({control, POLLIN, 0});
  std::string pending;
  for (;;) {
    if (poll(fds.data(), fds.size(), -1) < 0) continue;
    for (size_t i = 0; i < sockets.size(); i++) {
      if (!(fds[i].revents & POLLIN)) continue;
      const int fd = fds[i].fd;
      if (specs[i].type == SOCK_STREAM) {
        const int conn = accept4(fd, nullptr, nullptr, SOCK_CLOEXEC);
        if (conn < 0) continue;
        setTimeouts(conn, 2000);
        const std::string token = readLine(conn, 2000);
        sockaddr_storage peer{};
        socklen_t len = sizeof(peer);
        getpeername(conn, reinterpret_cast<sockaddr*>(&peer), &len);
        const std::string peerHost = hostOf(reinterpret_cast<sockaddr*>(&peer));
        log[token] = name + " tcp " + localHost(conn) + " " + peerHost;
        const std::string answer = name + " " + peerHost + "\n";
        (void)!write(conn, answer.data(), answer.size());
        close(conn);
      } else {
        char data[256];
        char cmsgs[256];
        sockaddr_storage peer{};
        iovec iov{data, sizeof(data) - 1};
        msghdr msg{};
        msg.msg_name = &peer;
        msg.msg_namelen = sizeof(peer);
        msg.msg_iov = &iov;
        msg.msg_iovlen = 1;
        msg.msg_control = cmsgs;
        msg.msg_controllen = sizeof(cmsgs);
        const ssize_t n = recvmsg(fd, &msg, MSG_DONTWAIT);
        if (n < 0) continue;
        data[n] = 0;
        std::string local = "?";
        for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
          char text[INET6_ADDRSTRLEN] = "?";
          if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO)
            inet_ntop(AF_INET, &reinterpret_cast<in_pktinfo*>(CMSG_DATA(c))->ipi_addr, text,
                      sizeof(text));
          else if (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_PKTINFO)
            inet_ntop(AF_INET6, &reinterpret_cast<in6_pktinfo*>(CMSG_DATA(c))->ipi6_addr, text,
                      sizeof(text));
          else
            continue;
          local = text;
        }
        const std::string peerHost = hostOf(reinterpret_cast<sockaddr*>(&peer));
        log[data] = name + " udp " + local + " " + peerHost;
        const std::string answer = name + " " + peerHost;
        sendto(fd, answer.data(), answer.size(), MSG_DONTWAIT, reinterpret_cast<sockaddr*>(&peer),
               msg.msg_namelen);
      }
    }
    if (fds.back().revents & (POLLIN | POLLHUP)) {
      char buffer[256];
      const ssize_t n = read(control, buffer, sizeof(buffer));
      if (n <= 0) _exit(0);
      pending.append(buffer, static_cast<size_t>(n));
      size_t end;
      while ((end = pending.find('\n')) != std::string::npos) {
        const std::string line = pending.substr(0, end);
        pending.erase(0, end + 1);
        std::string answer;
        if (line.rfind("q ", 0) == 0) {
          const auto found = log.find(line.substr(2));
          answer = found == log.end() ? "none" : found->second;
        } else {
          answer = inodes;
        }
        answer += "\n";
        (void)!write(answers, answer.data(), answer.size());
      }
    }
  }
}

// Starts a server in the host (xid 0) or in a new context; false, with a
// failed check, when it could not open its sockets (it is then gone).
bool startServer(const std::string& name, uint32_t xid, const vs::ContextPolicy& policy,
                 const std::optional<NetSet>& net, const std::vector<Listen>& specs) {
  int toServer[2], fromServer[2];
  if (pipe2(toServer, O_CLOEXEC) != 0 || pipe2(fromServer, O_CLOEXEC) != 0) return false;
  std::fflush(stdout);
  const pid_t pid = fork();
  if (pid == 0) {
    close(toServer[1]);
    close(fromServer[0]);
    auto fail = [&](const std::string& why) {
      const std::string line = "error " + why + "\n";
      (void)!write(fromServer[1], line.data(), line.size());
      _exit(1);
    };
    if (xid) {
      const int err = createContext(xid, name, policy, net);
      if (err) fail(std::string("create context: ") + errnoName(err));
    }
    std::vector<Bound> sockets;
    for (const Listen& l : specs) {
      sockets.push_back(listenOn(l.type, l.addr, l.port, true, l.reusePort));
      Bound& b = sockets.back();
      if (b.error)
        fail(std::string(l.type == SOCK_STREAM ? "tcp " : "udp ") + l.addr + ":" +
             std::to_string(l.port) + ": " + errnoName(b.error));
      if (l.type == SOCK_DGRAM) {
        b.socket.setInt(IPPROTO_IP, IP_PKTINFO, 1);
        if (familyOf(l.addr) == AF_INET6) b.socket.setInt(IPPROTO_IPV6, IPV6_RECVPKTINFO, 1);
      }
    }
    (void)!write(fromServer[1], "ready\n", 6);
    serve(name, sockets, specs, toServer[0], fromServer[1]);
  }
  close(toServer[0]);
  close(fromServer[1]);
  const std::string status = readLine(fromServer[0], 60000);
  report(status == "ready", "start the server of " + name, status);
  if (status != "ready") {
    kill(pid, SIGKILL);
    waitpid(pid, nullptr, 0);
    close(toServer[1]);
    close(fromServer[0]);
    return false;
  }
  servers.push_back({name, pid, toServer[1], fromServer[0]});
  return true;
}

void stopServer(const std::string& name) {
  for (auto s = servers.begin(); s != servers.end(); ++s) {
    if (s->name != name) continue;
    kill(s->pid, SIGKILL);
    waitpid(s->pid, nullptr, 0);
    close(s->toServer);
    close(s->fromServer);
    servers.erase(s);
    return;
  }
}

void stopServers() {
  for (const Server& s : servers) {
    kill(s.pid, SIGKILL);
    waitpid(s.pid, nullptr, 0);
    close(s.toServer);
    close(s.fromServer);
  }
  servers.clear();
}

// Every server that got token: name to its record.  When someone is
// expected, waits up to 3 s for one; else gives the packet 300 ms.
std::map<std::string, std::string> receivers(const std::string& token, bool expectOne) {
  std::map<std::string, std::string> got;
  if (!expectOne) usleep(300000);
  for (int tries = 0; tries < 30; tries++) {
    for (const Server& s : servers) {
      const std::string answer = s.ask("q " + token);
      if (answer != "none") got[s.name] = answer;
    }
    if (!got.empty() || !expectOne) break;
    usleep(100000);
  }
  return got;
}

std::string describe(const std::map<std::string, std::string>& got) {
  if (got.empty()) return "nobody";
  std::string out;
  for (const auto& [name, record] : got) out += (out.empty() ? "" : ", ") + record;
  return out;
}

// Checks that token reached exactly server who ("": nobody); and, when
// peers is not empty, that its peer (the source) was one of them.
void expectReceiver(const std::string& what, const std::string& token, const std::string& who,
                    const std::vector<std::string>& peers = {}) {
  const auto got = receivers(token, !who.empty());
  bool passed = who.empty() ? got.empty() : got.size() == 1 && got.count(who) == 1;
  if (passed && !peers.empty()) {
    std::istringstream fields(got.at(who));
    std::string name, proto, local, peer;
    fields >> name >> proto >> local >> peer;
    passed = contains(peers, unmapped(peer));
  }
  report(passed, what + " -> " + (who.empty() ? "nobody" : who) +
                     (peers.empty() ? "" : " from " + join(peers)),
         "received by " + describe(got));
}

// Connects sock (fresh, or prepared by the caller) to to and sends token;
// 0 or the errno of connect.
int tcpSend(Socket& sock, const Address& to, const std::string& token) {
  setTimeouts(sock.fd(), 3000);
  if (connect(sock.fd(), to.get(), to.length) != 0) return errno;
  const std::string line = token + "\n";
  (void)!write(sock.fd(), line.data(), line.size());
  char answer[128];
  (void)!read(sock.fd(), answer, sizeof(answer));  // wait for the server
  return 0;
}

int tcpSendTo(const std::string& host, uint16_t port, const std::string& token,
              int family = 0) {
  Socket sock(family ? family : familyOf(host), SOCK_STREAM);
  return tcpSend(sock, makeAddress(host, port), token);
}

// Sends token to host:port over UDP, out of link when one is named (which
// a broadcast or multicast address needs): 0 or the errno.
int udpSendTo(const std::string& host, uint16_t port, const std::string& token, int family = 0,
              const std::string& link = {}) {
  Socket sock(family ? family : familyOf(host), SOCK_DGRAM);
  int err = sock.setInt(SOL_SOCKET, SO_BROADCAST, 1);
  if (!err && !link.empty())
    err = errnoOf(setsockopt(sock.fd(), SOL_SOCKET, SO_BINDTODEVICE, link.c_str(), link.size()));
  const Address to = makeAddress(host, port);
  return err ? err : errnoOf(sendto(sock.fd(), token.data(), token.size(), 0, to.get(), to.length));
}

// A token whose sending (call) ended with err must reach who ("": nobody),
// from one of peers if given; a failed send to someone is a failed check.
void expectDelivered(const std::string& what, const char* call, int err,
                     const std::string& token, const std::string& who,
                     const std::vector<std::string>& peers) {
  if (!who.empty() && err) {
    report(false, what + " -> " + who, std::string(call) + ": " + errnoName(err));
    return;
  }
  expectReceiver(what, token, who, peers);
}

// A TCP connection with token to host:port must reach who ("": nobody,
// and then the connect must fail), from one of peers if given.
void tcpCheck(const std::string& what, const std::string& host, uint16_t port,
              const std::string& who, const std::vector<std::string>& peers = {},
              int family = 0) {
  const std::string token = newToken();
  const int err = tcpSendTo(host, port, token, family);
  if (who.empty() && !err) std::printf("# %s: the connect succeeded\n", what.c_str());
  expectDelivered(what, "connect", err, token, who, peers);
}

void udpCheck(const std::string& what, const std::string& host, uint16_t port,
              const std::string& who, const std::vector<std::string>& peers = {},
              int family = 0) {
  const std::string token = newToken();
  expectDelivered(what, "sendto", udpSendTo(host, port, token, family), token, who, peers);
}

// A TCP connection with token to host:port must reach none of forbidden,
// whether or not it reaches someone else.
void tcpCheckNot(const std::string& what, const std::string& host, uint16_t port,
                 const std::vector<std::string>& forbidden) {
  const std::string token = newToken();
  const int err = tcpSendTo(host, port, token);
  std::printf("# %s: connect %s\n", what.c_str(), errnoName(err));
  const auto got = receivers(token, false);
  bool passed = true;
  for (const std::string& name : forbidden) passed = passed && !got.count(name);
  report(passed, what + " -> not " + join(forbidden), "received by " + describe(got));
}

// A refusal whose errno the UAPI does not name: any of allowed passes.
void expectRefused(const std::string& what, const std::vector<int>& allowed, int got) {
  std::string names;
  for (int e : allowed) names += std::string(names.empty() ? "" : "|") + errnoName(e);
  report(std::find(allowed.begin(), allowed.end(), got) != allowed.end(), what + " -> " + names,
         std::string("got ") + errnoName(got));
}


// --- the test network ---

const std::vector<std::string> kDummy0 = {"10.70.0.1", "10.70.0.2", "10.70.0.3", "10.70.0.4",
                                          "10.70.0.5", "10.70.0.6", "10.70.0.7", "10.70.0.8",
                                          "10.70.0.9", "fd70::1",   "fd70::2",   "fd70::3",
                                          "fd70::4",   "fd70::5",   "fe80::1"};
const std::vector<std::string> kDummy1 = {"10.71.0.1", "fd71::1"};

bool setUpNetwork() {
  const int before = failures();
  expect("host: set lo up", 0, setLinkUp("lo", true));
  for (const char* link : {"vsnet0", "vsnet1"}) {
    expect(std::string("host: add ") + link, 0, addLink(link));
    expect(std::string("host: set ") + link + " up", 0, setLinkUp(link, true));
  }
  for (const std::string& a : kDummy0)
    expect("host: add " + a + " to vsnet0", 0,
           changeAddress(RTM_NEWADDR, "vsnet0", a, familyOf(a) == AF_INET ? 24 : 64));
  for (const std::string& a : kDummy1)
    expect("host: add " + a + " to vsnet1", 0,
           changeAddress(RTM_NEWADDR, "vsnet1", a, familyOf(a) == AF_INET ? 24 : 64));
  writeFile("/proc/sys/net/ipv4/ping_group_range", "0 2147483647\n");
  return failures() == before;
}

void tearDownNetwork() {
  // The links of section 5c too, if a check ended before removing them.
  for (const char* link : {"vsnet0", "vsnet1", "vsbr1", "vsbr2", "vsbr3", "vsv0", "vsv2", "vsv4"}) deleteLink(link);
  writeFile("/proc/sys/net/ipv4/ping_group_range", "1 0\n");
  writeFile("/proc/sys/net/ipv4/ip_nonlocal_bind", "0\n");
  writeFile("/proc/sys/net/ipv6/ip_nonlocal_bind", "0\n");
}

// A process holding a context until released.
struct Holder {
  pid_t pid = -1;
  int status = 0;
};

Holder holdContext(uint32_t xid, const std::string& name, const vs::ContextPolicy& policy,
                   const std::optional<NetSet>& net) {
  int ready[2];
  Holder h;
  if (pipe(ready) != 0) return {-1, errno};
  std::fflush(stdout);
  h.pid = fork();
  if (h.pid == 0) {
    close(ready[0]);
    const int err = createContext(xid, name, policy, net);
    (void)!write(ready[1], &err, sizeof(err));
    if (err) _exit(1);
    pause();
    _exit(0);
  }
  close(ready[1]);
  if (read(ready[0], &h.status, sizeof(h.status)) != sizeof(h.status)) h.status = EPIPE;
  close(ready[0]);
  report(h.status == 0, "a process holds context " + std::to_string(xid) + " (" + name + ")",
         errnoName(h.status));
  return h;
}

void release(Holder& h) {
  if (h.pid <= 0) return;
  kill(h.pid, SIGKILL);
  waitpid(h.pid, nullptr, 0);
  h.pid = -1;
}

// --- 7. validation of VSERVER_A_NET ---

// A create (in a child: a create that works moves its caller) and the
// errno it must get.
void createCase(const std::string& what, int expected,
                const std::function<GenlRequest(const Family&)>& build) {
  std::string message;
  int pipeFds[2];
  if (pipe(pipeFds) != 0) return;
  const int got = isolated([&] {
    close(pipeFds[0]);
    try {
      Family family;
      GenlRequest r = build(family);
      const int err = family.send(r, &message);
      (void)!write(pipeFds[1], message.data(), std::min<size_t>(message.size(), 200));
      return err;
    } catch (const vs::Error& e) {
      return e.errnum() ? e.errnum() : 254;
    }
  });
  close(pipeFds[1]);
  char text[256] = "";
  (void)!read(pipeFds[0], text, sizeof(text) - 1);
  close(pipeFds[0]);
  report(got == expected, "host root: " + what + " -> " + errnoName(expected),
         std::string("got ") + errnoName(got) + " (" + text + ")");
}

GenlRequest createWith(const Family& f, uint32_t xid, const NetSet& net) {
  return f.create(xid, "", {}, net);
}

// A create whose network set holds raw attributes.
GenlRequest createRaw(const Family& f, const std::vector<std::pair<uint16_t, std::string>>& attrs) {
  GenlRequest r = f.create(kXidInvalid, "", {}, std::nullopt);
  const size_t nest = r.beginNest(VSERVER_A_NET);
  for (const auto& [type, bytes] : attrs) mnl_attr_put(r.header(), type, bytes.size(), bytes.data());
  r.endNest(nest);
  return r;
}

std::string bytesOf(const void* data, size_t len) {
  return std::string(static_cast<const char*>(data), len);
}

std::vector<std::string> manyAddresses(int family, int count) {
  std::vector<std::string> out;
  for (int i = 1; i <= count; i++)
    out.push_back(family == AF_INET ? "10.80." + std::to_string(i / 256) + "." + std::to_string(i % 256)
                                    : "fd80::" + std::to_string(i));
  return out;
}

void checkValidation() {
  const int most = VSERVER_NET_ADDRS_MAX;
  const std::string mostText = std::to_string(most), tooMany = std::to_string(most + 1);
  createCase("create with " + mostText + " IPv4 addresses (control)", 0, [most](const Family& f) {
    return createWith(f, kXidValid, {0, 0, {}, manyAddresses(AF_INET, most)});
  });
  createCase("create with " + tooMany + " IPv4 addresses", E2BIG, [most](const Family& f) {
    return createWith(f, kXidInvalid, {0, 0, {}, manyAddresses(AF_INET, most + 1)});
  });
  createCase("create with " + mostText + " IPv6 addresses (control)", 0, [most](const Family& f) {
    return createWith(f, kXidValid, {0, 0, {}, manyAddresses(AF_INET6, most)});
  });
  createCase("create with " + tooMany + " IPv6 addresses", E2BIG, [most](const Family& f) {
    return createWith(f, kXidInvalid, {0, 0, {}, manyAddresses(AF_INET6, most + 1)});
  });
  createCase("create with every flag, every ncap and an explicit lback (control)", 0,
             [](const Family& f) {
               return createWith(f, kXidValid,
                                 {VSERVER_NF_ALL, VSERVER_NCAP_ALL, "127.9.9.8", {"10.70.0.2", "fd70::2"}});
             });
  createCase("create with an empty network set (control)", 0,
             [](const Family& f) { return createWith(f, kXidValid, {}); });
  for (const char* bad : {"0.0.0.0", "127.0.0.1", "127.1.2.3", "224.0.0.1", "239.1.2.3",
                          "255.255.255.255", "::", "::1", "ff02::1", "ff05::2",
                          "::ffff:10.70.0.2", "::ffff:127.0.0.1", "::ffff:0.0.0.0"}) {
    createCase(std::string("create with the address ") + bad, EINVAL,
               [bad](const Family& f) { return createWith(f, kXidInvalid, {0, 0, {}, {bad}}); });
  }
  createCase("create with 10.70.0.2 twice", EINVAL, [](const Family& f) {
    return createWith(f, kXidInvalid, {0, 0, {}, {"10.70.0.2", "10.70.0.3", "10.70.0.2"}});
  });
  createCase("create with fd70::2 twice", EINVAL, [](const Family& f) {
    return createWith(f, kXidInvalid, {0, 0, {}, {"fd70::2", "fd70::2"}});
  });
  for (const char* bad : {"10.70.0.2", "0.0.0.0", "127.0.0.0", "127.0.0.1", "127.255.255.255",
                          "128.0.0.1", "224.0.0.1", "255.255.255.255"}) {
    createCase(std::string("create with the lback ") + bad, EINVAL,
               [bad](const Family& f) { return createWith(f, kXidInvalid, {0, 0, bad, {}}); });
  }
  createCase("create with an unknown flag bit", EINVAL, [](const Family& f) {
    return createWith(f, kXidInvalid, {VSERVER_NF_ALL + 1, 0, {}, {}});
  });
  createCase("create with flag bit 63", EINVAL, [](const Family& f) {
    return createWith(f, kXidInvalid, {uint64_t{1} << 63, 0, {}, {}});
  });
  createCase("create with an unknown ncap bit", EINVAL, [](const Family& f) {
    return createWith(f, kXidInvalid, {0, VSERVER_NCAP_ALL + 1, {}, {}});
  });
  const in_addr a4{htonl(0x0a460002)};
  in6_addr a6{};
  inet_pton(AF_INET6, "fd70::2", &a6);
  const in_addr lb{htonl(0x7f090907)};
  const uint64_t u64 = 0;
  const uint32_t u32 = 0;
  // The addresses are binary attributes of an exact length, which the
  // netlink core refuses with ERANGE ("binary attribute size out of
  // range"); a u64 of the wrong length, like any typed attribute, gets
  // EINVAL (the header allows both for a wrong length).
  struct Length {
    const char* what;
    uint16_t type;
    std::string bytes;
    int expected;
  };
  const std::vector<Length> lengths = {
      {"an IPv4 address of 3 bytes", VSERVER_A_NET_ADDR4, bytesOf(&a4, 3), ERANGE},
      {"an IPv4 address of 5 bytes", VSERVER_A_NET_ADDR4, bytesOf(&a4, 4) + "x", ERANGE},
      {"an IPv4 address of 16 bytes", VSERVER_A_NET_ADDR4, bytesOf(&a6, 16), ERANGE},
      {"an IPv4 address of 0 bytes", VSERVER_A_NET_ADDR4, "", ERANGE},
      {"an IPv6 address of 4 bytes", VSERVER_A_NET_ADDR6, bytesOf(&a4, 4), ERANGE},
      {"an IPv6 address of 15 bytes", VSERVER_A_NET_ADDR6, bytesOf(&a6, 15), ERANGE},
      {"an IPv6 address of 17 bytes", VSERVER_A_NET_ADDR6, bytesOf(&a6, 16) + "x", ERANGE},
      {"an lback of 3 bytes", VSERVER_A_NET_LBACK, bytesOf(&lb, 3), ERANGE},
      {"an lback of 16 bytes", VSERVER_A_NET_LBACK, bytesOf(&a6, 16), ERANGE},
      {"flags as u32", VSERVER_A_NET_FLAGS, bytesOf(&u32, 4), EINVAL},
      {"ncaps as u32", VSERVER_A_NET_CAPS, bytesOf(&u32, 4), EINVAL},
      {"an unknown attribute", VSERVER_A_NET_MAX + 1, bytesOf(&u64, 8), EINVAL},
      {"an attribute flagged nested", VSERVER_A_NET_ADDR4 | NLA_F_NESTED, bytesOf(&a4, 4), EINVAL},
  };
  for (const Length& l : lengths) {
    createCase("create with " + std::string(l.what), l.expected,
               [&l](const Family& f) { return createRaw(f, {{l.type, l.bytes}}); });
  }
  createCase("create with a raw but valid network set (control)", 0, [&](const Family& f) {
    GenlRequest r = createRaw(f, {{VSERVER_A_NET_ADDR4, bytesOf(&a4, 4)},
                                  {VSERVER_A_NET_ADDR6, bytesOf(&a6, 16)},
                                  {VSERVER_A_NET_LBACK, bytesOf(&lb, 4)},
                                  {VSERVER_A_NET_FLAGS, bytesOf(&u64, 8)}});
    // createRaw uses kXidInvalid; this one must work, so renumber it.
    forEachAttribute(r.header(), sizeof(genlmsghdr), [](const nlattr* attr) {
      if (mnl_attr_get_type(attr) == VSERVER_A_XID)
        *static_cast<uint32_t*>(mnl_attr_get_payload(attr)) = kXidValid;
    });
    return r;
  });
  createCase("create with the network set not flagged nested", EINVAL, [&](const Family& f) {
    GenlRequest r = f.create(kXidInvalid, "", {}, std::nullopt);
    mnl_attr_put(r.header(), VSERVER_A_NET, sizeof(a4), &a4);
    return r;
  });

  // The loopback address is a context's own: an explicit one, or the
  // default one of another xid, is refused while its holder lives.
  const uint32_t defaultOwner = 6530;  // default lback 127.1.25.130
  const std::string lbackOf6530 = "127.1." + std::to_string(defaultOwner / 256) + "." +
                                  std::to_string(defaultOwner % 256);
  Holder holder = holdContext(6531, "net-lback", {}, NetSet{0, 0, lbackOf6530, {"10.70.0.7"}});
  if (holder.status == 0) {
    createCase("create with the lback another context holds", EADDRINUSE, [&](const Family& f) {
      return createWith(f, kXidInvalid, {0, 0, lbackOf6530, {}});
    });
    createCase("create a context whose default lback another context holds", EADDRINUSE,
               [&](const Family& f) { return createWith(f, defaultOwner, {0, 0, {}, {}}); });
  }
  release(holder);
  // The holder's context ends once it is reaped; give it a moment.
  usleep(200000);
  createCase("the same default lback once its holder is gone (control)", 0,
             [&](const Family& f) { return createWith(f, defaultOwner, {0, 0, {}, {}}); });
  createCase("the same explicit lback once its holder is gone (control)", 0, [&](const Family& f) {
    return createWith(f, kXidValid, {0, 0, lbackOf6530, {}});
  });
}

// A context created in the setup state sets its own network set, seals
// itself, and then may not change it any more.
void checkSetupAndSeal() {
  inNewGuest(kXidSetup, "net-setup", policyWith(VSERVER_BCAPS_ALL, 0, VSERVER_CF_STATE_SETUP),
             NetSet{0, 0, {}, {"10.70.0.7"}}, [] {
               expect("setup guest: bind 10.70.0.7, its address", 0, bindErrno(SOCK_STREAM, "10.70.0.7"));
               expect("setup guest: set its own network set to 10.70.0.8 (control)", 0,
                      setNetSet(kXidSetup, {0, 0, {}, {"10.70.0.8"}}));
               expect("setup guest: bind 10.70.0.8, its new address", 0,
                      bindErrno(SOCK_STREAM, "10.70.0.8"));
               expect("setup guest: bind 10.70.0.7, its old address", EADDRNOTAVAIL,
                      bindErrno(SOCK_STREAM, "10.70.0.7"));
               int err = 0;
               try {
                 vs::PolicyChange seal;
                 seal.flags = {0, VSERVER_CF_STATE_SETUP};
                 vs::VserverClient().setPolicy(kXidSetup, seal);
               } catch (const vs::Error& e) {
                 err = e.errnum() ? e.errnum() : EINVAL;
               }
               expect("setup guest: seal itself", 0, err);
               expect("sealed guest: set its own network set", EPERM,
                      setNetSet(kXidSetup, {0, 0, {}, {"10.70.0.1", "10.70.0.8"}}));
               expect("sealed guest: set an empty network set", EPERM, setNetSet(kXidSetup, {}));
               expect("sealed guest: bind 10.70.0.1 after its refused change", EADDRNOTAVAIL,
                      bindErrno(SOCK_STREAM, "10.70.0.1"));
             });
}

// The host admin replaces the network set of a running guest: new binds
// follow it at once; an empty set leaves the guest confined.
void checkReplace() {
  Holder holder = holdContext(kXidReplace, "net-replace", {}, NetSet{0, 0, {}, {"10.70.0.7"}});
  if (holder.status != 0) return;
  inGuest(kXidReplace, [] {
    expect("guest R: bind 10.70.0.7, its address (control)", 0, bindErrno(SOCK_DGRAM, "10.70.0.7"));
    expect("guest R: bind 10.70.0.8, not yet its address", EADDRNOTAVAIL,
           bindErrno(SOCK_DGRAM, "10.70.0.8"));
  });
  expect("host: replace guest R's set by 10.70.0.8", 0, setNetSet(kXidReplace, {0, 0, {}, {"10.70.0.8"}}));
  expect("host: give guest R the lback of guest A", EADDRINUSE,
         setNetSet(kXidReplace, {0, 0, kLbackA, {"10.70.0.8"}}));
  inGuest(kXidReplace, [] {
    expect("guest R after the change: bind 10.70.0.8", 0, bindErrno(SOCK_DGRAM, "10.70.0.8"));
    expect("guest R after the change: bind 10.70.0.7", EADDRNOTAVAIL,
           bindErrno(SOCK_DGRAM, "10.70.0.7"));
    expect("guest R after the change: bind 10.70.0.1", EADDRNOTAVAIL,
           bindErrno(SOCK_DGRAM, "10.70.0.1"));
  });
  expect("host: replace guest R's set by an empty one", 0, setNetSet(kXidReplace, {}));
  inGuest(kXidReplace, [] {
    expect("guest R with an empty set: bind 10.70.0.8", EADDRNOTAVAIL,
           bindErrno(SOCK_DGRAM, "10.70.0.8"));
    expect("guest R with an empty set: bind 10.70.0.1", EADDRNOTAVAIL,
           bindErrno(SOCK_DGRAM, "10.70.0.1"));
    expect("guest R with an empty set: bind fd70::1", EADDRNOTAVAIL, bindErrno(SOCK_DGRAM, "fd70::1"));
    const std::string token = newToken();
    const int err = tcpSendTo("10.70.0.1", 80, token);
    std::printf("# guest R with an empty set: connect 10.70.0.1:80: %s\n", errnoName(err));
    expectReceiver("guest R with an empty set: TCP to 10.70.0.1:80 (no address to send from)",
                   token, "");
  });
  release(holder);

  // A sealed context's sockets were made under the set it has: it gets no
  // first set, nor one taking raw sockets back, which would leave the
  // packet and raw sockets it holds as they are (kmod).
  Holder unconfined = holdContext(kXidLateSet, "net-late-set", {}, std::nullopt);
  if (unconfined.status == 0)
    expect("host: give a sealed context without a network set its first", EBUSY,
           setNetSet(kXidLateSet, {0, 0, {}, {"10.70.0.12"}}));
  release(unconfined);
  Holder raw = holdContext(kXidLateRaw, "net-late-raw", {},
                           NetSet{0, VSERVER_NCAP_RAW, {}, {"10.70.0.12"}});
  if (raw.status == 0) {
    expect("host: take the raw ncap back from a sealed context", EBUSY,
           setNetSet(kXidLateRaw, {0, 0, {}, {"10.70.0.12"}}));
    expect("host: add an address to a sealed context's set, raw kept (control)", 0,
           setNetSet(kXidLateRaw, {0, VSERVER_NCAP_RAW, {}, {"10.70.0.12", "10.70.0.13"}}));
  }
  release(raw);
}

// --- 1. binds and listeners ---

// Host addresses and other guests' addresses, all local to the host (so
// that only the network set can refuse them), and addresses no guest owns.
struct Foreign {
  std::string addr;
  uint32_t scope = 0;
};

std::vector<Foreign> foreignOfA() {
  const uint32_t vsnet0 = if_nametoindex("vsnet0");
  return {{"10.70.0.1"}, {"10.70.0.5"}, {"10.70.0.4"},     {"10.71.0.1"},
          {"10.70.0.255"}, {"224.0.0.1"}, {"fd70::1"},     {"fd70::5"},
          {"fd70::4"},   {"fd71::1"},   {"ff05::2"},       {"fe80::1", vsnet0},
          {"::ffff:10.70.0.1"},         {"::ffff:10.70.0.4"}, {"::ffff:10.70.0.255"}};
}

constexpr int kIpv6HdrIncl = 36;  // IPV6_HDRINCL of linux/in6.h

const char* typeName(int type) { return type == SOCK_STREAM ? "TCP" : "UDP"; }

// A dual-stack socket for v4-mapped addresses, v6-only otherwise.
void dualStack(Socket& s) { s.setInt(IPPROTO_IPV6, IPV6_V6ONLY, 0); }

// The kernel refuses a TCP socket an IPv6 multicast address itself.
bool bindable(int type, const Foreign& f) { return type == SOCK_DGRAM || f.addr != "ff05::2"; }

void checkBinds() {
  // The host may bind each of them: the addresses are there.
  for (int type : {SOCK_STREAM, SOCK_DGRAM})
    for (const Foreign& f : foreignOfA())
      if (bindable(type, f))
        expect(std::string("host: bind ") + typeName(type) + " " + f.addr + " (control)", 0,
             bindErrno(type, f.addr, 0, 0, dualStack, f.scope));

  inGuest(kXidA, [] {
    for (int type : {SOCK_STREAM, SOCK_DGRAM}) {
      for (const Foreign& f : foreignOfA())
        if (bindable(type, f))
          expect(std::string("guest A: bind ") + typeName(type) + " " + f.addr, EADDRNOTAVAIL,
               bindErrno(type, f.addr, 0, 0, dualStack, f.scope));
      for (const char* own : {"10.70.0.2", "10.70.0.3", "fd70::2", "fd70::3", "::ffff:10.70.0.3",
                              "0.0.0.0", "::", "127.0.0.1"})
        expect(std::string("guest A: bind ") + typeName(type) + " " + own + " (control)", 0,
               bindErrno(type, own, 0, 0, dualStack));
      // A fixed port, as a server binds it.
      expect(std::string("guest A: bind ") + typeName(type) + " 10.70.0.1:8000", EADDRNOTAVAIL,
             bindErrno(type, "10.70.0.1", 8000));
    }
    expect("guest A: bind UDP-Lite 10.70.0.1", EADDRNOTAVAIL,
           bindErrno(SOCK_DGRAM, "10.70.0.1", 0, IPPROTO_UDPLITE));
    expect("guest A: bind UDP-Lite fd70::1", EADDRNOTAVAIL,
           bindErrno(SOCK_DGRAM, "fd70::1", 0, IPPROTO_UDPLITE));
    expect("guest A: bind UDP-Lite 10.70.0.2 (control)", 0,
           bindErrno(SOCK_DGRAM, "10.70.0.2", 0, IPPROTO_UDPLITE));
  });
  // With net.ipv4.ip_nonlocal_bind set by the host, still only its own.
  writeFile("/proc/sys/net/ipv4/ip_nonlocal_bind", "1\n");
  writeFile("/proc/sys/net/ipv6/ip_nonlocal_bind", "1\n");
  expect("host with ip_nonlocal_bind: bind TCP 10.70.0.200 (control)", 0,
         bindErrno(SOCK_STREAM, "10.70.0.200"));
  inGuest(kXidA, [] {
    for (int type : {SOCK_STREAM, SOCK_DGRAM})
      for (const char* addr : {"10.70.0.1", "10.70.0.200", "fd70::1", "fd70::200"})
        expect(std::string("guest A with ip_nonlocal_bind: bind ") + typeName(type) + " " + addr,
               EADDRNOTAVAIL, bindErrno(type, addr));
  });
  writeFile("/proc/sys/net/ipv4/ip_nonlocal_bind", "0\n");
  writeFile("/proc/sys/net/ipv6/ip_nonlocal_bind", "0\n");
}

void expectBoundTo(const std::string& what, int type, const std::string& wildcard,
                   const std::string& expected) {
  Socket s(familyOf(wildcard), type);
  if (familyOf(wildcard) == AF_INET6) s.setInt(IPPROTO_IPV6, IPV6_V6ONLY, 1);
  const int err = s.bindTo(makeAddress(wildcard, 0));
  const std::string got = err ? errnoName(err) : localHost(s.fd());
  report(got == expected, what + " -> " + expected, "got " + got);
}

void checkWildcardBinds() {
  inGuest(kXidB, [] {
    for (int type : {SOCK_STREAM, SOCK_DGRAM}) {
      expectBoundTo(std::string("guest B (one address): ") + typeName(type) + " bind 0.0.0.0", type,
                    "0.0.0.0", "10.70.0.4");
      expectBoundTo(std::string("guest B (one address): ") + typeName(type) + " bind ::", type, "::",
                    "fd70::4");
    }
  });
  inNewGuest(kXidSingle, "net-single", {}, NetSet{VSERVER_NF_SINGLE_IP, 0, {}, {"10.70.0.3", "10.70.0.2", "fd70::3", "fd70::2"}},
             [] {
               for (int type : {SOCK_STREAM, SOCK_DGRAM}) {
                 expectBoundTo(std::string("single_ip guest: ") + typeName(type) + " bind 0.0.0.0",
                               type, "0.0.0.0", "10.70.0.3");
                 expectBoundTo(std::string("single_ip guest: ") + typeName(type) + " bind ::", type,
                               "::", "fd70::3");
               }
             });
}

// The servers: the host, A and B each hold wildcard listeners on TCP 80
// and UDP 5300 of both families at once, and 127.0.0.1:3306; only the host
// listens on TCP 81 and UDP 5301.
bool startServers() {
  std::vector<Listen> common = {{"tcp", SOCK_STREAM, "0.0.0.0", 80}, {"tcp6", SOCK_STREAM, "::", 80},
                                {"udp", SOCK_DGRAM, "0.0.0.0", 5300}, {"udp6", SOCK_DGRAM, "::", 5300},
                                {"tcp", SOCK_STREAM, "127.0.0.1", 3306}};
  std::vector<Listen> host = common;
  host.insert(host.end(), {{"tcp", SOCK_STREAM, "0.0.0.0", 81}, {"tcp6", SOCK_STREAM, "::", 81},
                           {"udp", SOCK_DGRAM, "0.0.0.0", 5301}, {"udp6", SOCK_DGRAM, "::", 5301},
                           {"tcp", SOCK_STREAM, "127.0.0.2", 3307}, {"tcp6", SOCK_STREAM, "::1", 3306},
                           {"udp", SOCK_DGRAM, "127.0.0.1", 5353}});
  std::vector<Listen> guestA = common;
  guestA.push_back({"udp", SOCK_DGRAM, "127.0.0.1", 5354});
  std::vector<Listen> guestB = common;
  guestB.push_back({"tcp", SOCK_STREAM, "0.0.0.0", 8080});
  // Without the host's server nothing can be judged; without a guest's,
  // the checks that expect it fail, and the others still tell.
  if (!startServer("host", 0, {}, std::nullopt, host)) return false;
  startServer("A", kXidA, {}, NetSet{VSERVER_NF_HIDE_NETIF, 0, {}, kAddrsA}, guestA);
  startServer("B", kXidB, {}, NetSet{0, 0, kLbackB, kAddrsB}, guestB);
  return true;
}

void checkListeners() {
  // From the host: each address reaches its owner's wildcard listener.
  const std::vector<std::pair<std::string, std::string>> owners = {
      {"10.70.0.1", "host"}, {"10.70.0.5", "host"}, {"10.70.0.2", "A"}, {"10.70.0.3", "A"},
      {"10.70.0.4", "B"},    {"fd70::1", "host"},   {"fd70::5", "host"}, {"fd70::2", "A"},
      {"fd70::3", "A"},      {"fd70::4", "B"},      {"127.0.0.1", "host"}, {"::1", "host"}};
  for (const auto& [addr, owner] : owners) {
    tcpCheck("host: TCP to " + addr + ":80", addr, 80, owner);
    udpCheck("host: UDP to " + addr + ":5300", addr, 5300, owner);
  }
  // v4-mapped from a dual-stack socket of the host.
  tcpCheck("host: TCP to ::ffff:10.70.0.2:80", "::ffff:10.70.0.2", 80, "A");
  udpCheck("host: UDP to ::ffff:10.70.0.4:5300", "::ffff:10.70.0.4", 5300, "B");
  // Where only the host's wildcard listener is, a guest's address reaches
  // nobody, the host's does.
  for (const char* addr : {"10.70.0.2", "10.70.0.3", "10.70.0.4", "fd70::2", "fd70::4"}) {
    tcpCheck(std::string("host: TCP to ") + addr + ":81 (no guest listener)", addr, 81, "");
    udpCheck(std::string("host: UDP to ") + addr + ":5301 (no guest listener)", addr, 5301, "");
  }
  tcpCheck("host: TCP to 10.70.0.1:81 (control)", "10.70.0.1", 81, "host");
  udpCheck("host: UDP to 10.70.0.1:5301 (control)", "10.70.0.1", 5301, "host");
  tcpCheck("host: TCP to fd70::1:81 (control)", "fd70::1", 81, "host");
  // The host binds a wildcard port a guest already listens on.
  Bound late = listenOn(SOCK_STREAM, "0.0.0.0", 8080);
  expect("host: listen on 0.0.0.0:8080 after guest B", 0, late.error);
  if (!late.error) {
    tcpCheck("host: TCP to 10.70.0.4:8080", "10.70.0.4", 8080, "B");
    const std::string token = newToken();
    Socket c(AF_INET, SOCK_STREAM);
    setTimeouts(c.fd(), 3000);
    const Address to = makeAddress("10.70.0.1", 8080);
    int err = errnoOf(connect(c.fd(), to.get(), to.length));
    int conn = -1;
    if (!err) {
      pollfd p{late.socket.fd(), POLLIN, 0};
      conn = poll(&p, 1, 3000) == 1 ? accept(late.socket.fd(), nullptr, nullptr) : -1;
      if (conn < 0) err = ETIMEDOUT;
    }
    expect("host: TCP to 10.70.0.1:8080 reaches the host's late listener", 0, err);
    if (conn >= 0) close(conn);
  }
}

// --- 2. source addresses ---

// Control data of one message of level and type carrying info.
template <typename Info>
struct OneControl {
  OneControl(int level, int type, const Info& info) {
    auto* c = reinterpret_cast<cmsghdr*>(bytes);
    c->cmsg_level = level;
    c->cmsg_type = type;
    c->cmsg_len = CMSG_LEN(sizeof(Info));
    std::memcpy(CMSG_DATA(c), &info, sizeof(Info));
  }
  alignas(cmsghdr) char bytes[CMSG_SPACE(sizeof(Info))] = {};
};

// Two datagrams to dst for one sendmmsg(), carrying first and second
// (which must outlive it); a message's control data is set apart.
class TwoDatagrams {
 public:
  TwoDatagrams(const Address& dst, const std::string& first, const std::string& second) {
    const std::string* tokens[2] = {&first, &second};
    for (int i = 0; i < 2; i++) {
      iov_[i] = {const_cast<char*>(tokens[i]->data()), tokens[i]->size()};
      messages_[i].msg_hdr.msg_name = const_cast<sockaddr*>(dst.get());
      messages_[i].msg_hdr.msg_namelen = dst.length;
      messages_[i].msg_hdr.msg_iov = &iov_[i];
      messages_[i].msg_hdr.msg_iovlen = 1;
    }
  }
  TwoDatagrams(const TwoDatagrams&) = delete;
  TwoDatagrams& operator=(const TwoDatagrams&) = delete;

  template <typename Info>
  void setControl(int message, OneControl<Info>& control) {
    messages_[message].msg_hdr.msg_control = control.bytes;
    messages_[message].msg_hdr.msg_controllen = sizeof(control.bytes);
  }
  mmsghdr* messages() { return messages_; }

 private:
  iovec iov_[2]{};
  mmsghdr messages_[2]{};
};

// Sends size bytes of data on fd (to *to, or to its peer when to is
// null) with one control message of level and type carrying info; 0 or
// sendmsg's errno.
template <typename Info>
int sendmsgWithInfo(int fd, const Address* to, const void* data, size_t size, int level, int type,
                    const Info& info) {
  OneControl<Info> control(level, type, info);
  iovec iov{const_cast<void*>(data), size};
  msghdr msg{};
  if (to) {
    msg.msg_name = const_cast<sockaddr*>(to->get());
    msg.msg_namelen = to->length;
  }
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = control.bytes;
  msg.msg_controllen = sizeof(control.bytes);
  return errnoOf(sendmsg(fd, &msg, 0));
}

// Sends token on fd (to dst, or to its peer when dst is null) with an
// IP_PKTINFO or IPV6_PKTINFO source; 0 or sendmsg's errno.
int sendmsgWithSource(int fd, const Address* dst, const std::string& source,
                      const std::string& token) {
  if (familyOf(source) == AF_INET) {
    in_pktinfo info{};
    inet_pton(AF_INET, source.c_str(), &info.ipi_spec_dst);
    return sendmsgWithInfo(fd, dst, token.data(), token.size(), IPPROTO_IP, IP_PKTINFO, info);
  }
  in6_pktinfo info{};
  inet_pton(AF_INET6, source.c_str(), &info.ipi6_addr);
  return sendmsgWithInfo(fd, dst, token.data(), token.size(), IPPROTO_IPV6, IPV6_PKTINFO, info);
}

// Sends token from a fresh UDP socket to to, with an IP_PKTINFO or
// IPV6_PKTINFO source; prepare runs first.  0 or sendmsg's errno.
int sendWithSource(const std::string& to, uint16_t port, const std::string& source,
                   const std::string& token, const std::function<void(Socket&)>& prepare = {},
                   int socketFamily = 0) {
  const Address dst = makeAddress(to, port);
  Socket s(socketFamily ? socketFamily : dst.family(), SOCK_DGRAM);
  if (prepare) prepare(s);
  return sendmsgWithSource(s.fd(), &dst, source, token);
}

void freebind(Socket& s) {
  s.setInt(IPPROTO_IP, IP_FREEBIND, 1);
  s.setInt(IPPROTO_IPV6, IPV6_FREEBIND, 1);
}

// A source the guest may not use: the send must fail (EADDRNOTAVAIL, as
// docs/security-model.md names it) and reach nobody.
void expectForeignSourceFails(const std::string& what, const std::string& to, uint16_t port,
                              const std::string& source,
                              const std::function<void(Socket&)>& prepare = {},
                              int socketFamily = 0) {
  const std::string token = newToken();
  const int err = sendWithSource(to, port, source, token, prepare, socketFamily);
  expect(what, EADDRNOTAVAIL, err);
  expectReceiver(what + ": the datagram", token, "");
}

void expectOwnSourceWorks(const std::string& what, const std::string& to, uint16_t port,
                          const std::string& source, const std::string& seenAs,
                          const std::function<void(Socket&)>& prepare = {}, int socketFamily = 0) {
  const std::string token = newToken();
  const int err = sendWithSource(to, port, source, token, prepare, socketFamily);
  expect(what + " (control)", 0, err);
  if (!err) expectReceiver(what + ": the datagram", token, "host", {seenAs});
}

void checkSources() {
  inGuest(kXidA, [] {
    // Unbound sockets: the route's preferred source (the host's own
    // address, for a host destination) must become the guest's first.
    tcpCheck("guest A: unbound TCP to 10.70.0.1:80", "10.70.0.1", 80, "host", {"10.70.0.2"});
    tcpCheck("guest A: unbound TCP to 10.70.0.5:80", "10.70.0.5", 80, "host", {"10.70.0.2"});
    tcpCheck("guest A: unbound TCP to 10.70.0.4:80 (guest B)", "10.70.0.4", 80, "B", {"10.70.0.2"});
    // The local route of a secondary address (10.70.0.3) prefers the
    // primary one, the host's 10.70.0.1: so the guest's first, again.
    tcpCheck("guest A: unbound TCP to its own 10.70.0.3:80", "10.70.0.3", 80, "A", {"10.70.0.2"});
    udpCheck("guest A: unbound UDP to 10.70.0.1:5300", "10.70.0.1", 5300, "host", {"10.70.0.2"});
    udpCheck("guest A: unbound UDP to 10.71.0.1:5300", "10.71.0.1", 5300, "host", {"10.70.0.2"});
    tcpCheck("guest A: unbound TCP to fd70::1:80", "fd70::1", 80, "host", {"fd70::2"});
    udpCheck("guest A: unbound UDP to fd70::1:5300", "fd70::1", 5300, "host", {"fd70::2"});
    udpCheck("guest A: unbound UDP to fd71::1:5300", "fd71::1", 5300, "host", {"fd70::2"});
    tcpCheck("guest A: unbound TCP to ::ffff:10.70.0.1:80", "::ffff:10.70.0.1", 80, "host",
             {"10.70.0.2"});
    udpCheck("guest A: unbound UDP to ::ffff:10.70.0.1:5300", "::ffff:10.70.0.1", 5300, "host",
             {"10.70.0.2"});
    for (const auto& [to, from] : {std::pair<std::string, std::string>{"10.70.0.1", "10.70.0.2"},
                                   {"fd70::1", "fd70::2"}}) {
      // A connected UDP socket picks its source at connect().
      const std::string token = newToken();
      Socket s(familyOf(to), SOCK_DGRAM);
      const Address dst = makeAddress(to, 5300);
      int err = errnoOf(connect(s.fd(), dst.get(), dst.length));
      if (!err) err = errnoOf(send(s.fd(), token.data(), token.size(), 0));
      expect("guest A: connected UDP to " + to + ":5300", 0, err);
      if (!err) {
        report(localHost(s.fd()) == from, "guest A: connected UDP to " + to + " is bound to " + from,
               "bound to " + localHost(s.fd()));
        expectReceiver("guest A: connected UDP to " + to + ":5300", token, "host", {from});
      }
    }
    {
      // Bound to the wildcard first, then connected.
      const std::string token = newToken();
      Socket s(AF_INET, SOCK_STREAM);
      expect("guest A: bind TCP 0.0.0.0:0 before connecting", 0, s.bindTo(makeAddress("0.0.0.0", 0)));
      const int err = tcpSend(s, makeAddress("10.70.0.1", 80), token);
      expect("guest A: wildcard-bound TCP connects to 10.70.0.1:80", 0, err);
      if (!err) expectReceiver("guest A: wildcard-bound TCP to 10.70.0.1:80", token, "host", {"10.70.0.2"});
    }
    // Where the guest has no listener, the host's wildcard one must not
    // answer for the guest's addresses, whoever sends.
    tcpCheck("guest A: TCP to guest B's 10.70.0.4:81", "10.70.0.4", 81, "");
    tcpCheck("guest A: TCP to its own 10.70.0.2:81", "10.70.0.2", 81, "");
    udpCheck("guest A: UDP to guest B's 10.70.0.4:5301", "10.70.0.4", 5301, "");
    udpCheck("guest A: UDP to its own 10.70.0.3:5301", "10.70.0.3", 5301, "");
    udpCheck("guest A: UDP to guest B's fd70::4:5301", "fd70::4", 5301, "");

    // Explicit sources.
    expectOwnSourceWorks("guest A: UDP with IP_PKTINFO 10.70.0.3", "10.70.0.1", 5300, "10.70.0.3",
                         "10.70.0.3");
    expectOwnSourceWorks("guest A: UDP with IPV6_PKTINFO fd70::3", "fd70::1", 5300, "fd70::3",
                         "fd70::3");
    for (const char* source : {"10.70.0.1", "10.70.0.4", "10.70.0.5", "10.71.0.1"})
      expectForeignSourceFails(std::string("guest A: UDP with IP_PKTINFO ") + source, "10.70.0.1",
                               5300, source);
    for (const char* source : {"fd70::1", "fd70::4", "fd71::1"})
      expectForeignSourceFails(std::string("guest A: UDP with IPV6_PKTINFO ") + source, "fd70::1",
                               5300, source);
    {
      // A connected socket reuses the route it cached: the source a
      // control message names must still be checked.
      Socket s(AF_INET6, SOCK_DGRAM);
      freebind(s);
      const Address dst = makeAddress("fd70::1", 5300);
      expect("guest A: connect a UDP socket with IPV6_FREEBIND to fd70::1:5300", 0,
             errnoOf(connect(s.fd(), dst.get(), dst.length)));
      const std::string warm = newToken();
      expect("guest A: send on it, caching its route (control)", 0,
             errnoOf(send(s.fd(), warm.data(), warm.size(), 0)));
      expectReceiver("guest A: the datagram on the connected socket", warm, "host", {"fd70::2"});
      for (const char* source : {"fd70::1", "fd70::4"}) {
        const std::string token = newToken();
        const std::string what =
            std::string("guest A: connected UDP with IPV6_PKTINFO ") + source + " on a cached route";
        expect(what, EADDRNOTAVAIL, sendmsgWithSource(s.fd(), nullptr, source, token));
        expectReceiver(what + ": the datagram", token, "");
      }
    }
    expectForeignSourceFails("guest A: v4-mapped UDP with IPV6_PKTINFO ::ffff:10.70.0.1",
                             "::ffff:10.70.0.1", 5300, "::ffff:10.70.0.1", dualStack, AF_INET6);
    expectForeignSourceFails("guest A: v4-mapped UDP with IP_PKTINFO 10.70.0.1",
                             "::ffff:10.70.0.1", 5300, "10.70.0.1", dualStack, AF_INET6);
    // IPV6_PKTINFO as a sticky socket option, not a control message (6.1
    // takes only its interface for UDP): whatever it names, a datagram
    // that goes out carries one of the guest's addresses.
    for (const char* source : {"fd70::1", "fd70::4"}) {
      const std::string token = newToken();
      Socket s(AF_INET6, SOCK_DGRAM);
      in6_pktinfo info{};
      inet_pton(AF_INET6, source, &info.ipi6_addr);
      int err = errnoOf(setsockopt(s.fd(), IPPROTO_IPV6, IPV6_PKTINFO, &info, sizeof(info)));
      const int setErr = err;
      const Address dst = makeAddress("fd70::1", 5300);
      if (!err) err = errnoOf(sendto(s.fd(), token.data(), token.size(), 0, dst.get(), dst.length));
      const std::string what = std::string("guest A: UDP with a sticky IPV6_PKTINFO ") + source;
      std::printf("# %s: setsockopt %s, send %s\n", what.c_str(), errnoName(setErr), errnoName(err));
      if (err)
        expectReceiver(what + ": the refused datagram", token, "");
      else
        expectReceiver(what + ": the datagram", token, "host", {"fd70::2", "fd70::3"});
    }
    // IP_MULTICAST_IF names a source too.
    for (const auto& [source, own] : {std::pair<std::string, bool>{"10.70.0.1", false},
                                      {"10.70.0.4", false}, {"10.70.0.2", true}}) {
      Socket s(AF_INET, SOCK_DGRAM);
      in_addr iface{};
      inet_pton(AF_INET, source.c_str(), &iface);
      int err = errnoOf(setsockopt(s.fd(), IPPROTO_IP, IP_MULTICAST_IF, &iface, sizeof(iface)));
      const int setErr = err;
      const Address group = makeAddress("239.70.0.1", 5301);
      const std::string token = newToken();
      if (!err) err = errnoOf(sendto(s.fd(), token.data(), token.size(), 0, group.get(), group.length));
      const std::string what = "guest A: multicast with IP_MULTICAST_IF " + source;
      std::printf("# %s: setsockopt %s, send %s\n", what.c_str(), errnoName(setErr), errnoName(err));
      expect(what + (own ? " (control)" : " (setsockopt or send)"), own ? 0 : EADDRNOTAVAIL, err);
    }
    for (const char* source : {"10.70.0.1", "10.70.0.200"})
      expectForeignSourceFails(std::string("guest A: UDP with IP_FREEBIND and IP_PKTINFO ") + source,
                               "10.70.0.1", 5300, source, freebind);
    expectForeignSourceFails("guest A: UDP with IPV6_FREEBIND and IPV6_PKTINFO fd70::200",
                             "fd70::1", 5300, "fd70::200", freebind);
    for (int type : {SOCK_STREAM, SOCK_DGRAM})
      for (const char* addr : {"10.70.0.1", "10.70.0.200", "fd70::1", "fd70::200"})
        expect(std::string("guest A: ") + typeName(type) + " with IP_FREEBIND binds " + addr,
               EADDRNOTAVAIL, bindErrno(type, addr, 0, 0, freebind));

    // sendmmsg: each message is checked as sendmsg checks it.
    {
      const Address dst = makeAddress("10.70.0.1", 5300);
      const std::string good = newToken(), bad = newToken();
      in_pktinfo goodInfo{}, badInfo{};
      inet_pton(AF_INET, "10.70.0.3", &goodInfo.ipi_spec_dst);
      inet_pton(AF_INET, "10.70.0.1", &badInfo.ipi_spec_dst);
      OneControl<in_pktinfo> goodControl(IPPROTO_IP, IP_PKTINFO, goodInfo);
      OneControl<in_pktinfo> badControl(IPPROTO_IP, IP_PKTINFO, badInfo);
      TwoDatagrams msgs(dst, good, bad);
      msgs.setControl(0, goodControl);
      msgs.setControl(1, badControl);
      Socket s(AF_INET, SOCK_DGRAM);
      const int sent = sendmmsg(s.fd(), msgs.messages(), 2, 0);
      report(sent == 1, "guest A: sendmmsg of an own-source and a foreign-source message -> 1 sent",
             "got " + std::to_string(sent) + (sent < 0 ? std::string(" ") + errnoName(errno) : ""));
      expectReceiver("guest A: sendmmsg's own-source message", good, "host", {"10.70.0.3"});
      expectReceiver("guest A: sendmmsg's foreign-source message", bad, "");
      const int single = sendWithSource("10.70.0.1", 5300, "10.70.0.1", newToken());
      const int multi = errnoOf(sendmmsg(s.fd(), &msgs.messages()[1], 1, 0));
      report(multi != 0 && multi == single,
             "guest A: sendmmsg of a foreign source fails as sendmsg does",
             std::string("sendmmsg ") + errnoName(multi) + ", sendmsg " + errnoName(single));
      expectReceiver("guest A: the refused sendmmsg message", bad, "");
      // Unbound, to loopback: each message goes to the guest's own lback.
      const Address lo = makeAddress("127.0.0.1", 5353);
      const std::string l1 = newToken(), l2 = newToken();
      TwoDatagrams lmsgs(lo, l1, l2);
      Socket u(AF_INET, SOCK_DGRAM);
      const int lsent = sendmmsg(u.fd(), lmsgs.messages(), 2, 0);
      std::printf("# guest A: sendmmsg to 127.0.0.1:5353: %d\n", lsent);
      expectReceiver("guest A: sendmmsg to the host's 127.0.0.1:5353, first", l1, "");
      expectReceiver("guest A: sendmmsg to the host's 127.0.0.1:5353, second", l2, "");
      // And to a host address with no source given: the guest's.
      const std::string m1 = newToken();
      iovec miov{const_cast<char*>(m1.data()), m1.size()};
      mmsghdr mmsg{};
      mmsg.msg_hdr.msg_name = const_cast<sockaddr*>(dst.get());
      mmsg.msg_hdr.msg_namelen = dst.length;
      mmsg.msg_hdr.msg_iov = &miov;
      mmsg.msg_hdr.msg_iovlen = 1;
      Socket v(AF_INET, SOCK_DGRAM);
      expect("guest A: unbound sendmmsg to 10.70.0.1:5300", 0, errnoOf(sendmmsg(v.fd(), &mmsg, 1, 0)) );
      expectReceiver("guest A: unbound sendmmsg to 10.70.0.1:5300", m1, "host", {"10.70.0.2"});
    }
  });
  inGuest(kXidB, [] {
    tcpCheck("guest B: unbound TCP to 10.70.0.1:80", "10.70.0.1", 80, "host", {"10.70.0.4"});
    udpCheck("guest B: unbound UDP to 10.70.0.1:5300", "10.70.0.1", 5300, "host", {"10.70.0.4"});
    tcpCheck("guest B: unbound TCP to fd70::1:80", "fd70::1", 80, "host", {"fd70::4"});
    tcpCheck("guest B: unbound TCP to guest A's 10.70.0.2:80", "10.70.0.2", 80, "A", {"10.70.0.4"});
  });
  // Controls on the host: freebind works there.
  expect("host: TCP with IP_FREEBIND binds 10.70.0.200 (control)", 0,
         bindErrno(SOCK_STREAM, "10.70.0.200", 0, 0, freebind));
  expect("host: UDP with IPV6_FREEBIND binds fd70::200 (control)", 0,
         bindErrno(SOCK_DGRAM, "fd70::200", 0, 0, freebind));
}

// --- 3. loopback ---

void checkLoopback() {
  tcpCheck("host: TCP to 127.0.0.1:3306 (control)", "127.0.0.1", 3306, "host");
  tcpCheck("host: TCP to 127.0.0.2:3307 (control)", "127.0.0.2", 3307, "host");
  tcpCheck("host: TCP to ::1:81 (control)", "::1", 81, "host");
  udpCheck("host: UDP to 127.0.0.1:5353 (control)", "127.0.0.1", 5353, "host");
  udpCheck("host: UDP to 127.0.0.1:5301 (control)", "127.0.0.1", 5301, "host");
  inGuest(kXidA, [] {
    expectBoundTo("guest A: bind 127.0.0.1 gives its default lback", SOCK_STREAM, "127.0.0.1", kLbackA);
    expectBoundTo("guest A: bind 127.3.3.3 gives its default lback", SOCK_DGRAM, "127.3.3.3", kLbackA);
    tcpCheck("guest A: TCP to 127.0.0.1:3306 reaches its own", "127.0.0.1", 3306, "A", {kLbackA});
    tcpCheck("guest A: TCP to 127.0.0.9:3306 reaches its own", "127.0.0.9", 3306, "A", {kLbackA});
    tcpCheck("guest A: TCP to guest B's lback 127.5.6.7:3306", kLbackB, 3306, "A", {kLbackA});
    tcpCheck("guest A: TCP to ::1:3306 (v4-mapped lback) reaches its own", "::1", 3306, "A", {kLbackA});
    udpCheck("guest A: UDP to 127.0.0.1:5354 reaches its own", "127.0.0.1", 5354, "A", {kLbackA});
    tcpCheck("guest A: TCP to the host's 127.0.0.2:3307", "127.0.0.2", 3307, "");
    tcpCheck("guest A: TCP to 127.0.0.1:81 (host wildcard)", "127.0.0.1", 81, "");
    tcpCheck("guest A: TCP to 127.7.7.7:81 (host wildcard)", "127.7.7.7", 81, "");
    tcpCheck("guest A: TCP to its lback :81 (host wildcard)", kLbackA, 81, "");
    tcpCheck("guest A: TCP to ::1:81 (host wildcard)", "::1", 81, "");
    tcpCheck("guest A: TCP to ::ffff:127.0.0.2:3307", "::ffff:127.0.0.2", 3307, "");
    udpCheck("guest A: UDP to the host's 127.0.0.1:5353", "127.0.0.1", 5353, "");
    // Connecting to the unspecified address means the loopback one.
    tcpCheck("guest A: TCP to 0.0.0.0:3306 reaches its own", "0.0.0.0", 3306, "A", {kLbackA});
    tcpCheck("guest A: TCP to 0.0.0.0:3307 (the host's 127.0.0.2)", "0.0.0.0", 3307, "");
    udpCheck("guest A: UDP to 0.0.0.0:5353 (the host's 127.0.0.1)", "0.0.0.0", 5353, "");
    tcpCheckNot("guest A: TCP to [::]:3306 (the host's ::1:3306)", "::", 3306, {"host", "B"});
    tcpCheckNot("guest A: TCP to [::]:81 (the host's wildcard)", "::", 81, {"host", "B"});
    udpCheck("guest A: UDP to 127.0.0.1:5301 (host wildcard)", "127.0.0.1", 5301, "");
    udpCheck("guest A: UDP to ::1:5301 (host wildcard)", "::1", 5301, "");
    expectForeignSourceFails("guest A: UDP with IP_PKTINFO 127.0.0.1 to 10.70.0.1", "10.70.0.1",
                             5300, "127.0.0.1");
    // Its loopback address speaks to itself only: a service of the host's
    // or of another guest would take such a peer for a local one.
    expectForeignSourceFails("guest A: UDP with IP_PKTINFO its lback to 10.70.0.1", "10.70.0.1",
                             5300, kLbackA);
    for (const auto& [to, who] : {std::pair<std::string, std::string>{"10.70.0.1", ""},
                                  {"10.70.0.4", ""},
                                  {"10.70.0.3", "A"}}) {
      const std::string token = newToken();
      Socket tcp(AF_INET, SOCK_STREAM);
      const std::string what = "guest A: TCP bound to 127.0.0.1 (its lback) to " + to + ":80";
      expect("guest A: bind TCP to 127.0.0.1 before connecting to " + to, 0,
             tcp.bindTo(makeAddress("127.0.0.1", 0)));
      const int err = tcpSend(tcp, makeAddress(to, 80), token);
      if (who.empty()) {
        expect(what, EADDRNOTAVAIL, err);
        expectReceiver(what, token, "");
      } else {
        expectDelivered(what + ", its own address (control)", "connect", err, token, who, {kLbackA});
      }
    }
    // Bound to its own address first: the native loopback stays the
    // host's, whatever the source.
    for (const char* to : {"::1", "::"}) {
      const std::string where = std::string("[") + to + "]";
      const std::string token = newToken();
      Socket tcp(AF_INET6, SOCK_STREAM);
      expect("guest A: bind TCP to fd70::2 before connecting to " + where, 0,
             tcp.bindTo(makeAddress("fd70::2", 0)));
      const std::string what = "guest A: TCP from fd70::2 to " + where + ":3306 (the host's ::1)";
      expect(what, ENETUNREACH, tcpSend(tcp, makeAddress(to, 3306), token));
      expectReceiver(what, token, "");
      const std::string datagram = newToken();
      Socket udp(AF_INET6, SOCK_DGRAM);
      expect("guest A: bind UDP to fd70::2 before sending to " + where, 0,
             udp.bindTo(makeAddress("fd70::2", 0)));
      const Address dst = makeAddress(to, 5301);
      const std::string udpWhat = "guest A: UDP from fd70::2 to " + where + ":5301 (host wildcard)";
      expect(udpWhat, ENETUNREACH,
             errnoOf(sendto(udp.fd(), datagram.data(), datagram.size(), 0, dst.get(), dst.length)));
      expectReceiver(udpWhat, datagram, "");
    }
  });
  inGuest(kXidB, [] {
    expectBoundTo("guest B: bind 127.0.0.1 gives its explicit lback", SOCK_STREAM, "127.0.0.1", kLbackB);
    tcpCheck("guest B: TCP to 127.0.0.1:3306 reaches its own", "127.0.0.1", 3306, "B", {kLbackB});
    tcpCheck("guest B: TCP to guest A's lback:3306", kLbackA, 3306, "B", {kLbackB});
    tcpCheck("guest B: TCP to 127.0.0.2:3307 (host)", "127.0.0.2", 3307, "");
    udpCheck("guest B: UDP to 127.0.0.1:5354 (guest A's port)", "127.0.0.1", 5354, "");
  });
}

// --- 4. visibility ---

std::map<std::string, std::vector<uint64_t>> inodesOf(const std::string& name) {
  std::map<std::string, std::vector<uint64_t>> out;
  for (const Server& s : servers) {
    if (s.name != name) continue;
    std::istringstream fields(s.ask("i"));
    std::string field;
    while (fields >> field) {
      const size_t eq = field.find('=');
      if (eq != std::string::npos)
        out[field.substr(0, eq)].push_back(std::stoull(field.substr(eq + 1)));
    }
  }
  return out;
}

// In where's view, table lists mine and none of theirs.
void checkSockets(const std::string& where, const std::string& table, const std::set<uint64_t>& shown,
                  const std::vector<uint64_t>& mine, const std::vector<uint64_t>& theirs,
                  const std::string& whose) {
  std::string missing, extra;
  for (uint64_t ino : mine)
    if (!shown.count(ino)) missing += " " + std::to_string(ino);
  report(missing.empty() && !mine.empty(), where + ": " + table + " shows its own sockets",
         "missing" + missing + (mine.empty() ? " (none known)" : ""));
  for (uint64_t ino : theirs)
    if (shown.count(ino)) extra += " " + std::to_string(ino);
  report(extra.empty() && !theirs.empty(), where + ": " + table + " hides " + whose + "'s sockets",
         "shows" + extra + (theirs.empty() ? " (none known)" : ""));
}

bool isLoopback(const std::string& addr) {
  return addr == "::1" || unmapped(addr).rfind("127.", 0) == 0;
}

// Every address shown is own or loopback, and every own one of family is.
void checkAddressList(const std::string& what, const std::vector<std::string>& shown,
                      const std::vector<std::string>& own, int family) {
  std::string foreign, missing;
  for (const std::string& a : shown)
    if (!contains(own, a) && !isLoopback(a)) foreign += " " + a;
  for (const std::string& a : own)
    if (familyOf(a) == family && !contains(shown, a)) missing += " " + a;
  report(foreign.empty(), what + " shows no foreign address", "shows" + foreign);
  report(missing.empty(), what + " shows the guest's addresses", "lacks" + missing);
}

std::vector<std::string> ifInet6() {
  std::vector<std::string> out;
  std::istringstream in(readFile("/proc/net/if_inet6"));
  std::string hex, rest;
  while (in >> hex && std::getline(in, rest)) {
    in6_addr a{};
    for (size_t i = 0; i < 16 && hex.size() == 32; i++)
      a.s6_addr[i] = static_cast<uint8_t>(std::stoul(hex.substr(i * 2, 2), nullptr, 16));
    char text[INET6_ADDRSTRLEN];
    inet_ntop(AF_INET6, &a, text, sizeof(text));
    out.push_back(text);
  }
  return out;
}

std::vector<std::string> procNetDevLinks() {
  std::vector<std::string> out;
  std::istringstream in(readFile("/proc/net/dev"));
  std::string line;
  while (std::getline(in, line)) {
    const size_t colon = line.find(':');
    if (colon == std::string::npos) continue;
    std::string name = line.substr(0, colon);
    name.erase(0, name.find_first_not_of(' '));
    out.push_back(name);
  }
  return out;
}

std::vector<std::string> getifaddrsList(std::vector<std::string>* links) {
  std::vector<std::string> out;
  ifaddrs* list = nullptr;
  if (getifaddrs(&list) != 0) return {"getifaddrs failed: " + std::string(errnoName(errno))};
  for (ifaddrs* i = list; i; i = i->ifa_next) {
    if (!i->ifa_addr) continue;
    if (i->ifa_addr->sa_family == AF_INET || i->ifa_addr->sa_family == AF_INET6)
      out.push_back(hostOf(i->ifa_addr));
    else if (i->ifa_addr->sa_family == AF_PACKET && links)
      links->push_back(i->ifa_name);
  }
  freeifaddrs(list);
  return out;
}

std::vector<std::string> ifconfList() {
  std::vector<std::string> out;
  Socket s(AF_INET, SOCK_DGRAM);
  std::vector<ifreq> reqs(64);
  ifconf conf{};
  conf.ifc_len = static_cast<int>(reqs.size() * sizeof(ifreq));
  conf.ifc_req = reqs.data();
  if (ioctl(s.fd(), SIOCGIFCONF, &conf) != 0) return {"SIOCGIFCONF failed"};
  for (size_t i = 0; i < conf.ifc_len / sizeof(ifreq); i++) out.push_back(hostOf(&reqs[i].ifr_addr));
  return out;
}

// SIOCGIFADDR of link: the address, or the errno's name.
std::string ifAddress(const char* link) {
  ifreq req = interfaceRequest(link);
  if (const int err = interfaceIoctl(SIOCGIFADDR, req)) return errnoName(err);
  return hostOf(&req.ifr_addr);
}

void checkLinks(const std::string& where, bool hidden) {
  int err = 0;
  const std::vector<std::string> links = dumpLinks(&err);
  expect(where + ": RTM_GETLINK dump", 0, err);
  report(contains(links, "lo") && contains(links, "vsnet0"), where + ": RTM_GETLINK shows lo and vsnet0",
         "shows " + join(links));
  report(contains(links, "vsnet1") != hidden,
         where + ": RTM_GETLINK " + (hidden ? "hides" : "shows") + " vsnet1", "shows " + join(links));
  const std::vector<std::string> dev = procNetDevLinks();
  report(contains(dev, "lo") && contains(dev, "vsnet0"), where + ": /proc/net/dev shows lo and vsnet0",
         "shows " + join(dev));
  report(contains(dev, "vsnet1") != hidden,
         where + ": /proc/net/dev " + (hidden ? "hides" : "shows") + " vsnet1", "shows " + join(dev));
  std::vector<std::string> packetLinks;
  getifaddrsList(&packetLinks);
  report(contains(packetLinks, "vsnet1") != hidden,
         where + ": getifaddrs " + (hidden ? "hides" : "shows") + " vsnet1", "shows " + join(packetLinks));
}

// A guest's view of addresses, with own its addresses.
void checkAddressViews(const std::string& where, const std::vector<std::string>& own) {
  int err = 0;
  const auto v4 = dumpAddresses(AF_INET, &err);
  expect(where + ": RTM_GETADDR IPv4 dump", 0, err);
  checkAddressList(where + ": RTM_GETADDR IPv4", v4, own, AF_INET);
  const auto v6 = dumpAddresses(AF_INET6, &err);
  expect(where + ": RTM_GETADDR IPv6 dump", 0, err);
  checkAddressList(where + ": RTM_GETADDR IPv6", v6, own, AF_INET6);
  const auto all = dumpAddresses(AF_UNSPEC, &err);
  checkAddressList(where + ": RTM_GETADDR AF_UNSPEC", all, own, AF_INET6);
  const auto ifaddrs = getifaddrsList(nullptr);
  checkAddressList(where + ": getifaddrs", ifaddrs, own, AF_INET);
  checkAddressList(where + ": getifaddrs", ifaddrs, own, AF_INET6);
  checkAddressList(where + ": SIOCGIFCONF", ifconfList(), own, AF_INET);
  checkAddressList(where + ": /proc/net/if_inet6", ifInet6(), own, AF_INET6);
  for (const char* link : {"vsnet0", "vsnet1"}) {
    const std::string got = ifAddress(link);
    report(got.find('.') == std::string::npos || contains(own, got),
           where + ": SIOCGIFADDR of " + link + " gives no foreign address", "gave " + got);
  }
  const std::string trie = readFile("/proc/net/fib_trie");
  std::string leaked;
  for (const char* foreign : {"10.70.0.1\n", "10.70.0.5\n", "10.71.0.1\n"})
    if (trie.find(std::string("|-- ") + foreign) != std::string::npos) leaked += std::string(" ") + foreign;
  report(leaked.empty(), where + ": /proc/net/fib_trie shows no foreign address", "shows" + leaked);
}

// sock_diag: a lookup of one socket is judged by who asks, not by the
// kernel's socket it reaches (patch 0115), and a guest on the host's
// stack asks for no kind of socket whose dump would not pick out its own
// (0116): netlink, packet, MPTCP.
void checkSockDiagReach() {
  Bound hostListener = listenOn(SOCK_STREAM, "10.70.0.1", 7010);
  Socket hostPacket(AF_PACKET, SOCK_DGRAM, 0);
  Socket hostMptcp(AF_INET, SOCK_STREAM, IPPROTO_MPTCP);
  const Address mptcpAt = makeAddress("10.70.0.1", 7011);
  int mptcpErr = hostMptcp.error();
  if (!mptcpErr) mptcpErr = hostMptcp.bindTo(mptcpAt);
  if (!mptcpErr) mptcpErr = errnoOf(listen(hostMptcp.fd(), 4));
  expect("host: an MPTCP listener on 10.70.0.1:7011 (control)", 0, mptcpErr);
  const std::string hostUnixPath = "/tmp/vs-net-diag-host.sock";
  Socket hostUnix(AF_UNIX, SOCK_STREAM);
  expect("host: bind a unix socket (control)", 0, hostUnix.bindToPath(hostUnixPath));
  const uint64_t hostTcpInode = inodeOf(hostListener.socket.fd());
  const uint64_t hostUnixInode = inodeOf(hostUnix.fd());
  struct Kind {
    const char* name;
    int family, protocol;
    uint64_t hostInode;
  };
  const std::vector<Kind> refused = {{"netlink", AF_NETLINK, 0, 0},
                                     {"packet", AF_PACKET, 0, inodeOf(hostPacket.fd())},
                                     {"MPTCP", AF_INET, IPPROTO_MPTCP, inodeOf(hostMptcp.fd())}};
  int err = 0;
  uint64_t found = diagLookupTcp("10.70.0.1", 7010, &err);
  report(found == hostTcpInode, "host: sock_diag's lookup of its listener 10.70.0.1:7010 (control)",
         errnoName(err));
  found = diagLookupUnix(hostUnixInode, &err);
  report(found == hostUnixInode, "host: sock_diag's lookup of its unix socket by inode (control)",
         errnoName(err));
  for (const Kind& k : refused) {
    const auto shown = diagInodes(k.family, k.protocol, &err);
    report(!err && !shown.empty() && (!k.hostInode || shown.count(k.hostInode)),
           std::string("host: sock_diag ") + k.name + " dump shows its sockets (control)",
           std::string(errnoName(err)) + ", " + std::to_string(shown.size()) + " shown");
  }
  inGuest(kXidA, [&] {
    Bound own = listenOn(SOCK_STREAM, "10.70.0.2", 7012);
    int guestErr = 0;
    uint64_t got = diagLookupTcp("10.70.0.1", 7010, &guestErr);
    report(got == 0 && guestErr == ENOENT,
           "guest A: sock_diag's lookup of the host's listener 10.70.0.1:7010 -> ENOENT",
           "got inode " + std::to_string(got) + ", " + errnoName(guestErr));
    got = diagLookupTcp("10.70.0.2", 7012, &guestErr);
    report(got == inodeOf(own.socket.fd()),
           "guest A: sock_diag's lookup of its own listener 10.70.0.2:7012 (control)",
           errnoName(guestErr));
    got = diagLookupUnix(hostUnixInode, &guestErr);
    report(got == 0 && guestErr == ENOENT,
           "guest A: sock_diag's lookup of the host's unix socket by inode -> ENOENT",
           "got inode " + std::to_string(got) + ", " + errnoName(guestErr));
    for (const Kind& k : refused) {
      const auto shown = diagInodes(k.family, k.protocol, &guestErr);
      report(guestErr == ENOENT && shown.empty(),
             std::string("guest A: sock_diag ") + k.name + " dump -> ENOENT",
             std::string(errnoName(guestErr)) + ", " + std::to_string(shown.size()) + " shown");
    }
  });
  unlink(hostUnixPath.c_str());
}

void checkVisibility() {
  const auto host = inodesOf("host");
  const auto guestA = inodesOf("A");
  const auto guestB = inodesOf("B");
  auto merged = [](const std::map<std::string, std::vector<uint64_t>>& a, const std::string& kind) {
    const auto found = a.find(kind);
    return found == a.end() ? std::vector<uint64_t>{} : found->second;
  };
  inGuest(kXidA, [&] {
    // Sockets of its own, fresh, in every table.
    Bound tcp = listenOn(SOCK_STREAM, "10.70.0.2", 7000);
    Bound tcp6 = listenOn(SOCK_STREAM, "fd70::2", 7000);
    Bound udp = listenOn(SOCK_DGRAM, "10.70.0.2", 7001);
    Bound udp6 = listenOn(SOCK_DGRAM, "fd70::2", 7001);
    Socket unixSocket(AF_UNIX, SOCK_STREAM);
    expect("guest A: bind a unix socket", 0, unixSocket.bindToPath("/tmp/vs-net-A-own.sock"));
    const std::map<std::string, std::vector<uint64_t>> own = {
        {"tcp", {inodeOf(tcp.socket.fd())}},   {"tcp6", {inodeOf(tcp6.socket.fd())}},
        {"udp", {inodeOf(udp.socket.fd())}},   {"udp6", {inodeOf(udp6.socket.fd())}},
        {"unix", {inodeOf(unixSocket.fd())}}};
    struct Diag {
      const char* table;
      int family, protocol;
    };
    for (const Diag& d : {Diag{"tcp", AF_INET, IPPROTO_TCP}, Diag{"tcp6", AF_INET6, IPPROTO_TCP},
                          Diag{"udp", AF_INET, IPPROTO_UDP}, Diag{"udp6", AF_INET6, IPPROTO_UDP},
                          Diag{"unix", AF_UNIX, 0}}) {
      std::vector<uint64_t> mine = own.at(d.table);
      const auto serverOwn = merged(guestA, d.table);
      mine.insert(mine.end(), serverOwn.begin(), serverOwn.end());
      const std::set<uint64_t> proc = procInodes(d.table);
      checkSockets("guest A", std::string("/proc/net/") + d.table, proc, mine, merged(host, d.table), "the host");
      checkSockets("guest A", std::string("/proc/net/") + d.table, proc, mine, merged(guestB, d.table), "guest B");
      int err = 0;
      const std::set<uint64_t> diag = diagInodes(d.family, d.protocol, &err);
      const std::string name = std::string("sock_diag ") + d.table;
      expect("guest A: " + name + " dump", 0, err);
      checkSockets("guest A", name, diag, mine, merged(host, d.table), "the host");
      checkSockets("guest A", name, diag, mine, merged(guestB, d.table), "guest B");
    }
    checkAddressViews("guest A", kAddrsA);
    checkLinks("guest A (hide_netif)", true);
  });
  inGuest(kXidB, [] {
    checkAddressViews("guest B", kAddrsB);
    checkLinks("guest B (no hide_netif)", false);
  });
  // The host sees everything.
  for (const char* table : {"tcp", "tcp6", "udp", "udp6", "unix"}) {
    const auto guests = merged(guestA, table);
    const std::set<uint64_t> proc = procInodes(table);
    std::string missing;
    for (uint64_t ino : merged(host, table))
      if (!proc.count(ino)) missing += " " + std::to_string(ino);
    report(missing.empty(), std::string("host: /proc/net/") + table + " shows its own sockets",
           "missing" + missing);
    missing.clear();
    for (uint64_t ino : guests)
      if (!proc.count(ino)) missing += " " + std::to_string(ino);
    report(missing.empty(), std::string("host: /proc/net/") + table + " shows guest A's sockets",
           "missing" + missing);
  }
  {
    int err = 0;
    const std::set<uint64_t> diag = diagInodes(AF_INET, IPPROTO_TCP, &err);
    std::string missing;
    for (uint64_t ino : merged(guestB, "tcp"))
      if (!diag.count(ino)) missing += " " + std::to_string(ino);
    report(!err && missing.empty(), "host: sock_diag tcp shows guest B's sockets",
           std::string(errnoName(err)) + " missing" + missing);
  }
  int err = 0;
  const auto v4 = dumpAddresses(AF_INET, &err);
  report(contains(v4, "10.70.0.1") && contains(v4, "10.70.0.2") && contains(v4, "10.71.0.1"),
         "host: RTM_GETADDR shows every address", "shows " + join(v4));
  const auto v6 = ifInet6();
  report(contains(v6, "fd70::1") && contains(v6, "fd70::4") && contains(v6, "fd71::1"),
         "host: /proc/net/if_inet6 shows every address", "shows " + join(v6));
  report(ifAddress("vsnet0") == "10.70.0.1", "host: SIOCGIFADDR of vsnet0 -> 10.70.0.1",
         "got " + ifAddress("vsnet0"));
  checkLinks("host", false);
}

// --- notifications and shared ports ---

// The errno of joining group of bus by NETLINK_ADD_MEMBERSHIP, or by
// bind() with it in the group mask (group 0: none).
int joinErrno(int bus, unsigned group, bool byBind) {
  Socket s(AF_NETLINK, SOCK_RAW, bus);
  if (!s.ok()) return s.error();
  if (!byBind) return s.setInt(SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, static_cast<int>(group));
  sockaddr_nl addr{};
  addr.nl_family = AF_NETLINK;
  addr.nl_groups = group ? 1u << (group - 1) : 0;
  return errnoOf(bind(s.fd(), reinterpret_cast<const sockaddr*>(&addr), sizeof(addr)));
}

// The notification groups announce every context's links, addresses,
// routes and closed sockets, unfiltered: a confined guest joins none.
void checkNotifications() {
  struct Group {
    const char* what;
    int bus;
    unsigned group;
  };
  const std::vector<Group> groups = {
      {"RTNLGRP_LINK", NETLINK_ROUTE, RTNLGRP_LINK},
      {"RTNLGRP_IPV4_IFADDR", NETLINK_ROUTE, RTNLGRP_IPV4_IFADDR},
      {"RTNLGRP_IPV6_IFADDR", NETLINK_ROUTE, RTNLGRP_IPV6_IFADDR},
      {"RTNLGRP_IPV4_ROUTE", NETLINK_ROUTE, RTNLGRP_IPV4_ROUTE},
      {"SKNLGRP_INET_TCP_DESTROY", NETLINK_SOCK_DIAG, SKNLGRP_INET_TCP_DESTROY},
      {"SKNLGRP_INET6_UDP_DESTROY", NETLINK_SOCK_DIAG, SKNLGRP_INET6_UDP_DESTROY}};
  for (const Group& g : groups)
    expect(std::string("host: join ") + g.what + " (control)", 0, joinErrno(g.bus, g.group, false));
  inGuest(kXidA, [&groups] {
    for (const Group& g : groups) {
      expect(std::string("guest A: join ") + g.what, EPERM, joinErrno(g.bus, g.group, false));
      expect(std::string("guest A: bind to ") + g.what, EPERM, joinErrno(g.bus, g.group, true));
    }
    expect("guest A: bind a route netlink socket to no group (control)", 0,
           joinErrno(NETLINK_ROUTE, 0, true));
  });
}

// Sends header, a uevent's first line, to the kernel's uevent socket,
// which passes it on to group 1 as a uevent of the kernel's (adding its
// SEQNUM line): 0 or the errno its ack carries.
int sendUevent(const std::string& header) {
  Socket s(AF_NETLINK, SOCK_RAW, NETLINK_KOBJECT_UEVENT);
  if (!s.ok()) return s.error();
  // Each line of a uevent ends with a NUL.
  const size_t size = header.size() + 1;
  std::vector<char> message(NLMSG_SPACE(size));
  auto* nlh = reinterpret_cast<nlmsghdr*>(message.data());
  nlh->nlmsg_len = static_cast<uint32_t>(NLMSG_LENGTH(size));
  nlh->nlmsg_type = NLMSG_MIN_TYPE;
  nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
  std::memcpy(NLMSG_DATA(nlh), header.c_str(), size);
  sockaddr_nl kernel{};
  kernel.nl_family = AF_NETLINK;
  if (sendto(s.fd(), message.data(), nlh->nlmsg_len, 0, reinterpret_cast<const sockaddr*>(&kernel),
             sizeof(kernel)) < 0)
    return errno;
  char reply[512];
  const ssize_t length = recv(s.fd(), reply, sizeof(reply), MSG_DONTWAIT);
  const auto* ack = reinterpret_cast<const nlmsghdr*>(reply);
  if (length < static_cast<ssize_t>(NLMSG_LENGTH(sizeof(nlmsgerr))) || ack->nlmsg_type != NLMSG_ERROR)
    return EIO;
  return -static_cast<const nlmsgerr*>(NLMSG_DATA(ack))->error;
}

bool effectiveCap(int cap);

// The first lines of the uevents queued on a listener.
std::vector<std::string> ueventsQueued(int fd) {
  std::vector<std::string> events;
  for (const std::string& uevent : queuedDatagrams(fd)) events.push_back(uevent.substr(0, uevent.find('\0')));
  return events;
}

// A guest without a network set watches links and addresses, which it
// sees all of, but not sockets closing (every context's, where its own
// views show its own) nor, holding CAP_SYS_ADMIN, writes a uevent that
// the kernel would pass to the host's udev as its own.
void checkUnconfinedWatching() {
  const vs::UniqueFd listener = netlinkSocket(NETLINK_KOBJECT_UEVENT, 1);
  report(static_cast<bool>(listener), "host: listen on uevent group 1", std::strerror(errno));
  inNewGuest(kXidWatch, "net-watch", policyWith(VSERVER_BCAPS_ALL), std::nullopt, [] {
    expect("unconfined guest: join RTNLGRP_LINK (control)", 0,
           joinErrno(NETLINK_ROUTE, RTNLGRP_LINK, false));
    expect("unconfined guest: join SKNLGRP_INET_TCP_DESTROY", EPERM,
           joinErrno(NETLINK_SOCK_DIAG, SKNLGRP_INET_TCP_DESTROY, false));
    expect("unconfined guest: bind to SKNLGRP_INET6_UDP_DESTROY", EPERM,
           joinErrno(NETLINK_SOCK_DIAG, SKNLGRP_INET6_UDP_DESTROY, true));
    report(effectiveCap(CAP_SYS_ADMIN), "unconfined guest: CAP_SYS_ADMIN is effective (control)",
           "it is not");
    expect("unconfined guest with CAP_SYS_ADMIN: write a uevent", EPERM,
           sendUevent("add@/devices/vstest-guest"));
  });
  expect("host: write a uevent (control)", 0, sendUevent("add@/devices/vstest-host"));
  const std::vector<std::string> events = ueventsQueued(listener.get());
  const auto count = [&events](const std::string& event) {
    return std::count(events.begin(), events.end(), event);
  };
  report(count("add@/devices/vstest-host") == 1 && count("add@/devices/vstest-guest") == 0,
         "host: its uevent listener got the host's uevent and not the guest's",
         "got " + join(events));
}

// Whether /proc/net/<file> names link (a whitespace-separated word).
bool procNetNames(const std::string& file, const std::string& link) {
  std::istringstream words(readFile("/proc/net/" + file));
  std::string word;
  while (words >> word)
    if (word == link) return true;
  return false;
}

// The index SIOCGIFINDEX gives link, or the errno's name.
std::string ifIndexIoctl(const char* link) {
  ifreq req = interfaceRequest(link);
  if (const int err = interfaceIoctl(SIOCGIFINDEX, req)) return errnoName(err);
  return std::to_string(req.ifr_ifindex);
}

// The name SIOCGIFNAME gives index, or the errno's name.
std::string ifNameIoctl(unsigned index) {
  ifreq req{};
  req.ifr_ifindex = static_cast<int>(index);
  if (const int err = interfaceIoctl(SIOCGIFNAME, req)) return errnoName(err);
  return req.ifr_name;
}

int hardwareAddressErrno(const char* link) {
  ifreq req = interfaceRequest(link);
  return interfaceIoctl(SIOCGIFHWADDR, req);
}

// The errno of ethtool's netlink ETHTOOL_MSG_LINKSTATE_GET of link, or 0.
int linkStateErrno(const std::string& link) {
  return errnoOfCall([&] {
    vs::GenlSocket socket;
    const vs::GenlFamily family = socket.resolveFamily(ETHTOOL_GENL_NAME);
    vs::GenlRequest request(family.id, ETHTOOL_MSG_LINKSTATE_GET, ETHTOOL_GENL_VERSION, 0);
    const size_t header = request.beginNest(ETHTOOL_A_LINKSTATE_HEADER);
    request.putString(ETHTOOL_A_HEADER_DEV_NAME, link);
    request.endNest(header);
    socket.transact(request, [](const nlmsghdr*) {});
  });
}

// The group id of ethtool's "monitor" multicast group, or 0.
unsigned ethtoolMonitorGroup() {
  try {
    const vs::GenlFamily family = vs::GenlSocket().resolveFamily(ETHTOOL_GENL_NAME);
    const auto found = family.multicastGroups.find(ETHTOOL_MCGRP_MONITOR_NAME);
    return found == family.multicastGroups.end() ? 0 : found->second;
  } catch (const vs::Error&) {
    return 0;
  }
}

// The per-interface tables of /proc/net that name vsnet1 to the host once
// it joined a source-specific group and an anycast address there (the
// test kernel has no IPv4 multicast, for igmp and mcfilter, and vsnet1 no
// ARP, for arp).
const char* const kInterfaceTables[] = {"igmp6", "mcfilter6", "anycast6", "dev_mcast", "route",
                                        "ipv6_route"};

constexpr int kLoopbackIndex = 1;

// The interfaces (by index) an RTM_GETNETCONF dump of family shows.
std::set<int> netconfDump(uint8_t family) {
  std::set<int> indexes;
  Rtnl rtnl;
  nlmsghdr* nlh = rtnl.start(RTM_GETNETCONF, NLM_F_DUMP);
  auto* ncm = static_cast<netconfmsg*>(mnl_nlmsg_put_extra_header(nlh, sizeof(netconfmsg)));
  ncm->ncm_family = family;
  rtnl.run(nlh, [&](const nlmsghdr* reply) {
    if (reply->nlmsg_type != RTM_NEWNETCONF) return;
    forEachAttribute(reply, sizeof(netconfmsg), [&](const nlattr* attr) {
      if (mnl_attr_get_type(attr) == NETCONFA_IFINDEX)
        indexes.insert(static_cast<int>(mnl_attr_get_u32(attr)));
    });
  });
  return indexes;
}

// The errno of an RTM_GETNETCONF of family for the interface index, or 0.
int netconfGetErrno(uint8_t family, unsigned index) {
  Rtnl rtnl;
  nlmsghdr* nlh = rtnl.start(RTM_GETNETCONF, NLM_F_ACK);
  auto* ncm = static_cast<netconfmsg*>(mnl_nlmsg_put_extra_header(nlh, sizeof(netconfmsg)));
  ncm->ncm_family = family;
  mnl_attr_put_u32(nlh, NETCONFA_IFINDEX, index);
  return rtnl.run(nlh, [](const nlmsghdr*) {});
}

// The interfaces (by index) whose neighbour parameters an RTM_GETNEIGHTBL
// dump shows.
std::set<int> neighbourTableDump() {
  std::set<int> indexes;
  Rtnl rtnl;
  nlmsghdr* nlh = rtnl.start(RTM_GETNEIGHTBL, NLM_F_DUMP);
  auto* ndtm = static_cast<ndtmsg*>(mnl_nlmsg_put_extra_header(nlh, sizeof(ndtmsg)));
  ndtm->ndtm_family = AF_UNSPEC;
  rtnl.run(nlh, [&](const nlmsghdr* reply) {
    if (reply->nlmsg_type != RTM_NEWNEIGHTBL) return;
    forEachAttribute(reply, sizeof(ndtmsg), [&](const nlattr* attr) {
      if (mnl_attr_get_type(attr) != NDTA_PARMS) return;
      forEachNested(attr, [&](const nlattr* parm) {
        if (mnl_attr_get_type(parm) == NDTPA_IFINDEX)
          indexes.insert(static_cast<int>(mnl_attr_get_u32(parm)));
      });
    });
  });
  return indexes;
}

// The directories of /proc/sys that hold one per interface.
const char* const kInterfaceSysctlDirs[] = {"/proc/sys/net/ipv4/conf", "/proc/sys/net/ipv6/conf",
                                            "/proc/sys/net/ipv4/neigh", "/proc/sys/net/ipv6/neigh"};

// The directories of sysfs that hold one entry per interface (vsnet1 is
// a dummy, a virtual device).
const char* const kInterfaceSysfsDirs[] = {"/sys/class/net", "/sys/devices/virtual/net"};

// What mkdir of path answers: 0 or the errno.
int mkdirErrno(const std::string& path) { return errnoOf(mkdir(path.c_str(), 0755)); }

bool directoryLists(const std::string& dir, const std::string& name) {
  std::error_code ignored;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ignored))
    if (entry.path().filename() == name) return true;
  return false;
}

// Whether the other views name vsnet1: the IPv6 link dump,
// /proc/net/dev_snmp6 and the interface directories of /proc/sys, listed
// and looked up, the IPv4 and IPv6 netconf dumps and requests, and the
// neighbour tables' dump.
struct OtherLinkViews {
  bool ipv6LinkDump = false, snmp6Listed = false, snmp6Found = false;
  std::map<std::string, bool> sysctlListed, sysctlFound;
  std::map<std::string, bool> sysfsListed, sysfsFound;
  bool trieSubnet = false, trieBroadcast = false;
  std::map<std::string, bool> netconfListed, netconfListsLo;
  std::map<std::string, int> netconfErrno;
  bool neighbourTables = false, neighbourTablesListLo = false;
};

OtherLinkViews otherLinkViews(unsigned vsnet1) {
  OtherLinkViews views;
  const int index = static_cast<int>(vsnet1);
  for (const auto& [name, family] : {std::pair{"IPv4", AF_INET}, std::pair{"IPv6", AF_INET6}}) {
    const std::set<int> listed = netconfDump(static_cast<uint8_t>(family));
    views.netconfListed[name] = listed.count(index) == 1;
    views.netconfListsLo[name] = listed.count(kLoopbackIndex) == 1;
    views.netconfErrno[name] = netconfGetErrno(static_cast<uint8_t>(family), vsnet1);
  }
  const std::set<int> parameters = neighbourTableDump();
  views.neighbourTables = parameters.count(index) == 1;
  views.neighbourTablesListLo = parameters.count(kLoopbackIndex) == 1;
  int err = 0;
  views.ipv6LinkDump = contains(dumpLinks(&err, AF_INET6), "vsnet1");
  views.snmp6Listed = directoryLists("/proc/net/dev_snmp6", "vsnet1");
  views.snmp6Found = access("/proc/net/dev_snmp6/vsnet1", F_OK) == 0;
  for (const std::string dir : kInterfaceSysctlDirs) {
    views.sysctlListed[dir] = directoryLists(dir, "vsnet1");
    views.sysctlFound[dir] = access((dir + "/vsnet1").c_str(), F_OK) == 0;
  }
  // vsnet1's subnet route (main table) and broadcast address (local).
  const std::string trie = readFile("/proc/net/fib_trie");
  views.trieSubnet = trie.find("|-- 10.71.0.0\n") != std::string::npos;
  views.trieBroadcast = trie.find("|-- 10.71.0.255\n") != std::string::npos;
  for (const std::string dir : kInterfaceSysfsDirs) {
    views.sysfsListed[dir] = directoryLists(dir, "vsnet1");
    views.sysfsFound[dir] = access((dir + "/vsnet1/ifindex").c_str(), F_OK) == 0;
  }
  return views;
}

// For each directory holding one entry per interface: whether its listing
// names vsnet1 and whether DIRECTORY + entry is there, as shown says.
void reportInterfaceDirs(const std::string& who, bool shown, const std::map<std::string, bool>& listed,
                         const std::map<std::string, bool>& found, const std::string& entry) {
  const std::string verb = shown ? " names vsnet1" : " names no vsnet1";
  for (const auto& [dir, isListed] : listed) {
    report(isListed == shown, who + ": " + dir + "'s listing" + verb, isListed ? "it does" : "it does not");
    report(found.at(dir) == shown, who + ": " + dir + entry + " " + (shown ? "is" : "is not") + " there",
           found.at(dir) ? "it is" : "it is not");
  }
}

void checkOtherLinkViews(const std::string& who, bool shown, unsigned vsnet1) {
  const OtherLinkViews views = otherLinkViews(vsnet1);
  for (const auto& [family, listed] : views.netconfListed) {
    report(listed == shown, who + ": the " + family + " netconf dump" + (shown ? " shows" : " hides") + " vsnet1",
           listed ? "it shows it" : "it does not");
    report(views.netconfListsLo.at(family), who + ": the " + family + " netconf dump shows lo (control)",
           "it does not");
    // A missing index answers EINVAL.
    expect(who + ": " + family + " RTM_GETNETCONF of vsnet1's index", shown ? 0 : EINVAL,
           views.netconfErrno.at(family));
  }
  report(views.neighbourTables == shown,
         who + ": the neighbour tables' dump" + (shown ? " shows" : " hides") + " vsnet1's parameters",
         views.neighbourTables ? "it shows them" : "it does not");
  report(views.neighbourTablesListLo, who + ": the neighbour tables' dump shows lo's (control)",
         "it does not");
  const std::string verb = shown ? " names vsnet1" : " names no vsnet1";
  report(views.ipv6LinkDump == shown, who + ": the AF_INET6 RTM_GETLINK dump" + verb,
         views.ipv6LinkDump ? "it does" : "it does not");
  report(views.snmp6Listed == shown, who + ": /proc/net/dev_snmp6's listing" + verb,
         views.snmp6Listed ? "it does" : "it does not");
  report(views.snmp6Found == shown, who + ": /proc/net/dev_snmp6/vsnet1 " + (shown ? "is" : "is not") + " there",
         views.snmp6Found ? "it is" : "it is not");
  reportInterfaceDirs(who, shown, views.sysctlListed, views.sysctlFound, "/vsnet1");
  report(views.trieSubnet == shown,
         who + ": /proc/net/fib_trie " + (shown ? "shows" : "hides") + " vsnet1's route to 10.71.0.0/24",
         views.trieSubnet ? "it shows it" : "it does not");
  report(views.trieBroadcast == shown,
         who + ": /proc/net/fib_trie " + (shown ? "shows" : "hides") + " vsnet1's broadcast 10.71.0.255",
         views.trieBroadcast ? "it shows it" : "it does not");
  reportInterfaceDirs(who, shown, views.sysfsListed, views.sysfsFound, "/vsnet1/ifindex");
  // /sys/class/net's entry is a link the host's walk left in the dentry
  // cache; vsnet1's directory, which holds the entries the host read, is
  // a known limit (a held directory fails a guest's create with ENOENT).
  const int existing = mkdirErrno("/sys/class/net/vsnet1");
  const int missing = mkdirErrno("/sys/class/net/vsmissing0");
  if (shown)
    report(existing == EEXIST && missing != EEXIST,
           who + ": mkdir /sys/class/net/vsnet1 answers EEXIST, unlike a missing name (control)",
           std::string(errnoName(existing)) + ", a missing name's " + errnoName(missing));
  else
    expect(who + ": mkdir /sys/class/net/vsnet1, as of a missing name", missing, existing);
}

// What guest A hides must stay for everyone else, though they share one
// sysfs dcache: its walk to a name the host cached (checkOtherLinkViews
// ran for the host first) and, after the caches are dropped, its lookup
// of a name nobody cached leave vsnet1's entries there for the host.
void checkSysfsHiddenForGuestOnly(unsigned vsnet1) {
  writeFile("/proc/sys/vm/drop_caches", "2\n");
  inGuest(kXidA, [] {
    for (const std::string dir : kInterfaceSysfsDirs)
      expect("guest A (hide_netif): " + dir + "/vsnet1, not cached, is not there", ENOENT,
             errnoOf(access((dir + "/vsnet1").c_str(), F_OK)));
  });
  for (const std::string dir : kInterfaceSysfsDirs)
    expect("host: " + dir + "/vsnet1/ifindex is there after guest A's lookups", 0,
           errnoOf(access((dir + "/vsnet1/ifindex").c_str(), F_OK)));
  report(readFile("/sys/class/net/vsnet1/ifindex") == std::to_string(vsnet1) + "\n",
         "host: /sys/class/net/vsnet1/ifindex reads vsnet1's index", "it does not");
}

// Joins group ff15::1 from fd71::5 on the interface of index link: 0 or
// the errno.
int joinSourceGroup(Socket& s, unsigned link) {
  group_source_req join{};
  join.gsr_interface = link;
  auto* group = reinterpret_cast<sockaddr_in6*>(&join.gsr_group);
  auto* source = reinterpret_cast<sockaddr_in6*>(&join.gsr_source);
  group->sin6_family = source->sin6_family = AF_INET6;
  inet_pton(AF_INET6, "ff15::1", &group->sin6_addr);
  inet_pton(AF_INET6, "fd71::5", &source->sin6_addr);
  return s.setOption(IPPROTO_IPV6, MCAST_JOIN_SOURCE_GROUP, join);
}

// Joins anycast address fd71::99 on vsnet1 (index link): 0 or the errno.
int joinAnycast(Socket& s, unsigned link) {
  ipv6_mreq join{};
  inet_pton(AF_INET6, "fd71::99", &join.ipv6mr_multiaddr);
  join.ipv6mr_interface = link;
  return s.setOption(IPPROTO_IPV6, IPV6_JOIN_ANYCAST, join);
}

// A guest's own view of the rest of /proc/net and of interfaces by name
// or index: guest A (hide_netif) finds vsnet1 nowhere, guest B (without
// it) and the host find it everywhere; neither guest sees the host's
// ping, netlink or packet sockets, each sees its own.
std::string ipv4Text(uint32_t networkOrder) {
  char text[INET_ADDRSTRLEN];
  inet_ntop(AF_INET, &networkOrder, text, sizeof(text));
  return text;
}

// The IPv4 entries of the TCP metrics cache the caller sees, each as
// "SOURCE>DESTINATION", and the dump's errno.
std::pair<std::set<std::string>, int> tcpMetricsDump() {
  std::set<std::string> entries;
  const int err = errnoOfCall([&] {
    vs::GenlSocket socket;
    const vs::GenlFamily family = socket.resolveFamily(TCP_METRICS_GENL_NAME);
    vs::GenlRequest request(family.id, TCP_METRICS_CMD_GET, TCP_METRICS_GENL_VERSION,
                            NLM_F_DUMP);
    socket.transact(request, [&](const nlmsghdr* nlh) {
      std::string source, destination;
      forEachAttribute(nlh, GENL_HDRLEN, [&](const nlattr* a) {
        if (mnl_attr_get_type(a) == TCP_METRICS_ATTR_ADDR_IPV4)
          destination = ipv4Text(mnl_attr_get_u32(a));
        else if (mnl_attr_get_type(a) == TCP_METRICS_ATTR_SADDR_IPV4)
          source = ipv4Text(mnl_attr_get_u32(a));
      });
      if (!source.empty()) entries.insert(source + ">" + destination);
    });
  });
  return {entries, err};
}

// The errno of looking up the TCP metrics entry of source and destination,
// or 0.
int tcpMetricsGetErrno(const std::string& source, const std::string& destination) {
  return errnoOfCall([&] {
    vs::GenlSocket socket;
    const vs::GenlFamily family = socket.resolveFamily(TCP_METRICS_GENL_NAME);
    vs::GenlRequest request(family.id, TCP_METRICS_CMD_GET, TCP_METRICS_GENL_VERSION, 0);
    in_addr from{}, to{};
    inet_pton(AF_INET, source.c_str(), &from);
    inet_pton(AF_INET, destination.c_str(), &to);
    request.putU32(TCP_METRICS_ATTR_ADDR_IPV4, to.s_addr);
    request.putU32(TCP_METRICS_ATTR_SADDR_IPV4, from.s_addr);
    socket.transact(request, [](const nlmsghdr*) {});
  });
}

// Connects an unbound socket to listener, sends a byte and closes first:
// the connection passes TIME_WAIT, where the kernel records the peer in
// its TCP metrics cache.  0 or the errno.
int connectAndClose(const Address& listener) {
  Socket client(AF_INET, SOCK_STREAM);
  if (connect(client.fd(), listener.get(), listener.length) != 0) return errno;
  return send(client.fd(), "m", 1, 0) == 1 ? 0 : errno;
}

// The TCP metrics cache (`ip tcp_metrics`) names each recent peer with the
// local address that talked to it: a confined guest sees the entries of
// its own addresses only, by dump and by lookup.
void checkTcpMetrics() {
  const Address listener = makeAddress("10.70.0.1", 5391);
  Socket server(AF_INET, SOCK_STREAM);
  expect("host: a listener on 10.70.0.1:5391", 0, server.bindTo(listener));
  expect("host: listen", 0, errnoOf(listen(server.fd(), 8)));
  expect("host: a connection from 10.70.0.1, closed first", 0, connectAndClose(listener));
  inGuest(kXidA, [&] {
    expect("guest A: a connection to the host's listener, closed first", 0,
           connectAndClose(listener));
  });
  const std::string hostEntry = "10.70.0.1>10.70.0.1", guestEntry = "10.70.0.2>10.70.0.1";
  std::set<std::string> host;
  for (int tries = 0; tries < 20; tries++) {
    host = tcpMetricsDump().first;
    if (host.count(hostEntry) && host.count(guestEntry)) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  report(host.count(hostEntry) && host.count(guestEntry),
         "host: its TCP metrics show both connections' peers (control)",
         "shows " + join(std::vector<std::string>(host.begin(), host.end())));
  inGuest(kXidA, [&] {
    const auto [seen, err] = tcpMetricsDump();
    expect("guest A: dump the TCP metrics", 0, err);
    report(seen.count(guestEntry) == 1, "guest A: its TCP metrics show its own connection's peer",
           "missing");
    std::vector<std::string> foreign;
    for (const std::string& entry : seen) {
      const std::string source = entry.substr(0, entry.find('>'));
      if (!contains(kAddrsA, source) && source != kLbackA) foreign.push_back(entry);
    }
    report(foreign.empty(), "guest A: its TCP metrics show no entry of another's address",
           "shows " + join(foreign));
    expect("guest A: look up the entry of its own connection (control)", 0,
           tcpMetricsGetErrno("10.70.0.2", "10.70.0.1"));
    expect("guest A: look up the host's entry from 10.70.0.1", ESRCH,
           tcpMetricsGetErrno("10.70.0.1", "10.70.0.1"));
  });
}

void checkOtherViews() {
  Socket hostPing(AF_INET, SOCK_DGRAM, IPPROTO_ICMP);
  Socket hostPing6(AF_INET6, SOCK_DGRAM, IPPROTO_ICMPV6);
  Socket hostNetlink(AF_NETLINK, SOCK_RAW, NETLINK_ROUTE);
  Socket hostPacket(AF_PACKET, SOCK_DGRAM, 0);
  sockaddr_nl autobind{};
  autobind.nl_family = AF_NETLINK;
  expect("host: bind a ping socket to 10.70.0.1", 0, hostPing.bindTo(makeAddress("10.70.0.1", 0)));
  expect("host: bind an ICMPv6 ping socket to fd70::1", 0,
         hostPing6.bindTo(makeAddress("fd70::1", 0)));
  expect("host: bind a route netlink socket", 0,
         errnoOf(bind(hostNetlink.fd(), reinterpret_cast<const sockaddr*>(&autobind),
                      sizeof autobind)));
  const std::map<std::string, uint64_t> host = {{"icmp", inodeOf(hostPing.fd())},
                                                {"icmp6", inodeOf(hostPing6.fd())},
                                                {"netlink", inodeOf(hostNetlink.fd())},
                                                {"packet", inodeOf(hostPacket.fd())}};
  for (const auto& [table, inode] : host)
    report(procInodes(table).count(inode) == 1, "host: /proc/net/" + table + " shows its socket",
           "inode " + std::to_string(inode) + " missing");
  const std::string index = ifIndexIoctl("vsnet1");
  report(!index.empty() && index.find_first_not_of("0123456789") == std::string::npos,
         "host: SIOCGIFINDEX of vsnet1", "got " + index);
  const unsigned vsnet1 = index.empty() || !std::isdigit(index[0]) ? 0 : std::stoul(index);
  Socket sourceGroup(AF_INET6, SOCK_DGRAM);
  Socket anycast(AF_INET6, SOCK_DGRAM);
  expect("host: join ff15::1 from fd71::5 on vsnet1", 0, joinSourceGroup(sourceGroup, vsnet1));
  expect("host: join anycast fd71::99 on vsnet1", 0, joinAnycast(anycast, vsnet1));
  for (const char* table : kInterfaceTables)
    report(procNetNames(table, "vsnet1"), std::string("host: /proc/net/") + table + " names vsnet1",
           "it does not");
  expect("host: uevent group 1 (control)", 0, joinErrno(NETLINK_KOBJECT_UEVENT, 1, true));
  const unsigned monitor = ethtoolMonitorGroup();
  report(monitor != 0, "host: ethtool's monitor group is there", "not found");
  expect("host: join ethtool's monitor group (control)", 0,
         joinErrno(NETLINK_GENERIC, monitor, false));
  checkOtherLinkViews("host", true, vsnet1);

  inGuest(kXidA, [&host, vsnet1, monitor] {
    Socket ping(AF_INET, SOCK_DGRAM, IPPROTO_ICMP);
    Socket netlink(AF_NETLINK, SOCK_RAW, NETLINK_ROUTE);
    sockaddr_nl own{};
    own.nl_family = AF_NETLINK;
    expect("guest A: bind a ping socket to 10.70.0.2", 0, ping.bindTo(makeAddress("10.70.0.2", 0)));
    expect("guest A: bind a route netlink socket", 0,
           errnoOf(bind(netlink.fd(), reinterpret_cast<const sockaddr*>(&own), sizeof own)));
    report(procInodes("icmp").count(inodeOf(ping.fd())) == 1,
           "guest A: /proc/net/icmp shows its ping socket", "missing");
    report(procInodes("netlink").count(inodeOf(netlink.fd())) == 1,
           "guest A: /proc/net/netlink shows its socket", "missing");
    for (const auto& [table, inode] : host)
      report(procInodes(table).count(inode) == 0,
             "guest A: /proc/net/" + table + " hides the host's socket",
             "shows inode " + std::to_string(inode));
    for (const char* table : kInterfaceTables)
      report(!procNetNames(table, "vsnet1"),
             std::string("guest A (hide_netif): /proc/net/") + table + " names no vsnet1",
             "it does");
    report(procNetNames("igmp6", "vsnet0"), "guest A: /proc/net/igmp6 names vsnet0 (control)",
           "it does not");
    checkOtherLinkViews("guest A (hide_netif)", false, vsnet1);
    for (const std::string dir : kInterfaceSysctlDirs)
      for (const char* shown : {"vsnet0", "lo", "default"})
        report(directoryLists(dir, shown),
               "guest A: " + dir + "'s listing names " + shown + " (control)", "it does not");
    for (const std::string dir : kInterfaceSysfsDirs)
      for (const char* shown : {"vsnet0", "lo"}) {
        report(directoryLists(dir, shown),
               "guest A: " + dir + "'s listing names " + shown + " (control)", "it does not");
        expect("guest A: " + dir + "/" + shown + "/ifindex is there (control)", 0,
               errnoOf(access((dir + "/" + shown + "/ifindex").c_str(), F_OK)));
      }
    report(ifIndexIoctl("vsnet1") == "ENODEV", "guest A (hide_netif): SIOCGIFINDEX of vsnet1 -> ENODEV",
           "got " + ifIndexIoctl("vsnet1"));
    report(ifNameIoctl(vsnet1) == "ENODEV", "guest A (hide_netif): SIOCGIFNAME of vsnet1's index -> ENODEV",
           "got " + ifNameIoctl(vsnet1));
    expect("guest A (hide_netif): SIOCGIFHWADDR of vsnet1", ENODEV, hardwareAddressErrno("vsnet1"));
    expect("guest A (hide_netif): ethtool LINKSTATE_GET of vsnet1", ENODEV, linkStateErrno("vsnet1"));
    report(linkStateErrno("vsnet0") != ENODEV, "guest A: ethtool LINKSTATE_GET of vsnet0 (control)",
           errnoName(linkStateErrno("vsnet0")));
    expect("guest A: bind to uevent group 1", EPERM, joinErrno(NETLINK_KOBJECT_UEVENT, 1, true));
    expect("guest A: join uevent group 1", EPERM, joinErrno(NETLINK_KOBJECT_UEVENT, 1, false));
    expect("guest A: join uevent group 2, where udev passes events on", EPERM,
           joinErrno(NETLINK_KOBJECT_UEVENT, 2, false));
    expect("guest A: a uevent socket without a group (control)", 0,
           joinErrno(NETLINK_KOBJECT_UEVENT, 0, true));
    expect("guest A: join ethtool's monitor group", EPERM, joinErrno(NETLINK_GENERIC, monitor, false));
  });
  inGuest(kXidB, [&host, vsnet1] {
    for (const auto& [table, inode] : host)
      report(procInodes(table).count(inode) == 0,
             "guest B: /proc/net/" + table + " hides the host's socket",
             "shows inode " + std::to_string(inode));
    for (const char* table : kInterfaceTables)
      report(procNetNames(table, "vsnet1"),
             std::string("guest B (no hide_netif): /proc/net/") + table + " names vsnet1",
             "it does not");
    report(ifNameIoctl(vsnet1) == "vsnet1", "guest B (no hide_netif): SIOCGIFNAME of vsnet1's index",
           "got " + ifNameIoctl(vsnet1));
    checkOtherLinkViews("guest B (no hide_netif)", true, vsnet1);
    expect("guest B (no hide_netif): SIOCGIFHWADDR of vsnet1", 0, hardwareAddressErrno("vsnet1"));
    report(linkStateErrno("vsnet1") != ENODEV,
           "guest B (no hide_netif): ethtool LINKSTATE_GET of vsnet1 finds it",
           errnoName(linkStateErrno("vsnet1")));
  });
  checkSysfsHiddenForGuestOnly(vsnet1);
}

void reusePort(Socket& s) { s.setInt(SOL_SOCKET, SO_REUSEPORT, 1); }
void reuseAddress(Socket& s) { s.setInt(SOL_SOCKET, SO_REUSEADDR, 1); }

// Two guests sharing 10.70.0.6: guest C serves port 82 (TCP) and 5302
// (UDP) on its wildcard with SO_REUSEADDR and SO_REUSEPORT.  Both guests
// run as root, the uid those options let share a port: guest D must
// still not bind the port where C's sockets take what is sent, to take
// C's service over or join its SO_REUSEPORT group.
void checkSharedPorts() {
  const std::vector<Listen> listens = {{"tcp", SOCK_STREAM, "0.0.0.0", 82, true},
                                       {"udp", SOCK_DGRAM, "0.0.0.0", 5302, true}};
  if (!startServer("C", kXidShareC, {}, NetSet{0, 0, {}, {"10.70.0.6", "10.70.0.7"}}, listens))
    return;
  inGuest(kXidShareC, [] {
    expect("guest C: a second SO_REUSEPORT socket on 0.0.0.0:82 (control: one context shares)", 0,
           bindErrno(SOCK_STREAM, "0.0.0.0", 82, 0, reusePort));
  });
  inNewGuest(kXidShareD, "net-share-d", {}, NetSet{0, 0, {}, {"10.70.0.6", "10.70.0.8"}}, [] {
    for (const char* addr : {"0.0.0.0", "10.70.0.6"}) {
      const std::string at = std::string(addr);
      expect("guest D: SO_REUSEPORT TCP bind " + at + ":82, guest C's port", EADDRINUSE,
             bindErrno(SOCK_STREAM, addr, 82, 0, reusePort));
      expect("guest D: SO_REUSEPORT UDP bind " + at + ":5302, guest C's port", EADDRINUSE,
             bindErrno(SOCK_DGRAM, addr, 5302, 0, reusePort));
      expect("guest D: SO_REUSEADDR UDP bind " + at + ":5302, guest C's port", EADDRINUSE,
             bindErrno(SOCK_DGRAM, addr, 5302, 0, reuseAddress));
    }
    expect("guest D: SO_REUSEPORT TCP bind of its own 10.70.0.8:82 (control)", 0,
           bindErrno(SOCK_STREAM, "10.70.0.8", 82, 0, reusePort));
  });
  tcpCheck("host: TCP to the shared 10.70.0.6:82 (control)", "10.70.0.6", 82, "C");
  udpCheck("host: UDP to the shared 10.70.0.6:5302 (control)", "10.70.0.6", 5302, "C");
  stopServer("C");
}

// --- 5. raw and packet sockets, ping sockets ---

uint16_t checksum(const void* data, size_t len) {
  const auto* bytes = static_cast<const uint8_t*>(data);
  uint32_t sum = 0;
  for (size_t i = 0; i + 1 < len; i += 2) sum += static_cast<uint32_t>(bytes[i] << 8 | bytes[i + 1]);
  if (len % 2) sum += static_cast<uint32_t>(bytes[len - 1] << 8);
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return htons(static_cast<uint16_t>(~sum));
}

// Sends the ICMP message packet (ICMPv6 by to's family) to to, with its
// checksum; 0 or the errno.  An ICMPv6 socket fills in the checksum itself.
int sendIcmp(int fd, const std::string& to, std::vector<uint8_t> packet) {
  if (familyOf(to) != AF_INET6) {
    const uint16_t sum = checksum(packet.data(), packet.size());
    std::memcpy(packet.data() + 2, &sum, 2);
  }
  const Address dst = makeAddress(to, 0);
  return errnoOf(sendto(fd, packet.data(), packet.size(), 0, dst.get(), dst.length));
}

// Sends an ICMP or ICMPv6 echo request (or reply) with ident, carrying
// token; 0 or the errno.
int sendEcho(int fd, const std::string& to, const std::string& token, bool reply = false,
             uint16_t ident = 1) {
  std::vector<uint8_t> packet(8 + token.size());
  if (familyOf(to) == AF_INET6)
    packet[0] = reply ? ICMP6_ECHO_REPLY : ICMP6_ECHO_REQUEST;
  else
    packet[0] = reply ? ICMP_ECHOREPLY : ICMP_ECHO;
  packet[4] = static_cast<uint8_t>(ident >> 8);
  packet[5] = static_cast<uint8_t>(ident);
  packet[7] = 1;  // sequence
  std::memcpy(packet.data() + 8, token.data(), token.size());
  return sendIcmp(fd, to, std::move(packet));
}

// Sends an ICMP message (ICMPv6 by to's family) of type and code, with
// 28 bytes of body where an error quotes a header, at the hop limit
// neighbour discovery asks for: 0 or the errno.
int sendIcmpOfType(int fd, const std::string& to, uint8_t type, uint8_t code = 0) {
  std::vector<uint8_t> packet(8 + 28);
  packet[0] = type;
  packet[1] = code;
  const int hops = 255;
  if (familyOf(to) == AF_INET6 &&
      setsockopt(fd, IPPROTO_IPV6, IPV6_UNICAST_HOPS, &hops, sizeof(hops)) != 0)
    return errno;
  return sendIcmp(fd, to, std::move(packet));
}

// The shared stack acts for everyone on the ICMP it receives: a
// neighbour advertisement rewrites its neighbour cache, an error names a
// socket or lowers a path's MTU.  From a raw socket a guest sends only
// requests (patch 0134); the host sends anything.
void checkRawIcmpTypes(const std::string& who, bool guest) {
  const int refused = guest ? EPERM : 0;
  const std::string control = guest ? "" : " (control)";
  Socket icmp(AF_INET, SOCK_RAW, IPPROTO_ICMP);
  Socket icmp6(AF_INET6, SOCK_RAW, IPPROTO_ICMPV6);
  if (!icmp.ok() || !icmp6.ok()) return report(false, who + ": raw ICMP sockets", "refused");
  expect(who + ": a raw timestamp request to 10.70.0.1 (control)", 0,
         sendIcmpOfType(icmp.fd(), "10.70.0.1", ICMP_TIMESTAMP));
  expect(who + ": a raw ICMPv6 echo request to fd70::1 (control)", 0,
         sendIcmpOfType(icmp6.fd(), "fd70::1", ICMP6_ECHO_REQUEST));
  expect(who + ": a port unreachable to 10.70.0.1" + control, refused,
         sendIcmpOfType(icmp.fd(), "10.70.0.1", ICMP_DEST_UNREACH, ICMP_PORT_UNREACH));
  expect(who + ": a fragmentation needed to 10.70.0.1" + control, refused,
         sendIcmpOfType(icmp.fd(), "10.70.0.1", ICMP_DEST_UNREACH, ICMP_FRAG_NEEDED));
  expect(who + ": a redirect to 10.70.0.1" + control, refused,
         sendIcmpOfType(icmp.fd(), "10.70.0.1", ICMP_REDIRECT));
  expect(who + ": a neighbour advertisement to fd70::1" + control, refused,
         sendIcmpOfType(icmp6.fd(), "fd70::1", ND_NEIGHBOR_ADVERT));
  expect(who + ": a packet too big to fd70::1" + control, refused,
         sendIcmpOfType(icmp6.fd(), "fd70::1", ICMP6_PACKET_TOO_BIG));
  // The checksum written over the type (a raw socket's IPV6_CHECKSUM at
  // SOL_RAW) turns the echo request into type 4, a parameter problem.
  const int typeOffset = 0;
  expect(who + ": place the checksum at offset 0 (control)", 0,
         errnoOf(setsockopt(icmp6.fd(), SOL_RAW, IPV6_CHECKSUM, &typeOffset, sizeof(typeOffset))));
  expect(who + ": an echo request whose checksum overwrites its type" + control, refused,
         sendIcmpOfType(icmp6.fd(), "fd70::1", ICMP6_ECHO_REQUEST));
}

// Everything queued on fd, waiting up to waitMs for the first datagram.
std::string drainDatagrams(int fd, int waitMs = 1000) {
  std::string out;
  pollfd p{fd, POLLIN, 0};
  while (poll(&p, 1, waitMs) == 1) {
    char buffer[2048];
    const ssize_t n = recv(fd, buffer, sizeof(buffer), MSG_DONTWAIT);
    if (n <= 0) break;
    out.append(buffer, static_cast<size_t>(n));
    waitMs = 100;
  }
  return out;
}

// A socket made in a child moved into xid and set up there by setUp (0 or
// an errno), handed back over a unix socket: it keeps the context it was
// made in.  The fd is -1 if it could not be made, and the errno is
// socket()'s or setUp's.
std::pair<vs::UniqueFd, int> socketOfGuest(uint32_t xid, int family, int type, int protocol,
                                           const std::function<int(int)>& setUp) {
  int ends[2];
  if (socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0, ends) != 0) return {vs::UniqueFd(-1), errno};
  vs::UniqueFd parentEnd(ends[0]), childEnd(ends[1]);
  std::fflush(stdout);
  const pid_t pid = fork();
  if (pid == 0) {
    int result = EPERM;
    vs::UniqueFd made(-1);
    try {
      vs::VserverClient().migrate(xid);
      made = vs::UniqueFd(socket(family, type | SOCK_CLOEXEC, protocol));
      result = made ? setUp(made.get()) : errno;
    } catch (const vs::Error& e) {
      std::printf("# enter context %u: %s\n", xid, e.what());
    }
    const ssize_t sent = made ? sendWithControlInt(childEnd.get(), &result, sizeof(result), 0,
                                                   SOL_SOCKET, SCM_RIGHTS, made.get())
                              : send(childEnd.get(), &result, sizeof(result), 0);
    _exit(sent < 0 ? 1 : 0);
  }
  childEnd.reset();
  int result = EPERM;
  iovec iov{&result, sizeof(result)};
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))] = {};
  msghdr message{};
  message.msg_iov = &iov;
  message.msg_iovlen = 1;
  message.msg_control = control;
  message.msg_controllen = sizeof(control);
  vs::UniqueFd received(-1);
  if (pid > 0 && recvmsg(parentEnd.get(), &message, MSG_CMSG_CLOEXEC) > 0)
    for (cmsghdr* c = CMSG_FIRSTHDR(&message); c; c = CMSG_NXTHDR(&message, c))
      if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
        int fd = -1;
        std::memcpy(&fd, CMSG_DATA(c), sizeof(fd));
        received = vs::UniqueFd(fd);
      }
  if (pid > 0) waitpid(pid, nullptr, 0);
  return {std::move(received), result};
}

// What a raw socket of the host has queued: for each packet carrying
// token, "TYPE SOURCE DESTINATION".
std::vector<std::string> drainRaw(int fd, const std::string& token, int waitMs = 300) {
  std::vector<std::string> out;
  pollfd p{fd, POLLIN, 0};
  while (poll(&p, 1, waitMs) == 1) {
    uint8_t buffer[2048];
    sockaddr_storage from{};
    socklen_t len = sizeof(from);
    const ssize_t n = recvfrom(fd, buffer, sizeof(buffer), MSG_DONTWAIT,
                               reinterpret_cast<sockaddr*>(&from), &len);
    if (n <= 0) break;
    const std::string data(reinterpret_cast<char*>(buffer), static_cast<size_t>(n));
    if (data.find(token) == std::string::npos) continue;
    if (from.ss_family == AF_INET) {
      const auto* ip = reinterpret_cast<const iphdr*>(buffer);
      char src[INET_ADDRSTRLEN], dst[INET_ADDRSTRLEN];
      inet_ntop(AF_INET, &ip->saddr, src, sizeof(src));
      inet_ntop(AF_INET, &ip->daddr, dst, sizeof(dst));
      out.push_back(std::to_string(buffer[ip->ihl * 4]) + " " + src + " " + dst);
    } else {
      out.push_back(std::to_string(buffer[0]) + " " + hostOf(reinterpret_cast<sockaddr*>(&from)) + " ?");
    }
    waitMs = 50;
  }
  return out;
}

// The source of the echo request carrying token, as the host saw it.
std::string requestSource(const std::vector<std::string>& seen, bool v6) {
  const std::string type = std::to_string(v6 ? ICMP6_ECHO_REQUEST : ICMP_ECHO) + " ";
  for (const std::string& s : seen)
    if (s.rfind(type, 0) == 0) {
      std::istringstream fields(s);
      std::string t, src;
      fields >> t >> src;
      return src;
    }
  return "none";
}

// What docs/security-model.md names for a refused socket.
const std::vector<int> kRefusals = {EPERM};

struct SocketKind {
  const char* what;
  int family, type, protocol;
};

const std::vector<SocketKind> kPacketSockets = {
    {"AF_PACKET SOCK_RAW", AF_PACKET, SOCK_RAW, htons(ETH_P_ALL)},
    {"AF_PACKET SOCK_DGRAM", AF_PACKET, SOCK_DGRAM, htons(ETH_P_IP)},
    {"AF_INET SOCK_PACKET", AF_INET, SOCK_PACKET, htons(ETH_P_ALL)},
};

int socketErrno(const SocketKind& k) { return Socket(k.family, k.type, k.protocol).error(); }

const SocketKind kCarriersOfIp[] = {{"raw IPv6 destination options", AF_INET6, SOCK_RAW, IPPROTO_DSTOPTS},
                                    {"raw IPv6 in IPv4", AF_INET, SOCK_RAW, IPPROTO_IPV6},
                                    {"raw GRE", AF_INET, SOCK_RAW, IPPROTO_GRE}};

// The families and IP protocols the network set is not checked on: AF_XDP
// writes frames to a device, MPTCP opens subflows from a kernel thread.
// A confined guest gets them as from a kernel without them; the sockets
// it needs are the control.
void checkOtherSockets(const std::string& who, bool confined) {
  struct Refused {
    SocketKind kind;
    int unconfined;  // what the kernel itself answers
    int confined;
  };
  // This kernel has no SCTP: a SOCK_SEQPACKET socket, SCTP's protocol 0,
  // is refused before the family is asked.
  const std::vector<Refused> refused = {
      {{"AF_XDP", AF_XDP, SOCK_RAW, 0}, 0, EAFNOSUPPORT},
      {{"MPTCP", AF_INET, SOCK_STREAM, IPPROTO_MPTCP}, 0, EPROTONOSUPPORT},
      {{"IPv6 MPTCP", AF_INET6, SOCK_STREAM, IPPROTO_MPTCP}, 0, EPROTONOSUPPORT},
      {{"SOCK_SEQPACKET protocol 0", AF_INET, SOCK_SEQPACKET, 0}, ESOCKTNOSUPPORT, EPROTONOSUPPORT}};
  for (const Refused& r : refused)
    expect(who + ": " + r.kind.what + (confined ? "" : " (control)"),
           confined ? r.confined : r.unconfined, socketErrno(r.kind));
  const std::vector<SocketKind> allowed = {{"unix", AF_UNIX, SOCK_STREAM, 0},
                                           {"netlink", AF_NETLINK, SOCK_RAW, NETLINK_ROUTE},
                                           {"TCP", AF_INET, SOCK_STREAM, IPPROTO_TCP},
                                           {"IPv6 UDP", AF_INET6, SOCK_DGRAM, IPPROTO_UDP},
                                           {"UDP-Lite", AF_INET, SOCK_DGRAM, IPPROTO_UDPLITE}};
  for (const SocketKind& k : allowed)
    expect(who + ": " + k.what + " (control)", 0, socketErrno(k));
}

// IP_HDRINCL is refused (EPERM); were it not, a datagram with a forged
// header (from the host's 10.70.0.1) must still reach nobody.
void checkHeaderIncluded(const std::string& who, int fd) {
  const int one = 1;
  const int err = errnoOf(setsockopt(fd, IPPROTO_IP, IP_HDRINCL, &one, sizeof(one)));
  expect(who + ": IP_HDRINCL", EPERM, err);
  if (err) return;
  const std::string token = newToken();
  std::vector<uint8_t> packet(sizeof(iphdr) + sizeof(udphdr) + token.size());
  auto* ip = reinterpret_cast<iphdr*>(packet.data());
  ip->version = 4;
  ip->ihl = 5;
  ip->ttl = 64;
  ip->protocol = IPPROTO_UDP;
  ip->tot_len = htons(static_cast<uint16_t>(packet.size()));
  inet_pton(AF_INET, "10.70.0.1", &ip->saddr);
  inet_pton(AF_INET, "10.70.0.1", &ip->daddr);
  auto* udp = reinterpret_cast<udphdr*>(packet.data() + sizeof(iphdr));
  udp->source = htons(5301);
  udp->dest = htons(5301);
  udp->len = htons(static_cast<uint16_t>(sizeof(udphdr) + token.size()));
  std::memcpy(packet.data() + sizeof(iphdr) + sizeof(udphdr), token.data(), token.size());
  const Address dst = makeAddress("10.70.0.1", 0);
  const int sendErr = errnoOf(sendto(fd, packet.data(), packet.size(), 0, dst.get(), dst.length));
  std::printf("# %s: the send with a forged header: %s\n", who.c_str(), errnoName(sendErr));
  expectReceiver(who + ": a datagram with a forged header", token, "");
}

// The same for IPV6_HDRINCL on a raw IPv6 socket.
void checkHeaderIncluded6(const std::string& who, int protocol) {
  Socket s(AF_INET6, SOCK_RAW, protocol);
  if (!s.ok()) {
    report(false, who + ": raw IPv6 socket for IPV6_HDRINCL", errnoName(s.error()));
    return;
  }
  expect(who + ": IPV6_HDRINCL", EPERM, s.setInt(IPPROTO_IPV6, kIpv6HdrIncl, 1));
  expect(who + ": IPV6_HDRINCL at SOL_RAW", EPERM, s.setInt(SOL_RAW, kIpv6HdrIncl, 1));
}

// vsock has no network namespace: one port space with the host, and its
// hypervisor, for every guest, confined or not.  KCM's clones are sockets
// no limit counts (patch 0114).
const SocketKind kVsock{"AF_VSOCK", AF_VSOCK, SOCK_STREAM, 0};
const SocketKind kKcm{"AF_KCM", AF_KCM, SOCK_DGRAM, 0};

// Sends two datagrams to dst in one sendmmsg(), the second with an
// SO_MARK control message: how many were sent.
int sendSecondMarked(int fd, const Address& dst) {
  OneControl<uint32_t> control(SOL_SOCKET, SO_MARK, 7);
  const std::string first = newToken(), second = newToken();
  TwoDatagrams messages(dst, first, second);
  messages.setControl(1, control);
  return sendmmsg(fd, messages.messages(), 2, 0);
}

// A mark picks the host's routing and firewall rules by mark (patch 0112):
// set with SO_MARK, or given with one message, also the second message of
// a sendmmsg() to one address, which the sendmsg hook does not see.
void checkMarks(const std::string& who, int expected) {
  Socket udp(AF_INET, SOCK_DGRAM);
  expect(who + ": SO_MARK", expected, udp.setInt(SOL_SOCKET, SO_MARK, 7));
  const std::string token = newToken();
  const Address dst = makeAddress("10.70.0.1", 5300);
  const uint32_t mark = 7;
  expect(who + ": a datagram with an SO_MARK control message", expected,
         sendmsgWithInfo(udp.fd(), &dst, token.data(), token.size(), SOL_SOCKET, SO_MARK, mark));
  const int sent = sendSecondMarked(udp.fd(), dst);
  report(sent == (expected ? 1 : 2),
         who + ": sendmmsg of two datagrams to one address, the second marked: " +
             (expected ? "the first only" : "both") + " sent",
         std::to_string(sent) + " sent");
}

// raw_bind() takes the address whatever family it is given (patch 0113).
int bindRawNamedAs(sa_family_t family, const char* address) {
  Socket raw(AF_INET, SOCK_RAW, IPPROTO_UDP);
  sockaddr_in named{};
  named.sin_family = family;
  inet_pton(AF_INET, address, &named.sin_addr);
  return raw.ok() ? errnoOf(bind(raw.fd(), reinterpret_cast<sockaddr*>(&named), sizeof(named)))
                  : raw.error();
}

void checkRaw() {
  const uint64_t withRaw = VSERVER_BCAPS_DEFAULT | bit(CAP_NET_RAW);
  expect("host: AF_VSOCK (control)", 0, socketErrno(kVsock));
  expect("host: AF_KCM (control)", 0, socketErrno(kKcm));
  checkMarks("host (control)", 0);
  inNewGuest(kXidUnconfined, "net-unconfined", policyWith(withRaw), std::nullopt, [] {
    expect("unconfined guest with CAP_NET_RAW: AF_VSOCK", EAFNOSUPPORT, socketErrno(kVsock));
    expect("unconfined guest with CAP_NET_RAW: AF_KCM", EAFNOSUPPORT, socketErrno(kKcm));
    checkMarks("unconfined guest with CAP_NET_RAW (control)", 0);
    for (const SocketKind& k : kPacketSockets)
      expect(std::string("unconfined guest with CAP_NET_RAW: ") + k.what + " (control)", 0, socketErrno(k));
    expect("unconfined guest with CAP_NET_RAW: raw ICMP (control)", 0,
           socketErrno({"", AF_INET, SOCK_RAW, IPPROTO_ICMP}));
    expect("unconfined guest with CAP_NET_RAW: IPPROTO_RAW (control)", 0,
           socketErrno({"", AF_INET, SOCK_RAW, IPPROTO_RAW}));
    checkOtherSockets("unconfined guest with CAP_NET_RAW", false);
  });
  inNewGuest(kXidNoNcap, "net-noncap", policyWith(withRaw), NetSet{0, 0, {}, {"10.70.0.9"}}, [] {
    for (const SocketKind& k : kPacketSockets)
      expectRefused(std::string("guest without ncaps: ") + k.what, kRefusals, socketErrno(k));
    checkOtherSockets("guest with CAP_NET_RAW", true);
    for (const SocketKind& k : {SocketKind{"raw ICMP", AF_INET, SOCK_RAW, IPPROTO_ICMP},
                                SocketKind{"raw ICMPv6", AF_INET6, SOCK_RAW, IPPROTO_ICMPV6},
                                SocketKind{"raw UDP", AF_INET, SOCK_RAW, IPPROTO_UDP},
                                SocketKind{"raw IPv6 TCP", AF_INET6, SOCK_RAW, IPPROTO_TCP},
                                SocketKind{"IPPROTO_RAW", AF_INET, SOCK_RAW, IPPROTO_RAW},
                                SocketKind{"IPv6 IPPROTO_RAW", AF_INET6, SOCK_RAW, IPPROTO_RAW}})
      expectRefused(std::string("guest without ncaps: ") + k.what, kRefusals, socketErrno(k));
  });
  inNewGuest(kXidNoCapRaw, "net-nocapraw", {}, NetSet{0, VSERVER_NCAP_RAW_ICMP, {}, {"10.70.0.9"}}, [] {
    expect("guest with raw_icmp but no CAP_NET_RAW: raw ICMP", EPERM,
           socketErrno({"", AF_INET, SOCK_RAW, IPPROTO_ICMP}));
  });

  Socket capture(AF_INET, SOCK_RAW, IPPROTO_ICMP);
  Socket capture6(AF_INET6, SOCK_RAW, IPPROTO_ICMPV6);
  const std::string rawToken = newToken();
  checkRawIcmpTypes("host", false);
  inNewGuest(kXidRawIcmp, "net-rawicmp", policyWith(withRaw),
             NetSet{0, VSERVER_NCAP_RAW_ICMP, {}, {"10.70.0.9", "fd70::5"}}, [&rawToken] {
               Socket icmp(AF_INET, SOCK_RAW, IPPROTO_ICMP);
               expect("guest with raw_icmp: raw ICMP socket", 0, icmp.error());
               expect("guest with raw_icmp: raw ICMPv6 socket", 0,
                      socketErrno({"", AF_INET6, SOCK_RAW, IPPROTO_ICMPV6}));
               for (const SocketKind& k : {SocketKind{"raw UDP", AF_INET, SOCK_RAW, IPPROTO_UDP},
                                           SocketKind{"IPPROTO_RAW", AF_INET, SOCK_RAW, IPPROTO_RAW},
                                           SocketKind{"IPv6 IPPROTO_RAW", AF_INET6, SOCK_RAW, IPPROTO_RAW}})
                 expectRefused(std::string("guest with raw_icmp: ") + k.what, kRefusals, socketErrno(k));
               for (const SocketKind& k : kPacketSockets)
                 expectRefused(std::string("guest with raw_icmp: ") + k.what, kRefusals, socketErrno(k));
               if (!icmp.ok()) return;
               expect("guest with raw_icmp: bind the raw socket to 10.70.0.1", EADDRNOTAVAIL,
                      bindErrno(SOCK_RAW, "10.70.0.1", 0, IPPROTO_ICMP));
               expect("guest with raw_icmp: bind the raw socket to 10.70.0.9 (control)", 0,
                      bindErrno(SOCK_RAW, "10.70.0.9", 0, IPPROTO_ICMP));
               expect("guest with raw_icmp: raw echo request to 10.70.0.1", 0,
                      sendEcho(icmp.fd(), "10.70.0.1", rawToken));
               checkRawIcmpTypes("guest with raw_icmp", true);
               checkHeaderIncluded("guest with raw_icmp", icmp.fd());
               checkHeaderIncluded6("guest with raw_icmp", IPPROTO_ICMPV6);
               // Its raw socket sees what is sent to its address, not what
               // is sent to the host's: a ping to 10.70.0.1 shows the
               // reply (to 10.70.0.9) and not the request (to 10.70.0.1).
               Socket sniffer(AF_INET, SOCK_RAW, IPPROTO_ICMP);
               Socket ping(AF_INET, SOCK_DGRAM, IPPROTO_ICMP);
               const std::string token = newToken();
               expect("guest with raw_icmp: ping 10.70.0.1", 0, sendEcho(ping.fd(), "10.70.0.1", token));
               std::vector<std::string> seen;
               pollfd p{sniffer.fd(), POLLIN, 0};
               int waitMs = 1000;
               while (poll(&p, 1, waitMs) == 1) {
                 uint8_t buffer[2048];
                 const ssize_t n = recv(sniffer.fd(), buffer, sizeof(buffer), MSG_DONTWAIT);
                 if (n <= 0) break;
                 if (std::string(reinterpret_cast<char*>(buffer), n).find(token) == std::string::npos) continue;
                 const auto* ip = reinterpret_cast<const iphdr*>(buffer);
                 char dst[INET_ADDRSTRLEN];
                 inet_ntop(AF_INET, &ip->daddr, dst, sizeof(dst));
                 seen.push_back(std::to_string(buffer[ip->ihl * 4]) + " to " + dst);
                 waitMs = 100;
               }
               report(contains(seen, "0 to 10.70.0.9"),
                      "guest with raw_icmp: its raw socket sees the echo reply to 10.70.0.9 (control)",
                      "saw " + join(seen));
               report(!contains(seen, "8 to 10.70.0.1"),
                      "guest with raw_icmp: its raw socket does not see the request to the host's 10.70.0.1",
                      "saw " + join(seen));
               std::set<uint64_t> raw = procInodes("raw");
               report(raw.count(inodeOf(icmp.fd())) == 1, "guest with raw_icmp: /proc/net/raw shows its socket",
                      "missing");
               std::string hidden;
               for (const auto& [kind, inodes] : inodesOf("host"))
                 if (kind == "raw")
                   for (uint64_t ino : inodes)
                     if (raw.count(ino)) hidden += " " + std::to_string(ino);
               report(hidden.empty(), "guest with raw_icmp: /proc/net/raw hides the host's raw socket",
                      "shows" + hidden);
             });
  const std::string rawFrom = requestSource(drainRaw(capture.fd(), rawToken), false);
  report(rawFrom == "10.70.0.9", "host: the raw echo request of the raw_icmp guest came from 10.70.0.9",
         "from " + rawFrom);

  // A protocol that carries IP would hand-write ICMPv6 behind an
  // extension header, or an inner packet for a tunnel (patch 0134).
  for (const SocketKind& k : kCarriersOfIp)
    expect(std::string("host: ") + k.what + " (control)", 0, socketErrno(k));
  inNewGuest(kXidRaw, "net-raw", policyWith(withRaw), NetSet{0, VSERVER_NCAP_RAW, {}, {"10.70.0.9"}}, [] {
    Socket udp(AF_INET, SOCK_RAW, IPPROTO_UDP);
    expect("guest with raw: raw UDP socket (control)", 0, udp.error());
    expectRefused("guest with raw: IPPROTO_RAW", kRefusals, socketErrno({"", AF_INET, SOCK_RAW, IPPROTO_RAW}));
    for (const SocketKind& k : kPacketSockets)
      expectRefused(std::string("guest with raw: ") + k.what, kRefusals, socketErrno(k));
    for (const SocketKind& k : kCarriersOfIp)
      expect(std::string("guest with raw: ") + k.what, EPERM, socketErrno(k));
    if (udp.ok()) checkHeaderIncluded("guest with raw", udp.fd());
    checkHeaderIncluded6("guest with raw", IPPROTO_UDP);
    checkMarks("guest with raw", EPERM);
    expect("guest with raw: bind a raw socket to 10.70.0.1 named as AF_INET6", EADDRNOTAVAIL,
           bindRawNamedAs(AF_INET6, "10.70.0.1"));
    expect("guest with raw: bind a raw socket to its 10.70.0.9 (control)", 0,
           bindRawNamedAs(AF_INET, "10.70.0.9"));
  });

  // Ping sockets: no ncap needed; the echo carries the guest's source.
  const std::string ping4 = newToken(), ping6 = newToken();
  inGuest(kXidA, [&] {
    Socket ping(AF_INET, SOCK_DGRAM, IPPROTO_ICMP);
    expect("guest A: ICMP datagram (ping) socket", 0, ping.error());
    Socket pingv6(AF_INET6, SOCK_DGRAM, IPPROTO_ICMPV6);
    expect("guest A: ICMPv6 datagram (ping) socket", 0, pingv6.error());
    expect("guest A: bind a ping socket to 10.70.0.1", EADDRNOTAVAIL,
           bindErrno(SOCK_DGRAM, "10.70.0.1", 0, IPPROTO_ICMP));
    expect("guest A: bind a ping socket to 10.70.0.4", EADDRNOTAVAIL,
           bindErrno(SOCK_DGRAM, "10.70.0.4", 0, IPPROTO_ICMP));
    expect("guest A: bind a ping socket to 10.70.0.3 (control)", 0,
           bindErrno(SOCK_DGRAM, "10.70.0.3", 0, IPPROTO_ICMP));
    expect("guest A: bind a ping6 socket to fd70::1", EADDRNOTAVAIL,
           bindErrno(SOCK_DGRAM, "fd70::1", 0, IPPROTO_ICMPV6));
    expect("guest A: bind a ping6 socket to fd70::3 (control)", 0,
           bindErrno(SOCK_DGRAM, "fd70::3", 0, IPPROTO_ICMPV6));
    if (ping.ok()) {
      expect("guest A: ping 10.70.0.1", 0, sendEcho(ping.fd(), "10.70.0.1", ping4));
      pollfd p{ping.fd(), POLLIN, 0};
      report(poll(&p, 1, 2000) == 1, "guest A: the echo reply comes back", "none within 2 s");
    }
    if (pingv6.ok()) {
      expect("guest A: ping fd70::1", 0, sendEcho(pingv6.fd(), "fd70::1", ping6));
      pollfd p{pingv6.fd(), POLLIN, 0};
      report(poll(&p, 1, 2000) == 1, "guest A: the ICMPv6 echo reply comes back", "none within 2 s");
    }
    // A foreign source on a ping socket.
    Socket pktinfo(AF_INET, SOCK_DGRAM, IPPROTO_ICMP);
    const std::string token = newToken();
    std::vector<uint8_t> packet(8 + token.size());
    packet[0] = ICMP_ECHO;
    std::memcpy(packet.data() + 8, token.data(), token.size());
    in_pktinfo info{};
    inet_pton(AF_INET, "10.70.0.1", &info.ipi_spec_dst);
    const Address dst = makeAddress("10.70.0.1", 0);
    expect("guest A: ping with IP_PKTINFO 10.70.0.1", EADDRNOTAVAIL,
           sendmsgWithInfo(pktinfo.fd(), &dst, packet.data(), packet.size(), IPPROTO_IP,
                           IP_PKTINFO, info));
  });
  const std::string from4 = requestSource(drainRaw(capture.fd(), ping4), false);
  report(from4 == "10.70.0.2", "host: guest A's ping came from 10.70.0.2", "from " + from4);
  const std::string from6 = requestSource(drainRaw(capture6.fd(), ping6), true);
  report(from6 == "fd70::2", "host: guest A's ICMPv6 ping came from fd70::2", "from " + from6);
}

// Echo replies reach a ping socket at its context's addresses only:
// guest A's ping socket bound to the wildcard takes those sent to its
// addresses and not those sent to the host's, and a host ping socket bound
// to the wildcard not those sent to guest A's.  The host sends the replies
// through a raw socket, each with the ident of the socket it is for.
void checkPingReplies() {
  constexpr uint16_t kGuestIdent = 4711, kHostIdent = 4712;
  for (const bool v6 : {false, true}) {
    const int family = v6 ? AF_INET6 : AF_INET;
    const int protocol = v6 ? static_cast<int>(IPPROTO_ICMPV6) : static_cast<int>(IPPROTO_ICMP);
    const std::string wildcard = v6 ? "::" : "0.0.0.0";
    const std::string hostAddress = v6 ? "fd70::1" : "10.70.0.1";
    const std::string guestAddress = v6 ? "fd70::3" : "10.70.0.3";
    const std::string kind = v6 ? "ICMPv6 ping socket" : "ping socket";
    const auto [guestPing, bound] =
        socketOfGuest(kXidA, family, SOCK_DGRAM, protocol, [&](int fd) {
          const Address any = makeAddress(wildcard, kGuestIdent);
          return errnoOf(bind(fd, any.get(), any.length));
        });
    expect("guest A: bind a " + kind + " to the wildcard, ident 4711", 0, bound);
    Socket hostPing(family, SOCK_DGRAM, protocol);
    expect("host: bind a " + kind + " to the wildcard, ident 4712", 0,
           hostPing.bindTo(makeAddress(wildcard, kHostIdent)));
    Socket raw(family, SOCK_RAW, protocol);
    const std::string guestOwn = newToken(), guestToHost = newToken();
    const std::string hostOwn = newToken(), hostToGuest = newToken();
    for (const auto& [to, ident, token] :
         {std::tuple{guestAddress, kGuestIdent, guestOwn},
          std::tuple{hostAddress, kGuestIdent, guestToHost},
          std::tuple{hostAddress, kHostIdent, hostOwn},
          std::tuple{guestAddress, kHostIdent, hostToGuest}})
      expect("host: raw echo reply with ident " + std::to_string(ident) + " to " + to, 0,
             sendEcho(raw.fd(), to, token, true, ident));
    if (!guestPing) continue;
    const auto expectTaken = [&](const std::string& who, const std::string& got,
                                 const std::string& token, bool taken, const std::string& to) {
      report((got.find(token) != std::string::npos) == taken,
             who + ": its " + kind + (taken ? " takes" : " does not take") +
                 " the reply sent to " + to + (taken ? " (control)" : ""),
             taken ? "not received" : "received");
    };
    const std::string guestGot = drainDatagrams(guestPing.get());
    expectTaken("guest A", guestGot, guestOwn, true, guestAddress);
    expectTaken("guest A", guestGot, guestToHost, false, "the host's " + hostAddress);
    const std::string hostGot = drainDatagrams(hostPing.fd());
    expectTaken("host", hostGot, hostOwn, true, hostAddress);
    expectTaken("host", hostGot, hostToGuest, false, "guest A's " + guestAddress);
  }

  // SO_REUSEADDR lets ping sockets share an ident, within a context only.
  constexpr uint16_t kSharedIdent = 4713;
  const Address shared = makeAddress("0.0.0.0", kSharedIdent);
  Socket first(AF_INET, SOCK_DGRAM, IPPROTO_ICMP), second(AF_INET, SOCK_DGRAM, IPPROTO_ICMP);
  for (Socket* s : {&first, &second}) s->setInt(SOL_SOCKET, SO_REUSEADDR, 1);
  expect("host: bind a ping socket with SO_REUSEADDR, ident 4713", 0, first.bindTo(shared));
  expect("host: a second one shares the ident (control)", 0, second.bindTo(shared));
  const auto [guestShared, sharedBind] =
      socketOfGuest(kXidA, AF_INET, SOCK_DGRAM, IPPROTO_ICMP, [&](int fd) {
        const int on = 1;
        if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on)) != 0) return errno;
        return errnoOf(bind(fd, shared.get(), shared.length));
      });
  expect("guest A: bind a ping socket with SO_REUSEADDR to the host's ident 4713", EADDRINUSE,
         sharedBind);
}

// Guest E binds its servers to 10.70.0.10 and fd70::a, then the host
// takes both out of its set: its sockets, still bound to them, take
// nothing more sent there (the host may give them to another guest).
void checkRemovedAddresses() {
  const std::vector<std::string> addresses = {"10.70.0.10", "fd70::a"};
  for (const std::string& a : addresses)
    expect("host: add " + a + " to vsnet0", 0,
           changeAddress(RTM_NEWADDR, "vsnet0", a, familyOf(a) == AF_INET ? 24 : 64));
  if (!startServer("E", kXidRemoved, {}, NetSet{0, 0, {}, addresses},
                   {{"tcp", SOCK_STREAM, "10.70.0.10", 84},
                    {"udp", SOCK_DGRAM, "10.70.0.10", 5304},
                    {"tcp6", SOCK_STREAM, "fd70::a", 84},
                    {"udp6", SOCK_DGRAM, "fd70::a", 5304}})) {
    report(false, "guest E: its servers on 10.70.0.10 and fd70::a", "did not start");
    return;
  }
  for (const std::string& a : addresses) {
    const std::string udp = newToken();
    expect("host: UDP to " + a + ":5304", 0, udpSendTo(a, 5304, udp));
    expectReceiver("host: UDP to " + a + ":5304 (control)", udp, "E");
    const std::string tcp = newToken();
    expect("host: TCP to " + a + ":84", 0, tcpSendTo(a, 84, tcp));
    expectReceiver("host: TCP to " + a + ":84 (control)", tcp, "E");
  }
  expect("host: take 10.70.0.10 and fd70::a out of guest E's set", 0,
         setNetSet(kXidRemoved, {}));
  for (const std::string& a : addresses) {
    const std::string udp = newToken();
    expect("host: UDP to " + a + ":5304 once E lost it", 0, udpSendTo(a, 5304, udp));
    expectReceiver("host: UDP to " + a + ":5304 once E lost it", udp, "");
    const std::string tcp = newToken();
    expect("host: TCP to " + a + ":84 once E lost it", ECONNREFUSED, tcpSendTo(a, 84, tcp));
    expectReceiver("host: TCP to " + a + ":84 once E lost it", tcp, "");
  }
  // E's sockets still bound there hold no port from the address's owner.
  inNewGuest(kXidNewOwner, "net-newowner", {}, NetSet{0, 0, {}, addresses}, [&addresses] {
    for (const std::string& a : addresses) {
      expect("guest F, given " + a + ": bind UDP " + a + ":5304, E's old port", 0,
             bindErrno(SOCK_DGRAM, a, 5304));
      // SO_REUSEADDR, as a server sets it: the port holds the time-wait
      // sockets of E's connections too.
      expect("guest F, given " + a + ": bind TCP " + a + ":84 (SO_REUSEADDR), where E listens", 0,
             bindErrno(SOCK_STREAM, a, 84, 0, reuseAddress));
    }
  });
}

// CTX_GET describes a confined context's network set, its loopback
// address always included.
void checkContextGet() {
  for (const auto& [xid, lback, addrs, flags] :
       {std::tuple<uint32_t, std::string, std::vector<std::string>, uint64_t>{
            kXidA, kLbackA, kAddrsA, VSERVER_NF_HIDE_NETIF},
        {kXidB, kLbackB, kAddrsB, 0}}) {
    std::vector<std::string> shown;
    std::string shownLback = "none";
    uint64_t shownFlags = 0;
    int err = 0;
    bool hasNet = false;
    try {
      vs::GenlSocket socket;
      GenlRequest r = vs::encodeContextGet(socket.resolveFamily(VSERVER_GENL_NAME).id, xid);
      socket.transact(r, [&](const nlmsghdr* nlh) {
        forEachAttribute(nlh, sizeof(genlmsghdr), [&](const nlattr* attr) {
          if ((mnl_attr_get_type(attr) & NLA_TYPE_MASK) != VSERVER_A_NET) return;
          hasNet = true;
          forEachNested(attr, [&](const nlattr* inner) {
            switch (mnl_attr_get_type(inner)) {
              case VSERVER_A_NET_LBACK:
                shownLback = addressAttribute(AF_INET, inner);
                break;
              case VSERVER_A_NET_ADDR4:
                shown.push_back(addressAttribute(AF_INET, inner));
                break;
              case VSERVER_A_NET_ADDR6:
                shown.push_back(addressAttribute(AF_INET6, inner));
                break;
              case VSERVER_A_NET_FLAGS:
                shownFlags = mnl_attr_get_u64(inner);
                break;
              default:
                break;
            }
          });
        });
      });
    } catch (const vs::Error& e) {
      err = e.errnum() ? e.errnum() : EPROTO;
    }
    const std::string who = "host: CTX_GET of " + std::to_string(xid);
    expect(who, 0, err);
    report(hasNet, who + " has VSERVER_A_NET", "missing");
    report(shownLback == lback, who + " shows lback " + lback, "shows " + shownLback);
    report(shown == addrs, who + " shows its addresses in order", "shows " + join(shown));
    report(shownFlags == flags, who + " shows its flags", "shows " + std::to_string(shownFlags));
  }
}

// --- 4c. route queries and the rest of rtnetlink ---

constexpr unsigned kMissingIndex = 999999;  // no interface has it

// An RTM_GETROUTE request of family: ip route get dst (with a source, an
// output interface or an input one when given), or a dump without dst
// (with flags, RTM_F_CLONED for the cached exceptions).  onAttribute sees
// each attribute of each route answered; the errno, or 0.
struct RouteQuery {
  int family = AF_INET;
  std::string dst, source;
  unsigned oif = 0, iif = 0;
  unsigned flags = 0;
};

int queryRoutes(const RouteQuery& q,
                const std::function<void(const rtmsg*, const nlattr*)>& onAttribute) {
  Rtnl rtnl;
  nlmsghdr* nlh = rtnl.start(RTM_GETROUTE, q.dst.empty() ? NLM_F_DUMP : NLM_F_ACK);
  auto* rtm = static_cast<rtmsg*>(mnl_nlmsg_put_extra_header(nlh, sizeof(rtmsg)));
  rtm->rtm_family = static_cast<uint8_t>(q.family);
  rtm->rtm_flags = q.flags;
  if (!q.dst.empty()) putAddressAttribute(nlh, RTA_DST, q.dst);
  if (!q.source.empty()) putAddressAttribute(nlh, RTA_SRC, q.source);
  if (q.oif) mnl_attr_put_u32(nlh, RTA_OIF, q.oif);
  if (q.iif) mnl_attr_put_u32(nlh, RTA_IIF, q.iif);
  return rtnl.run(nlh, [&](const nlmsghdr* reply) {
    if (reply->nlmsg_type != RTM_NEWROUTE) return;
    const auto* route = static_cast<const rtmsg*>(mnl_nlmsg_get_payload(reply));
    forEachAttribute(reply, sizeof(rtmsg), [&](const nlattr* attr) { onAttribute(route, attr); });
  });
}

// ip route get dst, with an output interface (oif) or an input one (iif,
// from source) when given: the errno, or 0 with the answer's output
// interface in *out.
int routeGetErrno(const std::string& dst, unsigned oif = 0, unsigned iif = 0,
                  const std::string& source = {}, unsigned* out = nullptr) {
  unsigned outIndex = 0;
  const int err = queryRoutes({familyOf(dst), dst, source, oif, iif},
                              [&](const rtmsg*, const nlattr* attr) {
                                if (mnl_attr_get_type(attr) == RTA_OIF)
                                  outIndex = mnl_attr_get_u32(attr);
                              });
  if (out) *out = outIndex;
  return err;
}

// ip route get dst must answer with a route out of link (an index).
void expectRouteOut(const std::string& who, const std::string& dst, unsigned link,
                    const std::string& linkName) {
  unsigned out = 0;
  const int err = routeGetErrno(dst, 0, 0, {}, &out);
  report(err == 0 && out == link, who + ": ip route get " + dst + " -> out of " + linkName,
         err ? std::string("got ") + errnoName(err) : "out of index " + std::to_string(out));
}

// A dump request of type whose header, of size bytes, starts with the
// family: 0 or the errno.
int dumpErrno(uint16_t type, size_t size, uint8_t family = AF_UNSPEC) {
  Rtnl rtnl;
  nlmsghdr* nlh = rtnl.start(type, NLM_F_DUMP);
  *static_cast<uint8_t*>(mnl_nlmsg_put_extra_header(nlh, size)) = family;
  return rtnl.run(nlh, [](const nlmsghdr*) {});
}

// An rtnetlink dump request, and what the host gets for it.
struct TableDump {
  uint16_t type;
  size_t size;
  uint8_t family;
  int hostErrno = 0;
};

// ip route get and the other rtnetlink requests, as guest A (hide_netif,
// vsnet1 hidden) makes them: a route out of vsnet1, or to its address or
// another address A must not see, is no route, vsnet1's index answers as
// a missing one's, and the tables the kernel does not filter for it (tc,
// fib rules, nexthops, the bridge's) answer as a kernel without them.
// The host and guest B (without hide_netif) are the controls.
void checkRouteQueries() {
  const unsigned vsnet0 = if_nametoindex("vsnet0"), vsnet1 = if_nametoindex("vsnet1");
  std::map<std::string, TableDump> hostTables = {
      {"the nexthops", {RTM_GETNEXTHOP, sizeof(nhmsg), AF_UNSPEC}},
      {"the bridge ports", {RTM_GETLINK, sizeof(ifinfomsg), AF_BRIDGE}},
      {"the bridge forwarding database", {RTM_GETNEIGH, sizeof(ndmsg), AF_BRIDGE}},
      {"the fib rules", {RTM_GETRULE, sizeof(fib_rule_hdr), AF_UNSPEC}},
      {"the qdiscs", {RTM_GETQDISC, sizeof(tcmsg), AF_UNSPEC}},
      {"the tc actions", {RTM_GETACTION, sizeof(tcamsg), AF_UNSPEC}}};
  for (auto& [what, dump] : hostTables)
    dump.hostErrno = dumpErrno(dump.type, dump.size, dump.family);
  for (const char* what : {"the nexthops", "the bridge ports", "the bridge forwarding database"})
    expect(std::string("host: dump ") + what + " (control)", 0, hostTables.at(what).hostErrno);
  for (const char* dst : {"10.71.0.1", "fd71::1"})
    expect(std::string("host: ip route get ") + dst + ", vsnet1's own address (control)", 0,
           routeGetErrno(dst));
  for (const char* dst : {"10.71.0.5", "fd71::5"}) {
    expectRouteOut("host (control)", dst, vsnet1, "vsnet1");
    inGuest(kXidB, [&] { expectRouteOut("guest B (control)", dst, vsnet1, "vsnet1"); });
  }
  inGuest(kXidB, [] {
    expect("guest B: dump the nexthops (control)", 0, dumpErrno(RTM_GETNEXTHOP, sizeof(nhmsg)));
    expect("guest B: dump the bridge ports (control)", 0,
           dumpErrno(RTM_GETLINK, sizeof(ifinfomsg), AF_BRIDGE));
  });
  inGuest(kXidA, [&] {
    for (const char* dst : {"10.71.0.5", "fd71::5"})
      expect(std::string("guest A (hide_netif): ip route get ") + dst + ", out of vsnet1",
             ENETUNREACH, routeGetErrno(dst));
    for (const char* dst : {"10.71.0.1", "fd71::1"})
      expect(std::string("guest A: ip route get ") + dst + ", vsnet1's own address",
             ENETUNREACH, routeGetErrno(dst));
    for (const char* dst : {"10.70.0.1", "fd70::1"})
      expect(std::string("guest A: ip route get ") + dst + ", the host's address on vsnet0",
             ENETUNREACH, routeGetErrno(dst));
    for (const char* dst : {"10.70.0.2", "fd70::2", "127.0.0.1"})
      expect(std::string("guest A: ip route get ") + dst + ", a local address it sees (control)",
             0, routeGetErrno(dst));
    for (const char* dst : {"10.70.0.99", "fd70::99"})
      expectRouteOut("guest A (control)", dst, vsnet0, "vsnet0");
    // vsnet1 named as the output interface, for addresses it reaches,
    // answers as a missing index does.
    for (const char* dst : {"10.71.0.5", "fd71::5"}) {
      const std::string at = dst;
      const int missing = routeGetErrno(dst, kMissingIndex);
      report(missing != 0, "guest A: ip route get " + at + " oif " +
                               std::to_string(kMissingIndex) + " (a missing index) is refused",
             "it is answered");
      expect("guest A: ip route get " + at + " oif vsnet1, as a missing index", missing,
             routeGetErrno(dst, vsnet1));
    }
    // IPv4 checks the source first, so the answer may be another.  (IPv6
    // takes an output interface with a source as a preference only: a
    // missing one and vsnet1 both give vsnet1's route, patch or not.)
    expect("guest A: ip route get 10.71.0.5 from 10.70.0.2 oif vsnet1, as a missing index",
           routeGetErrno("10.71.0.5", kMissingIndex, 0, "10.70.0.2"),
           routeGetErrno("10.71.0.5", vsnet1, 0, "10.70.0.2"));
    const std::vector<std::pair<std::string, std::string>> inputs = {{"10.70.0.2", "10.71.0.9"},
                                                                     {"fd70::2", "fd71::9"}};
    for (const auto& [dst, source] : inputs) {
      const int missing = routeGetErrno(dst, 0, kMissingIndex, source);
      expect("guest A: ip route get " + dst + " from " + source + " iif " +
                 std::to_string(kMissingIndex) + " (a missing index)",
             ENODEV, missing);
      expect("guest A: ip route get " + dst + " from " + source + " iif vsnet1", ENODEV,
             routeGetErrno(dst, 0, vsnet1, source));
    }
    expect("guest A: ip route get 10.70.0.2 from 10.70.0.77 iif vsnet0 (control)", 0,
           routeGetErrno("10.70.0.2", 0, vsnet0, "10.70.0.77"));
    expect("guest A: dump the links (control)", 0, dumpErrno(RTM_GETLINK, sizeof(ifinfomsg)));
    expect("guest A: dump the routes of every family (control)", 0,
           dumpErrno(RTM_GETROUTE, sizeof(rtmsg)));
    // As a kernel without them: EOPNOTSUPP.  Each only where the host's
    // kernel has it (the test kernel has no tc and no fib rules; the
    // distribution kernel does).
    for (const auto& [what, dump] : hostTables) {
      if (dump.hostErrno) {
        std::printf("# the host gets %s for %s: not asked of guest A\n",
                    errnoName(dump.hostErrno), what.c_str());
        continue;
      }
      expect("guest A: dump " + what, EOPNOTSUPP, dumpErrno(dump.type, dump.size, dump.family));
    }
    // iproute2 and busybox ask for links as AF_PACKET, which AF_UNSPEC's
    // handler serves.
    expect("guest A: dump the links as AF_PACKET, as ip link does (control)", 0,
           dumpErrno(RTM_GETLINK, sizeof(ifinfomsg), AF_PACKET));
  });
}

// The preferred sources (RTA_PREFSRC) routes of family name: those of a
// dump, or with dst those of ip route get dst (from source, if given).
// err gets the errno.
std::vector<std::string> routeSources(int family, const std::string& dst, const std::string& source,
                                      int* err) {
  std::vector<std::string> out;
  *err = queryRoutes({family, dst, source}, [&](const rtmsg*, const nlattr* attr) {
    if (mnl_attr_get_type(attr) != RTA_PREFSRC) return;
    const std::string text = addressAttribute(family, attr);
    if (!contains(out, text)) out.push_back(text);
  });
  return out;
}

// The errno of ip route get dst from source.
int routeFromErrno(const std::string& dst, const std::string& source) {
  int err = 0;
  routeSources(familyOf(dst), dst, source, &err);
  return err;
}

// Routes name a source address (the primary address of a subnet, the one
// ip route get picks): guest A is told its own only, and a source not its
// own is refused alike whether it is another context's or nobody's.  The
// host, whose 10.70.0.1 is vsnet0's primary address, is the control.
void checkRouteSources() {
  int err = 0;
  // Loopback addresses (lo's routes name 127.0.0.1) every context sees.
  const auto ownedByA = [](const std::vector<std::string>& sources) {
    return std::all_of(sources.begin(), sources.end(), [](const std::string& a) {
      return contains(kAddrsA, a) || a.starts_with("127.");
    });
  };
  const auto hostDump = routeSources(AF_INET, {}, {}, &err);
  report(err == 0 && contains(hostDump, "10.70.0.1"),
         "host: its route dump names 10.70.0.1 as a source (control)", "names " + join(hostDump));
  const auto hostGet = routeSources(AF_INET, "10.70.0.99", {}, &err);
  report(err == 0 && hostGet == std::vector<std::string>{"10.70.0.1"},
         "host: ip route get 10.70.0.99 -> src 10.70.0.1 (control)", "names " + join(hostGet));
  // The source the kernel picks for IPv6 is none of guest A's, so A's
  // answer below shows the filter, not the pick.
  const auto hostGet6 = routeSources(AF_INET6, "fd70::99", {}, &err);
  report(err == 0 && hostGet6.size() == 1 && !ownedByA(hostGet6),
         "host: ip -6 route get fd70::99 -> a source not guest A's (control)",
         "names " + join(hostGet6));
  expect("host: ip route get 10.70.0.99 from guest B's 10.70.0.4 (control)", 0,
         routeFromErrno("10.70.0.99", "10.70.0.4"));
  expect("host: ip route get 10.70.0.99 from 10.70.0.200, nobody's (control)", ENETUNREACH,
         routeFromErrno("10.70.0.99", "10.70.0.200"));
  inGuest(kXidA, [&] {
    const auto dump = routeSources(AF_INET, {}, {}, &err);
    // lo's routes name 127.0.0.1: the dump answered, and shows what A sees.
    report(err == 0 && contains(dump, "127.0.0.1") && ownedByA(dump),
           "guest A: its route dump names lo's 127.0.0.1 and no source but its own or loopback's",
           "names " + join(dump));
    const auto got = routeSources(AF_INET, "10.70.0.99", {}, &err);
    report(err == 0 && got.size() == 1 && contains(kAddrsA, got[0]),
           "guest A: ip route get 10.70.0.99 -> src one of its own", "names " + join(got));
    const auto got6 = routeSources(AF_INET6, "fd70::99", {}, &err);
    report(err == 0 && ownedByA(got6), "guest A: ip -6 route get fd70::99 names no source but its own",
           "names " + join(got6));
    expect("guest A: ip route get 10.70.0.99 from guest B's 10.70.0.4", EADDRNOTAVAIL,
           routeFromErrno("10.70.0.99", "10.70.0.4"));
    expect("guest A: ip route get 10.70.0.99 from 10.70.0.200, nobody's, alike", EADDRNOTAVAIL,
           routeFromErrno("10.70.0.99", "10.70.0.200"));
    expect("guest A: ip route get 10.70.0.99 from its own 10.70.0.3 (control)", 0,
           routeFromErrno("10.70.0.99", "10.70.0.3"));
  });
}

// The destinations of the exceptions cached on IPv4 routes (ip route show
// cache: a dump of RTM_F_CLONED routes); err gets the errno.
std::vector<std::string> cachedRouteDestinations(int* err) {
  std::vector<std::string> out;
  RouteQuery cache;
  cache.flags = RTM_F_CLONED;
  *err = queryRoutes(cache, [&](const rtmsg* route, const nlattr* attr) {
    if ((route->rtm_flags & RTM_F_CLONED) && mnl_attr_get_type(attr) == RTA_DST)
      out.push_back(addressAttribute(AF_INET, attr));
  });
  return out;
}

// Has the host's UDP socket, connected from 10.70.0.1 to peer port 9,
// told by ICMP that the path takes 1280 bytes only: the kernel caches that
// as an exception on the route to peer.  The ICMP comes from the host
// itself, over lo, quoting the socket's datagram.
bool learnPathMtu(const std::string& peer) {
  Socket udp(AF_INET, SOCK_DGRAM);
  if (udp.bindTo(makeAddress("10.70.0.1", 0)) != 0) return false;
  const Address to = makeAddress(peer, 9);
  if (connect(udp.fd(), to.get(), to.length) != 0) return false;
  sockaddr_in local{};
  socklen_t length = sizeof(local);
  getsockname(udp.fd(), reinterpret_cast<sockaddr*>(&local), &length);
  struct {
    icmphdr icmp;
    iphdr ip;
    udphdr udp;
  } message{};
  message.icmp.type = ICMP_DEST_UNREACH;
  message.icmp.code = ICMP_FRAG_NEEDED;
  message.icmp.un.frag.mtu = htons(1280);
  message.ip.version = 4;
  message.ip.ihl = 5;
  message.ip.ttl = 64;
  message.ip.protocol = IPPROTO_UDP;
  message.ip.tot_len = htons(1400);
  message.ip.saddr = local.sin_addr.s_addr;
  inet_pton(AF_INET, peer.c_str(), &message.ip.daddr);
  message.udp.source = local.sin_port;
  message.udp.dest = htons(9);
  message.icmp.checksum = checksum(&message, sizeof(message));
  Socket raw(AF_INET, SOCK_RAW, IPPROTO_ICMP);
  const Address host = makeAddress("10.70.0.1", 0);
  return sendto(raw.fd(), &message, sizeof(message), 0, host.get(), host.length) ==
         static_cast<ssize_t>(sizeof(message));
}

// The exceptions cached on routes name the peers the host reached: guest A
// sees none of the host's.
void checkRouteExceptions() {
  const std::string peer = "10.70.0.77";
  report(learnPathMtu(peer), "host: a path MTU of 1280 to " + peer + " told by ICMP", "not sent");
  int err = 0;
  // The ICMP message is taken in from lo's backlog, which under emulation
  // may come after the dump: wait for it, up to 5 s.
  std::vector<std::string> hostCache;
  for (int tries = 0; tries < 50; tries++) {
    hostCache = cachedRouteDestinations(&err);
    if (err != 0 || contains(hostCache, peer)) break;
    usleep(100000);
  }
  report(err == 0 && contains(hostCache, peer),
         "host: ip route show cache names " + peer + " (control)", "names " + join(hostCache));
  inGuest(kXidA, [&] {
    const auto cache = cachedRouteDestinations(&err);
    report(err == 0 && !contains(cache, peer),
           "guest A: ip route show cache does not name the host's peer",
           std::string(errnoName(err)) + ", names " + join(cache));
  });
}

// The errno of looking generic netlink family name up, or 0.
int resolveErrno(const std::string& name) {
  return errnoOfCall([&] { vs::GenlSocket().resolveFamily(name); });
}

// A dump of MPTCP's endpoints (its GET_ADDR), sent to family id: 0 or
// the errno.
int mptcpEndpointsErrno(uint16_t id) {
  return errnoOfCall([&] {
    vs::GenlRequest request(id, MPTCP_PM_CMD_GET_ADDR, MPTCP_PM_VER, NLM_F_DUMP);
    vs::GenlSocket().transact(request, [](const nlmsghdr*) {});
  });
}

// The generic netlink families guest A (hide_netif) may use are those
// filtered for it: MPTCP's, whose endpoints name interfaces, is missing
// for it, by name and by id; guest B (without hide_netif) is the control.
void checkGenericFamilies() {
  uint16_t mptcp = 0;
  try {
    mptcp = vs::GenlSocket().resolveFamily(MPTCP_PM_NAME).id;
  } catch (const vs::Error& e) {
    report(false, "host: resolve the generic netlink family " MPTCP_PM_NAME, e.what());
    return;
  }
  inGuest(kXidB, [&] {
    expect("guest B: resolve the family " MPTCP_PM_NAME " (control)", 0,
           resolveErrno(MPTCP_PM_NAME));
    expect("guest B: dump MPTCP's endpoints (control)", 0, mptcpEndpointsErrno(mptcp));
  });
  inGuest(kXidA, [&] {
    expect("guest A (hide_netif): resolve the family " MPTCP_PM_NAME, ENOENT,
           resolveErrno(MPTCP_PM_NAME));
    expect("guest A: dump MPTCP's endpoints by the family's id", ENOENT,
           mptcpEndpointsErrno(mptcp));
    expect("guest A: resolve the family " ETHTOOL_GENL_NAME " (control)", 0,
           resolveErrno(ETHTOOL_GENL_NAME));
  });
}

// --- 5b. broadcasts and multicasts ---

// Checks that token reached exactly the servers in who: waits up to 3 s
// for them all, and 300 ms more for anyone else.
void expectReceivers(const std::string& what, const std::string& token,
                     const std::set<std::string>& who) {
  std::map<std::string, std::string> got;
  for (int tries = 0; tries < 10; tries++) {
    got = receivers(token, false);
    if (std::all_of(who.begin(), who.end(), [&](const std::string& w) { return got.count(w); }))
      break;
  }
  std::set<std::string> names;
  for (const auto& entry : got) names.insert(entry.first);
  report(names == who, what + " -> " + join(std::vector<std::string>(who.begin(), who.end())),
         "received by " + describe(got));
}

// Sends a new token from the host out of link to to:port and returns it;
// "" when the send failed, which is then check what's failure.
std::string sendTokenOutOf(const std::string& what, const std::string& link,
                           const std::string& to, uint16_t port) {
  const std::string token = newToken();
  const int err = udpSendTo(to, port, token, 0, link);
  if (!err) return token;
  report(false, what, std::string("sendto: ") + errnoName(err));
  return {};
}

// A broadcast or multicast sent by the host out of link to to:5300 must
// reach exactly who among the servers.
void groupCheck(const std::string& what, const std::string& link, const std::string& to,
                const std::set<std::string>& who) {
  const std::string token = sendTokenOutOf(what, link, to, 5300);
  if (!token.empty()) expectReceivers(what, token, who);
}

// Joins group on link (an index) on socket fd: 0 or the errno.
int joinGroup(int fd, const std::string& group, unsigned link) {
  if (familyOf(group) == AF_INET) {
    ip_mreqn join{};
    inet_pton(AF_INET, group.c_str(), &join.imr_multiaddr);
    join.imr_ifindex = static_cast<int>(link);
    return errnoOf(setsockopt(fd, IPPROTO_IP, IP_ADD_MEMBERSHIP, &join, sizeof(join)));
  }
  ipv6_mreq join{};
  inet_pton(AF_INET6, group.c_str(), &join.ipv6mr_multiaddr);
  join.ipv6mr_interface = link;
  return errnoOf(setsockopt(fd, IPPROTO_IPV6, IPV6_ADD_MEMBERSHIP, &join, sizeof(join)));
}

// Joins group(0) to group(count - 1) on link on socket fd: 0 or the first
// errno.
int joinGroups(int fd, const std::function<std::string(int)>& group, int count, unsigned link) {
  for (int i = 0; i < count; i++)
    if (const int err = joinGroup(fd, group(i), link)) return err;
  return 0;
}

// A socket of guest A bound to the wildcard of family at port, dual-stack
// for IPv6, having joined group on each of links (indexes) if a group is
// given.
std::pair<vs::UniqueFd, int> groupSocketOfA(int family, uint16_t port, const std::string& group,
                                            const std::vector<unsigned>& links) {
  return socketOfGuest(kXidA, family, SOCK_DGRAM, 0, [=](int fd) {
    const int off = 0;
    if (family == AF_INET6) setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof(off));
    const Address any = makeAddress(family == AF_INET ? "0.0.0.0" : "::", port);
    if (bind(fd, any.get(), any.length) != 0) return errno;
    for (unsigned link : links)
      if (const int err = joinGroup(fd, group, link)) return err;
    return 0;
  });
}

// The host sends a token out of link to to:port: the host's socket there
// (hostFd) must take it, which shows it arrived, and guest A's (guestFd)
// take it or not.
void expectGuestSocketTakes(const std::string& what, int hostFd, int guestFd,
                            const std::string& link, const std::string& to, uint16_t port,
                            bool takes) {
  const std::string token = sendTokenOutOf(what, link, to, port);
  if (token.empty()) return;
  report(drainDatagrams(hostFd, 3000).find(token) != std::string::npos,
         what + ": the host's socket on the port takes it (control)", "it does not");
  const bool took = drainDatagrams(guestFd, takes ? 3000 : 300).find(token) != std::string::npos;
  report(took == takes, what + (takes ? " -> received" : " -> not received"),
         took ? "it was received" : "it was not");
}

// The host's igmp_max_memberships.
int hostMostGroups() {
  return std::atoi(readFile("/proc/sys/net/ipv4/igmp_max_memberships").c_str());
}

// IPv6 bounds the groups a socket joins by its option memory only (some
// 360, each a group of the link that joins and received multicasts walk
// under RTNL): a guest's socket joins as many as the host lets an IPv4
// socket join, igmp_max_memberships.  The host's joins more (control).
void checkGroupCount() {
  const unsigned vsnet0 = if_nametoindex("vsnet0");
  const int most = hostMostGroups();
  const auto group = [](int i) { return "ff05::7:" + std::to_string(i); };
  const auto joinMost = [&](int fd) { return joinGroups(fd, group, most, vsnet0); };
  const std::string past = "its IPv6 socket's group past igmp_max_memberships (" + std::to_string(most) + ")";
  Socket host(AF_INET6, SOCK_DGRAM);
  expect("host: join igmp_max_memberships IPv6 groups on one socket (control)", 0, joinMost(host.fd()));
  expect("host: " + past + " (control)", 0, joinGroup(host.fd(), group(most), vsnet0));
  const auto [guest, err] = socketOfGuest(kXidA, AF_INET6, SOCK_DGRAM, 0, joinMost);
  expect("guest A: join igmp_max_memberships IPv6 groups on one socket (control)", 0, err);
  if (guest) expect("guest A: " + past, ENOBUFS, joinGroup(guest.get(), group(most), vsnet0));
}

// A guest's wildcard socket takes the broadcasts and multicasts a host
// holding only the guest's addresses would: those of a link carrying one
// of its addresses and of its own subnets, not those of vsnet1 (the
// host's only) or of another subnet of its link, even in a group joined
// there (by the host: the guest's own join there is refused).  The host's
// take them all.  Guest B's wildcard sockets are bound to its one address
// and take none, as a socket bound to a unicast address never does.
void checkGroups() {
  const unsigned vsnet0 = if_nametoindex("vsnet0"), vsnet1 = if_nametoindex("vsnet1");
  // Groups the host joins, so that the links take them at all.
  Socket host4(AF_INET, SOCK_DGRAM), host6(AF_INET6, SOCK_DGRAM);
  for (const char* link : {"vsnet0", "vsnet1"}) {
    const std::string on = std::string(" on ") + link;
    const unsigned index = if_nametoindex(link);
    expect("host: join 239.70.0.1" + on, 0, joinGroup(host4.fd(), "239.70.0.1", index));
    expect("host: join ff05::70" + on, 0, joinGroup(host6.fd(), "ff05::70", index));
  }
  groupCheck("host: UDP to vsnet0's broadcast 10.70.0.255:5300 (control)", "vsnet0",
             "10.70.0.255", {"host", "A"});
  groupCheck("host: UDP to vsnet1's broadcast 10.71.0.255:5300", "vsnet1", "10.71.0.255",
             {"host"});
  groupCheck("host: UDP to 255.255.255.255:5300 out of vsnet0 (control)", "vsnet0",
             "255.255.255.255", {"host", "A"});
  groupCheck("host: UDP to 255.255.255.255:5300 out of vsnet1", "vsnet1", "255.255.255.255",
             {"host"});
  groupCheck("host: UDP to group 239.70.0.1:5300 out of vsnet0 (control)", "vsnet0",
             "239.70.0.1", {"host", "A"});
  groupCheck("host: UDP to group 239.70.0.1:5300 out of vsnet1", "vsnet1", "239.70.0.1",
             {"host"});
  groupCheck("host: UDP to group [ff05::70]:5300 out of vsnet0 (control)", "vsnet0", "ff05::70",
             {"host", "A"});
  groupCheck("host: UDP to group [ff05::70]:5300 out of vsnet1", "vsnet1", "ff05::70", {"host"});
  // Another subnet on guest A's own link.
  const int added = changeAddress(RTM_NEWADDR, "vsnet0", "10.72.0.1", 24);
  expect("host: add 10.72.0.1/24 to vsnet0", 0, added);
  if (!added) {
    groupCheck("host: UDP to 10.72.0.255:5300, another subnet's broadcast on vsnet0", "vsnet0",
               "10.72.0.255", {"host"});
    expect("host: remove 10.72.0.1/24 from vsnet0", 0,
           changeAddress(RTM_DELADDR, "vsnet0", "10.72.0.1", 24));
  }
  // A dual-stack socket of guest A takes IPv4 broadcasts the same way.
  auto [dual, dualErr] = groupSocketOfA(AF_INET6, 5310, "", {});
  expect("guest A: a dual-stack UDP socket on [::]:5310", 0, dualErr);
  const Bound host5310 = listenOn(SOCK_DGRAM, "0.0.0.0", 5310);
  expect("host: a UDP socket on 0.0.0.0:5310", 0, host5310.error);
  if (!dualErr && !host5310.error) {
    expectGuestSocketTakes("host: UDP to 10.70.0.255:5310, guest A's dual-stack socket (control)",
                           host5310.socket.fd(), dual.get(), "vsnet0", "10.70.0.255", 5310, true);
    expectGuestSocketTakes("host: UDP to 10.71.0.255:5310, guest A's dual-stack socket",
                           host5310.socket.fd(), dual.get(), "vsnet1", "10.71.0.255", 5310, false);
  }
  // Guest A's own socket joins a group on vsnet0, and the host's on
  // vsnet1 (guest A's join there is refused, section 5c).
  for (const char* group : {"239.70.0.2", "ff05::72"}) {
    const std::string at = group;
    auto [joined, joinErr] = groupSocketOfA(familyOf(group), 5311, group, {vsnet0});
    expect("guest A: join " + at + " on vsnet0", 0, joinErr);
    const Bound host5311 =
        listenOn(SOCK_DGRAM, familyOf(group) == AF_INET ? "0.0.0.0" : "::", 5311);
    expect("host: a UDP socket on port 5311 for " + at, 0, host5311.error);
    if (joinErr || host5311.error) continue;
    expect("host: join " + at + " on vsnet1", 0, joinGroup(host5311.socket.fd(), group, vsnet1));
    expectGuestSocketTakes("host: UDP to " + at + ":5311 out of vsnet0, guest A joined (control)",
                           host5311.socket.fd(), joined.get(), "vsnet0", group, 5311, true);
    expectGuestSocketTakes("host: UDP to " + at + ":5311 out of vsnet1, guest A joined",
                           host5311.socket.fd(), joined.get(), "vsnet1", group, 5311, false);
  }
}

// --- 5c. interfaces named to a socket ---

// An interface as a socket names it.
struct Link {
  std::string name;
  unsigned index;
};

// What a guest names an interface with: the interface, and its own IPv6
// address for the calls that bind one.
struct Naming {
  Link link;
  std::string own6;
};

// A socket call that names an interface, and the errno it ends with.
struct InterfaceUse {
  std::string what;
  std::function<int(const Naming&)> errnoFor;
};

int bindToIndex(Socket& s, unsigned index) {
  return s.setInt(SOL_SOCKET, SO_BINDTOIFINDEX, static_cast<int>(index));
}

int bindToDeviceErrno(const std::string& name) {
  Socket s(AF_INET, SOCK_DGRAM);
  return errnoOf(setsockopt(s.fd(), SOL_SOCKET, SO_BINDTODEVICE, name.c_str(), name.size()));
}

// SO_TIMESTAMPING binding PHC 0 on a socket bound to index.
int bindClockErrno(unsigned index) {
  Socket s(AF_INET, SOCK_DGRAM);
  if (const int err = bindToIndex(s, index)) return err;
  so_timestamping timestamping{};
  timestamping.flags = SOF_TIMESTAMPING_BIND_PHC;
  return s.setOption(SOL_SOCKET, SO_TIMESTAMPING, timestamping);
}

// connect() to dst:9 of a UDP socket bound to index.
int connectBoundErrno(const std::string& dst, unsigned index) {
  Socket s(familyOf(dst), SOCK_DGRAM);
  if (const int err = bindToIndex(s, index)) return err;
  const Address to = makeAddress(dst, 9);
  return errnoOf(connect(s.fd(), to.get(), to.length));
}

// sendmsg() of a UDP datagram to dst:9, its packet information naming
// index as the outgoing interface.
int sendNamingErrno(const std::string& dst, unsigned index) {
  const Address to = makeAddress(dst, 9);
  Socket s(to.family(), SOCK_DGRAM);
  const char data = 'x';
  if (to.family() == AF_INET) {
    in_pktinfo info{};
    info.ipi_ifindex = static_cast<int>(index);
    return sendmsgWithInfo(s.fd(), &to, &data, 1, IPPROTO_IP, IP_PKTINFO, info);
  }
  in6_pktinfo info{};
  info.ipi6_ifindex = index;
  return sendmsgWithInfo(s.fd(), &to, &data, 1, IPPROTO_IPV6, IPV6_PKTINFO, info);
}

// sendto() of a UDP datagram to dst:9 with scope id index.
int sendScopedErrno(const std::string& dst, unsigned index) {
  Socket s(AF_INET6, SOCK_DGRAM);
  const Address to = makeAddress(dst, 9, index);
  const char data = 'x';
  return errnoOf(sendto(s.fd(), &data, 1, 0, to.get(), to.length));
}

// A socket option of family's level set to value on a UDP socket.
template <typename T>
int optionErrno(int family, int name, const T& value) {
  Socket s(family, SOCK_DGRAM);
  return s.setOption(family == AF_INET ? IPPROTO_IP : IPPROTO_IPV6, name, value);
}

int groupJoinErrno(const std::string& group, unsigned index) {
  Socket s(familyOf(group), SOCK_DGRAM);
  return joinGroup(s.fd(), group, index);
}

// MCAST_MSFILTER of group on index, including no source: leaving a group
// not joined.
int sourceFilterErrno(const std::string& group, unsigned index) {
  group_filter filter{};
  filter.gf_interface = index;
  filter.gf_fmode = MCAST_INCLUDE;
  const Address g = makeAddress(group, 0);
  std::memcpy(&filter.gf_group, g.get(), g.length);
  return optionErrno(familyOf(group), MCAST_MSFILTER, filter);
}

// An ioctl of an IPv4 socket on interface name: 0 or the errno.
int nameIoctlErrno(unsigned long request, const std::string& name) {
  ifreq req = interfaceRequest(name.c_str());
  return interfaceIoctl(request, req);
}

// SIOCGARP of 10.71.0.5 on interface name.
int arpEntryErrno(const std::string& name) {
  arpreq request{};
  const Address peer = makeAddress("10.71.0.5", 0);
  std::memcpy(&request.arp_pa, peer.get(), sizeof(sockaddr_in));
  std::snprintf(request.arp_dev, sizeof(request.arp_dev), "%s", name.c_str());
  Socket s(AF_INET, SOCK_DGRAM);
  return errnoOf(ioctl(s.fd(), SIOCGARP, &request));
}

// A dump, checked strictly, of type's table of family, filtered by
// interface index (an address dump's header, a route dump's RTA_OIF).
int filteredDumpErrno(uint16_t type, uint8_t family, unsigned index) {
  Rtnl rtnl;
  rtnl.strict();
  nlmsghdr* nlh = rtnl.start(type, NLM_F_DUMP);
  if (type == RTM_GETADDR) {
    auto* ifa = static_cast<ifaddrmsg*>(mnl_nlmsg_put_extra_header(nlh, sizeof(ifaddrmsg)));
    ifa->ifa_family = family;
    ifa->ifa_index = index;
  } else {
    auto* rtm = static_cast<rtmsg*>(mnl_nlmsg_put_extra_header(nlh, sizeof(rtmsg)));
    rtm->rtm_family = family;
    mnl_attr_put_u32(nlh, RTA_OIF, index);
  }
  return rtnl.run(nlh, [](const nlmsghdr*) {});
}

std::vector<InterfaceUse> interfaceUses() {
  const auto byIndex = [](int (*call)(const std::string&, unsigned), const std::string& arg) {
    return [call, arg](const Naming& n) { return call(arg, n.link.index); };
  };
  const auto networkOrder = [](unsigned index) {
    return static_cast<int>(htonl(static_cast<uint32_t>(index)));
  };
  return {
      {"SIOCGIFADDR", [](const Naming& n) { return nameIoctlErrno(SIOCGIFADDR, n.link.name); }},
      {"SIOCGIFNETMASK",
       [](const Naming& n) { return nameIoctlErrno(SIOCGIFNETMASK, n.link.name); }},
      {"SIOCGARP of 10.71.0.5 on it", [](const Naming& n) { return arpEntryErrno(n.link.name); }},
      {"an IPv4 address dump filtered by it",
       [](const Naming& n) { return filteredDumpErrno(RTM_GETADDR, AF_INET, n.link.index); }},
      {"an IPv6 address dump filtered by it",
       [](const Naming& n) { return filteredDumpErrno(RTM_GETADDR, AF_INET6, n.link.index); }},
      {"an IPv4 route dump filtered by it",
       [](const Naming& n) { return filteredDumpErrno(RTM_GETROUTE, AF_INET, n.link.index); }},
      {"an IPv6 route dump filtered by it",
       [](const Naming& n) { return filteredDumpErrno(RTM_GETROUTE, AF_INET6, n.link.index); }},
      {"SO_BINDTODEVICE", [](const Naming& n) { return bindToDeviceErrno(n.link.name); }},
      {"SO_TIMESTAMPING's clock binding, bound to it by SO_BINDTOIFINDEX",
       [](const Naming& n) { return bindClockErrno(n.link.index); }},
      {"UDP connect to 10.71.0.5, bound to it", byIndex(connectBoundErrno, "10.71.0.5")},
      {"UDP connect to fd71::5, bound to it", byIndex(connectBoundErrno, "fd71::5")},
      {"bind its own IPv6 address, bound to it",
       [](const Naming& n) {
         return bindErrno(SOCK_DGRAM, n.own6, 0, 0,
                          [&](Socket& s) { bindToIndex(s, n.link.index); });
       }},
      {"bind an ICMPv6 ping socket to its own address with its scope id",
       [](const Naming& n) {
         return bindErrno(SOCK_DGRAM, n.own6, 0, IPPROTO_ICMPV6, {}, n.link.index);
       }},
      {"send to 10.71.0.5 with IP_PKTINFO naming it", byIndex(sendNamingErrno, "10.71.0.5")},
      {"send to fd71::5 with IPV6_PKTINFO naming it", byIndex(sendNamingErrno, "fd71::5")},
      {"send to fe80::99 with its scope id", byIndex(sendScopedErrno, "fe80::99")},
      {"IP_UNICAST_IF",
       [=](const Naming& n) { return optionErrno(AF_INET, IP_UNICAST_IF, networkOrder(n.link.index)); }},
      {"IP_MULTICAST_IF",
       [](const Naming& n) {
         ip_mreqn request{};
         request.imr_ifindex = static_cast<int>(n.link.index);
         return optionErrno(AF_INET, IP_MULTICAST_IF, request);
       }},
      {"IPV6_UNICAST_IF",
       [=](const Naming& n) { return optionErrno(AF_INET6, IPV6_UNICAST_IF, networkOrder(n.link.index)); }},
      {"IPV6_MULTICAST_IF",
       [](const Naming& n) { return optionErrno(AF_INET6, IPV6_MULTICAST_IF, static_cast<int>(n.link.index)); }},
      {"join 239.70.0.9 on it", byIndex(groupJoinErrno, "239.70.0.9")},
      {"join ff05::79 on it", byIndex(groupJoinErrno, "ff05::79")},
      {"join ff15::1 from fd71::5 on it (MCAST_JOIN_SOURCE_GROUP)",
       [](const Naming& n) {
         Socket s(AF_INET6, SOCK_DGRAM);
         return joinSourceGroup(s, n.link.index);
       }},
      {"filter the sources of 239.70.0.9 on it (MCAST_MSFILTER)",
       byIndex(sourceFilterErrno, "239.70.0.9")},
      {"filter the sources of ff05::79 on it (MCAST_MSFILTER)",
       byIndex(sourceFilterErrno, "ff05::79")},
  };
}

// SIOCSIFDSTADDR of an IPv6 socket (a SIT tunnel's remote end) on the
// interface of index.
int tunnelEndErrno(unsigned index) {
  in6_ifreq request{};
  request.ifr6_ifindex = static_cast<int>(index);
  Socket s(AF_INET6, SOCK_DGRAM);
  return errnoOf(ioctl(s.fd(), SIOCSIFDSTADDR, &request));
}

// BRCTL_GET_BRIDGES (SIOCGIFBR): the bridges' indexes, with the errno in
// *err.
std::set<int> bridgeIndexes(int* err) {
  int indexes[64] = {};
  unsigned long args[3] = {BRCTL_GET_BRIDGES, reinterpret_cast<unsigned long>(indexes), 64};
  Socket s(AF_INET, SOCK_DGRAM);
  const int count = ioctl(s.fd(), SIOCGIFBR, args);
  *err = count < 0 ? errno : 0;
  return count < 0 ? std::set<int>{} : std::set<int>(indexes, indexes + count);
}

// Whether BRCTL_GET_BRIDGES works and lists index.
bool bridgeListed(int index, int* err) { return bridgeIndexes(err).count(index) == 1; }

// Netlink sockets that answer about interfaces or routes unfiltered: a
// guest gets no NETLINK_FIB_LOOKUP one, a guest hiding interfaces no
// NETLINK_RDMA one (asked only where the host's kernel has it).
void checkNetlinkProtocols() {
  const int hostFib = Socket(AF_NETLINK, SOCK_RAW, NETLINK_FIB_LOOKUP).error();
  const int hostRdma = Socket(AF_NETLINK, SOCK_RAW, NETLINK_RDMA).error();
  expect("host: a NETLINK_FIB_LOOKUP socket (control)", 0, hostFib);
  if (hostRdma) std::printf("# the host gets %s for NETLINK_RDMA: not asked of the guests\n",
                            errnoName(hostRdma));
  inGuest(kXidB, [hostRdma] {
    expect("guest B: a NETLINK_FIB_LOOKUP socket", EPROTONOSUPPORT,
           Socket(AF_NETLINK, SOCK_RAW, NETLINK_FIB_LOOKUP).error());
    if (!hostRdma)
      expect("guest B: a NETLINK_RDMA socket (control)", 0,
             Socket(AF_NETLINK, SOCK_RAW, NETLINK_RDMA).error());
  });
  inGuest(kXidA, [hostRdma] {
    expect("guest A: a NETLINK_FIB_LOOKUP socket", EPROTONOSUPPORT,
           Socket(AF_NETLINK, SOCK_RAW, NETLINK_FIB_LOOKUP).error());
    expect("guest A: a NETLINK_ROUTE socket (control)", 0,
           Socket(AF_NETLINK, SOCK_RAW, NETLINK_ROUTE).error());
    if (!hostRdma)
      expect("guest A (hide_netif): a NETLINK_RDMA socket", EPROTONOSUPPORT,
             Socket(AF_NETLINK, SOCK_RAW, NETLINK_RDMA).error());
  });
}

// The bridges listed by index (BRCTL_GET_BRIDGES) leave out a bridge
// hidden from guest A; guest B, without hide_netif, lists it.
void checkBridgeList() {
  expect("host: add the bridge vsbr1", 0, addLink("vsbr1", "bridge"));
  const int vsbr1 = static_cast<int>(if_nametoindex("vsbr1"));
  for (const auto& [who, xid, listed] :
       {std::tuple{"host", 0U, true}, {"guest B", kXidB, true}, {"guest A (hide_netif)", kXidA, false}}) {
    const std::string what = std::string(who) + ": BRCTL_GET_BRIDGES " +
                             (listed ? "lists vsbr1 (control)" : "leaves vsbr1 out");
    const auto check = [&] {
      int err = 0;
      const bool found = bridgeListed(vsbr1, &err);
      report(err == 0 && found == listed, what,
             std::string(errnoName(err)) + (found ? ", listed" : ", not listed"));
    };
    if (xid)
      inGuest(xid, check);
    else
      check();
  }
  expect("host: delete the bridge vsbr1", 0, deleteLink("vsbr1"));
}

// Every socket call that names an interface answers guest A (hide_netif)
// for vsnet1 as for a missing interface, having done nothing; guest B
// (without hide_netif) is the control that the answer tells vsnet1 from a
// missing interface where it is not hidden.
void checkInterfaceUses() {
  const Link vsnet1{"vsnet1", if_nametoindex("vsnet1")};
  const Link missing{"vsnet9", kMissingIndex};
  const std::vector<InterfaceUse> uses = interfaceUses();
  inGuest(kXidB, [&] {
    for (const InterfaceUse& use : uses) {
      const int shown = use.errnoFor({vsnet1, kAddrsB[1]});
      const int absent = use.errnoFor({missing, kAddrsB[1]});
      report(shown != absent,
             "guest B: " + use.what + ": vsnet1 answers " + errnoName(shown) +
                 ", a missing interface " + errnoName(absent) + " (control)",
             "both answer alike");
    }
  });
  inGuest(kXidA, [&] {
    for (const InterfaceUse& use : uses) {
      const int absent = use.errnoFor({missing, kAddrsA[2]});
      report(absent != 0, "guest A: " + use.what + ": a missing interface is refused",
             "it is taken");
      expect("guest A (hide_netif): " + use.what + ": vsnet1 as a missing interface", absent,
             use.errnoFor({vsnet1, kAddrsA[2]}));
    }
  });
  // The host's SIT device sit0 carries no guest's address.
  const unsigned sit0 = if_nametoindex("sit0");
  report(sit0 != 0, "host: sit0 is there", "it is not");
  inGuest(kXidB, [sit0] {
    expect("guest B: SIOCSIFDSTADDR of sit0 finds it, and refuses the address :: (control)",
           EADDRNOTAVAIL, tunnelEndErrno(sit0));
  });
  inGuest(kXidA, [sit0] {
    expect("guest A (hide_netif): SIOCSIFDSTADDR of sit0, as of a missing interface", ENODEV,
           tunnelEndErrno(sit0));
    expect("guest A: SIOCSIFDSTADDR of a missing interface", ENODEV, tunnelEndErrno(kMissingIndex));
  });
  checkBridgeList();
  checkNetlinkProtocols();
}

// What a link dump says of link: its IFLA_LINK and IFLA_MASTER (0 when
// left out), and whether its IFLA_LINKINFO holds the port's data.
struct LinkAttributes {
  bool shown = false;
  unsigned link = 0;
  unsigned master = 0;
  bool portData = false;
  bool linkNamespace = false;  // IFLA_LINK_NETNSID
};

// What family's link dump (AF_INET6's is IPv6's own) tells of link name.
LinkAttributes linkAttributes(const std::string& name, uint8_t family = AF_UNSPEC) {
  LinkAttributes found;
  Rtnl rtnl;
  nlmsghdr* nlh = rtnl.start(RTM_GETLINK, NLM_F_DUMP);
  static_cast<ifinfomsg*>(mnl_nlmsg_put_extra_header(nlh, sizeof(ifinfomsg)))->ifi_family = family;
  rtnl.run(nlh, [&](const nlmsghdr* reply) {
    if (reply->nlmsg_type != RTM_NEWLINK) return;
    LinkAttributes seen;
    std::string linkName;
    forEachAttribute(reply, sizeof(ifinfomsg), [&](const nlattr* attr) {
      const uint16_t type = mnl_attr_get_type(attr) & NLA_TYPE_MASK;
      if (type == IFLA_IFNAME) linkName = mnl_attr_get_str(attr);
      if (type == IFLA_LINK) seen.link = mnl_attr_get_u32(attr);
      if (type == IFLA_MASTER) seen.master = mnl_attr_get_u32(attr);
      if (type == IFLA_LINK_NETNSID) seen.linkNamespace = true;
      if (type == IFLA_LINKINFO)
        forEachNested(attr, [&](const nlattr* inner) {
          if ((mnl_attr_get_type(inner) & NLA_TYPE_MASK) == IFLA_INFO_SLAVE_DATA)
            seen.portData = true;
        });
    });
    if (linkName != name) return;
    seen.shown = true;
    found = seen;
  });
  return found;
}

// The links a link dump filtered by master (an index, or -1 for none)
// names, with the dump's errno in *err.
std::set<std::string> linksOfMaster(int master, int* err) {
  const std::vector<std::string> links = dumpLinks(err, AF_UNSPEC, master);
  return {links.begin(), links.end()};
}

// RTM_GETSTATS of link index, asking for its 64-bit counters and for the
// extended statistics its master keeps of it: whether the answer has the
// counters, which shows it came, and the extended statistics.
struct PortStatistics {
  int error = 0;
  bool counters = false;
  bool extended = false;
};

PortStatistics portStatistics(unsigned index) {
  Rtnl rtnl;
  nlmsghdr* nlh = rtnl.start(RTM_GETSTATS, NLM_F_ACK);
  auto* request = static_cast<if_stats_msg*>(mnl_nlmsg_put_extra_header(nlh, sizeof(if_stats_msg)));
  request->ifindex = index;
  request->filter_mask = IFLA_STATS_FILTER_BIT(IFLA_STATS_LINK_64) |
                         IFLA_STATS_FILTER_BIT(IFLA_STATS_LINK_XSTATS_SLAVE);
  PortStatistics got;
  got.error = rtnl.run(nlh, [&](const nlmsghdr* reply) {
    if (reply->nlmsg_type != RTM_NEWSTATS) return;
    forEachAttribute(reply, sizeof(if_stats_msg), [&](const nlattr* attr) {
      const uint16_t type = mnl_attr_get_type(attr) & NLA_TYPE_MASK;
      if (type == IFLA_STATS_LINK_64) got.counters = true;
      if (type == IFLA_STATS_LINK_XSTATS_SLAVE) got.extended = true;
    });
  });
  return got;
}

// vsv0, a veth whose peer is vsv1, is a port of the bridge vsbr2 and
// carries 10.75.0.2.  A guest holding that address and hiding interfaces
// sees vsv0 and neither vsv1 nor vsbr2, so vsv0's link dump names neither
// (IFLA_LINK, IFLA_MASTER) nor gives the port's data; guest B, without
// hide_netif, and the host are the controls.
void expectLinkAttributes(const std::string& who, bool named, unsigned vsv1, unsigned vsbr2) {
  const LinkAttributes a = linkAttributes("vsv0");
  report(a.shown, who + ": the link dump shows vsv0", "it does not");
  const std::string suffix = named ? " (control)" : "";
  report(a.link == (named ? vsv1 : 0),
         who + (named ? ": vsv0's IFLA_LINK is vsv1" : ": vsv0's IFLA_LINK is left out") + suffix,
         "IFLA_LINK " + std::to_string(a.link));
  report(a.master == (named ? vsbr2 : 0),
         who + (named ? ": vsv0's IFLA_MASTER is vsbr2" : ": vsv0's IFLA_MASTER is left out") +
             suffix,
         "IFLA_MASTER " + std::to_string(a.master));
  report(a.portData == named,
         who + (named ? ": vsv0's link info holds its port data" : ": vsv0's port data is left out") +
             suffix,
         a.portData ? "it is there" : "it is not");
  const PortStatistics statistics = portStatistics(if_nametoindex("vsv0"));
  report(statistics.error == 0 && statistics.counters && statistics.extended == named,
         who + (named ? ": vsv0's statistics hold its port's" : ": vsv0's port statistics are left out") +
             suffix,
         std::string(errnoName(statistics.error)) + (statistics.counters ? "" : ", no counters") +
             (statistics.extended ? ", port statistics" : ", no port statistics"));
  // Filtered by master: vsbr2 answers as a missing master, and vsv0 is
  // among the links without one.
  int bridgeErr = 0, missingErr = 0, noneErr = 0;
  const std::set<std::string> ofBridge = linksOfMaster(static_cast<int>(vsbr2), &bridgeErr);
  const std::set<std::string> ofMissing =
      linksOfMaster(static_cast<int>(kMissingIndex), &missingErr);
  const bool vsv0Masterless = linksOfMaster(-1, &noneErr).count("vsv0") == 1;
  if (named)
    report(bridgeErr == 0 && ofBridge == std::set<std::string>{"vsv0"},
           who + ": the links of master vsbr2 are vsv0 (control)",
           errnoName(bridgeErr) + (" " + join({ofBridge.begin(), ofBridge.end()})));
  else
    report(bridgeErr == 0 && missingErr == 0 && ofBridge.empty() && ofMissing.empty(),
           who + ": the links of master vsbr2 are a missing master's: none",
           errnoName(bridgeErr) + (" " + join({ofBridge.begin(), ofBridge.end()})));
  report(noneErr == 0 && vsv0Masterless != named,
         who + (named ? ": vsv0 is not among the links without a master (control)"
                      : ": vsv0 is among the links without a master"),
         std::string(errnoName(noneErr)) + (vsv0Masterless ? ", it is" : ", it is not"));
}

// vsv0's sysfs directory: its master, upper_vsbr2 and brport/bridge
// links point into vsbr2's, and its iflink is vsv1's index.  A guest that
// sees neither finds none of the links, listed or looked up, and reads
// iflink as vsv0's own index, as for a device without a link; its
// subsystem link, to /sys/class/net, stays (the control that links to
// what it sees are kept).
void expectSysfsLinks(const std::string& who, bool named, unsigned vsv1) {
  const std::string dir = "/sys/class/net/vsv0/";
  const std::string suffix = named ? " (control)" : "";
  struct stat st;
  for (const char* name : {"master", "upper_vsbr2", "brport/bridge"}) {
    const std::string path = dir + name;
    const int found = errnoOf(lstat(path.c_str(), &st));
    expect(who + (named ? ": finds " : ": does not find ") + path + suffix, named ? 0 : ENOENT, found);
  }
  for (const char* name : {"master", "upper_vsbr2"})
    report(directoryLists(dir, name) == named,
           who + (named ? ": vsv0's directory lists " : ": vsv0's directory does not list ") + name +
               suffix,
           named ? "it does not" : "it does");
  const int master = openErrno(dir + "master", O_WRONLY | O_CREAT);
  const int missing = openErrno(dir + "vsmissing", O_WRONLY | O_CREAT);
  if (named)
    report(master != missing, who + ": creating vsv0's master fails unlike a missing name (control)",
           std::string(errnoName(master)) + ", a missing name's " + errnoName(missing));
  else
    expect(who + ": creating vsv0's master, as a missing name", missing, master);
  expect(who + ": finds " + dir + "subsystem (control)", 0,
         errnoOf(lstat((dir + "subsystem").c_str(), &st)));
  report(directoryLists(dir, "subsystem"), who + ": vsv0's directory lists subsystem (control)",
         "it does not");
  const unsigned shown = named ? vsv1 : if_nametoindex("vsv0");
  const std::string iflink = readFile(dir + "iflink");
  report(iflink == std::to_string(shown) + "\n",
         who + (named ? ": vsv0's iflink is vsv1's index" : ": vsv0's iflink is its own index") + suffix,
         "it reads " + iflink);
}

// Adds the veth pair device, peer to the host's namespace; false, with a
// failed check, if it cannot.
bool addHostVethPair(const std::string& device, const std::string& peer) {
  const vs::UniqueFd ownNamespace(open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC));
  try {
    vs::HostNetwork().addVethPair(device, peer, ownNamespace.get());
    return true;
  } catch (const vs::Error& e) {
    report(false, "host: add the veth pair " + device + ", " + peer, e.what());
    return false;
  }
}

void checkLinkAttributes() {
  if (!addHostVethPair("vsv0", "vsv1")) return;
  expect("host: add the bridge vsbr2", 0, addLink("vsbr2", "bridge"));
  expect("host: make vsv0 a port of vsbr2", 0, setMaster("vsv0", "vsbr2"));
  expect("host: add 10.75.0.2/24 to vsv0", 0,
         changeAddress(RTM_NEWADDR, "vsv0", "10.75.0.2", 24));
  const unsigned vsv1 = if_nametoindex("vsv1"), vsbr2 = if_nametoindex("vsbr2");
  const NetSet portSet{VSERVER_NF_HIDE_NETIF, 0, {}, {"10.75.0.2"}};
  // First, so that its sysfs walks look the links up, not the dentries
  // the host's would leave; the second such guest's walks meet those.
  inNewGuest(kXidPort, "net-port", {}, portSet, [=] {
    expectLinkAttributes("guest holding 10.75.0.2 (hide_netif)", false, vsv1, vsbr2);
    expectSysfsLinks("guest holding 10.75.0.2 (hide_netif)", false, vsv1);
  });
  expectLinkAttributes("host", true, vsv1, vsbr2);
  expectSysfsLinks("host", true, vsv1);
  inGuest(kXidB, [=] {
    expectLinkAttributes("guest B", true, vsv1, vsbr2);
    expectSysfsLinks("guest B", true, vsv1);
  });
  inNewGuest(kXidPortAfter, "net-port-after", {}, portSet, [=] {
    expectSysfsLinks("guest holding 10.75.0.2 after the host's walks (hide_netif)", false, vsv1);
  });
  // vsv1 joins vsbr2 as vsv0's backup port (both down: nothing loops).
  expect("host: make vsv1 a port of vsbr2", 0, setMaster("vsv1", "vsbr2"));
  writeFile("/sys/class/net/vsv0/brport/backup_port", "vsv1\n");
  const auto backupPort = [] { return readFile("/sys/class/net/vsv0/brport/backup_port"); };
  report(backupPort() == "vsv1\n", "host: vsv0's backup_port reads vsv1 (control)", backupPort());
  inGuest(kXidB, [=] {
    report(backupPort() == "vsv1\n", "guest B: vsv0's backup_port reads vsv1 (control)", backupPort());
  });
  inNewGuest(kXidBackup, "net-port-backup", {}, portSet, [=] {
    report(backupPort().empty(), "guest holding 10.75.0.2 (hide_netif): vsv0's backup_port reads none",
           "it reads " + backupPort());
  });
  expect("host: delete vsv0 and its peer", 0, deleteLink("vsv0"));
  expect("host: delete the bridge vsbr2", 0, deleteLink("vsbr2"));
}

// The ports of count forwarding entries.
std::multiset<int> portsOf(const __fdb_entry* entries, size_t count) {
  std::multiset<int> ports;
  for (size_t i = 0; i < count; i++) ports.insert(entries[i].port_no | entries[i].port_hi << 8);
  return ports;
}

// The ports of a bridge's forwarding entries as brforward gives them,
// with the errno in *err.
std::multiset<int> forwardingPorts(const std::string& bridge, int* err) {
  const vs::UniqueFd fd(open(("/sys/class/net/" + bridge + "/brforward").c_str(), O_RDONLY | O_CLOEXEC));
  __fdb_entry entries[64];
  const ssize_t length = fd ? read(fd.get(), entries, sizeof(entries)) : -1;
  *err = length < 0 ? errno : 0;
  return length < 0 ? std::multiset<int>{} : portsOf(entries, static_cast<size_t>(length) / sizeof(__fdb_entry));
}

// The old bridge ioctl (SIOCDEVPRIVATE) on bridge with args: its result,
// or -errno.
long bridgeIoctl(const char* bridge, unsigned long (&args)[4]) {
  Socket s(AF_INET, SOCK_DGRAM);
  ifreq req = interfaceRequest(bridge);
  req.ifr_data = reinterpret_cast<char*>(args);
  const int result = ioctl(s.fd(), SIOCDEVPRIVATE, &req);
  return result < 0 ? -errno : result;
}

// The ports of a bridge's forwarding entries as BRCTL_GET_FDB_ENTRIES
// gives them, with the errno in *err.
std::multiset<int> ioctlForwardingPorts(const char* bridge, int* err) {
  __fdb_entry entries[64];
  unsigned long args[4] = {BRCTL_GET_FDB_ENTRIES, reinterpret_cast<unsigned long>(entries), 64, 0};
  const long count = bridgeIoctl(bridge, args);
  *err = count < 0 ? static_cast<int>(-count) : 0;
  return count < 0 ? std::multiset<int>{} : portsOf(entries, static_cast<size_t>(count));
}

int portInfoErrno(const char* bridge, unsigned long port) {
  __port_info info{};
  unsigned long args[4] = {BRCTL_GET_PORT_INFO, reinterpret_cast<unsigned long>(&info), port, 0};
  const long result = bridgeIoctl(bridge, args);
  return result < 0 ? static_cast<int>(-result) : 0;
}

std::string portList(const std::multiset<int>& ports) {
  std::string text;
  for (const int port : ports) text += (text.empty() ? "" : " ") + std::to_string(port);
  return text.empty() ? "none" : text;
}

// vsbr3 carries 10.75.1.2 and has the ports vsv2 (port 1) and vsv4 (port
// 2, carrying 10.75.1.3), whose own addresses are entries of its
// forwarding database.  A guest holding 10.75.1.2 and 10.75.1.3 and
// hiding interfaces sees vsbr3 and vsv4, not vsv2: vsv4's entry only, by
// sysfs or ioctl, and port 1 answered as a missing one's.
void expectBridgeForwarding(const std::string& who, bool named) {
  const std::string suffix = named ? " (control)" : "";
  const std::multiset<int> wanted = named ? std::multiset<int>{1, 2} : std::multiset<int>{2};
  const std::string what = named ? " list vsv2's and vsv4's entries" : " list vsv4's entry only";
  int sysfsErr = 0, ioctlErr = 0;
  const std::multiset<int> bySysfs = forwardingPorts("vsbr3", &sysfsErr);
  report(sysfsErr == 0 && bySysfs == wanted, who + ": vsbr3's brforward entries" + what + suffix,
         std::string(errnoName(sysfsErr)) + ", ports " + portList(bySysfs));
  const std::multiset<int> byIoctl = ioctlForwardingPorts("vsbr3", &ioctlErr);
  report(ioctlErr == 0 && byIoctl == wanted, who + ": BRCTL_GET_FDB_ENTRIES of vsbr3" + what + suffix,
         std::string(errnoName(ioctlErr)) + ", ports " + portList(byIoctl));
  expect(who + ": BRCTL_GET_PORT_INFO of vsbr3's port 1, vsv2" + suffix, named ? 0 : EINVAL,
         portInfoErrno("vsbr3", 1));
  expect(who + ": BRCTL_GET_PORT_INFO of vsbr3's port 2, vsv4 (control)", 0, portInfoErrno("vsbr3", 2));
  expect(who + ": BRCTL_GET_PORT_INFO of vsbr3's port 9, which it does not have", EINVAL,
         portInfoErrno("vsbr3", 9));
}

void checkBridgeForwarding() {
  if (!addHostVethPair("vsv2", "vsv3")) return;
  if (!addHostVethPair("vsv4", "vsv5")) {
    deleteLink("vsv2");
    return;
  }
  expect("host: add the bridge vsbr3", 0, addLink("vsbr3", "bridge"));
  expect("host: make vsv2 a port of vsbr3", 0, setMaster("vsv2", "vsbr3"));
  expect("host: make vsv4 a port of vsbr3", 0, setMaster("vsv4", "vsbr3"));
  expect("host: add 10.75.1.2/24 to vsbr3", 0, changeAddress(RTM_NEWADDR, "vsbr3", "10.75.1.2", 24));
  expect("host: add 10.75.1.3/24 to vsv4", 0, changeAddress(RTM_NEWADDR, "vsv4", "10.75.1.3", 24));
  expectBridgeForwarding("host", true);
  inGuest(kXidB, [] { expectBridgeForwarding("guest B", true); });
  inNewGuest(kXidBridge, "net-bridge", {}, NetSet{VSERVER_NF_HIDE_NETIF, 0, {}, {"10.75.1.2", "10.75.1.3"}},
             [] { expectBridgeForwarding("guest holding 10.75.1.2 and 10.75.1.3 (hide_netif)", false); });
  expect("host: delete vsv2 and its peer", 0, deleteLink("vsv2"));
  expect("host: delete vsv4 and its peer", 0, deleteLink("vsv4"));
  expect("host: delete the bridge vsbr3", 0, deleteLink("vsbr3"));
}

// --- 6. no CAP_NET_ADMIN on the shared stack ---

bool effectiveCap(int cap) {
  std::istringstream in(readFile("/proc/self/status"));
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("CapEff:", 0) == 0) return (std::stoull(line.substr(7), nullptr, 16) >> cap) & 1;
  return false;
}

int ifAddrIoctl(const char* link, const std::string& addr) {
  ifreq req = interfaceRequest(link);
  const Address a = makeAddress(addr, 0);
  std::memcpy(&req.ifr_addr, a.get(), sizeof(sockaddr_in));
  return interfaceIoctl(SIOCSIFADDR, req);
}

int rcvbufForce() {
  Socket s(AF_INET, SOCK_DGRAM);
  return s.setInt(SOL_SOCKET, SO_RCVBUFFORCE, 1 << 20);
}

void transparent(Socket& s) {
  const int v4 = s.setInt(IPPROTO_IP, IP_TRANSPARENT, 1);
  const int v6 = s.setInt(IPPROTO_IPV6, IPV6_TRANSPARENT, 1);
  std::printf("# IP_TRANSPARENT: %s, IPV6_TRANSPARENT: %s\n", errnoName(v4), errnoName(v6));
}

void checkAdmin() {
  expect("host: SO_RCVBUFFORCE (control)", 0, rcvbufForce());
  expect("host: NETLINK_LISTEN_ALL_NSID (control)", 0, listenAllNamespaces());
  expect("host: add 10.70.0.10/24 to vsnet1 (control)", 0,
         changeAddress(RTM_NEWADDR, "vsnet1", "10.70.0.10", 24));
  expect("host: delete 10.70.0.10/24 from vsnet1 (control)", 0,
         changeAddress(RTM_DELADDR, "vsnet1", "10.70.0.10", 24));
  expect("host: write /proc/sys/net/ipv4/ip_forward (control)", 0,
         openErrno("/proc/sys/net/ipv4/ip_forward", O_WRONLY));
  expect("host: TCP with IP_TRANSPARENT binds 10.70.0.200 (control)", 0,
         bindErrno(SOCK_STREAM, "10.70.0.200", 0, 0, transparent));
  inNewGuest(kXidAdmin, "net-admin", policyWith(VSERVER_BCAPS_ALL, VSERVER_CCAP_SYSCTL),
             NetSet{0, 0, {}, {"10.70.0.6"}}, [] {
               report(effectiveCap(CAP_NET_ADMIN) && effectiveCap(CAP_NET_RAW),
                      "admin guest: CAP_NET_ADMIN and CAP_NET_RAW are effective", "they are not");
               expect("admin guest: add its own 10.70.0.6/24 to vsnet1", EPERM,
                      changeAddress(RTM_NEWADDR, "vsnet1", "10.70.0.6", 24));
               expect("admin guest: add 10.99.0.1/24 to vsnet0", EPERM,
                      changeAddress(RTM_NEWADDR, "vsnet0", "10.99.0.1", 24));
               expect("admin guest: add fd99::1/64 to vsnet0", EPERM,
                      changeAddress(RTM_NEWADDR, "vsnet0", "fd99::1", 64));
               expect("admin guest: delete the host's 10.70.0.5/24", EPERM,
                      changeAddress(RTM_DELADDR, "vsnet0", "10.70.0.5", 24));
               expect("admin guest: delete its own 10.70.0.6/24", EPERM,
                      changeAddress(RTM_DELADDR, "vsnet0", "10.70.0.6", 24));
               expect("admin guest: add a route to 10.99.0.0/24", EPERM, addRoute("10.99.0.0", 24, "vsnet0"));
               expect("admin guest: set vsnet1 down", EPERM, setLinkUp("vsnet1", false));
               expect("admin guest: set vsnet0 down", EPERM, setLinkUp("vsnet0", false));
               expect("admin guest: add a link", EPERM, addLink("vsnet9"));
               expect("admin guest: delete vsnet1", EPERM, deleteLink("vsnet1"));
               expect("admin guest: SIOCSIFFLAGS vsnet1 down", EPERM, setLinkUpErrno("vsnet1", false));
               expect("admin guest: SIOCSIFADDR vsnet1", EPERM, ifAddrIoctl("vsnet1", "10.70.0.6"));
               expect("admin guest: SO_RCVBUFFORCE", EPERM, rcvbufForce());
               expect("admin guest: NETLINK_LISTEN_ALL_NSID on the host's namespace", EPERM,
                      listenAllNamespaces());
               for (const char* path : {"/proc/sys/net/ipv4/ip_forward", "/proc/sys/net/ipv4/ping_group_range",
                                        "/proc/sys/net/ipv4/ip_nonlocal_bind", "/proc/sys/net/core/somaxconn",
                                        "/proc/sys/net/ipv4/conf/all/forwarding",
                                        "/proc/sys/net/ipv6/conf/vsnet0/disable_ipv6"})
                 expect(std::string("admin guest with the sysctl ccap: write ") + path, EACCES,
                        openErrno(path, O_WRONLY));
               expect("admin guest: set its own network set", EPERM,
                      setNetSet(kXidAdmin, {0, 0, {}, {"10.70.0.1", "10.70.0.6"}}));
               // IP_TRANSPARENT lets it bind and send from nothing foreign.
               for (int type : {SOCK_STREAM, SOCK_DGRAM})
                 for (const char* addr : {"10.70.0.1", "10.70.0.200", "fd70::1", "fd70::200"})
                   expect(std::string("admin guest: ") + typeName(type) + " with IP_TRANSPARENT binds " + addr,
                          EADDRNOTAVAIL, bindErrno(type, addr, 0, 0, transparent));
               expect("admin guest: UDP with IP_TRANSPARENT binds 10.70.0.6 (control)", 0,
                      bindErrno(SOCK_DGRAM, "10.70.0.6", 0, 0, transparent));
               for (const char* source : {"10.70.0.1", "10.70.0.200"})
                 expectForeignSourceFails(std::string("admin guest: UDP with IP_TRANSPARENT and IP_PKTINFO ") + source,
                                          "10.70.0.1", 5300, source, transparent);
               expectForeignSourceFails("admin guest: UDP with IPV6_TRANSPARENT and IPV6_PKTINFO fd70::1",
                                        "fd70::1", 5300, "fd70::1", transparent);
               expectOwnSourceWorks("admin guest: UDP with IP_TRANSPARENT and IP_PKTINFO 10.70.0.6",
                                    "10.70.0.1", 5300, "10.70.0.6", "10.70.0.6", transparent);
             });
  // Nothing changed.
  ifreq req = interfaceRequest("vsnet1");
  interfaceIoctl(SIOCGIFFLAGS, req);
  report(req.ifr_flags & IFF_UP, "host: vsnet1 is still up", "it is down");
  int err = 0;
  const auto v4 = dumpAddresses(AF_INET, &err);
  report(contains(v4, "10.70.0.5") && !contains(v4, "10.99.0.1"),
         "host: the addresses are as they were", "now " + join(v4));
}

// --- 7. CAP_NET_ADMIN over a network namespace of its own only ---

constexpr uint64_t kNetAdminCaps = VSERVER_BCAPS_DEFAULT | uint64_t{1} << CAP_NET_ADMIN;

// The id the caller's namespace gives the namespace of link's peer
// (IFLA_LINK_NETNSID), or -1.
int32_t peerNamespaceId(const std::string& link) {
  Rtnl rtnl;
  nlmsghdr* nlh = rtnl.start(RTM_GETLINK, NLM_F_ACK);
  auto* ifm = static_cast<ifinfomsg*>(mnl_nlmsg_put_extra_header(nlh, sizeof(ifinfomsg)));
  ifm->ifi_family = AF_UNSPEC;
  ifm->ifi_index = static_cast<int>(if_nametoindex(link.c_str()));
  int32_t id = -1;
  rtnl.run(nlh, [&](const nlmsghdr* reply) {
    if (reply->nlmsg_type != RTM_NEWLINK) return;
    forEachAttribute(reply, sizeof(ifinfomsg), [&](const nlattr* attr) {
      if (mnl_attr_get_type(attr) == IFLA_LINK_NETNSID)
        id = static_cast<int32_t>(mnl_attr_get_u32(attr));
    });
  });
  return id;
}

// Deletes the link with ifindex in the namespace the caller's knows as
// namespaceId (IFLA_TARGET_NETNSID).
int deleteLinkIn(int32_t namespaceId, int ifindex) {
  Rtnl rtnl;
  nlmsghdr* nlh = rtnl.start(RTM_DELLINK, NLM_F_ACK);
  auto* ifm = static_cast<ifinfomsg*>(mnl_nlmsg_put_extra_header(nlh, sizeof(ifinfomsg)));
  ifm->ifi_family = AF_UNSPEC;
  ifm->ifi_index = ifindex;
  mnl_attr_put_u32(nlh, IFLA_TARGET_NETNSID, static_cast<uint32_t>(namespaceId));
  return rtnl.run(nlh);
}

// Creates dummy device name in the namespace known as namespaceId.
int addDummyIn(int32_t namespaceId, const std::string& name) {
  Rtnl rtnl;
  nlmsghdr* nlh = rtnl.start(RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL | NLM_F_ACK);
  auto* ifm = static_cast<ifinfomsg*>(mnl_nlmsg_put_extra_header(nlh, sizeof(ifinfomsg)));
  ifm->ifi_family = AF_UNSPEC;
  mnl_attr_put_strz(nlh, IFLA_IFNAME, name.c_str());
  mnl_attr_put_u32(nlh, IFLA_TARGET_NETNSID, static_cast<uint32_t>(namespaceId));
  nlattr* info = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
  mnl_attr_put_strz(nlh, IFLA_INFO_KIND, "dummy");
  mnl_attr_nest_end(nlh, info);
  return rtnl.run(nlh);
}

// Sets the bytes link's packets waiting for a neighbour may hold (the ARP
// table's parameters for it, through RTM_SETNEIGHTBL): 0 or the errno.
int setNeighbourQueueBytes(unsigned link, uint32_t bytes) {
  Rtnl rtnl;
  nlmsghdr* nlh = rtnl.start(RTM_SETNEIGHTBL, NLM_F_ACK);
  static_cast<ndtmsg*>(mnl_nlmsg_put_extra_header(nlh, sizeof(ndtmsg)))->ndtm_family = AF_INET;
  mnl_attr_put_strz(nlh, NDTA_NAME, "arp_cache");
  nlattr* parameters = mnl_attr_nest_start(nlh, NDTA_PARMS);
  mnl_attr_put_u32(nlh, NDTPA_IFINDEX, link);
  mnl_attr_put_u32(nlh, NDTPA_QUEUE_LENBYTES, bytes);
  mnl_attr_nest_end(nlh, parameters);
  return rtnl.run(nlh);
}

// How many of the machine-wide counters (NDTA_CONFIG, NDTA_STATS) an
// RTM_GETNEIGHTBL dump of the IPv4 tables carries; err gets its errno.
int neighbourTableCounters(int* err) {
  int counters = 0;
  Rtnl rtnl;
  nlmsghdr* nlh = rtnl.start(RTM_GETNEIGHTBL, NLM_F_DUMP);
  static_cast<ndtmsg*>(mnl_nlmsg_put_extra_header(nlh, sizeof(ndtmsg)))->ndtm_family = AF_INET;
  *err = rtnl.run(nlh, [&](const nlmsghdr* reply) {
    if (reply->nlmsg_type != RTM_NEWNEIGHTBL) return;
    forEachAttribute(reply, sizeof(ndtmsg), [&](const nlattr* attr) {
      const uint16_t type = mnl_attr_get_type(attr);
      if (type == NDTA_CONFIG || type == NDTA_STATS) counters++;
    });
  });
  return counters;
}

// The sysctls of a namespace that bound memory no cgroup is charged for
// (fragments, packets waiting for a neighbour, addresses, TIME_WAIT
// sockets, path MTU exceptions), some of each kind; link names a
// device's.
std::vector<std::string> poolBounds(const std::string& link) {
  return {"/proc/sys/net/ipv4/ipfrag_high_thresh",
          "/proc/sys/net/ipv6/ip6frag_time",
          "/proc/sys/net/ipv4/neigh/" + link + "/unres_qlen_bytes",
          "/proc/sys/net/ipv6/neigh/" + link + "/mcast_solicit",
          "/proc/sys/net/ipv6/conf/" + link + "/max_addresses",
          "/proc/sys/net/ipv6/conf/" + link + "/temp_prefered_lft",
          "/proc/sys/net/ipv4/tcp_max_tw_buckets",
          "/proc/sys/net/ipv4/route/mtu_expires",
          "/proc/sys/net/ipv4/igmp_max_msf"};
}

// Runs fn in a child that enters netns (unless negative), then a new
// sealed context with bcaps and no network set.
void inNamespacedGuest(int netns, uint64_t bcaps, const std::string& name,
                       const std::function<void()>& fn) {
  inChild([&] {
    if (netns >= 0 && setns(netns, CLONE_NEWNET) != 0) {
      report(false, name + ": enter the network namespace", std::strerror(errno));
      return;
    }
    const int err = createContext(kXidOwnNet, name, policyWith(bcaps), std::nullopt);
    report(err == 0, "create context " + std::to_string(kXidOwnNet) + " (" + name + ")",
           errnoName(err));
    if (err == 0) fn();
  });
}

// A plain network namespace, owned by the initial user namespace.
vs::UniqueFd plainNetworkNamespace() {
  int fds[2];
  if (pipe(fds) != 0) return vs::UniqueFd();
  const pid_t pid = fork();
  if (pid == 0) {
    close(fds[1]);
    if (unshare(CLONE_NEWNET) == 0) {
      char byte;
      (void)!read(fds[0], &byte, 1);
    }
    _exit(0);
  }
  close(fds[0]);
  vs::UniqueFd netns;
  for (int attempt = 0; attempt < 100 && !netns; ++attempt) {
    struct stat own{}, child{};
    const std::string file = "/proc/" + std::to_string(pid) + "/ns/net";
    if (stat("/proc/self/ns/net", &own) == 0 && stat(file.c_str(), &child) == 0 &&
        own.st_ino != child.st_ino)
      netns.reset(open(file.c_str(), O_RDONLY | O_CLOEXEC));
    else
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  close(fds[1]);
  waitpid(pid, nullptr, 0);
  return netns;
}

std::set<std::string> linkNames() {
  int err = 0;
  const auto links = dumpLinks(&err);
  return {links.begin(), links.end()};
}

// vsv0 holds a hiding guest's address; its veth peer vsv1 was made on the
// host and moved to another namespace, keeping its index.  That index is
// the other namespace's, where the host's names no interface: to the
// guest, vsv0's link dumps (both families) have no IFLA_LINK nor
// IFLA_LINK_NETNSID, and its sysfs iflink reads its own index.  The host
// reads the peer's index in all three (the control).
void expectForeignPeer(const std::string& who, bool named, unsigned peer) {
  const std::string suffix = named ? " (control)" : "";
  for (const uint8_t family : {AF_UNSPEC, AF_INET6}) {
    const LinkAttributes a = linkAttributes("vsv0", family);
    const std::string dump = family == AF_INET6 ? "IPv6 link dump" : "link dump";
    report(a.shown && a.link == (named ? peer : 0),
           who + ": vsv0's IFLA_LINK in the " + dump + (named ? " is its peer's index" : " is left out") +
               suffix,
           a.shown ? "IFLA_LINK " + std::to_string(a.link) : "vsv0 is not shown");
    if (family == AF_UNSPEC)
      report(a.linkNamespace == named,
             who + (named ? ": vsv0 has an IFLA_LINK_NETNSID" : ": vsv0 has no IFLA_LINK_NETNSID") + suffix,
             a.linkNamespace ? "it has" : "it has none");
  }
  const unsigned shown = named ? peer : if_nametoindex("vsv0");
  const std::string iflink = readFile("/sys/class/net/vsv0/iflink");
  report(iflink == std::to_string(shown) + "\n",
         who + (named ? ": vsv0's iflink is its peer's index" : ": vsv0's iflink is its own index") + suffix,
         "it reads " + iflink);
}

void checkForeignPeer() {
  const vs::UniqueFd peerNamespace = plainNetworkNamespace();
  if (!addHostVethPair("vsv0", "vsv1")) return;
  const unsigned peer = if_nametoindex("vsv1");
  expect("host: move vsv1 to another namespace", 0,
         changeLink("vsv1", IFLA_NET_NS_FD, static_cast<uint32_t>(peerNamespace.get())));
  char name[IF_NAMESIZE] = "";
  report(if_indextoname(peer, name) == nullptr,
         "host: vsv1's index names no interface of the host's namespace (control)", name);
  expect("host: add 10.75.0.2/24 to vsv0", 0, changeAddress(RTM_NEWADDR, "vsv0", "10.75.0.2", 24));
  expectForeignPeer("host", true, peer);
  inNewGuest(kXidForeignPeer, "net-foreign-peer", {}, NetSet{VSERVER_NF_HIDE_NETIF, 0, {}, {"10.75.0.2"}},
             [=] { expectForeignPeer("guest holding 10.75.0.2 (hide_netif)", false, peer); });
  expect("host: delete vsv0 and its peer", 0, deleteLink("vsv0"));
}

void checkOwnNamespace() {
  vs::UniqueFd owned;
  try {
    owned = vs::createOwnedNetworkNamespace();
    vs::HostNetwork().addVethPair("vsown0", "eth0", owned.get());
  } catch (const vs::Error& e) {
    report(false, "host: a user-namespace-owned network namespace with a veth to it", e.what());
    return;
  }
  const int hostEnd = static_cast<int>(if_nametoindex("vsown0"));
  expect("host: set vsown0 up (control)", 0, setLinkUp("vsown0", true));
  // A descriptor of the host's namespace, which the guest inherits.
  const vs::UniqueFd hostNet(open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC));
  const int hostMost = hostMostGroups();
  for (const std::string& path : poolBounds("vsown0"))
    expect("host: open its " + path + " for writing (control)", 0, openErrno(path, O_WRONLY));
  expect("host: open its /proc/sys/net/core/somaxconn for writing (control)", 0,
         openErrno("/proc/sys/net/core/somaxconn", O_WRONLY));
  expect("host: set vsown0's ARP queue to 212992 bytes, as it is (RTM_SETNEIGHTBL, control)", 0,
         setNeighbourQueueBytes(static_cast<unsigned>(hostEnd), 212992));
  {
    int dumpErr = 0;
    const int counters = neighbourTableCounters(&dumpErr);
    report(dumpErr == 0 && counters >= 2,
           "host: its neighbour table dump carries the tables' entries and statistics (control)",
           errnoName(dumpErr) + std::string(", ") + std::to_string(counters) + " counters");
  }
  inNamespacedGuest(owned.get(), kNetAdminCaps, "own-net", [hostEnd, &hostNet, hostMost] {
    report(effectiveCap(CAP_NET_ADMIN), "own-namespace guest: CAP_NET_ADMIN is effective", "it is not");
    expect("own-namespace guest: set its lo up", 0, setLinkUp("lo", true));
    expect("own-namespace guest: set its eth0 up", 0, setLinkUp("eth0", true));
    expect("own-namespace guest: add 10.73.0.2/24 to its eth0", 0,
           changeAddress(RTM_NEWADDR, "eth0", "10.73.0.2", 24));
    expect("own-namespace guest: add fd73::2/64 to its eth0", 0,
           changeAddress(RTM_NEWADDR, "eth0", "fd73::2", 64));
    expect("own-namespace guest: add a route to 10.99.0.0/24", 0, addRoute("10.99.0.0", 24, "eth0"));
    expect("own-namespace guest: add a link", 0, addLink("vsown9"));
    expect("own-namespace guest: delete it", 0, deleteLink("vsown9"));
    expect("own-namespace guest: SIOCSIFFLAGS eth0 down and up", 0,
           setLinkUpErrno("eth0", false) + setLinkUpErrno("eth0", true));
    // The kernel checks this one against the initial user namespace.
    expect("own-namespace guest: SO_RCVBUFFORCE (a global check)", EPERM, rcvbufForce());
    expect("own-namespace guest: AF_VSOCK", EAFNOSUPPORT, socketErrno(kVsock));
    // The host's namespace has an id in the guest's (the veth's peer is
    // there); through it the guest would reach the host's links.
    const int32_t hostId = peerNamespaceId("eth0");
    report(hostId >= 0, "own-namespace guest: its eth0's peer namespace has an id (control)",
           "none");
    if (hostId >= 0) {
      // rtnetlink answers a namespace id it may not act on with EACCES.
      expect("own-namespace guest: delete the host's vsown0 by namespace id", EACCES,
             deleteLinkIn(hostId, hostEnd));
      expect("own-namespace guest: create a link in the host's namespace by its id", EPERM,
             addDummyIn(hostId, "vsown7"));
    }
    expect("own-namespace guest: a veth with its peer in the host's namespace, by a descriptor",
           EPERM, addVethWithPeerIn("vsown6", "vsown5", hostNet.get()));
    expect("own-namespace guest: a veth with both ends in its namespace (control)", 0,
           addVethWithPeerIn("vsown6", "vsown5", -1));
    expect("own-namespace guest: delete it (control)", 0, deleteLink("vsown6"));
    // Its igmp_max_memberships is its own to raise, the host's bound stays.
    expect("own-namespace guest: raise its igmp_max_memberships to 100 (control)", 0,
           writeExisting("/proc/sys/net/ipv4/igmp_max_memberships", "100"));
    Socket joiner(AF_INET, SOCK_DGRAM);
    const unsigned eth0 = if_nametoindex("eth0");
    const auto group = [](int i) { return "239.73.0." + std::to_string(i + 1); };
    expect("own-namespace guest: join the host's igmp_max_memberships IPv4 groups on one socket "
           "(control)", 0, joinGroups(joiner.fd(), group, hostMost, eth0));
    expect("own-namespace guest: its IPv4 socket's group past the host's bound", ENOBUFS,
           joinGroup(joiner.fd(), group(hostMost), eth0));
    // Its namespace's sysctls are its own, but for those that bound
    // memory no cgroup is charged for: what a veth pair of its own would
    // feed its namespace as it pleased.
    for (const char* path : {"/proc/sys/net/ipv4/ip_forward", "/proc/sys/net/ipv4/ping_group_range"})
      expect(std::string("own-namespace guest: open its ") + path + " for writing", 0,
             openErrno(path, O_WRONLY));
    for (const std::string& path : poolBounds("eth0"))
      expect("own-namespace guest: open its " + path + " for writing", EACCES,
             openErrno(path, O_WRONLY));
    expect("own-namespace guest: set its eth0's ARP queue to 212992 bytes (RTM_SETNEIGHTBL)", EPERM,
           setNeighbourQueueBytes(eth0, 212992));
    // Its namespace's counters are its own; those of every CPU's packets,
    // of the route and neighbour caches and of sockets in use (sockstat,
    // protocols) are the machine's.
    expect("own-namespace guest: read its /proc/net/snmp (control)", 0,
           openErrno("/proc/net/snmp", O_RDONLY));
    for (const char* path : {"/proc/net/softnet_stat", "/proc/net/stat/rt_cache",
                             "/proc/net/sockstat", "/proc/net/protocols"})
      expect(std::string("own-namespace guest: read the machine's ") + path, EACCES,
             openErrno(path, O_RDONLY));
    int dumpErr = 0;
    const int counters = neighbourTableCounters(&dumpErr);
    report(dumpErr == 0 && counters == 0,
           "own-namespace guest: its neighbour table dump carries no table entries or statistics",
           errnoName(dumpErr) + std::string(", ") + std::to_string(counters) + " counters");
    // commoncap lets an owner's root past its effective set: the module
    // does not.
    inChild([] {
      __user_cap_header_struct header{_LINUX_CAPABILITY_VERSION_3, 0};
      __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3]{};
      syscall(SYS_capget, &header, data);
      data[CAP_TO_INDEX(CAP_NET_ADMIN)].effective &= ~CAP_TO_MASK(CAP_NET_ADMIN);
      syscall(SYS_capset, &header, data);
      report(!effectiveCap(CAP_NET_ADMIN), "own-namespace guest: drop CAP_NET_ADMIN from its effective set",
             "still there");
      expect("own-namespace guest without it effective: add 10.73.0.3/24", EPERM,
             changeAddress(RTM_NEWADDR, "eth0", "10.73.0.3", 24));
    });
  });
  report(if_nametoindex("vsown0") == static_cast<unsigned>(hostEnd) && !linkNames().count("vsown7") &&
             !linkNames().count("vsown5"),
         "host: vsown0 is still there, and no vsown7 or vsown5 came", "it is not so");
  inNamespacedGuest(owned.get(), VSERVER_BCAPS_DEFAULT, "own-net-nocap", [] {
    expect("own-namespace guest without CAP_NET_ADMIN in its bounding set: add 10.73.0.4/24", EPERM,
           changeAddress(RTM_NEWADDR, "eth0", "10.73.0.4", 24));
  });
  inNamespacedGuest(-1, kNetAdminCaps, "host-net-admin", [] {
    report(effectiveCap(CAP_NET_ADMIN), "unconfined guest on the host's stack: CAP_NET_ADMIN is effective",
           "it is not");
    expect("unconfined guest on the host's stack: add 10.70.0.6/24 to vsnet1", EPERM,
           changeAddress(RTM_NEWADDR, "vsnet1", "10.70.0.6", 24));
    expect("unconfined guest on the host's stack: set vsown0 down", EPERM, setLinkUp("vsown0", false));
    expect("unconfined guest on the host's stack: SO_RCVBUFFORCE", EPERM, rcvbufForce());
  });
  const vs::UniqueFd plain = plainNetworkNamespace();
  report(static_cast<bool>(plain), "host: a network namespace owned by the initial user namespace",
         "none");
  if (plain)
    inNamespacedGuest(plain.get(), kNetAdminCaps, "plain-net-admin", [] {
      expect("guest in a namespace the initial user namespace owns: set its lo up", EPERM,
             setLinkUp("lo", true));
      expect("guest in a namespace the initial user namespace owns: add a link", EPERM,
             addLink("vsown8"));
      // Only such a namespace has somaxconn, which bounds the requests a
      // listener queues uncharged.
      expect("guest in a namespace the initial user namespace owns: open its ip_forward for "
             "writing (control)", 0, openErrno("/proc/sys/net/ipv4/ip_forward", O_WRONLY));
      expect("guest in a namespace the initial user namespace owns: open its somaxconn for writing",
             EACCES, openErrno("/proc/sys/net/core/somaxconn", O_WRONLY));
    });
  expect("host: a veth with its peer in the owned namespace, by a descriptor (control)", 0,
         addVethWithPeerIn("vsown6", "vsown5", owned.get()));
  expect("host: delete it (control)", 0, deleteLink("vsown6"));
  expect("host: delete vsown0 and its peer (control)", 0, deleteLink("vsown0"));
}

// The link-local IPv6 address of link, or "".
std::string linkLocalAddressOf(const std::string& link) {
  ifaddrs* all = nullptr;
  if (getifaddrs(&all) != 0) return {};
  std::string found;
  for (const ifaddrs* a = all; a && found.empty(); a = a->ifa_next)
    if (a->ifa_addr && a->ifa_addr->sa_family == AF_INET6 && link == a->ifa_name &&
        IN6_IS_ADDR_LINKLOCAL(&reinterpret_cast<const sockaddr_in6*>(a->ifa_addr)->sin6_addr))
      found = hostOf(a->ifa_addr);
  freeifaddrs(all);
  return found;
}

}  // namespace

int sendRouterAdvert(pid_t pid, const char* link, const char* prefix) {
  const std::string netns = "/proc/" + std::to_string(pid) + "/ns/net";
  const vs::UniqueFd entered(open(netns.c_str(), O_RDONLY | O_CLOEXEC));
  if (!entered || setns(entered.get(), CLONE_NEWNET) != 0) throw vs::Error(errno, "enter " + netns);
  // A router of lifetime 1800 s, high preference, and an on-link prefix.
  struct {
    nd_router_advert header;
    nd_opt_prefix_info onLink;
  } advert{};
  advert.header.nd_ra_type = ND_ROUTER_ADVERT;
  advert.header.nd_ra_curhoplimit = 64;
  advert.header.nd_ra_flags_reserved = 0x08;  // preference high
  advert.header.nd_ra_router_lifetime = htons(1800);
  advert.onLink.nd_opt_pi_type = ND_OPT_PREFIX_INFORMATION;
  advert.onLink.nd_opt_pi_len = sizeof(advert.onLink) / 8;
  advert.onLink.nd_opt_pi_prefix_len = 64;
  advert.onLink.nd_opt_pi_flags_reserved = ND_OPT_PI_FLAG_ONLINK;
  advert.onLink.nd_opt_pi_valid_time = htonl(3600);
  advert.onLink.nd_opt_pi_preferred_time = htonl(3600);
  if (inet_pton(AF_INET6, prefix, &advert.onLink.nd_opt_pi_prefix) != 1)
    throw vs::Error(EINVAL, std::string("not an IPv6 prefix: ") + prefix);
  Socket raw(AF_INET6, SOCK_RAW, IPPROTO_ICMPV6);
  const int index = static_cast<int>(if_nametoindex(link));
  if (!raw.ok() || raw.setInt(IPPROTO_IPV6, IPV6_MULTICAST_HOPS, 255) != 0 ||
      raw.setInt(IPPROTO_IPV6, IPV6_MULTICAST_IF, index) != 0)
    throw vs::Error(errno, "a raw ICMPv6 socket on " + std::string(link));
  // A router speaks from its link-local address, or is not heard: bound
  // to it once duplicate address detection is done with it.
  const std::string linkLocal = linkLocalAddressOf(link);
  if (linkLocal.empty()) throw vs::Error(EADDRNOTAVAIL, std::string("no link-local address on ") + link);
  const Address source = makeAddress(linkLocal, 0, static_cast<uint32_t>(index));
  int bound = EADDRNOTAVAIL;
  for (int i = 0; i < 50 && bound == EADDRNOTAVAIL; i++) {
    if (i) std::this_thread::sleep_for(std::chrono::milliseconds(100));
    bound = raw.bindTo(source);
  }
  if (bound) throw vs::Error(bound, "bind to " + linkLocal);
  sockaddr_in6 allNodes{};
  allNodes.sin6_family = AF_INET6;
  inet_pton(AF_INET6, "ff02::1", &allNodes.sin6_addr);
  allNodes.sin6_scope_id = static_cast<uint32_t>(index);
  if (sendto(raw.fd(), &advert, sizeof(advert), 0, reinterpret_cast<const sockaddr*>(&allNodes),
             sizeof(allNodes)) != static_cast<ssize_t>(sizeof(advert)))
    throw vs::Error(errno, "send the router advertisement");
  return 0;
}

int probeNetwork() {
  if (!setUpNetwork()) {
    tearDownNetwork();
    return 1;
  }
  checkValidation();
  checkSetupAndSeal();
  if (startServers()) {
    createCase("create with guest A's default lback while it runs", EADDRINUSE,
               [](const Family& f) { return createWith(f, kXidInvalid, {0, 0, kLbackA, {}}); });
    createCase("create with guest B's explicit lback while it runs", EADDRINUSE,
               [](const Family& f) { return createWith(f, kXidInvalid, {0, 0, kLbackB, {}}); });
    checkBinds();
    checkWildcardBinds();
    checkListeners();
    checkSources();
    checkLoopback();
    checkVisibility();
    checkSockDiagReach();
    checkNotifications();
    checkUnconfinedWatching();
    checkOtherViews();
    checkRouteQueries();
    checkRouteSources();
    checkRouteExceptions();
    checkGenericFamilies();
    checkTcpMetrics();
    checkSharedPorts();
    checkGroups();
    checkGroupCount();
    checkInterfaceUses();
    checkLinkAttributes();
    checkForeignPeer();
    checkBridgeForwarding();
    checkRaw();
    checkPingReplies();
    checkReplace();
    checkRemovedAddresses();
    checkContextGet();
    // Last: were the guest to get CAP_NET_ADMIN, it would break the network.
    checkAdmin();
    checkOwnNamespace();
  }
  stopServers();
  tearDownNetwork();
  return failures() ? 1 : 0;
}

}  // namespace probe
