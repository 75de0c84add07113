// vserver: the everyday front-end, util-vserver's syntax.
//
//   vserver NAME build -m METHOD [OPTIONS] [-- METHOD-ARGS]
//   vserver NAME start [--rescue [COMMAND...]]
//   vserver NAME stop | restart | condrestart | status | running
//   vserver NAME enter
//   vserver NAME exec COMMAND [ARG...]
//   vserver NAME suexec USER COMMAND [ARG...]
//   vserver NAME delete [--force]
//
// NAME is a guest under /etc/vservers, or a path to its directory.
#pragma once

#include <string>
#include <vector>

namespace vs::vserver {

enum class Command {
  Build,
  Start,
  Stop,
  Restart,
  Condrestart,
  Enter,
  Exec,
  Suexec,
  Status,
  Running,
  Delete
};

struct Invocation {
  std::string guest;
  Command command = Command::Status;
  std::vector<std::string> arguments;  // what follows the command
};

// Exit status for an unknown command (util-vserver's).
constexpr int kExitUnknownCommand = 2;

Invocation parseInvocation(int argc, const char** argv);

int main(int argc, const char** argv);

}  // namespace vs::vserver
