#pragma once
// A program's outputs as one set: every file is written under a temporary name and all are
// renamed into place together at the end, so a run that fails (a full disk while writing the
// last file, a bad flag found late) leaves the previous set, or nothing, at the final names,
// never a mix. A lock beside the first output makes two runs that write the same set take
// turns putting it into place, and a free-space check turns "disk full" at the end of a long run into an error at its start.
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <memory>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "atomic_file.hpp"

namespace fusednmf::io {

/// Staged outputs: stage(target) gives the path to write target's content to; commit() renames
/// every staged file over its target; the destructor removes whatever was not committed.
class OutputSet {
 public:
  /// A new temporary file beside `target` (checked writable first) to write target's content to,
  /// by any writer, atomic or not.
  std::filesystem::path stage(const std::filesystem::path& target) { return stage_file(target).path(); }
  /// The same, as the open file, for writers that write through it (TemporaryFile::write_at)
  /// rather than open a path.
  const TemporaryFile& stage_file(const std::filesystem::path& target) {
    ensure_writable_target(target);
    staged_.push_back(std::make_unique<TemporaryFile>(target));
    return *staged_.back();
  }
  /// Flushes every staged file to disk, then renames each over its target, in the order staged.
  /// The renames run with signals deferred (detail::SignalDeferral): a SIGTERM arriving among
  /// them ends the program after the last, so the final names hold the whole new set or, when
  /// it arrives before, the previous one; never a mix.
  void commit() {
    for (auto& temp : staged_) temp->flush_to_disk();
    // The previous files keep a second name until the whole new set is in place: a rename over a
    // file's last name waits while the file system frees its blocks (0.2-0.4 s for 600 MB on a
    // disk mounted with `discard`), which would widen the moment in which a SIGKILL, which no
    // deferral stops, leaves half the set new. Their blocks are freed after the last rename.
    std::vector<std::unique_ptr<PreviousFile>> previous;
    for (auto& temp : staged_) previous.push_back(PreviousFile::keep(temp->target()));
    {
      const fusednmf::detail::SignalDeferral deferral;
      for (auto& temp : staged_) temp->rename_over();
    }
    previous.clear();
    staged_.clear();
  }

 private:
  /// A second name, `TARGET.tmp-XXXXXX`, for the file at a target (a hard link), listed for
  /// removal on a signal like a temporary; removed with the object.
  class PreviousFile {
   public:
    /// nullptr when there is no regular file at target, or it cannot be linked (another file
    /// system's rules): the rename then simply frees it.
    static std::unique_ptr<PreviousFile> keep(const std::filesystem::path& target) {
      std::error_code ec;
      if (!std::filesystem::is_regular_file(target, ec)) return nullptr;
      for (int attempt = 0; attempt < 8; ++attempt) {
        std::string name = target.string() + ".tmp-XXXXXX";
        const int fd = ::mkstemp(name.data());  // a unique name, freed for the link
        if (fd < 0) return nullptr;
        ::close(fd);
        ::unlink(name.c_str());
        if (::link(target.c_str(), name.c_str()) == 0) return std::unique_ptr<PreviousFile>(new PreviousFile(name));
        if (errno != EEXIST) return nullptr;
      }
      return nullptr;
    }
    PreviousFile(const PreviousFile&) = delete;
    PreviousFile& operator=(const PreviousFile&) = delete;
    ~PreviousFile() {
      ::unlink(path_.c_str());
      fusednmf::detail::TemporaryRegistry::instance().remove(slot_);
    }

   private:
    explicit PreviousFile(std::string path)
        : path_(std::move(path)), slot_(fusednmf::detail::TemporaryRegistry::instance().add(path_)) {}
    std::string path_;
    int slot_ = -1;
  };

  std::vector<std::unique_ptr<TemporaryFile>> staged_;
};

/// An exclusive lock on `TARGET.lock` for the life of the object. A program holds it while it
/// puts an output set into place, so that two runs writing the same target take turns: each set
/// at the final names is one run's, whole. The lock file is removed on release; a run that locked
/// a file just removed by the previous holder notices (its inode is gone) and locks the new one.
class OutputLock {
 public:
  explicit OutputLock(const std::filesystem::path& target) : path_(target.string() + ".lock") {
    for (;;) {
      fd_ = ::open(path_.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0666);
      if (fd_ < 0) throw std::runtime_error("cannot create the lock " + path_.string() + ": " + std::strerror(errno));
      while (::flock(fd_, LOCK_EX) != 0)
        if (errno != EINTR) {
          ::close(fd_);
          throw std::runtime_error("cannot lock " + path_.string() + ": " + std::strerror(errno));
        }
      struct stat held {}, named {};
      if (::fstat(fd_, &held) == 0 && ::stat(path_.c_str(), &named) == 0 && held.st_ino == named.st_ino &&
          held.st_dev == named.st_dev)
        return;
      ::close(fd_);  // the previous holder removed this file: lock the one now at the name
    }
  }
  OutputLock(const OutputLock&) = delete;
  OutputLock& operator=(const OutputLock&) = delete;
  ~OutputLock() {
    std::error_code ec;
    std::filesystem::remove(path_, ec);  // while still held: see the constructor
    ::close(fd_);
  }

 private:
  std::filesystem::path path_;
  int fd_ = -1;
};

/// Throws std::runtime_error when `bytes` of output (what: a description) would not fit in the
/// free space of `target`'s file system, leaving 1% of it spare.
inline void check_free_space(const std::filesystem::path& target, double bytes, const std::string& what) {
  const std::filesystem::path dir = target.has_parent_path() ? target.parent_path() : std::filesystem::path(".");
  struct statvfs fs {};
  if (::statvfs(dir.c_str(), &fs) != 0) return;  // unknown: the writes are still checked
  const double free_bytes = double(fs.f_bavail) * double(fs.f_frsize);
  const double spare = 0.01 * double(fs.f_blocks) * double(fs.f_frsize);
  if (bytes + spare > free_bytes) {
    auto gb = [](double b) {
      char text[32];
      std::snprintf(text, sizeof text, "%.3g GB", b / 1e9);
      return std::string(text);
    };
    throw std::runtime_error(what + " need " + gb(bytes) + " but " + dir.string() + " has " + gb(free_bytes) + " free");
  }
}

}  // namespace fusednmf::io
