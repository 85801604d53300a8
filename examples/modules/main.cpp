// modules: gene-module discovery with Poisson NMF.
//
//   modules simulate -o COUNTS.tsv [--truth TRUTH.tsv] [--genes N --samples M --modules R ...]
//   modules fit COUNTS.tsv [--ranks 3-6] [--restarts 5] [--truth TRUTH.tsv] [--assignments OUT.tsv] ...
//   modules rank COUNTS.tsv [--ranks 2-8] [--rank-table T.tsv] [--rank-plot P.svg] [--consensus-dir DIR] ...
//
// `simulate` plants R modules with moonlighting genes and writes V = Poisson(scale · W H) as a
// count table (and the truth). `fit` reads any count table (genes x samples; or sparse counts, a
// Matrix Market file or a 10x folder, which stay sparse), fits Poisson NMF
// (multiplicative updates, or --solver ccd) for
// every rank in a range with several restarts and cross-validation folds, picks the rank by the
// held-out deviance (or --rank-by cophenetic|bic), assigns each gene to its
// module(s), reports moonlighting genes and the histogram of shares, and, given the truth,
// scores the recovery after matching modules. `rank` stops after the choice of rank: it prints every
// rank's criteria and draws them (rank_report.hpp).
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <map>
#include <sstream>
#include <string>
#include <type_traits>
#include <vector>

#include <CLI/CLI.hpp>

#include <fusednmf/io/atomic_file.hpp>
#include <fusednmf/io/count_table.hpp>
#include <fusednmf/io/matrix_market.hpp>
#include <fusednmf/io/npy.hpp>
#include <fusednmf/io/output_set.hpp>
#include <fusednmf/modules/assignment.hpp>
#include <fusednmf/modules/rank_choice.hpp>
#include <fusednmf/modules/simulation.hpp>
#include <fusednmf/poisson_nmf.hpp>

#include "../common/output_paths.hpp"
#include "rank_report.hpp"

namespace fs = std::filesystem;
using namespace fusednmf;

