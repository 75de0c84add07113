#include "probe.h"

#include <fcntl.h>
#include <linux/fs.h>
#include <linux/if_alg.h>
#include <linux/netlink.h>
#include <sys/fanotify.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>

#include "error.h"
#include "unique_fd.h"
#include "vserver_client.h"

namespace probe {

namespace {
int failureCount = 0;
}

const char* errnoName(int errnum) {
  if (errnum == 0) return "success";
  if (const char* name = strerrorname_np(errnum)) return name;
  // Not an errno: a probe's own code for a step that failed first.
  static thread_local char code[32];
  std::snprintf(code, sizeof(code), "code %d", errnum);
  return code;
}

void report(bool passed, const std::string& what, const std::string& detail) {
  if (passed) {
    std::printf("ok - %s\n", what.c_str());
  } else {
    std::printf("not ok - %s: %s\n", what.c_str(), detail.c_str());
    failureCount++;
  }
  std::fflush(stdout);
}

void expect(const std::string& what, int expected, int got) {
  report(got == expected, what + " -> " + errnoName(expected),
         std::string("got ") + errnoName(got));
}

int errnoOf(long result) { return result < 0 ? errno : 0; }

int compatIoctl(int fd, unsigned int cmd, void* arg, size_t size) {
  constexpr long kCompatIoctl = 54;  // __NR_ioctl of i386
  static void* const low = mmap(nullptr, 4096, PROT_READ | PROT_WRITE,
                                MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT, -1, 0);
  if (low == MAP_FAILED || size > 4096) return ENOMEM;
  std::memcpy(low, arg, size);
  long result = kCompatIoctl;
  // The compat entry takes ebx, ecx, edx and may not keep r8-r11.
  asm volatile("int $0x80"
               : "+a"(result)
               : "b"(fd), "c"(cmd), "d"(static_cast<uint32_t>(reinterpret_cast<uintptr_t>(low)))
               : "r8", "r9", "r10", "r11", "memory");
  std::memcpy(arg, low, size);
  return result < 0 ? static_cast<int>(-result) : 0;
}

int toggleNoDumpFlag(int fd, bool compat) {
  int flags = 0;
  if (ioctl(fd, FS_IOC_GETFLAGS, &flags) != 0) return errno;
  int changed = flags ^ FS_NODUMP_FL;
  const int result = compat ? compatIoctl(fd, FS_IOC32_SETFLAGS, &changed, sizeof(changed))
                            : errnoOf(ioctl(fd, FS_IOC_SETFLAGS, &changed));
  if (result == 0) ioctl(fd, FS_IOC_SETFLAGS, &flags);
  return result;
}

int setVersionErrno(int fd, bool compat) {
  int version = 1;
  return compat ? compatIoctl(fd, FS_IOC32_SETVERSION, &version, sizeof(version))
                : errnoOf(ioctl(fd, FS_IOC_SETVERSION, &version));
}

int failures() { return failureCount; }

void inChild(const std::function<void()>& fn) {
  std::fflush(stdout);
  const pid_t pid = fork();
  if (pid < 0) {
    report(false, "fork", std::strerror(errno));
    return;
  }
  if (pid == 0) {
    fn();
    std::fflush(stdout);
    _exit(failureCount ? 1 : 0);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  if (!WIFEXITED(status))
    report(false, "child process", "died with signal " + std::to_string(WTERMSIG(status)));
  else if (WEXITSTATUS(status) != 0)
    failureCount++;
}

void inTurns(const std::string& what, const std::function<void(const HandOver&)>& childSide,
             const std::function<void(uint32_t value)>& parentSide) {
  int toParent[2] = {-1, -1}, toChild[2] = {-1, -1};
  const bool piped = pipe2(toParent, O_CLOEXEC) == 0 && pipe2(toChild, O_CLOEXEC) == 0;
  vs::UniqueFd fromChild(toParent[0]), childOut(toParent[1]);
  vs::UniqueFd fromParent(toChild[0]), parentOut(toChild[1]);
  if (!piped) {
    report(false, what + ": pipes", std::strerror(errno));
    return;
  }
  const int failedBefore = failureCount;
  std::fflush(stdout);
  const pid_t pid = fork();
  if (pid == 0) {
    fromChild.reset();
    parentOut.reset();
    childSide([&](uint32_t value) {
      char byte;
      // The parent's side ends when it closes its end: read() returns 0.
      if (write(childOut.get(), &value, sizeof(value)) != sizeof(value) ||
          read(fromParent.get(), &byte, 1) < 0)
        report(false, what + ": the child hands over to the parent", std::strerror(errno));
    });
    std::fflush(stdout);
    _exit(failureCount > failedBefore ? 1 : 0);
  }
  childOut.reset();
  fromParent.reset();
  uint32_t value = 0;
  if (pid > 0 && read(fromChild.get(), &value, sizeof(value)) == sizeof(value))
    parentSide(value);
  else
    report(false, what + ": the child's hand-over", pid < 0 ? std::strerror(errno) : "none came");
  parentOut.reset();
  int status = 0;
  report(pid > 0 && waitpid(pid, &status, 0) == pid && WIFEXITED(status) &&
             WEXITSTATUS(status) == 0,
         what, "the child's checks failed or it died (see above)");
}

int writeExisting(const std::string& path, const std::string& content) {
  const vs::UniqueFd fd(open(path.c_str(), O_WRONLY | O_CLOEXEC));
  if (!fd) return errno;
  return write(fd.get(), content.data(), content.size()) == static_cast<ssize_t>(content.size())
             ? 0
             : errno;
}

void inCgroupOfItsOwn(const std::string& cgroup, const std::string& controller,
                      const std::vector<std::pair<std::string, std::string>>& settings,
                      const std::function<void()>& fn) {
  writeFile("/sys/fs/cgroup/cgroup.subtree_control", "+" + controller);
  if (mkdir(cgroup.c_str(), 0755) != 0 && errno != EEXIST)
    report(false, "make " + cgroup, std::strerror(errno));
  for (const auto& [file, value] : settings) writeFile(cgroup + "/" + file, value);
  inChild([&] {
    writeFile(cgroup + "/cgroup.procs", "0");
    fn();
  });
  rmdir(cgroup.c_str());
}

int enterNewContext(uint32_t xid, const std::string& name, const vs::ContextPolicy& policy) {
  try {
    vs::VserverClient client;
    client.createContext(xid, name, policy);
    return 0;
  } catch (const vs::Error& e) {
    std::printf("# create context %u: %s\n", xid, e.what());
    return e.errnum() ? e.errnum() : EINVAL;
  }
}

bool enteredNewContext(uint32_t xid, const std::string& name, const vs::ContextPolicy& policy) {
  const int err = enterNewContext(xid, name, policy);
  if (err != 0) report(false, "create context " + std::to_string(xid), std::strerror(err));
  return err == 0;
}

vs::ContextPolicy policyWithCapability(int capability) {
  vs::ContextPolicy policy;
  policy.bcaps = VSERVER_BCAPS_DEFAULT | _BITULL(capability);
  return policy;
}

int isolated(const std::function<int()>& fn) {
  std::fflush(stdout);
  const pid_t pid = fork();
  if (pid < 0) return errno;
  if (pid == 0) {
    const int result = fn();
    std::fflush(stdout);
    _exit(result);
  }
  int status = 0;
  if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status)) return 255;
  return WEXITSTATUS(status);
}

