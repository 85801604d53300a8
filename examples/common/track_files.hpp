#pragma once
// Finding the bigWig files of a directory, in a reproducible order.
#include <algorithm>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

namespace fusednmf::examples {

inline bool has_bigwig_extension(const std::filesystem::path& p) {
  const std::string ext = p.extension().string();
  return ext == ".bw" || ext == ".bigWig" || ext == ".bigwig";
}

/// The *.bw, *.bigWig and *.bigwig files directly in `dir`, sorted by file name.
inline std::vector<std::filesystem::path> list_bigwig_files(const std::filesystem::path& dir) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (!fs::exists(dir, ec)) throw std::runtime_error("bigWig directory " + dir.string() + " does not exist");
  if (!fs::is_directory(dir, ec)) throw std::runtime_error(dir.string() + " is not a directory");
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(dir, ec))
    if (has_bigwig_extension(entry.path()) && !fs::is_directory(entry.path(), ec)) files.push_back(entry.path());
  if (ec) throw std::runtime_error("cannot list " + dir.string() + ": " + ec.message());
  if (files.empty())
    throw std::runtime_error("no bigWig files (*.bw, *.bigWig, *.bigwig) in " + dir.string());
  std::sort(files.begin(), files.end(),
            [](const fs::path& a, const fs::path& b) { return a.filename().string() < b.filename().string(); });
  return files;
}

}  // namespace fusednmf::examples
