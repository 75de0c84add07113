// The order of a group start and stop (apps/init/depends).
#include "boot/dependency_graph.h"

#include "test_helpers.h"

using vs::boot::Dependencies;
using vs::boot::Schedule;

namespace {

std::string joined(const std::vector<std::string>& names) {
  std::string text;
  for (const auto& name : names) text += (text.empty() ? "" : " ") + name;
  return text;
}

std::string levelsText(const Dependencies& graph) {
  std::string text;
  for (const auto& level : vs::boot::levels(graph)) text += "[" + joined(level) + "]";
  return text;
}

// Hands out everything ready, finishing each as it comes: the order a
// one-at-a-time run takes.
std::string drain(Schedule& schedule) {
  std::vector<std::string> order;
  while (const auto name = schedule.next()) {
    order.push_back(*name);
    schedule.finish(*name, true);
  }
  return joined(order);
}

}  // namespace

TEST_GROUP(DependencyGraph){};

TEST(DependencyGraph, LevelsPutDependenciesFirst) {
  const Dependencies graph = {{"web", {"db"}}, {"db", {}}, {"cache", {}}, {"app", {"web", "cache"}}};
  STRCMP_EQUAL("[cache db][web][app]", levelsText(graph).c_str());
}

TEST(DependencyGraph, ControlNoDependenciesIsOneLevel) {
  STRCMP_EQUAL("[a b c]", levelsText({{"c", {}}, {"b", {}}, {"a", {}}}).c_str());
}

TEST(DependencyGraph, FindsACycleAndNamesIt) {
  const Dependencies graph = {{"a", {"b"}}, {"b", {"c"}}, {"c", {"a"}}, {"d", {}}};
  const auto cycle = vs::boot::findCycle(graph);
  CHECK(cycle.has_value());
  STRCMP_EQUAL("a -> b -> c -> a", vs::boot::describeCycle(*cycle).c_str());
}

TEST(DependencyGraph, FindsACycleBehindAnAcyclicStart) {
  const Dependencies graph = {{"a", {"b"}}, {"b", {"c"}}, {"c", {"b"}}};
  STRCMP_EQUAL("b -> c -> b", vs::boot::describeCycle(*vs::boot::findCycle(graph)).c_str());
}

TEST(DependencyGraph, FindsASelfDependency) {
  STRCMP_EQUAL("a -> a", vs::boot::describeCycle(*vs::boot::findCycle({{"a", {"a"}}})).c_str());
}

TEST(DependencyGraph, ControlADiamondIsNoCycle) {
  CHECK_FALSE(vs::boot::findCycle({{"a", {"b", "c"}}, {"b", {"d"}}, {"c", {"d"}}, {"d", {}}}).has_value());
}

TEST(DependencyGraph, LevelsRefuseACycle) {
  const vs::Error e = vs::test::expectError([] { vs::boot::levels({{"a", {"b"}}, {"b", {"a"}}}); });
  STRCMP_EQUAL("dependency cycle: a -> b -> a", e.what());
}

TEST(DependencyGraph, ReversedTurnsEveryEdge) {
  const Dependencies turned = vs::boot::reversed({{"web", {"db"}}, {"db", {}}, {"app", {"web", "db"}}});
  STRCMP_EQUAL("app web", joined(turned.at("db")).c_str());
  STRCMP_EQUAL("app", joined(turned.at("web")).c_str());
  CHECK(turned.at("app").empty());
}

TEST_GROUP(Schedule){};

TEST(Schedule, HandsOutOnlyWhatIsReady) {
  Schedule schedule({{"web", {"db"}}, {"db", {}}, {"cache", {}}}, true);
  STRCMP_EQUAL("cache", schedule.next()->c_str());
  STRCMP_EQUAL("db", schedule.next()->c_str());
  CHECK_FALSE(schedule.next().has_value());  // web waits for db
  schedule.finish("cache", true);
  CHECK_FALSE(schedule.next().has_value());
  schedule.finish("db", true);
  STRCMP_EQUAL("web", schedule.next()->c_str());
  CHECK_FALSE(schedule.done());
  schedule.finish("web", true);
  CHECK(schedule.done());
}

TEST(Schedule, AFailedDependencyBlocksItsDependantsTransitively) {
  Schedule schedule({{"db", {}}, {"web", {"db"}}, {"app", {"web"}}, {"other", {}}}, true);
  STRCMP_EQUAL("db", schedule.next()->c_str());
  const auto blocked = schedule.finish("db", false);
  LONGS_EQUAL(2, blocked.size());
  STRCMP_EQUAL("web", blocked[0].name.c_str());
  STRCMP_EQUAL("db", blocked[0].failedPrerequisite.c_str());
  STRCMP_EQUAL("app", blocked[1].name.c_str());
  STRCMP_EQUAL("web", blocked[1].failedPrerequisite.c_str());
  STRCMP_EQUAL("other", drain(schedule).c_str());
  CHECK(schedule.done());
}

TEST(Schedule, ABrokenGuestFailsBeforeItRuns) {
  Schedule schedule({{"db", {}}, {"web", {"db"}}}, true);
  const auto blocked = schedule.finish("db", false);
  LONGS_EQUAL(1, blocked.size());
  CHECK_FALSE(schedule.next().has_value());
  CHECK(schedule.done());
}

TEST(Schedule, AStopGoesOnPastAFailure) {
  Schedule schedule(vs::boot::reversed({{"db", {}}, {"web", {"db"}}}), false);
  STRCMP_EQUAL("web", schedule.next()->c_str());
  CHECK_FALSE(schedule.next().has_value());  // db waits for web to end
  CHECK(schedule.finish("web", false).empty());
  STRCMP_EQUAL("db", schedule.next()->c_str());
}

TEST(Schedule, WaitingListsWhatNeverBegan) {
  Schedule schedule({{"db", {}}, {"web", {"db"}}, {"app", {"web"}}}, true);
  schedule.next();
  STRCMP_EQUAL("web app", joined(schedule.waiting()).c_str());
}
