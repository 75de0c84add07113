// Helpers shared by the unit tests.
#pragma once

#include <CppUTest/TestHarness.h>

#include <array>
#include <string>

#include "error.h"

namespace vs::test {

// Runs fn, which must throw vs::Error, and returns that error.
template <typename Fn>
Error expectError(Fn&& fn) {
  try {
    fn();
  } catch (const Error& e) {
    return e;
  }
  FAIL("expected a vs::Error");
  return Error(0, "");
}

// argv for the option parsers: {"tool", args...}.
template <typename... Args>
std::array<const char*, sizeof...(Args) + 1> argv(const char* tool, Args... args) {
  return {tool, args...};
}

}  // namespace vs::test
