#include "commands/vcontext.h"

#include "test_helpers.h"

using vs::test::argv;
using vs::test::expectError;

namespace {

vs::vcontext::Options parse(auto args) {
  return vs::vcontext::parseOptions(static_cast<int>(args.size()), args.data());
}

std::string parseError(auto args) {
  return expectError([&] { parse(args); }).what();
}

}  // namespace

TEST_GROUP(VcontextOptions){};

TEST(VcontextOptions, Create) {
  const auto o = parse(argv("vcontext", "--create", "--xid", "42", "--name", "web1", "--", "sh",
                            "-c", "echo hi"));
  CHECK(o.mode == vs::vcontext::Mode::Create);
  UNSIGNED_LONGS_EQUAL(42, o.xid);
  STRCMP_EQUAL("web1", o.name.c_str());
  UNSIGNED_LONGS_EQUAL(3, o.command.size());
  STRCMP_EQUAL("-c", o.command[1].c_str());
}

TEST(VcontextOptions, CommandOptionsAreNotOurs) {
  // Without "--" the command's own options must still reach it untouched.
  const auto o = parse(argv("vcontext", "--migrate", "--xid=7", "ls", "--xid", "-l"));
  CHECK(o.mode == vs::vcontext::Mode::Migrate);
  UNSIGNED_LONGS_EQUAL(7, o.xid);
  UNSIGNED_LONGS_EQUAL(3, o.command.size());
  STRCMP_EQUAL("--xid", o.command[1].c_str());
}

TEST(VcontextOptions, MigrateMayEnterTheSpectator) {
  UNSIGNED_LONGS_EQUAL(1, parse(argv("vcontext", "--migrate", "--xid", "1", "true")).xid);
}

TEST(VcontextOptions, CreateRefusesReservedAndOutOfRangeIds) {
  STRCMP_EQUAL("context id '0' is out of range (2..65535)",
               parseError(argv("vcontext", "--create", "--xid", "0", "true")).c_str());
  STRCMP_EQUAL("context id '1' is out of range (2..65535)",
               parseError(argv("vcontext", "--create", "--xid", "1", "true")).c_str());
  STRCMP_EQUAL("context id '65536' is out of range (2..65535)",
               parseError(argv("vcontext", "--create", "--xid", "65536", "true")).c_str());
  STRCMP_EQUAL("context id '0' is out of range (1..65535)",
               parseError(argv("vcontext", "--migrate", "--xid", "0", "true")).c_str());
}

TEST(VcontextOptions, RefusesIncompleteOrContradictoryOptions) {
  STRCMP_EQUAL("give exactly one of --create and --migrate",
               parseError(argv("vcontext", "--xid", "42", "true")).c_str());
  STRCMP_EQUAL("give exactly one of --create and --migrate",
               parseError(argv("vcontext", "--create", "--migrate", "--xid", "42", "true")).c_str());
  STRCMP_EQUAL("--xid is required", parseError(argv("vcontext", "--create", "true")).c_str());
  STRCMP_EQUAL("no command given", parseError(argv("vcontext", "--create", "--xid", "42")).c_str());
  STRCMP_EQUAL("--name only goes with --create",
               parseError(argv("vcontext", "--migrate", "--xid", "42", "--name", "x", "true"))
                   .c_str());
  STRCMP_EQUAL("--frobnicate: unknown option",
               parseError(argv("vcontext", "--frobnicate", "true")).c_str());
  STRCMP_EQUAL("--xid: missing argument", parseError(argv("vcontext", "--create", "--xid")).c_str());
}
