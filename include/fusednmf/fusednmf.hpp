#pragma once
// Umbrella header: everything public that needs only Eigen. (The bigWig reader in io/ needs
// libBigWig and is included on its own by the code that links it.)
#include "version.hpp"
#include "prox/variants.hpp"
#include "prox/fused_lasso_prox.hpp"
#include "segmented_matrix.hpp"
#include "preprocess.hpp"
#include "regularizers.hpp"
#include "nmf_options.hpp"
#include "nmf.hpp"
#include "poisson_nmf.hpp"
#include "modules/simulation.hpp"
#include "modules/matching.hpp"
#include "modules/assignment.hpp"
#include "io/atomic_file.hpp"
#include "io/npy.hpp"
#include "io/count_table.hpp"
