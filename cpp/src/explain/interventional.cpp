// Interventional SHAP values and interaction values (see interventional.hpp).
#include "assay/explain/interventional.hpp"

#include <cmath>
#include <vector>

#include "rows.hpp"

namespace assay::explain {

namespace {

using namespace detail;

enum Side : std::uint8_t { kNeither = 0, kRow = 1, kReference = 2 };

// shapley_weight[a][b] = a! b! / (a + b + 1)!: the Shapley weight of a coalition that
// must contain a given a players and avoid a given b others, among a + b + 1.
std::vector<std::vector<double>> shapley_weights(int max_players) {
  std::vector<std::vector<double>> w(max_players + 1, std::vector<double>(max_players + 1, 0.0));
  for (int a = 0; a <= max_players; ++a) {
    for (int b = 0; a + b <= max_players; ++b) {
      // 1 / ((a + b + 1) * C(a + b, a)), with the binomial built as a product.
      double binomial = 1.0;
      for (int i = 1; i <= a; ++i) binomial = binomial * (b + i) / i;
      w[a][b] = 1.0 / ((a + b + 1) * binomial);
    }
  }
  return w;
}

// Walks one tree for one (row, reference) pair; the leaves reached by some hybrid of
// the two add their closed-form Shapley values (or interaction values).
class PairWalk {
 public:
  PairWalk(const TreeEnsemble& ensemble, const std::vector<std::vector<double>>& weights, bool interactions)
      : ensemble_(ensemble),
        weights_(weights),
        interactions_(interactions),
        side_(ensemble.n_features, kNeither),
        path_(weights.size() + 1) {}

  // Adds scale * (attributions of tree t) to out: (feature, output) for values,
  // (feature, feature, output) off-diagonal for interactions. row_left and
  // reference_left say, per node of the tree, whether the row (the reference) goes left.
  void add_tree(std::size_t t, const std::uint8_t* row_left, const std::uint8_t* reference_left, double scale,
                double* out) {
    nodes_ = ensemble_.tree(t).data();
    tree_ = t;
    row_left_ = row_left;
    reference_left_ = reference_left;
    scale_ = scale;
    out_ = out;
    visit(0, 0, 0, 0);
  }

 private:
  void visit(std::int32_t id, int n_path, int n_row, int n_reference) {
    const Node& node = nodes_[id];
    if (node.left < 0) {
      leaf(id, n_path, n_row, n_reference);
      return;
    }
    const int f = node.feature;
    const bool row_left = row_left_[id] != 0;
    if (side_[f] == kRow) return visit(row_left ? node.left : node.right, n_path, n_row, n_reference);
    const bool reference_left = reference_left_[id] != 0;
    if (side_[f] == kReference || row_left == reference_left) {
      return visit(reference_left ? node.left : node.right, n_path, n_row, n_reference);
    }
    path_[n_path] = f;
    side_[f] = kRow;
    visit(row_left ? node.left : node.right, n_path + 1, n_row + 1, n_reference);
    side_[f] = kReference;
    visit(reference_left ? node.left : node.right, n_path + 1, n_row, n_reference + 1);
    side_[f] = kNeither;
  }

