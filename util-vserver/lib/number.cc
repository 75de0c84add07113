#include "number.h"

#include <charconv>
#include <optional>
#include <string_view>

#include "error.h"

namespace vs {

std::optional<uint64_t> unitOfSuffix(std::string_view suffix) {
  if (suffix.empty()) return 1;
  if (suffix.size() != 1) return std::nullopt;
  switch (suffix[0]) {
    case 'K':
      return uint64_t{1} << 10;
    case 'M':
      return uint64_t{1} << 20;
    case 'G':
      return uint64_t{1} << 30;
    case 'k':
      return uint64_t{1000};
    case 'm':
      return uint64_t{1000} * 1000;
    case 'g':
      return uint64_t{1000} * 1000 * 1000;
    default:
      return std::nullopt;
  }
}

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


uint64_t parseLimit(const std::string& text) {
  if (text == "inf") return kUnlimited;
  std::string_view digits = text;
  int base = 10;
  if (digits.starts_with("0x") || digits.starts_with("0X")) {
    base = 16;
    digits.remove_prefix(2);
  } else if (digits.size() > 1 && digits[0] == '0') {
    base = 8;
  }
  uint64_t value = 0;
  const char* end = digits.data() + digits.size();
  const auto [rest, ec] = std::from_chars(digits.data(), end, value, base);
  const auto unit = unitOfSuffix({rest, static_cast<size_t>(end - rest)});
  if (ec == std::errc::invalid_argument || !unit)
    throwUsage("'" + text + "' is not a limit (NUMBER[K|M|G|k|m|g] or inf)");
  if (ec == std::errc::result_out_of_range || __builtin_mul_overflow(value, *unit, &value))
    throwUsage("'" + text + "' is too large");
  return value;
}

std::string formatLimit(uint64_t value) {
  return value == kUnlimited ? "inf" : std::to_string(value);
}

}  // namespace vs
