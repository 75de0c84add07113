// Issue 10: addresses, the rules of a network set, a guest's interfaces
// as start applies them, and the options of naddress and chbind.
#include <linux/vserver.h>

#include <cerrno>
#include <fstream>

#include "commands/chbind.h"
#include "commands/naddress.h"
#include "guest/config.h"
#include "guest/networking.h"
#include "guest/veth.h"
#include "ip_address.h"
#include "network_policy.h"
#include "test_helpers.h"

namespace {

namespace fs = std::filesystem;
using vs::IpAddress;
using vs::guest::GuestConfig;
using vs::guest::InterfaceConfig;

IpAddress ip(const char* text) { return *vs::parseIpAddress(text); }

template <typename Fn>
std::string errorOf(Fn&& fn) {
  return vs::test::expectError(fn).what();
}

vs::ContextInfo contextWith(uint32_t xid, const char* name, std::vector<IpAddress> addresses) {
  vs::ContextInfo context;
  context.xid = xid;
  context.name = name;
  context.net = vs::NetworkSet{};
  for (const IpAddress& address : addresses) context.net->add(address);
  return context;
}

InterfaceConfig iface(const char* dir, const char* address, unsigned prefix, const char* dev) {
  InterfaceConfig config;
  config.dirName = dir;
  config.ip = address;
  config.prefix = prefix;
  config.dev = dev;
  config.nodev = *dev == '\0';
  return config;
}

GuestConfig guestWith(std::vector<InterfaceConfig> interfaces) {
  GuestConfig config;
  config.location.cfgdir = "/etc/vservers/web";
  config.name = "web";
  config.xid = 705;
  config.interfaces = std::move(interfaces);
  return config;
}

}  // namespace

// ---- Addresses -------------------------------------------------------------

TEST_GROUP(IpAddresses){};

TEST(IpAddresses, ParseAndPrint) {
  const IpAddress v4 = ip("192.0.2.1");
  LONGS_EQUAL(AF_INET, v4.family);
  UNSIGNED_LONGS_EQUAL(4, v4.size());
  STRCMP_EQUAL("192.0.2.1", v4.str().c_str());
  const IpAddress v6 = ip("2001:DB8:0::1");
  LONGS_EQUAL(AF_INET6, v6.family);
  STRCMP_EQUAL("2001:db8::1", v6.str().c_str());
  CHECK_FALSE(vs::parseIpAddress("192.0.2").has_value());
  CHECK_FALSE(vs::parseIpAddress("web").has_value());
  CHECK(ip("10.0.0.1") < ip("10.0.0.2"));
}

TEST(IpAddresses, Prefixes) {
  const vs::IpPrefix plain = vs::parseIpPrefix("192.0.2.1");
  UNSIGNED_LONGS_EQUAL(32, plain.prefix);
  UNSIGNED_LONGS_EQUAL(64, vs::parseIpPrefix("2001:db8::1/64").prefix);
  UNSIGNED_LONGS_EQUAL(128, vs::parseIpPrefix("2001:db8::1").prefix);
  STRCMP_EQUAL("the prefix length of 192.0.2.1/33 '33' is out of range (0..32)",
               errorOf([] { vs::parseIpPrefix("192.0.2.1/33"); }).c_str());
  STRCMP_EQUAL("'web/24' is not an IPv4 or IPv6 address",
               errorOf([] { vs::parseIpPrefix("web/24"); }).c_str());
}

TEST(IpAddresses, Broadcast) {
  STRCMP_EQUAL("192.0.2.255", vs::broadcastOf(ip("192.0.2.17"), 24)->str().c_str());
  STRCMP_EQUAL("10.255.255.255", vs::broadcastOf(ip("10.1.2.3"), 8)->str().c_str());
  STRCMP_EQUAL("192.0.2.19", vs::broadcastOf(ip("192.0.2.17"), 30)->str().c_str());
  CHECK_FALSE(vs::broadcastOf(ip("192.0.2.17"), 31).has_value());
  CHECK_FALSE(vs::broadcastOf(ip("192.0.2.17"), 32).has_value());
  CHECK_FALSE(vs::broadcastOf(ip("2001:db8::1"), 64).has_value());
}

// ---- The rules of a network set ----------------------------------------------

