#include "guest_set.h"

#include <algorithm>
#include <optional>
#include <set>

#include "../guest/config.h"
#include "../guest/config_files.h"

namespace vs::boot {

namespace fs = std::filesystem;

namespace {

bool isMarked(const fs::path& cfgdir, const std::string& mark) {
  const auto marks = guest::readList(cfgdir / "apps/init/mark");
  return marks && std::any_of(marks->begin(), marks->end(),
                              [&](const guest::ListItem& item) { return item.text == mark; });
}

std::vector<std::string> markedGuests(const fs::path& configRoot, const std::string& mark) {
  std::vector<std::string> names;
  std::error_code error;
  for (const auto& entry : fs::directory_iterator(configRoot, error)) {
    const std::string name = entry.path().filename().string();
    if (name[0] != '.' && entry.is_directory(error) && isMarked(entry.path(), mark))
      names.push_back(name);
  }
  std::sort(names.begin(), names.end());
  return names;
}

class Selection {
 public:
  explicit Selection(const fs::path& configRoot) : root_(configRoot) {}

  void addMarked(const std::string& name);
  GuestSet result() { return std::move(set_); }

 private:
  // Reads name's configuration; false when it cannot join the set.
  bool add(const std::string& name);
  std::optional<std::string> dependencyProblem(const std::string& dependency);

  fs::path root_;
  GuestSet set_;
  std::set<std::string> disabled_;
};

void Selection::addMarked(const std::string& name) {
  if (!add(name) && disabled_.count(name)) set_.disabled.push_back(name);
}

bool Selection::add(const std::string& name) {
  if (set_.graph.count(name)) return !set_.broken.count(name);
  if (disabled_.count(name)) return false;
  std::vector<std::string> depends;
  try {
    const guest::GuestConfig config = guest::readGuestConfig(guest::locateGuest(name, root_));
    if (config.disabled) {
      disabled_.insert(name);
      return false;
    }
    depends = config.init.depends;
    set_.startLimits[name] = std::chrono::seconds(config.init.unwatchedStartSeconds);
  } catch (const Error& e) {
    set_.graph[name];
    set_.broken[name] = e.what();
    return false;
  }
  set_.graph[name];  // before its dependencies, so that a cycle ends here
  for (const std::string& dependency : depends) {
    if (const auto problem = dependencyProblem(dependency)) {
      set_.broken[name] = *problem;
      continue;
    }
    set_.graph[name].push_back(dependency);
  }
  return !set_.broken.count(name);
}

std::optional<std::string> Selection::dependencyProblem(const std::string& dependency) {
  std::error_code error;
  if (!fs::is_directory(root_ / dependency, error))
    return "it depends on " + dependency + ", which is not a guest (no " +
           (root_ / dependency).string() + ")";
  add(dependency);
  if (disabled_.count(dependency))
    return "it depends on " + dependency + ", which is disabled";
  return std::nullopt;
}

}  // namespace

GuestSet selectGuests(const fs::path& configRoot, const std::string& mark) {
  Selection selection(configRoot);
  for (const std::string& name : markedGuests(configRoot, mark)) selection.addMarked(name);
  return selection.result();
}

}  // namespace vs::boot
