#include "text.h"

#include <fcntl.h>
#include <unistd.h>

#include "test_helpers.h"
#include "unique_fd.h"

TEST_GROUP(Text){};

TEST(Text, JoinsWithTheSeparatorBetweenItems) {
  STRCMP_EQUAL("", vs::joined({}, ", ").c_str());
  STRCMP_EQUAL("a", vs::joined({"a"}, ", ").c_str());
  STRCMP_EQUAL("a, b, c", vs::joined({"a", "b", "c"}, ", ").c_str());
  STRCMP_EQUAL("a b", vs::joined({"a", "b"}, " ").c_str());
}

TEST(Text, PrintableKeepsPrintableTextAndUtf8) {
  STRCMP_EQUAL("web1: /var/www/caf\xc3\xa9 \xe2\x82\xac", vs::printable("web1: /var/www/caf\xc3\xa9 \xe2\x82\xac").c_str());
}

TEST(Text, PrintableEscapesControlCharacters) {
  STRCMP_EQUAL("a\\x1b[2Jb\\x0a<0>c\\x7f\\x00", vs::printable(std::string("a\x1b[2Jb\n<0>c\x7f\0", 13)).c_str());
}

TEST(Text, PrintableEscapesC1ControlsAndBadUtf8) {
  // U+009B (CSI) in UTF-8, a raw 8-bit CSI, an overlong '/', a lone lead
  // byte at the end.
  STRCMP_EQUAL("\\xc2\\x9b1m\\x9b\\xc0\\xaf\\xe2", vs::printable("\xc2\x9b" "1m\x9b\xc0\xaf\xe2").c_str());
}

TEST(Text, PrintableEscapesBidirectionalOverrides) {
  // U+202E RIGHT-TO-LEFT OVERRIDE, U+2066 LEFT-TO-RIGHT ISOLATE, U+200F
  // RIGHT-TO-LEFT MARK; U+2030 PER MILLE SIGN stays.
  STRCMP_EQUAL("a\\xe2\\x80\\xaeb\\xe2\\x81\\xa6c\\xe2\\x80\\x8fd\xe2\x80\xb0",
               vs::printable("a\xe2\x80\xae" "b\xe2\x81\xa6" "c\xe2\x80\x8f" "d\xe2\x80\xb0").c_str());
}

TEST(Text, OnlyARegularFileIsNoWayToATerminal) {
  vs::test::TempDir dir;
  const vs::UniqueFd file(open((dir.path() / "log").c_str(), O_CREAT | O_WRONLY | O_CLOEXEC, 0600));
  CHECK_FALSE(vs::mayReachTerminal(file.get()));
  int ends[2];
  CHECK_EQUAL(0, pipe2(ends, O_CLOEXEC));
  const vs::UniqueFd reading(ends[0]), writing(ends[1]);
  CHECK_TRUE(vs::mayReachTerminal(writing.get()));
  const vs::UniqueFd null(open("/dev/null", O_WRONLY | O_CLOEXEC));
  CHECK_TRUE(vs::mayReachTerminal(null.get()));
}

TEST(Text, TerminalTextPassesLinesTabsReturnsAndColours) {
  vs::TerminalText terminal;
  const std::string boot = "[\x1b[32m ok \x1b[39;49m] Starting\tcron\r\ncaf\xc3\xa9\n";
  STRCMP_EQUAL(boot.c_str(), terminal.pass(boot).c_str());
}

TEST(Text, TerminalTextEscapesOtherSequences) {
  vs::TerminalText terminal;
  // Clear the screen, a window title, a request for the terminal's
  // answer, a raw 8-bit CSI, U+009B in UTF-8, a colour setting too long
  // to be one.
  const std::string longColour = "\x1b[" + std::string(40, '1') + "m";
  STRCMP_EQUAL(("\\x1b[2J\\x1b]0;x\\x07\\x1b[6n\\x9b1m\\xc2\\x9b\\x1b[" + std::string(40, '1') + "m").c_str(),
               terminal.pass("\x1b[2J\x1b]0;x\x07\x1b[6n\x9b" "1m\xc2\x9b" + longColour).c_str());
}

TEST(Text, TerminalTextJoinsSequencesCutBetweenPieces) {
  vs::TerminalText terminal;
  STRCMP_EQUAL("a", terminal.pass("a\x1b[3").c_str());
  STRCMP_EQUAL("\x1b[31mb", terminal.pass("1mb\xe2").c_str());
  STRCMP_EQUAL("", terminal.pass("\x82").c_str());
  STRCMP_EQUAL("\xe2\x82\xac", terminal.pass("\xac").c_str());
  STRCMP_EQUAL("", terminal.pass("\x1b").c_str());
  STRCMP_EQUAL("\\x1bH", terminal.pass("H").c_str());
}

TEST(Text, TerminalTextFinishesWithWhatWasHeldAndAColourReset) {
  vs::TerminalText terminal;
  STRCMP_EQUAL("\x1b[8mhidden", terminal.pass("\x1b[8mhidden\x1b[").c_str());
  STRCMP_EQUAL("\\x1b[\x1b[0m", terminal.finish().c_str());
  vs::TerminalText plain;
  STRCMP_EQUAL("plain\n", plain.pass("plain\n").c_str());
  STRCMP_EQUAL("", plain.finish().c_str());
}
