#include "guest/config.h"

#include <linux/capability.h>
#include <linux/vserver.h>
#include <sys/stat.h>

#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "guest/init.h"
#include "guest/paths.h"
#include "test_helpers.h"

namespace fs = std::filesystem;
using vs::guest::GuestConfig;
using vs::guest::HookPhase;

namespace {

// A configuration root in a temporary directory:
//
//   root/
//     .defaults/      defaults()
//     web/            cfgdir()
TEST_BASE(GuestConfigTree) {
  vs::test::TempDir temp;
  fs::path root = temp.path();

  void setup() override {
    fs::create_directories(cfgdir());
    fs::create_directories(defaults());
  }

  fs::path cfgdir() const { return root / "web"; }
  fs::path defaults() const { return root / ".defaults"; }

  // Writes content to cfgdir()/relative (or under base), creating directories.
  fs::path write(const fs::path& relative, const std::string& content, const fs::path& base = {})
      const {
    const fs::path file = (base.empty() ? cfgdir() : base) / relative;
    fs::create_directories(file.parent_path());
    std::ofstream(file) << content;
    return file;
  }

  fs::path writeDefault(const fs::path& relative, const std::string& content) const {
    return write(relative, content, defaults());
  }

  void link(const fs::path& relative, const fs::path& target) const {
    fs::create_directories((cfgdir() / relative).parent_path());
    fs::create_symlink(target, cfgdir() / relative);
  }

  GuestConfig read() const { return vs::guest::readGuestConfig({cfgdir(), defaults()}); }

  // Reads the configuration, which must fail; returns the message after
  // checking it is a configuration error.
  std::string readError() const {
    const vs::Error e = vs::test::expectError([this] { read(); });
    LONGS_EQUAL(0, e.errnum());
    LONGS_EQUAL(vs::kToolFailure, e.exitStatus());
    return e.what();
  }

  // The message must be "FILE[:LINE]: problem" for file under the cfgdir.
  void expectReadError(const std::string& where, const std::string& problem) const {
    STRCMP_EQUAL(((cfgdir() / where).string() + ": " + problem).c_str(), readError().c_str());
  }
};

}  // namespace

// ---- Defaults and the directory itself -----------------------------------

TEST_GROUP_BASE(GuestConfig, GuestConfigTree){};

TEST(GuestConfig, EmptyDirectoryGivesUtilVserverDefaults) {
  const GuestConfig config = read();
  STRCMP_EQUAL("web", config.name.c_str());
  CHECK_FALSE(config.xid.has_value());
  STRCMP_EQUAL("/vservers/web", config.vdir.c_str());
  STRCMP_EQUAL("/run/vservers/web", config.runFile.c_str());
  CHECK(config.bcaps.empty());
  CHECK(config.ccaps.empty());
  CHECK(config.flags.empty());
  CHECK(config.nflags.empty());
  CHECK(config.ncaps.empty());
  CHECK_FALSE(config.lback.has_value());
  CHECK_FALSE(config.uts.nodename.has_value());
  CHECK_FALSE(config.uts.domainname.has_value());
  CHECK(config.interfaces.empty());
  CHECK(config.rlimits.empty());
  CHECK(config.ulimits.empty());
  CHECK(config.init.style == vs::guest::InitStyle::Sysv);
  STRCMP_EQUAL("3", config.init.runlevelStart.c_str());
  STRCMP_EQUAL("6", config.init.runlevelStop.c_str());
  LONGS_EQUAL(2, config.init.killSequence.size());
  LONGS_EQUAL(SIGTERM, config.init.killSequence[0].signal);
  UNSIGNED_LONGS_EQUAL(5, config.init.killSequence[0].waitSeconds);
  LONGS_EQUAL(SIGKILL, config.init.killSequence[1].signal);
  UNSIGNED_LONGS_EQUAL(30, config.init.killSequence[1].waitSeconds);
  CHECK(config.init.startCommand.empty());
  CHECK(config.init.stopCommand.empty());
  CHECK(config.init.marks.empty());
  CHECK(config.init.depends.empty());
  CHECK(config.init.environment == std::vector<std::string>{"PATH=/bin:/usr/bin:/sbin:/usr/sbin"});
  CHECK(config.fstab.empty());
  CHECK(config.shell == (std::vector<std::string>{"/bin/sh", "-l"}));
  CHECK_FALSE(config.spaces.net);
  CHECK(config.devices.empty());
  LONGS_EQUAL(7, config.hooks.size());
  for (const auto& scripts : config.hooks) CHECK(scripts.empty());
  CHECK_FALSE(config.disabled);
  CHECK(config.location.cfgdir == cfgdir());
}

TEST(GuestConfig, MissingDirectoryIsUtilVserversExitFive) {
  const vs::Error e = vs::test::expectError([this] {
    vs::guest::readGuestConfig({root / "nosuch", defaults()});
  });
  STRCMP_EQUAL(("guest directory " + (root / "nosuch").string() + " does not exist").c_str(),
               e.what());
  LONGS_EQUAL(ENOENT, e.errnum());
  LONGS_EQUAL(5, e.exitStatus());
}

TEST(GuestConfig, ConfigErrorNamesFileAndLine) {
  STRCMP_EQUAL("/x/cflags:2: bad", vs::guest::ConfigError("/x/cflags", 2, "bad").what());
  STRCMP_EQUAL("/x/interfaces/0: bad", vs::guest::ConfigError("/x/interfaces/0", 0, "bad").what());
  LONGS_EQUAL(0, vs::guest::ConfigError("/x", 0, "bad").errnum());
  LONGS_EQUAL(vs::kToolFailure, vs::guest::ConfigError("/x", 0, "bad").exitStatus());
}

TEST(GuestConfig, DisabledIsAFlagFile) {
  write("disabled", "");
  CHECK(read().disabled);
}

// ---- name, context --------------------------------------------------------

TEST(GuestConfig, NameFileOverridesTheDirectoryName) {
  write("name", "web-1.example_org\n");
  STRCMP_EQUAL("web-1.example_org", read().name.c_str());
  STRCMP_EQUAL("/vservers/web-1.example_org", read().vdir.c_str());
}

TEST(GuestConfig, NameMustBeAContextName) {
  const std::string rule =
      " is not a context name (at most 64 of A-Z a-z 0-9 . _ -, not starting with . or -)";
  write("name", "web/1\n");
  expectReadError("name:1", "'web/1'" + rule);
  write("name", "-web\n");
  expectReadError("name:1", "'-web'" + rule);
  write("name", std::string(65, 'a') + "\n");
  expectReadError("name:1", "'" + std::string(65, 'a') + "'" + rule);
  write("name", std::string(64, 'a') + "\n");
  LONGS_EQUAL(64, read().name.size());
}

TEST(GuestConfig, DirectoryNameMustBeAContextNameWithoutNameFile) {
  const fs::path odd = root / "web guest";
  fs::create_directories(odd);
  const vs::Error e = vs::test::expectError([&] { vs::guest::readGuestConfig({odd, defaults()}); });
  STRCMP_CONTAINS((odd.string() + ": 'web guest' is not a context name").c_str(), e.what());
  STRCMP_CONTAINS("give the guest one in name", e.what());
}

TEST(GuestConfig, ContextIsAGuestXid) {
  write("context", "42\n");
  UNSIGNED_LONGS_EQUAL(42, read().xid.value());
  write("context", "65535\n");
  UNSIGNED_LONGS_EQUAL(VSERVER_GUEST_XID_MAX, read().xid.value());
  write("context", "1\n");
  expectReadError("context:1", "context id '1' is out of range (2..65535)");
  write("context", "65536\n");
  expectReadError("context:1", "context id '65536' is out of range (2..65535)");
  write("context", "forty\n");
  expectReadError("context:1", "context id 'forty' is not a number");
}

// ---- vdir, run ------------------------------------------------------------

TEST(GuestConfig, VdirLinkTargetRelativeToTheCfgdir) {
  link("vdir", "/srv/guests/web");
  STRCMP_EQUAL("/srv/guests/web", read().vdir.c_str());
  fs::remove(cfgdir() / "vdir");
  link("vdir", "../../roots/web");
  CHECK(read().vdir == (cfgdir() / "../../roots/web").lexically_normal());
}

TEST(GuestConfig, VdirMayBeTheDirectoryItself) {
  fs::create_directories(cfgdir() / "vdir");
  CHECK(read().vdir == cfgdir() / "vdir");
}

TEST(GuestConfig, VdirbaseFromDefaultsAsLinkDirectoryOrScalar) {
  fs::create_symlink("/srv/vservers", defaults() / "vdirbase");
  STRCMP_EQUAL("/srv/vservers/web", read().vdir.c_str());
  fs::remove(defaults() / "vdirbase");
  fs::create_directories(defaults() / "vdirbase");
  CHECK(read().vdir == defaults() / "vdirbase/web");
  fs::remove(defaults() / "vdirbase");
  writeDefault("vdirbase", "/data/guests\n");
  STRCMP_EQUAL("/data/guests/web", read().vdir.c_str());
  writeDefault("vdirbase", "data/guests\n");
  STRCMP_EQUAL(
      ((defaults() / "vdirbase").string() + ":1: 'data/guests' is not an absolute path").c_str(),
      readError().c_str());
}

