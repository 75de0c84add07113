// start-vservers' options, and the version every tool prints.
#include "commands/start_vservers.h"
#include "version.h"

#include "test_helpers.h"

using vs::test::argv;
using vs::test::expectError;
namespace sv = vs::start_vservers;

namespace {

template <typename Args>
sv::Options parse(Args args) {
  return sv::parseOptions(static_cast<int>(args.size()), args.data());
}

}  // namespace

TEST_GROUP(StartVserversOptions){};

TEST(StartVserversOptions, Defaults) {
  const auto o = parse(argv("start-vservers", "--start"));
  CHECK(o.mode == sv::Mode::Start);
  STRCMP_EQUAL("default", o.mark.c_str());
  LONGS_EQUAL(6, o.jobs);
  LONGS_EQUAL(180, o.timeout.count());
}

TEST(StartVserversOptions, UtilVserversShortOptions) {
  const auto o = parse(argv("start-vservers", "-m", "web", "-j", "2", "-t", "30", "--stop"));
  CHECK(o.mode == sv::Mode::Stop);
  STRCMP_EQUAL("web", o.mark.c_str());
  LONGS_EQUAL(2, o.jobs);
  LONGS_EQUAL(30, o.timeout.count());
}

TEST(StartVserversOptions, NeedsExactlyOneMode) {
  STRCMP_EQUAL("give one of --start, --stop and --status",
               expectError([] { parse(argv("start-vservers", "--mark", "x")); }).what());
  STRCMP_EQUAL("give only one of --start, --stop and --status",
               expectError([] { parse(argv("start-vservers", "--start", "--status")); }).what());
  CHECK(parse(argv("start-vservers", "--status", "--status")).mode == sv::Mode::Status);
}

TEST(StartVserversOptions, RefusesZeroJobsAndArguments) {
  STRCMP_CONTAINS("--jobs", expectError([] { parse(argv("start-vservers", "-j", "0", "--start")); }).what());
  STRCMP_CONTAINS("--timeout",
                  expectError([] { parse(argv("start-vservers", "-t", "0", "--stop")); }).what());
  STRCMP_EQUAL("no arguments expected, got 'web'",
               expectError([] { parse(argv("start-vservers", "--start", "web")); }).what());
  STRCMP_EQUAL("--mark: an empty mark",
               expectError([] { parse(argv("start-vservers", "--mark", "", "--start")); }).what());
}

TEST_GROUP(Version){};

TEST(Version, LineIsToolAndVersion) {
  STRCMP_EQUAL((std::string("vkill ") + vs::kVersion).c_str(), vs::versionLine("vkill").c_str());
  CHECK(std::string(vs::kVersion).find_first_of(" \n") == std::string::npos);
  CHECK(!std::string(vs::kVersion).empty());
}
