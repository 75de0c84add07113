#include "config_files.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <fstream>
#include <string_view>
#include <sstream>
#include <system_error>
#include <unordered_map>
#include <unordered_set>
#include <utility>

#include "../dir_stream.h"
#include "../error.h"
#include "../unique_fd.h"

namespace vs::guest {

namespace fs = std::filesystem;

namespace {

std::string trimmed(const std::string& text) {
  const auto begin = text.find_first_not_of(" \t\r");
  if (begin == std::string::npos) return {};
  const auto end = text.find_last_not_of(" \t\r");
  return text.substr(begin, end - begin + 1);
}

// The names in dir, or nothing when dir does not exist (or is no
// directory); throws on other errors.
std::optional<std::unordered_set<std::string>> namesIn(const std::string& dir) {
  const DirStream stream(opendir(dir.c_str()));
  if (!stream) {
    if (errno == ENOENT || errno == ENOTDIR) return std::nullopt;
    throwErrno("cannot read " + dir);
  }
  std::unordered_set<std::string> names;
  while (const dirent* entry = readdir(stream.get())) names.insert(entry->d_name);
  return names;
}

// The whole of file, or nothing when it does not exist.
std::optional<std::string> readIfExists(const fs::path& file) {
  if (ConfigSnapshot::knownMissing(file)) return std::nullopt;
  const UniqueFd fd(open(file.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd) {
    if (errno == ENOENT || errno == ENOTDIR) return std::nullopt;
    throwErrno("cannot read " + file.string());
  }
  std::string text;
  char buffer[4096];
  ssize_t got;
  while ((got = read(fd.get(), buffer, sizeof(buffer))) != 0) {
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) throwErrno("cannot read " + file.string());
    text.append(buffer, static_cast<size_t>(got));
  }
  return text;
}

// The lines of text as getline() gives them: no empty last one after a
// final newline.
std::vector<std::string> linesOf(const std::string& text) {
  std::vector<std::string> lines;
  size_t begin = 0;
  while (begin < text.size()) {
    size_t end = text.find('\n', begin);
    if (end == std::string::npos) end = text.size();
    lines.push_back(text.substr(begin, end - begin));
    begin = end + 1;
  }
  return lines;
}

thread_local ConfigSnapshot* liveSnapshot = nullptr;

}  // namespace

// Per directory (its path as given): its names, or nothing when it does
// not exist.  Strings, not paths: comparing paths splits them into their
// components every time.
struct ConfigSnapshot::Listings {
  using Names = std::optional<std::unordered_set<std::string>>;
  std::unordered_map<std::string, Names> byDirectory;

  // Whether name is missing from dir's listing; nothing when dir has
  // not been listed.
  std::optional<bool> listedMissing(const std::string& dir, std::string_view name) const {
    const auto listing = byDirectory.find(dir);
    if (listing == byDirectory.end()) return std::nullopt;
    return !listing->second || !listing->second->contains(std::string(name));
  }

  bool missing(std::string_view file) {
    const auto [dir, name] = splitLast(file);
    if (dir.empty() || name.empty() || name == "." || name == "..") return false;
    if (const auto known = listedMissing(dir, name)) return *known;
    // A directory its parent's listing (when taken) lacks costs no
    // opendir; otherwise it is listed itself, not its parents up to /.
    const auto [parent, dirName] = splitLast(dir);
    const auto dirMissing = parent.empty() ? std::nullopt : listedMissing(parent, dirName);
    byDirectory.emplace(dir, dirMissing.value_or(false) ? Names{} : namesIn(dir));
    return *listedMissing(dir, name);
  }

