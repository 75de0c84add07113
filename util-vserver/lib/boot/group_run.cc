#include "group_run.h"

#include <poll.h>
#include <signal.h>

#include <algorithm>
#include <cerrno>
#include <map>
#include <optional>

#include "../error.h"
#include "../guest/config.h"
#include "../guest/lock.h"
#include "../guest/registry.h"
#include "../guest/state.h"
#include "../guest/stop.h"
#include "../process.h"
#include "../subprocess.h"
#include "../vserver_client.h"

namespace vs::boot {

namespace {

using Clock = std::chrono::steady_clock;

// How long the kernel gets to end a context killed at the time limit.
constexpr unsigned kFinalKillWaitSeconds = 5;

const char* verbOf(Action action) { return action == Action::Start ? "start" : "stop"; }
const char* pastOf(Action action) { return action == Action::Start ? "started" : "stopped"; }

Dependencies withoutEdges(const Dependencies& graph) {
  Dependencies result;
  for (const auto& [name, dependencies] : graph) result[name];
  return result;
}

// The order a stop follows: dependants first; none when the
// configuration holds a cycle.
Dependencies stopOrder(const Dependencies& graph, const SystemLog& log) {
  if (const auto cycle = findCycle(graph)) {
    log.error("dependency cycle: " + describeCycle(*cycle) + "; stopping without order");
    return withoutEdges(graph);
  }
  return reversed(graph);
}

class GroupRun {
 public:
  GroupRun(const GuestSet& set, const GroupRunOptions& options, const SystemLog& log)
      : set_(set),
        options_(options),
        log_(log),
        schedule_(options.action == Action::Start ? set.graph : stopOrder(set.graph, log),
                  options.action == Action::Start),
        deadline_(Clock::now() + options.timeout) {}

  std::vector<std::string> run();

 private:
  struct Job {
    ChildProcess child;
    // A start's own, at its guest's limit if that comes first; else the
    // set's.
    Clock::time_point deadline;

    // Killing a start undoes it; a stop leaves the rest to killLeftOver.
    void kill() const {
      signalPidfd(child.pidfd.get(), SIGKILL);
      waitForExitStatus(child.pid);
    }
  };

  void launchReady();
  std::chrono::seconds startLimitOf(const std::string& name) const;
  // Waits for jobs to end or pass their own limit; false when the set's
  // time limit came.
  bool awaitJobs();
  void reap(int pidfd);
  void cutOverdueStarts(Clock::time_point now);
  void finish(const std::string& name, bool ok, const std::string& line);
  void reachTimeLimit();
  void killLeftOver(const std::string& name);

