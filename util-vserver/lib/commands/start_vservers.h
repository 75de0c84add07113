// start-vservers: start, stop or show every guest of a mark, as the boot
// scripts do (util-vserver's name for the same job).
//
//   start-vservers [--mark MARK] [--jobs N] [--timeout SECONDS]
//                  (--start | --stop | --status)
//
// The guests are those under /etc/vservers whose apps/init/mark holds
// MARK (default "default"), without the disabled ones, with the guests
// they depend on.  Exit status: 0 when every guest did what was asked
// (--status: runs), 1 when one failed (--status: 3 when one is stopped),
// 255 when the tool could not do anything (bad option, dependency cycle).
#pragma once

#include <chrono>
#include <string>

#include "../boot/group_run.h"
#include "../guest/config.h"

namespace vs::start_vservers {

enum class Mode { Start, Stop, Status };

struct Options {
  Mode mode = Mode::Status;
  std::string mark = "default";
  unsigned jobs = 6;                   // util-vserver's vservers-default ran 6 at once
  // The whole run; see vservers.service.
  std::chrono::seconds timeout{guest::kDefaultStartTimeoutSeconds};
};

constexpr int kExitSomeFailed = 1;
constexpr int kExitSomeStopped = 3;  // LSB "program is not running"

Options parseOptions(int argc, const char** argv);
int run(const Options& options);
int main(int argc, const char** argv);

}  // namespace vs::start_vservers
