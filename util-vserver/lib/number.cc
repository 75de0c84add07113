#include "number.h"

#include <charconv>

#include "error.h"

namespace vs {

uint64_t parseUnsigned(const std::string& text, uint64_t min, uint64_t max, const std::string& what) {
  uint64_t value = 0;
  const char* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (text.empty() || ec == std::errc::invalid_argument || ptr != end)
    throwUsage(what + " '" + text + "' is not a number");
  if (ec == std::errc::result_out_of_range || value < min || value > max)
    throwUsage(what + " '" + text + "' is out of range (" + std::to_string(min) + ".." +
               std::to_string(max) + ")");
  return value;
}

uint32_t parseXid(const std::string& text, uint32_t min, uint32_t max) {
  return static_cast<uint32_t>(parseUnsigned(text, min, max, "context id"));
}

}  // namespace vs
