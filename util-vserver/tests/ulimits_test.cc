// ulimits/ at start and enter: what setrlimit() gets from the configured
// and the inherited limits, and a refusal naming its file.  Raising a
// hard limit needs root: the testvm suite covers it.
#include "guest/ulimits.h"

#include <cerrno>

#include "test_helpers.h"

using vs::test::expectError;

namespace {

vs::guest::GuestConfig guestWith(const vs::guest::UlimitConfig& limit) {
  vs::guest::GuestConfig config;
  config.location.cfgdir = "/etc/vservers/web";
  config.name = "web";
  config.ulimits = {limit};
  return config;
}

const vs::guest::UlimitConfig& onlyLimit(const vs::guest::GuestConfig& config) {
  return config.ulimits.at(0);
}

// The calling process's limit of resource, put back when the test ends.
class KeptLimit {
 public:
  explicit KeptLimit(int resource) : resource_(resource) { getrlimit(resource_, &kept_); }
  ~KeptLimit() { setrlimit(resource_, &kept_); }
  KeptLimit(const KeptLimit&) = delete;
  KeptLimit& operator=(const KeptLimit&) = delete;

  const rlimit& kept() const { return kept_; }

 private:
  int resource_;
  rlimit kept_{};
};

rlimit limitOf(int resource) {
  rlimit limit{};
  getrlimit(resource, &limit);
  return limit;
}

}  // namespace

TEST_GROUP(Ulimits){};

TEST(Ulimits, ConfiguredValuesAreTakenAsTheyAre) {
  const auto config = guestWith({"nofile", RLIMIT_NOFILE, 64, 128});
  const rlimit set = vs::guest::resolvedUlimit(config, onlyLimit(config), {1024, 4096});
  CHECK_EQUAL(64, set.rlim_cur);
  CHECK_EQUAL(128, set.rlim_max);
}

TEST(Ulimits, AHardValueAloneKeepsTheSoftOneLoweredToIt) {
  auto config = guestWith({"nofile", RLIMIT_NOFILE, std::nullopt, 2048});
  rlimit set = vs::guest::resolvedUlimit(config, onlyLimit(config), {1024, 4096});
  CHECK_EQUAL(1024, set.rlim_cur);
  CHECK_EQUAL(2048, set.rlim_max);
  config = guestWith({"nofile", RLIMIT_NOFILE, std::nullopt, 512});
  set = vs::guest::resolvedUlimit(config, onlyLimit(config), {1024, 4096});
  CHECK_EQUAL(512, set.rlim_cur);
  CHECK_EQUAL(512, set.rlim_max);
}

TEST(Ulimits, ASoftValueAloneKeepsTheInheritedHardOne) {
  auto config = guestWith({"core", RLIMIT_CORE, 0, std::nullopt});
  const rlimit set = vs::guest::resolvedUlimit(config, onlyLimit(config), {0, RLIM_INFINITY});
  CHECK_EQUAL(0, set.rlim_cur);
  CHECK_EQUAL(RLIM_INFINITY, set.rlim_max);
  // Which only .hard may raise.
  config = guestWith({"nofile", RLIMIT_NOFILE, RLIM_INFINITY, std::nullopt});
  const vs::Error e = expectError([&] {
    vs::guest::resolvedUlimit(config, onlyLimit(config), {1024, 4096});
  });
  STRCMP_EQUAL(
      "/etc/vservers/web/ulimits/nofile.soft: soft limit inf is above the inherited hard limit "
      "4096; raise it in nofile.hard",
      e.what());
}

TEST(Ulimits, AppliedToTheCallingProcess) {
  // RLIMIT_LOCKS: the kernel keeps it but no longer enforces it, so
  // lowering it does nothing to the tests.
  const KeptLimit locks(RLIMIT_LOCKS);
  vs::guest::applyUlimits(guestWith({"locks", RLIMIT_LOCKS, 0, std::nullopt}));
  CHECK_EQUAL(0, limitOf(RLIMIT_LOCKS).rlim_cur);
  CHECK_EQUAL(locks.kept().rlim_max, limitOf(RLIMIT_LOCKS).rlim_max);
}

// Above fs.nr_open, which not even root may pass; nothing changes.
TEST(Ulimits, ARefusalNamesTheFileAndTheValue) {
  const KeptLimit nofile(RLIMIT_NOFILE);
  const vs::Error e = expectError([] {
    vs::guest::applyUlimits(guestWith({"nofile", RLIMIT_NOFILE, 2000000000, 2000000000}));
  });
  LONGS_EQUAL(EPERM, e.errnum());
  STRCMP_EQUAL("/etc/vservers/web/ulimits/nofile: cannot set 2000000000: Operation not permitted",
               e.what());
  CHECK_EQUAL(nofile.kept().rlim_max, limitOf(RLIMIT_NOFILE).rlim_max);
  const vs::Error both = expectError([] {
    vs::guest::applyUlimits(guestWith({"nofile", RLIMIT_NOFILE, 0, 2000000000}));
  });
  STRCMP_EQUAL(
      "/etc/vservers/web/ulimits/nofile: cannot set soft 0, hard 2000000000: Operation not "
      "permitted",
      both.what());
}