TEST(GuestConfig, GuestVdirBeatsVdirbase) {
  writeDefault("vdirbase", "/data/guests\n");
  link("vdir", "/srv/web");
  STRCMP_EQUAL("/srv/web", read().vdir.c_str());
}

TEST(GuestConfig, RunLinkTargetEvenWhenDangling) {
  link("run", "/var/run/vservers/web");
  STRCMP_EQUAL("/var/run/vservers/web", read().runFile.c_str());
}

TEST(GuestConfig, StopEssentialsReadPastABrokenFile) {
  write("name", "web-1\n");
  write("bcapabilities", "CAP_FLY\n");
  write("apps/init/killseq", "TERM 60\n");
  write("scripts/pre-stop", "#!/bin/sh\n");
  link("run", "/var/run/vservers/web-1");
  const GuestConfig config = vs::guest::readStopEssentials({cfgdir(), defaults()});
  STRCMP_EQUAL("web-1", config.name.c_str());
  STRCMP_EQUAL("/var/run/vservers/web-1", config.runFile.c_str());
  CHECK_FALSE(config.xid.has_value());
  CHECK_FALSE(vs::guest::hasStopCommand(config));
  LONGS_EQUAL(2, config.init.killSequence.size());
  LONGS_EQUAL(SIGTERM, config.init.killSequence[0].signal);
  LONGS_EQUAL(SIGKILL, config.init.killSequence[1].signal);
  LONGS_EQUAL(7, config.hooks.size());
  CHECK_TRUE(config.hooksOf(vs::guest::HookPhase::PreStop).empty());
}

// ---- bcapabilities, ccapabilities, cflags, nflags ------------------------

TEST(GuestConfig, CapabilityListsSetAndClear) {
  write("bcapabilities", "# for NFS\nCAP_SYS_ADMIN\n\n~CHOWN\n!kill\n");
  const GuestConfig config = read();
  CHECK_EQUAL(1ULL << CAP_SYS_ADMIN, config.bcaps.value);
  CHECK_EQUAL((1ULL << CAP_SYS_ADMIN) | (1ULL << CAP_CHOWN) | (1ULL << CAP_KILL),
              config.bcaps.mask);
}

TEST(GuestConfig, UnknownCapabilityNamesFileAndLine) {
  write("bcapabilities", "SYS_ADMIN\n~CAP_FLY\n");
  expectReadError("bcapabilities:2", "unknown capability 'CAP_FLY'");
}

TEST(GuestConfig, ContextCapabilitiesAcceptUtilVserversSecureBase) {
  write("ccapabilities", "set_utsname\nutsname\nraw_icmp\nicmp\n~ping\nAUDIT_CONTROL\nsyslog\n");
  const GuestConfig config = read();
  CHECK_EQUAL(VSERVER_CCAP_SYSLOG, config.ccaps.value);
  CHECK_EQUAL(VSERVER_CCAP_SYSLOG, config.ccaps.mask);
  write("ccapabilities", "syslog\n\nsecure_mount\n");
  expectReadError("ccapabilities:3", "unknown context capability 'secure_mount'");
}

TEST(GuestConfig, ContextFlagsAcceptFakeinitAndNamespace) {
  write("cflags", "fakeinit\nnamespace\npersistent\n~lock\n");
  const GuestConfig config = read();
  CHECK_EQUAL(VSERVER_CF_PERSISTENT, config.flags.value);
  CHECK_EQUAL(VSERVER_CF_PERSISTENT | VSERVER_CF_LOCK, config.flags.mask);
  write("cflags", "persistent\nvirt_memory\n");
  expectReadError("cflags:2", "unknown flag 'virt_memory'");
}

TEST(GuestConfig, VirtualViewFlagsAreBits) {
  write("cflags", "virt_mem\n~virt_load\nVIRT_CPU\n");
  const GuestConfig config = read();
  CHECK_EQUAL(VSERVER_CF_VIRT_MEM | VSERVER_CF_VIRT_CPU, config.flags.value);
  CHECK_EQUAL(VSERVER_CF_VIRT_MEM | VSERVER_CF_VIRT_LOAD | VSERVER_CF_VIRT_CPU,
              config.flags.mask);
  CHECK_EQUAL(VSERVER_CF_VIRT_MEM | VSERVER_CF_VIRT_CPU,
              applyChange(vs::guest::kDefaultGuestFlags, config.flags));
}

TEST(GuestConfig, VirtUptimeIsOnUnlessCleared) {
  CHECK_TRUE(read().virtUptime);
  write("cflags", "persistent\n");
  CHECK_TRUE(read().virtUptime);
  write("cflags", "~virt_uptime\npersistent\n");
  GuestConfig config = read();
  CHECK_FALSE(config.virtUptime);
  CHECK_EQUAL(VSERVER_CF_PERSISTENT, config.flags.mask);
  write("cflags", "!VIRT_UPTIME\n");
  CHECK_FALSE(read().virtUptime);
  write("cflags", "~virt_uptime\nvirt_uptime\n");
  config = read();
  CHECK_TRUE(config.virtUptime);
  CHECK_EQUAL(0u, config.flags.mask);
}

TEST(GuestConfig, OldFlagsFileOnlyWithoutCflags) {
  write("flags", "persistent\n");
  CHECK_EQUAL(VSERVER_CF_PERSISTENT, read().flags.value);
  write("cflags", "lock\n");
  CHECK_EQUAL(VSERVER_CF_LOCK, read().flags.value);
  fs::remove(cfgdir() / "cflags");
  write("flags", "hide_mount\n");
  expectReadError("flags:1", "unknown flag 'hide_mount'");
}

TEST(GuestConfig, NetworkFlagsAreUtilVserversNames) {
  write("nflags", "single_ip\n~hide_netif\nlback_remap\nREMAP_LBACK\n");
  const GuestConfig config = read();
  CHECK_EQUAL(VSERVER_NF_SINGLE_IP, config.nflags.value);
  CHECK_EQUAL(VSERVER_NF_SINGLE_IP | VSERVER_NF_HIDE_NETIF, config.nflags.mask);
  write("nflags", "hide_netif\nhide_all\n");
  expectReadError("nflags:2", "unknown network flag 'hide_all'");
}

TEST(GuestConfig, UnsupportedNetworkFlagsAreRefusedNotIgnored) {
  for (const char* flag : {"lock", "private", "lback_allow", "hide_lback", "state_setup",
                           "state_admin", "sc_helper", "persistent"}) {
    write("nflags", std::string("hide_netif\n") + flag + "\n");
    expectReadError("nflags:2", std::string("network flag '") + flag + "' is not supported");
  }
  write("nflags", "~lback_remap\n");
  expectReadError("nflags:1",
                  "network flag 'lback_remap' cannot be cleared: loopback remapping is always on");
}

TEST(GuestConfig, NetworkCapabilities) {
  write("ncapabilities", "raw\n!raw_icmp\n");
  const vs::BitChange ncaps = read().ncaps;
  CHECK(ncaps.value == VSERVER_NCAP_RAW && ncaps.mask == VSERVER_NCAP_ALL);
  struct Refusal {
    const char* text;
    const char* where;
    const char* problem;
  };
  for (const Refusal& refusal :
       {Refusal{"raw\ntun_create\n", "ncapabilities:2",
                "network capability 'tun_create' is not supported"},
        Refusal{"ping_all\n", "ncapabilities:1", "unknown network capability 'ping_all'"}}) {
    write("ncapabilities", refusal.text);
    expectReadError(refusal.where, refusal.problem);
  }
}

TEST(GuestConfig, LoopbackAddress) {
  CHECK_FALSE(read().lback.has_value());
  write("interfaces/lback", "127.0.42.7\n");
  STRCMP_EQUAL("127.0.42.7", read().lback->str().c_str());
  write("interfaces/lback", "127.0.0.1\n");
  expectReadError("interfaces/lback:1",
                  "loopback address '127.0.0.1' may not be 127.0.0.0, 127.0.0.1 or 127.255.255.255");
  write("interfaces/lback", "10.0.0.1\n");
  expectReadError("interfaces/lback:1", "loopback address '10.0.0.1' is not in 127.0.0.0/8");
}

// ---- uts/ -----------------------------------------------------------------

TEST(GuestConfig, UtsFields) {
  write("uts/nodename", "web.example.org\n");
  write("uts/domainname", "example.org\n");
  write("uts/machine", "x86_64\n");
  const GuestConfig config = read();
  STRCMP_EQUAL("web.example.org", config.uts.nodename->c_str());
  STRCMP_EQUAL("example.org", config.uts.domainname->c_str());
  STRCMP_EQUAL("x86_64", config.uts.machine->c_str());
  CHECK_FALSE(config.uts.sysname.has_value());
  CHECK_FALSE(config.uts.release.has_value());
  CHECK_FALSE(config.uts.version.has_value());
}

