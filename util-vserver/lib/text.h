// Small text helpers the tools share.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace vs {

// items with separator between them: joined({"a", "b"}, ", ") is "a, b".
std::string joined(const std::vector<std::string>& items, std::string_view separator);

// text made safe to print on a terminal or in a log when a guest wrote
// it (a path in its tree, a line from its processes): control characters
// (C0, DEL, C1 such as the 8-bit CSI) and bytes that are not UTF-8 as
// \xHH, so that none moves the cursor, rewrites what is shown or starts
// a new log line.
std::string printable(std::string_view text);

}  // namespace vs
