#pragma once
// Decompressing the zlib streams that bigWig data blocks are stored as.
//
// Inflating is most of the cost of reading dense tracks, so the reader can use a faster inflate
// than zlib's when one is linked: libdeflate (define FUSEDNMF_WITH_LIBDEFLATE and link -ldeflate;
// CMake's fusednmf::fast_inflate target does both) or ISA-L (FUSEDNMF_WITH_ISAL, -lisal). zlib is
// the fallback. All of them give the same bytes; benchmarks/README.md has their speeds.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <stdexcept>

#include <zlib.h>
#ifdef FUSEDNMF_WITH_LIBDEFLATE
#include <libdeflate.h>
#endif
#ifdef FUSEDNMF_WITH_ISAL
#include <isa-l.h>
#endif

namespace fusednmf::io {

/// zlib's uncompress(). Returns the bytes written, or -1 when the stream is corrupt or does not
/// fit in `capacity`.
class ZlibInflater {
 public:
  static constexpr const char* name = "zlib";
  std::ptrdiff_t inflate(const std::uint8_t* in, std::size_t size, std::uint8_t* out, std::size_t capacity) {
    uLongf written = static_cast<uLongf>(capacity);
    if (uncompress(out, &written, in, static_cast<uLong>(size)) != Z_OK) return -1;
    return static_cast<std::ptrdiff_t>(written);
  }
};

#ifdef FUSEDNMF_WITH_LIBDEFLATE
/// libdeflate's whole-buffer zlib decompressor (one per thread: it is not thread-safe).
class LibdeflateInflater {
 public:
  static constexpr const char* name = "libdeflate";
  LibdeflateInflater() : state_(libdeflate_alloc_decompressor()) {
    if (!state_) throw std::bad_alloc();
  }
  std::ptrdiff_t inflate(const std::uint8_t* in, std::size_t size, std::uint8_t* out, std::size_t capacity) {
    std::size_t written = 0;
    if (libdeflate_zlib_decompress(state_.get(), in, size, out, capacity, &written) != LIBDEFLATE_SUCCESS) return -1;
    return static_cast<std::ptrdiff_t>(written);
  }

 private:
  struct Free {
    void operator()(libdeflate_decompressor* d) const { libdeflate_free_decompressor(d); }
  };
  std::unique_ptr<libdeflate_decompressor, Free> state_;
};
#endif

#ifdef FUSEDNMF_WITH_ISAL
/// ISA-L's inflate, checking the zlib header and Adler-32 like the others.
class IsalInflater {
 public:
  static constexpr const char* name = "isa-l";
  std::ptrdiff_t inflate(const std::uint8_t* in, std::size_t size, std::uint8_t* out, std::size_t capacity) {
    isal_inflate_init(&state_);
    state_.crc_flag = ISAL_ZLIB;
    state_.next_in = const_cast<std::uint8_t*>(in);
    state_.avail_in = static_cast<std::uint32_t>(size);
    state_.next_out = out;
    state_.avail_out = static_cast<std::uint32_t>(capacity);
    if (isal_inflate(&state_) != ISAL_DECOMP_OK || state_.block_state != ISAL_BLOCK_FINISH) return -1;
    return static_cast<std::ptrdiff_t>(capacity - state_.avail_out);
  }

 private:
  inflate_state state_{};
};
#endif

/// The fastest inflate this build has (measured in benchmarks/README.md).
#if defined(FUSEDNMF_WITH_LIBDEFLATE)
using Inflater = LibdeflateInflater;
#elif defined(FUSEDNMF_WITH_ISAL)
using Inflater = IsalInflater;
#else
using Inflater = ZlibInflater;
#endif

}  // namespace fusednmf::io
