// Helpers shared by the unit tests.
#pragma once

#include <CppUTest/TestHarness.h>

#include <stdlib.h>

#include <array>
#include <filesystem>
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

// A fresh directory under base (the temporary directory unless told),
// removed with all it holds when the test ends.
class TempDir {
 public:
  explicit TempDir(const std::filesystem::path& base = std::filesystem::temp_directory_path()) {
    std::string pattern = (base / "vs-test-XXXXXX").string();
    if (!mkdtemp(pattern.data())) FAIL("mkdtemp");
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

}  // namespace vs::test
