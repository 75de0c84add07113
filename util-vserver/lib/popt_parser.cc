#include "popt_parser.h"

#include "error.h"

namespace vs {

PoptParser::PoptParser(const char* name, int argc, const char** argv, const poptOption* table,
                       const char* otherHelp, const OptionHandler& onOption)
    : context_(poptGetContext(name, argc, argv, table, POPT_CONTEXT_POSIXMEHARDER)) {
  if (!context_) throwUsage("cannot parse options");
  poptSetOtherOptionHelp(context_.get(), otherHelp);
  int rc;
  while ((rc = poptGetNextOpt(context_.get())) > 0) {
    const std::unique_ptr<char, decltype(&free)> arg(poptGetOptArg(context_.get()), free);
    if (onOption) onOption(rc, arg.get());
  }
  if (rc < -1)
    throwUsage(std::string(poptBadOption(context_.get(), POPT_BADOPTION_NOALIAS)) + ": " +
               poptStrerror(rc));
  if (const char** rest = poptGetArgs(context_.get()))
    for (; *rest; rest++) arguments_.emplace_back(*rest);
}

}  // namespace vs