int setSameHostname() {
  char name[65] = {};
  gethostname(name, sizeof(name) - 1);
  return errnoOf(sethostname(name, std::strlen(name)));
}

int setTimeOfDayToNow() {
  timeval now{};
  gettimeofday(&now, nullptr);
  return errnoOf(settimeofday(&now, nullptr));
}

int setIoprio(int who, int id, int ioprio) { return errnoOf(syscall(SYS_ioprio_set, who, id, ioprio)); }

ifreq interfaceRequest(const char* link) {
  ifreq req{};
  std::strncpy(req.ifr_name, link, IFNAMSIZ - 1);
  return req;
}

int interfaceIoctl(unsigned long request, ifreq& req) {
  const vs::UniqueFd socketFd(socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
  if (!socketFd) return errno;
  return errnoOf(ioctl(socketFd.get(), request, &req));
}

// The port a netlink socket is bound to, or 0.
uint32_t netlinkPortOf(int fd) {
  sockaddr_nl address{};
  socklen_t length = sizeof(address);
  if (getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) return 0;
  return address.nl_pid;
}

int setLinkUpErrno(const char* link, bool up) {
  ifreq req = interfaceRequest(link);
  if (const int err = interfaceIoctl(SIOCGIFFLAGS, req)) return err;
  if (up)
    req.ifr_flags = static_cast<short>(req.ifr_flags | IFF_UP);
  else
    req.ifr_flags = static_cast<short>(req.ifr_flags & ~IFF_UP);
  return interfaceIoctl(SIOCSIFFLAGS, req);
}

long addKey(const char* description, const char* payload, long keyring) {
  return syscall(SYS_add_key, "user", description, payload, std::strlen(payload), keyring);
}

struct flock byteRange(short type, off_t start, off_t length) {
  struct flock lock {};
  lock.l_type = type;
  lock.l_whence = SEEK_SET;
  lock.l_start = start;
  lock.l_len = length;
  return lock;
}

int lockBytes(int fd, int cmd, short type, off_t start, off_t length) {
  struct flock lock = byteRange(type, start, length);
  return fcntl(fd, cmd, &lock);
}

int leaseErrno(const std::string& path, int type) {
  const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return errno;
  const int result = errnoOf(fcntl(fd, F_SETLEASE, type));
  if (result == 0) fcntl(fd, F_SETLEASE, F_UNLCK);
  close(fd);
  return result;
}

int openErrno(const std::string& path, int flags, mode_t mode) {
  const int fd = open(path.c_str(), flags | O_CLOEXEC, mode);
  if (fd < 0) return errno;
  close(fd);
  return 0;
}

sockaddr_in loopbackAddress(uint16_t port) {
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return address;
}

int listenTcp(uint16_t& port) {
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in address = loopbackAddress(0);
  socklen_t length = sizeof address;
  if (fd < 0 || bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
      listen(fd, 8) != 0 ||
      getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
    if (fd >= 0) {
      const int error = errno;
      close(fd);
      errno = error;
    }
    return -1;
  }
  port = ntohs(address.sin_port);
  return fd;
}

vs::UniqueFd algSocket(const std::string& type, const std::string& name) {
  vs::UniqueFd fd(socket(AF_ALG, SOCK_SEQPACKET | SOCK_CLOEXEC, 0));
  sockaddr_alg address{};
  address.salg_family = AF_ALG;
  std::strncpy(reinterpret_cast<char*>(address.salg_type), type.c_str(),
               sizeof(address.salg_type) - 1);
  std::strncpy(reinterpret_cast<char*>(address.salg_name), name.c_str(),
               sizeof(address.salg_name) - 1);
  if (fd && bind(fd.get(), reinterpret_cast<const sockaddr*>(&address), sizeof(address)) != 0) {
    const int error = errno;
    fd.reset();
    errno = error;
  }
  return fd;
}

ssize_t sendWithControlInt(int fd, const void* data, size_t size, int flags, int level, int type,
                           int value) {
  alignas(cmsghdr) unsigned char control[CMSG_SPACE(sizeof(value))] = {};
  iovec vector{const_cast<void*>(data), size};
  msghdr message{};
  message.msg_iov = &vector;
  message.msg_iovlen = 1;
  message.msg_control = control;
  message.msg_controllen = sizeof(control);
  cmsghdr* header = CMSG_FIRSTHDR(&message);
  header->cmsg_level = level;
  header->cmsg_type = type;
  header->cmsg_len = CMSG_LEN(sizeof(value));
  std::memcpy(CMSG_DATA(header), &value, sizeof(value));
  return sendmsg(fd, &message, flags);
}

int listenAllNamespaces() {
  const vs::UniqueFd fd(socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE));
  if (!fd) return errno;
  const int on = 1;
  return errnoOf(setsockopt(fd.get(), SOL_NETLINK, NETLINK_LISTEN_ALL_NSID, &on, sizeof(on)));
}

