// vstest races: the module's lifetime and policy races, run many times
// over on every CPU, and one kill against a guest that keeps forking.
//
//   recreate  two workers create a context, exit and create it again under
//             the same xid, while a third reads its /proc/virtual files:
//             every create succeeds (the old context is waited for, and
//             its /proc directory is gone before the new one is made)
//   seal      setters inside a context in its setup state keep widening
//             its bounding set while another task seals it: once the seal
//             is done, no set lands (the setters get EPERM) and the
//             bounding set is the one the seal left
//   host-seal the host seals a context in its setup state while its only
//             task exits: the seal succeeds or finds no context (ESRCH),
//             and the release of the context's roots does not race it
//   forkbomb  a guest whose processes fork and exit continuously (chains
//             whose pid keeps moving) is ended by one CTX_KILL
//   dying     once killed, a context whose last task is a zombie not yet
//             reaped takes no new task (ESRCH); a persistent context
//             killed and emptied takes tasks again
//   held      a host read of a context's /proc/virtual file, held in a
//             page fault nobody answers, holds the release of the context
//             once it ends: a create of its xid then fails with EBUSY
//             instead of waiting under the generic netlink mutex; once the
//             fault is answered, the create succeeds
//
// The kernel's side (use after free, lock order, a WARN) is judged by the
// VM run from the console: KASAN, lockdep and kmemleak are on.
#include <fcntl.h>
#include <linux/userfaultfd.h>
#include <poll.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "error.h"
#include "probe.h"
#include "vserver_client.h"

