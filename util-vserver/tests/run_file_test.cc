// The run file: xid, init and monitor pids, and the guest's cgroup, which
// a file of an older version does not have.
#include "guest/run_file.h"

#include <fstream>
#include <iterator>
#include <sstream>

#include "test_helpers.h"

namespace fs = std::filesystem;
using vs::guest::readRunFile;
using vs::guest::RunRecord;

TEST_GROUP(RunFile) {
  vs::test::TempDir temp;
  fs::path file = temp.path() / "run" / "web1";

  void write(const std::string& text) {
    fs::create_directories(file.parent_path());
    std::ofstream(file) << text;
  }

  std::string text() {
    std::ifstream stream(file);
    return std::string(std::istreambuf_iterator<char>(stream), {});
  }
};

TEST(RunFile, FourLinesWrittenAndReadBack) {
  const char* group = "/sys/fs/cgroup/vservers.slice/vserver@web1.service/web1";
  vs::guest::writeRunFile(file, {.xid = 42, .initPid = 100, .monitorPid = 99, .cgroup = group});
  STRCMP_EQUAL((std::string("42\n100\n99\n") + group + "\n").c_str(), text().c_str());
  const RunRecord record = readRunFile(file, "web1").value();
  LONGS_EQUAL(42, record.xid);
  LONGS_EQUAL(100, record.initPid);
  LONGS_EQUAL(99, record.monitorPid);
  STRCMP_EQUAL(group, record.cgroup.c_str());
}

TEST(RunFile, ThreeLinesMeanTheDefaultGroup) {
  write("42\n100\n99\n");
  const RunRecord record = readRunFile(file, "web1").value();
  LONGS_EQUAL(42, record.xid);
  LONGS_EQUAL(99, record.monitorPid);
  STRCMP_EQUAL("/sys/fs/cgroup/vserver/web1", record.cgroup.c_str());
}

TEST(RunFile, NoFileOrNoNumbersNoRecord) {
  CHECK_FALSE(readRunFile(file, "web1").has_value());
  write("42\n100\n");
  CHECK_FALSE(readRunFile(file, "web1").has_value());
}

TEST(RunFile, ACgroupLineNamingAnotherGroupIsAnError) {
  write("42\n100\n99\n/sys/fs/cgroup/system.slice\n");
  const vs::Error e = vs::test::expectError([&] { readRunFile(file, "web1"); });
  LONGS_EQUAL(EINVAL, e.errnum());
  STRCMP_EQUAL(("the run file " + file.string() +
                " is broken: its cgroup '/sys/fs/cgroup/system.slice' is neither guest web1's "
                "default group nor web1 in a vserver unit's group")
                   .c_str(),
               e.what());
  write("42\n100\n99\n/sys/fs/cgroup/vservers.slice/vserver@web1.service/../web1\n");
  STRCMP_EQUAL(("the run file " + file.string() +
                " is broken: its cgroup "
                "'/sys/fs/cgroup/vservers.slice/vserver@web1.service/../web1' has a '.' or '..' "
                "in it")
                   .c_str(),
               vs::test::expectError([&] { readRunFile(file, "web1"); }).what());
}
