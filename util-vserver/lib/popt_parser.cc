#include "popt_parser.h"

#include <cstdio>
#include <cstdlib>

#include "error.h"
#include "version.h"

namespace vs {

namespace {

// Far from any val a tool's table uses.
constexpr int kVersionOption = 0x7e000001;

const poptOption kVersionTable[] = {
    {"version", 0, POPT_ARG_NONE, nullptr, kVersionOption, "print the version and exit", nullptr},
    POPT_TABLEEND};

[[noreturn]] void printVersion(const char* name) {
  std::printf("%s\n", versionLine(name).c_str());
  std::exit(0);
}

}  // namespace

PoptParser::PoptParser(const char* name, int argc, const char** argv, const poptOption* table,
                       const char* otherHelp, const OptionHandler& onOption)
    : table_{{nullptr, 0, POPT_ARG_INCLUDE_TABLE, const_cast<poptOption*>(table), 0, nullptr,
              nullptr},
             {nullptr, 0, POPT_ARG_INCLUDE_TABLE, const_cast<poptOption*>(kVersionTable), 0,
              nullptr, nullptr},
             POPT_TABLEEND},
      context_(poptGetContext(name, argc, argv, table_, POPT_CONTEXT_POSIXMEHARDER)) {
  if (!context_) throwUsage("cannot parse options");
  poptSetOtherOptionHelp(context_.get(), otherHelp);
  int rc;
  while ((rc = poptGetNextOpt(context_.get())) > 0) {
    const std::unique_ptr<char, decltype(&free)> arg(poptGetOptArg(context_.get()), free);
    if (rc == kVersionOption) printVersion(name);
    if (onOption) onOption(rc, arg.get());
  }
  if (rc < -1)
    throwUsage(std::string(poptBadOption(context_.get(), POPT_BADOPTION_NOALIAS)) + ": " +
               poptStrerror(rc));
  if (const char** rest = poptGetArgs(context_.get()))
    for (; *rest; rest++) arguments_.emplace_back(*rest);
}

}  // namespace vs
