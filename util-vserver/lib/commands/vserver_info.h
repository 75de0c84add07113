// vserver-info: what the kernel knows about contexts.
//
//   vserver-info                 the caller's context and every live context
//   vserver-info PID|self XID    the context of a process
//   vserver-info XID RUNNING     exit 0 if context XID is running, 1 if not
//   vserver-info XID NAME        the name of context XID
//   vserver-info - APIVER        the kernel's protocol version
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>

#include "../vserver_proto.h"

namespace vs::vserver_info {

enum class Query { Summary, TaskXid, Running, Name, ApiVersion };

struct Options {
  Query query = Query::Summary;
  std::optional<pid_t> pid;  // TaskXid: empty for the caller
  uint32_t xid = 0;          // Running, Name
};

Options parseOptions(int argc, const char** argv);

// "[Nd]HH:MM:SS".
std::string formatUptime(uint64_t nanoseconds);

int run(const Options& options);

int main(int argc, const char** argv);

}  // namespace vs::vserver_info
