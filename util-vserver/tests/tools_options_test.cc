// Option parsing of vattribute, vkill, vwait and vcontext's additions.
#include <linux/capability.h>
#include <linux/vserver.h>

#include <csignal>

#include "commands/vattribute.h"
#include "commands/vcontext.h"
#include "commands/vkill.h"
#include "commands/vwait.h"
#include "test_helpers.h"

using vs::test::argv;
using vs::test::expectError;

namespace {

template <typename Parse, typename Args>
auto parseWith(Parse parse, Args args) {
  return parse(static_cast<int>(args.size()), args.data());
}

}  // namespace

TEST_GROUP(VattributeOptions){};

TEST(VattributeOptions, SetCollectsRepeatedOptions) {
  const auto o = parseWith(vs::vattribute::parseOptions,
                           argv("vattribute", "--xid", "42", "--set", "--bcap", "SYS_ADMIN",
                                "--bcap", "~CHOWN", "--ccap", "syslog", "--flag", "~state_setup",
                                "--", "/sbin/init", "3"));
  CHECK_FALSE(o.get);
  UNSIGNED_LONGS_EQUAL(42, *o.xid);
  CHECK_EQUAL(1ULL << CAP_SYS_ADMIN, o.change.bcaps.value);
  CHECK_EQUAL((1ULL << CAP_SYS_ADMIN) | (1ULL << CAP_CHOWN), o.change.bcaps.mask);
  CHECK_EQUAL(VSERVER_CCAP_SYSLOG, o.change.ccaps.value);
  CHECK_EQUAL(0, o.change.flags.value);
  CHECK_EQUAL(VSERVER_CF_STATE_SETUP, o.change.flags.mask);
  UNSIGNED_LONGS_EQUAL(2, o.command.size());
}

TEST(VattributeOptions, SecureResetsTheBoundingSet) {
  const auto o = parseWith(vs::vattribute::parseOptions, argv("vattribute", "--set", "--secure"));
  CHECK_FALSE(o.xid.has_value());
  CHECK_EQUAL(VSERVER_BCAPS_DEFAULT, o.change.bcaps.value);
  CHECK_EQUAL(VSERVER_BCAPS_ALL, o.change.bcaps.mask);
}

TEST(VattributeOptions, RefusesBadInput) {
  STRCMP_EQUAL("give exactly one of --get and --set",
               expectError([] { parseWith(vs::vattribute::parseOptions, argv("vattribute")); })
                   .what());
  STRCMP_EQUAL("--set needs --bcap, --ccap, --flag or --secure",
               expectError([] {
                 parseWith(vs::vattribute::parseOptions, argv("vattribute", "--set"));
               }).what());
  STRCMP_EQUAL("--get takes no changes", expectError([] {
                 parseWith(vs::vattribute::parseOptions,
                           argv("vattribute", "--get", "--flag", "lock"));
               }).what());
  STRCMP_EQUAL("unknown capability 'CAP_FLY'", expectError([] {
                 parseWith(vs::vattribute::parseOptions,
                           argv("vattribute", "--set", "--bcap", "CAP_FLY"));
               }).what());
}

TEST(VattributeOptions, DescribesAContext) {
  vs::ContextInfo info;
  info.flags = VSERVER_CF_PERSISTENT | VSERVER_CF_LOCK;
  info.bcaps = (1ULL << CAP_CHOWN) | (1ULL << CAP_KILL);
  info.ccaps = VSERVER_CCAP_SYSLOG;
  STRCMP_EQUAL(
      "flags: persistent lock\nbcaps: CHOWN KILL\nccaps: syslog\ndevices: \n"
      "network: no network set (the host's stack, or a network namespace of its own)\n",
      vs::vattribute::describe(info).c_str());
}

