// vstest: probes the VM suites cannot express in shell, printing one
// "ok - ..." or "not ok - ..." line per check.
//
//   vstest netlink               malformed or unauthorised requests to the
//                                vserver family get their exact errno
//   vstest escape                root in a guest cannot see, signal, trace,
//                                reach or leave what is not its own
//   vstest caps                  the capability matrix
//   vstest spectator             the spectator sees everything, changes
//                                nothing
//   vstest filesystems           pseudo filesystems, devices, remounts
//                                and terminals a guest may (not) use
//   vstest objects               keys, IPC objects, abstract socket names,
//                                lock holders and priorities per context,
//                                and the memory charges of what a guest
//                                makes the kernel keep
//   vstest network               what a guest confined to a network set may
//                                do on the shared network stack
//                                (testvm/probe/net_probe.cc)
//   vstest limits                the counted limits: files, sockets, System V
//                                semaphore sets, their semaphores,
//                                message queues and file locks
//   vstest projects DIR          a guest cannot leave its project quota
//                                (DIR on ext4 with project quotas)
//   vstest races [WHICH]         the module's lifetime and policy races,
//                                stressed; one kill of a forking guest
//                                (testvm/probe/race_probe.cc)
//   vstest bench [OPTIONS]       times open, stat, fork, exec, /proc,
//                                sockets and TCP of the host context and
//                                of a guest, for make bench
//                                (testvm/probe/bench_probe.cc); with
//                                --profile, where their instructions go
//                                (testvm/probe/profile.cc)
//   vstest show-caps             prints its effective and permitted sets
//   vstest fail-closed           waits for a line on stdin, then shows that
//                                the caller (the spectator, with the module
//                                gone) is refused what the module decides
//   vstest delete-module NAME    prints the errno name of
//                                delete_module(NAME, O_NONBLOCK), or "OK"
//   vstest on-terminal CMD...    runs CMD on a new terminal, printing that
//                                terminal's device first, feeding it our
//                                stdin after its first output, relaying
//                                what it prints
//   vstest router-advert PID LINK PREFIX  from the network namespace of
//                                PID, advertises itself out of LINK as a
//                                default router, with PREFIX/64 on-link
#include <fcntl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "error.h"
#include "probe.h"

namespace {

int probeDeleteModule(const char* name) {
  if (syscall(SYS_delete_module, name, O_NONBLOCK) == 0) {
    std::puts("OK");
    return 0;
  }
  std::puts(probe::errnoName(errno));
  return 1;
}

// Runs in a context, already exec'd, while the suite unloads the module:
// without it every decision the module would make is refused.
int probeFailClosed() {
  std::puts("# ready");
  std::fflush(stdout);
  char line[16];
  if (!std::fgets(line, sizeof(line), stdin)) return 1;
  probe::expect("without the module: sethostname in a guest", EPERM, probe::setSameHostname());
  probe::expect("without the module: open a file in a guest", EPERM,
                probe::errnoOf(open("/proc/self/status", O_RDONLY)));
  return probe::failures() ? 1 : 0;
}

}  // namespace

int main(int argc, char** argv) {
  const std::string command = argc > 1 ? argv[1] : "";
  try {
    if (command == "netlink" && argc == 2) return probe::probeNetlink();
    if (command == "escape" && argc == 2) return probe::probeEscape();
    if (command == "caps" && argc == 2) return probe::probeCapabilities();
    if (command == "spectator" && argc == 2) return probe::probeSpectator();
    if (command == "filesystems" && argc == 2) return probe::probeFilesystems();
    if (command == "objects" && argc == 2) return probe::probeObjects();
    if (command == "network" && argc == 2) return probe::probeNetwork();
    if (command == "limits" && argc == 2) return probe::probeLimits();
    if (command == "projects" && argc == 3) return probe::probeProjects(argv[2]);
    if (command == "races" && argc <= 3) return probe::probeRaces(argc == 3 ? argv[2] : "all");
    if (command == "bench") return probe::runBench(argc - 2, argv + 2);
    if (command == "time-command") return probe::runTimeCommand(argc - 2, argv + 2);
    if (command == "profile-command") return probe::runProfileCommand(argc - 2, argv + 2);
    if (command == "show-caps" && argc == 2) return probe::showCapabilities();
    if (command == "fail-closed" && argc == 2) return probeFailClosed();
    if (command == "delete-module" && argc == 3) return probeDeleteModule(argv[2]);
    if (command == "on-terminal" && argc > 2) return probe::runOnTerminal(argv + 2);
    if (command == "router-advert" && argc == 5)
      return probe::sendRouterAdvert(std::atoi(argv[2]), argv[3], argv[4]);
  } catch (const vs::Error& e) {
    std::printf("not ok - vstest %s: %s\n", command.c_str(), e.what());
    return 1;
  }
  std::fprintf(stderr,
               "usage: vstest netlink|escape|caps|spectator|filesystems|objects|network|limits|show-caps|"
               "fail-closed |"
               " vstest projects DIR |"
               " vstest races [WHICH] |"
               " vstest bench [--host-only] [--root DIR] [--rounds N] [--iterations O,S,E,...]"
               " [--profile OPS [--profile-period NS] [--profile-scope task|system]] |"
               " vstest time-command ROUNDS CMD... |"
               " vstest profile-command [--period NS] NAME CALLS CMD... |"
               " vstest delete-module NAME |"
               " vstest on-terminal CMD... |"
               " vstest router-advert PID LINK PREFIX\n");
  return 2;
}
