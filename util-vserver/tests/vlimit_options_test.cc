// vlimit's options: which limits each --RESOURCE sets, and what it refuses.
#include "commands/vlimit.h"
#include "test_helpers.h"

using vs::test::argv;
using vs::test::expectError;

namespace {

template <typename Args>
vs::vlimit::Options parse(Args args) {
  return vs::vlimit::parseOptions(static_cast<int>(args.size()), args.data());
}

}  // namespace

TEST_GROUP(VlimitOptions){};

TEST(VlimitOptions, WithoutAChangeItShows) {
  const auto o = parse(argv("vlimit", "-c", "42"));
  UNSIGNED_LONGS_EQUAL(42, o.xid);
  CHECK_TRUE(o.show);
  CHECK_TRUE(o.changes.empty());
}

TEST(VlimitOptions, AValueSetsTheHardLimitUnlessTold) {
  const auto o = parse(argv("vlimit", "--xid", "42", "--nproc", "20", "-S", "--rss", "4K", "-M",
                            "-H", "--as", "inf"));
  CHECK_FALSE(o.show);
  LONGS_EQUAL(3, o.changes.size());
  STRCMP_EQUAL("nproc", o.changes[0].resource.c_str());
  UNSIGNED_LONGS_EQUAL(20, *o.changes[0].hard);
  CHECK_FALSE(o.changes[0].soft.has_value());
  STRCMP_EQUAL("rss", o.changes[1].resource.c_str());
  UNSIGNED_LONGS_EQUAL(4096, *o.changes[1].soft);
  CHECK_FALSE(o.changes[1].hard.has_value());
  // -M and -H both apply to the next resource, and only to it.
  STRCMP_EQUAL("as", o.changes[2].resource.c_str());
  CHECK_EQUAL(vs::kUnlimited, *o.changes[2].min);
  CHECK_EQUAL(vs::kUnlimited, *o.changes[2].hard);
}

TEST(VlimitOptions, AResourceNamedTwiceIsOneChange) {
  const auto o = parse(argv("vlimit", "-c", "42", "-a", "-S", "--rss", "100", "--rss", "200"));
  CHECK_TRUE(o.show);
  LONGS_EQUAL(1, o.changes.size());
  UNSIGNED_LONGS_EQUAL(100, *o.changes[0].soft);
  UNSIGNED_LONGS_EQUAL(200, *o.changes[0].hard);
}

TEST(VlimitOptions, EveryCountedResourceHasItsOption) {
  const auto o = parse(argv("vlimit", "-c", "42", "--nofile", "100", "--nsock", "8", "--semary",
                            "2", "--msgqueue", "inf", "--nsems", "10", "--locks", "50"));
  LONGS_EQUAL(6, o.changes.size());
  STRCMP_EQUAL("semary", o.changes[2].resource.c_str());
  UNSIGNED_LONGS_EQUAL(2, *o.changes[2].hard);
  STRCMP_EQUAL("nsems", o.changes[4].resource.c_str());
  UNSIGNED_LONGS_EQUAL(10, *o.changes[4].hard);
  CHECK_FALSE(o.changes[4].soft.has_value());
  CHECK_FALSE(o.changes[4].min.has_value());
  STRCMP_EQUAL("locks", o.changes[5].resource.c_str());
  UNSIGNED_LONGS_EQUAL(50, *o.changes[5].hard);
}

TEST(VlimitOptions, SwapHasItsOptionInPages) {
  const auto o = parse(argv("vlimit", "-c", "42", "--swap", "4K", "--rss", "8K"));
  LONGS_EQUAL(2, o.changes.size());
  STRCMP_EQUAL("swap", o.changes[0].resource.c_str());
  UNSIGNED_LONGS_EQUAL(4096, *o.changes[0].hard);
  CHECK_FALSE(o.changes[0].soft.has_value());
  const auto unlimited = parse(argv("vlimit", "-c", "42", "--swap", "inf"));
  CHECK_EQUAL(vs::kUnlimited, *unlimited.changes[0].hard);
}

TEST(VlimitOptions, RefusesBadInput) {
  STRCMP_EQUAL("name the guest's context: -c XID",
               expectError([] { parse(argv("vlimit", "--nproc", "3")); }).what());
  STRCMP_EQUAL("--nproc: 'lots' is not a limit (NUMBER[K|M|G|k|m|g] or inf)",
               expectError([] { parse(argv("vlimit", "-c", "42", "--nproc", "lots")); }).what());
  STRCMP_EQUAL("-M, -S and -H go before a --RESOURCE VALUE",
               expectError([] { parse(argv("vlimit", "-c", "42", "--nproc", "3", "-S")); }).what());
  STRCMP_EQUAL("vlimit runs no command: 'true'",
               expectError([] { parse(argv("vlimit", "-c", "42", "--", "true")); }).what());
  STRCMP_EQUAL("context id '1' is out of range (2..65535)",
               expectError([] { parse(argv("vlimit", "-c", "1")); }).what());
}

TEST(VlimitOptions, RefusesWhatNothingLimitsBeforeTouchingTheGuest) {
  // run() checks every change before it looks the context up, so these
  // fail with a usage error on any host.
  const auto run = [](auto args) { return vs::vlimit::run(parse(args)); };
  STRCMP_EQUAL(
      "--memlock: not enforced yet; vlimit changes rss, nproc, nofile, as, locks, msgqueue, nsock, "
      "anon, semary, nsems and swap",
      expectError([&] { run(argv("vlimit", "-c", "42", "--memlock", "10")); }).what());
  STRCMP_EQUAL("--nproc: only its hard limit (-H) applies",
               expectError([&] { run(argv("vlimit", "-c", "42", "-S", "--nproc", "10")); }).what());
  // The module's counted limits have no soft one either.
  STRCMP_EQUAL("--nofile: only its hard limit (-H) applies",
               expectError([&] {
                 run(argv("vlimit", "-c", "42", "--nsock", "10", "-S", "--nofile", "10"));
               }).what());
  STRCMP_EQUAL("--nsems: only its hard limit (-H) applies",
               expectError([&] { run(argv("vlimit", "-c", "42", "-M", "--nsems", "10")); }).what());
  STRCMP_EQUAL("--locks: only its hard limit (-H) applies",
               expectError([&] { run(argv("vlimit", "-c", "42", "-S", "--locks", "10")); }).what());
  // memory.swap.high is no soft swap limit: it throttles, not reclaims.
  STRCMP_EQUAL("--swap: only its hard limit (-H) applies",
               expectError([&] { run(argv("vlimit", "-c", "42", "-S", "--swap", "10")); }).what());
  STRCMP_EQUAL("rlimits/swap: 4503599627370496 pages are more memory than 2^64 bytes",
               expectError([&] { run(argv("vlimit", "-c", "42", "--swap", "4503599627370496")); })
                   .what());
  STRCMP_EQUAL("--rss: only its soft (-S) and hard (-H) limits apply",
               expectError([&] { run(argv("vlimit", "-c", "42", "-M", "--rss", "10")); }).what());
  STRCMP_EQUAL("rlimits/nproc: 0 leaves no room for the guest's init (at least 1)",
               expectError([&] { run(argv("vlimit", "-c", "42", "--nproc", "0")); }).what());
}
