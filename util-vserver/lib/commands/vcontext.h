// vcontext: create a context or enter one, then run a command in it.
//
//   vcontext --create --xid N [--name NAME] [--setup] [--chroot] -- COMMAND [ARG...]
//   vcontext --migrate --xid N [--chroot] -- COMMAND [ARG...]
//
// --chroot first makes the current directory the root (util-vserver's
// meaning); a context created then has it as its root.  --setup leaves a
// new context in its setup state, to be configured from inside with
// vattribute and sealed with "vattribute --set --flag ~state_setup".
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace vs::vcontext {

enum class Mode { Create, Migrate };

struct Options {
  Mode mode = Mode::Create;
  uint32_t xid = 0;
  std::string name;
  bool setup = false;
  bool chroot = false;
  std::vector<std::string> command;
};

// Exit status when --create finds the context already there (util-vserver's).
constexpr int kExitExists = 254;

Options parseOptions(int argc, const char** argv);

// Acts, then execs the command; returns only by throwing.
[[noreturn]] void run(const Options& options);

int main(int argc, const char** argv);

}  // namespace vs::vcontext
