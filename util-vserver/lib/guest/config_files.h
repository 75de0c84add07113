// The value kinds of util-vserver's configuration files: a scalar (the
// first line), a list (one item per line, blank lines and #-comments
// skipped), a boolean (the file exists) and a link (a symlink's target).
// Missing files are empty optionals; unreadable ones throw Error.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace vs::guest {

// One item of a list file, with its 1-based line number for messages.
struct ListItem {
  std::string text;
  int line = 0;
};

// While one lives, the readers below take a file as missing when the
// listing of its directory (read once, then kept) lacks it, instead of
// trying to open it: a guest's configuration names some ninety files,
// most of them absent, and each failed open cost a path walk (77 of the
// 94 opens and stats of "vserver NAME exec" in the bench's guest).  For
// reading one configuration, which nothing writes meanwhile; per thread,
// the newest live one counts.
class ConfigSnapshot {
 public:
  ConfigSnapshot();
  ~ConfigSnapshot();
  ConfigSnapshot(const ConfigSnapshot&) = delete;
  ConfigSnapshot& operator=(const ConfigSnapshot&) = delete;

  // True when a live snapshot's listings show that file does not exist;
  // false when it may (or no snapshot lives).
  static bool knownMissing(const std::filesystem::path& file);

 private:
  struct Listings;
  std::unique_ptr<Listings> listings_;
  ConfigSnapshot* previous_;
};

// The first line of file, without its newline and surrounding blanks.
std::optional<std::string> readScalar(const std::filesystem::path& file);

// The items of a list file.  With rawLines every line is an item, blank
// or not (cmd.start: one argv element per line).
std::optional<std::vector<ListItem>> readList(const std::filesystem::path& file,
                                              bool rawLines = false);

// The words of a line or scalar, split at blanks (fstab's fields,
// killseq's steps, io.max's settings).
std::vector<std::string> splitBlanks(const std::string& text);

// Hidden files and editors' backups ("pre-start~") are not configuration.
bool isIgnoredFileName(const std::string& name);

// The entries of dir sorted by name; none when dir does not exist.
std::vector<std::filesystem::directory_entry> sortedEntries(const std::filesystem::path& dir);

// Whether file exists (a dangling symlink counts).
bool fileExists(const std::filesystem::path& file);

// The target of symlink file.
std::optional<std::filesystem::path> readLink(const std::filesystem::path& file);

// Where symlink link points: a relative target is taken from the link's
// directory; made absolute and lexically normal, without a trailing '/'.
std::optional<std::filesystem::path> linkTarget(const std::filesystem::path& link);

// file under dir if it exists, else under fallback, else nothing: the
// per-guest / .defaults lookup.
std::optional<std::filesystem::path> withFallback(const std::filesystem::path& dir,
                                                  const std::filesystem::path& fallback,
                                                  const std::filesystem::path& file);

// Writes value and a newline to file atomically (temporary file, rename).
void writeScalar(const std::filesystem::path& file, const std::string& value);

// Files build writes into a new guest:

// mkdir() and chmod(), so that the mode does not depend on our umask.
void makeDirectory(const std::filesystem::path& dir, mode_t mode);

// Makes dir unless something is there already (a method's dev/shm may be
// a link, which is its business).
void ensureDirectory(const std::filesystem::path& dir, mode_t mode);

void makeSymlink(const std::filesystem::path& target, const std::filesystem::path& link);

}  // namespace vs::guest