namespace probe {

namespace {

constexpr uint32_t kRecreateXid[] = {4800, 4801};
constexpr uint32_t kSealXid = 4802;
constexpr uint32_t kHostSealXid = 4803;
constexpr uint32_t kForkXid = 4804;
constexpr uint32_t kDyingXid = 4805;
constexpr uint32_t kPersistentXid = 4806;
constexpr uint32_t kHeldXid = 4807;

constexpr int kRecreateRounds = 80;
constexpr int kSealRounds = 60;
constexpr int kSetters = 2;
constexpr int kHostSealRounds = 60;
constexpr int kChains = 8;

// Exit statuses of a round's child, for the parent's tally.
enum RoundResult { kRoundOk = 0, kRoundSetLanded = 1, kRoundWrongErrno = 2, kRoundSetup = 3 };

void sleepMs(long ms) {
  timespec ts{ms / 1000, (ms % 1000) * 1000000};
  nanosleep(&ts, nullptr);
}

// Reaps every child that has ended; returns how many.
int reapAll() {
  int n = 0;
  while (waitpid(-1, nullptr, WNOHANG) > 0) n++;
  return n;
}

bool contextExists(vs::VserverClient& client, uint32_t xid) {
  return errnoOfCall([&] { client.context(xid); }) == 0;
}

// Waits up to ms for a context to end, reaping our children meanwhile.
bool waitGone(vs::VserverClient& client, uint32_t xid, int ms) {
  for (int waited = 0; waited < ms; waited += 10) {
    reapAll();
    if (!contextExists(client, xid)) return true;
    sleepMs(10);
  }
  reapAll();
  return !contextExists(client, xid);
}

// Reads a file to the end; errors (the context ending under us) are fine.
void readFile(const std::string& path) {
  const int fd = open(path.c_str(), O_RDONLY);
  if (fd < 0) return;
  char buf[256];
  while (read(fd, buf, sizeof(buf)) > 0) {
  }
  close(fd);
}

void checkRecreate() {
  const pid_t reader = fork();
  if (reader == 0) {
    const std::string files[] = {"/proc/virtual/4800/status", "/proc/virtual/4801/info",
                                 "/proc/virtual/info"};
    for (;;)
      for (const std::string& f : files) readFile(f);
  }

  std::vector<pid_t> workers;
  for (const uint32_t xid : kRecreateXid) {
    std::fflush(stdout);
    const pid_t worker = fork();
    if (worker == 0) {
      int failed = 0;
      for (int round = 0; round < kRecreateRounds; round++) {
        const pid_t guest = fork();
        if (guest == 0) _exit(enterNewContext(xid, "") == 0 ? 0 : 1);
        int status = 0;
        waitpid(guest, &status, 0);
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) failed++;
        if (round % 20 == 19) std::printf("# recreate %u: %d rounds done\n", xid, round + 1);
        std::fflush(stdout);
      }
      _exit(failed ? 1 : 0);
    }
    workers.push_back(worker);
  }
  for (size_t i = 0; i < workers.size(); i++) {
    int status = 0;
    waitpid(workers[i], &status, 0);
    report(WIFEXITED(status) && WEXITSTATUS(status) == 0,
           std::to_string(kRecreateRounds) + " rounds of create, exit, create again of context " +
               std::to_string(kRecreateXid[i]) + " while /proc/virtual is read: every create -> success",
           "a create failed (see the lines above)");
  }
  kill(reader, SIGKILL);
  waitpid(reader, nullptr, 0);
  vs::VserverClient client;
  for (const uint32_t xid : kRecreateXid)
    report(!contextExists(client, xid), "context " + std::to_string(xid) + " is gone after the rounds",
           "it is still there");
}

// A setter inside the context: widens the bounding set to everything until
// it is refused, and exits with the errno of the refusal.
[[noreturn]] void runSetter(uint32_t xid, int readyFd) {
  vs::PolicyChange all;
  all.bcaps = {VSERVER_BCAPS_ALL, VSERVER_BCAPS_ALL};
  bool told = false;
  vs::VserverClient client;
  for (;;) {
    const int err = errnoOfCall([&] { client.setPolicy(xid, all); });
    if (err) _exit(err);
    if (!told) {
      told = write(readyFd, "r", 1) == 1;
      close(readyFd);
    }
  }
}

// One round, in a child of the probe: create the context in its setup
// state, start the setters, seal it with the default bounding set.
[[noreturn]] void runSealRound() {
  vs::ContextPolicy setup;
  setup.flags = VSERVER_CF_STATE_SETUP;
  if (enterNewContext(kSealXid, "", setup) != 0) _exit(kRoundSetup);

  int ready[2];
  if (pipe(ready) != 0) _exit(kRoundSetup);
  std::vector<pid_t> setters;
  for (int i = 0; i < kSetters; i++) {
    const pid_t setter = fork();
    if (setter == 0) {
      close(ready[0]);
      runSetter(kSealXid, ready[1]);
    }
    setters.push_back(setter);
  }
  close(ready[1]);
  char c;
  if (read(ready[0], &c, 1) != 1) _exit(kRoundSetup);

  vs::PolicyChange seal;
  seal.flags = {0, VSERVER_CF_STATE_SETUP};
  seal.bcaps = {VSERVER_BCAPS_DEFAULT, VSERVER_BCAPS_ALL};
  vs::VserverClient client;
  if (errnoOfCall([&] { client.setPolicy(kSealXid, seal); }) != 0) {
    for (const pid_t setter : setters) kill(setter, SIGKILL);
    _exit(kRoundSetup);
  }

  int result = kRoundOk;
  for (const pid_t setter : setters) {
    int status = 0;
    waitpid(setter, &status, 0);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != EPERM) result = kRoundWrongErrno;
  }
  const vs::ContextInfo info = client.context(kSealXid);
  if (info.bcaps != VSERVER_BCAPS_DEFAULT || (info.flags & VSERVER_CF_STATE_SETUP)) {
    std::printf("# round: bcaps %#llx flags %#llx after the seal\n",
                static_cast<unsigned long long>(info.bcaps),
                static_cast<unsigned long long>(info.flags));
    result = kRoundSetLanded;
  }
  std::fflush(stdout);
  _exit(result);
}

void checkSeal() {
  int landed = 0, wrongErrno = 0, setupFailed = 0;
  for (int round = 0; round < kSealRounds; round++) {
    std::fflush(stdout);
    const pid_t child = fork();
    if (child == 0) runSealRound();
    int status = 0;
    waitpid(child, &status, 0);
    const int code = WIFEXITED(status) ? WEXITSTATUS(status) : kRoundSetup;
    if (round % 20 == 19) std::printf("# seal: %d rounds done\n", round + 1);
    landed += code == kRoundSetLanded;
    wrongErrno += code == kRoundWrongErrno;
    setupFailed += code == kRoundSetup;
  }
  const std::string rounds = std::to_string(kSealRounds) + " rounds: ";
  report(setupFailed == 0, rounds + "create in setup, start the setters, seal -> success",
         std::to_string(setupFailed) + " rounds failed");
  report(landed == 0, rounds + "no set from inside lands after the seal",
         std::to_string(landed) + " rounds ended with a set applied after the seal");
  report(wrongErrno == 0, rounds + "a set from inside after the seal -> EPERM",
         std::to_string(wrongErrno) + " rounds saw another outcome");
}

