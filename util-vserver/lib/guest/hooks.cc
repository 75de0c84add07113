#include "hooks.h"

#include <unistd.h>

#include <cerrno>
#include <string>
#include <vector>

#include "../error.h"
#include "../exec.h"
#include "../process.h"

namespace vs::guest {

namespace {

std::vector<std::string> hookCommand(const HookScript& hook, HookPhase phase,
                                     const std::string& name) {
  std::vector<std::string> argv;
  if (!hook.executable) argv.emplace_back("/bin/sh");
  argv.insert(argv.end(), {hook.path.string(), hookPhaseName(phase), name});
  return argv;
}

void runHook(const HookScript& hook, HookPhase phase, const std::string& name,
             const std::filesystem::path& cwd) {
  const pid_t pid = fork();
  if (pid < 0) throwErrno("fork");
  if (pid == 0) {
    if (chdir(cwd.c_str()) != 0) _exit(126);
    try {
      execCommand(hookCommand(hook, phase, name));
    } catch (const Error& e) {
      _exit(e.exitStatus());
    }
  }
  const int status = waitForExitStatus(pid);
  if (status != 0)
    throw Error(0, std::string(hookPhaseName(phase)) + " hook " + hook.path.string() +
                       " failed (" + describeStatus(status) + ")");
}

}  // namespace

void runHooks(const GuestConfig& config, HookPhase phase, const std::filesystem::path& cwd) {
  for (const HookScript& hook : config.hooksOf(phase)) runHook(hook, phase, config.name, cwd);
}

}  // namespace vs::guest