TEST_GROUP(NetworkPolicy){};

TEST(NetworkPolicy, FlagsSetClearAndRefuse) {
  vs::BitChange change;
  vs::addNetworkFlag("single_ip", change);
  vs::addNetworkFlag("~hide_netif", change);
  vs::addNetworkFlag("lback_remap", change);
  vs::addNetworkFlag("remap_lback", change);
  CHECK_EQUAL(VSERVER_NF_SINGLE_IP, change.value);
  CHECK_EQUAL(VSERVER_NF_SINGLE_IP | VSERVER_NF_HIDE_NETIF, change.mask);
  STRCMP_EQUAL("network flag 'hide_lback' is not supported",
               errorOf([&] { vs::addNetworkFlag("hide_lback", change); }).c_str());
  STRCMP_EQUAL("network flag 'persistent' is not supported",
               errorOf([&] { vs::addNetworkFlag("!persistent", change); }).c_str());
  STRCMP_EQUAL("unknown network flag 'bogus'",
               errorOf([&] { vs::addNetworkFlag("bogus", change); }).c_str());
  STRCMP_EQUAL("network flag 'remap_lback' cannot be cleared: loopback remapping is always on",
               errorOf([&] { vs::addNetworkFlag("!remap_lback", change); }).c_str());
}

TEST(NetworkPolicy, Capabilities) {
  vs::BitChange change;
  vs::addNetworkCapability("raw", change);
  vs::addNetworkCapability("~raw_icmp", change);
  CHECK_EQUAL(VSERVER_NCAP_RAW, change.value);
  CHECK_EQUAL(VSERVER_NCAP_ALL, change.mask);
  STRCMP_EQUAL("network capability 'tun_create' is not supported",
               errorOf([&] { vs::addNetworkCapability("tun_create", change); }).c_str());
}

TEST(NetworkPolicy, LoopbackAddresses) {
  STRCMP_EQUAL("127.0.3.2", vs::parseLoopbackAddress("127.0.3.2").str().c_str());
  STRCMP_EQUAL("127.1.0.1", vs::parseLoopbackAddress("127.1.0.1").str().c_str());
  for (const char* bad : {"127.0.0.0", "127.0.0.1", "127.255.255.255"})
    CHECK(errorOf([&] { vs::parseLoopbackAddress(bad); }).find("may not be") != std::string::npos);
  for (const char* bad : {"10.0.0.1", "::1", "lo"})
    CHECK(errorOf([&] { vs::parseLoopbackAddress(bad); }).find("is not in 127.0.0.0/8") !=
          std::string::npos);
}

TEST(NetworkPolicy, ContextAddresses) {
  vs::requireContextAddress(ip("192.0.2.1"));
  vs::requireContextAddress(ip("2001:db8::1"));
  vs::requireContextAddress(ip("fe80::1"));
  vs::requireContextAddress(ip("240.0.0.1"));  // the kernel takes class E
  for (const char* bad : {"0.0.0.0", "0.1.2.3", "127.0.0.2", "224.0.0.1", "239.1.1.1",
                          "255.255.255.255", "::", "::1", "ff02::1", "::ffff:192.0.2.1"})
    vs::test::expectError([&] { vs::requireContextAddress(ip(bad)); });
}

TEST(NetworkPolicy, TheKernelsLimitIsPerFamily) {
  vs::NetworkSet net;
  for (unsigned i = 0; i < VSERVER_NET_ADDRS_MAX; i++) {
    IpAddress four = ip("192.0.2.0");
    four.bytes[3] = static_cast<uint8_t>(i + 1);
    net.add(four);
    IpAddress six = ip("2001:db8::");
    six.bytes[15] = static_cast<uint8_t>(i + 1);
    net.add(six);
  }
  vs::requireAddressCount(net);
  net.add(ip("198.51.100.1"));
  STRCMP_EQUAL("a context holds at most 32 IPv4 and 32 IPv6 addresses",
               errorOf([&] { vs::requireAddressCount(net); }).c_str());
}