void checkHostSeal() {
  int unexpected = 0;
  std::string detail;
  for (int round = 0; round < kHostSealRounds; round++) {
    int ready[2];
    if (pipe(ready) != 0) break;
    std::fflush(stdout);
    const pid_t guest = fork();
    if (guest == 0) {
      close(ready[0]);
      vs::ContextPolicy setup;
      setup.flags = VSERVER_CF_STATE_SETUP;
      if (enterNewContext(kHostSealXid, "", setup) != 0) _exit(1);
      (void)!write(ready[1], "r", 1);
      // A little later each round, so the seal meets every stage of the end.
      for (int spin = 0; spin < (round % 10) * 20000; spin++) asm volatile("" ::: "memory");
      _exit(0);
    }
    close(ready[1]);
    char c;
    const bool up = read(ready[0], &c, 1) == 1;
    close(ready[0]);
    const pid_t sealer = fork();
    if (sealer == 0) {
      vs::PolicyChange seal;
      seal.flags = {0, VSERVER_CF_STATE_SETUP};
      vs::VserverClient client;
      _exit(errnoOfCall([&] { client.setPolicy(kHostSealXid, seal); }));
    }
    int status = 0;
    waitpid(guest, &status, 0);
    if (!up || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
      unexpected++;
      detail = "the guest did not start";
    }
    waitpid(sealer, &status, 0);
    const int err = WIFEXITED(status) ? WEXITSTATUS(status) : 255;
    if (err != 0 && err != ESRCH) {
      unexpected++;
      detail = std::string("the seal got ") + errnoName(err);
    }
  }
  report(unexpected == 0,
         std::to_string(kHostSealRounds) +
             " rounds of a host seal racing the exit of the context's only task -> success or ESRCH",
         detail);
  vs::VserverClient client;
  report(waitGone(client, kHostSealXid, 5000), "context 4803 is gone after the rounds",
         "it is still there");
}

// A chain: forks, and the parent exits, so the chain's pid keeps moving
// and a kill that looks once finds the parent rather than the child.
[[noreturn]] void runChain() {
  for (long generation = 0; generation < 1000000; generation++) {
    const pid_t child = fork();
    if (child > 0) _exit(0);
    // The child goes on; a refused fork is tried again, as a bomb would.
  }
  _exit(0);
}

void checkForkBomb() {
  prctl(PR_SET_CHILD_SUBREAPER, 1);
  int ready[2];
  if (pipe(ready) != 0) {
    report(false, "pipe", std::strerror(errno));
    return;
  }
  std::fflush(stdout);
  const pid_t leader = fork();
  if (leader == 0) {
    close(ready[0]);
    if (enterNewContext(kForkXid, "") != 0) _exit(1);
    for (int i = 0; i < kChains; i++) {
      if (fork() == 0) {
        close(ready[1]);
        runChain();
      }
    }
    (void)!write(ready[1], "r", 1);
    close(ready[1]);
    // The leader itself forks short-lived children, and reaps them.
    for (;;) {
      const pid_t child = fork();
      if (child == 0) _exit(0);
      if (child > 0) waitpid(child, nullptr, 0);
    }
  }
  close(ready[1]);
  char c;
  const bool up = read(ready[0], &c, 1) == 1;
  close(ready[0]);
  // Let the chains run, reaping the parents they leave behind.
  for (int i = 0; i < 50; i++) {
    reapAll();
    sleepMs(10);
  }

  vs::VserverClient client;
  uint32_t tasks = 0;
  const int getErr = errnoOfCall([&] { tasks = client.context(kForkXid).tasks; });
  report(up && getErr == 0 && tasks > kChains,
         "the forking guest runs, with more than " + std::to_string(kChains) + " tasks",
         std::string("get: ") + errnoName(getErr) + ", tasks " + std::to_string(tasks));
  expect("one CTX_KILL with SIGKILL of the forking guest", 0,
         errnoOfCall([&] { client.kill(kForkXid, SIGKILL); }));
  report(waitGone(client, kForkXid, 20000),
         "after that one CTX_KILL every task is gone and the context ends",
         "context 4804 is still there 20 s later");
  // Whatever happened, leave nothing behind.
  for (int i = 0; i < 5 && contextExists(client, kForkXid); i++) {
    errnoOfCall([&] { client.kill(kForkXid, SIGKILL); });
    waitGone(client, kForkXid, 1000);
  }
  prctl(PR_SET_CHILD_SUBREAPER, 0);
  reapAll();
}

