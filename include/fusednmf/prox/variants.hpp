#pragma once
// Tag types that pick the algorithm behind FusedLassoProx. All variants solve the same problem
// exactly; they differ only in speed on different signals (see benchmarks/README.md).

namespace fusednmf::prox {

/// Johnson (2013), "A dynamic programming algorithm for the fused lasso and L0-segmentation":
/// the operator the assignment ships. Strictly linear time on every input, but needs a workspace
/// of 8 doubles per element and is slower than Condat's on typical signals.
struct DynamicProgramming {};

/// Condat (2013), "A direct algorithm for 1D total variation denoising", extended to weights.
/// The fastest on staircases and sparse genomic signal. Its restarts can make it quadratic on
/// slow ramps, so it watches its own work and, past a budget of a few passes, hands the unsolved
/// suffix to the dynamic programme: linear time on every input (the idea of proxTV's hybrid).
struct Condat {};

/// The variant used when none is named.
using Default = Condat;

}  // namespace fusednmf::prox
