#pragma once
// Seeds for the statistical recovery tests (planted modules, planted rank), which fit dozens of
// models per seed. The Release build runs every seed: that is where the statistical claim is
// checked. Under AddressSanitizer (GCC and Clang define __SANITIZE_ADDRESS__ or the feature test)
// the code runs many times slower and the build is there to check memory and undefined
// behaviour, which the first seed exercises on the same paths: it runs that one only, which
// kept CI's sanitizer tests a minute shorter.
#include <cstdint>
#include <initializer_list>
#include <vector>

namespace fusednmf::testing {

#if defined(__SANITIZE_ADDRESS__)
inline constexpr bool kSanitizerBuild = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
inline constexpr bool kSanitizerBuild = true;
#else
inline constexpr bool kSanitizerBuild = false;
#endif
#else
inline constexpr bool kSanitizerBuild = false;
#endif

/// `all`, or its first seed alone in a sanitizer build.
inline std::vector<std::uint64_t> recovery_seeds(std::initializer_list<std::uint64_t> all) {
  if (kSanitizerBuild && all.size() > 1) return {*all.begin()};
  return all;
}

}  // namespace fusednmf::testing
