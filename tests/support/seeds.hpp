#pragma once
// Whether this is a sanitizer build. Under AddressSanitizer (GCC and Clang define
// __SANITIZE_ADDRESS__ or the feature test) the code runs many times slower and the build is
// there to check memory and undefined behaviour, so a test may run the same paths on a smaller
// case there. (The statistical recovery tests, tagged [statistical], do not run there at all:
// tests/CMakeLists.txt.)
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

}  // namespace fusednmf::testing
