// The order of a group start or stop (apps/init/depends): which guest may
// begin once which others have finished.  Pure, so the unit tests drive it
// without guests or processes.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace vs::boot {

// Each guest with the guests it depends on; every one of those is a key.
using Dependencies = std::map<std::string, std::vector<std::string>>;

// A dependency cycle as its path, first name repeated at the end
// ("a", "b", "a"); nothing when there is none.  The same graph always
// gives the same cycle.
std::optional<std::vector<std::string>> findCycle(const Dependencies& graph);

// "a -> b -> a", for messages.
std::string describeCycle(const std::vector<std::string>& cycle);

// Start levels: level 0 depends on nothing, each later level only on
// guests of the levels before it; names sorted within a level.  Throws a
// usage Error naming the cycle when there is one.
std::vector<std::vector<std::string>> levels(const Dependencies& graph);

// The edges turned round, for a stop: a guest waits for its dependants.
Dependencies reversed(const Dependencies& graph);

// A guest that can no longer run because one it waits for failed.
struct Blocked {
  std::string name;
  std::string failedPrerequisite;
};

// Hands out guests as their prerequisites finish.  A start fails a guest
// whose prerequisite failed (and so on down the line); a stop goes on
// regardless (failuresBlock false), as a dependant that would not stop
// must not keep the rest running at shutdown.
class Schedule {
 public:
  Schedule(const Dependencies& prerequisites, bool failuresBlock);

  // The next guest whose prerequisites have all finished, lowest level
  // first, then by name; it counts as running from now on.
  std::optional<std::string> next();

  // Records how name ended; it may also be a guest that never ran (its
  // configuration is broken).  Returns the guests this failure blocks.
  std::vector<Blocked> finish(const std::string& name, bool ok);

  // The guests that have not begun, in order.
  std::vector<std::string> waiting() const;

  bool done() const { return waiting_.empty() && running_.empty(); }

 private:
  bool ready(const std::string& name) const;

  Dependencies prerequisites_;
  Dependencies dependants_;
  std::vector<std::string> order_;  // level by level
  std::set<std::string> waiting_, running_, finished_;
  bool failuresBlock_;
};

}  // namespace vs::boot
