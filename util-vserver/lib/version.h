// The toolkit's version, from the top-level VERSION file (the build passes
// it to version.cc alone, so a new version recompiles one file).
#pragma once

#include <string>

namespace vs {

extern const char* const kVersion;

// What --version prints: "TOOL VERSION".
std::string versionLine(const std::string& tool);

}  // namespace vs
