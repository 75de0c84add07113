// Parsing numbers given by users, with the range in the error message.
#pragma once

#include <cstdint>
#include <string>

namespace vs {

// Parses a decimal integer in [min, max]; throws a usage Error naming what
// the number is for.
uint64_t parseUnsigned(const std::string& text, uint64_t min, uint64_t max, const std::string& what);

// A context id in [min, max].
uint32_t parseXid(const std::string& text, uint32_t min, uint32_t max);

}  // namespace vs
