// Where start puts a guest's group: inside the systemd unit of ours that
// runs it, found from /proc/self/cgroup, or the default group.
#include "guest/cgroup_place.h"

#include <optional>
#include <string>

#include "test_helpers.h"

namespace fs = std::filesystem;
using vs::guest::guestCgroupProblem;
using vs::guest::unescapeUnitName;
using vs::guest::unifiedCgroupPath;
using vs::guest::unitGroupFor;
using vs::guest::unitStartsGuest;

namespace {

// unitGroupFor()'s answer as text, "-" for nothing.
std::string unitGroupText(const std::string& group, const std::string& name) {
  const std::optional<fs::path> unit = unitGroupFor(group, name);
  return unit ? unit->string() : "-";
}

std::string problemText(const std::string& group, const std::string& name) {
  return guestCgroupProblem(group, name).value_or("-");
}

}  // namespace

TEST_GROUP(ProcCgroup){};

TEST(ProcCgroup, TheUnifiedLineIsThePath) {
  STRCMP_EQUAL("/vservers.slice/vserver@web1.service",
               unifiedCgroupPath("0::/vservers.slice/vserver@web1.service\n")->c_str());
  // A hybrid host lists the cgroup v1 hierarchies first.
  STRCMP_EQUAL("/system.slice/vservers.service",
               unifiedCgroupPath("12:memory:/system.slice\n1:name=systemd:/x\n"
                                 "0::/system.slice/vservers.service\n")
                   ->c_str());
  STRCMP_EQUAL("/", unifiedCgroupPath("0::/")->c_str());
}

TEST(ProcCgroup, NoUnifiedLineNoPath) {
  CHECK_FALSE(unifiedCgroupPath("1:name=systemd:/user.slice\n2:cpu:/\n").has_value());
  CHECK_FALSE(unifiedCgroupPath("").has_value());
  // Another hierarchy whose id is not 0 does not count.
  CHECK_FALSE(unifiedCgroupPath("10::/x\n").has_value());
}

TEST_GROUP(UnitNames){};

TEST(UnitNames, EscapesAreUndone) {
  STRCMP_EQUAL("web-1", unescapeUnitName("web\\x2d1")->c_str());
  STRCMP_EQUAL("web-1", unescapeUnitName("web-1")->c_str());
  STRCMP_EQUAL("AB", unescapeUnitName("\\x41\\x42")->c_str());
  STRCMP_EQUAL("", unescapeUnitName("")->c_str());
}

TEST(UnitNames, MalformedEscapesAreNoName) {
  for (const char* unit : {"web\\", "web\\x", "web\\x2", "web\\xzz", "web\\y41", "web\\x+1"})
    CHECK_TEXT(!unescapeUnitName(unit).has_value(), unit);
}

TEST(UnitNames, OurUnitsStartTheirGuests) {
  CHECK(unitStartsGuest("vservers.service", "web1"));
  CHECK(unitStartsGuest("vservers.service", "db"));
  CHECK(unitStartsGuest("vserver@web1.service", "web1"));
  CHECK(unitStartsGuest("vserver@web\\x2d1.service", "web-1"));
  CHECK(unitStartsGuest("vserver@web-1.service", "web-1"));
}

TEST(UnitNames, OtherUnitsStartNone) {
  CHECK_FALSE(unitStartsGuest("vserver@web2.service", "web1"));
  CHECK_FALSE(unitStartsGuest("vserver@web1.service", "web"));
  CHECK_FALSE(unitStartsGuest("vserver@web\\x2d1.service", "web\\x2d1"));
  CHECK_FALSE(unitStartsGuest("vserver@web\\x2.service", "web1"));
  CHECK_FALSE(unitStartsGuest("vserver@.service", ""));
  CHECK_FALSE(unitStartsGuest("session-1.scope", "web1"));
  CHECK_FALSE(unitStartsGuest("vserver@web1.scope", "web1"));
  CHECK_FALSE(unitStartsGuest("vservers.slice", "web1"));
  CHECK_FALSE(unitStartsGuest("my-vservers.service", "web1"));
  CHECK_FALSE(unitStartsGuest("vservers.service.d", "web1"));
}

TEST_GROUP(UnitGroup){};

TEST(UnitGroup, TheUnitsOwnGroup) {
  STRCMP_EQUAL("/vservers.slice/vserver@web1.service",
               unitGroupText("/vservers.slice/vserver@web1.service", "web1").c_str());
  STRCMP_EQUAL("/vservers.slice/vserver@web\\x2d1.service",
               unitGroupText("/vservers.slice/vserver@web\\x2d1.service", "web-1").c_str());
  STRCMP_EQUAL("/vservers.slice/vservers.service",
               unitGroupText("/vservers.slice/vservers.service", "web1").c_str());
  // Wherever the unit's slice is.
  STRCMP_EQUAL("/system.slice/vservers.service",
               unitGroupText("/system.slice/vservers.service", "web1").c_str());
}