TEST(GuestConfig, LegacyHostnameAndDomainnameOnlyWithoutUts) {
  write("hostname", "old-web\n");
  write("domainname", "old.example\n");
  STRCMP_EQUAL("old-web", read().uts.nodename->c_str());
  STRCMP_EQUAL("old.example", read().uts.domainname->c_str());
  write("uts/nodename", "web\n");
  write("uts/domainname", "example.org\n");
  STRCMP_EQUAL("web", read().uts.nodename->c_str());
  STRCMP_EQUAL("example.org", read().uts.domainname->c_str());
}

TEST(GuestConfig, UtsNamesAtMost64Characters) {
  write("uts/nodename", std::string(64, 'n') + "\n");
  LONGS_EQUAL(64, read().uts.nodename->size());
  write("uts/nodename", std::string(65, 'n') + "\n");
  expectReadError("uts/nodename:1", "'" + std::string(65, 'n') + "' is longer than 64 characters");
  fs::remove(cfgdir() / "uts/nodename");
  write("domainname", std::string(70, 'd') + "\n");
  expectReadError("domainname:1", "'" + std::string(70, 'd') + "' is longer than 64 characters");
}

// ---- interfaces/ ------------------------------------------------------------

TEST(GuestConfig, InterfacesInNameOrderWithDefaults) {
  write("interfaces/dev", "eth0\n");
  write("interfaces/prefix", "24\n");
  write("interfaces/01/ip", "192.0.2.11\n");
  write("interfaces/00/ip", "192.0.2.10\n");
  write("interfaces/00/name", "web\n");
  write("interfaces/00/down", "");
  write("interfaces/02/ip", "2001:db8::10\n");
  write("interfaces/02/prefix", "64\n");
  write("interfaces/02/dev", "br0\n");
  write("interfaces/03/ip", "192.0.2.99\n");
  write("interfaces/03/disabled", "");
  const auto interfaces = read().interfaces;
  LONGS_EQUAL(3, interfaces.size());
  STRCMP_EQUAL("00", interfaces[0].dirName.c_str());
  STRCMP_EQUAL("192.0.2.10", interfaces[0].ip.c_str());
  UNSIGNED_LONGS_EQUAL(24, interfaces[0].prefix);
  STRCMP_EQUAL("eth0", interfaces[0].dev.c_str());
  STRCMP_EQUAL("web", interfaces[0].label.c_str());
  CHECK(interfaces[0].down);
  CHECK_FALSE(interfaces[0].nodev);
  STRCMP_EQUAL("01", interfaces[1].dirName.c_str());
  CHECK_FALSE(interfaces[1].down);
  STRCMP_EQUAL("", interfaces[1].label.c_str());
  STRCMP_EQUAL("2001:db8::10", interfaces[2].ip.c_str());
  UNSIGNED_LONGS_EQUAL(64, interfaces[2].prefix);
  STRCMP_EQUAL("br0", interfaces[2].dev.c_str());
}

TEST(GuestConfig, InterfacePrefixFromMaskOrHostDefault) {
  write("interfaces/a/ip", "192.0.2.10\n");
  write("interfaces/a/mask", "255.255.255.128\n");
  write("interfaces/a/nodev", "");
  write("interfaces/b/ip", "192.0.2.11\n");
  write("interfaces/b/nodev", "");
  write("interfaces/c/ip", "2001:db8::1\n");
  write("interfaces/c/only_ip", "");
  const auto interfaces = read().interfaces;
  UNSIGNED_LONGS_EQUAL(25, interfaces[0].prefix);
  UNSIGNED_LONGS_EQUAL(32, interfaces[1].prefix);
  UNSIGNED_LONGS_EQUAL(128, interfaces[2].prefix);
  CHECK(interfaces[2].nodev);
  STRCMP_EQUAL("", interfaces[2].dev.c_str());
}

TEST(GuestConfig, InterfaceOwnSettingsBeatTheDefaults) {
  write("interfaces/mask", "255.255.0.0\n");
  write("interfaces/dev", "eth0\n");
  write("interfaces/a/ip", "192.0.2.10\n");
  write("interfaces/a/mask", "255.255.255.0\n");
  write("interfaces/a/dev", "eth1\n");
  write("interfaces/b/ip", "192.0.2.11\n");
  // An IPv6 address passes over the IPv4 netmask of the defaults.
  write("interfaces/c/ip", "2001:db8::1\n");
  const auto interfaces = read().interfaces;
  UNSIGNED_LONGS_EQUAL(24, interfaces[0].prefix);
  STRCMP_EQUAL("eth1", interfaces[0].dev.c_str());
  UNSIGNED_LONGS_EQUAL(16, interfaces[1].prefix);
  STRCMP_EQUAL("eth0", interfaces[1].dev.c_str());
  UNSIGNED_LONGS_EQUAL(128, interfaces[2].prefix);
}

// Own-namespace mode (issue 10): spaces/net or an interface of type veth.
TEST(GuestConfig, AVethInterfaceAsksForOwnNamespace) {
  write("interfaces/0/ip", "10.1.0.2\n");
  write("interfaces/0/type", "veth\n");
  write("interfaces/1/ip", "2001:db8::2\n");
  write("interfaces/1/prefix", "64\n");
  const GuestConfig config = read();
  CHECK(config.spaces.net);
  LONGS_EQUAL(2, config.interfaces.size());
  // No dev: routed, nothing of the host's named.
  STRCMP_EQUAL("", config.interfaces[0].dev.c_str());
  STRCMP_EQUAL("", config.interfaces[1].dev.c_str());
  UNSIGNED_LONGS_EQUAL(64, config.interfaces[1].prefix);
  write("interfaces/0/type", "macvlan\n");
  expectReadError("interfaces/0/type:1", "unknown interface type 'macvlan' (veth is the only one)");
}

TEST(GuestConfig, OwnNamespaceWithABridgeAndGateways) {
  write("spaces/net", "");
  write("interfaces/dev", "br0\n");
  write("interfaces/0/ip", "10.1.0.2\n");
  write("interfaces/0/prefix", "24\n");
  write("interfaces/0/gateway", "10.1.0.1\n");
  const GuestConfig config = read();
  STRCMP_EQUAL("br0", config.interfaces[0].dev.c_str());
  STRCMP_EQUAL("10.1.0.1", config.interfaces[0].gateway.c_str());
  write("interfaces/0/gateway", "2001:db8::1\n");
  expectReadError("interfaces/0/gateway:1", "'2001:db8::1' is not of the family of 10.1.0.2");
  write("interfaces/0/gateway", "gw\n");
  expectReadError("interfaces/0/gateway:1", "'gw' is not an IPv4 or IPv6 address");
  fs::remove(cfgdir() / "interfaces/dev");
  write("interfaces/0/gateway", "10.1.0.1\n");
  expectReadError("interfaces/0/gateway",
                  "needs a dev: the bridge the guest's veth joins (a routed veth's router is its "
                  "host end)");
}

TEST(GuestConfig, OwnNamespaceRefusesSharedStackSettings) {
  write("spaces/net", "");
  write("interfaces/0/ip", "10.1.0.2\n");
  for (const char* file : {"nodev", "only_ip", "shared"}) {
    write(std::string("interfaces/0/") + file, "");
    expectReadError(std::string("interfaces/0/") + file,
                    "has no meaning for a guest with its own network namespace (spaces/net)");
    fs::remove(cfgdir() / (std::string("interfaces/0/") + file));
  }
  const std::pair<const char*, const char*> settings[] = {
      {"nflags", "hide_netif\n"}, {"ncapabilities", "raw_icmp\n"}, {"interfaces/lback", "127.0.9.9\n"}};
  for (const auto& [file, content] : settings) {
    write(file, content);
    expectReadError(file,
                    "applies to the shared network stack only; this guest has its own network "
                    "namespace (spaces/net or an interface of type veth)");
    fs::remove(cfgdir() / file);
  }
  CHECK(read().spaces.net);
}

TEST(GuestConfig, AGatewayNeedsOwnNamespace) {
  write("interfaces/0/ip", "10.1.0.2\n");
  write("interfaces/0/dev", "eth0\n");
  write("interfaces/0/gateway", "10.1.0.1\n");
  expectReadError("interfaces/0/gateway",
                  "only a guest with its own network namespace (spaces/net) has a gateway");
}

TEST(GuestConfig, InterfaceNeedsAnIp) {
  write("interfaces/00/dev", "eth0\n");
  expectReadError("interfaces/00", "needs an ip");
}

TEST(GuestConfig, InterfaceIpMustBeAnAddress) {
  write("interfaces/00/ip", "192.0.2.300\n");
  write("interfaces/00/dev", "eth0\n");
  expectReadError("interfaces/00/ip:1", "'192.0.2.300' is not an IPv4 or IPv6 address");
}

