#include "commands/vserver_info.h"

#include "test_helpers.h"

using vs::test::argv;
using vs::test::expectError;
using vs::vserver_info::Query;

namespace {

vs::vserver_info::Options parse(auto args) {
  return vs::vserver_info::parseOptions(static_cast<int>(args.size()), args.data());
}

}  // namespace

TEST_GROUP(VserverInfoOptions){};

TEST(VserverInfoOptions, NoArgumentsIsTheSummary) {
  CHECK(parse(argv("vserver-info")).query == Query::Summary);
}

TEST(VserverInfoOptions, XidOfAProcessOrOfSelf) {
  const auto pid = parse(argv("vserver-info", "1234", "XID"));
  CHECK(pid.query == Query::TaskXid);
  LONGS_EQUAL(1234, *pid.pid);
  const auto self = parse(argv("vserver-info", "self", "XID"));
  CHECK(self.query == Query::TaskXid);
  CHECK_FALSE(self.pid.has_value());
}

TEST(VserverInfoOptions, QueriesAboutAContext) {
  const auto running = parse(argv("vserver-info", "42", "RUNNING"));
  CHECK(running.query == Query::Running);
  UNSIGNED_LONGS_EQUAL(42, running.xid);
  CHECK(parse(argv("vserver-info", "42", "NAME")).query == Query::Name);
  CHECK(parse(argv("vserver-info", "-", "APIVER")).query == Query::ApiVersion);
}

TEST(VserverInfoOptions, RefusesBadInput) {
  STRCMP_EQUAL("unknown tag 'COLOUR' (XID, RUNNING, NAME, APIVER)",
               expectError([] { parse(argv("vserver-info", "42", "COLOUR")); }).what());
  STRCMP_EQUAL("process id '0' is out of range (1..2147483647)",
               expectError([] { parse(argv("vserver-info", "0", "XID")); }).what());
  STRCMP_EQUAL("context id '1' is out of range (2..65535)",
               expectError([] { parse(argv("vserver-info", "1", "RUNNING")); }).what());
  expectError([] { parse(argv("vserver-info", "42")); });
  expectError([] { parse(argv("vserver-info", "1", "2", "3")); });
}

TEST_GROUP(Uptime){};

TEST(Uptime, Formats) {
  STRCMP_EQUAL("00:00:00", vs::vserver_info::formatUptime(999999999).c_str());
  STRCMP_EQUAL("01:02:03", vs::vserver_info::formatUptime(3723ULL * 1000000000).c_str());
  STRCMP_EQUAL("2d00:00:05", vs::vserver_info::formatUptime((2 * 86400ULL + 5) * 1000000000).c_str());
}
