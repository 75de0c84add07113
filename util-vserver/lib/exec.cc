#include "exec.h"

#include <unistd.h>

#include <cerrno>
#include <cstdio>

#include "error.h"

namespace vs {

void execCommand(const std::vector<std::string>& argv) {
  if (argv.empty()) throwUsage("no command given");
  std::vector<char*> args;
  args.reserve(argv.size() + 1);
  for (const std::string& arg : argv) args.push_back(const_cast<char*>(arg.c_str()));
  args.push_back(nullptr);
  execvp(args[0], args.data());
  const int errnum = errno;
  throw Error(errnum, errnoMessage("cannot run '" + argv[0] + "'", errnum),
              errnum == ENOENT ? 127 : 126);
}

int execIfGiven(const std::vector<std::string>& argv) {
  if (argv.empty()) return 0;
  std::fflush(stdout);
  execCommand(argv);
}

}  // namespace vs
