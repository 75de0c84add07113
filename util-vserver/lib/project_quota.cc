#include "project_quota.h"

#include <dirent.h>
#include <fcntl.h>
#include <linux/dqblk_xfs.h>
#include <linux/fs.h>
#include <linux/quota.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "dir_stream.h"
#include "text.h"

namespace vs {

namespace fs = std::filesystem;

namespace {

// Deeper than any real tree; a guest's deeper one fails its first start.
// The walk holds one fd per level, so the fd limit may end it sooner
// (EMFILE, naming the path).
constexpr size_t kMaxDepth = 4096;

// Nothing below the top is trusted: no link is followed, opening a fifo
// does not wait for a writer, and no terminal becomes ours.
constexpr int kOpenFlags = O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | O_NOCTTY;

constexpr char kNoProjectIds[] =
    "this filesystem has no project quotas (ext4 needs -O quota,project, XFS the prjquota "
    "mount option)";
constexpr char kNotEnabled[] =
    "project quotas are not enabled on its filesystem (mkfs.ext4 -O quota,project, or tune2fs "
    "-O quota,project and remount; XFS: mount with prjquota)";

// A directory being walked, and its name in its parent's (the top's is
// empty): paths are only put together for a message, so a deep tree
// costs no more than one name per level.
struct Level {
  DirStream stream;
  std::string name;
};

bool isTagged(const fsxattr& attr, uint32_t project, bool directory) {
  return attr.fsx_projid == project &&
         (!directory || (attr.fsx_xflags & FS_XFLAG_PROJINHERIT) != 0);
}

// Walks a tree depth first, tagging each directory when it is done with
// it, so the top directory is tagged last.
class TreeTagger {
 public:
  TreeTagger(const fs::path& top, uint32_t project, dev_t device)
      : top_(top), project_(project), device_(device) {}

  // Walks the tree of top, an fd on top_.
  void walk(UniqueFd top);

  // How an error names a file: built only when there is one, as a path
  // for every file would cost time in the depth of the guest's tree.
  using Shown = std::function<std::string()>;

  // The project id of fd, which shown() names.
  fsxattr attributes(int fd, const Shown& shown) const;

 private:
  void enter(UniqueFd fd, const char* name);
  void visit(const dirent& entry);
  void tag(int fd, const char* name, bool directory) const;
  std::string shownPath(const char* name) const;
  [[noreturn]] void throwAttributeError(const std::string& shown, const char* what) const;

