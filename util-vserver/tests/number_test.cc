#include "number.h"

#include "test_helpers.h"

TEST_GROUP(Number){};

TEST(Number, ParsesInRange) {
  UNSIGNED_LONGS_EQUAL(42, vs::parseXid("42", 2, 65535));
  UNSIGNED_LONGS_EQUAL(2, vs::parseXid("2", 2, 65535));
  UNSIGNED_LONGS_EQUAL(65535, vs::parseXid("65535", 2, 65535));
}

TEST(Number, RefusesOutOfRangeNamingTheRange) {
  const vs::Error low = vs::test::expectError([] { vs::parseXid("1", 2, 65535); });
  STRCMP_EQUAL("context id '1' is out of range (2..65535)", low.what());
  LONGS_EQUAL(0, low.errnum());
  const vs::Error high = vs::test::expectError([] { vs::parseXid("65536", 2, 65535); });
  STRCMP_EQUAL("context id '65536' is out of range (2..65535)", high.what());
  vs::test::expectError([] { vs::parseUnsigned("99999999999999999999999", 0, 10, "n"); });
}

TEST(Number, RefusesWhatIsNotADecimalNumber) {
  for (const char* text : {"", "abc", "42x", "-1", " 42", "0x10", "4 2"}) {
    const vs::Error e = vs::test::expectError([text] { vs::parseXid(text, 2, 65535); });
    STRCMP_EQUAL((std::string("context id '") + text + "' is not a number").c_str(), e.what());
  }
}
