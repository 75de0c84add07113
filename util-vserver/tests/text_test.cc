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
