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

TEST(Signals, DeferredInterruptionNotesTheFirstSignal) {
  {
    const vs::DeferredInterruption interruption;
    interruption.check("nothing came");
    raise(SIGTERM);
    raise(SIGHUP);
    const auto e = vs::test::expectError([&] { interruption.check("the work"); });
    STRCMP_EQUAL("the work (interrupted by SIGTERM)", e.what());
    LONGS_EQUAL(128 + SIGTERM, e.exitStatus());
  }
  struct sigaction now {};
  sigaction(SIGTERM, nullptr, &now);
  CHECK(now.sa_handler == SIG_DFL);
}

TEST(Signals, DeferredInterruptionLeavesIgnoredSignalsIgnored) {
  signal(SIGHUP, SIG_IGN);
  {
    const vs::DeferredInterruption interruption;
    raise(SIGHUP);
    interruption.check("an ignored signal");
  }
  struct sigaction now {};
  sigaction(SIGHUP, nullptr, &now);
  CHECK(now.sa_handler == SIG_IGN);
  signal(SIGHUP, SIG_DFL);
}
