// assign2's fit: the flags bound to NMFOptions, λ chosen by cross-validation on held-out blocks
// unless --lambda gives it, then NMF<FusedLasso<float>> on the segments, and warnings for a fit
// a user should not trust as it is (flat, stopped by the time limit, factors re-seeded).
#include <algorithm>
#include <cstdio>
#include <map>
#include <optional>
#include <stdexcept>

#include <fusednmf/lambda_cv_fit.hpp>

#include "outputs.hpp"
#include "stages.hpp"

namespace assign2 {

namespace {

NMFOptions nmf_options(const Run& run) {
  const Settings& s = run.s;
  NMFOptions opt;
  opt.rank = s.k;
  opt.max_iterations = s.iterations;
  opt.tolerance = s.tolerance;
  opt.l2 = s.l2;
  opt.seed = s.seed;
  opt.threads = s.threads;
  static const std::map<std::string, Init> inits{
      {"random", Init::Random},   {"rsvd", Init::RandomizedSVD}, {"nndsvd", Init::NNDSVD},
      {"nndsvda", Init::NNDSVDa}, {"clipped-svd", Init::ClippedSVD}};
  opt.init = inits.at(s.init);
  opt.solver = s.solver == "als" ? Solver::ProjectedALS : Solver::HALS;
  opt.restarts = s.restarts;
  if (run.masking) opt.missing = MissingValues::Mask;
  if (!s.quiet && run.procs.root())
    opt.progress = [restarts = s.restarts](const Progress& p) {
      if (p.iteration == 1 || p.iteration % 10 == 0)
        std::fprintf(stderr, "assign2: %siteration %4d  objective %.6e  residual %.2e\n",
                     restarts > 1 ? ("restart " + std::to_string(p.restart + 1) + "  ").c_str() : "", p.iteration,
                     p.objective, p.residual);
    };
  return opt;
}

// The held-out curve as a table (and a file with --lambda-curve), once it is final.
void report_curve(Run& run, const LambdaCVCurve& curve, const LambdaCVOptions& cv, Eigen::Index rows,
                  double seconds) {
  std::string table;
  char buf[256];
  for (std::size_t l = 0; l < curve.lambdas.size(); ++l) {
    std::snprintf(buf, sizeof buf, "\n  lambda %8g  held-out error %.6e +- %.1e%s", curve.lambdas[l],
                  curve.mean_error[l], curve.standard_error[l],
                  l == curve.chosen ? "  <- chosen (one standard error)" : l == curve.best ? "  (lowest)" : "");
    table += buf;
  }
  if (!curve.not_fitted.empty()) {
    std::snprintf(buf, sizeof buf, "\n  lambda %8g%s  not fitted: the held-out error was above the bound at the %d lambda before",
                  curve.not_fitted.front(), curve.not_fitted.size() > 1 ? " and up" : "", cv.stop_after_rises);
    table += buf;
  }
  const Eigen::Index seen = cv.max_rows == 0 ? rows : std::min<Eigen::Index>(rows, cv.max_rows);
  std::snprintf(buf, sizeof buf, "lambda by %d-fold cross-validation, %d partition%s, on %lld of %lld rows (blocks of %lld hidden; %.2f s):",
                cv.folds, curve.repeats, curve.repeats == 1 ? "" : "s", static_cast<long long>(seen),
                static_cast<long long>(rows), static_cast<long long>(cv.block_rows), seconds);
  run.say(buf + table);
  if (run.procs.root() && !run.s.lambda_curve.empty()) write_lambda_curve(run.outputs.stage(run.s.lambda_curve), curve);
}

void warn_about(const Run& run, const FactorFit& fit, const GenomeSegments<float>& genome) {
  const Settings& s = run.s;
  const NMFResult<float>& r = fit.result;
  // A penalty or ridge that flattens the factors gives a W of (almost) 0 without any error.
  const double explained = explained_fraction(genome.Y, r.W, r.H, run.procs.reduce);
  if (explained < 0.01 && run.procs.root())
    std::fprintf(stderr,
                 "assign2: warning: the factors explain %.2g%% of the (transformed) signal: --lambda %g or --l2 %g "
                 "flattens them; try smaller values\n",
                 100.0 * std::max(explained, 0.0), fit.lambda, s.l2);
  if (r.status == Status::TimeLimit && run.procs.root())
    std::fprintf(stderr,
                 "assign2: warning: the fit stopped at the time limit (--time-limit %g s) after %d sweeps, before "
                 "converging (residual %.1e > --tolerance %g); this result depends on the machine's speed. Give more "
                 "time, a looser --tolerance or a fixed --lambda\n",
                 s.time_limit, r.iterations, r.residual.empty() ? 0.0 : r.residual.back(), s.tolerance);
  if (s.restarts > 1) {
    std::string finals;
    char buf[64];
    for (double v : r.restart_objectives) {
      std::snprintf(buf, sizeof buf, " %.6e", v);
      finals += buf;
    }
    run.say("restarts' final objectives:" + finals + "; kept restart " + std::to_string(r.restart + 1));
  }
  if (r.reseeded > 0)
    run.say(std::to_string(r.reseeded) + " factor(s) died during the fit and were re-seeded from the largest residual" +
            (r.dead_factors > 0 ? "; " + std::to_string(r.dead_factors) +
                                      " stayed at 0 (--lambda may be too strong for k = " + std::to_string(s.k) + ")"
                                : std::string()));
}

}  // namespace

FactorFit fit_factors(Run& run, const GenomeSegments<float>& genome) {
  const Settings& s = run.s;
  FactorFit fit;
  fit.options = nmf_options(run);
  const auto t1 = std::chrono::steady_clock::now();
  // The contract: a run never exceeds 10 minutes. Reading and the cross-validation are bounded
  // (the latter by its row sample); the fit gets what is left of --time-limit when it starts.
  auto give_what_is_left = [&run, &s](NMFOptions& o) {
    o.time_limit = s.time_limit > 0 ? std::max(1.0, s.time_limit - run.seconds()) : 0.0;
  };
  if (const std::optional<double> given = parse_lambda(s.lambda)) {
    fit.lambda = *given;
    give_what_is_left(fit.options);
    fit.result = NMF<FusedLasso<float>>(fit.options, FusedLasso<float>{fit.lambda, 0.0})
                     .fit(genome.Y, genome.chain_starts(), run.procs.reduce);
  } else {
    // Held-out blocks of rows x tracks, masked, over a grid of λ; on more than one thread the fit
    // at the chosen λ starts beside the curve's last fits (lambda_cv_fit.hpp).
    LambdaCVOptions cv;
    cv.seed = s.seed;
    cv.repeats = s.lambda_repeats;
    LambdaCVFitHooks hooks;
    hooks.on_curve = [&](const LambdaCVCurve& curve) {
      report_curve(run, curve, cv, genome.Y.segments(),
                   std::chrono::duration<double>(std::chrono::steady_clock::now() - t1).count());
    };
    hooks.before_fit = give_what_is_left;
    LambdaCVFit<float> both =
        fit_at_cross_validated_lambda(genome.Y, genome.chain_starts(), fit.options, cv, run.procs.reduce, hooks);
    fit.lambda = both.curve.lambda();
    fit.result = std::move(both.result);
  }
  fit.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t1).count();
  if (fit.result.status == Status::NumericalIssue)
    throw std::runtime_error("the factorization hit a numerical issue (try a larger --l2)");
  warn_about(run, fit, genome);
  return fit;
}

}  // namespace assign2
