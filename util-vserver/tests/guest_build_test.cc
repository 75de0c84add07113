#include <linux/vserver.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <vector>

#include "guest/build.h"
#include "guest/devices.h"
#include "guest/lock.h"
#include "subprocess.h"
#include "test_helpers.h"

namespace fs = std::filesystem;
using vs::guest::BuildMethod;
using vs::guest::BuildOptions;
using vs::test::argv;
using vs::test::expectError;

namespace {

std::string readFile(const fs::path& file) {
  std::ifstream stream(file);
  std::ostringstream text;
  text << stream.rdbuf();
  return text.str();
}

void writeFile(const fs::path& file, const std::string& text) {
  fs::create_directories(file.parent_path());
  std::ofstream(file) << text;
}

// Every path under dir, links not followed: what a build left behind.
std::set<std::string> treeOf(const fs::path& dir) {
  std::set<std::string> tree;
  for (const auto& entry : fs::recursive_directory_iterator(dir))
    tree.insert(entry.path().lexically_relative(dir).string());
  return tree;
}

std::set<std::string> namesIn(const fs::path& dir) {
  std::set<std::string> names;
  for (const auto& entry : fs::directory_iterator(dir)) names.insert(entry.path().filename());
  return names;
}

void runOrFail(const std::vector<std::string>& command) {
  LONGS_EQUAL(0, vs::runCapturingOutput(command).status);
}

std::string sha256Of(const fs::path& file) {
  return vs::runCapturingOutput({"sha256sum", file}).output.substr(0, 64);
}

mode_t modeOf(const fs::path& path) {
  struct stat st {};
  CHECK_EQUAL(0, lstat(path.c_str(), &st));
  return st.st_mode & 07777;
}

// Puts dir in front of PATH for one test.
class PathOverride {
 public:
  explicit PathOverride(const std::string& path) : saved_(getenv("PATH")) {
    setenv("PATH", path.c_str(), 1);
  }
  PathOverride(const PathOverride&) = delete;
  PathOverride& operator=(const PathOverride&) = delete;
  ~PathOverride() { setenv("PATH", saved_.c_str(), 1); }

 private:
  std::string saved_;
};

BuildOptions parse(auto args) {
  return vs::guest::parseBuildOptions(static_cast<int>(args.size()), args.data());
}

std::string parseError(auto args) {
  return expectError([&] { parse(args); }).what();
}

std::string specError(const std::string& spec) {
  return expectError([&] { vs::guest::parseInterfaceSpec(spec); }).what();
}

const std::string kHexZeros(64, '0');

}  // namespace

TEST_GROUP(GuestBuildOptions){};

TEST(GuestBuildOptions, EveryOption) {
  const std::string sha = std::string(63, 'A') + "b";
  const auto o = parse(argv("build", "-m", "template", "--context", "42", "--hostname",
                            "web.example", "--interface", "eth0:10.0.0.1/24", "--interface",
                            "fd00::1", "--initstyle", "plain", "--rootdir", "/srv/guests",
                            "--force", "--", "-t", "base.tar.gz", "--sha256", sha.c_str()));
  CHECK(o.method == BuildMethod::Template);
  UNSIGNED_LONGS_EQUAL(42, *o.xid);
  STRCMP_EQUAL("web.example", o.hostname->c_str());
  UNSIGNED_LONGS_EQUAL(2, o.interfaces.size());
  STRCMP_EQUAL("fd00::1", o.interfaces[1].c_str());
  STRCMP_EQUAL("plain", o.initStyle->c_str());
  STRCMP_EQUAL("/srv/guests", o.rootDir->c_str());
  CHECK(o.force);
  UNSIGNED_LONGS_EQUAL(4, o.methodArguments.size());
  STRCMP_EQUAL("-t", o.methodArguments[0].c_str());
}

TEST(GuestBuildOptions, Defaults) {
  const auto o = parse(argv("build", "-m", "skeleton"));
  CHECK(o.method == BuildMethod::Skeleton);
  CHECK_FALSE(o.xid.has_value());
  CHECK_FALSE(o.hostname.has_value());
  CHECK_FALSE(o.initStyle.has_value());
  CHECK_FALSE(o.rootDir.has_value());
  CHECK_FALSE(o.force);
  CHECK(o.interfaces.empty());
  CHECK(o.methodArguments.empty());
}

TEST(GuestBuildOptions, MethodArgumentsOfEachMethod) {
  const auto skeleton = parse(argv("build", "-m", "skeleton", "--", "sh", "-c", "true"));
  UNSIGNED_LONGS_EQUAL(3, skeleton.methodArguments.size());
  CHECK(parse(argv("build", "--method=clone", "--", "--source", "web")).method ==
        BuildMethod::Clone);
  CHECK(parse(argv("build", "-m", "debootstrap", "--", "-d", "bookworm", "-m",
                   "http://deb.example/", "-s", "sid"))
            .method == BuildMethod::Debootstrap);
}

