#include "dependency_graph.h"

#include <algorithm>

#include "../error.h"

namespace vs::boot {

namespace {

enum class Mark { Unvisited, OnPath, Done };

// Depth-first; path holds the guests being visited, so meeting one of
// them again closes a cycle.
bool cycleFrom(const Dependencies& graph, const std::string& name,
               std::map<std::string, Mark>& marks, std::vector<std::string>& path) {
  marks[name] = Mark::OnPath;
  path.push_back(name);
  for (const std::string& dependency : graph.at(name)) {
    if (marks[dependency] == Mark::OnPath) {
      path.erase(path.begin(), std::find(path.begin(), path.end(), dependency));
      path.push_back(dependency);
      return true;
    }
    if (marks[dependency] == Mark::Unvisited && cycleFrom(graph, dependency, marks, path))
      return true;
  }
  marks[name] = Mark::Done;
  path.pop_back();
  return false;
}

}  // namespace

std::optional<std::vector<std::string>> findCycle(const Dependencies& graph) {
  std::map<std::string, Mark> marks;
  for (const auto& [name, dependencies] : graph) {
    std::vector<std::string> path;
    if (marks[name] == Mark::Unvisited && cycleFrom(graph, name, marks, path)) return path;
  }
  return std::nullopt;
}

std::string describeCycle(const std::vector<std::string>& cycle) {
  std::string text;
  for (const std::string& name : cycle) text += (text.empty() ? "" : " -> ") + name;
  return text;
}

std::vector<std::vector<std::string>> levels(const Dependencies& graph) {
  if (const auto cycle = findCycle(graph)) throwUsage("dependency cycle: " + describeCycle(*cycle));
  std::map<std::string, size_t> levelOf;
  std::vector<std::vector<std::string>> result;
  // Each pass places the guests whose dependencies all have a level.
  while (levelOf.size() < graph.size()) {
    std::vector<std::string> level;
    for (const auto& [name, dependencies] : graph) {
      if (levelOf.count(name)) continue;
      const bool placed = std::all_of(dependencies.begin(), dependencies.end(), [&](const auto& d) {
        const auto found = levelOf.find(d);
        return found != levelOf.end() && found->second < result.size();
      });
      if (placed) level.push_back(name);
    }
    for (const std::string& name : level) levelOf[name] = result.size();
    result.push_back(std::move(level));
  }
  return result;
}

Dependencies reversed(const Dependencies& graph) {
  Dependencies result;
  for (const auto& [name, dependencies] : graph) {
    result[name];
    for (const std::string& dependency : dependencies) result[dependency].push_back(name);
  }
  return result;
}

Schedule::Schedule(const Dependencies& prerequisites, bool failuresBlock)
    : prerequisites_(prerequisites),
      dependants_(reversed(prerequisites)),
      failuresBlock_(failuresBlock) {
  for (const auto& level : levels(prerequisites))
    order_.insert(order_.end(), level.begin(), level.end());
  waiting_.insert(order_.begin(), order_.end());
}

bool Schedule::ready(const std::string& name) const {
  const auto& needed = prerequisites_.at(name);
  return std::all_of(needed.begin(), needed.end(),
                     [&](const std::string& p) { return finished_.count(p) != 0; });
}

std::optional<std::string> Schedule::next() {
  for (const std::string& name : order_) {
    if (waiting_.count(name) && ready(name)) {
      waiting_.erase(name);
      running_.insert(name);
      return name;
    }
  }
  return std::nullopt;
}

std::vector<Blocked> Schedule::finish(const std::string& name, bool ok) {
  running_.erase(name);
  waiting_.erase(name);
  finished_.insert(name);
  std::vector<Blocked> blocked;
  if (ok || !failuresBlock_) return blocked;
  for (const std::string& dependant : dependants_.at(name)) {
    if (!waiting_.count(dependant)) continue;
    blocked.push_back({dependant, name});
    const auto further = finish(dependant, false);
    blocked.insert(blocked.end(), further.begin(), further.end());
  }
  return blocked;
}

std::vector<std::string> Schedule::waiting() const {
  std::vector<std::string> result;
  for (const std::string& name : order_)
    if (waiting_.count(name)) result.push_back(name);
  return result;
}

}  // namespace vs::boot
