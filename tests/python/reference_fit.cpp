// The C++ side of the Python module's bit-for-bit tests: fits a .npy with the library's API,
// defaults unchanged, and writes W and H as .npy in the input's dtype.
//   reference_fit smooth  float32|float64 Y.npy OUT_DIR RANK LAMBDA SEED [CHAIN_START,...]
//   reference_fit poisson float32|float64 V.npy OUT_DIR RANK SEED
#include <cstdint>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include <fusednmf/io/npy.hpp>
#include <fusednmf/nmf.hpp>
#include <fusednmf/poisson_nmf.hpp>
#include <fusednmf/regularizers.hpp>
#include <fusednmf/segmented_matrix.hpp>

namespace {

using namespace fusednmf;

template <class Scalar>
using Matrix = Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic>;

template <class Scalar>
void write(const std::string& dir, const Matrix<Scalar>& W, const Matrix<Scalar>& H) {
  io::write_npy<Scalar>(dir + "/W.npy", W);
  io::write_npy<Scalar>(dir + "/H.npy", H);
}

template <class Regularizer>
void smooth(const Eigen::MatrixXd& data, const std::string& dir, const NMFOptions& options, const Regularizer& regularizer,
            const std::vector<Eigen::Index>& chains) {
  using Scalar = typename Regularizer::Scalar;
  const Matrix<Scalar> Y = data.cast<Scalar>();
  const NMF<Regularizer> nmf(options, regularizer);
  NMFResult<Scalar> result;
  if (chains.empty()) {
    result = nmf.fit(Y);
  } else {
    SegmentedMatrix<Scalar> segmented;
    segmented.values = Y;
    segmented.lengths = SegmentedMatrix<Scalar>::Vector::Ones(Y.rows());
    result = nmf.fit(segmented, chains);
  }
  write<Scalar>(dir, result.W, result.H);
}

template <class Scalar>
void smooth_in(const Eigen::MatrixXd& data, const std::string& dir, const NMFOptions& options, double lambda,
               const std::vector<Eigen::Index>& chains) {
  if (lambda == 0) return smooth(data, dir, options, NoRegularizer<Scalar>{}, chains);
  smooth(data, dir, options, FusedLasso<Scalar>{lambda, 0.0}, chains);
}

template <class Scalar>
void poisson(const Eigen::MatrixXd& data, const std::string& dir, const PoissonNMFOptions& options) {
  const Matrix<Scalar> V = data.cast<Scalar>();
  const auto result = PoissonNMF<Scalar>(options).fit(V);
  write<Scalar>(dir, result.W, result.H);
}

}  // namespace

int main(int argc, char** argv) {
  const std::vector<std::string> args(argv + 1, argv + argc);
  if (args.size() < 6) {
    std::cerr << "usage: reference_fit smooth|poisson float32|float64 IN.npy OUT_DIR RANK ...\n";
    return 2;
  }
  const bool single = args[1] == "float32";
  const Eigen::MatrixXd data = io::read_npy(args[2]);
  const std::string& dir = args[3];
  if (args[0] == "poisson") {
    PoissonNMFOptions options;
    options.rank = std::stol(args[4]);
    options.seed = std::stoull(args[5]);
    options.missing = MissingValues::Mask;  // as the Python module sets it
    single ? poisson<float>(data, dir, options) : poisson<double>(data, dir, options);
    return 0;
  }
  NMFOptions options;
  options.rank = std::stol(args[4]);
  options.seed = std::stoull(args.at(6));
  options.missing = MissingValues::Mask;  // as the Python module sets it
  const double lambda = std::stod(args[5]);
  std::vector<Eigen::Index> chains;
  if (args.size() > 7) {
    std::stringstream list(args[7]);
    for (std::string item; std::getline(list, item, ',');) chains.push_back(std::stol(item));
  }
  single ? smooth_in<float>(data, dir, options, lambda, chains) : smooth_in<double>(data, dir, options, lambda, chains);
  return 0;
}