TEST(GuestBuildOptions, RefusesBadOptions) {
  STRCMP_EQUAL("-m METHOD is required", parseError(argv("build")).c_str());
  STRCMP_EQUAL("unknown build method 'rpm' (skeleton, template, clone, debootstrap)",
               parseError(argv("build", "-m", "rpm")).c_str());
  STRCMP_EQUAL("context id '1' is out of range (2..65535)",
               parseError(argv("build", "-m", "skeleton", "--context", "1")).c_str());
  STRCMP_EQUAL("context id '65536' is out of range (2..65535)",
               parseError(argv("build", "-m", "skeleton", "--context", "65536")).c_str());
  STRCMP_EQUAL("context id 'x1' is not a number",
               parseError(argv("build", "-m", "skeleton", "--context", "x1")).c_str());
  const std::string longName(65, 'h');
  STRCMP_EQUAL(("--hostname '" + longName + "' must have 1 to 64 characters").c_str(),
               parseError(argv("build", "-m", "skeleton", "--hostname", longName.c_str())).c_str());
  STRCMP_EQUAL("--hostname 'a b' may hold only letters, digits, '.', '-' and '_'",
               parseError(argv("build", "-m", "skeleton", "--hostname", "a b")).c_str());
  STRCMP_EQUAL("--interface '10.0.0.256': '10.0.0.256' is not an IPv4 or IPv6 address",
               parseError(argv("build", "-m", "skeleton", "--interface", "10.0.0.256")).c_str());
  STRCMP_EQUAL("--initstyle 'gentoo' is not one of sysv, plain, rescue",
               parseError(argv("build", "-m", "skeleton", "--initstyle", "gentoo")).c_str());
  STRCMP_EQUAL("--rootdir must not be empty",
               parseError(argv("build", "-m", "skeleton", "--rootdir", "")).c_str());
  STRCMP_EQUAL("--frobnicate: unknown option",
               parseError(argv("build", "-m", "skeleton", "--frobnicate")).c_str());
  STRCMP_EQUAL("--context: missing argument",
               parseError(argv("build", "-m", "skeleton", "--context")).c_str());
}

TEST(GuestBuildOptions, RefusesBadMethodArguments) {
  STRCMP_EQUAL("-t: unknown option",
               parseError(argv("build", "-m", "template", "-t", "x")).c_str());
  STRCMP_EQUAL("template arguments: -t TARBALL is required",
               parseError(argv("build", "-m", "template")).c_str());
  STRCMP_EQUAL(
      "template arguments: -d: unknown option",
      parseError(argv("build", "-m", "template", "--", "-t", "x", "-d", "bookworm")).c_str());
  STRCMP_EQUAL(
      "template arguments: --sha256 'abc' is not 64 hexadecimal digits",
      parseError(argv("build", "-m", "template", "--", "-t", "x", "--sha256", "abc")).c_str());
  const std::string notHex = std::string(63, '0') + "g";
  STRCMP_EQUAL(
      ("template arguments: --sha256 '" + notHex + "' is not 64 hexadecimal digits").c_str(),
      parseError(argv("build", "-m", "template", "--", "-t", "x", "--sha256", notHex.c_str()))
          .c_str());
  STRCMP_EQUAL("template arguments: unexpected argument 'extra'",
               parseError(argv("build", "-m", "template", "--", "-t", "x", "extra")).c_str());
  STRCMP_EQUAL("clone arguments: --source GUEST|DIR is required",
               parseError(argv("build", "-m", "clone")).c_str());
  STRCMP_EQUAL(
      "debootstrap arguments: -d SUITE is required",
      parseError(argv("build", "-m", "debootstrap", "--", "-m", "http://deb.example/")).c_str());
}

TEST_GROUP(GuestInterfaceSpec){};

TEST(GuestInterfaceSpec, AllParts) {
  const auto spec = vs::guest::parseInterfaceSpec("web=eth0:10.0.0.1/24");
  STRCMP_EQUAL("web", spec.label.c_str());
  STRCMP_EQUAL("eth0", spec.dev.c_str());
  STRCMP_EQUAL("10.0.0.1", spec.ip.c_str());
  UNSIGNED_LONGS_EQUAL(24, *spec.prefix);
}

TEST(GuestInterfaceSpec, AddressAlone) {
  const auto spec = vs::guest::parseInterfaceSpec("10.0.0.1");
  CHECK(spec.label.empty());
  CHECK(spec.dev.empty());
  STRCMP_EQUAL("10.0.0.1", spec.ip.c_str());
  CHECK_FALSE(spec.prefix.has_value());
  CHECK(vs::guest::parseInterfaceSpec("nodev:10.0.0.1").dev.empty());
}

TEST(GuestInterfaceSpec, Ipv6KeepsItsColons) {
  const auto bare = vs::guest::parseInterfaceSpec("fd00::1/64");
  CHECK(bare.dev.empty());
  STRCMP_EQUAL("fd00::1", bare.ip.c_str());
  UNSIGNED_LONGS_EQUAL(64, *bare.prefix);
  const auto withDev = vs::guest::parseInterfaceSpec("br0:fd00::1/128");
  STRCMP_EQUAL("br0", withDev.dev.c_str());
  STRCMP_EQUAL("fd00::1", withDev.ip.c_str());
  STRCMP_EQUAL("::1", vs::guest::parseInterfaceSpec("::1").ip.c_str());
}