// Forks a child that moves into xid and exits; its errno, or 0.
int migrateErrno(uint32_t xid) {
  return isolated([xid] {
    return errnoOfCall([xid] {
      vs::VserverClient client;
      client.migrate(xid);
    });
  });
}

// Forks a child that creates xid and waits in it; its pid, or -1.
pid_t startGuest(uint32_t xid) {
  int ready[2];
  if (pipe(ready) != 0) return -1;
  std::fflush(stdout);
  const pid_t guest = fork();
  if (guest == 0) {
    close(ready[0]);
    if (enterNewContext(xid, "") != 0) _exit(1);
    (void)!write(ready[1], "r", 1);
    for (;;) pause();
  }
  close(ready[1]);
  char c;
  const bool up = read(ready[0], &c, 1) == 1;
  close(ready[0]);
  if (!up) {
    waitpid(guest, nullptr, 0);
    return -1;
  }
  return guest;
}

void checkDying() {
  vs::VserverClient client;
  const pid_t guest = startGuest(kDyingXid);
  report(guest > 0, "context 4805 is up", "its guest did not start");
  if (guest <= 0) return;
  expect("a task joins context 4805 before the kill", 0, migrateErrno(kDyingXid));
  expect("CTX_KILL with SIGKILL of context 4805", 0,
         errnoOfCall([&] { client.kill(kDyingXid, SIGKILL); }));
  // The guest is a zombie now, counted until we reap it.
  siginfo_t info{};
  waitid(P_PID, guest, &info, WEXITED | WNOWAIT);
  uint32_t tasks = 0;
  const int getErr = errnoOfCall([&] { tasks = client.context(kDyingXid).tasks; });
  report(getErr == 0 && tasks == 1, "killed, with its zombie unreaped, context 4805 still counts 1 task",
         std::string("get: ") + errnoName(getErr) + ", tasks " + std::to_string(tasks));
  expect("a task joining the dying context 4805", ESRCH, migrateErrno(kDyingXid));
  waitpid(guest, nullptr, 0);
  report(waitGone(client, kDyingXid, 5000), "reaping its zombie ends context 4805",
         "it is still there");

  const pid_t holder = startGuest(kPersistentXid);
  report(holder > 0, "context 4806 is up", "its guest did not start");
  if (holder <= 0) return;
  vs::PolicyChange persistent;
  persistent.flags = {VSERVER_CF_PERSISTENT, VSERVER_CF_PERSISTENT};
  expect("the host makes context 4806 persistent", 0,
         errnoOfCall([&] { client.setPolicy(kPersistentXid, persistent); }));
  expect("CTX_KILL with SIGKILL of context 4806", 0,
         errnoOfCall([&] { client.kill(kPersistentXid, SIGKILL); }));
  waitpid(holder, nullptr, 0);
  tasks = 1;
  errnoOfCall([&] { tasks = client.context(kPersistentXid).tasks; });
  report(tasks == 0, "killed and reaped, the persistent context 4806 lives on with 0 tasks",
         "tasks " + std::to_string(tasks));
  expect("a task joins the emptied persistent context 4806 (no longer dying)", 0,
         migrateErrno(kPersistentXid));
  persistent.flags.value = 0;
  expect("the host clears persistent from context 4806", 0,
         errnoOfCall([&] { client.setPolicy(kPersistentXid, persistent); }));
  report(waitGone(client, kPersistentXid, 5000), "context 4806 then ends", "it is still there");
}