TEST(NetworkPolicy, AnotherContextsAddressIsRefusedUnlessShared) {
  const std::vector<vs::ContextInfo> contexts = {contextWith(705, "web", {ip("192.0.2.1")}),
                                                 contextWith(706, "", {ip("192.0.2.2")})};
  const std::vector<IpAddress> host;
  STRCMP_EQUAL("192.0.2.2 belongs to running context 706",
               vs::addressConflict({ip("192.0.2.2")}, host, contexts, 705)->c_str());
  CHECK_FALSE(vs::addressConflict({ip("192.0.2.2"), true}, host, contexts, 705));
  // Its own address is no conflict: a context's own set.
  CHECK_FALSE(vs::addressConflict({ip("192.0.2.1")}, host, contexts, 705));
  STRCMP_EQUAL("192.0.2.1 belongs to running context 705 (web)",
               vs::addressConflict({ip("192.0.2.1")}, host, contexts, 707)->c_str());
  // An unconfined context holds no address.
  vs::ContextInfo unconfined;
  unconfined.xid = 9;
  CHECK_FALSE(vs::addressConflict({ip("192.0.2.9")}, host, {unconfined}, 705));
}

TEST(NetworkPolicy, TheHostsAddressIsRefusedUnlessSharedOrNodev) {
  const std::vector<IpAddress> host = {ip("192.0.2.50"), ip("2001:db8::50")};
  STRCMP_EQUAL("2001:db8::50 is already configured on the host",
               vs::addressConflict({ip("2001:db8::50")}, host, {}, 705)->c_str());
  CHECK_FALSE(vs::addressConflict({ip("2001:db8::50"), true}, host, {}, 705));
  CHECK_FALSE(vs::addressConflict({ip("192.0.2.50"), false, true}, host, {}, 705));
  STRCMP_EQUAL("192.0.2.51 is not configured on the host",
               vs::addressConflict({ip("192.0.2.51"), false, true}, host, {}, 705)->c_str());
  // nodev and shared: still only an address of the host.
  CHECK(vs::addressConflict({ip("192.0.2.51"), true, true}, host, {}, 705).has_value());
  // nodev, on the host, but another guest's: refused unless shared.
  const std::vector<vs::ContextInfo> contexts = {contextWith(706, "db", {ip("192.0.2.50")})};
  STRCMP_EQUAL("192.0.2.50 belongs to running context 706 (db)",
               vs::addressConflict({ip("192.0.2.50"), false, true}, host, contexts, 705)->c_str());
  CHECK_FALSE(vs::addressConflict({ip("192.0.2.50"), true, true}, host, contexts, 705));
}

TEST(NetworkPolicy, LoopbackConflicts) {
  vs::ContextInfo other = contextWith(706, "db", {});
  other.net->lback = ip("127.0.9.9");
  STRCMP_EQUAL("loopback address 127.0.9.9 belongs to running context 706 (db)",
               vs::loopbackConflict(ip("127.0.9.9"), {other}, 705)->c_str());
  CHECK_FALSE(vs::loopbackConflict(ip("127.0.9.9"), {other}, 706));
  CHECK_FALSE(vs::loopbackConflict(ip("127.0.9.8"), {other}, 705));
}

// ---- A guest's interfaces ---------------------------------------------------

TEST_GROUP(GuestNetworking){};

TEST(GuestNetworking, EveryGuestGetsASecureSetInInterfaceOrder) {
  GuestConfig config = guestWith({iface("00", "2001:db8::5", 64, "eth0"),
                                  iface("01", "192.0.2.5", 24, "eth0"),
                                  iface("02", "192.0.2.6", 32, "")});
  const vs::NetworkSet net = vs::guest::networkSetOf(config);
  CHECK_EQUAL(VSERVER_NF_HIDE_NETIF, net.flags);
  CHECK_EQUAL(VSERVER_NCAP_RAW_ICMP, net.caps);
  CHECK_FALSE(net.lback.has_value());
  CHECK((net.ipv4 == std::vector<IpAddress>{ip("192.0.2.5"), ip("192.0.2.6")}));
  CHECK((net.ipv6 == std::vector<IpAddress>{ip("2001:db8::5")}));

  config.nflags = {VSERVER_NF_SINGLE_IP, VSERVER_NF_SINGLE_IP | VSERVER_NF_HIDE_NETIF};
  config.ncaps = {0, VSERVER_NCAP_RAW_ICMP};
  config.lback = ip("127.0.7.5");
  const vs::NetworkSet changed = vs::guest::networkSetOf(config);
  CHECK_EQUAL(VSERVER_NF_SINGLE_IP, changed.flags);
  CHECK_EQUAL(0, changed.caps);
  CHECK(changed.lback == ip("127.0.7.5"));
}

