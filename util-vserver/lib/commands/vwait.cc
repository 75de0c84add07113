#include "vwait.h"

#include <linux/vserver.h>
#include <popt.h>

#include <cerrno>
#include <cstdio>

#include "../error.h"
#include "../number.h"
#include "../popt_parser.h"
#include "../tool.h"
#include "../vserver_client.h"

namespace vs::vwait {

Options parseOptions(int argc, const char** argv) {
  char* timeout = nullptr;
  const poptOption table[] = {
      {"timeout", 0, POPT_ARG_STRING, &timeout, 0, "give up after this many seconds", "SECONDS"},
      POPT_AUTOHELP POPT_TABLEEND};
  PoptParser parser("vwait", argc, argv, table, "[--timeout SECONDS] XID");
  const std::unique_ptr<char, decltype(&free)> timeoutOwner(timeout, free);

  Options options;
  if (parser.arguments().size() != 1) throwUsage("give exactly one context id");
  options.xid = parseXid(parser.arguments()[0], VSERVER_GUEST_XID_MIN, VSERVER_GUEST_XID_MAX);
  if (timeout)
    options.timeoutSeconds = static_cast<unsigned>(parseUnsigned(timeout, 0, 86400 * 365, "timeout"));
  return options;
}

int run(const Options& options) {
  VserverClient client;
  // Joining before looking the context up, no end can slip between.
  client.watchExits();
  try {
    client.context(options.xid);
  } catch (const Error& e) {
    if (e.errnum() == ESRCH)
      throw Error(ESRCH, "context " + std::to_string(options.xid) + " is not running");
    throw;
  }
  const int64_t timeoutMs =
      options.timeoutSeconds ? static_cast<int64_t>(*options.timeoutSeconds) * 1000 : -1;
  const auto event = client.waitForExit(options.xid, timeoutMs);
  if (!event) {
    std::puts("TIMEOUT");
    return kExitTimeout;
  }
  std::printf("FINISHED %s\n", exitReasonName(event->reason));
  return 0;
}

int main(int argc, const char** argv) {
  return runTool("vwait", [&] {
    try {
      return run(parseOptions(argc, argv));
    } catch (const Error& e) {
      std::printf("ERROR: %s\n", e.what());
      throw Error(e.errnum(), e.what(), kExitError);
    }
  });
}

}  // namespace vs::vwait