TEST(GuestConfig, InterfaceNeedsADevOrNodev) {
  write("interfaces/00/ip", "192.0.2.10\n");
  expectReadError("interfaces/00", "needs a dev (or nodev)");
}

TEST(GuestConfig, InterfaceDevMustBeADeviceName) {
  write("interfaces/00/ip", "192.0.2.10\n");
  for (const std::string dev : {"eth/0", "eth 0", "eth0:1", "..", "sixteen-chars-xx"}) {
    write("interfaces/00/dev", dev + "\n");
    expectReadError("interfaces/00/dev:1", "'" + dev + "' is not a network device name");
  }
  fs::remove(cfgdir() / "interfaces/00/dev");
  write("interfaces/dev", "\n");
  expectReadError("interfaces/dev:1", "'' is not a network device name");
  write("interfaces/dev", "fifteen-chars-x\n");
  STRCMP_EQUAL("fifteen-chars-x", read().interfaces.at(0).dev.c_str());
}

TEST(GuestConfig, InterfacePrefixInRangeOfItsFamily) {
  write("interfaces/00/ip", "192.0.2.10\n");
  write("interfaces/00/nodev", "");
  write("interfaces/00/prefix", "33\n");
  expectReadError("interfaces/00/prefix:1", "prefix '33' is out of range (0..32)");
  write("interfaces/00/ip", "2001:db8::1\n");
  write("interfaces/00/prefix", "129\n");
  expectReadError("interfaces/00/prefix:1", "prefix '129' is out of range (0..128)");
  write("interfaces/00/prefix", "128\n");
  UNSIGNED_LONGS_EQUAL(128, read().interfaces.at(0).prefix);
}

TEST(GuestConfig, InterfaceMaskMustBeContiguous) {
  write("interfaces/00/ip", "192.0.2.10\n");
  write("interfaces/00/nodev", "");
  write("interfaces/00/mask", "255.0.255.0\n");
  expectReadError("interfaces/00/mask:1", "netmask '255.0.255.0' has gaps between its ones");
  write("interfaces/00/mask", "255.255.255\n");
  expectReadError("interfaces/00/mask:1", "'255.255.255' is not an IPv4 netmask");
  write("interfaces/00/mask", "0.0.0.0\n");
  UNSIGNED_LONGS_EQUAL(0, read().interfaces.at(0).prefix);
  write("interfaces/00/mask", "255.255.255.255\n");
  UNSIGNED_LONGS_EQUAL(32, read().interfaces.at(0).prefix);
}

// ---- rlimits/ ---------------------------------------------------------------

TEST(GuestConfig, RlimitSetsAllThreeAndSuffixedFilesOverride) {
  write("rlimits/nproc", "100\n");
  write("rlimits/nproc.hard", "200\n");
  write("rlimits/rss.soft", "1K\n");
  write("rlimits/as", "inf\n");
  const auto limits = read().rlimits;
  LONGS_EQUAL(3, limits.size());
  // In util-vserver's resource order: rss, nproc, as.
  STRCMP_EQUAL("rss", limits[0].resource.c_str());
  CHECK_FALSE(limits[0].min.has_value());
  CHECK_EQUAL(1024, limits[0].soft.value());
  CHECK_FALSE(limits[0].hard.has_value());
  STRCMP_EQUAL("nproc", limits[1].resource.c_str());
  CHECK_EQUAL(100, limits[1].min.value());
  CHECK_EQUAL(100, limits[1].soft.value());
  CHECK_EQUAL(200, limits[1].hard.value());
  STRCMP_EQUAL("as", limits[2].resource.c_str());
  CHECK_EQUAL(vs::kUnlimited, limits[2].min.value());
  CHECK_EQUAL(vs::kUnlimited, limits[2].hard.value());
}

// util-vserver has no swap file; ours is read as its resources are.
TEST(GuestConfig, RlimitSwapIsReadAfterUtilVserversResources) {
  write("rlimits/swap", "4K\n");
  write("rlimits/swap.hard", "8K\n");
  write("rlimits/rss", "16K\n");
  const auto limits = read().rlimits;
  LONGS_EQUAL(2, limits.size());
  STRCMP_EQUAL("rss", limits[0].resource.c_str());
  STRCMP_EQUAL("swap", limits[1].resource.c_str());
  CHECK_EQUAL(4096, limits[1].min.value());
  CHECK_EQUAL(4096, limits[1].soft.value());
  CHECK_EQUAL(8192, limits[1].hard.value());
  write("rlimits/swaps", "1\n");
  expectReadError("rlimits/swaps", "unknown resource limit 'swaps'");
}

TEST(GuestConfig, RlimitValuesInCNotationWithUnits) {
  const std::pair<const char*, uint64_t> cases[] = {
      {"0", 0},           {"42", 42},          {"0x10", 16},
      {"010", 8},         {"2K", 2048},        {"3M", 3ULL << 20},
      {"1G", 1ULL << 30}, {"2k", 2000},        {"3m", 3000000},
      {"1g", 1000000000}, {"0x10K", 16 << 10}, {"18446744073709551614", UINT64_MAX - 1}};
  for (const auto& [text, value] : cases) {
    write("rlimits/nofile", std::string(text) + "\n");
    CHECK_EQUAL(value, read().rlimits.at(0).hard.value());
  }
}

TEST(GuestConfig, RlimitRefusesWhatIsNotALimit) {
  for (const char* text : {"", "lots", "10T", "10KB", "-1", "08", "0x", "Inf", "1 K"}) {
    write("rlimits/nofile", std::string(text) + "\n");
    expectReadError("rlimits/nofile:1",
                    "'" + std::string(text) + "' is not a limit (NUMBER[K|M|G|k|m|g] or inf)");
  }
}

TEST(GuestConfig, RlimitRefusesOverflow) {
  write("rlimits/as.hard", "18446744073709551616\n");
  expectReadError("rlimits/as.hard:1", "'18446744073709551616' is too large");
  write("rlimits/as.hard", "18014398509481984K\n");
  expectReadError("rlimits/as.hard:1", "'18014398509481984K' is too large");
}

// ---- ulimits/ ---------------------------------------------------------------

TEST(GuestConfig, UlimitSetsSoftAndHardAndSuffixedFilesOverride) {
  write("ulimits/nofile", "64\n");
  write("ulimits/core.soft", "0\n");
  write("ulimits/core.hard", "inf\n");
  write("ulimits/fsize", "1M\n");
  write("ulimits/stack", "8M\n");
  write("ulimits/stack.soft", "1M\n");
  write("ulimits/nproc.soft", "100\n");
  const auto limits = read().ulimits;
  LONGS_EQUAL(5, limits.size());
  // In exec-ulimit's order: core, fsize, nofile, nproc, stack.
  STRCMP_EQUAL("core", limits[0].resource.c_str());
  LONGS_EQUAL(RLIMIT_CORE, limits[0].rlimit);
  CHECK_EQUAL(0, limits[0].soft.value());
  CHECK_EQUAL(RLIM_INFINITY, limits[0].hard.value());
  STRCMP_EQUAL("fsize", limits[1].resource.c_str());
  LONGS_EQUAL(RLIMIT_FSIZE, limits[1].rlimit);
  CHECK_EQUAL(1 << 20, limits[1].soft.value());
  CHECK_EQUAL(1 << 20, limits[1].hard.value());
  STRCMP_EQUAL("nofile", limits[2].resource.c_str());
  LONGS_EQUAL(RLIMIT_NOFILE, limits[2].rlimit);
  CHECK_EQUAL(64, limits[2].soft.value());
  CHECK_EQUAL(64, limits[2].hard.value());
  // A soft value alone keeps the inherited hard one.
  STRCMP_EQUAL("nproc", limits[3].resource.c_str());
  LONGS_EQUAL(RLIMIT_NPROC, limits[3].rlimit);
  CHECK_EQUAL(100, limits[3].soft.value());
  CHECK_FALSE(limits[3].hard.has_value());
  STRCMP_EQUAL("stack", limits[4].resource.c_str());
  CHECK_EQUAL(1 << 20, limits[4].soft.value());
  CHECK_EQUAL(8 << 20, limits[4].hard.value());
}

// As exec-ulimit read them: C notation, K and M, k and m; and G and g,
// as rlimits/ takes.
TEST(GuestConfig, UlimitValuesAsInRlimits) {
  const std::pair<const char*, rlim_t> cases[] = {{"0x10", 16},    {"010", 8},
                                                  {"2K", 2048},    {"3m", 3000000},
                                                  {"1G", 1 << 30}, {"inf", RLIM_INFINITY}};
  for (const auto& [text, value] : cases) {
    write("ulimits/data", std::string(text) + "\n");
    CHECK_EQUAL(value, read().ulimits.at(0).hard.value());
  }
  write("ulimits/data", "lots\n");
  expectReadError("ulimits/data:1", "'lots' is not a limit (NUMBER[K|M|G|k|m|g] or inf)");
  write("ulimits/data", "-1\n");
  expectReadError("ulimits/data:1", "'-1' is not a limit (NUMBER[K|M|G|k|m|g] or inf)");
}

