#pragma once
// The example programs' early check of an output path, before any long work: the message
// names the flag that gave the path.
#include <filesystem>
#include <stdexcept>
#include <string>

#include <fusednmf/io/atomic_file.hpp>

namespace fusednmf::examples {

/// Throws std::runtime_error "FLAG: why" unless `path` can be written; an empty path (the
/// output was not asked for) passes.
inline void check_output_path(const std::string& flag, const std::filesystem::path& path) {
  if (path.empty()) return;
  try {
    io::ensure_writable_target(path);
  } catch (const std::exception& e) {
    throw std::runtime_error(flag + ": " + e.what());
  }
}

}  // namespace fusednmf::examples
