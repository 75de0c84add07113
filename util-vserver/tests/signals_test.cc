#include "signals.h"

#include <csignal>

#include "test_helpers.h"

TEST_GROUP(Signals){};

TEST(Signals, ByNameOrNumber) {
  LONGS_EQUAL(SIGTERM, vs::parseSignal("TERM"));
  LONGS_EQUAL(SIGTERM, vs::parseSignal("SIGTERM"));
  LONGS_EQUAL(SIGKILL, vs::parseSignal("kill"));
  LONGS_EQUAL(SIGHUP, vs::parseSignal("1"));
  LONGS_EQUAL(0, vs::parseSignal("0"));
  LONGS_EQUAL(64, vs::parseSignal("64"));
}

TEST(Signals, RefusesOthers) {
  STRCMP_EQUAL("unknown signal 'SIGFOO'",
               vs::test::expectError([] { vs::parseSignal("SIGFOO"); }).what());
  STRCMP_EQUAL("signal '65' is out of range (0..64)",
               vs::test::expectError([] { vs::parseSignal("65"); }).what());
  vs::test::expectError([] { vs::parseSignal(""); });
}
