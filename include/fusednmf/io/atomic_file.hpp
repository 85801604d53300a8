#pragma once
// Output files that appear whole or not at all: data goes to a temporary file beside the target,
// flushed to disk and renamed over it only once complete, so a failed or killed run never leaves
// a half-written file at the target's name.
//
// Temporary names are unique (mkstemp), so two runs writing the same target never share one,
// and every live temporary is listed where a signal handler can reach it:
// remove_temporaries_on_signal() makes SIGINT, SIGTERM and SIGHUP remove them before the
// program ends. (SIGKILL cannot be caught; its leftovers are `TARGET.tmp-XXXXXX` files.)
// While a set of files is being renamed into place (SignalDeferral, io/output_set.hpp) such a
// signal waits until the last rename, so that it never leaves half the set new and half old.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace fusednmf::detail {

/// The live temporary files, in fixed slots a signal handler may read: a slot holds a path while
/// its `used` flag is set.
struct TemporaryRegistry {
  static constexpr std::size_t kSlots = 64, kPathBytes = 4096;
  std::array<std::atomic<bool>, kSlots> used{};
  std::array<std::array<char, kPathBytes>, kSlots> paths{};
  /// kIdle; kRenaming while a set is renamed into place (the handler then only records its
  /// signal, raised again once the set is in place); kEnding once a handler is ending the program.
  enum State : int { kIdle, kRenaming, kEnding };
  std::atomic<int> state{kIdle};
  std::atomic<int> deferred_signal{0};

  static TemporaryRegistry& instance() {
    static TemporaryRegistry registry;
    return registry;
  }
  /// The slot now holding `path`, or -1 when all are taken or the path is too long (the file is
  /// then only removed by its owner).
  int add(const std::string& path) {
    if (path.size() >= kPathBytes) return -1;
    for (std::size_t s = 0; s < kSlots; ++s) {
      bool expected = false;
      if (used[s].load() || !used[s].compare_exchange_strong(expected, true)) continue;
      std::memcpy(paths[s].data(), path.c_str(), path.size() + 1);
      return int(s);
    }
    return -1;
  }
  void remove(int slot) {
    if (slot >= 0) used[std::size_t(slot)].store(false);
  }
  /// Async-signal-safe: unlink() only.
  void unlink_all() {
    for (std::size_t s = 0; s < kSlots; ++s)
      if (used[s].load()) ::unlink(paths[s].data());
  }
};

extern "C" inline void remove_temporaries_and_reraise(int signal_number) {
  TemporaryRegistry& registry = TemporaryRegistry::instance();
  int state = TemporaryRegistry::kIdle;
  if (!registry.state.compare_exchange_strong(state, TemporaryRegistry::kEnding) && state == TemporaryRegistry::kRenaming) {
    registry.deferred_signal.store(signal_number);  // SignalDeferral raises it once the set is in place
    return;
  }
  registry.unlink_all();
  std::signal(signal_number, SIG_DFL);
  std::raise(signal_number);
}

/// For its lifetime, a SIGINT, SIGTERM or SIGHUP caught by remove_temporaries_on_signal()'s
/// handler is held back and raised when the object is destroyed: a program renaming several
/// files into place finishes all the renames first. (Signals only; SIGKILL still ends it at once.)
class SignalDeferral {
 public:
  SignalDeferral() {
    TemporaryRegistry& registry = TemporaryRegistry::instance();
    for (;;) {
      int state = TemporaryRegistry::kIdle;
      if (registry.state.compare_exchange_weak(state, TemporaryRegistry::kRenaming)) return;
      if (state == TemporaryRegistry::kEnding)  // a handler is removing the temporaries and ending
        for (;;) ::pause();                     // the program: rename nothing, wait for the end
      std::this_thread::yield();                // another set is being renamed: take turns
    }
  }
  SignalDeferral(const SignalDeferral&) = delete;
  SignalDeferral& operator=(const SignalDeferral&) = delete;
  ~SignalDeferral() {
    TemporaryRegistry& registry = TemporaryRegistry::instance();
    registry.state.store(TemporaryRegistry::kIdle);
    if (const int signal_number = registry.deferred_signal.exchange(0)) std::raise(signal_number);
  }
};

}  // namespace fusednmf::detail

