#include "build.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <linux/vserver.h>
#include <popt.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <map>
#include <set>
#include <string_view>
#include <utility>

#include "../error.h"
#include "../exec.h"
#include "../number.h"
#include "../popt_parser.h"
#include "../remove_tree.h"
#include "../signals.h"
#include "../subprocess.h"
#include "../tool.h"
#include "../unique_fd.h"
#include "config_files.h"
#include "devices.h"
#include "lock.h"
#include "paths.h"
#include "registry.h"
#include "root_guard.h"
#include "run_file.h"

namespace vs::guest {

namespace fs = std::filesystem;

namespace {

// Where the files copied into a new guest come from when .defaults/files/
// lacks them.
constexpr const char* kHostEtc = "/etc";
constexpr const char* kCopiedFiles[] = {"hosts", "nsswitch.conf", "resolv.conf", "localtime"};

// util-vserver's context.start: where ids for guests without one begin.
constexpr uint32_t kFirstAllocatedXid = 40000;

// util-vserver's distrib/misc/fstab.
constexpr const char* kDefaultFstab =
    "proc /proc proc defaults 0 0\n"
    "tmpfs /tmp tmpfs size=16m,mode=1777 0 0\n"
    "devpts /dev/pts devpts gid=5,mode=620,ptmxmode=0666 0 0";

// Interface names are at most IFNAMSIZ - 1 characters.
constexpr size_t kMaxInterfaceName = 15;
constexpr size_t kMaxHostname = 64;

// ---- options ---------------------------------------------------------------

// A string option popt fills in and hands over to us; freed even when
// parsing throws half-way.
struct PoptString {
  char* value = nullptr;
  PoptString() = default;
  PoptString(const PoptString&) = delete;
  PoptString& operator=(const PoptString&) = delete;
  ~PoptString() { free(value); }
  std::optional<std::string> get() const {
    return value ? std::optional<std::string>(value) : std::nullopt;
  }
};

enum OptionId { kInterfaceOption = 1 };

// The method's own arguments, parsed.
struct MethodArguments {
  std::vector<std::string> command;           // skeleton: run in the new root
  fs::path tarball;                           // template
  std::optional<std::string> sha256;          // template, lower-case hex
  std::string source;                         // clone: a guest name or a directory
  std::string suite;                          // debootstrap
  std::optional<std::string> mirror, script;  // debootstrap
};

// Runs popt over a method's arguments and refuses any it leaves over.
void parseMethodOptions(const char* method, const std::vector<std::string>& args,
                        const poptOption* table, const char* usage) {
  std::vector<const char*> argv = {method};
  for (const std::string& arg : args) argv.push_back(arg.c_str());
  const PoptParser parser(method, static_cast<int>(argv.size()), argv.data(), table, usage);
  if (!parser.arguments().empty())
    throwUsage("unexpected argument '" + parser.arguments().front() + "'");
}

std::string parseSha256(const std::string& text) {
  const bool hex =
      std::all_of(text.begin(), text.end(), [](unsigned char c) { return std::isxdigit(c) != 0; });
  if (text.size() != 64 || !hex) throwUsage("--sha256 '" + text + "' is not 64 hexadecimal digits");
  std::string lower = text;
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return lower;
}

MethodArguments parseTemplateArguments(const std::vector<std::string>& args) {
  PoptString tarball, sha256;
  const poptOption table[] = {
      {nullptr, 't', POPT_ARG_STRING, &tarball.value, 0, "the tarball to unpack", "TARBALL"},
      {"sha256", 0, POPT_ARG_STRING, &sha256.value, 0, "its expected SHA-256", "HEX"},
      POPT_TABLEEND};
  parseMethodOptions("template", args, table, "-t TARBALL [--sha256 HEX]");
  if (!tarball.value) throwUsage("-t TARBALL is required");
  MethodArguments parsed;
  parsed.tarball = tarball.value;
  if (sha256.value) parsed.sha256 = parseSha256(sha256.value);
  return parsed;
}

MethodArguments parseCloneArguments(const std::vector<std::string>& args) {
  PoptString source;
  const poptOption table[] = {
      {"source", 0, POPT_ARG_STRING, &source.value, 0, "the guest or directory to copy", "SOURCE"},
      POPT_TABLEEND};
  parseMethodOptions("clone", args, table, "--source GUEST|DIR");
  if (!source.value || !*source.value) throwUsage("--source GUEST|DIR is required");
  MethodArguments parsed;
  parsed.source = source.value;
  return parsed;
}

MethodArguments parseDebootstrapArguments(const std::vector<std::string>& args) {
  PoptString suite, mirror, script;
  const poptOption table[] = {
      {nullptr, 'd', POPT_ARG_STRING, &suite.value, 0, "the suite to install", "SUITE"},
      {nullptr, 'm', POPT_ARG_STRING, &mirror.value, 0, "the archive", "MIRROR"},
      {nullptr, 's', POPT_ARG_STRING, &script.value, 0, "debootstrap's script", "SCRIPT"},
      POPT_TABLEEND};
  parseMethodOptions("debootstrap", args, table, "-d SUITE [-m MIRROR] [-s SCRIPT]");
  if (!suite.value || !*suite.value) throwUsage("-d SUITE is required");
  MethodArguments parsed;
  parsed.suite = suite.value;
  parsed.mirror = mirror.get();
  parsed.script = script.get();
  return parsed;
}

MethodArguments parseSkeletonArguments(const std::vector<std::string>& args) {
  MethodArguments parsed;
  parsed.command = args;
  return parsed;
}

struct MethodInfo {
  BuildMethod method;
  const char* name;
  MethodArguments (*parseArguments)(const std::vector<std::string>& args);
};

constexpr MethodInfo kMethods[] = {
    {BuildMethod::Skeleton, "skeleton", parseSkeletonArguments},
    {BuildMethod::Template, "template", parseTemplateArguments},
    {BuildMethod::Clone, "clone", parseCloneArguments},
    {BuildMethod::Debootstrap, "debootstrap", parseDebootstrapArguments}};

BuildMethod parseMethod(const std::string& name) {
  for (const MethodInfo& info : kMethods)
    if (name == info.name) return info.method;
  throwUsage("unknown build method '" + name + "' (skeleton, template, clone, debootstrap)");
}

MethodArguments parseMethodArguments(BuildMethod method, const std::vector<std::string>& args) {
  const auto info = std::find_if(std::begin(kMethods), std::end(kMethods),
                                 [method](const MethodInfo& m) { return m.method == method; });
  if (info == std::end(kMethods)) throwUsage("unknown build method");
  try {
    return info->parseArguments(args);
  } catch (const Error& e) {
    // The same letter means different things before and after "--".
    throw Error(e.errnum(), std::string(info->name) + " arguments: " + e.what());
  }
}

// The address family of text, or AF_UNSPEC when it is no address.
int addressFamily(const std::string& text) {
  unsigned char buffer[16];
  if (inet_pton(AF_INET, text.c_str(), buffer) == 1) return AF_INET;
  if (inet_pton(AF_INET6, text.c_str(), buffer) == 1) return AF_INET6;
  return AF_UNSPEC;
}

// Linux's dev_valid_name(), which label names must pass as well.
bool isInterfaceName(const std::string& name) {
  return !name.empty() && name.size() <= kMaxInterfaceName && name != "." && name != ".." &&
         std::none_of(name.begin(), name.end(), [](unsigned char c) {
           return c == '/' || c == ':' || c == '=' || std::isspace(c) != 0;
         });
}

void checkHostname(const std::string& hostname) {
  if (hostname.empty() || hostname.size() > kMaxHostname)
    throwUsage("--hostname '" + hostname + "' must have 1 to 64 characters");
  const bool valid = std::all_of(hostname.begin(), hostname.end(), [](unsigned char c) {
    return std::isalnum(c) != 0 || c == '.' || c == '-' || c == '_';
  });
  if (!valid)
    throwUsage("--hostname '" + hostname + "' may hold only letters, digits, '.', '-' and '_'");
}

void checkInitStyle(const std::string& style) {
  if (style != "sysv" && style != "plain" && style != "rescue")
    throwUsage("--initstyle '" + style + "' is not one of sysv, plain, rescue");
}

// What buildGuest uses of options, checked; throws at the first bad one.
struct CheckedOptions {
  std::vector<InterfaceSpec> interfaces;
  MethodArguments method;
};

CheckedOptions checkOptions(const BuildOptions& options) {
  if (options.xid)
    parseXid(std::to_string(*options.xid), VSERVER_GUEST_XID_MIN, VSERVER_GUEST_XID_MAX);
  if (options.hostname) checkHostname(*options.hostname);
  if (options.initStyle) checkInitStyle(*options.initStyle);
  if (options.rootDir && options.rootDir->empty()) throwUsage("--rootdir must not be empty");
  CheckedOptions checked;
  for (const std::string& spec : options.interfaces)
    checked.interfaces.push_back(parseInterfaceSpec(spec));
  checked.method = parseMethodArguments(options.method, options.methodArguments);
  return checked;
}

// ---- commands ---------------------------------------------------------------

std::string exitStatusText(int status) { return " (exit status " + std::to_string(status) + ")"; }

// Whether program is in PATH, as execvp() would find it.
bool inPath(const std::string& program) {
  const char* path = getenv("PATH");
  std::string_view rest = path ? path : "";
  while (true) {
    const size_t colon = rest.find(':');
    const std::string dir(rest.substr(0, colon));
    if (access(((dir.empty() ? "." : dir) + "/" + program).c_str(), X_OK) == 0) return true;
    if (colon == std::string_view::npos) return false;
    rest.remove_prefix(colon + 1);
  }
}

// ---- files ------------------------------------------------------------------

// dir under a new root, made if missing.  It must be a real directory:
// writing through a link a template brought along could reach the host.
fs::path realDirectory(const fs::path& dir) {
  if (!fileExists(dir)) makeDirectory(dir, 0755);
  std::error_code error;
  if (!fs::is_directory(fs::symlink_status(dir, error)))
    throw Error(ENOTDIR, dir.string() + " is not a directory (a link would lead out of the guest)");
  return dir;
}

void copyFile(const fs::path& source, const fs::path& target) {
  std::error_code error;
  fs::copy_file(source, target, fs::copy_options::none, error);
  if (error)
    throw Error(error.value(), "cannot copy " + source.string() + " to " + target.string() + ": " +
                                   error.message());
}

// An empty boolean file.
void touch(const fs::path& file) {
  const int fd = open(file.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0) throwErrno("cannot create " + file.string());
  close(fd);
}

bool isEmptyDirectory(const fs::path& dir) {
  std::error_code error;
  return fs::is_directory(fs::symlink_status(dir, error)) && fs::is_empty(dir, error) && !error;
}

// ---- rollback ---------------------------------------------------------------

// Undoes a build that did not get to commit(), latest change first, so
// that a failed build leaves the host as it found it.  Each step is
// recorded right after the change it reverts.  A step that fails cannot
// make the build fail any more than it has: it is reported and the
// others still run.
class Rollback {
 public:
  Rollback() = default;
  Rollback(const Rollback&) = delete;
  Rollback& operator=(const Rollback&) = delete;
  ~Rollback() {
    if (!committed_) undo();
  }