TEST(GuestInterfaceSpec, RefusesBadParts) {
  STRCMP_EQUAL("--interface 'eth0:10.0.0.1/33': prefix '33' is out of range (1..32)",
               specError("eth0:10.0.0.1/33").c_str());
  STRCMP_EQUAL("--interface 'fd00::1/129': prefix '129' is out of range (1..128)",
               specError("fd00::1/129").c_str());
  STRCMP_EQUAL("--interface '10.0.0.1/0': prefix '0' is out of range (1..32)",
               specError("10.0.0.1/0").c_str());
  STRCMP_EQUAL("--interface '10.0.0.1/': prefix '' is not a number",
               specError("10.0.0.1/").c_str());
  STRCMP_EQUAL("--interface '10.0.0.1/x': prefix 'x' is not a number",
               specError("10.0.0.1/x").c_str());
  STRCMP_EQUAL("--interface '=10.0.0.1': '' is not a valid label", specError("=10.0.0.1").c_str());
  STRCMP_EQUAL(
      "--interface 'averyverylongdevice:10.0.0.1': 'averyverylongdevice' is not a valid "
      "device name",
      specError("averyverylongdevice:10.0.0.1").c_str());
  STRCMP_EQUAL("--interface 'eth0:': '' is not an IPv4 or IPv6 address",
               specError("eth0:").c_str());
  STRCMP_EQUAL("--interface 'eth0': 'eth0' is not an IPv4 or IPv6 address",
               specError("eth0").c_str());
  STRCMP_EQUAL("--interface '': '' is not an IPv4 or IPv6 address", specError("").c_str());
}

// Builds into a temporary config root (etc/) and vdir base (vservers/),
// with the device nodes left out: unit tests run without CAP_MKNOD.
TEST_GROUP(GuestBuild) {
  vs::test::TempDir temp, locks;  // locks: not part of what a build leaves
  fs::path base = temp.path(), configRoot, defaults, vservers;
  std::vector<fs::path> nodeDirs;  // where buildGuest asked for device nodes
  std::set<uint32_t> runningXids;  // the contexts the "kernel" has

  void setup() override {
    configRoot = base / "etc";
    defaults = configRoot / ".defaults";
    vservers = base / "vservers";
    writeFile(defaults / "files/hosts", "127.0.0.1 localhost\n");
  }

  BuildOptions options(BuildMethod method, const std::vector<std::string>& args = {}) {
    BuildOptions o;
    o.method = method;
    o.rootDir = vservers;
    o.methodArguments = args;
    return o;
  }

  void build(const std::string& name, const BuildOptions& o) {
    vs::guest::buildGuest({configRoot / name, defaults}, o,
                          [this](const fs::path& dev) { nodeDirs.push_back(dev); }, locks.path(),
                          [this](uint32_t xid) { return runningXids.contains(xid); });
  }

  std::string buildError(const std::string& name, const BuildOptions& o) {
    return expectError([&] { build(name, o); }).what();
  }

  // A guest as another build would have left it, with just its context.
  void addGuest(const std::string& name, const std::string& context) {
    writeFile(configRoot / name / "context", context + "\n");
  }

  fs::path makeTarball() {
    const fs::path tree = base / "template";
    writeFile(tree / "etc/hosts", "template hosts\n");
    writeFile(tree / "etc/os-release", "ID=test\n");
    fs::create_directories(tree / "dev");
    const fs::path tarball = base / "template.tar.gz";
    runOrFail({"tar", "-czf", tarball, "-C", tree, "."});
    fs::remove_all(tree);
    return tarball;
  }

  // Fails unless a failing build left base exactly as it was.
  void checkLeavesNothing(const BuildOptions& o, const std::string& expectedError) {
    const auto before = treeOf(base);
    STRCMP_CONTAINS(expectedError.c_str(), buildError("web", o).c_str());
    CHECK(before == treeOf(base));
  }
};

TEST(GuestBuild, SkeletonWritesTheConfiguration) {
  auto o = options(BuildMethod::Skeleton);
  o.xid = 42;
  o.hostname = "web.example";
  o.interfaces = {"eth0:10.0.0.2/24", "lbl=nodev:fd00::2"};
  o.initStyle = "plain";
  build("web", o);

  const fs::path cfg = configRoot / "web";
  STRCMP_EQUAL("42\n", readFile(cfg / "context").c_str());
  STRCMP_EQUAL("web.example\n", readFile(cfg / "uts/nodename").c_str());
  STRCMP_EQUAL("10.0.0.2\n", readFile(cfg / "interfaces/0/ip").c_str());
  STRCMP_EQUAL("24\n", readFile(cfg / "interfaces/0/prefix").c_str());
  STRCMP_EQUAL("eth0\n", readFile(cfg / "interfaces/0/dev").c_str());
  CHECK_FALSE(fs::exists(cfg / "interfaces/0/nodev"));
  CHECK_FALSE(fs::exists(cfg / "interfaces/0/name"));
  STRCMP_EQUAL("fd00::2\n", readFile(cfg / "interfaces/1/ip").c_str());
  CHECK_FALSE(fs::exists(cfg / "interfaces/1/prefix"));
  CHECK(fs::exists(cfg / "interfaces/1/nodev"));
  STRCMP_EQUAL("lbl\n", readFile(cfg / "interfaces/1/name").c_str());
  STRCMP_EQUAL("plain\n", readFile(cfg / "apps/init/style").c_str());
  STRCMP_EQUAL(
      "proc /proc proc defaults 0 0\n"
      "tmpfs /tmp tmpfs size=16m,mode=1777 0 0\n"
      "devpts /dev/pts devpts gid=5,mode=620,ptmxmode=0666 0 0\n",
      readFile(cfg / "fstab").c_str());
  STRCMP_EQUAL((vservers / "web").c_str(), fs::read_symlink(cfg / "vdir").c_str());
  STRCMP_EQUAL("/run/vservers/web", fs::read_symlink(cfg / "run").c_str());
  CHECK_FALSE(fs::exists(cfg / "cache"));
  UNSIGNED_LONGS_EQUAL(0755, modeOf(cfg));
}

