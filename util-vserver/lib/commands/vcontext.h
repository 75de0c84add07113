// vcontext: create a context or enter one, then run a command in it.
//
//   vcontext --create --xid N [--name NAME] -- COMMAND [ARG...]
//   vcontext --migrate --xid N -- COMMAND [ARG...]
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
  std::vector<std::string> command;
};

// Exit status when --create finds the context already there (util-vserver's).
constexpr int kExitExists = 254;

Options parseOptions(int argc, const char** argv);

// Acts, then execs the command; returns only by throwing.
[[noreturn]] void run(const Options& options);

int main(int argc, const char** argv);

}  // namespace vs::vcontext