TEST(GuestNetworking, AnEmptyInterfacesStillConfines) {
  const vs::NetworkSet net = vs::guest::networkSetOf(guestWith({}));
  CHECK(net.addresses().empty());
  CHECK_EQUAL(VSERVER_NF_HIDE_NETIF, net.flags);
}

TEST(GuestNetworking, HostAddressWithPrefixBroadcastAndLabel) {
  InterfaceConfig named = iface("00", "192.0.2.5", 24, "dummy0");
  named.label = "web";
  const vs::HostAddress host = vs::guest::hostAddressOf(guestWith({}), named);
  STRCMP_EQUAL("dummy0", host.device.c_str());
  CHECK(host.address == (vs::IpPrefix{ip("192.0.2.5"), 24}));
  STRCMP_EQUAL("192.0.2.255", host.broadcast->str().c_str());
  STRCMP_EQUAL("dummy0:web", host.label.c_str());

  const vs::HostAddress plain =
      vs::guest::hostAddressOf(guestWith({}), iface("01", "192.0.2.6", 32, "eth0"));
  CHECK_FALSE(plain.broadcast.has_value());
  CHECK(plain.label.empty());

  InterfaceConfig v6 = iface("02", "2001:db8::5", 64, "eth0");
  v6.label = "web";
  const vs::HostAddress six = vs::guest::hostAddressOf(guestWith({}), v6);
  CHECK_FALSE(six.broadcast.has_value());
  CHECK(six.label.empty());  // Linux labels no IPv6 address

  named.label = "averylongname";
  STRCMP_EQUAL(
      "/etc/vservers/web/interfaces/00/name:1: label 'dummy0:averylongname' is longer than 15 "
      "characters",
      errorOf([&] { vs::guest::hostAddressOf(guestWith({}), named); }).c_str());
}

TEST(GuestNetworking, PlansOnlyWhatIsNotThereAndRefusesConflicts) {
  InterfaceConfig shared = iface("01", "192.0.2.50", 24, "eth0");
  shared.shared = true;
  const GuestConfig config = guestWith({iface("00", "192.0.2.5", 24, "eth0"), shared,
                                        iface("02", "192.0.2.51", 32, "")});
  const std::vector<IpAddress> host = {ip("192.0.2.50"), ip("192.0.2.51")};
  const auto planned = vs::guest::plannedHostAddresses(config, host, {});
  // The shared one is the host's already: not added, so never removed.
  LONGS_EQUAL(1, planned.size());
  CHECK(planned[0].address == (vs::IpPrefix{ip("192.0.2.5"), 24}));

  const GuestConfig taken = guestWith({iface("00", "192.0.2.50", 24, "eth0")});
  STRCMP_EQUAL(
      "/etc/vservers/web/interfaces/00: 192.0.2.50 is already configured on the host; a 'shared' "
      "file here allows that",
      errorOf([&] { vs::guest::plannedHostAddresses(taken, host, {}); }).c_str());

  const GuestConfig missing = guestWith({iface("03", "192.0.2.52", 32, "")});
  STRCMP_EQUAL(
      "/etc/vservers/web/interfaces/03: 192.0.2.52 is not configured on the host (nodev: it must "
      "be there already)",
      errorOf([&] { vs::guest::plannedHostAddresses(missing, host, {}); }).c_str());

  const std::vector<vs::ContextInfo> holders = {contextWith(706, "db", {ip("192.0.2.51")})};
  const GuestConfig nodevTaken = guestWith({iface("02", "192.0.2.51", 32, "")});
  STRCMP_EQUAL(
      "/etc/vservers/web/interfaces/02: 192.0.2.51 belongs to running context 706 (db); a "
      "'shared' file here allows that",
      errorOf([&] { vs::guest::plannedHostAddresses(nodevTaken, host, holders); }).c_str());

  const std::vector<vs::ContextInfo> others = {contextWith(706, "db", {ip("192.0.2.5")})};
  STRCMP_EQUAL(
      "/etc/vservers/web/interfaces/00: 192.0.2.5 belongs to running context 706 (db); a "
      "'shared' file here allows that",
      errorOf([&] { vs::guest::plannedHostAddresses(config, host, others); }).c_str());
}