namespace fusednmf::io {

/// Installs handlers for SIGINT, SIGTERM and SIGHUP that remove every live temporary file, then
/// end the program as the signal would have. For programs; a library never installs handlers.
inline void remove_temporaries_on_signal() {
  for (int s : {SIGINT, SIGTERM, SIGHUP}) std::signal(s, fusednmf::detail::remove_temporaries_and_reraise);
}

/// A new, empty, uniquely named file `TARGET.tmp-XXXXXX` beside `target` (mkstemp), with the
/// permissions a new file gets under the umask, listed for removal on a signal until released.
class TemporaryFile {
 public:
  explicit TemporaryFile(const std::filesystem::path& target) : target_(target) {
    std::string name = target.string() + ".tmp-XXXXXX";
    std::vector<char> buffer(name.begin(), name.end());
    buffer.push_back('\0');
    fd_ = ::mkstemp(buffer.data());
    if (fd_ < 0) throw std::runtime_error("cannot create a file beside " + target.string() + ": " + std::strerror(errno));
    path_ = buffer.data();
    slot_ = fusednmf::detail::TemporaryRegistry::instance().add(path_.string());
    const mode_t mask = ::umask(0);  // read it back: mkstemp made the file 0600
    ::umask(mask);
    ::fchmod(fd_, 0666 & ~mask);
  }
  TemporaryFile(const TemporaryFile&) = delete;
  TemporaryFile& operator=(const TemporaryFile&) = delete;
  ~TemporaryFile() {
    if (fd_ >= 0) ::close(fd_);
    if (!kept_) {
      std::error_code ec;
      std::filesystem::remove(path_, ec);
    }
    fusednmf::detail::TemporaryRegistry::instance().remove(slot_);
  }
  const std::filesystem::path& path() const { return path_; }
  /// The name the file will have once committed.
  const std::filesystem::path& target() const { return target_; }
  /// Writes `bytes` at `offset` (pwrite, resumed after partial writes and signals), from any
  /// thread; throws naming the target on failure (a full disk).
  void write_at(const void* data, std::size_t bytes, std::uint64_t offset) const {
    const char* from = static_cast<const char*>(data);
    while (bytes > 0) {
      const ssize_t done = ::pwrite(fd_, from, bytes, static_cast<off_t>(offset));
      if (done < 0 && errno == EINTR) continue;
      if (done <= 0)
        throw std::runtime_error("writing " + target_.string() + " failed (disk full?): " + std::strerror(done < 0 ? errno : ENOSPC));
      from += done, bytes -= std::size_t(done), offset += std::uint64_t(done);
    }
  }
  /// Sets the file's length (ftruncate). Bytes never written read as zeros, and whole blocks of
  /// them take no disk on file systems with holes (ext4, XFS, btrfs, tmpfs).
  void resize(std::uint64_t bytes) const {
    if (::ftruncate(fd_, static_cast<off_t>(bytes)) != 0)
      throw std::runtime_error("writing " + target_.string() + " failed (disk full?): " + std::strerror(errno));
  }
  /// Starts the disk on what the file holds so far, without waiting for it (Linux:
  /// sync_file_range; elsewhere nothing). Called now and then while a large file is written, it
  /// lets the disk work while the rest is written, so that commit()'s fsync finds little left.
  void start_writeback() const {
#ifdef __linux__
    if (fd_ >= 0) ::sync_file_range(fd_, 0, 0, SYNC_FILE_RANGE_WRITE);  // a hint: failure changes nothing
#endif
  }
  /// Flushes what was written through any descriptor to disk, then renames the file over its
  /// target; throws naming the target on failure (the temporary is then removed).
  void commit() {
    flush_to_disk();
    rename_over();
  }
  /// commit()'s first half: fsync and close. Throws naming the target on failure.
  void flush_to_disk() {
    if (fd_ < 0) return;
    if (::fsync(fd_) != 0) throw std::runtime_error("writing " + target_.string() + " failed: " + std::strerror(errno));
    ::close(fd_);
    fd_ = -1;
  }
  /// commit()'s second half: the rename over target, after which the file is no temporary.
  void rename_over() {
    std::error_code ec;
    std::filesystem::rename(path_, target_, ec);
    if (ec) throw std::runtime_error("cannot rename into " + target_.string() + ": " + ec.message());
    kept_ = true;
    fusednmf::detail::TemporaryRegistry::instance().remove(slot_);  // a signal must not unlink its old name
    slot_ = -1;
  }

 private:
  std::filesystem::path target_, path_;
  int fd_ = -1;
  int slot_ = -1;
  bool kept_ = false;
};

/// Throws std::runtime_error unless `target` can be created or replaced: not a directory nor any
/// other file that is not a regular file (a device, a FIFO: renaming over /dev/null would replace
/// the device), its directory exists and accepts a new file (checked by creating and removing a
/// probe). Lets programs fail before long work rather than at the end.
inline void ensure_writable_target(const std::filesystem::path& target) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (fs::is_directory(target, ec)) throw std::runtime_error(target.string() + " is a directory");
  if (fs::exists(target, ec) && !fs::is_regular_file(target, ec))
    throw std::runtime_error(target.string() + " exists and is not a regular file (a device or a pipe?)");
  const fs::path dir = target.has_parent_path() ? target.parent_path() : fs::path(".");
  if (!fs::is_directory(dir, ec)) throw std::runtime_error("directory " + dir.string() + " does not exist");
  try {
    TemporaryFile probe(dir / ".fusednmf-probe");
  } catch (const std::exception&) {
    throw std::runtime_error("directory " + dir.string() + " is not writable");
  }
}

/// A temporary file beside `target` written through stream(); commit() flushes it to disk and
/// renames it over target, the destructor removes it if commit() was never reached.
class AtomicFile {
 public:
  explicit AtomicFile(const std::filesystem::path& target) : target_(checked(target)), temp_(target) {
    out_.open(temp_.path(), std::ios::binary | std::ios::trunc);
    if (!out_) throw std::runtime_error("cannot write " + target_.string() + ": " + std::strerror(errno));
  }
  std::ofstream& stream() { return out_; }
  /// Hands what stream() holds so far to the disk, without waiting (TemporaryFile::start_writeback).
  void start_writeback() {
    out_.flush();
    temp_.start_writeback();
  }
  void commit() {
    out_.flush();
    out_.close();
    if (!out_) throw std::runtime_error("writing " + target_.string() + " failed (disk full?)");
    temp_.commit();
  }

 private:
  static const std::filesystem::path& checked(const std::filesystem::path& target) {
    ensure_writable_target(target);
    return target;
  }

  std::filesystem::path target_;
  TemporaryFile temp_;
  std::ofstream out_;
};

}  // namespace fusednmf::io
