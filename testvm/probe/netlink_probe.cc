// vstest netlink: every malformed or unauthorised request to the vserver
// family gets its exact errno (and, where the kernel explains, its message).
#include <linux/capability.h>
#include <linux/genetlink.h>
#include <linux/vserver.h>
#include <sched.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <functional>
#include <future>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "commands/vserver_stat.h"
#include "error.h"
#include "genl_socket.h"
#include "unique_fd.h"
#include "probe.h"
#include "vserver_client.h"

namespace probe {

namespace {

using vs::Error;
using vs::GenlRequest;

// Context ids the probe uses; the suites leave them free.
constexpr uint32_t kGuestXid = 4242;
constexpr uint32_t kBusyXid = 4343;
constexpr uint32_t kAbsentXid = 4444;
constexpr uint32_t kDumpXid = 4545;
constexpr uint32_t kEventsXid = 4546;
// More processes than one part of a dump holds (32 KiB at most, 36 bytes
// a process), so that the dump must resume.
constexpr int kDumpChildren = 1000;
constexpr uid_t kNobody = 65534;

// A socket on the vserver family, opened by the calling process (the kernel
// checks the opener's capabilities as well as the sender's).
class Family {
 public:
  Family() : family_(socket_.resolveFamily(VSERVER_GENL_NAME)) {}

  uint32_t eventsGroup() const { return family_.multicastGroups.at(VSERVER_MCGRP_EVENTS); }

  GenlRequest request(uint8_t cmd, uint16_t flags = 0) const {
    return GenlRequest(family_.id, cmd, VSERVER_GENL_VERSION, flags);
  }

  // Sends request and returns 0 or the errno of the kernel's answer; the
  // extended-ack text, if any, goes to message.
  int send(GenlRequest& request, std::string* message = nullptr) {
    try {
      socket_.transact(request, [](const nlmsghdr*) {});
      return 0;
    } catch (const Error& e) {
      if (message) *message = e.what();
      return e.errnum();
    }
  }

