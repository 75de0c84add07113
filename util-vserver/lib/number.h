// Parsing numbers given by users, with the range in the error message.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace vs {

// Parses a decimal integer in [min, max]; throws a usage Error naming what
// the number is for.
uint64_t parseUnsigned(const std::string& text, uint64_t min, uint64_t max, const std::string& what);

// A context id in [min, max].
uint32_t parseXid(const std::string& text, uint32_t min, uint32_t max);

// What "inf" stands for in a limit.
constexpr uint64_t kUnlimited = UINT64_MAX;

// What a number's suffix multiplies it by: 1 for none, K, M, G powers of
// 1024, k, m, g powers of 1000; nothing for any other suffix.
std::optional<uint64_t> unitOfSuffix(std::string_view suffix);

// A resource limit as util-vserver's lib/parselimit.c reads it: "inf"
// (kUnlimited), or a number in C notation (0x hexadecimal, leading-0
// octal) with an optional K, M, G (powers of 1024) or k, m, g (powers of
// 1000).  Throws a usage Error otherwise.
uint64_t parseLimit(const std::string& text);

// A limit as parseLimit reads it back: "inf" for kUnlimited, else the
// number in decimal.
std::string formatLimit(uint64_t value);

}  // namespace vs
