// Sets of outputs that appear together or not at all, writers that take turns, and the free
// space checked before writing (io/output_set.hpp).
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#include <catch2/catch.hpp>

#include <fusednmf/io/output_set.hpp>

#include "support/temp_dir.hpp"

namespace fs = std::filesystem;
using namespace fusednmf;

namespace {

std::size_t files_in(const fs::path& dir) {
  return std::size_t(std::distance(fs::directory_iterator(dir), fs::directory_iterator{}));
}

}  // namespace

TEST_CASE("an output set appears whole at commit, or not at all", "[atomic][set]") {
  const testing::TempDir scratch("output_set");
  const fs::path& dir = scratch.path;
  {
    io::OutputSet set;
    std::ofstream(set.stage(dir / "a.txt")) << "a";
    std::ofstream(set.stage(dir / "b.txt")) << "b";
    CHECK_FALSE(fs::exists(dir / "a.txt"));
  }  // abandoned: nothing at the targets, no temporaries
  CHECK(files_in(dir) == 0);
  io::OutputSet set;
  std::ofstream(set.stage(dir / "a.txt")) << "a";
  std::ofstream(set.stage(dir / "b.txt")) << "b";
  set.commit();
  CHECK(fs::exists(dir / "a.txt"));
  CHECK(fs::exists(dir / "b.txt"));
  CHECK(files_in(dir) == 2);
  CHECK_THROWS_WITH(set.stage("/dev/null"), Catch::Matchers::Contains("not a regular file"));
}

TEST_CASE("an output lock makes writers take turns, and free space is checked before writing", "[atomic][set]") {
  const testing::TempDir scratch("output_lock");
  const fs::path& dir = scratch.path;
  const fs::path held = dir / "first-holds-it", released = dir / "first-let-go";
  // The first writer is a child process (a lock taken before fork() would be shared with it).
  const pid_t child = ::fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    {
      io::OutputLock first(dir / "w.npy");
      std::ofstream(held) << "x";
      ::usleep(300000);
      std::ofstream(released) << "x";  // its last act while holding the lock
    }
    ::_exit(0);
  }
  while (!fs::exists(held)) ::usleep(10000);
  {
    io::OutputLock second(dir / "w.npy");  // waits for the first
    CHECK(fs::exists(released));
    CHECK(fs::exists(dir / "w.npy.lock"));
  }
  int status = 0;
  REQUIRE(::waitpid(child, &status, 0) == child);
  CHECK(WIFEXITED(status));
  CHECK_FALSE(fs::exists(dir / "w.npy.lock"));  // removed by the last holder
  CHECK_NOTHROW(io::OutputLock(dir / "w.npy"));
  CHECK_NOTHROW(io::check_free_space(dir / "w.npy", 1000.0, "W"));
  CHECK_THROWS_WITH(io::check_free_space(dir / "w.npy", 1e20, "the W files"),
                    Catch::Matchers::Contains("the W files need 1e+11 GB"));
}

TEST_CASE("replacing a set leaves only the new files, each with one name", "[atomic][set]") {
  // commit() keeps a second name for each previous file until the new set is in place (so the
  // renames do not wait for the old blocks to be freed); none may outlive it.
  const testing::TempDir scratch("output_set_replace");
  const fs::path& dir = scratch.path;
  std::ofstream(dir / "a.txt") << "old a";
  std::ofstream(dir / "b.txt") << "old b";
  io::OutputSet set;
  std::ofstream(set.stage(dir / "a.txt")) << "new a";
  std::ofstream(set.stage(dir / "b.txt")) << "new b";
  std::ofstream(set.stage(dir / "c.txt")) << "new c";  // no previous file
  set.commit();
  CHECK(files_in(dir) == 3);
  for (const char* name : {"a.txt", "b.txt", "c.txt"}) {
    std::ifstream in(dir / name);
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    CHECK(text == std::string("new ") + name[0]);
    CHECK(fs::hard_link_count(dir / name) == 1);
  }
}

TEST_CASE("SIGTERM among a set's renames ends the program after the last one", "[atomic][set][signal]") {
  // A signal that arrives while the set is renamed into place is held back (SignalDeferral) and
  // raised once every file is in place: the final names never hold half a set.
  const testing::TempDir scratch("output_set_signal");
  const fs::path& dir = scratch.path;
  const pid_t child = ::fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    io::remove_temporaries_on_signal();
    io::OutputSet set;
    std::ofstream(set.stage(dir / "a.txt")) << "a";
    {
      const fusednmf::detail::SignalDeferral deferral;
      std::raise(SIGTERM);                         // held back: the program goes on
      std::ofstream(dir / "still-running") << "";  // so this is written
    }                                              // and the signal ends it here
    ::_exit(0);
  }
  int status = 0;
  REQUIRE(::waitpid(child, &status, 0) == child);
  CHECK(WIFSIGNALED(status));
  CHECK(WTERMSIG(status) == SIGTERM);
  CHECK(fs::exists(dir / "still-running"));
  CHECK_FALSE(fs::exists(dir / "a.txt"));  // never committed, and its temporary removed
  CHECK(files_in(dir) == 1);
}
