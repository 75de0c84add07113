#include "open_in_root.h"

#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <fstream>
#include <string>

#include "test_helpers.h"

namespace fs = std::filesystem;

namespace {

// A guest-like tree: root/etc/hostname, and a host file outside it.
struct Tree {
  vs::test::TempDir temp;
  fs::path top = temp.path();
  Tree() {
    fs::create_directories(top / "root/etc");
    std::ofstream(top / "root/etc/hostname") << "guest\n";
    std::ofstream(top / "host-secret") << "host\n";
  }

  vs::UniqueFd root() const { return vs::UniqueFd(open((top / "root").c_str(), O_PATH)); }
};

std::string contents(int fd) {
  char buffer[64] = {};
  const ssize_t n = read(fd, buffer, sizeof(buffer) - 1);
  return n > 0 ? std::string(buffer, static_cast<size_t>(n)) : "";
}

}  // namespace

TEST_GROUP(OpenInRoot){};

TEST(OpenInRoot, OpensAPathInsideTheTree) {
  const Tree tree;
  const vs::UniqueFd file = vs::openInRoot(tree.root().get(), "etc/hostname", O_RDONLY);
  CHECK_TRUE(file);
  STRCMP_EQUAL("guest\n", contents(file.get()).c_str());
}

TEST(OpenInRoot, AbsoluteSymlinksResolveInsideTheTree) {
  const Tree tree;
  fs::create_symlink(tree.top / "host-secret", tree.top / "root/etc/link");
  fs::create_symlink("/etc/hostname", tree.top / "root/escape");
  CHECK_FALSE(vs::openInRoot(tree.root().get(), "etc/link", O_RDONLY));
  LONGS_EQUAL(ENOENT, errno);
  const vs::UniqueFd file = vs::openInRoot(tree.root().get(), "escape", O_RDONLY);
  STRCMP_EQUAL("guest\n", contents(file.get()).c_str());
}

TEST(OpenInRoot, DotDotStopsAtTheTreesRoot) {
  const Tree tree;
  CHECK_FALSE(vs::openInRoot(tree.root().get(), "../host-secret", O_RDONLY));
  const vs::UniqueFd file = vs::openInRoot(tree.root().get(), "../../etc/hostname", O_RDONLY);
  STRCMP_EQUAL("guest\n", contents(file.get()).c_str());
}