TEST(UnitGroup, TheUnitsLeavesMeanTheUnit) {
  // start-vservers starting the next guest, a monitor restarting its guest.
  STRCMP_EQUAL("/vservers.slice/vservers.service",
               unitGroupText("/vservers.slice/vservers.service/.supervisor", "web2").c_str());
  STRCMP_EQUAL("/vservers.slice/vserver@web1.service",
               unitGroupText("/vservers.slice/vserver@web1.service/.supervisor", "web1").c_str());
  // systemctl reload vservers.
  STRCMP_EQUAL("/vservers.slice/vservers.service",
               unitGroupText("/vservers.slice/vservers.service/.control", "web2").c_str());
}

TEST(UnitGroup, NoOtherGroup) {
  STRCMP_EQUAL("-", unitGroupText("/user.slice/user-0.slice/session-1.scope", "web1").c_str());
  STRCMP_EQUAL("-", unitGroupText("/vservers.slice/vserver@web2.service", "web1").c_str());
  STRCMP_EQUAL("-",
               unitGroupText("/vservers.slice/vserver@web2.service/.supervisor", "web1").c_str());
  // Only the last component, or the one above a leaf of the unit's, counts.
  STRCMP_EQUAL("-", unitGroupText("/vservers.service/session-1.scope", "web1").c_str());
  STRCMP_EQUAL("-", unitGroupText("/vservers.slice/vservers.service/web1", "web2").c_str());
  STRCMP_EQUAL("-",
               unitGroupText("/vservers.slice/vservers.service/.supervisor/.supervisor", "web1")
                   .c_str());
  STRCMP_EQUAL("-", unitGroupText("/vservers.slice", "web1").c_str());
  STRCMP_EQUAL("-", unitGroupText("/", "web1").c_str());
  // Outside our cgroup namespace, or not a path at all.
  STRCMP_EQUAL("-", unitGroupText("/../vservers.slice/vservers.service", "web1").c_str());
  STRCMP_EQUAL("-", unitGroupText("vservers.service", "web1").c_str());
  STRCMP_EQUAL("-", unitGroupText("", "web1").c_str());
}

TEST_GROUP(GuestCgroupPath){};

TEST(GuestCgroupPath, WhatStartCanChooseIsFine) {
  STRCMP_EQUAL("-", problemText("/sys/fs/cgroup/vserver/web1", "web1").c_str());
  STRCMP_EQUAL("-", problemText("/sys/fs/cgroup/vservers.slice/vserver@web1.service/web1", "web1")
                        .c_str());
  STRCMP_EQUAL(
      "-", problemText("/sys/fs/cgroup/vservers.slice/vserver@web\\x2d1.service/web-1", "web-1")
               .c_str());
  STRCMP_EQUAL("-",
               problemText("/sys/fs/cgroup/system.slice/vservers.service/web1", "web1").c_str());
}

TEST(GuestCgroupPath, OtherPathsAreRefused) {
  STRCMP_EQUAL("cgroup 'sys/fs/cgroup/vserver/web1' is not an absolute path",
               problemText("sys/fs/cgroup/vserver/web1", "web1").c_str());
  STRCMP_EQUAL("cgroup '/sys/fs/cgroup/vserver/../vserver/web1' has a '.' or '..' in it",
               problemText("/sys/fs/cgroup/vserver/../vserver/web1", "web1").c_str());
  STRCMP_EQUAL("cgroup '/sys/fs/cgroup/./vserver/web1' has a '.' or '..' in it",
               problemText("/sys/fs/cgroup/./vserver/web1", "web1").c_str());
  STRCMP_EQUAL("cgroup '/tmp/vservers.service/web1' is not below /sys/fs/cgroup",
               problemText("/tmp/vservers.service/web1", "web1").c_str());
  STRCMP_EQUAL("cgroup '/sys/fs/cgroup' is not below /sys/fs/cgroup",
               problemText("/sys/fs/cgroup", "web1").c_str());
  STRCMP_EQUAL(
      "cgroup '/sys/fs/cgroup/system.slice' is neither guest web1's default group nor web1 in a "
      "vserver unit's group",
      problemText("/sys/fs/cgroup/system.slice", "web1").c_str());
  // The unit's group and its leaf are the unit's, never the guest's.
  for (const char* group : {"/sys/fs/cgroup/vservers.slice/vserver@web1.service",
                            "/sys/fs/cgroup/vservers.slice/vserver@web1.service/.supervisor",
                            "/sys/fs/cgroup/vservers.slice/vservers.service/.control",
                            "/sys/fs/cgroup/vserver/web1/", "/sys/fs/cgroup/vserver/web2",
                            "/sys/fs/cgroup/vservers.slice/vserver@web2.service/web1",
                            "/sys/fs/cgroup/session-1.scope/web1"})
    CHECK_TEXT(guestCgroupProblem(group, "web1").has_value(), group);
}