// The soft value of RES is lowered to RES.hard, as exec-ulimit did.
TEST(GuestConfig, UlimitSoftFromTheSharedFileIsClippedToTheHardOne) {
  write("ulimits/nofile", "4096\n");
  write("ulimits/nofile.hard", "1024\n");
  const auto limit = read().ulimits.at(0);
  CHECK_EQUAL(1024, limit.soft.value());
  CHECK_EQUAL(1024, limit.hard.value());
}

TEST(GuestConfig, UlimitRefusesAnExplicitSoftAboveTheHard) {
  write("ulimits/nofile.soft", "4096\n");
  write("ulimits/nofile.hard", "1024\n");
  expectReadError("ulimits/nofile.soft",
                  "soft limit 4096 is above the hard limit 1024 (nofile.hard)");
  fs::remove(cfgdir() / "ulimits/nofile.hard");
  write("ulimits/nofile", "1K\n");
  write("ulimits/nofile.soft", "inf\n");
  expectReadError("ulimits/nofile.soft", "soft limit inf is above the hard limit 1024 (nofile)");
}

TEST(GuestConfig, UlimitRefusesUnknownFilesButNotBackups) {
  write("ulimits/nofile~", "junk\n");
  write("ulimits/.nofile.swp", "junk\n");
  CHECK(read().ulimits.empty());
  // rlimits/ has as, ulimits/ does not; nor has it a minimum.
  write("ulimits/as", "10\n");
  expectReadError("ulimits/as", "unknown resource limit 'as'");
  fs::remove(cfgdir() / "ulimits/as");
  write("ulimits/nofile.min", "10\n");
  expectReadError("ulimits/nofile.min", "unknown resource limit 'nofile.min'");
}

// ---- dlimits/ ---------------------------------------------------------------

namespace {

// Writes a complete dlimits/<entry>/ on the temporary tree itself, which
// surely exists.
struct DiskLimitTree : GuestConfigTree {
  void writeEntry(const std::string& entry) const {
    write("dlimits/" + entry + "/directory", root.string() + "\n");
    write("dlimits/" + entry + "/space_total", "65536\n");
    write("dlimits/" + entry + "/inodes_total", "1000\n");
  }
};

}  // namespace

TEST_GROUP_BASE(GuestDiskLimits, DiskLimitTree){};

TEST(GuestDiskLimits, NoneWithoutTheDirectory) { CHECK(read().diskLimits.empty()); }

TEST(GuestDiskLimits, AnEntryInNameOrderDisabledOnesLeftOut) {
  writeEntry("1");
  writeEntry("0");
  write("dlimits/0/reserved", "5\n");
  write("dlimits/0/directory", root.string() + "/\n");
  // Disabled, it is not read at all: its missing files are no error.
  write("dlimits/2/disabled", "");
  write("dlimits/.hidden/space_total", "junk\n");
  const auto limits = read().diskLimits;
  LONGS_EQUAL(2, limits.size());
  STRCMP_EQUAL("0", limits[0].entry.c_str());
  STRCMP_EQUAL(root.c_str(), limits[0].directory.c_str());
  UNSIGNED_LONGS_EQUAL(65536, limits[0].spaceKiB);
  UNSIGNED_LONGS_EQUAL(1000, limits[0].inodes);
  UNSIGNED_LONGS_EQUAL(5, limits[0].reserved);
  STRCMP_EQUAL("1", limits[1].entry.c_str());
  UNSIGNED_LONGS_EQUAL(0, limits[1].reserved);
}

TEST(GuestDiskLimits, EachRequiredFileIsNamedWhenMissing) {
  const std::pair<const char*, const char*> cases[] = {
      {"directory", "needs directory (the directory the limit is on)"},
      {"space_total", "needs space_total (the limit in 1 KiB blocks)"},
      {"inodes_total", "needs inodes_total (the limit of inodes)"}};
  for (const auto& [file, problem] : cases) {
    writeEntry("0");
    fs::remove(cfgdir() / "dlimits/0" / file);
    expectReadError("dlimits/0", problem);
  }
}

TEST(GuestDiskLimits, RefusesBadNumbers) {
  writeEntry("0");
  write("dlimits/0/space_total", "64M\n");
  expectReadError("dlimits/0/space_total:1", "space_total '64M' is not a number");
  write("dlimits/0/space_total", "0\n");
  expectReadError("dlimits/0/space_total:1",
                  "space_total '0' is out of range (1..9007199254740991)");
  writeEntry("0");
  write("dlimits/0/inodes_total", "-1\n");
  expectReadError("dlimits/0/inodes_total:1", "inodes_total '-1' is not a number");
  write("dlimits/0/inodes_total", "9223372036854775808\n");
  expectReadError("dlimits/0/inodes_total:1",
                  "inodes_total '9223372036854775808' is out of range (1..9223372036854775807)");
  writeEntry("0");
  write("dlimits/0/reserved", "101\n");
  expectReadError("dlimits/0/reserved:1", "reserved '101' is out of range (0..100)");
}

// Whether it is there is asked at start: the configuration of a guest
// whose filesystem is not mounted still reads, for status and stop.
TEST(GuestDiskLimits, TheDirectoryIsAnAbsolutePath) {
  writeEntry("0");
  write("dlimits/0/directory", "vservers/web\n");
  expectReadError("dlimits/0/directory:1", "'vservers/web' is not an absolute path");
  write("dlimits/0/directory", (root / "missing").string() + "\n");
  CHECK(read().diskLimits.at(0).directory == root / "missing");
}

TEST(GuestConfig, RlimitRefusesUnknownFilesButNotBackups) {
  write("rlimits/nproc~", "junk\n");
  write("rlimits/.nproc.swp", "junk\n");
  CHECK(read().rlimits.empty());
  write("rlimits/nprocs", "10\n");
  expectReadError("rlimits/nprocs", "unknown resource limit 'nprocs'");
  fs::remove(cfgdir() / "rlimits/nprocs");
  write("rlimits/nproc.max", "10\n");
  expectReadError("rlimits/nproc.max", "unknown resource limit 'nproc.max'");
}

// ---- sched/, cpuset/, nice (issue 11) ---------------------------------------

TEST(GuestConfig, CpuSettingsAbsentByDefault) {
  const GuestConfig config = read();
  CHECK_FALSE(config.sched.fillRate.has_value());
  CHECK_FALSE(config.sched.interval.has_value());
  CHECK_FALSE(config.sched.priorityBias.has_value());
  CHECK_FALSE(config.cpuset.cpus.has_value());
  CHECK_FALSE(config.cpuset.mems.has_value());
  CHECK_FALSE(config.nice.has_value());
}

TEST(GuestConfig, SchedReadsRateAndBias) {
  write("sched/fill-rate", "1\n");
  write("sched/interval", "4\n");
  write("sched/priority-bias", "-5\n");
  write("sched/tokens-max", "500\n");  // not read, not an error: named at start
  write("sched/interval2", "8\n");
  const GuestConfig config = read();
  CHECK_EQUAL(1, config.sched.fillRate.value());
  CHECK_EQUAL(4, config.sched.interval.value());
  LONGS_EQUAL(-5, config.sched.priorityBias.value());
  CHECK(config.sched.bucketFiles == std::vector<std::string>({"tokens-max", "interval2"}));
}

TEST(GuestConfig, SchedRateNeedsBothFiles) {
  write("sched/fill-rate", "1\n");
  expectReadError("sched/fill-rate", "needs sched/interval too");
  fs::remove(cfgdir() / "sched/fill-rate");
  write("sched/interval", "4\n");
  expectReadError("sched/interval", "needs sched/fill-rate too");
}

TEST(GuestConfig, SchedRefusesBadValues) {
  write("sched/interval", "4\n");
  for (const char* text : {"0", "-1", "x", "1.5", ""}) {
    write("sched/fill-rate", std::string(text) + "\n");
    expectReadError("sched/fill-rate:1", "'" + std::string(text) + "' is not a positive whole number");
  }
  write("sched/fill-rate", "1\n");
  write("sched/priority-bias", "20\n");
  expectReadError("sched/priority-bias:1", "'20' is out of range (-20..19)");
  write("sched/priority-bias", "-21\n");
  expectReadError("sched/priority-bias:1", "'-21' is out of range (-20..19)");
  write("sched/priority-bias", "+1\n");
  expectReadError("sched/priority-bias:1", "'+1' is not a number");
}

TEST(GuestConfig, CpusetReadsListsAndChecksTheirForm) {
  write("cpuset/cpus", "0-2,4\n");
  write("cpuset/mems", "0\n");
  write("cpuset/name", "web\n");  // util-vserver's v1 group name: not read
  GuestConfig config = read();
  STRCMP_EQUAL("0-2,4", config.cpuset.cpus.value().c_str());
  STRCMP_EQUAL("0", config.cpuset.mems.value().c_str());
  for (const char* text : {"", "a", "1-", "-1", "3-1", "1,,2", "1,", "0 1"}) {
    write("cpuset/cpus", std::string(text) + "\n");
    expectReadError("cpuset/cpus:1", "'" + std::string(text) + "' is not a list like 0-2,4");
  }
}

