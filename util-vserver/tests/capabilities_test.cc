#include "capabilities.h"

#include <linux/capability.h>
#include <linux/vserver.h>

#include "test_helpers.h"

TEST_GROUP(Capabilities){};

TEST(Capabilities, NamesWithOrWithoutPrefixInAnyCase) {
  CHECK_EQUAL(1ULL << CAP_SYS_ADMIN, vs::bitOfName(vs::BitSet::Capabilities, "CAP_SYS_ADMIN"));
  CHECK_EQUAL(1ULL << CAP_SYS_ADMIN, vs::bitOfName(vs::BitSet::Capabilities, "sys_admin"));
  CHECK_EQUAL(1ULL << CAP_CHECKPOINT_RESTORE,
              vs::bitOfName(vs::BitSet::Capabilities, "CHECKPOINT_RESTORE"));
  CHECK_EQUAL(VSERVER_CCAP_BINARY_MOUNT,
              vs::bitOfName(vs::BitSet::ContextCapabilities, "binary_mount"));
  CHECK_EQUAL(VSERVER_CF_STATE_SETUP, vs::bitOfName(vs::BitSet::Flags, "STATE_SETUP"));
  CHECK_EQUAL(VSERVER_DEVICE_CREATE, vs::bitOfName(vs::BitSet::DeviceAccess, "create"));
}

TEST(Capabilities, EveryNameMapsBackToItsBit) {
  for (const vs::BitSet set : {vs::BitSet::Capabilities, vs::BitSet::ContextCapabilities,
                               vs::BitSet::Flags, vs::BitSet::DeviceAccess}) {
    const auto names = vs::allNames(set);
    for (size_t bit = 0; bit < names.size(); bit++) {
      CHECK_EQUAL(1ULL << bit, vs::bitOfName(set, names[bit]));
      STRCMP_EQUAL(names[bit].c_str(), vs::namesOfBits(set, 1ULL << bit).at(0).c_str());
    }
  }
  UNSIGNED_LONGS_EQUAL(CAP_LAST_CAP + 1, vs::allNames(vs::BitSet::Capabilities).size());
}

TEST(Capabilities, RefusesUnknownNames) {
  STRCMP_EQUAL("unknown capability 'CAP_FLY'",
               vs::test::expectError([] { vs::bitOfName(vs::BitSet::Capabilities, "CAP_FLY"); })
                   .what());
  STRCMP_EQUAL("unknown context capability 'sys_admin'",
               vs::test::expectError(
                   [] { vs::bitOfName(vs::BitSet::ContextCapabilities, "sys_admin"); })
                   .what());
  STRCMP_EQUAL("unknown flag ''",
               vs::test::expectError([] { vs::bitOfName(vs::BitSet::Flags, ""); }).what());
}

TEST(Capabilities, ListsTheDefaultBoundingSet) {
  const auto names = vs::namesOfBits(vs::BitSet::Capabilities, VSERVER_BCAPS_DEFAULT);
  UNSIGNED_LONGS_EQUAL(15, names.size());
  STRCMP_EQUAL("CHOWN", names.front().c_str());
  STRCMP_EQUAL("SETFCAP", names.back().c_str());
  STRCMP_EQUAL("bit63", vs::namesOfBits(vs::BitSet::Flags, 1ULL << 63).at(0).c_str());
}

TEST(Capabilities, BuildsChangesFromUtilVserverLists) {
  vs::BitChange change;
  vs::addToChange(vs::BitSet::Capabilities, "SYS_ADMIN", change);
  vs::addToChange(vs::BitSet::Capabilities, "~CHOWN", change);
  vs::addToChange(vs::BitSet::Capabilities, "!KILL", change);
  CHECK_EQUAL(1ULL << CAP_SYS_ADMIN, change.value);
  CHECK_EQUAL((1ULL << CAP_SYS_ADMIN) | (1ULL << CAP_CHOWN) | (1ULL << CAP_KILL), change.mask);
  vs::addToChange(vs::BitSet::Capabilities, "~SYS_ADMIN", change);
  CHECK_EQUAL(0, change.value);
}

// Issue 9, item 11: audit records do not say which context wrote them.
TEST(Capabilities, GuestsStartWithoutAuditWrite) {
  CHECK_EQUAL(0u, VSERVER_BCAPS_DEFAULT & (uint64_t{1} << CAP_AUDIT_WRITE));
}
