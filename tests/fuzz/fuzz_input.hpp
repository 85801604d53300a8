#pragma once
// The fuzz targets' input as a file: our parsers (and libBigWig) read paths, not buffers. One
// file per process, rewritten for every input and removed at exit.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <string>

#include <unistd.h>

namespace fusednmf::fuzz {

class InputFile {
 public:
  explicit InputFile(const std::string& suffix)
      : path_(std::filesystem::temp_directory_path() /
              ("fusednmf_fuzz_" + std::to_string(::getpid()) + suffix)) {}
  ~InputFile() {
    std::error_code ec;
    std::filesystem::remove(path_, ec);
  }
  InputFile(const InputFile&) = delete;
  InputFile& operator=(const InputFile&) = delete;

  /// Writes the input; returns the path to read it from.
  const std::filesystem::path& write(const std::uint8_t* data, std::size_t size) {
    std::FILE* f = std::fopen(path_.c_str(), "wb");
    if (!f) std::abort();  // the harness itself failed, not the code under test
    if (size > 0 && std::fwrite(data, 1, size, f) != size) std::abort();
    if (std::fclose(f) != 0) std::abort();
    return path_;
  }

 private:
  std::filesystem::path path_;
};

}  // namespace fusednmf::fuzz