TEST(GuestBuild, SkeletonMakesTheRoot) {
  build("web", options(BuildMethod::Skeleton, {"touch", "made-here"}));

  const fs::path root = vservers / "web";
  UNSIGNED_LONGS_EQUAL(0755, modeOf(root));
  for (const char* dir :
       {"bin", "etc", "proc", "sys", "var/run", "var/log", "run", "usr", "sbin", "lib", "dev/pts"})
    CHECK_TEXT(fs::is_directory(root / dir), dir);
  UNSIGNED_LONGS_EQUAL(01777, modeOf(root / "tmp"));
  UNSIGNED_LONGS_EQUAL(0700, modeOf(root / "root"));
  UNSIGNED_LONGS_EQUAL(01777, modeOf(root / "dev/shm"));
  STRCMP_EQUAL("/proc/self/fd", fs::read_symlink(root / "dev/fd").c_str());
  STRCMP_EQUAL("/proc/self/fd/0", fs::read_symlink(root / "dev/stdin").c_str());
  STRCMP_EQUAL("/proc/self/fd/2", fs::read_symlink(root / "dev/stderr").c_str());
  UNSIGNED_LONGS_EQUAL(1, nodeDirs.size());
  STRCMP_EQUAL((root / "dev").c_str(), nodeDirs[0].c_str());
  STRCMP_EQUAL("127.0.0.1 localhost\n", readFile(root / "etc/hosts").c_str());
  // The command ran after the build, in the new root.
  CHECK(fs::exists(root / "made-here"));
}

TEST(GuestBuild, DefaultsFromTheDefaultsDirectory) {
  writeFile(defaults / "fstab", "none /tmp tmpfs defaults 0 0\n");
  fs::create_directory_symlink(base / "vdirbase", defaults / "vdirbase");
  auto o = options(BuildMethod::Skeleton);
  o.rootDir.reset();
  build("web", o);

  const fs::path cfg = configRoot / "web";
  STRCMP_EQUAL("web\n", readFile(cfg / "uts/nodename").c_str());
  CHECK_FALSE(fs::exists(cfg / "apps/init/style"));
  CHECK(fs::is_directory(cfg / "interfaces"));
  STRCMP_EQUAL("none /tmp tmpfs defaults 0 0\n", readFile(cfg / "fstab").c_str());
  STRCMP_EQUAL((base / "vdirbase/web").c_str(), fs::read_symlink(cfg / "vdir").c_str());
  CHECK(fs::is_directory(base / "vdirbase/web/etc"));
  STRCMP_EQUAL("40000\n", readFile(cfg / "context").c_str());
}

TEST(GuestBuild, XidFromContextNext) {
  writeFile(defaults / "context.next", "40100\n");
  build("web", options(BuildMethod::Skeleton));
  STRCMP_EQUAL("40100\n", readFile(configRoot / "web/context").c_str());
  STRCMP_EQUAL("40101\n", readFile(defaults / "context.next").c_str());
}

TEST(GuestBuild, XidScanTakesTheSmallestFreeOne) {
  addGuest("a", "40000");
  addGuest("b", "40001");
  addGuest("d", "40003");
  addGuest("e", "not a number");
  build("web", options(BuildMethod::Skeleton));
  STRCMP_EQUAL("40002\n", readFile(configRoot / "web/context").c_str());
}

TEST(GuestBuild, RefusesAContextInUse) {
  addGuest("b", "40001");
  auto o = options(BuildMethod::Skeleton);
  o.xid = 40001;
  checkLeavesNothing(o, "context 40001 is already used by guest b");
  writeFile(defaults / "context.next", "40001\n");
  checkLeavesNothing(options(BuildMethod::Skeleton), "context 40001 is already used by guest b");
  writeFile(defaults / "context.next", "1\n");
  checkLeavesNothing(options(BuildMethod::Skeleton), "context.next '1' is out of range (2..65535)");
}

TEST(GuestBuild, RefusesAnExistingGuest) {
  build("web", options(BuildMethod::Skeleton));
  checkLeavesNothing(options(BuildMethod::Skeleton),
                     "guest web already exists (--force replaces it)");
}

TEST(GuestBuild, RefusesANonEmptyRoot) {
  writeFile(vservers / "web/keep", "");
  checkLeavesNothing(
      options(BuildMethod::Skeleton),
      (vservers / "web").string() + " already exists and is not empty (--force replaces it)");
}

TEST(GuestBuild, RefusesABadGuestName) {
  STRCMP_CONTAINS("'.web' is not a valid guest name",
                  buildError(".web", options(BuildMethod::Skeleton)).c_str());
  STRCMP_CONTAINS("'a b' is not a valid guest name",
                  buildError("a b", options(BuildMethod::Skeleton)).c_str());
}

