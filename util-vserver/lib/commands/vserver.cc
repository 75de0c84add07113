#include "vserver.h"

#include <popt.h>

#include <cstdio>
#include <optional>

#include "../error.h"
#include "../guest/build.h"
#include "../guest/config.h"
#include "../guest/enter.h"
#include "../guest/manage.h"
#include "../guest/run_file.h"
#include "../guest/start.h"
#include "../guest/stop.h"
#include "../popt_parser.h"
#include "../tool.h"

namespace vs::vserver {

namespace {

constexpr const char* kUsage =
    "NAME (build|start|stop|restart|condrestart|enter|exec|suexec|status|running|delete) [ARGS]";

struct NamedCommand {
  const char* name;
  Command command;
};

constexpr NamedCommand kCommands[] = {
    {"build", Command::Build},       {"start", Command::Start},
    {"stop", Command::Stop},         {"restart", Command::Restart},
    {"condrestart", Command::Condrestart},
    {"enter", Command::Enter},       {"exec", Command::Exec},
    {"suexec", Command::Suexec},     {"status", Command::Status},
    {"running", Command::Running},   {"delete", Command::Delete},
};

std::optional<Command> commandNamed(const std::string& name) {
  for (const auto& entry : kCommands) {
    if (name == entry.name) return entry.command;
  }
  return std::nullopt;
}

void expectNoArguments(const Invocation& invocation, const char* command) {
  if (!invocation.arguments.empty())
    throwUsage(std::string(command) + " takes no arguments, got '" + invocation.arguments[0] + "'");
}

guest::StartOptions startOptions(const std::vector<std::string>& arguments) {
  guest::StartOptions options;
  if (arguments.empty()) return options;
  if (arguments[0] != "--rescue") throwUsage("start takes only --rescue [COMMAND...]");
  options.rescue = true;
  options.rescueCommand.assign(arguments.begin() + 1, arguments.end());
  return options;
}

guest::GuestCommand commandToRun(const guest::GuestConfig& config,
                                 std::vector<std::string> argv) {
  guest::GuestCommand command;
  command.plan = [&config, argv] { return guest::InitPlan{argv, config.init.environment, false}; };
  return command;
}

int exec(const guest::GuestConfig& config, const Invocation& invocation, bool suexec) {
  std::vector<std::string> argv = invocation.arguments;
  std::optional<std::string> user;
  if (suexec) {
    if (argv.empty()) throwUsage("suexec needs a USER and a COMMAND");
    user = argv.front();
    argv.erase(argv.begin());
  }
  if (argv.empty()) throwUsage("no command given");
  guest::GuestCommand command = commandToRun(config, argv);
  command.user = user;
  return guest::runInGuest(config, command);
}

int enter(const guest::GuestConfig& config, const Invocation& invocation) {
  expectNoArguments(invocation, "enter");
  return guest::runInGuest(config, commandToRun(config, config.shell));
}

int restart(const guest::GuestConfig& config, bool onlyIfRunning) {
  if (onlyIfRunning && guest::guestRunning(config) != 0) return 0;
  guest::stopGuest(config);
  return guest::startGuest(config, {});
}

int deleteCommand(const guest::GuestConfig& config, const Invocation& invocation) {
  const auto& args = invocation.arguments;
  const bool force = args.size() == 1 && (args[0] == "--force" || args[0] == "-f");
  if (!args.empty() && !force) throwUsage("delete takes only --force");
  return guest::deleteGuest(config, force);
}

int build(const Invocation& invocation) {
  std::vector<const char*> argv{"build"};
  for (const auto& arg : invocation.arguments) argv.push_back(arg.c_str());
  const guest::BuildOptions options =
      guest::parseBuildOptions(static_cast<int>(argv.size()), argv.data());
  guest::buildGuest(guest::locateGuest(invocation.guest), options);
  return 0;
}

// A configuration broken while the guest ran must not keep it running: it
// is stopped as its run file says, with the default kill sequence.
int stopDespiteConfigError(const guest::ConfigLocation& location, const Error& configError) {
  guest::GuestConfig config = guest::readStopEssentials(location);
  const auto record = guest::readRunFile(config.runFile, config.name);
  if (!record) throw configError;
  std::fprintf(stderr,
               "vserver: %s\nvserver: %s: stopping it anyway, with the default kill sequence and "
               "no stop command or hooks\n",
               configError.what(), config.name.c_str());
  config.xid = record->xid;
  return guest::stopGuest(config);
}

int stop(const Invocation& invocation) {
  expectNoArguments(invocation, "stop");
  const guest::ConfigLocation location = guest::locateGuest(invocation.guest);
  std::optional<guest::GuestConfig> config;
  try {
    config = guest::readGuestConfig(location);
  } catch (const guest::ConfigError& e) {
    return stopDespiteConfigError(location, e);
  }
  return guest::stopGuest(*config);
}

int dispatch(const Invocation& invocation) {
  if (invocation.command == Command::Build) return build(invocation);
  if (invocation.command == Command::Stop) return stop(invocation);
  const guest::GuestConfig config = guest::readGuestConfig(guest::locateGuest(invocation.guest));
  switch (invocation.command) {
    case Command::Start:
      return guest::startGuest(config, startOptions(invocation.arguments));
    case Command::Restart:
      expectNoArguments(invocation, "restart");
      return restart(config, false);
    case Command::Condrestart:
      expectNoArguments(invocation, "condrestart");
      return restart(config, true);
    case Command::Enter:
      return enter(config, invocation);
    case Command::Exec:
      return exec(config, invocation, false);
    case Command::Suexec:
      return exec(config, invocation, true);
    case Command::Status:
      expectNoArguments(invocation, "status");
      return guest::printStatus(config);
    case Command::Running:
      expectNoArguments(invocation, "running");
      return guest::guestRunning(config);
    case Command::Delete:
      return deleteCommand(config, invocation);
    case Command::Build:
    case Command::Stop:
      break;
  }
  return kExitUnknownCommand;
}

}  // namespace

Invocation parseInvocation(int argc, const char** argv) {
  const poptOption table[] = {POPT_AUTOHELP POPT_TABLEEND};
  PoptParser parser("vserver", argc, argv, table, kUsage);
  const auto& args = parser.arguments();
  if (args.size() < 2) throwUsage(std::string("usage: vserver ") + kUsage);
  Invocation invocation;
  invocation.guest = args[0];
  const auto command = commandNamed(args[1]);
  if (!command) throw Error(0, "unknown command '" + args[1] + "'", kExitUnknownCommand);
  invocation.command = *command;
  invocation.arguments.assign(args.begin() + 2, args.end());
  return invocation;
}

int main(int argc, const char** argv) {
  return runTool("vserver", [&] { return dispatch(parseInvocation(argc, argv)); });
}

}  // namespace vs::vserver
