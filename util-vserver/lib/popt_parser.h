// popt, with RAII and errors as exceptions.
#pragma once

#include <popt.h>

#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace vs {

class PoptParser {
 public:
  // Parses argv against table.  Option processing stops at "--" or at the
  // first argument that is not an option, so a command to run keeps its own
  // options.  A bad option throws Error naming it.
  //
  // An option whose table entry has a non-zero val is passed to onOption
  // with its argument (NULL for none) each time it appears, so that it can
  // be repeated.
  //
  // Every tool also takes --version: it prints "NAME VERSION" and exits 0,
  // as popt's own --help exits.
  using OptionHandler = std::function<void(int val, const char* arg)>;
  PoptParser(const char* name, int argc, const char** argv, const poptOption* table,
             const char* otherHelp, const OptionHandler& onOption = {});

  // The arguments left after the options.
  const std::vector<std::string>& arguments() const { return arguments_; }

 private:
  // The tool's table and --version; popt keeps pointing at it.
  poptOption table_[3];
  struct Freer {
    void operator()(poptContext ctx) const { poptFreeContext(ctx); }
  };
  std::unique_ptr<std::remove_pointer_t<poptContext>, Freer> context_;
  std::vector<std::string> arguments_;
};

}  // namespace vs