TEST(GuestConfig, NiceInItsRange) {
  write("nice", "10\n");
  LONGS_EQUAL(10, read().nice.value());
  write("nice", "-20\n");
  LONGS_EQUAL(-20, read().nice.value());
  write("nice", "20\n");
  expectReadError("nice:1", "'20' is out of range (-20..19)");
}

// ---- cgroup/ (issue 11) -----------------------------------------------------

namespace {

// "DEVICE|SETTINGS@LINE" per line, one string, for whole-list checks.
std::string describe(const std::vector<vs::guest::IoLine>& lines) {
  std::string text;
  for (const vs::guest::IoLine& line : lines)
    text += line.device + "|" + line.settings + "@" + std::to_string(line.line) + "\n";
  return text;
}

}  // namespace

TEST(GuestConfig, CgroupIoMaxLinesWithSuffixesMadePlain) {
  write("cgroup/io.max",
        "# the data disk\n"
        "\n"
        "8:16 rbps=1M wbps=262144\n"
        "/dev/vda riops=max wiops=100 \n"
        "  253:0   wbps=10m\triops=2\n");
  // The form only: /dev/vda need not exist until the guest starts.
  STRCMP_EQUAL(
      "8:16|rbps=1048576 wbps=262144@3\n"
      "/dev/vda|riops=max wiops=100@4\n"
      "253:0|wbps=10000000 riops=2@5\n",
      describe(read().cgroup.ioMax).c_str());
  CHECK(read().cgroup.ioWeight.empty());
}

TEST(GuestConfig, CgroupIoMaxRefusals) {
  const std::pair<const char*, const char*> cases[] = {
      {"8:16", "expected DEVICE rbps=N wbps=N riops=N wiops=N (any of them)"},
      {"8:16 wbsp=1M", "unknown key 'wbsp' (rbps, wbps, riops, wiops)"},
      {"8:16 wbps", "'wbps' is not KEY=N (rbps, wbps, riops, wiops)"},
      {"8:16 wbps=", "wbps '' is neither max nor a number (262144, 256K, 10M)"},
      {"8:16 wbps=fast", "wbps 'fast' is neither max nor a number (262144, 256K, 10M)"},
      {"8:16 wbps=1T", "wbps '1T' is neither max nor a number (262144, 256K, 10M)"},
      {"8:16 wbps=-1", "wbps '-1' is neither max nor a number (262144, 256K, 10M)"},
      {"8:16 wbps=0x10", "wbps '0x10' is neither max nor a number (262144, 256K, 10M)"},
      {"8:16 wbps=1.5M", "wbps '1.5M' is neither max nor a number (262144, 256K, 10M)"},
      {"8:16 wbps=18446744073709551616", "wbps '18446744073709551616' is too large"},
      {"8:16 rbps=17179869184G", "rbps '17179869184G' is too large"},
      {"8:16 wbps=0", "wbps '0' is below 2, the least io.max takes"},
      {"8:16 riops=1", "riops '1' is below 2, the least io.max takes"},
      {"sda wbps=1M",
       "'sda' is not a device: MAJ:MIN (8:0) or the absolute path of a block device node "
       "(/dev/sda)"},
      {"8:x wbps=1M",
       "'8:x' is not a device: MAJ:MIN (8:0) or the absolute path of a block device node "
       "(/dev/sda)"},
      {"dev/sda wbps=1M",
       "'dev/sda' is not a device: MAJ:MIN (8:0) or the absolute path of a block device node "
       "(/dev/sda)"}};
  for (const auto& [line, problem] : cases) {
    write("cgroup/io.max", "# a comment\n" + std::string(line) + "\n");
    expectReadError("cgroup/io.max:2", problem);
  }
}

TEST(GuestConfig, CgroupIoWeightLines) {
  write("cgroup/io.weight", "default 50\n# comment\n100\n8:0 200\n/dev/vdb 10000\n");
  STRCMP_EQUAL(
      "|50@1\n"
      "|100@3\n"
      "8:0|200@4\n"
      "/dev/vdb|10000@5\n",
      describe(read().cgroup.ioWeight).c_str());
}

TEST(GuestConfig, CgroupIoWeightRefusals) {
  const std::pair<const char*, const char*> cases[] = {
      {"0", "weight '0' is out of range (1..10000)"},
      {"default 10001", "weight '10001' is out of range (1..10000)"},
      {"8:0 fast", "weight 'fast' is not a number"},
      {"default", "weight 'default' is not a number"},
      {"8:0 50 60", "expected 'default N', 'N' or 'DEVICE N' (N 1..10000)"},
      {"sda 50",
       "'sda' is not a device: MAJ:MIN (8:0) or the absolute path of a block device node "
       "(/dev/sda)"}};
  for (const auto& [line, problem] : cases) {
    write("cgroup/io.weight", std::string(line) + "\n");
    expectReadError("cgroup/io.weight:1", problem);
  }
}

// util-vserver wrote any file of cgroup/ into the group; here the other
// controllers' limits have files of their own, and an unknown name is
// refused rather than left unapplied.
TEST(GuestConfig, CgroupRefusesOtherFilesNamingWhereTheyAreSet) {
  const std::pair<const char*, const char*> cases[] = {
      {"memory.max", "not read here: memory limits are set in rlimits/ (rss, as, anon, swap)"},
      {"memory.limit_in_bytes",
       "not read here: memory limits are set in rlimits/ (rss, as, anon, swap)"},
      {"memory.swap.max",
       "not read here: memory limits are set in rlimits/ (rss, as, anon, swap)"},
      {"pids.max", "not read here: the task limit is set in rlimits/nproc"},
      {"cpu.shares",
       "not read here: CPU limits are set in sched/ (fill-rate, interval, priority-bias)"},
      {"cpuset.cpus", "not read here: CPUs and memory nodes are set in cpuset/ (cpus, mems)"},
      {"io.latency", "unknown setting; cgroup/ takes io.weight and io.max"},
      {"blkio.weight", "unknown setting; cgroup/ takes io.weight and io.max"}};
  for (const auto& [file, problem] : cases) {
    const fs::path path = write("cgroup/" + std::string(file), "1\n");
    expectReadError("cgroup/" + std::string(file), problem);
    fs::remove(path);
  }
}

TEST(GuestConfig, CgroupNameIsNotedAndBackupsSkipped) {
  write("cgroup/io.max~", "junk\n");
  write("cgroup/.io.weight.swp", "junk\n");
  CHECK_FALSE(read().cgroup.name);
  write("cgroup/name", "web\n");
  const GuestConfig config = read();
  CHECK(config.cgroup.name);
  CHECK(config.cgroup.ioMax.empty());
  CHECK(config.cgroup.ioWeight.empty());
}

// ---- apps/init/ -------------------------------------------------------------

TEST(GuestConfig, InitStyles) {
  write("apps/init/style", "plain\n");
  CHECK(read().init.style == vs::guest::InitStyle::Plain);
  write("apps/init/style", "rescue\n");
  CHECK(read().init.style == vs::guest::InitStyle::Rescue);
  write("apps/init/style", "sysv\n");
  CHECK(read().init.style == vs::guest::InitStyle::Sysv);
  for (const std::string style : {"minit", "gentoo", "openrc", "arch"}) {
    write("apps/init/style", style + "\n");
    expectReadError("apps/init/style:1",
                    "style '" + style + "' is not supported (sysv, plain, rescue)");
  }
  write("apps/init/style", "systemd\n");
  expectReadError("apps/init/style:1", "unknown style 'systemd' (sysv, plain, rescue)");
}

TEST(GuestConfig, Runlevels) {
  write("apps/init/runlevel", "2\n");
  STRCMP_EQUAL("2", read().init.runlevelStart.c_str());
  write("apps/init/runlevel.start", "5\n");
  write("apps/init/runlevel.stop", "0\n");
  STRCMP_EQUAL("5", read().init.runlevelStart.c_str());
  STRCMP_EQUAL("0", read().init.runlevelStop.c_str());
}

TEST(GuestConfig, RestartTimeout) {
  UNSIGNED_LONGS_EQUAL(60, read().init.unwatchedStartSeconds);
  write("apps/init/restart-timeout", "30\n");
  UNSIGNED_LONGS_EQUAL(30, read().init.unwatchedStartSeconds);
  write("apps/init/restart-timeout", "0\n");
  expectReadError("apps/init/restart-timeout:1", "restart-timeout '0' is out of range (1..86400)");
  write("apps/init/restart-timeout", "soon\n");
  expectReadError("apps/init/restart-timeout:1", "restart-timeout 'soon' is not a number");
}

