#include "version.h"

namespace vs {

const char* const kVersion = VSERVER_VERSION;

std::string versionLine(const std::string& tool) { return tool + " " + kVersion; }

}  // namespace vs