TEST(GuestBuild, KeepsAnEmptyRootItDidNotMake) {
  fs::create_directories(vservers / "web");
  checkLeavesNothing(options(BuildMethod::Skeleton, {"false"}),
                     "the skeleton command 'false' failed (exit status 1)");
  CHECK(fs::is_empty(vservers / "web"));

  build("web", options(BuildMethod::Skeleton));
  CHECK(fs::is_directory(vservers / "web/etc"));
}

TEST(GuestBuild, Template) {
  const fs::path tarball = makeTarball();
  std::string sha = sha256Of(tarball);
  for (char& c : sha) c = static_cast<char>(toupper(c));  // either case will do
  build("web", options(BuildMethod::Template, {"-t", tarball, "--sha256", sha}));

  const fs::path root = vservers / "web";
  STRCMP_EQUAL("ID=test\n", readFile(root / "etc/os-release").c_str());
  // What the template brought wins over .defaults/files.
  STRCMP_EQUAL("template hosts\n", readFile(root / "etc/hosts").c_str());
  STRCMP_EQUAL("/proc/self/fd", fs::read_symlink(root / "dev/fd").c_str());
  CHECK(fs::is_directory(root / "dev/pts"));
  CHECK(fs::exists(configRoot / "web/context"));
}

TEST(GuestBuild, TemplateWithTheWrongSha256LeavesNothing) {
  const fs::path tarball = makeTarball();
  checkLeavesNothing(options(BuildMethod::Template, {"-t", tarball, "--sha256", kHexZeros}),
                     tarball.string() + " has SHA-256 " + sha256Of(tarball) + ", not " + kHexZeros);
}

TEST(GuestBuild, TemplateSha256NeedsARegularFile) {
  checkLeavesNothing(options(BuildMethod::Template, {"-t", "/dev/null", "--sha256", kHexZeros}),
                     "/dev/null is not a regular file");
}

TEST(GuestBuild, TemplateRefusesALinkedDev) {
  const fs::path tree = base / "template";
  fs::create_directories(tree / "etc");
  fs::create_directory_symlink("/dev", tree / "dev");
  const fs::path tarball = base / "bad.tar";
  runOrFail({"tar", "-cf", tarball, "-C", tree, "."});
  fs::remove_all(tree);
  checkLeavesNothing(options(BuildMethod::Template, {"-t", tarball}),
                     "/dev is not a directory (a link would lead out of the guest)");
}

TEST(GuestBuild, CloneFromAGuestOrADirectory) {
  build("source", options(BuildMethod::Skeleton, {"touch", "marker"}));
  build("byname", options(BuildMethod::Clone, {"--source", "source"}));
  CHECK(fs::exists(vservers / "byname/marker"));
  UNSIGNED_LONGS_EQUAL(01777, modeOf(vservers / "byname/tmp"));

  build("bydir", options(BuildMethod::Clone, {"--source", (vservers / "source").string()}));
  CHECK(fs::exists(vservers / "bydir/marker"));
  STRCMP_EQUAL("40002\n", readFile(configRoot / "bydir/context").c_str());
}

// cp walks a running source by path, which its guest could turn into a
// link to a host directory under it.
TEST(GuestBuild, CloneOfARunningGuestIsRefused) {
  build("source", options(BuildMethod::Skeleton, {"touch", "marker"}));
  const std::string xid = readFile(configRoot / "source/context");
  runningXids.insert(static_cast<uint32_t>(std::stoul(xid)));
  checkLeavesNothing(options(BuildMethod::Clone, {"--source", "source"}),
                     "clone source source is running (context " + xid.substr(0, xid.size() - 1) +
                         "); stop it before cloning it");
  // By its root's path, a directory in it or one holding it.
  for (const fs::path& path : {vservers / "source", vservers / "source/etc", vservers})
    checkLeavesNothing(options(BuildMethod::Clone, {"--source", path.string()}),
                       "clone source source is running (context " + xid.substr(0, xid.size() - 1) +
                           "); stop it before cloning it");
  runningXids.clear();
  build("copy", options(BuildMethod::Clone, {"--source", "source"}));
  CHECK(fs::exists(vservers / "copy/marker"));
}

// A guest without a vdir link has its root at vdirbase/NAME: copying a
// directory there is copying it all the same.
TEST(GuestBuild, CloneOfARunningGuestWithoutAVdirLinkIsRefused) {
  build("source", options(BuildMethod::Skeleton, {"touch", "marker"}));
  fs::remove(configRoot / "source/vdir");
  fs::create_directory_symlink(vservers, defaults / "vdirbase");
  const std::string xid = readFile(configRoot / "source/context");
  runningXids.insert(static_cast<uint32_t>(std::stoul(xid)));
  checkLeavesNothing(options(BuildMethod::Clone, {"--source", (vservers / "source/etc").string()}),
                     "clone source source is running (context " + xid.substr(0, xid.size() - 1) +
                         "); stop it before cloning it");
  checkLeavesNothing(options(BuildMethod::Clone, {"--source", "source"}),
                     "clone source source is running");
}

// The source's lock, held through the copy, keeps it from starting (its
// restart after a reboot included); one whose lock is held (a start, a
// stop) is refused.
TEST(GuestBuild, CloneOfAGuestStartingOrStoppingIsRefused) {
  build("source", options(BuildMethod::Skeleton, {"touch", "marker"}));
  const std::string busy =
      "clone source source is busy (a start, stop, delete or build holds its lock)";
  {
    const vs::guest::GuestLock starting("source", locks.path());
    for (const std::string& source : {std::string("source"), (vservers / "source").string()})
      checkLeavesNothing(options(BuildMethod::Clone, {"--source", source}), busy);
  }
  build("copy", options(BuildMethod::Clone, {"--source", "source"}));
  CHECK(fs::exists(vservers / "copy/marker"));
  CHECK(vs::guest::GuestLock::tryFor("source", locks.path()).has_value());
}

