#include "start_vservers.h"

#include <popt.h>

#include <cstdio>
#include <filesystem>
#include <optional>

#include "../boot/guest_set.h"
#include "../error.h"
#include "../guest/config.h"
#include "../guest/manage.h"
#include "../number.h"
#include "../popt_parser.h"
#include "../system_log.h"
#include "../text.h"
#include "../tool.h"

namespace vs::start_vservers {

namespace {

constexpr const char* kIdent = "start-vservers";
constexpr unsigned kMaxJobs = 1024;

enum OptionCode { kStart = 1, kStop, kStatus, kMark, kJobs, kTimeout };

std::string marked(const Options& options) { return "marked '" + options.mark + "'"; }

// The vserver program next to us: installed together, or both in the
// build directory.
std::filesystem::path vserverProgram() {
  return std::filesystem::read_symlink("/proc/self/exe").parent_path() / "vserver";
}

void reportDisabled(const boot::GuestSet& set, const SystemLog& log) {
  for (const std::string& name : set.disabled) log.info(name + ": skipped (disabled)");
}

int runAction(const Options& options, const boot::GuestSet& set, const SystemLog& log) {
  boot::GroupRunOptions run;
  run.action = options.mode == Mode::Start ? boot::Action::Start : boot::Action::Stop;
  run.jobs = options.jobs;
  run.timeout = options.timeout;
  run.configRoot = guest::kConfigRoot;
  run.vserver = vserverProgram();
  const std::vector<std::string> failed = boot::runGroup(set, run, log);
  const size_t total = set.graph.size();
  const std::string summary = std::string(options.mode == Mode::Start ? "started " : "stopped ") +
                              std::to_string(total - failed.size()) + " of " +
                              std::to_string(total) + " guests " + marked(options);
  if (failed.empty()) {
    log.info(summary);
    return 0;
  }
  log.error(summary + "; failed: " + joined(failed, ", "));
  return kExitSomeFailed;
}

bool printGuestStatus(const std::string& name, const boot::GuestSet& set) {
  const auto broken = set.broken.find(name);
  if (broken != set.broken.end()) {
    std::printf("%s: broken: %s\n", name.c_str(), broken->second.c_str());
    return false;
  }
  const bool running =
      guest::guestRunning(guest::readGuestConfig(guest::locateGuest(name, guest::kConfigRoot))) == 0;
  std::printf("%s: %s\n", name.c_str(), running ? "running" : "stopped");
  return running;
}

int printStatus(const Options& options, const boot::GuestSet& set) {
  size_t running = 0;
  for (const auto& level : boot::levels(set.graph))
    for (const std::string& name : level) running += printGuestStatus(name, set);
  for (const std::string& name : set.disabled) std::printf("%s: disabled\n", name.c_str());
  std::printf("%zu of %zu guests %s are running\n", running, set.graph.size(),
              marked(options).c_str());
  return running == set.graph.size() ? 0 : kExitSomeStopped;
}

}  // namespace

Options parseOptions(int argc, const char** argv) {
  const poptOption table[] = {
      {"start", 0, POPT_ARG_NONE, nullptr, kStart, "start the guests, dependencies first", nullptr},
      {"stop", 0, POPT_ARG_NONE, nullptr, kStop, "stop them, dependants first", nullptr},
      {"status", 0, POPT_ARG_NONE, nullptr, kStatus, "say which of them run", nullptr},
      {"mark", 'm', POPT_ARG_STRING, nullptr, kMark, "the guests' mark (default)", "MARK"},
      {"jobs", 'j', POPT_ARG_STRING, nullptr, kJobs, "guests handled at once (6)", "N"},
      {"timeout", 't', POPT_ARG_STRING, nullptr, kTimeout,
       "time limit of the whole run, in seconds (180)", "SECONDS"},
      POPT_AUTOHELP POPT_TABLEEND};
  Options options;
  std::optional<Mode> mode;
  const auto onOption = [&](int code, const char* arg) {
    switch (code) {
      case kStart:
      case kStop:
      case kStatus: {
        const Mode chosen = code == kStart ? Mode::Start : code == kStop ? Mode::Stop : Mode::Status;
        if (mode && *mode != chosen) throwUsage("give only one of --start, --stop and --status");
        mode = chosen;
        break;
      }
      case kMark:
        if (!*arg) throwUsage("--mark: an empty mark");
        options.mark = arg;
        break;
      case kJobs:
        options.jobs = static_cast<unsigned>(parseUnsigned(arg, 1, kMaxJobs, "--jobs"));
        break;
      case kTimeout:
        options.timeout = std::chrono::seconds(
            parseUnsigned(arg, 1, guest::kMaxStartTimeoutSeconds, "--timeout"));
        break;
      default:
        break;
    }
  };
  const PoptParser parser(kIdent, argc, argv, table,
                          "[--mark MARK] [--jobs N] [--timeout SECONDS] (--start|--stop|--status)",
                          onOption);
  if (!parser.arguments().empty())
    throwUsage("no arguments expected, got '" + parser.arguments()[0] + "'");
  if (!mode) throwUsage("give one of --start, --stop and --status");
  options.mode = *mode;
  return options;
}

int run(const Options& options) {
  const boot::GuestSet set = boot::selectGuests(guest::kConfigRoot, options.mark);
  if (options.mode == Mode::Status) return printStatus(options, set);
  const SystemLog log(kIdent);
  // Refused before anything starts, and logged: at boot nobody reads stderr.
  if (const auto cycle = boot::findCycle(set.graph); cycle && options.mode == Mode::Start) {
    log.error("dependency cycle: " + boot::describeCycle(*cycle) + "; nothing started");
    return kToolFailure;
  }
  reportDisabled(set, log);
  return runAction(options, set, log);
}

int main(int argc, const char** argv) {
  return runTool(kIdent, [&] { return run(parseOptions(argc, argv)); });
}

}  // namespace vs::start_vservers
