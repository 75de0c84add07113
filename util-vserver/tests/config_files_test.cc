#include "guest/config_files.h"

#include <filesystem>
#include <fstream>
#include <string>

#include "test_helpers.h"

namespace {

namespace fs = std::filesystem;
using vs::guest::ConfigSnapshot;
using vs::guest::fileExists;
using vs::guest::readList;
using vs::guest::readScalar;

void writeText(const fs::path& file, const std::string& text) { std::ofstream(file) << text; }

}  // namespace

TEST_GROUP(ConfigFiles){};

TEST(ConfigFiles, AScalarIsTheFirstLineTrimmed) {
  const vs::test::TempDir dir;
  writeText(dir.path() / "context", "  42 \r\n43\n");
  STRCMP_EQUAL("42", readScalar(dir.path() / "context")->c_str());
  writeText(dir.path() / "empty", "");
  STRCMP_EQUAL("", readScalar(dir.path() / "empty")->c_str());
  CHECK_FALSE(readScalar(dir.path() / "absent"));
  CHECK_FALSE(readScalar(dir.path() / "absent" / "below"));
  CHECK_FALSE(readScalar(dir.path() / "context" / "below"));  // ENOTDIR
}

TEST(ConfigFiles, AListSkipsBlanksAndCommentsUnlessRaw) {
  const vs::test::TempDir dir;
  writeText(dir.path() / "list", "a\n\n  # note\n b \n");
  const auto items = readList(dir.path() / "list");
  LONGS_EQUAL(2, items->size());
  STRCMP_EQUAL("b", (*items)[1].text.c_str());
  LONGS_EQUAL(4, (*items)[1].line);
  // As getline gives them: no empty item after the last newline, one for
  // an empty line before it, and a last line without a newline.
  writeText(dir.path() / "raw", "a\n\nb");
  const auto raw = readList(dir.path() / "raw", true);
  LONGS_EQUAL(3, raw->size());
  STRCMP_EQUAL("", (*raw)[1].text.c_str());
  writeText(dir.path() / "raw", "a\n");
  LONGS_EQUAL(1, readList(dir.path() / "raw", true)->size());
}

// What a live snapshot says is missing, it says from the listings it
// took: a file made after its directory was listed stays missing.
TEST(ConfigFiles, ASnapshotAnswersMissingFromTheListingsItTook) {
  const vs::test::TempDir dir;
  writeText(dir.path() / "present", "1\n");
  {
    const ConfigSnapshot snapshot;
    STRCMP_EQUAL("1", readScalar(dir.path() / "present")->c_str());
    writeText(dir.path() / "later", "2\n");
    CHECK_FALSE(readScalar(dir.path() / "later"));
    CHECK_FALSE(fileExists(dir.path() / "later"));
    CHECK_FALSE(readScalar(dir.path() / "sub" / "deeper"));
    fs::create_directory(dir.path() / "sub");
    writeText(dir.path() / "sub" / "deeper", "3\n");
    CHECK_FALSE(readScalar(dir.path() / "sub" / "deeper"));
    CHECK(vs::guest::sortedEntries(dir.path() / "sub").empty());
    {
      const ConfigSnapshot nested;
      STRCMP_EQUAL("3", readScalar(dir.path() / "sub" / "deeper")->c_str());
    }
    CHECK_FALSE(fileExists(dir.path() / "later"));
  }
  STRCMP_EQUAL("2", readScalar(dir.path() / "later")->c_str());
  STRCMP_EQUAL("3", readScalar(dir.path() / "sub" / "deeper")->c_str());
}
