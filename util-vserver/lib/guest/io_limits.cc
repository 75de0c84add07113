#include "io_limits.h"

#include <sys/stat.h>
#include <sys/sysmacros.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <charconv>
#include <cstdint>
#include <string_view>
#include <system_error>
#include <vector>

#include "../number.h"
#include "config_files.h"

namespace vs::guest {

namespace fs = std::filesystem;

namespace {

constexpr std::array<const char*, 4> kIoMaxKeys = {"rbps", "wbps", "riops", "wiops"};

// util-vserver wrote any file of cgroup/ into the guest's group.  These
// controllers' limits have files of their own here, which a copy in
// cgroup/ would contradict.
struct ReadElsewhere {
  const char* prefix;
  const char* where;
};
constexpr std::array<ReadElsewhere, 4> kReadElsewhere = {{
    {"memory.", "memory limits are set in rlimits/ (rss, as, anon, swap)"},
    {"pids.", "the task limit is set in rlimits/nproc"},
    {"cpuset.", "CPUs and memory nodes are set in cpuset/ (cpus, mems)"},
    {"cpu.", "CPU limits are set in sched/ (fill-rate, interval, priority-bias)"},
}};

bool isNumber(std::string_view text) {
  uint32_t value = 0;
  const char* end = text.data() + text.size();
  const auto [rest, ec] = std::from_chars(text.data(), end, value);
  return !text.empty() && ec == std::errc() && rest == end;
}

// MAJ:MIN, or an absolute path, kept as written: whether the path is a
// block device is asked at start, so that the configuration of a guest
// whose loop device is not set up yet still reads.
std::string readDevice(const fs::path& file, int line, const std::string& text) {
  const size_t colon = text.find(':');
  const bool numbers = colon != std::string::npos &&
                       isNumber(std::string_view(text).substr(0, colon)) &&
                       isNumber(std::string_view(text).substr(colon + 1));
  if (!numbers && !text.starts_with('/'))
    throw ConfigError(file, line,
                      "'" + text +
                          "' is not a device: MAJ:MIN (8:0) or the absolute path of a block "
                          "device node (/dev/sda)");
  return text;
}

// "max", or a decimal number with an optional suffix as rlimits/ takes
// (256K), written plain: the kernel takes no suffix.  The kernel refuses
// 0 and 1.
std::string readIoMaxValue(const fs::path& file, int line, const std::string& key,
                           const std::string& text) {
  if (text == "max") return text;
  uint64_t value = 0;
  const char* end = text.data() + text.size();
  const auto [rest, ec] = std::from_chars(text.data(), end, value);
  const auto unit = unitOfSuffix({rest, static_cast<size_t>(end - rest)});
  if (ec == std::errc::invalid_argument || !unit)
    throw ConfigError(file, line,
                      key + " '" + text + "' is neither max nor a number (262144, 256K, 10M)");
  if (ec == std::errc::result_out_of_range || __builtin_mul_overflow(value, *unit, &value))
    throw ConfigError(file, line, key + " '" + text + "' is too large");
  if (value < 2)
    throw ConfigError(file, line, key + " '" + text + "' is below 2, the least io.max takes");
  return std::to_string(value);
}

IoLine readIoMaxLine(const fs::path& file, const ListItem& item) {
  const std::vector<std::string> words = splitBlanks(item.text);
  if (words.size() < 2)
    throw ConfigError(file, item.line,
                      "expected DEVICE rbps=N wbps=N riops=N wiops=N (any of them)");
  IoLine line{readDevice(file, item.line, words[0]), "", item.line};
  for (auto word = words.begin() + 1; word != words.end(); ++word) {
    const size_t equals = word->find('=');
    if (equals == std::string::npos)
      throw ConfigError(file, item.line, "'" + *word + "' is not KEY=N (rbps, wbps, riops, wiops)");
    const std::string key = word->substr(0, equals);
    if (std::none_of(kIoMaxKeys.begin(), kIoMaxKeys.end(),
                     [&](const char* known) { return key == known; }))
      throw ConfigError(file, item.line, "unknown key '" + key + "' (rbps, wbps, riops, wiops)");
    line.settings += (line.settings.empty() ? "" : " ") + key + "=" +
                     readIoMaxValue(file, item.line, key, word->substr(equals + 1));
  }
  return line;
}

// "default N" and "N" set the default weight, "DEVICE N" one device's.
IoLine readIoWeightLine(const fs::path& file, const ListItem& item) {
  const std::vector<std::string> words = splitBlanks(item.text);
  if (words.empty() || words.size() > 2)
    throw ConfigError(file, item.line, "expected 'default N', 'N' or 'DEVICE N' (N 1..10000)");
  IoLine line;
  line.line = item.line;
  if (words.size() == 2 && words[0] != "default")
    line.device = readDevice(file, item.line, words[0]);
  line.settings = std::to_string(
      parsedAt(file, item.line, [&] { return parseUnsigned(words.back(), 1, 10000, "weight"); }));
  return line;
}

template <typename ReadLine>
std::vector<IoLine> readIoLines(const fs::path& file, ReadLine readLine) {
  std::vector<IoLine> lines;
  for (const ListItem& item : readList(file).value_or(std::vector<ListItem>{}))
    lines.push_back(readLine(file, item));
  return lines;
}

std::string notReadHere(const std::string& name) {
  for (const ReadElsewhere& other : kReadElsewhere)
    if (name.starts_with(other.prefix)) return std::string("not read here: ") + other.where;
  return "unknown setting; cgroup/ takes io.weight and io.max";
}

// A partition's limits are its disk's: the kernel refuses them (ENODEV),
// which would not say why.
void refusePartition(const fs::path& file, int line, const std::string& device,
                     const std::string& numbers) {
  const fs::path sysfs = fs::path("/sys/dev/block") / numbers;
  if (!fileExists(sysfs / "partition")) return;
  std::error_code error;
  const fs::path disk = fs::canonical(sysfs, error).parent_path().filename();
  throw ConfigError(file, line,
                    "'" + device + "' is a partition; the kernel limits I/O per disk" +
                        (error ? "" : " (/dev/" + disk.string() + ")"));
}

}  // namespace

CgroupConfig readCgroupDirectory(const fs::path& dir) {
  CgroupConfig config;
  for (const auto& entry : sortedEntries(dir)) {
    const std::string name = entry.path().filename().string();
    if (isIgnoredFileName(name)) continue;
    if (name == "io.max")
      config.ioMax = readIoLines(entry.path(), readIoMaxLine);
    else if (name == "io.weight")
      config.ioWeight = readIoLines(entry.path(), readIoWeightLine);
    else if (name == "name")
      config.name = true;
    else
      throw ConfigError(entry.path(), 0, notReadHere(name));
  }
  return config;
}

std::string ioLineValue(const IoLine& line, const fs::path& file) {
  if (line.device.empty()) return "default " + line.settings;
  std::string numbers = line.device;
  if (line.device.starts_with('/')) {
    struct stat node {};
    if (stat(line.device.c_str(), &node) != 0)
      throw ConfigError(file, line.line, errnoMessage(line.device, errno));
    if (!S_ISBLK(node.st_mode))
      throw ConfigError(file, line.line, "'" + line.device + "' is not a block device");
    numbers = std::to_string(major(node.st_rdev)) + ":" + std::to_string(minor(node.st_rdev));
  }
  refusePartition(file, line.line, line.device, numbers);
  return numbers + " " + line.settings;
}

}  // namespace vs::guest
