// One step of a relay: guest code that stops reading its input must not
// hold the relay (vserver enter and exec), nor may its output reach a
// terminal as escape sequences.
#include "relay_copy.h"

#include <fcntl.h>
#include <unistd.h>

#include <string>

#include "test_helpers.h"
#include "text.h"
#include "unique_fd.h"

namespace {

struct Pipe {
  vs::UniqueFd read, write;
  Pipe() {
    int ends[2];
    if (pipe2(ends, O_CLOEXEC) != 0) FAIL("pipe2");
    read.reset(ends[0]);
    write.reset(ends[1]);
  }
};

void writeAll(int fd, const std::string& text) {
  LONGS_EQUAL(static_cast<long>(text.size()), write(fd, text.data(), text.size()));
}

std::string readSome(int fd) {
  char buffer[256];
  const ssize_t n = read(fd, buffer, sizeof(buffer));
  return n > 0 ? std::string(buffer, static_cast<size_t>(n)) : std::string();
}

}  // namespace

TEST_GROUP(RelayCopy){};

TEST(RelayCopy, CopiesWhatIsThere) {
  Pipe from, to;
  writeAll(from.write.get(), "typed");
  LONGS_EQUAL(5, vs::copyAvailable(from.read.get(), to.write.get()));
  STRCMP_EQUAL("typed", readSome(to.read.get()).c_str());
}

// A guest that reads no more of its input: the pipe to it is full, and
// the copy returns rather than wait for a reader that never comes.
TEST(RelayCopy, DropsWhatAFullNonBlockingEndCannotTake) {
  Pipe from, toGuest;
  vs::setNonBlocking(toGuest.write.get());
  const std::string block(4096, 'x');
  while (write(toGuest.write.get(), block.data(), block.size()) > 0) {
  }
  LONGS_EQUAL(EAGAIN, errno);
  writeAll(from.write.get(), "pasted");
  LONGS_EQUAL(6, vs::copyAvailable(from.read.get(), toGuest.write.get()));
}

TEST(RelayCopy, EndsWhenTheSourceEnds) {
  Pipe from, to;
  from.write.reset();
  LONGS_EQUAL(-1, vs::copyAvailable(from.read.get(), to.write.get()));
}

TEST(RelayCopy, PassesOutputThroughTerminalText) {
  Pipe from, to;
  vs::TerminalText terminal;
  writeAll(from.write.get(), "a\033[2Jb");
  LONGS_EQUAL(6, vs::copyAvailable(from.read.get(), to.write.get(), &terminal));
  STRCMP_EQUAL("a\\x1b[2Jb", readSome(to.read.get()).c_str());
}