  void leaf(std::int32_t id, int n_path, int n_row, int n_reference) {
    if (n_path == 0) return;  // both rows reach this leaf: no feature matters
    const double* value = ensemble_.leaf_value(tree_, id);
    const int K = ensemble_.n_outputs;
    const std::size_t M = static_cast<std::size_t>(ensemble_.n_features);
    if (!interactions_) {
      // i on the row's side: + (|A|-1)! |B|! / (|A|+|B|)!; on the reference's: - |A|! (|B|-1)! / (|A|+|B|)!.
      const double gain = n_row > 0 ? scale_ * weights_[n_row - 1][n_reference] : 0.0;
      const double loss = n_reference > 0 ? scale_ * weights_[n_row][n_reference - 1] : 0.0;
      for (int p = 0; p < n_path; ++p) {
        const int f = path_[p];
        const double coefficient = side_[f] == kRow ? gain : -loss;
        double* phi = out_ + static_cast<std::size_t>(f) * K;
        for (int k = 0; k < K; ++k) phi[k] += coefficient * value[k];
      }
      return;
    }
    // Interaction index split in half: both on the row's side (|A|-2)! |B|! / (2 (n-1)!),
    // both on the reference's |A|! (|B|-2)! / (2 (n-1)!), one each -(|A|-1)! (|B|-1)! / (2 (n-1)!).
    const double both_row = n_row >= 2 ? 0.5 * scale_ * weights_[n_row - 2][n_reference] : 0.0;
    const double both_reference = n_reference >= 2 ? 0.5 * scale_ * weights_[n_row][n_reference - 2] : 0.0;
    const double mixed = n_row >= 1 && n_reference >= 1 ? -0.5 * scale_ * weights_[n_row - 1][n_reference - 1] : 0.0;
    for (int p = 0; p < n_path; ++p) {
      for (int q = p + 1; q < n_path; ++q) {
        const int a = path_[p], b = path_[q];
        const double coefficient = side_[a] != side_[b] ? mixed : (side_[a] == kRow ? both_row : both_reference);
        double* ab = out_ + (a * M + b) * K;
        double* ba = out_ + (b * M + a) * K;
        for (int k = 0; k < K; ++k) {
          ab[k] += coefficient * value[k];
          ba[k] += coefficient * value[k];
        }
      }
    }
  }

