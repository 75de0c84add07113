// vdlimit's options: util-vserver's --set syntax, and what it refuses.
#include "commands/vdlimit.h"
#include "project_quota.h"
#include "test_helpers.h"

using vs::test::argv;
using vs::test::expectError;

namespace {

template <typename Args>
vs::vdlimit::Options parse(Args args) {
  return vs::vdlimit::parseOptions(static_cast<int>(args.size()), args.data());
}

template <typename Args>
std::string parseError(Args args) {
  return expectError([&] { parse(args); }).what();
}

}  // namespace

TEST_GROUP(VdlimitOptions){};

TEST(VdlimitOptions, WithoutAChangeItShows) {
  const auto o = parse(argv("vdlimit", "--xid", "1001", "/vservers/web", "/srv"));
  UNSIGNED_LONGS_EQUAL(1001, o.xid);
  CHECK_FALSE(o.set);
  CHECK_FALSE(o.remove);
  LONGS_EQUAL(2, o.paths.size());
  STRCMP_EQUAL("/srv", o.paths[1].c_str());
}

TEST(VdlimitOptions, SetTakesPairsInOneOptionOrSeveral) {
  auto o = parse(argv("vdlimit", "--xid", "1001", "--set", "space_total=65536,inodes_total=1000",
                      "/vservers/web"));
  CHECK_TRUE(o.set);
  UNSIGNED_LONGS_EQUAL(65536, *o.spaceKiB);
  UNSIGNED_LONGS_EQUAL(1000, *o.inodes);
  o = parse(argv("vdlimit", "--xid", "1001", "--set", "inodes_total=5", "--set", "reserved=0",
                 "--set", "inodes_total=-1", "/"));
  CHECK_FALSE(o.spaceKiB.has_value());  // kept as it is
  CHECK_EQUAL(vs::kNoQuotaLimit, *o.inodes);
}

TEST(VdlimitOptions, RemoveTakesNoSet) {
  CHECK_TRUE(parse(argv("vdlimit", "--xid", "1001", "--remove", "/")).remove);
  STRCMP_EQUAL("--set and --remove do not go together",
               parseError(argv("vdlimit", "--xid", "1001", "--remove", "--set", "inodes_total=1",
                               "/"))
                   .c_str());
}

TEST(VdlimitOptions, RefusesWhatIsNoLimit) {
  STRCMP_EQUAL("--set space_used: usage is counted by the filesystem",
               parseError(argv("vdlimit", "--xid", "1001", "--set", "space_used=0", "/")).c_str());
  STRCMP_EQUAL("--set inodes_used: usage is counted by the filesystem",
               parseError(argv("vdlimit", "--xid", "1001", "--set", "inodes_used=0", "/")).c_str());
  STRCMP_EQUAL("--set reserved=5: project quotas reserve nothing (only 0 is taken)",
               parseError(argv("vdlimit", "--xid", "1001", "--set", "reserved=5", "/")).c_str());
  STRCMP_EQUAL("--set: unknown limit 'space' (space_total, inodes_total, reserved)",
               parseError(argv("vdlimit", "--xid", "1001", "--set", "space=5", "/")).c_str());
  STRCMP_EQUAL("--set: expected LIMIT=VALUE, got 'space_total'",
               parseError(argv("vdlimit", "--xid", "1001", "--set", "space_total", "/")).c_str());
  STRCMP_EQUAL("--set: space_total 'lots' is not a number; -1 for no limit",
               parseError(argv("vdlimit", "--xid", "1001", "--set", "space_total=lots", "/"))
                   .c_str());
  STRCMP_EQUAL("--set: inodes_total '0' is out of range (1..9223372036854775807); -1 for no limit",
               parseError(argv("vdlimit", "--xid", "1001", "--set", "inodes_total=0", "/")).c_str());
}

TEST(VdlimitOptions, RefusesBadInput) {
  STRCMP_EQUAL("name the context: --xid XID", parseError(argv("vdlimit", "/")).c_str());
  STRCMP_EQUAL("name a PATH on the filesystem",
               parseError(argv("vdlimit", "--xid", "1001")).c_str());
  STRCMP_EQUAL("context id '1' is out of range (2..65535)",
               parseError(argv("vdlimit", "--xid", "1", "/")).c_str());
}

TEST(VdlimitOptions, APathThatDoesNotExistIsNamed) {
  const vs::Error e = expectError([] {
    vs::vdlimit::run(parse(argv("vdlimit", "--xid", "1001", "/nonexistent/vs-test")));
  });
  STRCMP_EQUAL("/nonexistent/vs-test: No such file or directory", e.what());
  LONGS_EQUAL(ENOENT, e.errnum());
}
