#include "vserver_info.h"

#include <linux/vserver.h>
#include <popt.h>

#include <cerrno>
#include <cinttypes>
#include <cstdio>

#include "../error.h"
#include "../number.h"
#include "../popt_parser.h"
#include "../tool.h"
#include "../vserver_client.h"

namespace vs::vserver_info {

namespace {

constexpr const char* kUsage = "[PID|self XID | XID RUNNING | XID NAME | - APIVER]";

uint32_t guestXid(const std::string& text) {
  return parseXid(text, VSERVER_GUEST_XID_MIN, VSERVER_GUEST_XID_MAX);
}

}  // namespace

Options parseOptions(int argc, const char** argv) {
  const poptOption table[] = {POPT_AUTOHELP POPT_TABLEEND};
  PoptParser parser("vserver-info", argc, argv, table, kUsage);
  const auto& args = parser.arguments();

  Options options;
  if (args.empty()) return options;
  if (args.size() != 2) throwUsage(std::string("usage: vserver-info ") + kUsage);

  const std::string& subject = args[0];
  const std::string& tag = args[1];
  if (tag == "XID") {
    options.query = Query::TaskXid;
    if (subject != "self")
      options.pid = static_cast<pid_t>(parseUnsigned(subject, 1, INT32_MAX, "process id"));
  } else if (tag == "RUNNING") {
    options.query = Query::Running;
    options.xid = guestXid(subject);
  } else if (tag == "NAME") {
    options.query = Query::Name;
    options.xid = guestXid(subject);
  } else if (tag == "APIVER") {
    options.query = Query::ApiVersion;
  } else {
    throwUsage("unknown tag '" + tag + "' (XID, RUNNING, NAME, APIVER)");
  }
  return options;
}

std::string formatUptime(uint64_t nanoseconds) {
  const uint64_t seconds = nanoseconds / 1000000000;
  const uint64_t days = seconds / 86400;
  char buffer[48];
  std::snprintf(buffer, sizeof(buffer), "%02" PRIu64 ":%02" PRIu64 ":%02" PRIu64,
                seconds / 3600 % 24, seconds / 60 % 60, seconds % 60);
  return days ? std::to_string(days) + "d" + buffer : std::string(buffer);
}

namespace {

const char* describeOwnContext(uint32_t xid) {
  switch (xid) {
    case VSERVER_HOST_XID:
      return " (host)";
    case VSERVER_SPECTATOR_XID:
      return " (spectator)";
    default:
      return "";
  }
}

int printSummary(VserverClient& client) {
  const uint32_t own = client.taskXid();
  std::printf("context: %u%s\n", own, describeOwnContext(own));
  std::printf("%-6s %6s %12s  %s\n", "XID", "TASKS", "UPTIME", "NAME");
  for (const ContextInfo& ctx : client.contexts())
    std::printf("%-6u %6u %12s  %s\n", ctx.xid, ctx.tasks, formatUptime(ctx.uptimeNs).c_str(),
                ctx.name.c_str());
  return 0;
}

// Whether context xid exists; any error but "no such context" is reported.
bool isRunning(VserverClient& client, uint32_t xid) {
  try {
    client.context(xid);
    return true;
  } catch (const Error& e) {
    if (e.errnum() == ESRCH) return false;
    throw;
  }
}

}  // namespace

int run(const Options& options) {
  VserverClient client;
  switch (options.query) {
    case Query::Summary:
      return printSummary(client);
    case Query::TaskXid:
      std::printf("%u\n", client.taskXid(options.pid));
      return 0;
    case Query::Running:
      return isRunning(client, options.xid) ? 0 : 1;
    case Query::Name:
      std::printf("%s\n", client.context(options.xid).name.c_str());
      return 0;
    case Query::ApiVersion:
      std::printf("%u\n", client.protocolVersion());
      return 0;
  }
  return kToolFailure;
}

int main(int argc, const char** argv) {
  return runTool("vserver-info", [&] { return run(parseOptions(argc, argv)); });
}

}  // namespace vs::vserver_info
