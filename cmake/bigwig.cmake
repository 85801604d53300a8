# The target fusednmf_bigwig: libBigWig (for bigWig headers and the chromosome list) and an
# inflate library (the readers decode data blocks themselves, io/inflate.hpp). Defined only when
# libBigWig is found; the library core never needs it. Included by examples/ and tests/fuzz/.
if(TARGET fusednmf_bigwig)
  return()
endif()
find_path(BIGWIG_INCLUDE_DIR bigWig.h)
find_library(BIGWIG_LIBRARY BigWig)
if(NOT BIGWIG_INCLUDE_DIR OR NOT BIGWIG_LIBRARY)
  return()
endif()

add_library(fusednmf_bigwig INTERFACE)
target_include_directories(fusednmf_bigwig INTERFACE ${BIGWIG_INCLUDE_DIR})
find_package(ZLIB REQUIRED)
target_link_libraries(fusednmf_bigwig INTERFACE ${BIGWIG_LIBRARY} ZLIB::ZLIB)
# A faster inflate than zlib's when Debian's libdeflate-dev is installed (io/inflate.hpp).
find_path(LIBDEFLATE_INCLUDE_DIR libdeflate.h)
find_library(LIBDEFLATE_LIBRARY deflate)
if(LIBDEFLATE_INCLUDE_DIR AND LIBDEFLATE_LIBRARY)
  target_compile_definitions(fusednmf_bigwig INTERFACE FUSEDNMF_WITH_LIBDEFLATE)
  target_include_directories(fusednmf_bigwig INTERFACE ${LIBDEFLATE_INCLUDE_DIR})
  target_link_libraries(fusednmf_bigwig INTERFACE ${LIBDEFLATE_LIBRARY})
else()
  message(STATUS "fusednmf: libdeflate not found; bigWig blocks are inflated with zlib (slower)")
endif()