TEST(GuestNetworking, RefusesDuplicatesAndBadAddresses) {
  const GuestConfig twice = guestWith({iface("00", "192.0.2.5", 24, "eth0"),
                                       iface("01", "192.0.2.5", 32, "eth1")});
  STRCMP_EQUAL("/etc/vservers/web/interfaces/01/ip:1: 192.0.2.5 is listed twice (interfaces/00 too)",
               errorOf([&] { vs::guest::plannedHostAddresses(twice, {}, {}); }).c_str());
  const GuestConfig multicast = guestWith({iface("00", "224.0.0.1", 24, "eth0")});
  CHECK(errorOf([&] { vs::guest::plannedHostAddresses(multicast, {}, {}); })
            .starts_with("/etc/vservers/web/interfaces/00/ip:1: '224.0.0.1' cannot be"));
  GuestConfig lback = guestWith({});
  lback.lback = ip("127.0.9.9");
  vs::ContextInfo other = contextWith(706, "db", {});
  other.net->lback = ip("127.0.9.9");
  STRCMP_EQUAL(
      "/etc/vservers/web/interfaces/lback:1: loopback address 127.0.9.9 belongs to running "
      "context 706 (db)",
      errorOf([&] { vs::guest::plannedHostAddresses(lback, {}, {other}); }).c_str());
}

TEST(GuestNetworking, TheRunStateRecord) {
  const vs::HostAddress a{"dummy0", {ip("192.0.2.5"), 24}, ip("192.0.2.255"), "dummy0:web"};
  const vs::HostAddress b{"eth0", {ip("2001:db8::5"), 64}, std::nullopt, ""};
  const std::string text =
      vs::guest::formatAddressRecord(a) + "\n" + vs::guest::formatAddressRecord(b) + "\n";
  STRCMP_EQUAL("dummy0 192.0.2.5/24\neth0 2001:db8::5/64\n", text.c_str());
  const auto parsed = vs::guest::parseAddressRecord(text + "garbage\neth0 web/3\n\n");
  LONGS_EQUAL(2, parsed.size());
  STRCMP_EQUAL("dummy0", parsed[0].device.c_str());
  CHECK(parsed[0].address == a.address);
  CHECK(parsed[1].address == b.address);
}

// ---- naddress ------------------------------------------------------------------

TEST_GROUP(NaddressOptions){};

TEST(NaddressOptions, UtilVserversSyntax) {
  auto args = vs::test::argv("naddress", "--nid", "705", "--add", "--ip", "192.0.2.7/24", "--ip",
                             "2001:db8::7", "--dev", "dummy0", "--lback", "127.0.3.3");
  const auto options = vs::naddress::parseOptions(static_cast<int>(args.size()), args.data());
  CHECK(options.action == vs::naddress::Action::Add);
  UNSIGNED_LONGS_EQUAL(705, options.xid);
  LONGS_EQUAL(2, options.addresses.size());
  UNSIGNED_LONGS_EQUAL(24, options.addresses[0].prefix);
  STRCMP_EQUAL("dummy0", options.device.c_str());
  CHECK(options.lback == ip("127.0.3.3"));
  CHECK_FALSE(options.shared);

  auto alias = vs::test::argv("naddress", "--xid", "706", "--remove", "--ip", "192.0.2.7",
                              "--shared", "--", "true");
  const auto second = vs::naddress::parseOptions(static_cast<int>(alias.size()), alias.data());
  CHECK(second.action == vs::naddress::Action::Remove);
  UNSIGNED_LONGS_EQUAL(706, second.xid);
  CHECK(second.shared);
  CHECK((second.command == std::vector<std::string>{"true"}));
}

