#include "text.h"

#include "test_helpers.h"

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