  const GuestSet& set_;
  const GroupRunOptions& options_;
  const SystemLog& log_;
  Schedule schedule_;
  Clock::time_point deadline_;
  std::map<std::string, Job> running_;
  std::vector<std::string> failed_;
};

std::vector<std::string> GroupRun::run() {
  if (options_.action == Action::Start) {
    for (const auto& [name, why] : set_.broken) {
      // One broken in turn fails its dependants, some of them broken too.
      const auto waiting = schedule_.waiting();
      if (std::find(waiting.begin(), waiting.end(), name) != waiting.end())
        finish(name, false, name + ": not started: " + why);
    }
  }
  while (!schedule_.done()) {
    launchReady();
    if (!awaitJobs()) {
      reachTimeLimit();
      break;
    }
  }
  return failed_;
}

void GroupRun::launchReady() {
  while (running_.size() < options_.jobs) {
    const auto name = schedule_.next();
    if (!name) return;
    const std::string cfgdir = (options_.configRoot / *name).string();
    const Clock::time_point deadline = options_.action == Action::Start
                                           ? std::min(deadline_, Clock::now() + startLimitOf(*name))
                                           : deadline_;
    try {
      running_.emplace(*name, Job{spawnCommand({options_.vserver.string(), cfgdir,
                                                verbOf(options_.action)}),
                                  deadline});
    } catch (const Error& e) {
      finish(*name, false, *name + ": " + verbOf(options_.action) + " failed: " + e.what());
    }
  }
}

// Every guest a start launches read its configuration, limit included.
std::chrono::seconds GroupRun::startLimitOf(const std::string& name) const {
  return set_.startLimits.at(name);
}

bool GroupRun::awaitJobs() {
  std::vector<pollfd> fds;
  Clock::time_point wake = deadline_;
  for (const auto& [name, job] : running_) {
    fds.push_back({job.child.pidfd.get(), POLLIN, 0});
    wake = std::min(wake, job.deadline);
  }
  const auto left = std::chrono::ceil<std::chrono::milliseconds>(wake - Clock::now());
  if (poll(fds.data(), fds.size(), static_cast<int>(std::max<int64_t>(left.count(), 0))) < 0 &&
      errno != EINTR)
    throwErrno("poll");
  for (const pollfd& fd : fds)
    if (fd.revents) reap(fd.fd);
  const Clock::time_point now = Clock::now();
  if (now >= deadline_) return false;
  cutOverdueStarts(now);
  return true;
}

void GroupRun::reap(int pidfd) {
  const auto job = std::find_if(running_.begin(), running_.end(), [&](const auto& entry) {
    return entry.second.child.pidfd.get() == pidfd;
  });
  const std::string name = job->first;
  const int status = waitForExitStatus(job->second.child.pid);
  running_.erase(job);
  if (status == 0)
    finish(name, true, name + ": " + pastOf(options_.action));
  else
    finish(name, false, name + ": " + verbOf(options_.action) + " failed (" +
                            describeStatus(status) + ")");
}

// A start that outlives its guest's own limit is killed, as at the set's
// time limit (which undoes it, unless it was in its post-start hooks): a
// guest whose start never ends (its rc hangs) holds a slot no longer than
// that, and fails with its dependants.  Jobs whose limit is the set's are
// left to reachTimeLimit().
void GroupRun::cutOverdueStarts(Clock::time_point now) {
  for (auto job = running_.begin(); job != running_.end();) {
    if (job->second.deadline > now || job->second.deadline >= deadline_) {
      ++job;
      continue;
    }
    const std::string name = job->first;
    job->second.kill();
    job = running_.erase(job);
    finish(name, false, name + ": start cut short at its apps/init/restart-timeout (" +
                            std::to_string(startLimitOf(name).count()) + " s)");
  }
}

void GroupRun::finish(const std::string& name, bool ok, const std::string& line) {
  if (ok) {
    log_.info(line);
  } else {
    log_.error(line);
    failed_.push_back(name);
  }
  for (const Blocked& blocked : schedule_.finish(name, ok)) {
    log_.error(blocked.name + ": not started: it depends on " + blocked.failedPrerequisite +
               ", which failed");
    failed_.push_back(blocked.name);
  }
}

void GroupRun::reachTimeLimit() {
  const std::string limit = "the time limit (" + std::to_string(options_.timeout.count()) + " s)";
  for (const auto& [name, job] : running_) {
    job.kill();
    log_.error(name + ": " + verbOf(options_.action) + " cut short at " + limit);
    failed_.push_back(name);
  }
  running_.clear();
  for (const std::string& name : schedule_.waiting()) {
    log_.error(name + ": not " + pastOf(options_.action) + ": " + limit + " was reached");
    failed_.push_back(name);
  }
  if (options_.action == Action::Stop) {
    for (const auto& [name, dependencies] : set_.graph) killLeftOver(name);
  }
}

// What the stop sequence did not end in time ends by the kernel's kill
// of the whole context; then the host side is cleaned up as a stop does.
void GroupRun::killLeftOver(const std::string& name) {
  try {
    guest::GuestConfig config =
        guest::readStopEssentials(guest::locateGuest(name, options_.configRoot));
    config.xid = guest::contextOf(config.location.cfgdir);
    if (!config.xid) return;
    config.init.killSequence = {{SIGKILL, kFinalKillWaitSeconds}};
    VserverClient client;
    const guest::GuestLock lock(config.name);
    client.watchExits();
    if (!guest::runningContext(client, config)) return;
    guest::allowContextToEnd(client, *config.xid);
    guest::killGuest(client, config);
    guest::finishStoppedGuest(config);
    log_.error(name + ": killed");
  } catch (const Error& e) {
    log_.error(name + ": cannot kill it: " + e.what());
  }
}

}  // namespace

std::vector<std::string> runGroup(const GuestSet& set, const GroupRunOptions& options,
                                  const SystemLog& log) {
  return GroupRun(set, options, log).run();
}

}  // namespace vs::boot
