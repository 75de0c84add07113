#include "text.h"

#include "test_helpers.h"

TEST_GROUP(Text){};

TEST(Text, JoinsWithTheSeparatorBetweenItems) {
  STRCMP_EQUAL("", vs::joined({}, ", ").c_str());
  STRCMP_EQUAL("a", vs::joined({"a"}, ", ").c_str());
  STRCMP_EQUAL("a, b, c", vs::joined({"a", "b", "c"}, ", ").c_str());
  STRCMP_EQUAL("a b", vs::joined({"a", "b"}, " ").c_str());
}
