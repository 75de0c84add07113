// removeTree walks by directory descriptors (issue 9, item 16).
#include "remove_tree.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <fstream>

#include "test_helpers.h"
#include "unique_fd.h"

namespace fs = std::filesystem;

TEST_GROUP(RemoveTree) {
  vs::test::TempDir temp;
};

TEST(RemoveTree, RemovesFilesDirectoriesAndLinks) {
  const fs::path tree = temp.path() / "tree";
  fs::create_directories(tree / "a/b/c");
  std::ofstream(tree / "a/b/c/file") << "x";
  std::ofstream(tree / "top") << "y";
  fs::create_symlink("/nonexistent", tree / "a/dangling");
  vs::removeTree(tree);
  CHECK_FALSE(fs::exists(fs::symlink_status(tree)));
}

// A link to outside the tree is removed, never followed.
TEST(RemoveTree, NeverFollowsALinkOutOfTheTree) {
  const fs::path outside = temp.path() / "host";
  fs::create_directories(outside);
  std::ofstream(outside / "keep") << "host file";
  const fs::path tree = temp.path() / "guest";
  fs::create_directories(tree / "etc");
  fs::create_directory_symlink(outside, tree / "etc/swapped");
  fs::create_directory_symlink(outside, tree / "swapped");
  vs::removeTree(tree);
  CHECK_FALSE(fs::exists(tree));
  CHECK(fs::exists(outside / "keep"));
}

// The path itself a link: the link goes, not what it names.
TEST(RemoveTree, ALinkGivenIsRemovedItself) {
  const fs::path target = temp.path() / "target";
  fs::create_directories(target / "sub");
  fs::create_directory_symlink(target, temp.path() / "link");
  vs::removeTree(temp.path() / "link");
  CHECK_FALSE(fs::exists(fs::symlink_status(temp.path() / "link")));
  CHECK(fs::exists(target / "sub"));
}

TEST(RemoveTree, AMissingPathIsFine) { vs::removeTree(temp.path() / "nosuch"); }

TEST(RemoveTree, ATrailingSlashNamesTheDirectory) {
  fs::create_directories(temp.path() / "dir/sub");
  vs::removeTree((temp.path() / "dir").string() + "/");
  CHECK_FALSE(fs::exists(temp.path() / "dir"));
}

// A guest can make a tree deeper than PATH_MAX: nftw could not remove it.
TEST(RemoveTree, RemovesATreeDeeperThanPathMax) {
  const fs::path tree = temp.path() / "deep";
  fs::create_directories(tree);
  const std::string name(200, 'd');
  {
    vs::UniqueFd dir(open(tree.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    for (int depth = 0; depth < 40; ++depth) {  // 40 * 201 > PATH_MAX (4096)
      CHECK_EQUAL(0, mkdirat(dir.get(), name.c_str(), 0755));
      dir = vs::UniqueFd(openat(dir.get(), name.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
      CHECK(static_cast<bool>(dir));
    }
    vs::UniqueFd file(openat(dir.get(), "bottom", O_WRONLY | O_CREAT | O_CLOEXEC, 0644));
    CHECK(static_cast<bool>(file));
  }
  vs::removeTree(tree);
  CHECK_FALSE(fs::exists(tree));
}

TEST(RemoveTree, RefusesANameThatIsNoEntry) {
  LONGS_EQUAL(EINVAL, vs::test::expectError([&] { vs::removeTree(temp.path() / ".."); }).errnum());
}