TEST(VattributeOptions, DescribesANetworkSet) {
  vs::NetworkSet net;
  net.flags = VSERVER_NF_HIDE_NETIF | VSERVER_NF_SINGLE_IP;
  net.caps = VSERVER_NCAP_RAW_ICMP;
  net.lback = vs::parseIpAddress("127.1.2.193");
  net.add(*vs::parseIpAddress("2001:db8::1"));
  net.add(*vs::parseIpAddress("192.0.2.1"));
  vs::ContextInfo info;
  info.net = net;
  STRCMP_EQUAL(
      "flags: \nbcaps: \nccaps: \ndevices: \nnflags: hide_netif single_ip\nncaps: raw_icmp\n"
      "lback: 127.1.2.193\naddresses: 192.0.2.1 2001:db8::1\n",
      vs::vattribute::describe(info).c_str());
}

TEST(VattributeOptions, DescribesADeviceMap) {
  vs::ContextInfo info;
  info.devices = {{vs::DeviceRule::Type::Char, 10, 200, VSERVER_DEVICE_ACCESS_ALL},
                  {vs::DeviceRule::Type::Block, 7, std::nullopt, VSERVER_DEVICE_OPEN},
                  {vs::DeviceRule::Type::Char, 4, 1, VSERVER_DEVICE_CREATE}};
  STRCMP_EQUAL(
      "flags: \nbcaps: \nccaps: \ndevices: c 10:200 open,create; b 7:* open; c 4:1 create\n"
      "network: no network set (the host's stack, or a network namespace of its own)\n",
      vs::vattribute::describe(info).c_str());
}

TEST_GROUP(VkillOptions){};

TEST(VkillOptions, AllOfAContextOrSomeProcesses) {
  const auto all = parseWith(vs::vkill::parseOptions, argv("vkill", "--xid", "42"));
  UNSIGNED_LONGS_EQUAL(42, *all.xid);
  LONGS_EQUAL(SIGTERM, all.signal);
  CHECK(all.pids.empty());
  const auto some = parseWith(vs::vkill::parseOptions, argv("vkill", "-s", "KILL", "10", "11"));
  CHECK_FALSE(some.xid.has_value());
  LONGS_EQUAL(SIGKILL, some.signal);
  UNSIGNED_LONGS_EQUAL(2, some.pids.size());
  const auto legacy = parseWith(vs::vkill::parseOptions, argv("vkill", "-c", "43", "-s", "9"));
  UNSIGNED_LONGS_EQUAL(43, *legacy.xid);
  LONGS_EQUAL(SIGKILL, legacy.signal);
}

TEST(VkillOptions, RefusesBadInput) {
  STRCMP_EQUAL("give --xid, process ids, or both",
               expectError([] { parseWith(vs::vkill::parseOptions, argv("vkill")); }).what());
  STRCMP_EQUAL("process id 'x' is not a number",
               expectError([] { parseWith(vs::vkill::parseOptions, argv("vkill", "x")); }).what());
  STRCMP_EQUAL("context id '1' is out of range (2..65535)",
               expectError([] {
                 parseWith(vs::vkill::parseOptions, argv("vkill", "--xid", "1"));
               }).what());
}

TEST_GROUP(VwaitOptions){};

TEST(VwaitOptions, XidAndTimeout) {
  const auto o = parseWith(vs::vwait::parseOptions, argv("vwait", "--timeout", "5", "42"));
  UNSIGNED_LONGS_EQUAL(42, o.xid);
  UNSIGNED_LONGS_EQUAL(5, *o.timeoutSeconds);
  CHECK_FALSE(parseWith(vs::vwait::parseOptions, argv("vwait", "42")).timeoutSeconds.has_value());
  STRCMP_EQUAL("give exactly one context id",
               expectError([] { parseWith(vs::vwait::parseOptions, argv("vwait")); }).what());
}

TEST_GROUP(VcontextSetupOptions){};

TEST(VcontextSetupOptions, SetupAndChroot) {
  const auto o = parseWith(vs::vcontext::parseOptions,
                           argv("vcontext", "--create", "--setup", "--chroot", "--xid", "7", "sh"));
  CHECK(o.setup);
  CHECK(o.chroot);
  STRCMP_EQUAL("--setup only goes with --create", expectError([] {
                 parseWith(vs::vcontext::parseOptions,
                           argv("vcontext", "--migrate", "--setup", "--xid", "7", "sh"));
               }).what());
}