namespace {

struct Truth {
  std::vector<int> module, second_module;  // 0-based, -1: none
  int modules = 0;
};

std::string numbered(const char* prefix, std::size_t i, std::size_t count) {
  const int width = int(std::to_string(count).size());
  char buf[64];
  std::snprintf(buf, sizeof buf, "%s%0*zu", prefix, width, i + 1);
  return buf;
}

// ---------------------------------------------------------------- simulate

int run_simulate(const modules::SimulationOptions& o, const std::string& counts_path, const std::string& truth_path) {
  examples::check_output_path("--output", counts_path);
  examples::check_output_path("--truth", truth_path);
  const modules::Simulation sim = modules::simulate(o);
  io::CountTable table;
  for (Eigen::Index i = 0; i < o.genes; ++i) table.genes.push_back(numbered("G", std::size_t(i), std::size_t(o.genes)));
  for (Eigen::Index j = 0; j < o.samples; ++j)
    table.samples.push_back(numbered("S", std::size_t(j), std::size_t(o.samples)));
  table.counts = sim.V;
  io::write_count_table(counts_path, table);
  if (!truth_path.empty()) {
    io::AtomicFile file(truth_path);
    auto& out = file.stream();
    out << "gene\tmodule\tsecond_module\n";
    for (std::size_t i = 0; i < table.genes.size(); ++i) {
      out << table.genes[i] << '\t' << sim.module[i] + 1 << '\t';
      if (sim.second_module[i] >= 0) out << sim.second_module[i] + 1; else out << '-';
      out << '\n';
    }
    file.commit();
  }
  std::size_t moonlighters = 0;
  for (int s : sim.second_module) moonlighters += s >= 0;
  std::cerr << "modules: wrote " << counts_path << " (" << o.genes << " genes x " << o.samples << " samples, "
            << o.modules << " modules, " << moonlighters << " moonlighting genes, mean count "
            << sim.V.mean() << ")" << (truth_path.empty() ? "" : " and " + truth_path) << "\n";
  return 0;
}

// ---------------------------------------------------------------- fit

Truth read_truth(const fs::path& path, const std::vector<std::string>& genes) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("--truth: cannot open " + path.string());
  std::map<std::string, std::size_t> row_of;
  for (std::size_t i = 0; i < genes.size(); ++i) row_of[genes[i]] = i;
  Truth t;
  t.module.assign(genes.size(), -2);
  t.second_module.assign(genes.size(), -1);
  std::string line;
  long number = 0;
  auto module_number = [&](const std::string& field, bool optional) {
    if (optional && field == "-") return -1;
    std::size_t used = 0;
    int v = 0;
    try {
      v = std::stoi(field, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    if (used != field.size() || v < 1)
      throw std::runtime_error(path.string() + " line " + std::to_string(number) + ": '" + field +
                               "' is not a module number (1, 2, ...)" + (optional ? " or '-'" : ""));
    return v - 1;
  };
  while (std::getline(in, line)) {
    ++number;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (number == 1 || line.empty() || line[0] == '#') continue;  // header
    std::stringstream ss(line);
    std::string gene, first, second;
    if (!std::getline(ss, gene, '\t') || !std::getline(ss, first, '\t') || !std::getline(ss, second, '\t'))
      throw std::runtime_error(path.string() + " line " + std::to_string(number) +
                               ": expected gene<TAB>module<TAB>second_module");
    const auto it = row_of.find(gene);
    if (it == row_of.end())
      throw std::runtime_error(path.string() + " line " + std::to_string(number) + ": gene '" + gene +
                               "' is not in the count table");
    t.module[it->second] = module_number(first, false);
    t.second_module[it->second] = module_number(second, true);
    t.modules = std::max({t.modules, t.module[it->second] + 1, t.second_module[it->second] + 1});
  }
  for (std::size_t i = 0; i < genes.size(); ++i)
    if (t.module[i] == -2) throw std::runtime_error(path.string() + ": gene '" + genes[i] + "' has no module");
  return t;
}

std::pair<Eigen::Index, Eigen::Index> parse_ranks(const std::string& text) {
  const auto dash = text.find('-');
  auto number = [&](const std::string& s) {
    std::size_t used = 0;
    long v = -1;
    try {
      v = std::stol(s, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    if (used != s.size() || s.empty() || v < 1)
      throw std::runtime_error("--ranks: '" + text + "' is not a rank or a range like 3-6 (ranks >= 1)");
    return Eigen::Index(v);
  };
  const Eigen::Index lo = number(text.substr(0, dash));
  const Eigen::Index hi = dash == std::string::npos ? lo : number(text.substr(dash + 1));
  if (hi < lo) throw std::runtime_error("--ranks: '" + text + "' runs backwards");
  return {lo, hi};
}

struct FitSettings {
  std::string counts, ranks = "3-6", truth, assignments, histogram, w_output, h_output;
  int restarts = 5, iterations = 2000, threads = 0, bins = 20;
  double tolerance = 1e-7, kkt_tolerance = 0, threshold = 0.2;
  std::uint64_t seed = 0;
  bool quiet = false;
  std::string missing = "reject";  ///< missing cells (empty, NA, NaN): an error, or left out of the fit
  std::string rank_by = "cv", rank_table, clusters, rank_plot, consensus_plot, consensus_dir;
  std::string solver = "mu";  ///< mu: multiplicative updates; ccd: coordinate descent
  int folds = 5, top_genes = 10;
  double held_out = 0.05, cv_standard_errors = 2.0;
};

// The table read and checked, and every rank fitted and scored: what `rank` and `fit` share.
struct RankRun {
  std::vector<std::string> genes, samples;
  modules::RankChoice choice;
};

// Whether `path` names sparse counts: a Matrix Market file (.mtx, .mtx.gz) or a 10x folder.
bool is_sparse_input(const std::string& path) {
  auto ends_with = [&](const std::string& tail) {
    return path.size() >= tail.size() && path.compare(path.size() - tail.size(), tail.size(), tail) == 0;
  };
  return fs::is_directory(path) || ends_with(".mtx") || ends_with(".mtx.gz");
}

// Fails on what makes a fit of a genes x samples table pointless, before any fit runs.
void check_table(const FitSettings& s, Eigen::Index N, Eigen::Index M, double largest_count) {
  const auto [min_rank, max_rank] = parse_ranks(s.ranks);
  if (largest_count <= 0) throw std::runtime_error(s.counts + ": every count is 0, so there is nothing to factor");
  if (max_rank > std::min(N, M))
    throw std::runtime_error("--ranks: rank " + std::to_string(max_rank) + " exceeds min(genes, samples) = " +
                             std::to_string(std::min(N, M)) + " of " + s.counts);
  if (s.restarts < 2 && (!s.consensus_plot.empty() || !s.consensus_dir.empty()))
    throw std::runtime_error("--restarts " + std::to_string(s.restarts) +
                             ": a consensus heat map needs 2 or more restarts");
  const Eigen::Index most = modules::RankChoiceOptions{}.max_consensus_samples;
  if (M > most && (!s.consensus_plot.empty() || !s.consensus_dir.empty() || s.rank_by == "cophenetic"))
    throw std::runtime_error(s.counts + " has " + std::to_string(M) + " samples: the consensus (its heat map, " +
                             "--rank-by cophenetic) is computed for at most " + std::to_string(most));
}

// Reads and checks the table; fails on what makes a fit pointless before any fit runs.
io::CountTable read_table(const FitSettings& s) {
  const bool mask = s.missing == "mask";
  io::CountTable table;
  try {
    table = io::read_count_table(s.counts, mask);
  } catch (const std::runtime_error& e) {
    if (mask || std::string(e.what()).find("missing value") == std::string::npos) throw;
    throw std::runtime_error(std::string(e.what()) + " (--missing mask leaves missing cells out of the fit)");
  }
  const auto missing_cells = Eigen::Index(table.counts.array().isNaN().count());
  if (missing_cells == table.counts.size())
    throw std::runtime_error(s.counts + ": every cell is missing, so there is nothing to factor");
  check_table(s, table.counts.rows(), table.counts.cols(), table.counts.array().isNaN().select(0.0, table.counts).maxCoeff());
  return table;
}

// Reads sparse counts: a 10x folder, or a bare Matrix Market file (genes G1.., samples S1..).
io::SparseCountTable read_sparse_table(const FitSettings& s) {
  if (s.missing == "mask") throw std::runtime_error("--missing mask: sparse counts have no missing cells");
  if (s.solver != "mu") throw std::runtime_error("--solver " + s.solver + ": sparse counts are fitted with --solver mu");
  io::SparseCountTable table;
  if (fs::is_directory(s.counts)) {
    table = io::read_10x_folder(s.counts);
  } else {
    table.counts = io::read_matrix_market(s.counts);
    for (Eigen::Index i = 0; i < table.counts.rows(); ++i)
      table.genes.push_back(numbered("G", std::size_t(i), std::size_t(table.counts.rows())));
    for (Eigen::Index j = 0; j < table.counts.cols(); ++j)
      table.samples.push_back(numbered("S", std::size_t(j), std::size_t(table.counts.cols())));
  }
  const auto& V = table.counts;
  check_table(s, V.rows(), V.cols(),
              V.nonZeros() ? Eigen::Map<const Eigen::VectorXd>(V.valuePtr(), V.nonZeros()).maxCoeff() : 0.0);
  return table;
}

// Every rank fitted and scored; the table printed. Counts: dense (NaN: missing) or sparse.
template <class Counts>
RankRun choose_rank(const FitSettings& s, const Counts& counts, std::vector<std::string> genes,
                    std::vector<std::string> samples) {
  const auto [min_rank, max_rank] = parse_ranks(s.ranks);
  const bool mask = s.missing == "mask";
  const Eigen::Index N = counts.rows(), M = counts.cols();
  std::cerr << "modules: " << s.counts << ": " << N << " genes x " << M << " samples";
  if constexpr (std::is_same_v<Counts, Eigen::MatrixXd>) {
    std::cerr << "; ranks " << min_rank << ".." << max_rank << ", " << s.restarts << " restarts each\n";
    const auto missing_cells = Eigen::Index(counts.array().isNaN().count());
    if (missing_cells > 0)
      std::cerr << "modules: " << missing_cells << " missing cells (" << 100.0 * double(missing_cells) / double(counts.size())
                << "%) are left out of the fit\n";
  } else {
    std::cerr << ", " << counts.nonZeros() << " stored counts (" << 100.0 * double(counts.nonZeros()) / (double(N) * double(M))
              << "% of the cells, fitted sparse); ranks " << min_rank << ".." << max_rank << ", " << s.restarts
              << " restarts each\n";
  }

  modules::RankChoiceOptions choice_options;
  choice_options.min_rank = min_rank;
  choice_options.max_rank = max_rank;
  choice_options.restarts = s.restarts;
  choice_options.folds = s.folds;
  choice_options.held_out = s.held_out;
  choice_options.cv_standard_errors = s.cv_standard_errors;
  choice_options.rule = s.rank_by == "bic" ? modules::RankRule::BIC
                        : s.rank_by == "cophenetic" ? modules::RankRule::Cophenetic
                                                    : modules::RankRule::CrossValidation;
  PoissonNMFOptions& o = choice_options.fit;
  o.max_iterations = s.iterations;
  o.tolerance = s.tolerance;
  o.kkt_tolerance = s.kkt_tolerance;
  o.seed = s.seed;
  o.threads = s.threads;
  o.missing = mask ? MissingValues::Mask : MissingValues::Reject;
  o.solver = s.solver == "ccd" ? PoissonSolver::CoordinateDescent : PoissonSolver::MultiplicativeUpdates;
  auto on_fit = [&](Eigen::Index rank, const char* what, int index) {
    if (!s.quiet) std::fprintf(stderr, "modules: rank %ld %s %d done\n", long(rank), what, index + 1);
  };
  RankRun run;
  run.choice = modules::choose_rank(counts, choice_options, on_fit);
  run.genes = std::move(genes);
  run.samples = std::move(samples);
  modules_cli::print_rank_table(run.choice);
  return run;
}

// The table named by --counts (dense or sparse) read, checked, and every rank fitted and scored.
// `truth`, if given, is read against the table's genes before any fit runs.
RankRun read_and_choose_rank(const FitSettings& s, Truth* truth = nullptr) {
  if (is_sparse_input(s.counts)) {
    io::SparseCountTable table = read_sparse_table(s);
    if (truth && !s.truth.empty()) *truth = read_truth(s.truth, table.genes);
    return choose_rank(s, table.counts, std::move(table.genes), std::move(table.samples));
  }
  io::CountTable table = read_table(s);
  if (truth && !s.truth.empty()) *truth = read_truth(s.truth, table.genes);
  return choose_rank(s, table.counts, std::move(table.genes), std::move(table.samples));
}

// The rank's reports a user asked for: the table, the plot of the criteria, consensus heat maps
// (of the chosen rank, or of every rank into a directory), staged in `outputs`.
void write_rank_reports(const FitSettings& s, const RankRun& run, io::OutputSet& outputs) {
  const auto& choice = run.choice;
  if (!s.rank_table.empty()) modules_cli::write_rank_table(outputs.stage(s.rank_table), choice);
  if (!s.rank_plot.empty()) modules_cli::write_text_file(outputs.stage(s.rank_plot), modules_cli::render_rank_plot(choice));
  if (!s.consensus_plot.empty())
    modules_cli::write_text_file(outputs.stage(s.consensus_plot),
                                 modules_cli::render_consensus_heatmap(choice.table[choice.chosen], run.samples));
  if (!s.consensus_dir.empty()) {
    fs::create_directories(s.consensus_dir);
    for (const auto& row : choice.table)
      modules_cli::write_text_file(
          outputs.stage(fs::path(s.consensus_dir) / ("consensus_rank" + std::to_string(row.rank) + ".svg")),
          modules_cli::render_consensus_heatmap(row, run.samples));
  }
}

void check_rank_outputs(const FitSettings& s) {
  for (auto [flag, path] : {std::pair{"--rank-table", s.rank_table}, {"--rank-plot", s.rank_plot},
                            {"--consensus-plot", s.consensus_plot}})
    examples::check_output_path(flag, path);
  if (!s.consensus_dir.empty() && fs::exists(s.consensus_dir) && !fs::is_directory(s.consensus_dir))
    throw std::runtime_error("--consensus-dir: " + s.consensus_dir + " exists and is not a directory");
}

int run_rank(const FitSettings& s) {
  const auto t0 = std::chrono::steady_clock::now();
  check_rank_outputs(s);
  const RankRun run = read_and_choose_rank(s);
  std::printf("chosen rank: %ld\n", long(run.choice.table[run.choice.chosen].rank));
  io::OutputSet outputs;  // every report appears at the end, together (io/output_set.hpp)
  write_rank_reports(s, run, outputs);
  outputs.commit();
  std::fprintf(stderr, "modules: done in %.2f s\n",
               std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  return 0;
}

// The modules of one fit: sizes, moonlighting genes, top genes, the histogram of shares, the
// recovery of a planted truth, and the files asked for (staged in `outputs`).
void report_modules(const FitSettings& s, const std::vector<std::string>& gene_names,
                    const std::vector<std::string>& sample_names, const PoissonNMFResult<double>& fit,
                    const Truth& truth, io::OutputSet& outputs) {
  const int R = int(fit.W.cols());
  const Eigen::MatrixXd shares = modules::module_shares(fit.W, fit.H);
  const auto genes = modules::assign_genes(shares, s.threshold);
  std::vector<std::size_t> sizes(std::size_t(R), 0);
  std::vector<std::size_t> moonlighting;
  for (std::size_t i = 0; i < genes.size(); ++i) {
    if (genes[i].module >= 0) ++sizes[std::size_t(genes[i].module)];
    if (genes[i].moonlighting) moonlighting.push_back(i);
  }
  std::printf("module sizes:");
  for (int r = 0; r < R; ++r) std::printf(" %d:%zu", r + 1, sizes[std::size_t(r)]);
  std::printf("\nmoonlighting genes (second share >= %.2f): %zu", s.threshold, moonlighting.size());
  for (std::size_t j = 0; j < moonlighting.size() && j < 20; ++j) {
    const auto& g = genes[moonlighting[j]];
    std::printf("%s %s(%d/%d %.2f)", j ? "," : "", gene_names[moonlighting[j]].c_str(), g.module + 1,
                g.second_module + 1, g.second_share);
  }
  std::printf("%s\n", moonlighting.size() > 20 ? ", ..." : "");
  // Each module's top genes: the largest W_ir, which orders the genes by their expected counts from r.
  for (int r = 0; r < R && s.top_genes > 0; ++r) {
    std::vector<std::size_t> order(genes.size());
    for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
    const std::size_t top = std::min<std::size_t>(std::size_t(s.top_genes), order.size());
    std::partial_sort(order.begin(), order.begin() + std::ptrdiff_t(top), order.end(), [&](std::size_t a, std::size_t b) {
      return fit.W(Eigen::Index(a), r) > fit.W(Eigen::Index(b), r);
    });
    std::printf("module %d top genes:", r + 1);
    for (std::size_t j = 0; j < top; ++j) std::printf(" %s", gene_names[order[j]].c_str());
    std::printf("\n");
  }

  const auto hist = modules::share_histogram(shares, s.bins);
  std::size_t tallest = 1;
  for (auto c : hist.counts) tallest = std::max(tallest, c);
  std::printf("histogram of shares (all genes x modules):\n");
  for (std::size_t b = 0; b < hist.counts.size(); ++b)
    std::printf("  [%.2f, %.2f%c %7zu %s\n", hist.edges[b], hist.edges[b + 1], b + 1 == hist.counts.size() ? ']' : ')',
                hist.counts[b], std::string(std::size_t(std::ceil(50.0 * double(hist.counts[b]) / double(tallest))), '#').c_str());

  if (!s.truth.empty()) {
    const auto rec = modules::compare_to_truth(genes, R, truth.module, truth.second_module, truth.modules);
    std::printf("recovery vs %s (%d planted modules): gene accuracy %.4f; moonlighting genes found %zu of %zu; false calls %zu\n",
                s.truth.c_str(), truth.modules, rec.accuracy, rec.moonlighters_found, rec.moonlighters,
                rec.false_moonlighters);
  }

  if (!s.assignments.empty()) {
    io::AtomicFile file(outputs.stage(s.assignments));
    auto& out = file.stream();
    out << "gene\tmodule\tshare\tsecond_module\tsecond_share\tmoonlighting\n";
    for (std::size_t i = 0; i < genes.size(); ++i) {
      const auto& g = genes[i];
      out << gene_names[i] << '\t';
      if (g.module >= 0) out << g.module + 1; else out << '-';
      out << '\t' << g.share << '\t';
      if (g.second_module >= 0) out << g.second_module + 1; else out << '-';
      out << '\t' << g.second_share << '\t' << (g.moonlighting ? "yes" : "no") << '\n';
    }
    file.commit();
  }
  if (!s.clusters.empty()) {  // each sample's module: the largest share of its expected counts
    const Eigen::MatrixXd sample_shares = modules::module_shares(fit.H.transpose(), fit.W.transpose());
    io::AtomicFile file(outputs.stage(s.clusters));
    auto& out = file.stream();
    out << "sample\tcluster\tshare\n";
    for (Eigen::Index c = 0; c < sample_shares.rows(); ++c) {
      Eigen::Index module = 0;
      const double share = sample_shares.row(c).maxCoeff(&module);
      out << sample_names[std::size_t(c)] << '\t' << module + 1 << '\t' << share << '\n';
    }
    if (!out) throw std::runtime_error("writing " + s.clusters + " failed (disk full?)");
    file.commit();
  }
  if (!s.histogram.empty()) {
    io::AtomicFile file(outputs.stage(s.histogram));
    auto& out = file.stream();
    out << "bin_start\tbin_end\tcount\n";
    for (std::size_t b = 0; b < hist.counts.size(); ++b)
      out << hist.edges[b] << '\t' << hist.edges[b + 1] << '\t' << hist.counts[b] << '\n';
    file.commit();
  }
  if (!s.w_output.empty()) io::write_npy<double>(outputs.stage(s.w_output), fit.W);
  if (!s.h_output.empty()) io::write_npy<double>(outputs.stage(s.h_output), fit.H);
}

int run_fit(const FitSettings& s) {
  const auto t0 = std::chrono::steady_clock::now();
  check_rank_outputs(s);
  for (auto [flag, path] : {std::pair{"--assignments", s.assignments}, {"--histogram", s.histogram}, {"--clusters", s.clusters},
                            {"--w-output", s.w_output}, {"--h-output", s.h_output}})
    examples::check_output_path(flag, path);
  Truth truth;
  const RankRun run = read_and_choose_rank(s, &truth);
  const auto& choice = run.choice;
  const auto& best = choice.table[choice.chosen];
  io::OutputSet outputs;  // every output appears at the end, together (io/output_set.hpp)
  write_rank_reports(s, run, outputs);
  std::printf("chosen rank: %d\n", int(best.rank));
  report_modules(s, run.genes, run.samples, best.fit, truth, outputs);
  outputs.commit();
  std::fprintf(stderr, "modules: done in %.2f s\n",
               std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  return 0;
}


// The flags of `rank`, which `fit` has too: the table, the fits, the rule and the reports.
void add_rank_flags(CLI::App* command, FitSettings& s) {
  command->add_option("counts", s.counts, "Count table: header row, then gene name and counts per line (TSV or CSV); or sparse counts: a Matrix Market file (.mtx, .mtx.gz) or a 10x folder (matrix.mtx, features.tsv, barcodes.tsv, plain or .gz)")->required();
  command->add_option("--ranks", s.ranks, "Rank or range of ranks to try, e.g. 3-6")->capture_default_str();
  command->add_option("--restarts", s.restarts, "Random starts per rank (the best log-likelihood is kept; 2 or more for the consensus)")->check(CLI::Range(1, 1000))->capture_default_str();
  command->add_option("--solver", s.solver, "mu: multiplicative updates (Lee & Seung); ccd: cyclic coordinate descent with Newton steps (Hsieh & Dhillon), 5x sooner to the same likelihood, but its exact zeros make the held-out deviance (the rank choice) less reliable")
      ->check(CLI::IsMember({"mu", "ccd"}))->capture_default_str();
  command->add_option("--iterations", s.iterations, "Maximum iterations (sweeps) per fit")->check(CLI::Range(1, 10000000))->capture_default_str();
  command->add_option("--tolerance", s.tolerance, "Stop when the log-likelihood's relative change is below this")->check(CLI::NonNegativeNumber)->capture_default_str();
  command->add_option("--kkt-tolerance", s.kkt_tolerance, "Also stop when the KKT residual (distance from a stationary point), relative to the first iteration's, is below this; 0: off")->check(CLI::NonNegativeNumber)->capture_default_str();
  command->add_option("--seed", s.seed, "First seed (restarts use seed, seed+1, ...)")->capture_default_str();
  command->add_option("--threads", s.threads, "Threads: the fits run side by side, one each (0: the cores this process may use)")->check(CLI::NonNegativeNumber)->capture_default_str();
  command->add_option("--missing", s.missing, "Missing cells (empty, NA, N/A, NaN): reject (an error) or mask (left out of the likelihood and the updates)")
      ->check(CLI::IsMember({"reject", "mask"}))->capture_default_str();
  command->add_option("--rank-by", s.rank_by, "How the rank is chosen: cv (held-out Poisson deviance: the smallest rank within --cv-standard-errors of the lowest), cophenetic (consensus over restarts) or bic")
      ->check(CLI::IsMember({"cv", "cophenetic", "bic"}))->capture_default_str();
  command->add_option("--folds", s.folds, "Cross-validation folds (each hides --held-out of the cells)")->check(CLI::Range(2, 100))->capture_default_str();
  command->add_option("--held-out", s.held_out, "Share of the cells each fold hides (folds x held-out <= 1)")->check(CLI::Range(0.001, 0.5))->capture_default_str();
  command->add_option("--cv-standard-errors", s.cv_standard_errors, "The cv rule's margin, in standard errors of the held-out deviance over the folds (1: the usual one-standard-error rule; 2 holds on real, over-dispersed tables)")->check(CLI::Range(0.0, 100.0))->capture_default_str();
  command->add_option("--rank-table", s.rank_table, "Write every rank's criteria (TSV)");
  command->add_option("--rank-plot", s.rank_plot, "Draw every criterion against the rank (SVG)");
  command->add_option("--consensus-plot", s.consensus_plot, "Draw the chosen rank's consensus matrix as a heat map, samples in average-linkage order (SVG)");
  command->add_option("--consensus-dir", s.consensus_dir, "Draw every rank's consensus heat map into this directory (consensus_rankR.svg)");
  command->add_flag("-q,--quiet", s.quiet, "No progress lines");
}

}  // namespace

int main(int argc, char** argv) {
  io::remove_temporaries_on_signal();  // SIGINT/SIGTERM leave no TARGET.tmp-XXXXXX behind
  CLI::App app{"modules: gene-module discovery with Poisson NMF (simulate planted modules, or fit a count table)"};
  app.require_subcommand(1);
  app.get_formatter()->column_width(32);

  modules::SimulationOptions sim;
  std::string sim_out, sim_truth;
  auto* simulate = app.add_subcommand("simulate", "Write a count table with planted modules and moonlighting genes");
  simulate->add_option("-o,--output", sim_out, "Count table to write (TSV, genes x samples)")->required();
  simulate->add_option("--truth", sim_truth, "Also write the planted modules (TSV: gene, module, second_module)");
  simulate->add_option("--genes", sim.genes, "Genes (N)")->check(CLI::Range(Eigen::Index(1), Eigen::Index(100000000)))->capture_default_str();
  simulate->add_option("--samples", sim.samples, "Samples (M)")->check(CLI::Range(Eigen::Index(1), Eigen::Index(1000000)))->capture_default_str();
  simulate->add_option("--modules", sim.modules, "Planted modules (R)")->check(CLI::Range(Eigen::Index(1), Eigen::Index(100000)))->capture_default_str();
  simulate->add_option("--moonlighting", sim.moonlighting, "Fraction of genes in two modules")->check(CLI::Range(0.0, 1.0))->capture_default_str();
  simulate->add_option("--sample-alpha", sim.sample_alpha, "Dirichlet parameter of each sample's module mix (smaller: sparser)")->check(CLI::PositiveNumber)->capture_default_str();
  simulate->add_option("--gene-alpha", sim.gene_alpha, "Gamma shape of the gene weights within a module (smaller: more uneven)")->check(CLI::PositiveNumber)->capture_default_str();
  simulate->add_option("--depth", sim.depth, "Mean count per cell (scale = depth x genes)")->check(CLI::PositiveNumber)->capture_default_str();
  simulate->add_option("--seed", sim.seed, "Random seed (same seed, same table)")->capture_default_str();

  FitSettings fit, rank;
  auto* fitter = app.add_subcommand("fit", "Fit Poisson NMF over a range of ranks, choose the rank and assign genes to modules");
  auto* ranker = app.add_subcommand("rank", "Fit Poisson NMF over a range of ranks and report how each rank scores (table, plots)");
  add_rank_flags(fitter, fit);
  add_rank_flags(ranker, rank);
  fitter->add_option("--threshold", fit.threshold, "A gene moonlights when its second-largest module share reaches this")->check(CLI::Range(0.01, 0.5))->capture_default_str();
  fitter->add_option("--truth", fit.truth, "Planted modules (from 'simulate --truth'): report recovery accuracy");
  fitter->add_option("--assignments", fit.assignments, "Write each gene's module(s) and shares (TSV)");
  fitter->add_option("--histogram", fit.histogram, "Write the histogram of module shares (TSV, plot-ready)");
  fitter->add_option("--bins", fit.bins, "Histogram bins over [0, 1]")->check(CLI::Range(1, 1000))->capture_default_str();
  fitter->add_option("--w-output", fit.w_output, "Write W (genes x R) of the chosen rank as .npy");
  fitter->add_option("--h-output", fit.h_output, "Write H (R x samples) of the chosen rank as .npy");
  fitter->add_option("--clusters", fit.clusters, "Write each sample's cluster: the module with the largest share of its expected counts (TSV)");
  fitter->add_option("--top-genes", fit.top_genes, "Print each module's top genes (by W), this many")->check(CLI::Range(0, 100000))->capture_default_str();

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  try {
    if (simulate->parsed()) return run_simulate(sim, sim_out, sim_truth);
    if (ranker->parsed()) return run_rank(rank);
    return run_fit(fit);
  } catch (const std::exception& e) {
    std::cerr << "modules: error: " << e.what() << "\n";
    return 1;
  }
}
