#include "commands/vps.h"

#include "test_helpers.h"

TEST_GROUP(Vps){};

TEST(Vps, LabelsContextsAsUtilVserver) {
  const std::map<uint32_t, std::string> names = {{42, "web1"}, {43, ""}};
  STRCMP_EQUAL("MAIN", vs::vps::contextLabel(0, names).c_str());
  STRCMP_EQUAL("ALL_PROC", vs::vps::contextLabel(1, names).c_str());
  STRCMP_EQUAL("web1", vs::vps::contextLabel(42, names).c_str());
  STRCMP_EQUAL("43", vs::vps::contextLabel(43, names).c_str());
  STRCMP_EQUAL("44", vs::vps::contextLabel(44, names).c_str());
  STRCMP_EQUAL("ERR", vs::vps::contextLabel(std::nullopt, names).c_str());
}

TEST(Vps, FindsThePidColumnOfProcpsAndBusybox) {
  LONGS_EQUAL(1, *vs::vps::pidColumn("USER         PID %CPU %MEM    VSZ   RSS TTY      STAT"));
  LONGS_EQUAL(0, *vs::vps::pidColumn("PID   USER     TIME  COMMAND"));
  CHECK_FALSE(vs::vps::pidColumn("NO PIDS HERE").has_value());
}

TEST(Vps, InsertsTheContextAfterThePid) {
  STRCMP_EQUAL("  PID CONTEXT  USER", vs::vps::insertColumn("  PID USER", 0, "CONTEXT", 8).c_str());
  STRCMP_EQUAL("root 42 web1     sleep 1000",
               vs::vps::insertColumn("root 42 sleep 1000", 1, "web1", 8).c_str());
  LONGS_EQUAL(42, *vs::vps::pidOfLine("root 42 sleep 1000", 1));
  CHECK_FALSE(vs::vps::pidOfLine("root", 1).has_value());
  CHECK_FALSE(vs::vps::pidOfLine("root x1 sleep", 1).has_value());
}
