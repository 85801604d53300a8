// The one compiled copy of fusednmf's dense decompositions for this project's own programs and
// tests, which are built with FUSEDNMF_SEPARATE_LINALG (see include/fusednmf/detail/dense_linalg.hpp).
#include <fusednmf/detail/dense_linalg_impl.hpp>
