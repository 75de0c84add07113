#include "config_files.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <fstream>
#include <sstream>
#include <system_error>

#include "../error.h"

namespace vs::guest {

namespace fs = std::filesystem;

namespace {

std::string trimmed(const std::string& text) {
  const auto begin = text.find_first_not_of(" \t\r");
  if (begin == std::string::npos) return {};
  const auto end = text.find_last_not_of(" \t\r");
  return text.substr(begin, end - begin + 1);
}

// Opens file, or returns false when it does not exist.
bool openIfExists(const fs::path& file, std::ifstream& stream) {
  stream.open(file);
  if (stream) return true;
  if (errno == ENOENT || errno == ENOTDIR) return false;
  throwErrno("cannot read " + file.string());
}

}  // namespace

std::optional<std::string> readScalar(const fs::path& file) {
  std::ifstream stream;
  if (!openIfExists(file, stream)) return std::nullopt;
  std::string line;
  std::getline(stream, line);
  return trimmed(line);
}

std::optional<std::vector<ListItem>> readList(const fs::path& file, bool rawLines) {
  std::ifstream stream;
  if (!openIfExists(file, stream)) return std::nullopt;
  std::vector<ListItem> items;
  std::string line;
  for (int number = 1; std::getline(stream, line); ++number) {
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
  std::error_code error;
  return fs::exists(fs::symlink_status(file, error));
}

std::optional<fs::path> readLink(const fs::path& file) {
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