TEST(GuestConfig, KillSequenceAlternatesSignalsAndWaits) {
  write("apps/init/killseq", "SIGTERM 10 INT 3 KILL\n");
  auto steps = read().init.killSequence;
  LONGS_EQUAL(3, steps.size());
  LONGS_EQUAL(SIGTERM, steps[0].signal);
  UNSIGNED_LONGS_EQUAL(10, steps[0].waitSeconds);
  LONGS_EQUAL(SIGINT, steps[1].signal);
  UNSIGNED_LONGS_EQUAL(3, steps[1].waitSeconds);
  LONGS_EQUAL(SIGKILL, steps[2].signal);
  UNSIGNED_LONGS_EQUAL(30, steps[2].waitSeconds);

  write("apps/init/killseq", "PWR 20\n");
  steps = read().init.killSequence;
  LONGS_EQUAL(1, steps.size());
  LONGS_EQUAL(SIGPWR, steps[0].signal);
  UNSIGNED_LONGS_EQUAL(20, steps[0].waitSeconds);

  write("apps/init/killseq", "15 5 9\n");
  steps = read().init.killSequence;
  LONGS_EQUAL(2, steps.size());
  LONGS_EQUAL(SIGKILL, steps[1].signal);
  UNSIGNED_LONGS_EQUAL(30, steps[1].waitSeconds);

  write("apps/init/killseq", "TERM 2 KILL 7\n");
  steps = read().init.killSequence;
  UNSIGNED_LONGS_EQUAL(7, steps[1].waitSeconds);
}

TEST(GuestConfig, KillSequenceErrors) {
  write("apps/init/killseq", "TERM soon KILL\n");
  expectReadError("apps/init/killseq:1", "wait 'soon' is not a number");
  write("apps/init/killseq", "TERM 5 STOPNOW\n");
  expectReadError("apps/init/killseq:1", "unknown signal 'STOPNOW'");
  write("apps/init/killseq", "\n");
  expectReadError("apps/init/killseq:1", "expected SIGNAL [WAIT SIGNAL]...");
}

TEST(GuestConfig, CommandsAreOneArgumentPerLine) {
  write("apps/init/cmd.start", "/sbin/init\n\n--with space\n\n");
  write("apps/init/cmd.stop", "/bin/kill");
  const auto init = read().init;
  CHECK(init.startCommand == (std::vector<std::string>{"/sbin/init", "", "--with space"}));
  CHECK(init.stopCommand == std::vector<std::string>{"/bin/kill"});
}

TEST(GuestConfig, EmptyCommandIsAnError) {
  write("apps/init/cmd.stop", "");
  expectReadError("apps/init/cmd.stop", "empty; expected the command, one argument per line");
  write("apps/init/cmd.stop", "\n");
  expectReadError("apps/init/cmd.stop", "empty; expected the command, one argument per line");
}

TEST(GuestConfig, MarksAndDepends) {
  write("apps/init/mark", "default\n# boot late\nlate\n");
  write("apps/init/depends", "db\n\ncache\n");
  const auto init = read().init;
  CHECK(init.marks == (std::vector<std::string>{"default", "late"}));
  CHECK(init.depends == (std::vector<std::string>{"db", "cache"}));
  write("apps/init/depends", "db\n.defaults\n");
  expectReadError("apps/init/depends:2", "guest name '.defaults' starts with '.'");
  write("apps/init/depends", "db/x\n");
  expectReadError("apps/init/depends:1", "guest name 'db/x' contains '/'");
}

TEST(GuestConfig, EnvironmentFromGuestElseDefaults) {
  writeDefault("apps/init/environment", "PATH=/usr/bin\nLANG=C\n");
  CHECK(read().init.environment == (std::vector<std::string>{"PATH=/usr/bin", "LANG=C"}));
  write("apps/init/environment", "# only\nTZ=UTC\n");
  CHECK(read().init.environment == std::vector<std::string>{"TZ=UTC"});
  write("apps/init/environment", "TZ=UTC\nLANG\n");
  expectReadError("apps/init/environment:2", "expected VAR=VALUE");
  write("apps/init/environment", "=x\n");
  expectReadError("apps/init/environment:1", "expected VAR=VALUE");
}

TEST(GuestConfig, BadDefaultEnvironmentNamesTheDefaultsFile) {
  writeDefault("apps/init/environment", "PATH\n");
  STRCMP_EQUAL(((defaults() / "apps/init/environment").string() + ":1: expected VAR=VALUE").c_str(),
               readError().c_str());
}

// ---- fstab, shell, spaces/ --------------------------------------------------

TEST(GuestConfig, FstabEntries) {
  write("fstab",
        "# guest mounts\n"
        "none\t/proc\tproc\tdefaults\t0 0\n"
        "\n"
        "none /tmp tmpfs size=16m,mode=1777 0 0\n"
        "/srv/data /srv/data none bind\n");
  const auto fstab = read().fstab;
  LONGS_EQUAL(3, fstab.size());
  STRCMP_EQUAL("none", fstab[0].source.c_str());
  STRCMP_EQUAL("/proc", fstab[0].target.c_str());
  STRCMP_EQUAL("proc", fstab[0].type.c_str());
  STRCMP_EQUAL("defaults", fstab[0].options.c_str());
  LONGS_EQUAL(2, fstab[0].line);
  STRCMP_EQUAL("size=16m,mode=1777", fstab[1].options.c_str());
  LONGS_EQUAL(4, fstab[1].line);
  STRCMP_EQUAL("/srv/data", fstab[2].source.c_str());
  STRCMP_EQUAL("bind", fstab[2].options.c_str());
}

TEST(GuestConfig, FstabErrors) {
  write("fstab", "none /proc proc defaults\nnone /tmp tmpfs\n");
  expectReadError("fstab:2", "expected SOURCE TARGET TYPE OPTIONS [DUMP [PASS]]");
  write("fstab", "none /tmp tmpfs size=1m 0 0 extra\n");
  expectReadError("fstab:1", "expected SOURCE TARGET TYPE OPTIONS [DUMP [PASS]]");
  write("fstab", "\nnone tmp tmpfs defaults\n");
  expectReadError("fstab:2", "target 'tmp' is not an absolute path");
  write("fstab", "none /var/../../etc tmpfs defaults\n");
  expectReadError("fstab:1", "target '/var/../../etc' contains '..'");
}

TEST(GuestConfig, ShellFromGuestElseDefaults) {
  writeDefault("shell", "/bin/bash --login\n");
  CHECK(read().shell == (std::vector<std::string>{"/bin/bash", "--login"}));
  write("shell", "/bin/zsh\n");
  CHECK(read().shell == std::vector<std::string>{"/bin/zsh"});
  write("shell", "\n");
  expectReadError("shell:1", "expected the shell and its arguments");
}

TEST(GuestConfig, Spaces) {
  write("spaces/net", "");
  write("spaces/pid", "");
  write("spaces/mask", "0x20000000\n");
  CHECK(read().spaces.net);
  write("spaces/net", "0\n");
  CHECK_FALSE(read().spaces.net);
  write("spaces/net", "db\n");
  expectReadError("spaces/net:1", "sharing the namespace of 'db' is not supported");
}

TEST(GuestConfig, PidSpaceCannotBeTurnedOff) {
  write("spaces/pid", "0\n");
  expectReadError("spaces/pid:1", "cannot be turned off: every guest has its own PID namespace");
}

// ---- apps/vdevmap/ ----------------------------------------------------------

namespace {

struct stat statOf(const fs::path& path) {
  struct stat st {};
  CHECK_EQUAL(0, stat(path.c_str(), &st));
  return st;
}

}  // namespace

TEST(GuestConfig, DeviceMapRulesInNameOrder) {
  // Through a link, which is followed: the rule is for the node it names.
  fs::create_symlink("/dev/null", root / "null-link");
  write("apps/vdevmap/a-null/device", (root / "null-link").string() + "\n");
  write("apps/vdevmap/a-null/open", "");
  write("apps/vdevmap/a-null/create", "");
  write("apps/vdevmap/b-full/device", "/dev/./full\n");
  write("apps/vdevmap/b-full/create", "");
  write("apps/vdevmap/README", "notes\n");
  write("apps/vdevmap/.old/device", "/nonexistent\n");
  const GuestConfig config = read();
  UNSIGNED_LONGS_EQUAL(2, config.devices.size());
  const vs::guest::DeviceMapEntry& null = config.devices[0];
  STRCMP_EQUAL((root / "null-link").c_str(), null.device.c_str());
  CHECK(null.rule == (vs::DeviceRule{vs::DeviceRule::Type::Char, 1, 3, VSERVER_DEVICE_ACCESS_ALL}));
  const vs::guest::DeviceMapEntry& full = config.devices[1];
  STRCMP_EQUAL("/dev/full", full.device.c_str());
  CHECK(full.rule == (vs::DeviceRule{vs::DeviceRule::Type::Char, 1, 7, VSERVER_DEVICE_CREATE}));
  const struct stat node = statOf("/dev/full");
  UNSIGNED_LONGS_EQUAL(node.st_mode & 07777, full.permissions);
  UNSIGNED_LONGS_EQUAL(node.st_uid, full.uid);
  UNSIGNED_LONGS_EQUAL(node.st_gid, full.gid);
}

