// An instruction profiler for vstest bench --profile: a software CPU-clock
// perf event sampling the instruction pointer every N ns.  Under QEMU's
// -icount shift=0 (make bench) the guest's clock advances one ns per
// emulated instruction, so a sample every N ns is a sample every N
// instructions, and samples times N is instructions.  No PMU is needed:
// the CPU clock is an hrtimer.
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "unique_fd.h"

namespace probe {

// The kernel samples a CPU clock at most every 10 us
// (perf_swevent_start_hrtimer() raises a shorter period to that).  It
// also throttles an event that samples more than
// kernel.perf_event_max_sample_rate (100000) times a second: it stops
// sampling until the next tick and says so (Profile::throttled); a period
// under 20000 ns may hit that.  The limit is left as it is: it keeps a
// period not much longer than the timer interrupt's own cost from taking
// the CPU whole (with the limit doubled, a 10 us period made a run crawl
// past its timeout on a machine whose hrtimer interrupt took 11 us).
constexpr long kMinSamplePeriodNs = 10000;
// The period a profile takes unless told: 20 us, a sample per 20000
// instructions under -icount.
constexpr long kDefaultSamplePeriodNs = 20000;

// The running kernel's functions and their start, from /proc/kallsyms,
// the modules' included.
class KernelSymbols {
 public:
  // Reads /proc/kallsyms, lowering kernel.kptr_restrict to 0 when the
  // addresses read as zero; throws vs::Error when they cannot be read.
  KernelSymbols();

  // The function ip lies in: "name", or "name[module]" for a module's;
  // "[unknown]" below the first.  Without symbol sizes, an ip between two
  // functions counts for the lower one.
  const std::string& nameOf(uint64_t ip) const;

 private:
  struct Symbol {
    uint64_t address;
    std::string name;
  };
  bool load();
  std::vector<Symbol> symbols_;
};

// What the samples hit, by function, most samples first.  User-mode
// samples are one "[user]" bucket: the kernel is what is compared.
struct Profile {
  std::vector<std::pair<std::string, long>> functions;
  long samples = 0;
  long lost = 0;       // samples a full ring buffer dropped
  long throttled = 0;  // times the kernel throttled the event
};

// What a ring's records said, before the kernel's ips are named.
struct SampleCounts {
  std::unordered_map<uint64_t, long> kernelIps;
  long user = 0;
  long other = 0;  // neither kernel nor user mode (a hypervisor's)
  long lost = 0;
  long throttled = 0;
};

// One CPU's event and the ring buffer it samples into; unmapped and
// closed with it.
class PerfRing {
 public:
  // Maps the ring of the event fd; throws vs::Error.
  explicit PerfRing(vs::UniqueFd fd);
  PerfRing(PerfRing&& other) noexcept;
  PerfRing& operator=(PerfRing&&) = delete;
  PerfRing(const PerfRing&) = delete;
  PerfRing& operator=(const PerfRing&) = delete;
  ~PerfRing();

  int fd() const { return fd_.get(); }
  // Counts the records written since the last call, and frees their
  // space for the kernel.
  void drainInto(SampleCounts& counts);

  // The ring's data pages: 2 MiB, 131072 samples of an ip, 2.6 * 10^9
  // instructions at the default period; the sampler is woken to empty it
  // when half full.
  static constexpr size_t kDataPages = 512;

 private:
  void copyOut(uint64_t offset, void* to, size_t size) const;
  vs::UniqueFd fd_;
  void* map_ = nullptr;
  size_t mapSize_ = 0;
};

// A CPU-clock event sampling the instruction pointer every periodNs, on
// every online CPU: of pid and the tasks it forks while sampling (pid >= 0;
// inherited, so that the children of fork and exec count), or of every
// task (pid -1).  Opened disabled; throws vs::Error when the kernel
// refuses (after lowering kernel.perf_event_paranoid to -1, when that
// was the reason).
class CpuClockSampler {
 public:
  CpuClockSampler(pid_t pid, long periodNs);

  void start();
  // Empties the rings as they fill until fd is readable (the reply that
  // ends the sampled run): no ring overflows however long the run is, and
  // the sampler sleeps in poll() meanwhile.
  void drainUntilReadable(int fd);
  // Stops sampling, empties the rings, and names what the samples hit.
  Profile stop(const KernelSymbols& symbols);

 private:
  void control(unsigned long request) const;
  std::vector<PerfRing> rings_;
  SampleCounts counts_;
};

}  // namespace probe