vs::UniqueFd netlinkSocket(int protocol, uint32_t groups) {
  vs::UniqueFd fd(socket(AF_NETLINK, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, protocol));
  sockaddr_nl address{};
  address.nl_family = AF_NETLINK;
  address.nl_groups = groups;
  if (fd && bind(fd.get(), reinterpret_cast<const sockaddr*>(&address), sizeof(address)) != 0)
    fd.reset();
  return fd;
}

std::vector<std::string> queuedDatagrams(int fd) {
  std::vector<std::string> datagrams;
  char buffer[4096];
  ssize_t length;
  while ((length = recv(fd, buffer, sizeof(buffer), MSG_DONTWAIT)) > 0)
    datagrams.emplace_back(buffer, static_cast<size_t>(length));
  return datagrams;
}

int fanotifyMarkErrno(const std::string& path, unsigned int groupClass, unsigned int markFlags,
                      uint64_t mask) {
  vs::UniqueFd group(fanotify_init(groupClass | FAN_CLOEXEC, O_RDONLY));
  if (!group) return errno;
  return errnoOf(
      fanotify_mark(group.get(), FAN_MARK_ADD | markFlags, mask, AT_FDCWD, path.c_str()));
}

void writeFile(const std::string& path, const std::string& content, mode_t mode) {
  const int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, mode);
  if (fd < 0 || write(fd, content.data(), content.size()) != static_cast<ssize_t>(content.size())) {
    std::printf("not ok - write %s: %s\n", path.c_str(), std::strerror(errno));
    std::exit(1);
  }
  close(fd);
}

FilesSetForNow::FilesSetForNow(const std::map<std::string, std::string>& values) {
  for (const auto& [file, value] : values) {
    saved_[file] = readFile(file);
    writeFile(file, value);
  }
}

FilesSetForNow::~FilesSetForNow() {
  for (const auto& [file, value] : saved_) writeFile(file, value);
}

std::string readFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream content;
  content << in.rdbuf();
  return content.str();
}

}  // namespace probe
