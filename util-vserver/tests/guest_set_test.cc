// Which guests a group start acts on: marks, dependencies, disabled.
#include "boot/guest_set.h"

#include <fstream>

#include "test_helpers.h"

namespace fs = std::filesystem;

TEST_GROUP(GuestSet) {
  vs::test::TempDir temp;
  fs::path root = temp.path();
  unsigned nextXid = 40;

  void guest(const std::string& name, const std::string& marks = "",
             const std::string& depends = "") {
    write(name + "/context", std::to_string(nextXid++) + "\n");
    if (!marks.empty()) write(name + "/apps/init/mark", marks);
    if (!depends.empty()) write(name + "/apps/init/depends", depends);
  }
  void write(const std::string& relative, const std::string& content) {
    fs::create_directories((root / relative).parent_path());
    std::ofstream(root / relative) << content;
  }
  std::string dependenciesOf(const vs::boot::GuestSet& set, const std::string& name) {
    std::string text;
    for (const auto& d : set.graph.at(name)) text += (text.empty() ? "" : " ") + d;
    return text;
  }
};

TEST(GuestSet, TakesTheMarkedGuestsOnly) {
  guest("web", "default\n");
  guest("db", "other\ndefault\n");
  guest("test", "other\n");
  guest("plain");
  const auto set = vs::boot::selectGuests(root, "default");
  LONGS_EQUAL(2, set.graph.size());
  CHECK(set.graph.count("web") && set.graph.count("db"));
  CHECK(set.broken.empty());
}

TEST(GuestSet, KeepsEachGuestsStartLimit) {
  guest("web", "default\n", "db\n");
  guest("db");
  write("web/apps/init/restart-timeout", "10\n");
  const auto set = vs::boot::selectGuests(root, "default");
  LONGS_EQUAL(10, set.startLimits.at("web").count());
  LONGS_EQUAL(60, set.startLimits.at("db").count());
}

TEST(GuestSet, AMarkIsAWholeLine) {
  guest("web", "defaults\n# default\n");
  CHECK(vs::boot::selectGuests(root, "default").graph.empty());
}

TEST(GuestSet, PullsInDependenciesTransitively) {
  guest("app", "default\n", "web\n");
  guest("web", "", "db\n");
  guest("db");
  guest("unrelated");
  const auto set = vs::boot::selectGuests(root, "default");
  LONGS_EQUAL(3, set.graph.size());
  STRCMP_EQUAL("web", dependenciesOf(set, "app").c_str());
  STRCMP_EQUAL("db", dependenciesOf(set, "web").c_str());
  STRCMP_EQUAL("", dependenciesOf(set, "db").c_str());
}

TEST(GuestSet, SkipsDisabledGuests) {
  guest("web", "default\n");
  guest("old", "default\n");
  write("old/disabled", "");
  const auto set = vs::boot::selectGuests(root, "default");
  LONGS_EQUAL(1, set.graph.size());
  LONGS_EQUAL(1, set.disabled.size());
  STRCMP_EQUAL("old", set.disabled[0].c_str());
}

TEST(GuestSet, AMissingDependencyBreaksItsDependant) {
  guest("web", "default\n", "db\n");
  const auto set = vs::boot::selectGuests(root, "default");
  STRCMP_EQUAL(("it depends on db, which is not a guest (no " + (root / "db").string() + ")").c_str(),
               set.broken.at("web").c_str());
}

TEST(GuestSet, ADisabledDependencyBreaksItsDependant) {
  guest("web", "default\n", "db\n");
  guest("db");
  write("db/disabled", "");
  const auto set = vs::boot::selectGuests(root, "default");
  STRCMP_EQUAL("it depends on db, which is disabled", set.broken.at("web").c_str());
  CHECK_FALSE(set.graph.count("db"));
}

TEST(GuestSet, AConfigurationErrorBreaksOnlyThatGuest) {
  guest("web", "default\n");
  guest("bad", "default\n");
  write("bad/cflags", "no_such_flag\n");
  const auto set = vs::boot::selectGuests(root, "default");
  CHECK_FALSE(set.broken.count("web"));
  STRCMP_CONTAINS("bad/cflags:1:", set.broken.at("bad").c_str());
}

TEST(GuestSet, KeepsACycleForTheCallerToName) {
  guest("a", "default\n", "b\n");
  guest("b", "", "a\n");
  const auto set = vs::boot::selectGuests(root, "default");
  STRCMP_EQUAL("a -> b -> a", vs::boot::describeCycle(*vs::boot::findCycle(set.graph)).c_str());
}