TEST(GuestBuild, FailedBuildsLeaveNothing) {
  writeFile(defaults / "context.next", "40100\n");
  checkLeavesNothing(options(BuildMethod::Template, {"-t", (base / "missing.tar").string()}),
                     "cannot open the template " + (base / "missing.tar").string());
  writeFile(base / "corrupt.tar.gz", "not a tarball\n");
  checkLeavesNothing(options(BuildMethod::Template, {"-t", (base / "corrupt.tar.gz").string()}),
                     "tar could not unpack");
  checkLeavesNothing(options(BuildMethod::Clone, {"--source", "missing"}),
                     "clone source 'missing' is neither a guest nor a directory");
  addGuest("ghost", "40500");
  fs::create_directory_symlink(base / "nowhere", configRoot / "ghost/vdir");
  checkLeavesNothing(
      options(BuildMethod::Clone, {"--source", "ghost"}),
      "the root " + (base / "nowhere").string() + " of clone source 'ghost' is not a directory");
  checkLeavesNothing(options(BuildMethod::Skeleton, {"false"}),
                     "the skeleton command 'false' failed");
  checkLeavesNothing(options(BuildMethod::Skeleton, {"no-such-command-here"}),
                     "the skeleton command 'no-such-command-here' failed");
  STRCMP_EQUAL("40100\n", readFile(defaults / "context.next").c_str());
}

TEST(GuestBuild, MakesTheBaseOfTheRootsRootsAlone) {
  auto o = options(BuildMethod::Skeleton);
  o.rootDir = base / "new/roots";
  build("web", o);
  UNSIGNED_LONGS_EQUAL(0700, modeOf(base / "new/roots"));
  UNSIGNED_LONGS_EQUAL(0755, modeOf(base / "new/roots/web"));

  // A base that is there already is the admin's to set.
  fs::create_directories(base / "shared");
  fs::permissions(base / "shared", fs::perms::owner_all | fs::perms::group_read |
                                       fs::perms::group_exec | fs::perms::others_read |
                                       fs::perms::others_exec);
  o.rootDir = base / "shared";
  build("mail", o);
  UNSIGNED_LONGS_EQUAL(0755, modeOf(base / "shared"));
}

TEST(GuestBuild, FailureRemovesTheParentsItMade) {
  auto o = options(BuildMethod::Skeleton, {"false"});
  o.rootDir = base / "new/roots";
  checkLeavesNothing(o, "the skeleton command 'false' failed");
  CHECK_FALSE(fs::exists(base / "new"));
}

TEST(GuestBuild, ForceReplacesAGuest) {
  build("web", options(BuildMethod::Skeleton, {"touch", "old"}));
  auto o = options(BuildMethod::Skeleton, {"touch", "new"});
  o.force = true;
  build("web", o);

  CHECK(fs::exists(vservers / "web/new"));
  CHECK_FALSE(fs::exists(vservers / "web/old"));
  // The replaced guest's context is free again, and nothing is left aside.
  STRCMP_EQUAL("40000\n", readFile(configRoot / "web/context").c_str());
  CHECK(namesIn(configRoot) == std::set<std::string>({".defaults", "web"}));
  CHECK(namesIn(vservers) == std::set<std::string>({"web"}));
}

TEST(GuestBuild, ForceRestoresTheGuestWhenTheBuildFails) {
  build("web", options(BuildMethod::Skeleton, {"touch", "old"}));
  writeFile(base / "corrupt.tar", "not a tarball\n");
  auto o = options(BuildMethod::Template, {"-t", (base / "corrupt.tar").string()});
  o.force = true;
  checkLeavesNothing(o, "tar could not unpack");
  CHECK(fs::exists(vservers / "web/old"));
}

// SIGINT as a terminal's foreground job has it.  A runner a shell started
// in the background inherits SIGINT ignored, which DeferredInterruption
// rightly leaves ignored (nohup), and the build would then go on.
class DefaultSigint {
 public:
  DefaultSigint() {
    struct sigaction defaultAction {};
    defaultAction.sa_handler = SIG_DFL;
    sigaction(SIGINT, &defaultAction, &saved_);
  }
  ~DefaultSigint() { sigaction(SIGINT, &saved_, nullptr); }
  DefaultSigint(const DefaultSigint&) = delete;
  DefaultSigint& operator=(const DefaultSigint&) = delete;

 private:
  struct sigaction saved_ {};
};

// As Ctrl-C would: the signal reaches vserver while a method's command runs.
TEST(GuestBuild, AnInterruptedBuildIsUndone) {
  const DefaultSigint sigint;
  const std::vector<std::string> interrupt = {"sh", "-c", "kill -INT $PPID"};
  const auto before = treeOf(base);
  const auto e = expectError([&] { build("web", options(BuildMethod::Skeleton, interrupt)); });
  STRCMP_CONTAINS("the build of web was undone (interrupted by SIGINT)", e.what());
  LONGS_EQUAL(128 + SIGINT, e.exitStatus());
  CHECK(before == treeOf(base));
}

