// Output files appear whole or not at all: unique temporary names, no output over a device or a
// pipe, nothing left behind by a failure or by SIGTERM.
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <string>

#include <catch2/catch.hpp>

#include <fusednmf/io/atomic_file.hpp>

namespace fs = std::filesystem;
using namespace fusednmf;

namespace {

fs::path fresh_dir(const std::string& name) {
  const fs::path dir = fs::temp_directory_path() / ("fusednmf-test-atomic-" + name + "-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

std::size_t files_in(const fs::path& dir) {
  return std::size_t(std::distance(fs::directory_iterator(dir), fs::directory_iterator{}));
}

}  // namespace

TEST_CASE("an atomic file appears at commit, with the umask's permissions, and not before", "[atomic]") {
  const fs::path dir = fresh_dir("commit");
  const fs::path target = dir / "out.txt";
  {
    io::AtomicFile file(target);
    file.stream() << "hello";
    CHECK_FALSE(fs::exists(target));
    CHECK(files_in(dir) == 1);  // the temporary only
    file.commit();
  }
  std::ifstream in(target);
  std::string text;
  in >> text;
  CHECK(text == "hello");
  CHECK(files_in(dir) == 1);
  const mode_t mask = ::umask(0);
  ::umask(mask);
  struct stat st {};
  REQUIRE(::stat(target.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == (0666 & ~mask));
  {
    io::AtomicFile abandoned(target);  // never committed: the old file stays, the temporary goes
    abandoned.stream() << "other";
  }
  std::ifstream again(target);
  again >> text;
  CHECK(text == "hello");
  CHECK(files_in(dir) == 1);
  fs::remove_all(dir);
}

TEST_CASE("two writers of one target get distinct temporary files", "[atomic]") {
  const fs::path dir = fresh_dir("distinct");
  io::TemporaryFile a(dir / "w.npy"), b(dir / "w.npy");
  CHECK(a.path() != b.path());
  CHECK(fs::exists(a.path()));
  CHECK(fs::exists(b.path()));
  CHECK(a.path().filename().string().rfind("w.npy.tmp-", 0) == 0);
  fs::remove_all(dir);
}

TEST_CASE("a target that is a directory, a pipe or a device is refused", "[atomic]") {
  const fs::path dir = fresh_dir("special");
  const fs::path fifo = dir / "pipe.npy";
  REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
  CHECK_THROWS_WITH(io::AtomicFile(fifo), Catch::Matchers::Contains("not a regular file"));
  CHECK_THROWS_WITH(io::AtomicFile("/dev/null"), Catch::Matchers::Contains("not a regular file"));
  CHECK_THROWS_WITH(io::AtomicFile(dir), Catch::Matchers::Contains("is a directory"));
  CHECK_THROWS_WITH(io::AtomicFile(dir / "missing" / "x.npy"), Catch::Matchers::Contains("does not exist"));
  CHECK(files_in(dir) == 1);  // the pipe alone: no probe or temporary left
  fs::remove_all(dir);
}

TEST_CASE("SIGTERM removes the live temporary files before the program ends", "[atomic]") {
  const fs::path dir = fresh_dir("signal");
  const pid_t child = ::fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    io::remove_temporaries_on_signal();
    io::AtomicFile a(dir / "w.npy");
    io::TemporaryFile b(dir / "factor1.bw");
    a.stream() << "partial" << std::flush;
    std::raise(SIGTERM);
    ::_exit(0);  // not reached: SIGTERM ends the process
  }
  int status = 0;
  REQUIRE(::waitpid(child, &status, 0) == child);
  CHECK(WIFSIGNALED(status));
  CHECK(WTERMSIG(status) == SIGTERM);
  CHECK(files_in(dir) == 0);
  fs::remove_all(dir);
}
