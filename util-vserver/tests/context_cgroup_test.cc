// vlimit and vserver-stat find a guest's group from its context: the run
// file of the guest configured with its name and xid.
#include "guest/context_cgroup.h"

#include <fstream>

#include "guest/run_file.h"
#include "test_helpers.h"

namespace fs = std::filesystem;
using vs::guest::contextCgroupOf;

namespace {

constexpr const char* kUnitGroup = "/sys/fs/cgroup/vservers.slice/vservers.service/web1";

}  // namespace

TEST_GROUP(ContextCgroup) {
  vs::test::TempDir temp;
  fs::path root = temp.path() / "etc";
  fs::path runFile = temp.path() / "run" / "web1";

  // Guest web1 (directory dir) at context 42, its run file where its run
  // link points.
  void configure(const std::string& dir) {
    fs::create_directories(root / dir);
    std::ofstream(root / dir / "context") << "42\n";
    if (dir != "web1") std::ofstream(root / dir / "name") << "web1\n";
    fs::create_symlink(runFile, root / dir / "run");
  }

  void record(uint32_t xid) {
    vs::guest::writeRunFile(runFile,
                            {.xid = xid, .initPid = 100, .monitorPid = 99, .cgroup = kUnitGroup});
  }
};

TEST(ContextCgroup, TheRunFileOfTheGuestWithItsNameAndXid) {
  configure("web1-dir");
  record(42);
  STRCMP_EQUAL(kUnitGroup, contextCgroupOf(42, "web1", root).c_str());
}

TEST(ContextCgroup, TheDefaultGroupWithoutARunFileOfTheContext) {
  configure("web1");
  STRCMP_EQUAL("/sys/fs/cgroup/vserver/web1", contextCgroupOf(42, "web1", root).c_str());
  // Left by an earlier guest of that name at another context.
  record(43);
  STRCMP_EQUAL("/sys/fs/cgroup/vserver/web1", contextCgroupOf(42, "web1", root).c_str());
  // A context carrying the name, not the xid, is no start of web1's.
  fs::remove(runFile);
  record(42);
  STRCMP_EQUAL("/sys/fs/cgroup/vserver/web1", contextCgroupOf(43, "web1", root).c_str());
}

TEST(ContextCgroup, NoGuestConfiguredTheDefaultRunFile) {
  // No /run/vservers/NAME for a name no test run gives a guest.
  STRCMP_EQUAL("/sys/fs/cgroup/vserver/vs-test-no-guest",
               contextCgroupOf(42, "vs-test-no-guest", root / "missing").c_str());
}
