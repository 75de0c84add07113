// Two guest directories must not share a name or a context id (issue 9,
// item 15): `vserver web2 stop` would stop web.
#include "guest/registry.h"

#include <cerrno>
#include <fstream>

#include "test_helpers.h"

namespace fs = std::filesystem;

TEST_GROUP(GuestRegistry) {
  vs::test::TempDir temp;
  fs::path root = temp.path();

  void write(const fs::path& relative, const std::string& content) {
    fs::create_directories((root / relative).parent_path());
    std::ofstream(root / relative) << content;
  }
};

TEST(GuestRegistry, ListsTheOtherGuestsWithNameAndContext) {
  write("web/context", "40\n");
  write("db/name", "database\n");
  write(".defaults/context", "99\n");
  const auto others = vs::guest::otherGuests(root, root / "web");
  LONGS_EQUAL(1, others.size());
  STRCMP_EQUAL("database", others[0].name.c_str());
  CHECK_FALSE(others[0].xid);
}

TEST(GuestRegistry, RefusesANameGivenByAnotherNameFile) {
  write("web/context", "40\n");
  write("web2/name", "web\n");
  write("web2/context", "41\n");
  const vs::Error e = vs::test::expectError(
      [&] { vs::guest::refuseSharedIdentity(root / "web2", "web", 41); });
  LONGS_EQUAL(EEXIST, e.errnum());
  STRCMP_EQUAL(("guest name 'web' is also the name of " + (root / "web").string() +
                ": give one of them another (name)")
                   .c_str(),
               e.what());
}

TEST(GuestRegistry, RefusesASharedContextId) {
  write("web/context", "40\n");
  write("db/context", "40\n");
  const vs::Error e =
      vs::test::expectError([&] { vs::guest::refuseSharedIdentity(root / "db", "db", 40); });
  LONGS_EQUAL(EEXIST, e.errnum());
  STRCMP_CONTAINS("context 40 is also the context of", e.what());
}

TEST(GuestRegistry, ControlDistinctGuestsPass) {
  write("web/context", "40\n");
  write("db/context", "41\n");
  vs::guest::refuseSharedIdentity(root / "db", "db", 41);
}