  const TreeEnsemble& ensemble_;
  const std::vector<std::vector<double>>& weights_;
  bool interactions_;
  std::vector<std::uint8_t> side_;
  std::vector<int> path_;
  const Node* nodes_ = nullptr;
  std::size_t tree_ = 0;
  const std::uint8_t *row_left_ = nullptr, *reference_left_ = nullptr;
  double scale_ = 1.0;
  double* out_ = nullptr;
};

// Background weights normalised to sum 1 (uniform when none are given).
std::vector<double> normalised_weights(std::span<const double> weights, std::size_t n_background) {
  if (n_background == 0) throw InvalidArgument("data: the background set has no rows");
  if (weights.empty()) return std::vector<double>(n_background, 1.0 / static_cast<double>(n_background));
  if (weights.size() != n_background) {
    throw InvalidArgument("weights: " + std::to_string(weights.size()) + " weights for " +
                          std::to_string(n_background) + " background rows");
  }
  double total = 0;
  for (double w : weights) {
    if (!(w >= 0) || !std::isfinite(w)) throw InvalidArgument("weights: must be finite and non-negative");
    total += w;
  }
  if (!(total > 0)) throw InvalidArgument("weights: must not all be zero");
  std::vector<double> out(weights.begin(), weights.end());
  for (double& w : out) w /= total;
  return out;
}

double raw_output(const TreeEnsemble& ensemble, const double* x, int k) {
  double total = ensemble.base_values[k];
  const std::uint32_t* bits = ensemble.category_bits.data();
  for (std::size_t t = 0; t < ensemble.n_trees(); ++t) {
    const Node* nodes = ensemble.tree(t).data();
    std::int32_t id = 0;
    while (nodes[id].left >= 0) id = goes_left(nodes[id], bits, x[nodes[id].feature]) ? nodes[id].left : nodes[id].right;
    total += ensemble.leaf_value(t, id)[k];
  }
  return total;
}

double logistic(double m) { return 1.0 / (1.0 + std::exp(-m)); }

// Whether row x goes left at every split node of the ensemble (one byte per node).
void decide(const TreeEnsemble& ensemble, const double* x, std::uint8_t* out) {
  const std::uint32_t* bits = ensemble.category_bits.data();
  for (std::size_t i = 0; i < ensemble.nodes.size(); ++i) {
    const Node& node = ensemble.nodes[i];
    out[i] = node.left >= 0 && goes_left(node, bits, x[node.feature]);
  }
}

struct Setup {
  std::vector<double> references;  // background rows, row-major
  // Decisions of the background rows, tree by tree: tree t's block starts at
  // tree_offsets[t] * n_background and holds one run of the tree's nodes per row.
  std::vector<std::uint8_t> reference_left;
  std::vector<double> weights;
  std::vector<std::vector<double>> shapley;
  std::size_t n_background;
};

// Tree t's decisions of background row b.
const std::uint8_t* reference_decisions(const Setup& setup, const TreeEnsemble& ensemble, std::size_t t,
                                        std::size_t b) {
  const auto first = static_cast<std::size_t>(ensemble.tree_offsets[t]);
  return setup.reference_left.data() + first * setup.n_background + b * ensemble.tree(t).size();
}

Setup prepare(const TreeEnsemble& ensemble, const TableView& X, const TableView& background,
              std::span<const double> weights) {
  check_table(ensemble, X);
  if (background.n_columns() != static_cast<std::size_t>(ensemble.n_features)) {
    throw InvalidArgument("data has " + std::to_string(background.n_columns()) + " columns but the model uses " +
                          std::to_string(ensemble.n_features) + " features");
  }
  Setup setup;
  setup.n_background = background.n_rows();
  setup.weights = normalised_weights(weights, setup.n_background);
  setup.references = gather_rows(background);
  setup.shapley = shapley_weights(ensemble.max_depth() + 1);
  const std::size_t n_nodes = ensemble.nodes.size();
  const std::size_t M = static_cast<std::size_t>(ensemble.n_features);
  setup.reference_left.resize(n_nodes * setup.n_background);
  std::vector<std::uint8_t> decisions(n_nodes);
  for (std::size_t b = 0; b < setup.n_background; ++b) {
    decide(ensemble, setup.references.data() + b * M, decisions.data());
    for (std::size_t t = 0; t < ensemble.n_trees(); ++t) {
      const auto first = static_cast<std::size_t>(ensemble.tree_offsets[t]);
      const std::size_t size = ensemble.tree(t).size();
      std::copy(decisions.begin() + first, decisions.begin() + first + size,
                setup.reference_left.begin() + first * setup.n_background + b * size);
    }
  }
  return setup;
}

}  // namespace

void interventional_shap_values(const TreeEnsemble& ensemble, const TableView& X, const TableView& background,
                                std::span<const double> weights, std::span<double> out,
                                const InterventionalOptions& options, const Progress& progress) {
  const Setup setup = prepare(ensemble, X, background, weights);
  const std::size_t M = static_cast<std::size_t>(ensemble.n_features);
  const int K = ensemble.n_outputs;
  const std::size_t per_row = M * K;
  check_output(out, X.n_rows() * per_row);
  const bool rescale = options.transform == OutputTransform::logistic;
  // Margins of the references, for the rescaling.
  std::vector<double> reference_margin(rescale ? setup.n_background * K : 0);
  for (std::size_t b = 0; rescale && b < setup.n_background; ++b) {
    for (int k = 0; k < K; ++k) reference_margin[b * K + k] = raw_output(ensemble, setup.references.data() + b * M, k);
  }
  struct State {
    PairWalk walk;
    std::vector<double> pair;
    std::vector<std::uint8_t> row_left;
  };
  auto make_state = [&] {
    return State{PairWalk(ensemble, setup.shapley, false), std::vector<double>(per_row),
                 std::vector<std::uint8_t>(ensemble.nodes.size())};
  };
  for_each_row(X, options.n_jobs, progress, make_state, [&](State& state, std::size_t i, const double* x) {
    double* phi = out.data() + i * per_row;
    std::fill(phi, phi + per_row, 0.0);
    decide(ensemble, x, state.row_left.data());
    auto row_left = [&](std::size_t t) { return state.row_left.data() + ensemble.tree_offsets[t]; };
    if (!rescale) {
      // Tree by tree, so that a tree and its background decisions stay in cache.
      for (std::size_t t = 0; t < ensemble.n_trees(); ++t) {
        for (std::size_t b = 0; b < setup.n_background; ++b) {
          state.walk.add_tree(t, row_left(t), reference_decisions(setup, ensemble, t, b), setup.weights[b], phi);
        }
      }
      return;
    }
    std::vector<double> row_margin(K);
    for (int k = 0; k < K; ++k) row_margin[k] = raw_output(ensemble, x, k);
    for (std::size_t b = 0; b < setup.n_background; ++b) {
      std::fill(state.pair.begin(), state.pair.end(), 0.0);
      for (std::size_t t = 0; t < ensemble.n_trees(); ++t) {
        state.walk.add_tree(t, row_left(t), reference_decisions(setup, ensemble, t, b), 1.0, state.pair.data());
      }
      for (int k = 0; k < K; ++k) {
        const double difference = row_margin[k] - reference_margin[b * K + k];
        // (s(m_x) - s(m_r)) / (m_x - m_r), and s'(m) when the margins coincide (then
        // the attributions are zero up to rounding anyway).
        const double factor = difference != 0
                                  ? (logistic(row_margin[k]) - logistic(reference_margin[b * K + k])) / difference
                                  : logistic(row_margin[k]) * (1 - logistic(row_margin[k]));
        for (std::size_t j = 0; j < M; ++j) phi[j * K + k] += setup.weights[b] * factor * state.pair[j * K + k];
      }
    }
  });
}

void interventional_interaction_values(const TreeEnsemble& ensemble, const TableView& X, const TableView& background,
                                       std::span<const double> weights, std::span<double> out, int n_jobs,
                                       const Progress& progress) {
  const Setup setup = prepare(ensemble, X, background, weights);
  const std::size_t M = static_cast<std::size_t>(ensemble.n_features);
  const std::size_t K = static_cast<std::size_t>(ensemble.n_outputs);
  const std::size_t per_row = M * M * K;
  check_output(out, X.n_rows() * per_row);
  struct State {
    PairWalk values, interactions;
    std::vector<double> phi;
    std::vector<std::uint8_t> row_left;
  };
  auto make_state = [&] {
    return State{PairWalk(ensemble, setup.shapley, false), PairWalk(ensemble, setup.shapley, true),
                 std::vector<double>(M * K), std::vector<std::uint8_t>(ensemble.nodes.size())};
  };
  for_each_row(X, n_jobs, progress, make_state, [&](State& state, std::size_t i, const double* x) {
    double* matrix = out.data() + i * per_row;
    std::fill(matrix, matrix + per_row, 0.0);
    std::fill(state.phi.begin(), state.phi.end(), 0.0);
    decide(ensemble, x, state.row_left.data());
    for (std::size_t t = 0; t < ensemble.n_trees(); ++t) {
      const std::uint8_t* row_left = state.row_left.data() + ensemble.tree_offsets[t];
      for (std::size_t b = 0; b < setup.n_background; ++b) {
        const std::uint8_t* reference_left = reference_decisions(setup, ensemble, t, b);
        state.values.add_tree(t, row_left, reference_left, setup.weights[b], state.phi.data());
        state.interactions.add_tree(t, row_left, reference_left, setup.weights[b], matrix);
      }
    }
    set_main_effects(matrix, state.phi.data(), M, K);
  });
}

std::vector<double> interventional_expected_value(const TreeEnsemble& ensemble, const TableView& background,
                                                  std::span<const double> weights, OutputTransform transform) {
  if (background.n_columns() != static_cast<std::size_t>(ensemble.n_features)) {
    throw InvalidArgument("data has " + std::to_string(background.n_columns()) + " columns but the model uses " +
                          std::to_string(ensemble.n_features) + " features");
  }
  const auto w = normalised_weights(weights, background.n_rows());
  const auto rows = gather_rows(background);
  const std::size_t M = static_cast<std::size_t>(ensemble.n_features);
  std::vector<double> expected(ensemble.n_outputs, 0.0);
  for (std::size_t b = 0; b < background.n_rows(); ++b) {
    for (int k = 0; k < ensemble.n_outputs; ++k) {
      const double margin = raw_output(ensemble, rows.data() + b * M, k);
      expected[k] += w[b] * (transform == OutputTransform::logistic ? logistic(margin) : margin);
    }
  }
  return expected;
}

}  // namespace assay::explain