TEST(NaddressOptions, RefusesBadInput) {
  const auto parse = [](auto args) {
    return [args]() mutable {
      vs::naddress::parseOptions(static_cast<int>(args.size()), args.data());
    };
  };
  STRCMP_EQUAL("give exactly one of --add, --remove and --set",
               errorOf(parse(vs::test::argv("naddress", "--nid", "5", "--ip", "192.0.2.1"))).c_str());
  STRCMP_EQUAL("--nid is required",
               errorOf(parse(vs::test::argv("naddress", "--add", "--ip", "192.0.2.1"))).c_str());
  STRCMP_EQUAL("give an address with --ip",
               errorOf(parse(vs::test::argv("naddress", "--nid", "5", "--add"))).c_str());
  STRCMP_EQUAL("--lback goes with --add or --set",
               errorOf(parse(vs::test::argv("naddress", "--nid", "5", "--remove", "--ip",
                                            "192.0.2.1", "--lback", "127.0.0.5")))
                   .c_str());
  STRCMP_EQUAL("--dev 'eth0:1' is not a network device name",
               errorOf(parse(vs::test::argv("naddress", "--nid", "5", "--add", "--ip",
                                            "192.0.2.1", "--dev", "eth0:1")))
                   .c_str());
  STRCMP_EQUAL("'0.0.0.0' cannot be a guest's address (unspecified, loopback, multicast or "
               "v4-mapped)",
               errorOf(parse(vs::test::argv("naddress", "--nid", "5", "--add", "--ip", "0.0.0.0")))
                   .c_str());
}

TEST(NaddressOptions, ChangesTheSet) {
  vs::naddress::Options options;
  options.xid = 705;
  options.addresses = {vs::parseIpPrefix("192.0.2.8"), vs::parseIpPrefix("2001:db8::8")};
  vs::NetworkSet current;
  current.flags = VSERVER_NF_HIDE_NETIF;
  current.lback = ip("127.0.7.7");
  current.add(ip("192.0.2.7"));
  const vs::NetworkSet added = vs::naddress::changedSet(current, options);
  CHECK((added.ipv4 == std::vector<IpAddress>{ip("192.0.2.7"), ip("192.0.2.8")}));
  CHECK((added.ipv6 == std::vector<IpAddress>{ip("2001:db8::8")}));
  CHECK_EQUAL(VSERVER_NF_HIDE_NETIF, added.flags);
  CHECK(added.lback == ip("127.0.7.7"));
  STRCMP_EQUAL("192.0.2.8 is already an address of context 705",
               errorOf([&] { vs::naddress::changedSet(added, options); }).c_str());

  options.action = vs::naddress::Action::Remove;
  options.addresses = {vs::parseIpPrefix("192.0.2.7")};
  CHECK((vs::naddress::changedSet(added, options).ipv4 == std::vector<IpAddress>{ip("192.0.2.8")}));
  STRCMP_EQUAL("context 705 has no address 192.0.2.7",
               errorOf([&] { vs::naddress::changedSet(vs::NetworkSet{}, options); }).c_str());

  options.action = vs::naddress::Action::Set;
  options.addresses = {vs::parseIpPrefix("192.0.2.9")};
  const vs::NetworkSet replaced = vs::naddress::changedSet(added, options);
  CHECK((replaced.addresses() == std::vector<IpAddress>{ip("192.0.2.9")}));
  // An unconfined context is confined by the change.
  CHECK((vs::naddress::changedSet(std::nullopt, options).addresses() ==
         std::vector<IpAddress>{ip("192.0.2.9")}));
}

// ---- chbind ----------------------------------------------------------------------

TEST_GROUP(ChbindOptions){};

TEST(ChbindOptions, UtilVserversSyntax) {
  auto args = vs::test::argv("chbind", "--silent", "--nid", "720", "--ip", "192.0.2.9/24", "--ip",
                             "2001:db8::9", "--flag", "single_ip", "--ncap", "raw", "--secure",
                             "--lback", "127.0.4.4", "--", "sh", "-c", "true");
  const auto options = vs::chbind::parseOptions(static_cast<int>(args.size()), args.data());
  CHECK(options.silent);
  UNSIGNED_LONGS_EQUAL(720, *options.xid);
  LONGS_EQUAL(2, options.addresses.size());
  CHECK((options.command == std::vector<std::string>{"sh", "-c", "true"}));
  const vs::NetworkSet net = vs::chbind::networkSetOf(options);
  CHECK_EQUAL(VSERVER_NF_HIDE_NETIF | VSERVER_NF_SINGLE_IP, net.flags);
  CHECK_EQUAL(VSERVER_NCAP_RAW_ICMP | VSERVER_NCAP_RAW, net.caps);
  CHECK(net.lback == ip("127.0.4.4"));
  CHECK((net.addresses() == std::vector<IpAddress>{ip("192.0.2.9"), ip("2001:db8::9")}));
}