TEST(GuestConfig, DeviceRuleNeedsADeviceNode) {
  write("apps/vdevmap/tun/open", "");
  expectReadError("apps/vdevmap/tun", "needs a device");
  write("apps/vdevmap/tun/device", "/dev/no-such-node\n");
  expectReadError("apps/vdevmap/tun/device:1", "/dev/no-such-node: No such file or directory");
  const fs::path regular = write("regular", "not a device\n", root);
  write("apps/vdevmap/tun/device", regular.string() + "\n");
  expectReadError("apps/vdevmap/tun/device:1", "'" + regular.string() + "' is not a device node");
  write("apps/vdevmap/tun/device", "dev/null\n");
  expectReadError("apps/vdevmap/tun/device:1", "'dev/null' is not an absolute path");
}

TEST(GuestConfig, DeviceRuleNeedsOpenOrCreate) {
  write("apps/vdevmap/tun/device", "/dev/null\n");
  expectReadError("apps/vdevmap/tun", "needs open or create (or both)");
  write("apps/vdevmap/tun/open", "");
  CHECK_EQUAL(VSERVER_DEVICE_OPEN, read().devices.at(0).rule.access);
}

TEST(GuestConfig, DeviceRemappingIsRefused) {
  write("apps/vdevmap/tun/device", "/dev/null\n");
  write("apps/vdevmap/tun/open", "");
  write("apps/vdevmap/tun/target", "/dev/zero\n");
  expectReadError("apps/vdevmap/tun/target", "device remapping is not supported");
  write("apps/vdevmap/tun/remap", "");
  expectReadError("apps/vdevmap/tun/remap", "device remapping is not supported");
}

TEST(GuestConfig, DeviceRuleRefusesUnknownFilesButNotBackups) {
  write("apps/vdevmap/tun/device", "/dev/null\n");
  write("apps/vdevmap/tun/create", "");
  write("apps/vdevmap/tun/open~", "");
  write("apps/vdevmap/tun/.device.swp", "");
  CHECK_EQUAL(VSERVER_DEVICE_CREATE, read().devices.at(0).rule.access);
  write("apps/vdevmap/tun/opne", "");
  expectReadError("apps/vdevmap/tun/opne", "unknown device map setting 'opne'");
}

TEST(GuestConfig, DeviceMapHoldsAtMostTheKernelsRules) {
  for (int i = 0; i < VSERVER_DEVICES_MAX; i++) {
    const std::string rule = "apps/vdevmap/" + std::to_string(100 + i);
    write(rule + "/device", "/dev/zero\n");
    write(rule + "/open", "");
  }
  UNSIGNED_LONGS_EQUAL(VSERVER_DEVICES_MAX, read().devices.size());
  write("apps/vdevmap/999/device", "/dev/zero\n");
  write("apps/vdevmap/999/open", "");
  expectReadError("apps/vdevmap", "more than 64 device rules, the most a context takes");
}

// ---- scripts/ ---------------------------------------------------------------

TEST(GuestConfig, HookPhaseNamesAreUtilVserversFileNames) {
  STRCMP_EQUAL("initialize", vs::guest::hookPhaseName(HookPhase::Initialize));
  STRCMP_EQUAL("prepre-start", vs::guest::hookPhaseName(HookPhase::PrepreStart));
  STRCMP_EQUAL("pre-start", vs::guest::hookPhaseName(HookPhase::PreStart));
  STRCMP_EQUAL("post-start", vs::guest::hookPhaseName(HookPhase::PostStart));
  STRCMP_EQUAL("pre-stop", vs::guest::hookPhaseName(HookPhase::PreStop));
  STRCMP_EQUAL("post-stop", vs::guest::hookPhaseName(HookPhase::PostStop));
  STRCMP_EQUAL("postpost-stop", vs::guest::hookPhaseName(HookPhase::PostpostStop));
}

TEST(GuestConfig, HooksFileThenDirectoryInNameOrder) {
  const fs::path main = write("scripts/pre-start", "echo main\n");
  fs::permissions(main, fs::perms::owner_all);
  write("scripts/pre-start.d/20-b", "");
  const fs::path first = write("scripts/pre-start.d/10-a", "");
  fs::permissions(first, fs::perms::owner_read | fs::perms::others_exec);
  write("scripts/pre-start.d/10-a~", "");
  write("scripts/pre-start.d/.10-a.swp", "");
  fs::create_directories(cfgdir() / "scripts/pre-start.d/30-dir");
  write("scripts/post-stop.d/x", "");
  const GuestConfig config = read();
  const auto& scripts = config.hooksOf(HookPhase::PreStart);
  LONGS_EQUAL(3, scripts.size());
  CHECK(scripts[0].path == main);
  CHECK(scripts[0].executable);
  CHECK(scripts[1].path == first);
  CHECK(scripts[1].executable);
  CHECK(scripts[2].path == cfgdir() / "scripts/pre-start.d/20-b");
  CHECK_FALSE(scripts[2].executable);
  LONGS_EQUAL(1, config.hooksOf(HookPhase::PostStop).size());
  CHECK(config.hooksOf(HookPhase::PostStart).empty());
}

TEST(GuestConfig, DefaultsHooksOnlyForPhasesTheGuestHasNoneOf) {
  writeDefault("scripts/pre-start", "");
  writeDefault("scripts/pre-start.d/x", "");
  writeDefault("scripts/post-start", "");
  writeDefault("scripts/initialize.d/y", "");
  write("scripts/post-start.d/own", "");
  const GuestConfig config = read();
  const auto& preStart = config.hooksOf(HookPhase::PreStart);
  LONGS_EQUAL(2, preStart.size());
  CHECK(preStart[0].path == defaults() / "scripts/pre-start");
  CHECK(preStart[1].path == defaults() / "scripts/pre-start.d/x");
  const auto& postStart = config.hooksOf(HookPhase::PostStart);
  LONGS_EQUAL(1, postStart.size());
  CHECK(postStart[0].path == cfgdir() / "scripts/post-start.d/own");
  LONGS_EQUAL(1, config.hooksOf(HookPhase::Initialize).size());
}

// ---- locateGuest, paths -----------------------------------------------------

TEST_GROUP(GuestLocation){};

TEST(GuestLocation, NamesLiveUnderTheConfigRoot) {
  auto location = vs::guest::locateGuest("web");
  STRCMP_EQUAL("/etc/vservers/web", location.cfgdir.c_str());
  STRCMP_EQUAL("/etc/vservers/.defaults", location.defaults.c_str());
  location = vs::guest::locateGuest("web", "/tmp/conf");
  STRCMP_EQUAL("/tmp/conf/web", location.cfgdir.c_str());
  STRCMP_EQUAL("/tmp/conf/.defaults", location.defaults.c_str());
}

TEST(GuestLocation, PathsAreTheCfgdirWithSiblingDefaults) {
  auto location = vs::guest::locateGuest("/srv/conf/web/");
  STRCMP_EQUAL("/srv/conf/web", location.cfgdir.c_str());
  STRCMP_EQUAL("/srv/conf/.defaults", location.defaults.c_str());
  location = vs::guest::locateGuest("/srv/conf/web//", "/ignored");
  STRCMP_EQUAL("/srv/conf/web", location.cfgdir.c_str());
  location = vs::guest::locateGuest("./web");
  CHECK(location.cfgdir == fs::current_path() / "web");
  CHECK(location.defaults == fs::current_path() / ".defaults");
}

TEST(GuestLocation, RefusesWhatIsNoGuestName) {
  STRCMP_EQUAL("the guest name is empty",
               vs::test::expectError([] { vs::guest::locateGuest(""); }).what());
  for (const char* name : {".", "..", ".defaults"}) {
    const vs::Error e = vs::test::expectError([name] { vs::guest::locateGuest(name); });
    STRCMP_EQUAL((std::string("guest name '") + name + "' starts with '.'").c_str(), e.what());
    LONGS_EQUAL(0, e.errnum());
  }
  const std::string longName(65, 'x');
  STRCMP_EQUAL(("guest name '" + longName + "' is longer than 64 characters").c_str(),
               vs::test::expectError([&] { vs::guest::locateGuest(longName); }).what());
  STRCMP_EQUAL(("/etc/vservers/" + std::string(64, 'x')).c_str(),
               vs::guest::locateGuest(std::string(64, 'x')).cfgdir.c_str());
}

TEST_GROUP(GuestPaths){};

TEST(GuestPaths, LockAndCgroupOfAGuest) {
  STRCMP_EQUAL("/run/vservers/.lock.web", vs::guest::lockFileOf("web").c_str());
  STRCMP_EQUAL("/sys/fs/cgroup/vserver/web", vs::guest::defaultCgroupOf("web").c_str());
  STRCMP_EQUAL("/vservers", vs::guest::kDefaultVdirBase);
  STRCMP_EQUAL("/run/vservers", vs::guest::kRunDir);
}
