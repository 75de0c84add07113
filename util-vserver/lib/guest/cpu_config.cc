#include "cpu_config.h"

#include <charconv>
#include <string>
#include <string_view>

#include "config_files.h"

namespace vs::guest {

namespace fs = std::filesystem;

namespace {

// A whole decimal number in [min, max], sign allowed.
int readSigned(const fs::path& file, const std::string& text, int min, int max) {
  int value = 0;
  const char* end = text.data() + text.size();
  const auto [rest, ec] = std::from_chars(text.data(), end, value);
  if (text.empty() || ec == std::errc::invalid_argument || rest != end)
    throw ConfigError(file, 1, "'" + text + "' is not a number");
  if (ec == std::errc::result_out_of_range || value < min || value > max)
    throw ConfigError(file, 1, "'" + text + "' is out of range (" + std::to_string(min) + ".." +
                                   std::to_string(max) + ")");
  return value;
}

std::optional<int> readSignedFile(const fs::path& file, int min, int max) {
  const auto text = readScalar(file);
  if (!text) return std::nullopt;
  return readSigned(file, *text, min, max);
}

std::optional<uint64_t> readPositiveFile(const fs::path& file) {
  const auto text = readScalar(file);
  if (!text) return std::nullopt;
  uint64_t value = 0;
  const char* end = text->data() + text->size();
  const auto [rest, ec] = std::from_chars(text->data(), end, value);
  if (text->empty() || ec != std::errc() || rest != end || value == 0)
    throw ConfigError(file, 1, "'" + *text + "' is not a positive whole number");
  return value;
}

bool isDigits(std::string_view text) {
  return !text.empty() && text.find_first_not_of("0123456789") == std::string_view::npos;
}

// One item of a kernel list: "N" or "N-M" with N <= M.
bool isListItem(std::string_view item) {
  const size_t dash = item.find('-');
  if (dash == std::string_view::npos) return isDigits(item);
  const std::string_view first = item.substr(0, dash), last = item.substr(dash + 1);
  if (!isDigits(first) || !isDigits(last) || first.size() > 9 || last.size() > 9) return false;
  return std::stoul(std::string(first)) <= std::stoul(std::string(last));
}

// The kernel's list syntax of cpuset.cpus and cpuset.mems: "0-2,4".
std::optional<std::string> readNodeList(const fs::path& file) {
  const auto text = readScalar(file);
  if (!text) return std::nullopt;
  std::string_view rest = *text;
  for (bool more = true; more;) {
    const size_t comma = rest.find(',');
    more = comma != std::string_view::npos;
    if (!isListItem(rest.substr(0, comma)))
      throw ConfigError(file, 1, "'" + *text + "' is not a list like 0-2,4");
    if (more) rest.remove_prefix(comma + 1);
  }
  return text;
}

}  // namespace

SchedConfig readSched(const fs::path& dir) {
  SchedConfig sched;
  sched.fillRate = readPositiveFile(dir / "fill-rate");
  sched.interval = readPositiveFile(dir / "interval");
  // The bucket is a rate: one without the other says nothing.
  if (sched.fillRate.has_value() != sched.interval.has_value()) {
    const char* given = sched.fillRate ? "fill-rate" : "interval";
    const char* missing = sched.fillRate ? "interval" : "fill-rate";
    throw ConfigError(dir / given, 0, std::string("needs sched/") + missing + " too");
  }
  sched.priorityBias = readSignedFile(dir / "priority-bias", -20, 19);
  for (const char* name : {"tokens", "tokens-min", "tokens-max", "fill-rate2", "interval2", "idle-time"})
    if (fileExists(dir / name)) sched.bucketFiles.emplace_back(name);
  return sched;
}

CpusetConfig readCpuset(const fs::path& dir) {
  return CpusetConfig{.cpus = readNodeList(dir / "cpus"), .mems = readNodeList(dir / "mems")};
}

std::optional<int> readNice(const fs::path& file) { return readSignedFile(file, -20, 19); }

}  // namespace vs::guest