TEST(ChbindOptions, WithoutSecureNothingIsSetByDefault) {
  auto args = vs::test::argv("chbind", "--ip", "192.0.2.9", "--", "true");
  const auto options = vs::chbind::parseOptions(static_cast<int>(args.size()), args.data());
  CHECK_FALSE(options.xid.has_value());
  const vs::NetworkSet net = vs::chbind::networkSetOf(options);
  CHECK_EQUAL(0, net.flags);
  CHECK_EQUAL(0, net.caps);
}

TEST(ChbindOptions, RefusesBadInput) {
  const auto parse = [](auto args) {
    return [args]() mutable { vs::chbind::parseOptions(static_cast<int>(args.size()), args.data()); };
  };
  STRCMP_EQUAL("no command given",
               errorOf(parse(vs::test::argv("chbind", "--ip", "192.0.2.9"))).c_str());
  STRCMP_EQUAL("network flag 'lock' is not supported",
               errorOf(parse(vs::test::argv("chbind", "--flag", "lock", "--", "true"))).c_str());
  STRCMP_EQUAL("network capability 'tun_create' is not supported",
               errorOf(parse(vs::test::argv("chbind", "--ncap", "tun_create", "--", "true"))).c_str());
  STRCMP_EQUAL("context id '1' is out of range (2..65535)",
               errorOf(parse(vs::test::argv("chbind", "--nid", "1", "--", "true"))).c_str());
  auto twice = vs::test::argv("chbind", "--ip", "192.0.2.9", "--ip", "192.0.2.9/24", "--", "true");
  const auto options = vs::chbind::parseOptions(static_cast<int>(twice.size()), twice.data());
  STRCMP_EQUAL("192.0.2.9 is given twice",
               errorOf([&] { vs::chbind::networkSetOf(options); }).c_str());
}

TEST(ChbindOptions, FirstFreeDynamicXid) {
  CHECK_EQUAL(49152u, *vs::chbind::firstFreeXid({}));
  const std::vector<vs::ContextInfo> taken = {contextWith(49152, "", {}),
                                              contextWith(49153, "", {}),
                                              contextWith(705, "web", {})};
  CHECK_EQUAL(49154u, *vs::chbind::firstFreeXid(taken));
  CHECK_EQUAL(49160u, *vs::chbind::firstFreeXid(taken, 49160));
  CHECK_FALSE(vs::chbind::firstFreeXid(taken, 65536).has_value());
}

// ---- Own-namespace mode: the veth plan ---------------------------------------

TEST_GROUP(GuestVeth){};

TEST(GuestVeth, RoutedVethRoutesEachAddressAndGivesDefaultRoutes) {
  GuestConfig config = guestWith({iface("0", "10.1.0.2", 24, ""), iface("1", "2001:db8::2", 64, "")});
  config.interfaces[0].nodev = config.interfaces[1].nodev = false;
  config.interfaces[0].label = "web";
  config.spaces.net = true;
  const vs::guest::VethPlan plan = vs::guest::vethPlanOf(config);
  STRCMP_EQUAL("vs705", plan.hostEnd.c_str());
  STRCMP_EQUAL("", plan.bridge.c_str());
  CHECK(plan.guestEndUp);
  LONGS_EQUAL(2, plan.guestAddresses.size());
  STRCMP_EQUAL("eth0", plan.guestAddresses[0].device.c_str());
  CHECK(plan.guestAddresses[0].address == vs::parseIpPrefix("10.1.0.2/24"));
  CHECK(plan.guestAddresses[0].broadcast == ip("10.1.0.255"));
  STRCMP_EQUAL("eth0:web", plan.guestAddresses[0].label.c_str());
  CHECK(plan.guestAddresses[1].skipDuplicateDetection);
  LONGS_EQUAL(2, plan.hostRoutes.size());
  CHECK(plan.hostRoutes[0].destination == vs::parseIpPrefix("10.1.0.2/32"));
  STRCMP_EQUAL("vs705", plan.hostRoutes[0].device.c_str());
  CHECK_FALSE(plan.hostRoutes[0].gateway.has_value());
  CHECK(plan.hostRoutes[1].destination == vs::parseIpPrefix("2001:db8::2/128"));
  LONGS_EQUAL(2, plan.guestRoutes.size());
  CHECK(plan.guestRoutes[0].destination == vs::parseIpPrefix("0.0.0.0/0"));
  STRCMP_EQUAL("eth0", plan.guestRoutes[0].device.c_str());
  CHECK_FALSE(plan.guestRoutes[0].gateway.has_value());
  CHECK(plan.guestRoutes[1].destination == vs::parseIpPrefix("::/0"));
  CHECK(plan.guestRoutes[1].gateway == ip("fe80::1"));
  LONGS_EQUAL(1, plan.hostAddresses.size());
  STRCMP_EQUAL("vs705", plan.hostAddresses[0].device.c_str());
  CHECK(plan.hostAddresses[0].address == vs::parseIpPrefix("fe80::1/64"));
}