TEST(GuestBuild, AnInterruptedForceBuildPutsTheOldGuestBack) {
  build("web", options(BuildMethod::Skeleton, {"touch", "old"}));
  auto o = options(BuildMethod::Skeleton, {"sh", "-c", "kill -TERM $PPID"});
  o.force = true;
  checkLeavesNothing(o, "interrupted by SIGTERM");
  CHECK(fs::exists(vservers / "web/old"));
}

TEST(GuestBuild, ForceReplacesARootWithoutAGuest) {
  writeFile(vservers / "web/stale", "");
  auto o = options(BuildMethod::Skeleton);
  o.force = true;
  build("web", o);
  CHECK_FALSE(fs::exists(vservers / "web/stale"));
  CHECK(namesIn(vservers) == std::set<std::string>({"web"}));
}

// Running is the kernel's word: its context exists, whatever the run
// file says (issue 9, item 16).
TEST(GuestBuild, ForceLeavesARunningGuestAlone) {
  build("web", options(BuildMethod::Skeleton));
  runningXids = {40000};
  auto o = options(BuildMethod::Skeleton);
  o.force = true;
  checkLeavesNothing(o, "guest web is running (context 40000); stop it before replacing it");
}

TEST(GuestBuild, ForceIgnoresALeftoverRunFile) {
  build("web", options(BuildMethod::Skeleton, {"touch", "old"}));
  writeFile(base / "run/web", "40000\n");
  fs::remove(configRoot / "web/run");
  fs::create_symlink(base / "run/web", configRoot / "web/run");
  auto o = options(BuildMethod::Skeleton);
  o.force = true;
  build("web", o);
  CHECK_FALSE(fs::exists(vservers / "web/old"));
}

TEST(GuestBuild, ForceReplacesOnlyTheOldRoot) {
  build("web", options(BuildMethod::Skeleton));
  fs::remove(configRoot / "web/vdir");
  fs::create_directory_symlink(base, configRoot / "web/vdir");
  auto o = options(BuildMethod::Skeleton);
  o.force = true;
  checkLeavesNothing(o, "--force will not replace " + base.string() +
                            ", the vdir of guest web: it holds " + (vservers / "web").string());
}

// The new root elsewhere: the old vdir must still not take the base along.
TEST(GuestBuild, ForceKeepsTheVdirBase) {
  build("web", options(BuildMethod::Skeleton));
  fs::create_directory_symlink(vservers, defaults / "vdirbase");
  fs::remove(configRoot / "web/vdir");
  fs::create_directory_symlink(vservers, configRoot / "web/vdir");
  auto o = options(BuildMethod::Skeleton);
  o.force = true;
  o.rootDir = base / "elsewhere";
  checkLeavesNothing(o, "--force will not replace " + vservers.string() +
                            ", the vdir of guest web: it holds " + vservers.string());
}

TEST(GuestBuild, DebootstrapMustBeInstalled) {
  const fs::path emptyBin = base / "bin";
  fs::create_directories(emptyBin);
  const PathOverride path(emptyBin);
  checkLeavesNothing(options(BuildMethod::Debootstrap, {"-d", "bookworm"}),
                     "debootstrap is not installed (apt-get install debootstrap)");
}

TEST(GuestBuild, DebootstrapArguments) {
  // A stand-in that records its arguments and makes a minimal root.
  writeFile(base / "bin/debootstrap",
            "#!/bin/sh\necho \"$@\" > \"$(dirname \"$0\")/../args\"\nmkdir \"$2/etc\"\n");
  fs::permissions(base / "bin/debootstrap", fs::perms::owner_all);
  const PathOverride path((base / "bin").string() + ":" + getenv("PATH"));
  writeFile(defaults / "apps/debootstrap/mirror", "http://mirror.example/debian\n");

  build("web", options(BuildMethod::Debootstrap, {"-d", "bookworm", "-s", "sid"}));
  STRCMP_EQUAL(
      ("bookworm " + (vservers / "web").string() + " http://mirror.example/debian sid\n").c_str(),
      readFile(base / "args").c_str());
  CHECK(fs::exists(vservers / "web/dev/fd"));

  build("web2", options(BuildMethod::Debootstrap, {"-d", "trixie", "-m", "http://other.example/"}));
  STRCMP_EQUAL(("trixie " + (vservers / "web2").string() + " http://other.example/\n").c_str(),
               readFile(base / "args").c_str());
}

TEST(GuestBuild, DebootstrapFailureLeavesNothing) {
  writeFile(base / "bin/debootstrap", "#!/bin/sh\nmkdir \"$2/etc\"\nexit 1\n");
  fs::permissions(base / "bin/debootstrap", fs::perms::owner_all);
  const PathOverride path((base / "bin").string() + ":" + getenv("PATH"));
  checkLeavesNothing(options(BuildMethod::Debootstrap, {"-d", "bookworm"}),
                     "debootstrap bookworm into");
}

TEST(GuestBuild, DebootstrapScriptNeedsAMirror) {
  writeFile(base / "bin/debootstrap", "#!/bin/sh\nexit 0\n");
  fs::permissions(base / "bin/debootstrap", fs::perms::owner_all);
  const PathOverride path((base / "bin").string() + ":" + getenv("PATH"));
  checkLeavesNothing(options(BuildMethod::Debootstrap, {"-d", "bookworm", "-s", "sid"}),
                     "debootstrap -s SCRIPT needs a mirror");
}

