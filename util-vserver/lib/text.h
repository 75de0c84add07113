// Small text helpers the tools share.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace vs {

// items with separator between them: joined({"a", "b"}, ", ") is "a, b".
std::string joined(const std::vector<std::string>& items, std::string_view separator);

}  // namespace vs
