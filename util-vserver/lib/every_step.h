// Undoing and cleaning up in steps that do not depend on each other: every
// step is tried, so that one failing (a context that will not end, a hook
// that exits non-zero) leaves none of the others undone.
#pragma once

#include <functional>
#include <optional>

#include "error.h"

namespace vs {

class EveryStep {
 public:
  // Runs step; a failure is kept, not thrown.
  void run(const std::function<void()>& step);

  // Throws the first failure kept, if any.
  void throwFirstFailure() const;

 private:
  std::optional<Error> firstFailure_;
};

}  // namespace vs
