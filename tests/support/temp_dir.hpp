#pragma once
// A scratch folder of one test process, removed with everything in it at the end of the scope.
// The process id in its name keeps tests that run side by side (ctest -j) apart.
#include <unistd.h>

#include <filesystem>
#include <string>

namespace fusednmf::testing {

struct TempDir {
  std::filesystem::path path;
  explicit TempDir(const std::string& name)
      : path(std::filesystem::temp_directory_path() / ("fusednmf_test_" + name + "_" + std::to_string(::getpid()))) {
    std::filesystem::remove_all(path);
    std::filesystem::create_directories(path);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
  }
};

}  // namespace fusednmf::testing
