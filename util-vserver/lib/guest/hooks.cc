#include "hooks.h"

#include <string>
#include <vector>

#include "../error.h"
#include "../process.h"
#include "../subprocess.h"

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
  const int status = runCommand(hookCommand(hook, phase, name), cwd);
  if (status != 0)
    throw Error(0, std::string(hookPhaseName(phase)) + " hook " + hook.path.string() +
                       " failed (" + describeStatus(status) + ")");
}

}  // namespace

void runHooks(const GuestConfig& config, HookPhase phase, const std::filesystem::path& cwd) {
  for (const HookScript& hook : config.hooksOf(phase)) runHook(hook, phase, config.name, cwd);
}

}  // namespace vs::guest