namespace {

class DeviceNodesTest : public Utest {
 public:
  void testBody() override {
    const vs::test::TempDir temp;
    const fs::path& dev = temp.path();
    writeFile(dev / "null", "a template's own\n");
    vs::guest::makeDeviceNodes(dev);
    STRCMP_EQUAL("a template's own\n", readFile(dev / "null").c_str());
    const struct {
      const char* name;
      unsigned major, minor;
    } nodes[] = {{"zero", 1, 5},    {"full", 1, 7}, {"random", 1, 8},
                 {"urandom", 1, 9}, {"tty", 5, 0},  {"ptmx", 5, 2}};
    for (const auto& node : nodes) {
      struct stat st {};
      CHECK_EQUAL(0, lstat((dev / node.name).c_str(), &st));
      CHECK_TEXT(S_ISCHR(st.st_mode), node.name);
      UNSIGNED_LONGS_EQUAL(0666, st.st_mode & 07777);
      UNSIGNED_LONGS_EQUAL(node.major, major(st.st_rdev));
      UNSIGNED_LONGS_EQUAL(node.minor, minor(st.st_rdev));
    }
  }
};

// The nodes of an apps/vdevmap/ rule go into the guest's /dev only for a
// host node under /dev that the guest may open.
class MappedDeviceNodesTest : public Utest {
 public:
  void testBody() override {
    using vs::DeviceRule;
    const vs::test::TempDir temp;
    const fs::path& dev = temp.path();
    writeFile(dev / "null", "a template's own\n");
    const std::vector<vs::guest::DeviceMapEntry> devices = {
        {"/dev/net/tun", {DeviceRule::Type::Char, 10, 200, VSERVER_DEVICE_OPEN}, 0660, 1, 5},
        {"/dev/mapper/vg-root",
         {DeviceRule::Type::Block, 253, 4, VSERVER_DEVICE_ACCESS_ALL},
         0600,
         0,
         6},
        {"/dev/loop7", {DeviceRule::Type::Block, 7, 7, VSERVER_DEVICE_CREATE}, 0660, 0, 6},
        {"/srv/tun", {DeviceRule::Type::Char, 10, 200, VSERVER_DEVICE_OPEN}, 0666, 0, 0},
        {"/dev/null", {DeviceRule::Type::Char, 1, 3, VSERVER_DEVICE_OPEN}, 0666, 0, 0}};
    vs::guest::makeMappedDeviceNodes(dev, devices);
    STRCMP_EQUAL("a template's own\n", readFile(dev / "null").c_str());
    CHECK_FALSE(fs::exists(dev / "loop7"));
    CHECK_FALSE(fs::exists(dev / "srv"));
    struct stat st {};
    CHECK_EQUAL(0, lstat((dev / "net").c_str(), &st));
    CHECK(S_ISDIR(st.st_mode));
    UNSIGNED_LONGS_EQUAL(0755, st.st_mode & 07777);
    CHECK_EQUAL(0, lstat((dev / "net/tun").c_str(), &st));
    CHECK(S_ISCHR(st.st_mode));
    UNSIGNED_LONGS_EQUAL(0660, st.st_mode & 07777);
    CHECK(makedev(10, 200) == st.st_rdev);
    UNSIGNED_LONGS_EQUAL(1, st.st_uid);
    UNSIGNED_LONGS_EQUAL(5, st.st_gid);
    CHECK_EQUAL(0, lstat((dev / "mapper/vg-root").c_str(), &st));
    CHECK(S_ISBLK(st.st_mode));
    CHECK(makedev(253, 4) == st.st_rdev);
    UNSIGNED_LONGS_EQUAL(6, st.st_gid);
  }
};

// mknod needs CAP_MKNOD: these tests run as root and are reported as
// ignored otherwise, never as passed.  The VM suites cover them in a real
// build and start.
template <typename Test>
class RootOnlyShell : public IgnoredUtestShell {
 public:
  RootOnlyShell() {
    if (geteuid() == 0) setRunIgnored();
  }
  Utest* createTest() override { return new Test; }
};

RootOnlyShell<DeviceNodesTest> deviceNodesShell;
TestInstaller deviceNodesInstaller(deviceNodesShell, "GuestBuildAsRoot", "MakesDeviceNodes",
                                   __FILE__, __LINE__);
RootOnlyShell<MappedDeviceNodesTest> mappedDeviceNodesShell;
TestInstaller mappedDeviceNodesInstaller(mappedDeviceNodesShell, "GuestBuildAsRoot",
                                         "CopiesMappedDeviceNodesUnderDev", __FILE__, __LINE__);

}  // namespace

// Issue 9, item 15: a name file giving another guest's name would share
// its lock, cgroup and run file.
TEST(GuestBuild, RefusesANameAnotherGuestHas) {
  writeFile(configRoot / "web2/name", "web\n");
  checkLeavesNothing(options(BuildMethod::Skeleton),
                     "guest name 'web' is already the name of " + (configRoot / "web2").string());
}

TEST(GuestBuild, TheContextIdLockIsFreeAfterTheBuild) {
  build("web", options(BuildMethod::Skeleton));
  // A second build would block here if the lock were still held.
  vs::guest::GuestLock::onFile(vs::guest::contextIdLockFile(locks.path()));
}
