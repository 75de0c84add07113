#include "ignored_settings.h"

namespace vs::guest {

namespace {

std::string counted(size_t count, const std::string& one, const std::string& many) {
  return std::to_string(count) + " " + (count == 1 ? one : many);
}

}  // namespace

std::vector<std::string> ignoredSettings(const GuestConfig& config) {
  std::vector<std::string> lines;
  const auto ignored = [&](const std::string& file, const std::string& what,
                           const std::string& instead) {
    lines.push_back((config.location.cfgdir / file).string() + ": " + what + " not applied yet" +
                    (instead.empty() ? "" : "; " + instead));
  };
  if (!config.rlimits.empty())
    ignored("rlimits", counted(config.rlimits.size(), "limit", "limits"), "none is set");
  return lines;
}

}  // namespace vs::guest