  // "a/b/c" as "a/b" and "c"; no directory for "c" or "/c".
  static std::pair<std::string, std::string_view> splitLast(std::string_view path) {
    const size_t slash = path.rfind('/');
    if (slash == std::string_view::npos || slash == 0) return {{}, {}};
    return {std::string(path.substr(0, slash)), path.substr(slash + 1)};
  }
};

ConfigSnapshot::ConfigSnapshot()
    : listings_(std::make_unique<Listings>()), previous_(std::exchange(liveSnapshot, this)) {}

ConfigSnapshot::~ConfigSnapshot() { liveSnapshot = previous_; }

bool ConfigSnapshot::knownMissing(const fs::path& file) {
  return liveSnapshot && liveSnapshot->listings_->missing(file.native());
}

std::optional<std::string> readScalar(const fs::path& file) {
  const auto text = readIfExists(file);
  if (!text) return std::nullopt;
  return trimmed(text->substr(0, text->find('\n')));
}

std::optional<std::vector<ListItem>> readList(const fs::path& file, bool rawLines) {
  const auto text = readIfExists(file);
  if (!text) return std::nullopt;
  std::vector<ListItem> items;
  int number = 0;
  for (const std::string& line : linesOf(*text)) {
    ++number;
    if (rawLines) {
      items.push_back({line, number});
      continue;
    }
    const std::string item = trimmed(line);
    if (item.empty() || item[0] == '#') continue;
    items.push_back({item, number});
  }
  return items;
}

std::vector<std::string> splitBlanks(const std::string& text) {
  std::istringstream stream(text);
  std::vector<std::string> words;
  for (std::string word; stream >> word;) words.push_back(word);
  return words;
}

bool isIgnoredFileName(const std::string& name) {
  return name.empty() || name[0] == '.' || name.back() == '~';
}

std::vector<fs::directory_entry> sortedEntries(const fs::path& dir) {
  if (ConfigSnapshot::knownMissing(dir)) return {};
  std::error_code error;
  fs::directory_iterator it(dir, error);
  if (error == std::errc::no_such_file_or_directory || error == std::errc::not_a_directory)
    return {};
  std::vector<fs::directory_entry> entries;
  while (!error && it != fs::directory_iterator()) {
    entries.push_back(*it);
    it.increment(error);
  }
  if (error) throw Error(error.value(), "cannot read " + dir.string() + ": " + error.message());
  std::sort(entries.begin(), entries.end(),
            [](const auto& a, const auto& b) { return a.path().filename() < b.path().filename(); });
  return entries;
}

bool fileExists(const fs::path& file) {
  if (ConfigSnapshot::knownMissing(file)) return false;
  std::error_code error;
  return fs::exists(fs::symlink_status(file, error));
}

std::optional<fs::path> readLink(const fs::path& file) {
  if (ConfigSnapshot::knownMissing(file)) return std::nullopt;
  std::error_code error;
  fs::path target = fs::read_symlink(file, error);
  if (!error) return target;
  if (error == std::errc::no_such_file_or_directory || error == std::errc::invalid_argument)
    return std::nullopt;
  throw Error(error.value(), "cannot read link " + file.string() + ": " + error.message());
}

std::optional<fs::path> linkTarget(const fs::path& link) {
  const auto target = readLink(link);
  if (!target) return std::nullopt;
  // An absolute target replaces the directory.
  fs::path normal = fs::absolute(link.parent_path() / *target).lexically_normal();
  if (!normal.has_filename()) normal = normal.parent_path();
  return normal;
}

std::optional<fs::path> withFallback(const fs::path& dir, const fs::path& fallback,
                                     const fs::path& file) {
  if (fileExists(dir / file)) return dir / file;
  if (fileExists(fallback / file)) return fallback / file;
  return std::nullopt;
}

void writeScalar(const fs::path& file, const std::string& value) {
  const fs::path temporary = file.string() + ".tmp";
  {
    std::ofstream stream(temporary, std::ios::trunc);
    stream << value << '\n';
    stream.close();
    if (!stream) throwErrno("cannot write " + temporary.string());
  }
  std::error_code error;
  fs::rename(temporary, file, error);
  if (error) {
    fs::remove(temporary, error);
    throw Error(EIO, "cannot write " + file.string());
  }
}

// mkdir() and chmod(), so that the mode does not depend on our umask.
void makeDirectory(const std::filesystem::path& dir, mode_t mode) {
  if (mkdir(dir.c_str(), mode) != 0) throwErrno("cannot create " + dir.string());
  if (chmod(dir.c_str(), mode) != 0) throwErrno("cannot set the mode of " + dir.string());
}

// Makes dir unless something is there already (a method's dev/shm may be
// a link, which is its business).
void ensureDirectory(const std::filesystem::path& dir, mode_t mode) {
  if (!fileExists(dir)) makeDirectory(dir, mode);
}

void makeSymlink(const std::filesystem::path& target, const std::filesystem::path& link) {
  std::error_code error;
  std::filesystem::create_symlink(target, link, error);
  if (error)
    throw Error(error.value(), "cannot create link " + link.string() + ": " + error.message());
}

}  // namespace vs::guest