 private:
  vs::GenlSocket socket_;
  vs::GenlFamily family_;
};

// One request and the answer it must get.
struct Case {
  const char* what;
  int expected;
  std::function<GenlRequest(const Family&)> build;
  const char* messagePart = nullptr;  // expected in the extended ack, if set
};

void runCases(const char* role, const std::vector<Case>& cases) {
  Family family;
  for (const Case& c : cases) {
    GenlRequest request = c.build(family);
    std::string message;
    const int got = family.send(request, &message);
    const std::string what = std::string(role) + ": " + c.what + " -> " + errnoName(c.expected);
    if (got != c.expected) {
      report(false, what, std::string("got ") + errnoName(got) + " (" + message + ")");
    } else if (c.messagePart && message.find(c.messagePart) == std::string::npos) {
      report(false, what, "message '" + message + "' lacks '" + c.messagePart + "'");
    } else {
      report(true, what, "");
    }
  }
}

GenlRequest createOf(const Family& f, uint32_t xid) {
  GenlRequest r = f.request(VSERVER_CMD_CTX_CREATE);
  r.putU32(VSERVER_A_XID, xid);
  return r;
}

GenlRequest withRawAttribute(GenlRequest r, uint16_t type, const void* data, size_t len) {
  mnl_attr_put(r.header(), type, len, data);
  return r;
}

GenlRequest createNamed(const Family& f, uint32_t xid, const void* name, size_t len) {
  return withRawAttribute(createOf(f, xid), VSERVER_A_NAME, name, len);
}

// A create whose device map holds rules, each a list of (attribute, value)
// pairs; a rule of no pairs is an empty nest.
using DeviceRuleAttrs = std::vector<std::pair<uint16_t, uint32_t>>;

GenlRequest createWithDevices(const Family& f, const std::vector<DeviceRuleAttrs>& rules) {
  GenlRequest r = createOf(f, kAbsentXid);
  nlattr* map = mnl_attr_nest_start(r.header(), VSERVER_A_DEVICES);
  uint16_t index = 1;
  for (const DeviceRuleAttrs& rule : rules) {
    nlattr* nest = mnl_attr_nest_start(r.header(), index++);
    for (const auto& [type, value] : rule) mnl_attr_put_u32(r.header(), type, value);
    mnl_attr_nest_end(r.header(), nest);
  }
  mnl_attr_nest_end(r.header(), map);
  return r;
}

// A valid rule (open every loop device) with one attribute set or added.
DeviceRuleAttrs loopRule(uint16_t type, uint32_t value) {
  DeviceRuleAttrs rule = {{VSERVER_A_DEVICE_TYPE, VSERVER_DEVICE_BLOCK},
                          {VSERVER_A_DEVICE_MAJOR, 7},
                          {VSERVER_A_DEVICE_ACCESS, VSERVER_DEVICE_OPEN}};
  const auto found = std::find_if(rule.begin(), rule.end(),
                                  [type](const auto& attr) { return attr.first == type; });
  if (found != rule.end())
    found->second = value;
  else
    rule.push_back({type, value});
  return rule;
}

std::vector<Case> deviceMapCases() {
  return {
      {"create with a device rule of type 3", ERANGE,
       [](const Family& f) { return createWithDevices(f, {loopRule(VSERVER_A_DEVICE_TYPE, 3)}); }},
      {"create with a device rule of major 4096", ERANGE,
       [](const Family& f) {
         return createWithDevices(f, {loopRule(VSERVER_A_DEVICE_MAJOR, 4096)});
       }},
      {"create with a device rule of minor 2^20", ERANGE,
       [](const Family& f) {
         return createWithDevices(f, {loopRule(VSERVER_A_DEVICE_MINOR, 1U << 20)});
       }},
      {"create with a device rule granting nothing", ERANGE,
       [](const Family& f) {
         return createWithDevices(f, {loopRule(VSERVER_A_DEVICE_ACCESS, 0)});
       }},
      {"create with a device rule granting an unknown access", ERANGE,
       [](const Family& f) {
         return createWithDevices(f, {loopRule(VSERVER_A_DEVICE_ACCESS, 4)});
       }},
      {"create with a device rule of an unknown attribute", EINVAL,
       [](const Family& f) {
         return createWithDevices(f, {loopRule(VSERVER_A_DEVICE_MAX + 1, 1)});
       }},
      {"create with a device rule without its major", EINVAL,
       [](const Family& f) {
         return createWithDevices(f, {{{VSERVER_A_DEVICE_TYPE, VSERVER_DEVICE_BLOCK},
                                       {VSERVER_A_DEVICE_ACCESS, VSERVER_DEVICE_OPEN}}});
       },
       "a device rule needs"},
      {"create with 65 device rules", E2BIG,
       [](const Family& f) {
         return createWithDevices(f, std::vector<DeviceRuleAttrs>(VSERVER_DEVICES_MAX + 1));
       },
       "too many device rules"},
      {"create with a device map not flagged nested", EINVAL,
       [](const Family& f) {
         const uint32_t rule = 0;
         return withRawAttribute(createOf(f, kAbsentXid), VSERVER_A_DEVICES, &rule, sizeof(rule));
       }},
  };
}

// request with a VSERVER_A_LIMITS holding one resource nest, whose
// attributes fill puts.
GenlRequest withLimit(GenlRequest request, uint16_t resource,
                      const std::function<void(nlmsghdr*)>& fill) {
  nlattr* limits = mnl_attr_nest_start(request.header(), VSERVER_A_LIMITS);
  nlattr* nest = mnl_attr_nest_start(request.header(), resource);
  fill(request.header());
  mnl_attr_nest_end(request.header(), nest);
  mnl_attr_nest_end(request.header(), limits);
  return request;
}

// A create of kAbsentXid with one resource nest of (attribute, u64) pairs.
GenlRequest createWithLimit(const Family& f, uint16_t resource,
                            const std::vector<std::pair<uint16_t, uint64_t>>& attrs) {
  return withLimit(createOf(f, kAbsentXid), resource, [&attrs](nlmsghdr* header) {
    for (const auto& [type, value] : attrs) mnl_attr_put_u64(header, type, value);
  });
}

std::vector<Case> limitCases() {
  return {
      {"create with a limit of resource 0", EINVAL,
       [](const Family& f) {
         return createWithLimit(f, VSERVER_LIMIT_UNSPEC, {{VSERVER_A_LIMIT_HARD, 1}});
       }},
      {"create with a limit of an unknown resource", EINVAL,
       [](const Family& f) {
         return createWithLimit(f, VSERVER_LIMIT_MAX + 1, {{VSERVER_A_LIMIT_HARD, 1}});
       }},
      {"create with a limit without its hard value", EINVAL,
       [](const Family& f) { return createWithLimit(f, VSERVER_LIMIT_NOFILE, {}); },
       "hard value"},
      {"create with a reply-only limit attribute (current)", EINVAL,
       [](const Family& f) {
         return createWithLimit(f, VSERVER_LIMIT_NOFILE,
                                {{VSERVER_A_LIMIT_HARD, 1}, {VSERVER_A_LIMIT_CURRENT, 0}});
       }},
      {"create with a hard limit as u32", EINVAL,
       [](const Family& f) {
         return withLimit(createOf(f, kAbsentXid), VSERVER_LIMIT_NSOCK, [](nlmsghdr* header) {
           mnl_attr_put_u32(header, VSERVER_A_LIMIT_HARD, 1);
         });
       }},
      {"set the limits of a missing context", ESRCH,
       [](const Family& f) {
         GenlRequest r = f.request(VSERVER_CMD_CTX_SET);
         r.putU32(VSERVER_A_XID, kAbsentXid);
         return withLimit(std::move(r), VSERVER_LIMIT_SEMARY, [](nlmsghdr* header) {
           mnl_attr_put_u64(header, VSERVER_A_LIMIT_HARD, 1);
         });
       }},
  };
}

std::vector<Case> malformedCases() {
  static const uint16_t u16 = 42;
  static const uint64_t u64 = 42;
  static const std::string longName(VSERVER_NAME_MAX + 1, 'a');
  return {
      {"create without xid", EINVAL,
       [](const Family& f) { return f.request(VSERVER_CMD_CTX_CREATE); }, "missing context id"},
      {"create xid 0 (host)", ERANGE, [](const Family& f) { return createOf(f, 0); }},
      {"create xid 1 (spectator)", ERANGE, [](const Family& f) { return createOf(f, 1); }},
      {"create xid 65536", ERANGE, [](const Family& f) { return createOf(f, 65536); }},
      {"create xid as u16", EINVAL,
       [](const Family& f) {
         return withRawAttribute(f.request(VSERVER_CMD_CTX_CREATE), VSERVER_A_XID, &u16, 2);
       }},
      {"create xid as u64", EINVAL,
       [](const Family& f) {
         return withRawAttribute(f.request(VSERVER_CMD_CTX_CREATE), VSERVER_A_XID, &u64, 8);
       }},
      {"create xid flagged nested", EINVAL,
       [](const Family& f) {
         GenlRequest r = f.request(VSERVER_CMD_CTX_CREATE);
         const uint32_t xid = kAbsentXid;
         mnl_attr_put(r.header(), VSERVER_A_XID | NLA_F_NESTED, sizeof(xid), &xid);
         return r;
       }},
      {"create with unknown attribute type", EINVAL,
       [](const Family& f) {
         GenlRequest r = createOf(f, kAbsentXid);
         r.putU32(VSERVER_A_MAX + 1, 1);
         return r;
       }},
      {"create with an attribute of another command (pid)", EINVAL,
       [](const Family& f) {
         GenlRequest r = createOf(f, kAbsentXid);
         r.putU32(VSERVER_A_PID, 1);
         return r;
       }},
      {"create with a reply-only attribute (tasks)", EINVAL,
       [](const Family& f) {
         GenlRequest r = createOf(f, kAbsentXid);
         r.putU32(VSERVER_A_TASKS, 1);
         return r;
       }},
      {"create with unterminated name", EINVAL,
       [](const Family& f) { return createNamed(f, kAbsentXid, "web1", 4); }},
      {"create with name longer than 64", EINVAL,
       [](const Family& f) {
         return createNamed(f, kAbsentXid, longName.c_str(), longName.size() + 1);
       }},
      {"create with empty name", EINVAL,
       [](const Family& f) { return createNamed(f, kAbsentXid, "", 1); }, "context name"},
      {"create with name containing '/'", EINVAL,
       [](const Family& f) { return createNamed(f, kAbsentXid, "a/b", 4); }, "context name"},
      {"create with name starting with '.'", EINVAL,
       [](const Family& f) { return createNamed(f, kAbsentXid, "..", 3); }, "context name"},
      {"create with NUL inside the name", EINVAL,
       [](const Family& f) { return createNamed(f, kAbsentXid, "ab\0cd", 6); }, "context name"},
      {"migrate without xid", EINVAL,
       [](const Family& f) { return f.request(VSERVER_CMD_CTX_MIGRATE); }, "missing context id"},
      {"migrate xid 0", ERANGE,
       [](const Family& f) {
         GenlRequest r = f.request(VSERVER_CMD_CTX_MIGRATE);
         r.putU32(VSERVER_A_XID, 0);
         return r;
       }},
      {"migrate into a missing context", ESRCH,
       [](const Family& f) {
         GenlRequest r = f.request(VSERVER_CMD_CTX_MIGRATE);
         r.putU32(VSERVER_A_XID, kAbsentXid);
         return r;
       },
       "no such context"},
      {"get without xid", EINVAL, [](const Family& f) { return f.request(VSERVER_CMD_CTX_GET); }},
      {"get xid 1", ERANGE,
       [](const Family& f) {
         GenlRequest r = f.request(VSERVER_CMD_CTX_GET);
         r.putU32(VSERVER_A_XID, 1);
         return r;
       }},
      {"get a missing context", ESRCH,
       [](const Family& f) {
         GenlRequest r = f.request(VSERVER_CMD_CTX_GET);
         r.putU32(VSERVER_A_XID, kAbsentXid);
         return r;
       }},
      {"task get pid 0", ERANGE,
       [](const Family& f) {
         GenlRequest r = f.request(VSERVER_CMD_TASK_GET);
         r.putU32(VSERVER_A_PID, 0);
         return r;
       }},
      {"task get a missing pid", ESRCH,
       [](const Family& f) {
         GenlRequest r = f.request(VSERVER_CMD_TASK_GET);
         r.putU32(VSERVER_A_PID, 4000000);
         return r;
       }},
      {"unknown command", EOPNOTSUPP,
       [](const Family& f) { return f.request(VSERVER_CMD_MAX + 1); }},
      {"command 0", EOPNOTSUPP, [](const Family& f) { return f.request(VSERVER_CMD_UNSPEC); }},
      {"dump of a doit-only command", EOPNOTSUPP,
       [](const Family& f) { return f.request(VSERVER_CMD_CTX_CREATE, NLM_F_DUMP); }},
      {"non-zero reserved header field", EINVAL,
       [](const Family& f) {
         GenlRequest r = createOf(f, kAbsentXid);
         static_cast<genlmsghdr*>(mnl_nlmsg_get_payload(r.header()))->reserved = 1;
         return r;
       }},
      {"NLM_F_CREATE on a request", EINVAL,
       [](const Family& f) {
         GenlRequest r = createOf(f, kAbsentXid);
         r.header()->nlmsg_flags |= NLM_F_CREATE;
         return r;
       }},
      {"message shorter than the genl header", EINVAL,
       [](const Family& f) {
         GenlRequest r = f.request(VSERVER_CMD_CTX_GET);
         r.header()->nlmsg_len = NLMSG_HDRLEN + 2;
         return r;
       }},
  };
}

// Children that wait until readyFd's peer closes: the first in context
// kDumpXid, the others in the caller's.  Returns their pids; the first
// has entered its context when this returns.
std::vector<pid_t> startWaiters(int count, int (&gate)[2]) {
  std::vector<pid_t> pids;
  for (int i = 0; i < count; i++) {
    int entered[2];
    if (pipe(entered) != 0) break;
    std::fflush(stdout);
    const pid_t pid = fork();
    if (pid == 0) {
      // Gone with the probe, should it be killed: a waiter left in its
      // context would pin the module for the suites after this one.
      prctl(PR_SET_PDEATHSIG, SIGKILL);
      close(gate[1]);
      close(entered[0]);
      const char status = i == 0 && enterNewContext(kDumpXid, "") != 0 ? 'n' : 'y';
      (void)!write(entered[1], &status, 1);
      close(entered[1]);
      char byte;
      (void)!read(gate[0], &byte, 1);
      _exit(0);
    }
    close(entered[1]);
    char status = 'n';
    if (pid > 0 && read(entered[0], &status, 1) == 1 && status == 'y') pids.push_back(pid);
    close(entered[0]);
    if (pid < 0 || status != 'y') break;
  }
  return pids;
}

// The dump of TASK_GET as the caller sees it; empty, with error set to
// why, when it fails.
std::vector<vs::TaskContext> dumpProcesses(std::string& error) {
  try {
    return vs::VserverClient().processes();
  } catch (const Error& e) {
    error = e.what();
    return {};
  }
}

// What the dump of TASK_GET said of pid, or nothing if it left pid out.
std::optional<vs::TaskContext> dumpedTask(const std::vector<vs::TaskContext>& tasks, pid_t pid) {
  const auto it = std::find_if(tasks.begin(), tasks.end(),
                               [pid](const vs::TaskContext& t) { return t.pid == pid; });
  if (it == tasks.end()) return std::nullopt;
  return *it;
}

std::optional<uint32_t> dumpedXid(const std::vector<vs::TaskContext>& tasks, pid_t pid) {
  const auto task = dumpedTask(tasks, pid);
  return task ? std::optional(task->xid) : std::nullopt;
}

// The dump's start time of a process is the one /proc/PID/stat shows, so
// vserver-stat tells it from a later process that reused its pid.
void checkDumpedStartTimes(const std::vector<vs::TaskContext>& tasks, const std::string& who = "") {
  std::ifstream file("/proc/self/stat");
  const std::string text((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
  const auto own = vs::vserver_stat::parseProcStat(text);
  const auto self = dumpedTask(tasks, getpid()), init = dumpedTask(tasks, 1);
  const auto ticks = static_cast<uint64_t>(sysconf(_SC_CLK_TCK));
  report(own && self && self->startNs && vs::vserver_stat::sameProcess(*self, *own, ticks),
         who + "the dump's start time of the caller is its /proc/self/stat starttime");
  report(own && init && init->startNs && !vs::vserver_stat::sameProcess(*init, *own, ticks),
         who + "and process 1's is told apart from it (control)");
}

// A guest's boot clock is a time namespace's: the dump's start times
// follow the caller's clock, as its /proc/PID/stat does.
void checkStartTimesInTimeNamespace() {
  inChild([] {
    if (unshare(CLONE_NEWTIME) != 0)
      return report(false, "unshare a time namespace", std::strerror(errno));
    report(writeExisting("/proc/self/timens_offsets", "boottime 100000 0") == 0,
           "set its boot clock 100000 s ahead");
    inChild([] {
      std::string error;
      checkDumpedStartTimes(dumpProcesses(error), "in a time namespace 100000 s ahead: ");
    });
  });
}

// The host sees every process once, in pid order, with its context, and
// no thread; the dump resumes across parts without a gap or a repeat.
void checkHostTaskDump() {
  int gate[2];
  if (pipe(gate) != 0) return report(false, "pipe", std::strerror(errno));
  const std::vector<pid_t> waiters = startWaiters(kDumpChildren, gate);
  close(gate[0]);
  report(waiters.size() == static_cast<size_t>(kDumpChildren),
         "start 1000 processes, the first in context 4545");
  // A second thread of ours, alive during the dump.
  std::promise<pid_t> threadId;
  std::promise<void> dumped;
  std::thread thread([&threadId, done = dumped.get_future()] {
    threadId.set_value(static_cast<pid_t>(syscall(SYS_gettid)));
    done.wait();
  });
  const pid_t tid = threadId.get_future().get();
  std::string error;
  const std::vector<vs::TaskContext> tasks = dumpProcesses(error);
  dumped.set_value();
  thread.join();
  close(gate[1]);
  for (const pid_t pid : waiters) waitpid(pid, nullptr, 0);
  report(error.empty(), "host root dumps every process", error);

  const auto outOfOrder = [](const vs::TaskContext& a, const vs::TaskContext& b) {
    return a.pid >= b.pid;
  };
  const bool ordered = std::adjacent_find(tasks.begin(), tasks.end(), outOfOrder) == tasks.end();
  report(ordered, "the dump is in pid order, each process once",
         std::to_string(tasks.size()) + " processes");
  int missing = 0;
  for (size_t i = 1; i < waiters.size(); i++)
    if (dumpedXid(tasks, waiters[i]) != VSERVER_HOST_XID) missing++;
  report(!waiters.empty() && missing == 0, "each of 999 host processes is in it, in context 0",
         std::to_string(missing) + " missing or in another context");
  report(!waiters.empty() && dumpedXid(tasks, waiters[0]) == kDumpXid,
         "the guest's process is in it with its context 4545");
  report(dumpedXid(tasks, getpid()) == VSERVER_HOST_XID && dumpedXid(tasks, 1) == VSERVER_HOST_XID,
         "so are the caller and process 1 (control)");
  report(tid != 0 && tid != getpid() && !dumpedXid(tasks, tid), "a thread is not a process of it");
  checkDumpedStartTimes(tasks);
}

// A guest's dump holds its own processes and nothing else.
void checkGuestTaskDump() {
  inChild([] {
    if (enterNewContext(kDumpXid, "") != 0) return report(false, "create context 4545");
    int gate[2];
    if (pipe(gate) != 0) return report(false, "pipe", std::strerror(errno));
    std::fflush(stdout);
    const pid_t sibling = fork();
    if (sibling == 0) {
      prctl(PR_SET_PDEATHSIG, SIGKILL);
      close(gate[1]);
      char byte;
      (void)!read(gate[0], &byte, 1);
      _exit(0);
    }
    std::string error;
    const std::vector<vs::TaskContext> tasks = dumpProcesses(error);
    close(gate[1]);
    waitpid(sibling, nullptr, 0);
    report(error.empty(), "guest root dumps its processes", error);
    const std::vector<pid_t> expected = {std::min(getpid(), sibling), std::max(getpid(), sibling)};
    std::vector<pid_t> got;
    bool ownContext = true;
    for (const vs::TaskContext& t : tasks) {
      got.push_back(t.pid);
      ownContext = ownContext && t.xid == kDumpXid;
    }
    report(got == expected && ownContext, "the guest's dump holds its own two processes only",
           std::to_string(tasks.size()) + " processes");
  });
}

bool dropCapability(int cap) {
  __user_cap_header_struct header{_LINUX_CAPABILITY_VERSION_3, 0};
  __user_cap_data_struct data[2]{};
  if (syscall(SYS_capget, &header, data) != 0) return false;
  data[cap / 32].effective &= ~(1U << (cap % 32));
  data[cap / 32].permitted &= ~(1U << (cap % 32));
  return syscall(SYS_capset, &header, data) == 0;
}

// The errno of joining the module's events group (every context's exits)
// on a socket of one's own.
int joinEventsErrno() {
  const uint32_t group = Family().eventsGroup();
  const vs::UniqueFd fd(socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC));
  if (!fd) return errno;
  return errnoOf(setsockopt(fd.get(), SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, &group, sizeof(group)));
}

// A guest keeping CAP_SYS_ADMIN (to mount) on the host's network stack
// with no network set of its own: CAP_SYS_ADMIN alone is not enough.
void checkGuestEventsListener() {
  if (enterNewContext(kEventsXid, "events", policyWithCapability(CAP_SYS_ADMIN)) != 0) {
    report(false, "enter context " + std::to_string(kEventsXid), "refused");
    return;
  }
  expect("guest with SYS_ADMIN: it holds it (control: unshare a UTS namespace)", 0,
         isolated([] { return errnoOf(unshare(CLONE_NEWUTS)); }));
  expect("guest with SYS_ADMIN: join the events group of every context's exits", EPERM,
         joinEventsErrno());
}

}  // namespace

int probeNetlink() {
  expect("host root: join the events group (control)", 0, joinEventsErrno());
  inChild(checkGuestEventsListener);
  runCases("host root", malformedCases());
  runCases("host root", deviceMapCases());
  runCases("host root", limitCases());

  inChild([] {
    if (setresgid(kNobody, kNobody, kNobody) != 0 || setresuid(kNobody, kNobody, kNobody) != 0) {
      report(false, "become nobody", std::strerror(errno));
      return;
    }
    runCases("non-root",
             {{"create", EPERM, [](const Family& f) { return createOf(f, kAbsentXid); }},
              {"migrate into the spectator", EPERM,
               [](const Family& f) {
                 GenlRequest r = f.request(VSERVER_CMD_CTX_MIGRATE);
                 r.putU32(VSERVER_A_XID, 1);
                 return r;
               }},
              {"list contexts (control)", 0,
               [](const Family& f) { return f.request(VSERVER_CMD_CTX_GET, NLM_F_DUMP); }}});
  });

  inChild([] {
    static const std::string longest(VSERVER_NAME_MAX, 'a');
    runCases("host root", {{"create with the longest name (control)", 0, [](const Family& f) {
                              return createNamed(f, kAbsentXid, longest.c_str(), longest.size() + 1);
                            }}});
  });

  inChild([] {
    if (!dropCapability(CAP_SYS_ADMIN)) {
      report(false, "drop CAP_SYS_ADMIN", std::strerror(errno));
      return;
    }
    runCases("root without CAP_SYS_ADMIN",
             {{"create", EPERM, [](const Family& f) { return createOf(f, kAbsentXid); },
               "CAP_SYS_ADMIN"}});
  });

  inChild([] {
    std::thread sleeper([] { usleep(300000); });
    runCases("two-threaded root", {{"create", EBUSY,
                                    [](const Family& f) { return createOf(f, kAbsentXid); },
                                    "single-threaded"}});
    sleeper.join();
  });

  inChild([] {
    Family family;
    GenlRequest create = createOf(family, kGuestXid);
    const int err = family.send(create);
    report(err == 0, "root creates context 4242 and is moved into it", errnoName(err));
    if (err) return;
    runCases("guest root",
             {{"create another context", EPERM,
               [](const Family& f) { return createOf(f, kAbsentXid); }},
              {"migrate into its own context", EPERM,
               [](const Family& f) {
                 GenlRequest r = f.request(VSERVER_CMD_CTX_MIGRATE);
                 r.putU32(VSERVER_A_XID, kGuestXid);
                 return r;
               }},
              {"migrate into the spectator", EPERM,
               [](const Family& f) {
                 GenlRequest r = f.request(VSERVER_CMD_CTX_MIGRATE);
                 r.putU32(VSERVER_A_XID, 1);
                 return r;
               }},
              // A guest lacks CAP_NET_ADMIN, so the generic netlink core
              // refuses an admin command before it looks at the attributes.
              {"create xid 0 (permission before validation)", EPERM,
               [](const Family& f) { return createOf(f, 0); }},
              {"get its own context (control)", 0,
               [](const Family& f) {
                 GenlRequest r = f.request(VSERVER_CMD_CTX_GET);
                 r.putU32(VSERVER_A_XID, kGuestXid);
                 return r;
               }},
              {"get the host's process 1", ESRCH,
               [](const Family& f) {
                 GenlRequest r = f.request(VSERVER_CMD_TASK_GET);
                 r.putU32(VSERVER_A_PID, 1);
                 return r;
               }}});
  });

  // A context held by a child: a second create of its xid is refused, and
  // the xid is free again as soon as the child has been reaped.
  int ready[2];
  if (pipe(ready) != 0) return 1;
  std::fflush(stdout);
  const pid_t holder = fork();
  if (holder == 0) {
    close(ready[0]);
    Family family;
    GenlRequest create = createOf(family, kBusyXid);
    const char status = family.send(create) == 0 ? 'y' : 'n';
    (void)!write(ready[1], &status, 1);
    pause();
    _exit(0);
  }
  close(ready[1]);
  char status = 'n';
  (void)!read(ready[0], &status, 1);
  close(ready[0]);
  report(status == 'y', "a child creates context 4343", "its create failed");
  runCases("host root", {{"create an existing context", EEXIST,
                          [](const Family& f) { return createOf(f, kBusyXid); },
                          "a context with this xid exists"}});
  kill(holder, SIGKILL);
  waitpid(holder, nullptr, 0);
  inChild([] {
    runCases("host root", {{"create 4343 again right after its last task was reaped", 0,
                            [](const Family& f) { return createOf(f, kBusyXid); }}});
  });

  inChild(checkHostTaskDump);
  checkGuestTaskDump();
  checkStartTimesInTimeNamespace();

  return failures() ? 1 : 0;
}

}  // namespace probe
