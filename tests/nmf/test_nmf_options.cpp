// The options of NMF<Regularizer> (nmf_options.hpp): their defaults, the validation every field
// goes through (shared with PoissonNMFOptions by SolverOptions), and the names printed for them.
#include <cmath>
#include <limits>
#include <string>

#include <catch2/catch.hpp>

#include <fusednmf/nmf_options.hpp>

using namespace fusednmf;

TEST_CASE("NMFOptions: documented defaults, and every bad field named by validate()", "[options]") {
  using Catch::Matchers::Contains;
  const NMFOptions defaults;
  CHECK(defaults.rank == 10);
  CHECK(defaults.max_iterations == 1000);
  CHECK(defaults.tolerance == 1e-3);
  CHECK(defaults.patience == 2);
  CHECK(defaults.solver == Solver::HALS);
  CHECK(defaults.init == Init::NNDSVDa);
  CHECK(defaults.missing == MissingValues::Reject);
  CHECK_NOTHROW(defaults.validate());

  const double nan = std::numeric_limits<double>::quiet_NaN(), inf = std::numeric_limits<double>::infinity();
  struct Case {
    void (*spoil)(NMFOptions&);
    const char* message;
  };
  const Case cases[] = {
      {[](NMFOptions& o) { o.rank = 0; }, "NMFOptions.rank must be >= 1, got 0"},
      {[](NMFOptions& o) { o.max_iterations = 0; }, "NMFOptions.max_iterations must be >= 1"},
      {[](NMFOptions& o) { o.tolerance = -1; }, "NMFOptions.tolerance must be finite and >= 0"},
      {[](NMFOptions& o) { o.patience = 0; }, "NMFOptions.patience must be >= 1"},
      {[](NMFOptions& o) { o.threads = -2; }, "NMFOptions.threads must be >= 0, got -2"},
      {[](NMFOptions& o) { o.time_limit = -0.5; }, "NMFOptions.time_limit must be finite and >= 0 seconds"},
      {[](NMFOptions& o) { o.l2 = -1e-3; }, "NMFOptions.l2 must be finite and >= 0"},
      {[](NMFOptions& o) { o.restarts = 0; }, "NMFOptions.restarts must be >= 1"},
      {[](NMFOptions& o) { o.inner_passes = -1; }, "NMFOptions.inner_passes must be >= 0"},
  };
  for (const Case& c : cases) {
    INFO(c.message);
    NMFOptions o;
    c.spoil(o);
    CHECK_THROWS_WITH(o.validate(), Contains(c.message));
  }
  for (double bad : {nan, inf}) {  // not-a-number and infinity fail every real-valued field
    NMFOptions o;
    o.tolerance = bad;
    CHECK_THROWS_WITH(o.validate(), Contains("tolerance"));
    o = NMFOptions{};
    o.l2 = bad;
    CHECK_THROWS_WITH(o.validate(), Contains("l2"));
    o = NMFOptions{};
    o.time_limit = bad;
    CHECK_THROWS_WITH(o.validate(), Contains("time_limit"));
  }
}

TEST_CASE("the options' enumerations print the names the programs' flags take", "[options]") {
  CHECK(std::string(to_string(Init::Random)) == "random");
  CHECK(std::string(to_string(Init::RandomizedSVD)) == "rsvd");
  CHECK(std::string(to_string(Init::NNDSVD)) == "nndsvd");
  CHECK(std::string(to_string(Init::NNDSVDa)) == "nndsvda");
  CHECK(std::string(to_string(Init::ClippedSVD)) == "clipped-svd");
  CHECK(std::string(to_string(Solver::HALS)) == "hals");
  CHECK(std::string(to_string(Solver::ProjectedALS)) == "als");
  CHECK(std::string(to_string(MaskedSweep::Exact)) == "exact");
  CHECK(std::string(to_string(MaskedSweep::Imputation)) == "imputation");
  CHECK(std::string(to_string(Status::Converged)) == "converged");
  CHECK(std::string(to_string(Status::TimeLimit)) == "reached the time limit");
}