// A page whose first touch, even by the kernel, waits in a userfaultfd
// until answered (the host's root may handle kernel-mode faults).
struct TrappedPage {
  vs::UniqueFd uffd;
  void* page = MAP_FAILED;
  long size = sysconf(_SC_PAGESIZE);

  TrappedPage() : uffd(static_cast<int>(syscall(SYS_userfaultfd, O_CLOEXEC))) {
    uffdio_api api{UFFD_API, 0, 0};
    if (!uffd || ioctl(uffd.get(), UFFDIO_API, &api) != 0) return;
    page = mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (page == MAP_FAILED) return;
    uffdio_register reg{{reinterpret_cast<uint64_t>(page), static_cast<uint64_t>(size)},
                        UFFDIO_REGISTER_MODE_MISSING, 0};
    if (ioctl(uffd.get(), UFFDIO_REGISTER, &reg) != 0) {
      munmap(page, size);
      page = MAP_FAILED;
    }
  }
  ~TrappedPage() {
    if (page != MAP_FAILED) munmap(page, size);
  }
  bool ready() const { return page != MAP_FAILED; }
  // Whether a fault arrived within ms.
  bool faulted(int ms) {
    pollfd p{uffd.get(), POLLIN, 0};
    uffd_msg msg{};
    return poll(&p, 1, ms) == 1 && read(uffd.get(), &msg, sizeof(msg)) == sizeof(msg) &&
           msg.event == UFFD_EVENT_PAGEFAULT;
  }
  bool answer() {
    uffdio_zeropage zero{{reinterpret_cast<uint64_t>(page), static_cast<uint64_t>(size)}, 0, 0};
    return ioctl(uffd.get(), UFFDIO_ZEROPAGE, &zero) == 0;
  }
};

// Waits up to ms for child; its exit status, or -1 if it has not ended.
int waitExit(pid_t child, int ms) {
  for (int waited = 0; waited <= ms; waited += 10) {
    int status = 0;
    if (waitpid(child, &status, WNOHANG) == child) return WIFEXITED(status) ? WEXITSTATUS(status) : 255;
    sleepMs(10);
  }
  return -1;
}

void checkHeldRelease() {
  TrappedPage trap;
  report(trap.ready(), "host: a page whose kernel-mode faults a userfaultfd handles", std::strerror(errno));
  if (!trap.ready()) return;
  const pid_t guest = startGuest(kHeldXid);
  report(guest > 0, "context 4807 is up", "its guest did not start");
  if (guest <= 0) return;
  const vs::UniqueFd status(open("/proc/virtual/4807/status", O_RDONLY | O_CLOEXEC));
  report(static_cast<bool>(status), "host: open /proc/virtual/4807/status", std::strerror(errno));
  if (!status) return;
  std::thread reader([&] { (void)!read(status.get(), trap.page, trap.size); });
  const bool held = trap.faulted(5000);
  report(held, "host: its read copies to the page and waits there");
  kill(guest, SIGKILL);
  waitpid(guest, nullptr, 0);
  // The release of the ended context now waits for the read to end.
  std::fflush(stdout);
  const pid_t creator = fork();
  if (creator == 0) _exit(enterNewContext(kHeldXid, ""));
  const int created = waitExit(creator, 30000);
  report(created == EBUSY, "a create of xid 4807 while the read holds the release -> EBUSY, in time",
         created < 0 ? "still waiting after 30 s" : errnoName(created));
  report(trap.answer(), "host: answer the fault");
  reader.join();
  if (created < 0) waitpid(creator, nullptr, 0);
  const pid_t again = startGuest(kHeldXid);
  report(again > 0, "the read ended, a create of xid 4807 succeeds (control)", "it failed");
  if (again <= 0) return;
  kill(again, SIGKILL);
  waitpid(again, nullptr, 0);
  vs::VserverClient client;
  report(waitGone(client, kHeldXid, 5000), "context 4807 then ends", "it is still there");
}

}  // namespace

int probeRaces(const std::string& which) {
  const bool all = which == "all";
  if (all || which == "recreate") checkRecreate();
  if (all || which == "seal") checkSeal();
  if (all || which == "host-seal") checkHostSeal();
  if (all || which == "forkbomb") checkForkBomb();
  if (all || which == "dying") checkDying();
  if (all || which == "held") checkHeldRelease();
  return failures() ? 1 : 0;
}

}  // namespace probe