TEST(GuestVeth, IPv4OnlyNeedsNoIPv6Router) {
  GuestConfig config = guestWith({iface("0", "10.1.0.2", 32, "")});
  config.spaces.net = true;
  const vs::guest::VethPlan plan = vs::guest::vethPlanOf(config);
  LONGS_EQUAL(1, plan.guestRoutes.size());
  CHECK(plan.hostAddresses.empty());
}

TEST(GuestVeth, BridgedVethUsesTheGatewaysAndNoHostRoutes) {
  GuestConfig config =
      guestWith({iface("0", "10.1.0.2", 24, "br0"), iface("1", "2001:db8::2", 64, "br0")});
  config.interfaces[0].gateway = "10.1.0.1";
  config.spaces.net = true;
  const vs::guest::VethPlan plan = vs::guest::vethPlanOf(config);
  STRCMP_EQUAL("br0", plan.bridge.c_str());
  CHECK(plan.hostRoutes.empty());
  CHECK(plan.hostAddresses.empty());
  LONGS_EQUAL(1, plan.guestRoutes.size());
  CHECK(plan.guestRoutes[0].gateway == ip("10.1.0.1"));
  config.interfaces[1].gateway = "2001:db8::1";
  LONGS_EQUAL(2, vs::guest::vethPlanOf(config).guestRoutes.size());
  config.interfaces[1] = iface("1", "10.1.0.3", 24, "br0");
  config.interfaces[1].gateway = "10.1.0.254";
  STRCMP_EQUAL("/etc/vservers/web/interfaces/1/gateway:1: a second default gateway of the same family",
               errorOf([&] { vs::guest::vethPlanOf(config); }).c_str());
}

TEST(GuestVeth, OneBridgeAndNoRoutesWhileDown) {
  GuestConfig config = guestWith({iface("0", "10.1.0.2", 24, "br0"), iface("1", "10.1.0.3", 24, "br1")});
  config.spaces.net = true;
  STRCMP_EQUAL(
      "/etc/vservers/web/interfaces/1/dev:1: the guest's veth joins one bridge or none: br0 or br1",
      errorOf([&] { vs::guest::vethPlanOf(config); }).c_str());
  config.interfaces[1].dev = "";
  STRCMP_EQUAL(
      "/etc/vservers/web/interfaces/1/dev:1: the guest's veth joins one bridge or none: br0 or no "
      "bridge",
      errorOf([&] { vs::guest::vethPlanOf(config); }).c_str());
  config.interfaces[0].dev = "";
  config.interfaces[1].dev = "br0";
  STRCMP_EQUAL(
      "/etc/vservers/web/interfaces/1/dev:1: the guest's veth joins one bridge or none: no bridge "
      "or br0",
      errorOf([&] { vs::guest::vethPlanOf(config); }).c_str());
  config.interfaces[0].dev = "br0";
  config.interfaces[0].down = config.interfaces[1].down = true;
  CHECK_FALSE(vs::guest::vethPlanOf(config).guestEndUp);
  config.interfaces.clear();
  const vs::guest::VethPlan lonely = vs::guest::vethPlanOf(config);
  CHECK(lonely.guestEndUp);
  CHECK(lonely.guestAddresses.empty());
  CHECK(lonely.guestRoutes.empty());
}
