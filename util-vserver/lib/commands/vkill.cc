#include "vkill.h"

#include <linux/vserver.h>
#include <popt.h>

#include <csignal>

#include "../error.h"
#include "../number.h"
#include "../popt_parser.h"
#include "../signals.h"
#include "../tool.h"
#include "../vserver_client.h"

namespace vs::vkill {

Options parseOptions(int argc, const char** argv) {
  char* xid = nullptr;
  char* signal = nullptr;
  const poptOption table[] = {
      {"xid", 'c', POPT_ARG_STRING, &xid, 0, "the context", "N"},
      {"signal", 's', POPT_ARG_STRING, &signal, 0, "the signal, by name or number (TERM)", "SIG"},
      POPT_AUTOHELP POPT_TABLEEND};
  PoptParser parser("vkill", argc, argv, table, "[--xid N] [-s SIG] [--] [PID...]");
  const std::unique_ptr<char, decltype(&free)> xidOwner(xid, free), signalOwner(signal, free);

  Options options;
  if (xid) options.xid = parseXid(xid, VSERVER_GUEST_XID_MIN, VSERVER_GUEST_XID_MAX);
  if (signal) options.signal = parseSignal(signal);
  for (const std::string& pid : parser.arguments())
    options.pids.push_back(static_cast<pid_t>(parseUnsigned(pid, 1, INT32_MAX, "process id")));
  if (!options.xid && options.pids.empty()) throwUsage("give --xid, process ids, or both");
  return options;
}

int run(const Options& options) {
  VserverClient client;
  if (options.pids.empty()) {
    client.kill(*options.xid, options.signal);
    return 0;
  }
  // Every process is tried; the first failure is reported after the rest.
  std::optional<Error> failure;
  for (const pid_t pid : options.pids) {
    try {
      const uint32_t xid = options.xid ? *options.xid : client.taskXid(pid);
      if (xid < VSERVER_GUEST_XID_MIN)
        throw Error(EPERM, "process " + std::to_string(pid) + " is not in a guest context");
      client.kill(xid, options.signal, pid);
    } catch (const Error& e) {
      if (!failure) failure = e;
    }
  }
  if (failure) throw *failure;
  return 0;
}

int main(int argc, const char** argv) {
  return runTool("vkill", [&] { return run(parseOptions(argc, argv)); });
}

}  // namespace vs::vkill
