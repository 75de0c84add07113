// The CPU-clock sampler and the kernel's symbols (profile.h).
//
// Why the event is a task's and not the VM's by default: the bench VM has
// one CPU, so a per-CPU event of every task (pid -1) would count the whole
// VM as -icount does, but with it whatever else runs: the console that
// echoes the probe's output, kernel threads, the idle loop (whose samples
// count time the clock skipped ahead, not instructions: sleep=off).  An
// event of the worker, inherited by what it forks, counts the op's own
// work and the interrupts and softirqs that land in it; what the op makes
// another task do (the sink's receiving side of the network ops, a
// kworker's deferred frees) is left out.  The caller picks: pid -1 is the
// whole CPU.  Either way the event is opened per CPU, because the kernel
// refuses to mmap an inherited event of every CPU (cpu -1): one ring per
// CPU, every CPU online (the workers are pinned to CPU 0, the icount VM
// has only that one).
#include "profile.h"

#include <linux/perf_event.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cinttypes>
#include <cstdio>
#include <cstring>
#include <iterator>
#include <map>
#include <memory>

#include "error.h"
#include "kernel_file.h"

namespace probe {

namespace {

constexpr char kKallsyms[] = "/proc/kallsyms";
constexpr char kKptrRestrict[] = "/proc/sys/kernel/kptr_restrict";
constexpr char kPerfParanoid[] = "/proc/sys/kernel/perf_event_paranoid";

// A function's text: t or T, W or w for a weak one.  Data symbols
// (KALLSYMS_ALL) would split a function's range only if they lay inside
// it; they do not, but there is no reason to keep them.
bool isText(char type) { return type == 't' || type == 'T' || type == 'w' || type == 'W'; }

// fd of a CPU-clock event sampling the ip every periodNs on cpu, of pid
// (inherited) or of every task (pid -1), disabled; or -errno.
int openCpuClock(int cpu, pid_t pid, long periodNs) {
  perf_event_attr attr{};
  attr.size = sizeof(attr);
  attr.type = PERF_TYPE_SOFTWARE;
  attr.config = PERF_COUNT_SW_CPU_CLOCK;
  attr.sample_period = static_cast<uint64_t>(periodNs);
  attr.sample_type = PERF_SAMPLE_IP;
  attr.disabled = 1;
  // The children of the fork and exec ops are the op's work.
  attr.inherit = pid >= 0;
  attr.exclude_hv = 1;
  // Wake the sampler when half the ring is written, not per sample.
  attr.watermark = 1;
  attr.wakeup_watermark = PerfRing::kDataPages * static_cast<uint32_t>(getpagesize()) / 2;
  const long fd = syscall(SYS_perf_event_open, &attr, pid, cpu, -1, PERF_FLAG_FD_CLOEXEC);
  return fd < 0 ? -errno : static_cast<int>(fd);
}

}  // namespace

KernelSymbols::KernelSymbols() {
  if (load()) return;
  // kptr_restrict 2 shows root zeros too.
  std::printf("# profile: %s hides the addresses; setting %s to 0\n", kKallsyms, kKptrRestrict);
  vs::writeKernelFile(kKptrRestrict, "0");
  if (!load()) vs::throwUsage(std::string(kKallsyms) + " shows no addresses");
}

// Reads the symbols, sorted by address; false when there are none with an
// address.
bool KernelSymbols::load() {
  const std::unique_ptr<FILE, int (*)(FILE*)> file(std::fopen(kKallsyms, "re"), std::fclose);
  if (!file) vs::throwErrno(kKallsyms);
  symbols_.clear();
  char line[512];
  while (std::fgets(line, sizeof(line), file.get())) {
    // "ffffffff81000000 T _stext" or "ffffffffc0002000 t hook\t[vserver]".
    char type = 0;
    char name[256], module[128] = "";
    uint64_t address = 0;
    if (std::sscanf(line, "%" SCNx64 " %c %255s %127s", &address, &type, name, module) < 3 ||
        !isText(type) || address == 0)
      continue;
    symbols_.push_back({address, std::string(name) + module});
  }
  std::sort(symbols_.begin(), symbols_.end(),
            [](const Symbol& a, const Symbol& b) { return a.address < b.address; });
  return !symbols_.empty();
}

const std::string& KernelSymbols::nameOf(uint64_t ip) const {
  static const std::string unknown = "[unknown]";
  const auto after = std::upper_bound(symbols_.begin(), symbols_.end(), ip,
                                      [](uint64_t a, const Symbol& s) { return a < s.address; });
  return after == symbols_.begin() ? unknown : std::prev(after)->name;
}

PerfRing::PerfRing(vs::UniqueFd fd) : fd_(std::move(fd)) {
  mapSize_ = (1 + kDataPages) * static_cast<size_t>(getpagesize());
  // Writable, so that the kernel sees data_tail and never overwrites what
  // is unread: a full ring drops samples and says so (PERF_RECORD_LOST).
  void* const map = mmap(nullptr, mapSize_, PROT_READ | PROT_WRITE, MAP_SHARED, fd_.get(), 0);
  if (map == MAP_FAILED) vs::throwErrno("mmap of a perf event's ring");
  map_ = map;
}

PerfRing::PerfRing(PerfRing&& other) noexcept
    : fd_(std::move(other.fd_)),
      map_(std::exchange(other.map_, nullptr)),
      mapSize_(std::exchange(other.mapSize_, 0)) {}

PerfRing::~PerfRing() {
  if (map_) munmap(map_, mapSize_);
}

// Copies size bytes at offset (from the data area's start, modulo its
// size) to to: a record may wrap around the end.
void PerfRing::copyOut(uint64_t offset, void* to, size_t size) const {
  const auto* page = static_cast<const perf_event_mmap_page*>(map_);
  const auto* data = static_cast<const char*>(map_) + page->data_offset;
  const size_t ringSize = page->data_size;
  const size_t start = offset % ringSize;
  const size_t first = std::min(size, ringSize - start);
  std::memcpy(to, data + start, first);
  std::memcpy(static_cast<char*>(to) + first, data, size - first);
}

void PerfRing::drainInto(SampleCounts& counts) {
  auto* page = static_cast<perf_event_mmap_page*>(map_);
  // Acquire: the records up to data_head are written before we read them.
  const uint64_t head = __atomic_load_n(&page->data_head, __ATOMIC_ACQUIRE);
  uint64_t tail = page->data_tail;
  while (tail < head) {
    perf_event_header header{};
    copyOut(tail, &header, sizeof(header));
    if (header.size < sizeof(header)) break;  // cannot happen; do not spin
    // The records read: a sample of an ip, a loss, a throttle.
    union {
      struct {
        perf_event_header header;
        uint64_t ip;
      } sample;
      struct {
        perf_event_header header;
        uint64_t id;
        uint64_t lost;
      } lost;
    } record{};
    copyOut(tail, &record, std::min<size_t>(header.size, sizeof(record)));
    if (header.type == PERF_RECORD_SAMPLE) {
      switch (header.misc & PERF_RECORD_MISC_CPUMODE_MASK) {
        case PERF_RECORD_MISC_KERNEL:
          counts.kernelIps[record.sample.ip]++;
          break;
        case PERF_RECORD_MISC_USER:
          counts.user++;
          break;
        default:
          counts.other++;
      }
    } else if (header.type == PERF_RECORD_LOST) {
      counts.lost += static_cast<long>(record.lost.lost);
    } else if (header.type == PERF_RECORD_THROTTLE) {
      counts.throttled++;
    }
    tail += header.size;
  }
  // Release: we are done reading the records before the kernel reuses
  // their space.
  __atomic_store_n(&page->data_tail, tail, __ATOMIC_RELEASE);
}

CpuClockSampler::CpuClockSampler(pid_t pid, long periodNs) {
  bool lowered = false;
  const long cpus = sysconf(_SC_NPROCESSORS_CONF);
  for (int cpu = 0; cpu < cpus; cpu++) {
    int fd = openCpuClock(cpu, pid, periodNs);
    // Root passes perf_event_paranoid by CAP_PERFMON or CAP_SYS_ADMIN;
    // should the check refuse it all the same, it is turned off.
    if ((fd == -EACCES || fd == -EPERM) && !lowered) {
      std::printf("# profile: perf_event_open refused (%s); setting %s to -1\n", std::strerror(-fd),
                  kPerfParanoid);
      vs::writeKernelFile(kPerfParanoid, "-1");
      lowered = true;
      fd = openCpuClock(cpu, pid, periodNs);
    }
    if (fd == -ENODEV) continue;  // an offline CPU
    if (fd < 0)
      throw vs::Error(-fd, vs::errnoMessage("perf_event_open of CPU " + std::to_string(cpu), -fd));
    rings_.emplace_back(vs::UniqueFd(fd));
  }
  if (rings_.empty()) vs::throwUsage("perf_event_open: no CPU online");
}

void CpuClockSampler::control(unsigned long request) const {
  for (const PerfRing& ring : rings_)
    if (::ioctl(ring.fd(), request, 0) != 0) vs::throwErrno("ioctl of a perf event");
}

void CpuClockSampler::start() { control(PERF_EVENT_IOC_ENABLE); }

void CpuClockSampler::drainUntilReadable(int fd) {
  std::vector<pollfd> fds{{fd, POLLIN, 0}};
  for (const PerfRing& ring : rings_) fds.push_back({ring.fd(), POLLIN, 0});
  for (;;) {
    if (poll(fds.data(), fds.size(), -1) < 0) {
      if (errno == EINTR) continue;
      vs::throwErrno("poll");
    }
    for (size_t i = 1; i < fds.size(); i++)
      if (fds[i].revents & POLLIN) rings_[i - 1].drainInto(counts_);
    if (fds[0].revents) return;
  }
}

Profile CpuClockSampler::stop(const KernelSymbols& symbols) {
  // Disabling is synchronous: no sample is written after it returns.
  control(PERF_EVENT_IOC_DISABLE);
  for (PerfRing& ring : rings_) ring.drainInto(counts_);
  std::map<std::string, long> byName;
  for (const auto& [ip, samples] : counts_.kernelIps) byName[symbols.nameOf(ip)] += samples;
  if (counts_.user) byName["[user]"] += counts_.user;
  if (counts_.other) byName["[other]"] += counts_.other;
  Profile profile;
  profile.functions.assign(byName.begin(), byName.end());
  std::stable_sort(profile.functions.begin(), profile.functions.end(),
                   [](const auto& a, const auto& b) { return a.second > b.second; });
  for (const auto& function : profile.functions) profile.samples += function.second;
  profile.lost = counts_.lost;
  profile.throttled = counts_.throttled;
  counts_ = SampleCounts{};
  return profile;
}

}  // namespace probe
