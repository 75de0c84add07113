#include "every_step.h"

namespace vs {

void EveryStep::run(const std::function<void()>& step) {
  try {
    step();
  } catch (const Error& e) {
    if (!firstFailure_) firstFailure_ = e;
  } catch (const std::exception& e) {
    // std::filesystem and the standard library throw their own kinds.
    if (!firstFailure_) firstFailure_ = Error(0, e.what());
  }
}

void EveryStep::throwFirstFailure() const {
  if (firstFailure_) throw *firstFailure_;
}

}  // namespace vs
