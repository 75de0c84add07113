// Kernel interface files (cgroupfs, /proc/sys) where one write(2) is the
// operation and its errno the kernel's answer.
#pragma once

#include <filesystem>
#include <string>

namespace vs {

// Writes value to file in one write; throws naming the file and value.
void writeKernelFile(const std::filesystem::path& file, const std::string& value);

}  // namespace vs
