#pragma once
// Output files that appear whole or not at all: data goes to a temporary file beside the target,
// renamed over it only once complete, so a failed run never leaves a half-written file.
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>

namespace fusednmf::io {

/// Throws std::runtime_error unless `target` can be created: not a directory, its directory
/// exists and accepts a new file (checked by creating and removing a probe). Lets programs fail
/// before long work rather than at the end.
inline void ensure_writable_target(const std::filesystem::path& target) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (fs::is_directory(target, ec)) throw std::runtime_error(target.string() + " is a directory");
  const fs::path dir = target.has_parent_path() ? target.parent_path() : fs::path(".");
  if (!fs::is_directory(dir, ec)) throw std::runtime_error("directory " + dir.string() + " does not exist");
  const fs::path probe = dir / (".fusednmf-probe-" + std::to_string(reinterpret_cast<std::uintptr_t>(&target)));
  std::ofstream test(probe);
  if (!test) throw std::runtime_error("directory " + dir.string() + " is not writable");
  test.close();
  fs::remove(probe, ec);
}

/// A temporary file beside `target`; commit() renames it over target, the destructor removes it
/// if commit() was never reached.
class AtomicFile {
 public:
  explicit AtomicFile(const std::filesystem::path& target) : target_(target) {
    ensure_writable_target(target_);
    temp_ = target_;
    temp_ += ".tmp-" + std::to_string(reinterpret_cast<std::uintptr_t>(this));
    out_.open(temp_, std::ios::binary | std::ios::trunc);
    if (!out_)
      throw std::runtime_error("cannot write " + target_.string() + ": " + std::strerror(errno));
  }
  AtomicFile(const AtomicFile&) = delete;
  AtomicFile& operator=(const AtomicFile&) = delete;
  ~AtomicFile() {
    if (!committed_) {
      out_.close();
      std::error_code ec;
      std::filesystem::remove(temp_, ec);
    }
  }
  std::ofstream& stream() { return out_; }
  void commit() {
    out_.flush();
    out_.close();
    if (!out_) throw std::runtime_error("writing " + target_.string() + " failed (disk full?)");
    std::error_code ec;
    std::filesystem::rename(temp_, target_, ec);
    if (ec) throw std::runtime_error("cannot rename into " + target_.string() + ": " + ec.message());
    committed_ = true;
  }

 private:
  std::filesystem::path target_, temp_;
  std::ofstream out_;
  bool committed_ = false;
};

}  // namespace fusednmf::io