  fs::path top_;
  uint32_t project_;
  dev_t device_;
  std::vector<Level> levels_;
};

void TreeTagger::walk(UniqueFd top) {
  enter(std::move(top), "");
  while (!levels_.empty()) {
    DIR* stream = levels_.back().stream.get();
    errno = 0;
    if (const dirent* entry = readdir(stream)) {
      visit(*entry);
      continue;
    }
    if (errno != 0) throwErrno(shownPath(nullptr) + ": cannot read the directory");
    tag(dirfd(stream), nullptr, true);
    levels_.pop_back();
  }
}

// name: the directory's in the one being walked ("" for the top).
void TreeTagger::enter(UniqueFd fd, const char* name) {
  const auto path = [&] { return levels_.empty() ? top_.string() : shownPath(name); };
  if (levels_.size() == kMaxDepth)
    throw Error(ELOOP, path() + ": more than " + std::to_string(kMaxDepth) + " directories deep");
  DIR* stream = fdopendir(fd.get());
  if (!stream) throwErrno(path());
  fd.release();  // the stream owns it now
  levels_.push_back({DirStream(stream), name});
}

void TreeTagger::visit(const dirent& entry) {
  const char* name = entry.d_name;
  if (std::strcmp(name, ".") == 0 || std::strcmp(name, "..") == 0) return;
  const int parent = dirfd(levels_.back().stream.get());
  unsigned char type = entry.d_type;
  if (type == DT_UNKNOWN) {
    struct stat st {};
    if (fstatat(parent, name, &st, AT_SYMLINK_NOFOLLOW) != 0) throwErrno(shownPath(name));
    type = S_ISDIR(st.st_mode) ? DT_DIR : S_ISREG(st.st_mode) ? DT_REG : DT_UNKNOWN;
  }
  // Only files and directories own blocks worth counting; a device must
  // never be opened.
  if (type != DT_DIR && type != DT_REG) return;
  UniqueFd fd(openat(parent, name, kOpenFlags | (type == DT_DIR ? O_DIRECTORY : 0)));
  if (!fd) throwErrno(shownPath(name));
  struct stat st {};
  if (fstat(fd.get(), &st) != 0) throwErrno(shownPath(name));
  // Another filesystem mounted here: its quotas are not this one's.
  if (st.st_dev != device_) return;
  if (S_ISREG(st.st_mode)) {
    tag(fd.get(), name, false);
  } else if (S_ISDIR(st.st_mode)) {
    enter(std::move(fd), name);
  }
}

fsxattr TreeTagger::attributes(int fd, const Shown& shown) const {
  fsxattr attr{};
  if (ioctl(fd, FS_IOC_FSGETXATTR, &attr) != 0) throwAttributeError(shown(), "cannot read");
  return attr;
}

// name: in the directory being walked; nullptr: that directory itself.
void TreeTagger::tag(int fd, const char* name, bool directory) const {
  const Shown shown = [&] { return shownPath(name); };
  fsxattr attr = attributes(fd, shown);
  if (isTagged(attr, project_, directory)) return;
  attr.fsx_projid = project_;
  if (directory) attr.fsx_xflags |= FS_XFLAG_PROJINHERIT;
  if (ioctl(fd, FS_IOC_FSSETXATTR, &attr) != 0) throwAttributeError(shown(), "cannot set");
}

// ENOTTY: no fileattr at all; EOPNOTSUPP: fileattr without project ids
// (tmpfs), or ext4 without the project feature.
void TreeTagger::throwAttributeError(const std::string& shown, const char* what) const {
  const int errnum = errno;
  if (errnum == ENOTTY || errnum == EOPNOTSUPP)
    throw Error(errnum, top_.string() + ": " + kNoProjectIds);
  throw Error(errnum, errnoMessage(shown + ": " + what + " its project id", errnum));
}

// The path of name in the directory being walked (nullptr: of that
// directory itself), made printable: the names are the guest's.
std::string TreeTagger::shownPath(const char* name) const {
  fs::path path = top_;
  for (size_t i = 1; i < levels_.size(); ++i) path /= levels_[i].name;
  if (name) path /= name;
  return printable(path.string());
}

long quotactl(int fsFd, unsigned command, uint32_t id, void* data) {
  return syscall(__NR_quotactl_fd, fsFd, QCMD(command, PRJQUOTA), id, data);
}

// ESRCH: the filesystem has quotas, but not for projects.  ENOSYS: it
// has none turned on (or no quota support at all).
[[noreturn]] void throwQuotaError(const std::string& what) {
  const int errnum = errno;
  if (errnum == ESRCH || errnum == ENOSYS) throw Error(errnum, kNotEnabled);
  throw Error(errnum, errnoMessage(what, errnum));
}

}  // namespace

void tagTree(int dirFd, const fs::path& dir, uint32_t project) {
  // A descriptor of the walk's own, with its own position in the listing.
  UniqueFd top(openat(dirFd, ".", kOpenFlags | O_DIRECTORY));
  struct stat st {};
  if (!top || fstat(top.get(), &st) != 0) throwErrno(dir.string());
  TreeTagger tagger(dir, project, st.st_dev);
  // The top is tagged last: tagged, it marks a walk that completed.
  if (isTagged(tagger.attributes(top.get(), [&] { return dir.string(); }), project, true)) return;
  tagger.walk(std::move(top));
}

UniqueFd openForQuotas(const fs::path& path) {
  UniqueFd fd(open(path.c_str(), O_PATH | O_CLOEXEC));
  if (!fd) throwErrno(path.string());
  return fd;
}

void requireEnforcedProjectQuotas(int fsFd) {
  fs_quota_statv state{};
  state.qs_version = FS_QSTATV_VERSION1;
  if (quotactl(fsFd, Q_XGETQSTATV, 0, &state) != 0)
    throwQuotaError("cannot read the quota state of its filesystem");
  if (!(state.qs_flags & FS_QUOTA_PDQ_ACCT)) throw Error(ESRCH, kNotEnabled);
  if (!(state.qs_flags & FS_QUOTA_PDQ_ENFD))
    throw Error(0, "project quotas are counted but not enforced on its filesystem (mount it "
                   "with prjquota)");
}

ProjectQuota projectQuota(int fsFd, uint32_t project) {
  if_dqblk quota{};
  if (quotactl(fsFd, Q_GETQUOTA, project, &quota) != 0)
    throwQuotaError("cannot read the quota of project " + std::to_string(project));
  // The kernel gives the space in bytes, the limits in QIF_DQBLKSIZE units.
  static_assert(QIF_DQBLKSIZE == 1024);
  return {(quota.dqb_curspace + QIF_DQBLKSIZE - 1) / QIF_DQBLKSIZE, quota.dqb_bhardlimit,
          quota.dqb_curinodes, quota.dqb_ihardlimit};
}

void setProjectLimits(int fsFd, uint32_t project, uint64_t spaceKiB, uint64_t inodes) {
  if_dqblk quota{};
  quota.dqb_bhardlimit = spaceKiB;
  quota.dqb_ihardlimit = inodes;
  quota.dqb_valid = QIF_LIMITS;  // the soft limits too: 0, none
  if (quotactl(fsFd, Q_SETQUOTA, project, &quota) != 0)
    throwQuotaError("cannot set the quota of project " + std::to_string(project));
}

}  // namespace vs
