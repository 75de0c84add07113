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
  const auto procps = vs::vps::pidColumn("USER         PID %CPU %MEM    VSZ   RSS TTY      STAT");
  LONGS_EQUAL(13, procps->start);
  LONGS_EQUAL(17, procps->end);
  const auto busybox = vs::vps::pidColumn("PID   USER     TIME  COMMAND");
  LONGS_EQUAL(0, busybox->start);
  LONGS_EQUAL(6, busybox->end);
  CHECK_FALSE(vs::vps::pidColumn("NO PIDS HERE").has_value());
}

// busybox: the word at the left of the column, the pids at its right.
TEST(Vps, FindsBusyboxPidsRightOfTheWord) {
  const vs::vps::ColumnSpan column = *vs::vps::pidColumn("PID   COMMAND");
  LONGS_EQUAL(1, *vs::vps::pidOfLine("    1 {init} /bin/busybox sh /init", column));
  STRCMP_EQUAL("    1 MAIN {init}",
               vs::vps::insertColumn("    1 {init}", column, "MAIN", 4).c_str());
  STRCMP_EQUAL("PID CONTEXT   COMMAND",
               vs::vps::insertColumn("PID   COMMAND", column, "CONTEXT", 7).c_str());
}

TEST(Vps, InsertsTheContextAfterThePid) {
  const std::string header = "USER  PID COMMAND";
  const vs::vps::ColumnSpan column = *vs::vps::pidColumn(header);
  STRCMP_EQUAL("USER  PID CONTEXT  COMMAND",
               vs::vps::insertColumn(header, column, "CONTEXT", 8).c_str());
  STRCMP_EQUAL("root   42 web1     sleep 1000",
               vs::vps::insertColumn("root   42 sleep 1000", column, "web1", 8).c_str());
  LONGS_EQUAL(42, *vs::vps::pidOfLine("root   42 sleep 1000", column));
  LONGS_EQUAL(31337, *vs::vps::pidOfLine("root 31337 sleep 1000", column));
  CHECK_FALSE(vs::vps::pidOfLine("root", column).has_value());
  CHECK_FALSE(vs::vps::pidOfLine("root   x1 sleep", column).has_value());
}

// ps -o comm,pid: a name with spaces before the PID column, as a guest may
// give its process, does not shift the column.
TEST(Vps, FindsThePidUnderItsColumnPastANameWithSpaces) {
  const std::string header = "COMMAND             PID";
  const vs::vps::ColumnSpan column = *vs::vps::pidColumn(header);
  LONGS_EQUAL(7, *vs::vps::pidOfLine("a 1 b 2 c             7", column));
  STRCMP_EQUAL("a 1 b 2 c             7 web1",
               vs::vps::insertColumn("a 1 b 2 c             7", column, "web1", 4).c_str());
  LONGS_EQUAL(1, *vs::vps::pidOfLine("init                  1", column));
}