  void onFailure(std::function<void()> step) { steps_.push_back(std::move(step)); }
  void commit() { committed_ = true; }

 private:
  void undo() noexcept {
    for (auto step = steps_.rbegin(); step != steps_.rend(); ++step) {
      try {
        (*step)();
      } catch (const std::exception& e) {
        printError("build: undoing the failed build", e.what());
      }
    }
  }

  std::vector<std::function<void()>> steps_;
  bool committed_ = false;
};

// Makes the missing ancestors of dir, top down, each undone by rmdir: it
// holds nothing but what this build put there.
void makeParents(const fs::path& dir, Rollback& rollback) {
  std::vector<fs::path> missing;
  for (fs::path p = dir; !p.empty() && !fileExists(p) && p != p.parent_path(); p = p.parent_path())
    missing.push_back(p);
  for (auto p = missing.rbegin(); p != missing.rend(); ++p) {
    makeDirectory(*p, 0755);
    rollback.onFailure([dir = *p] {
      if (rmdir(dir.c_str()) != 0) throwErrno("cannot remove " + dir.string());
    });
  }
}

// rename() that never replaces: an existing target means something went
// wrong, and the two must both stay.
void renameNew(const fs::path& from, const fs::path& to) {
  if (renameat2(AT_FDCWD, from.c_str(), AT_FDCWD, to.c_str(), RENAME_NOREPLACE) != 0)
    throwErrno("cannot rename " + from.string() + " to " + to.string());
}

// ---- the plan -----------------------------------------------------------------

// Everything a build will do, worked out before it changes anything.
struct Plan {
  std::string name;
  fs::path cfgdir, defaults, configRoot;
  fs::path lockDir;  // of the guests' locks
  fs::path root;
  uint32_t xid = 0;
  bool advanceContextNext = false;  // the xid came from .defaults/context.next
  CheckedOptions checked;
  UniqueFd tarball;  // template, open from the plan on
  fs::path cloneSource;
  std::vector<GuestLock> cloneSourceLocks;  // of the guests whose roots it copies
  std::optional<std::string> mirror;  // debootstrap
  std::vector<fs::path> replaced;     // in the way; --force moves them aside
};

// cfgdir absolute, without a trailing '/', so that its basename is the
// name and its parent the config root.
fs::path normalDirectory(const fs::path& dir) {
  fs::path normal = fs::absolute(dir).lexically_normal();
  if (!normal.has_filename()) normal = normal.parent_path();
  return normal;
}

// The name ends up in paths (/run/vservers/NAME, ROOT/NAME), and in the
// kernel's context name: the kernel's rules.
std::string guestName(const fs::path& cfgdir) {
  const std::string name = cfgdir.filename().string();
  const bool valid = !name.empty() && name.size() <= VSERVER_NAME_MAX && name[0] != '.' &&
                     name[0] != '-' && std::all_of(name.begin(), name.end(), [](unsigned char c) {
                       return std::isalnum(c) != 0 || c == '.' || c == '_' || c == '-';
                     });
  if (!valid)
    throwUsage("'" + name +
               "' is not a valid guest name (letters, digits, '.', '_', '-'; at most " +
               std::to_string(VSERVER_NAME_MAX) + ")");
  return name;
}

fs::path rootOf(const BuildOptions& options, const fs::path& defaults, const std::string& name) {
  if (options.rootDir) return normalDirectory(*options.rootDir) / name;
  return normalDirectory(vdirBase(defaults)) / name;
}

// A running guest's root is in use: --force must not pull it away.  The
// kernel says whether it runs; a run file may be lost while it does.
void refuseRunning(const std::string& name, const fs::path& cfgdir,
                   const ContextCheck& contextRuns) {
  const auto xid = contextOf(cfgdir);
  if (xid && contextRuns(*xid))
    throw Error(EBUSY, "guest " + name + " is running (context " + std::to_string(*xid) +
                           "); stop it before replacing it");
}

// What is in the way of the new guest: its cfgdir, the old guest's root
// and the new root unless it is an empty directory.  Without --force
// that is an error.
std::vector<fs::path> inTheWay(const Plan& plan, bool force, const ContextCheck& contextRuns) {
  std::vector<fs::path> found;
  if (fileExists(plan.cfgdir)) {
    if (!force) throw Error(EEXIST, "guest " + plan.name + " already exists (--force replaces it)");
    refuseRunning(plan.name, plan.cfgdir, contextRuns);
    found.push_back(plan.cfgdir);
    const auto oldRoot = linkTarget(plan.cfgdir / "vdir");
    if (oldRoot && fileExists(*oldRoot) && *oldRoot != plan.root) {
      // A vdir link gone wrong (to /vservers, say) must not take others along.
      if (const auto held = heldByRoot(*oldRoot, {plan.cfgdir, plan.defaults}, {plan.root}))
        throw Error(EINVAL, "--force will not replace " + oldRoot->string() +
                                ", the vdir of guest " + plan.name + ": it holds " +
                                held->string());
      found.push_back(*oldRoot);
    }
  }
  if (fileExists(plan.root) && !isEmptyDirectory(plan.root)) {
    if (!force)
      throw Error(EEXIST,
                  plan.root.string() + " already exists and is not empty (--force replaces it)");
    found.push_back(plan.root);
  }
  return found;
}

// The context ids the other guests under configRoot have, with their
// directories; refuses a name another guest's name file already gives.
std::map<uint32_t, std::string> usedContexts(const fs::path& configRoot, const fs::path& cfgdir,
                                             const std::string& name) {
  std::map<uint32_t, std::string> used;
  for (const RegisteredGuest& other : otherGuests(configRoot, cfgdir)) {
    if (other.name == name)
      throw Error(EEXIST, "guest name '" + name + "' is already the name of " +
                              other.cfgdir.string());
    if (other.xid) used.emplace(*other.xid, other.cfgdir.filename().string());
  }
  return used;
}

uint32_t firstFreeXid(const std::map<uint32_t, std::string>& used) {
  for (uint32_t xid = kFirstAllocatedXid; xid <= VSERVER_GUEST_XID_MAX; ++xid)
    if (!used.contains(xid)) return xid;
  throw Error(ENOSPC, "no free context id from " + std::to_string(kFirstAllocatedXid) + " to " +
                          std::to_string(VSERVER_GUEST_XID_MAX) + " (give --context)");
}

void chooseXid(const BuildOptions& options, Plan& plan) {
  const auto used = usedContexts(plan.configRoot, plan.cfgdir, plan.name);
  const fs::path nextFile = plan.defaults / "context.next";
  if (options.xid) {
    plan.xid = *options.xid;
  } else if (const auto next = readScalar(nextFile)) {
    plan.xid = static_cast<uint32_t>(
        parseUnsigned(*next, VSERVER_GUEST_XID_MIN, VSERVER_GUEST_XID_MAX, nextFile.string()));
    plan.advanceContextNext = true;
  } else {
    plan.xid = firstFreeXid(used);
  }
  if (const auto user = used.find(plan.xid); user != used.end())
    throw Error(EEXIST, "context " + std::to_string(plan.xid) + " is already used by guest " +
                            user->second);
}

// The template is opened once, when the build is planned: what was
// verified is what gets unpacked, whatever happens to the path meanwhile.
UniqueFd openTemplate(const fs::path& tarball) {
  UniqueFd fd(open(tarball.c_str(), O_RDONLY | O_NOCTTY | O_CLOEXEC));
  if (!fd) throwErrno("cannot open the template " + tarball.string());
  return fd;
}

// Checked before anything is created: a tarball that is not the one
// expected must not even get unpacked.
void verifySha256(int tarballFd, const fs::path& tarball, const std::string& expected) {
  struct stat st {};
  if (fstat(tarballFd, &st) != 0) throwErrno("cannot stat " + tarball.string());
  if (!S_ISREG(st.st_mode))
    throw Error(EINVAL, tarball.string() + " is not a regular file, whose SHA-256 could be checked");
  const CapturedOutput sum = runCapturingOutput({"sha256sum"}, tarballFd);
  if (sum.status != 0 || sum.output.size() < 64)
    throw Error(EIO,
                "cannot compute the SHA-256 of " + tarball.string() + exitStatusText(sum.status));
  const std::string actual = sum.output.substr(0, 64);
  if (actual != expected)
    throw Error(EINVAL, tarball.string() + " has SHA-256 " + actual + ", not " + expected);
  if (lseek(tarballFd, 0, SEEK_SET) != 0) throwErrno("cannot rewind " + tarball.string());
}

// cp walks the source by path: a guest running meanwhile could turn a
// directory it is about to enter into a link to a host directory, whose
// files (/etc/shadow, ssh keys) the new guest would get.  Its lock, held
// until the copy is done, keeps it from starting meanwhile (a restart
// after its reboot included); one whose lock is held (starting, stopping,
// being deleted or cloned) is refused, so that no two builds wait on
// each other.
GuestLock lockStoppedSource(const std::string& name, const fs::path& cfgdir,
                            const ContextCheck& contextRuns, const fs::path& lockDir) {
  std::optional<GuestLock> lock = GuestLock::tryFor(name, lockDir);
  if (!lock)
    throw Error(EBUSY, "clone source " + name +
                           " is busy (a start, stop, delete or build holds its lock); try again "
                           "later");
  std::optional<uint32_t> xid = contextOf(cfgdir);
  if (!xid)
    if (const auto record = readRunFile(runFileOf(cfgdir, name), name)) xid = record->xid;
  if (xid && contextRuns(*xid))
    throw Error(EBUSY, "clone source " + name + " is running (context " + std::to_string(*xid) +
                           "); stop it before cloning it");
  return std::move(*lock);
}

// A directory given by its path may be a guest's root, lie in one or hold
// one: the same race as a guest named.
std::vector<GuestLock> lockStoppedRootsAround(const Plan& plan, const ContextCheck& contextRuns) {
  std::vector<GuestLock> locks;
  for (const RegisteredGuest& guest : registeredGuests(plan.configRoot)) {
    std::error_code error;
    const fs::path root = fs::canonical(readVdir({guest.cfgdir, plan.defaults}, guest.name), error);
    if (!error && (isWithin(root, plan.cloneSource) || isWithin(plan.cloneSource, root)))
      locks.push_back(lockStoppedSource(guest.name, guest.cfgdir, contextRuns, plan.lockDir));
  }
  return locks;
}

// The clone source: a guest's root when source names a guest under
// plan.configRoot, else source as a directory; with the locks of the
// guests whose roots it copies.
void chooseCloneSource(Plan& plan, const std::string& source, const ContextCheck& contextRuns) {
  std::error_code error;
  if (source.find('/') == std::string::npos) {
    for (const RegisteredGuest& guest : registeredGuests(plan.configRoot)) {
      if (guest.cfgdir.filename() != source) continue;
      plan.cloneSourceLocks.push_back(
          lockStoppedSource(guest.name, guest.cfgdir, contextRuns, plan.lockDir));
      plan.cloneSource = readVdir({guest.cfgdir, plan.defaults}, guest.name);
      if (!fs::is_directory(plan.cloneSource, error))
        throw Error(ENOENT, "the root " + plan.cloneSource.string() + " of clone source '" +
                                source + "' is not a directory");
      return;
    }
  }
  if (!fs::is_directory(source, error))
    throw Error(ENOENT, "clone source '" + source + "' is neither a guest nor a directory");
  plan.cloneSource = fs::canonical(source, error);
  if (error) throw Error(error.value(), "cannot resolve clone source '" + source + "'");
  plan.cloneSourceLocks = lockStoppedRootsAround(plan, contextRuns);
}

// The checks and look-ups each method needs before the build starts.
void prepareMethod(BuildMethod method, Plan& plan, const ContextCheck& contextRuns) {
  const MethodArguments& args = plan.checked.method;
  switch (method) {
    case BuildMethod::Skeleton:
      return;
    case BuildMethod::Template:
      plan.tarball = openTemplate(args.tarball);
      if (args.sha256) verifySha256(plan.tarball.get(), args.tarball, *args.sha256);
      return;
    case BuildMethod::Clone:
      chooseCloneSource(plan, args.source, contextRuns);
      return;
    case BuildMethod::Debootstrap:
      if (!inPath("debootstrap"))
        throw Error(ENOENT, "debootstrap is not installed (apt-get install debootstrap)");
      plan.mirror =
          args.mirror ? args.mirror : readScalar(plan.defaults / "apps/debootstrap/mirror");
      if (args.script && !plan.mirror)
        throwUsage(
            "debootstrap -s SCRIPT needs a mirror (-m MIRROR or "
            ".defaults/apps/debootstrap/mirror)");
      return;
  }
}

Plan makePlan(const ConfigLocation& location, const BuildOptions& options,
              const ContextCheck& contextRuns, const fs::path& lockDir) {
  Plan plan;
  plan.checked = checkOptions(options);
  plan.cfgdir = normalDirectory(location.cfgdir);
  plan.name = guestName(plan.cfgdir);
  plan.defaults = location.defaults;
  plan.configRoot = plan.cfgdir.parent_path();
  plan.lockDir = lockDir;
  plan.root = rootOf(options, plan.defaults, plan.name);
  plan.replaced = inTheWay(plan, options.force, contextRuns);
  chooseXid(options, plan);
  prepareMethod(options.method, plan, contextRuns);
  return plan;
}

// ---- the build ------------------------------------------------------------------

// Moves what --force replaces to PATH~EPOCH, put back if the build fails.
// Returns where they went, to be removed once it succeeded.
std::vector<fs::path> moveAside(const std::vector<fs::path>& paths, Rollback& rollback) {
  const std::string suffix = "~" + std::to_string(std::time(nullptr));
  std::vector<fs::path> moved;
  for (const fs::path& path : paths) {
    if (!fileExists(path)) continue;  // went with an earlier one (a link to it)
    const fs::path aside = path.string() + suffix;
    renameNew(path, aside);
    rollback.onFailure([path, aside] { renameNew(aside, path); });
    moved.push_back(aside);
  }
  return moved;
}

void writeInterfaces(const fs::path& dir, const std::vector<InterfaceSpec>& interfaces) {
  makeDirectory(dir, 0755);
  for (size_t i = 0; i < interfaces.size(); ++i) {
    const InterfaceSpec& spec = interfaces[i];
    const fs::path iface = dir / std::to_string(i);
    makeDirectory(iface, 0755);
    writeScalar(iface / "ip", spec.ip);
    if (spec.prefix) writeScalar(iface / "prefix", std::to_string(*spec.prefix));
    if (spec.dev.empty())
      touch(iface / "nodev");
    else
      writeScalar(iface / "dev", spec.dev);
    if (!spec.label.empty()) writeScalar(iface / "name", spec.label);
  }
}

void writeFstab(const fs::path& defaults, const fs::path& fstab) {
  std::error_code error;
  if (fs::exists(defaults / "fstab", error))
    copyFile(defaults / "fstab", fstab);
  else
    writeScalar(fstab, kDefaultFstab);
}

void createConfig(const Plan& plan, const BuildOptions& options, Rollback& rollback) {
  makeParents(plan.configRoot, rollback);
  makeDirectory(plan.cfgdir, 0755);
  rollback.onFailure([dir = plan.cfgdir] { removeTree(dir); });

  writeScalar(plan.cfgdir / "context", std::to_string(plan.xid));
  makeDirectory(plan.cfgdir / "uts", 0755);
  writeScalar(plan.cfgdir / "uts/nodename", options.hostname.value_or(plan.name));
  writeInterfaces(plan.cfgdir / "interfaces", plan.checked.interfaces);
  makeDirectory(plan.cfgdir / "apps", 0755);
  makeDirectory(plan.cfgdir / "apps/init", 0755);
  if (options.initStyle) writeScalar(plan.cfgdir / "apps/init/style", *options.initStyle);
  writeFstab(plan.defaults, plan.cfgdir / "fstab");
  makeSymlink(plan.root, plan.cfgdir / "vdir");
  makeSymlink(fs::path(kRunDir) / plan.name, plan.cfgdir / "run");
}

// An empty root that was there already (a mount point, say) stays: only
// what the build put into it goes.
void emptyDirectory(const fs::path& dir) {
  std::error_code error;
  for (const auto& entry : fs::directory_iterator(dir, error)) removeTree(entry.path());
}

// The directory of the guest roots that build makes is root's alone, as
// util-vserver's setup made /vservers: a guest's root makes setuid
// programs and device nodes in its tree, which no host user may reach.
constexpr mode_t kRootsBaseMode = 0700;

void createRoot(const fs::path& root, Rollback& rollback) {
  const fs::path base = root.parent_path();
  const bool newBase = !fileExists(base);
  makeParents(base, rollback);
  if (newBase && chmod(base.c_str(), kRootsBaseMode) != 0)
    throwErrno("cannot make " + base.string() + " root's alone");
  if (fileExists(root)) {
    rollback.onFailure([root] { emptyDirectory(root); });
    return;
  }
  makeDirectory(root, 0755);
  rollback.onFailure([root] { removeTree(root); });
}

void makeSkeleton(const fs::path& root) {
  static constexpr std::pair<const char*, mode_t> kDirs[] = {
      {"bin", 0755},  {"dev", 0755},  {"dev/pts", 0755}, {"etc", 0755},     {"lib", 0755},
      {"proc", 0755}, {"root", 0700}, {"run", 0755},     {"sbin", 0755},    {"sys", 0755},
      {"tmp", 01777}, {"usr", 0755},  {"var", 0755},     {"var/log", 0755}, {"var/run", 0755}};
  for (const auto& [dir, mode] : kDirs) makeDirectory(root / dir, mode);
}

// tar's decompression option for tarball's name.  GNU tar would guess,
// busybox tar (small hosts, the test VM) needs telling.
std::optional<std::string> decompressOption(const fs::path& tarball) {
  const std::string name = tarball.filename().string();
  const auto endsWith = [&name](const std::string& suffix) {
    return name.size() >= suffix.size() && name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0;
  };
  if (endsWith(".gz") || endsWith(".tgz")) return "-z";
  if (endsWith(".bz2") || endsWith(".tbz2")) return "-j";
  if (endsWith(".xz") || endsWith(".txz")) return "-J";
  return std::nullopt;
}

void unpackTemplate(int tarballFd, const fs::path& tarball, const fs::path& root) {
  std::vector<std::string> argv{"tar", "-x", "--numeric-owner", "-p"};
  if (const auto option = decompressOption(tarball)) argv.push_back(*option);
  argv.insert(argv.end(), {"-f", "-", "-C", root});
  const int status = runCommand(argv, {}, tarballFd);
  if (status != 0)
    throw Error(EIO, "tar could not unpack " + tarball.string() + " into " + root.string() +
                         exitStatusText(status));
}

void copyClone(const fs::path& source, const fs::path& root) {
  const int status = runCommand({"cp", "-a", "--", source / ".", root.string() + "/"});
  if (status != 0)
    throw Error(EIO, "cp could not copy " + source.string() + " into " + root.string() +
                         exitStatusText(status));
}

void runDebootstrap(const Plan& plan) {
  const MethodArguments& args = plan.checked.method;
  std::vector<std::string> argv = {"debootstrap", args.suite, plan.root};
  if (plan.mirror) argv.push_back(*plan.mirror);
  if (args.script) argv.push_back(*args.script);
  const int status = runCommand(argv);
  if (status != 0)
    throw Error(EIO, "debootstrap " + args.suite + " into " + plan.root.string() + " failed" +
                         exitStatusText(status));
}

void fillRoot(BuildMethod method, const Plan& plan) {
  switch (method) {
    case BuildMethod::Skeleton:
      makeSkeleton(plan.root);
      return;
    case BuildMethod::Template:
      unpackTemplate(plan.tarball.get(), plan.checked.method.tarball, plan.root);
      return;
    case BuildMethod::Clone:
      copyClone(plan.cloneSource, plan.root);
      return;
    case BuildMethod::Debootstrap:
      runDebootstrap(plan);
      return;
  }
}

// util-vserver's devs list in the root's /dev.  The guest gets a fresh
// /dev at start; these are for tools run in the root from the host
// (chroot), and what a method left there stays.
void populateDev(const fs::path& root, const DeviceNodeMaker& makeNodes) {
  const fs::path dev = realDirectory(root / "dev");
  makeNodes(dev);
  makeDevEntries(dev);
}

// hosts, resolv.conf & co from .defaults/files/, else from the host.
// Links are followed (the host's /etc/localtime points into a zoneinfo
// the guest may not have).  What the method provided wins: a template
// knows its own nsswitch.conf best.
void copyHostFiles(const fs::path& defaults, const fs::path& root) {
  const fs::path etc = realDirectory(root / "etc");
  for (const char* file : kCopiedFiles) {
    if (fileExists(etc / file)) continue;
    std::error_code error;
    for (const fs::path& dir : {defaults / "files", fs::path(kHostEtc)}) {
      if (fs::exists(dir / file, error)) {
        copyFile(dir / file, etc / file);
        break;
      }
    }
  }
}

void runSkeletonCommand(const std::vector<std::string>& command, const fs::path& root) {
  if (command.empty()) return;
  const int status = runCommand(command, root);
  if (status != 0)
    throw Error(EIO,
                "the skeleton command '" + command.front() + "' failed" + exitStatusText(status));
}

void advanceContextNext(const Plan& plan) {
  if (plan.advanceContextNext)
    writeScalar(plan.defaults / "context.next", std::to_string(plan.xid + 1));
}

// The locks of the guest being built and of the one --force replaces
// (its name file may name it differently), so that no start, stop or
// delete of either runs meanwhile.  Taken in name order: two builds never
// wait for each other's second lock.
std::vector<GuestLock> lockGuest(const fs::path& cfgdir, const fs::path& lockDir) {
  std::set<std::string> names = {guestName(cfgdir)};
  const auto oldName = readScalar(cfgdir / "name");
  if (oldName && !oldName->empty() && oldName->find('/') == std::string::npos)
    names.insert(*oldName);
  std::vector<GuestLock> locks;
  for (const std::string& name : names) locks.emplace_back(name, lockDir);
  return locks;
}

void removeReplaced(const std::string& name, const std::vector<fs::path>& replaced) {
  for (const fs::path& path : replaced) {
    try {
      removeTree(path);
    } catch (const Error& e) {
      throw Error(e.errnum(), "guest " + name + " was built, but the replaced " + path.string() +
                                  " is still there: " + e.what());
    }
  }
}

}  // namespace

BuildOptions parseBuildOptions(int argc, const char** argv) {
  PoptString method, context, hostname, initStyle, rootDir;
  int force = 0;
  BuildOptions options;
  const poptOption table[] = {
      {"method", 'm', POPT_ARG_STRING, &method.value, 0,
       "how to fill the root: skeleton, template, clone or debootstrap", "METHOD"},
      {"context", 0, POPT_ARG_STRING, &context.value, 0, "the guest's context id", "N"},
      {"hostname", 0, POPT_ARG_STRING, &hostname.value, 0, "its node name (default: its name)",
       "NAME"},
      {"interface", 0, POPT_ARG_STRING, nullptr, kInterfaceOption,
       "an address of the guest (repeatable)", "[NAME=][DEV:]IP[/PREFIX]"},
      {"initstyle", 0, POPT_ARG_STRING, &initStyle.value, 0, "sysv, plain or rescue", "STYLE"},
      {"rootdir", 0, POPT_ARG_STRING, &rootDir.value, 0, "put the root at DIR/NAME", "DIR"},
      {"force", 0, POPT_ARG_NONE, &force, 0, "replace an existing guest", nullptr},
      POPT_AUTOHELP POPT_TABLEEND};
  const PoptParser parser(
      "build", argc, argv, table, "-m METHOD [OPTION...] [-- METHOD-ARGUMENTS]",
      [&options](int, const char* arg) { options.interfaces.emplace_back(arg); });

  if (!method.value) throwUsage("-m METHOD is required");
  options.method = parseMethod(method.value);
  if (context.value)
    options.xid = parseXid(context.value, VSERVER_GUEST_XID_MIN, VSERVER_GUEST_XID_MAX);
  options.hostname = hostname.get();
  options.initStyle = initStyle.get();
  options.rootDir = rootDir.get();
  options.force = force != 0;
  options.methodArguments = parser.arguments();
  checkOptions(options);
  return options;
}

InterfaceSpec parseInterfaceSpec(const std::string& spec) {
  const auto fail = [&spec](const std::string& problem) {
    throwUsage("--interface '" + spec + "': " + problem);
  };
  InterfaceSpec parsed;
  std::string rest = spec;
  if (const size_t equals = rest.find('='); equals != std::string::npos) {
    parsed.label = rest.substr(0, equals);
    if (!isInterfaceName(parsed.label)) fail("'" + parsed.label + "' is not a valid label");
    rest.erase(0, equals + 1);
  }
  std::optional<std::string> prefix;
  if (const size_t slash = rest.rfind('/'); slash != std::string::npos) {
    prefix = rest.substr(slash + 1);
    rest.erase(slash);
  }
  if (addressFamily(rest) == AF_UNSPEC) {
    if (const size_t colon = rest.find(':'); colon != std::string::npos) {
      parsed.dev = rest.substr(0, colon);
      if (parsed.dev == "nodev")
        parsed.dev.clear();
      else if (!isInterfaceName(parsed.dev))
        fail("'" + parsed.dev + "' is not a valid device name");
      rest.erase(0, colon + 1);
    }
  }
  const int family = addressFamily(rest);
  if (family == AF_UNSPEC) fail("'" + rest + "' is not an IPv4 or IPv6 address");
  parsed.ip = rest;
  if (prefix)
    parsed.prefix = static_cast<unsigned>(parseUnsigned(*prefix, 1, family == AF_INET ? 32 : 128,
                                                        "--interface '" + spec + "': prefix"));
  return parsed;
}

void buildGuest(const ConfigLocation& location, const BuildOptions& options,
                const DeviceNodeMaker& makeNodes, const fs::path& lockDir,
                const ContextCheck& contextRuns) {
  // Outlives the rollback, so that a second Ctrl-C cannot cut it short.
  const DeferredInterruption interruption;
  const auto locks = lockGuest(normalDirectory(location.cfgdir), lockDir);
  // Until the new cfgdir holds its context file, where the next build's
  // plan sees it.
  std::optional<GuestLock> contextIds = GuestLock::onFile(contextIdLockFile(lockDir));
  const Plan plan = makePlan(location, options, contextRuns, lockDir);
  const std::string what = "the build of " + plan.name;
  interruption.check(what);
  std::vector<fs::path> replaced;
  try {
    Rollback rollback;
    const auto step = [&](const std::function<void()>& change) {
      change();
      interruption.check(what);
    };
    step([&] { replaced = moveAside(plan.replaced, rollback); });
    step([&] { createConfig(plan, options, rollback); });
    contextIds.reset();
    step([&] { createRoot(plan.root, rollback); });
    step([&] { fillRoot(options.method, plan); });
    step([&] { dropDeviceNodesOutsideDev(plan.root, plan.name); });
    step([&] { populateDev(plan.root, makeNodes); });
    step([&] { copyHostFiles(plan.defaults, plan.root); });
    step([&] { runSkeletonCommand(plan.checked.method.command, plan.root); });
    advanceContextNext(plan);
    rollback.commit();
  } catch (const Error&) {
    // A command the signal killed fails too: the signal is the reason.
    interruption.check(what + " was undone");
    throw;
  }
  removeReplaced(plan.name, replaced);
}

}  // namespace vs::guest
