// Gradient-boosted trees for the domain classifier (see boosting.hpp).
#include "boosting.hpp"

#include <algorithm>
#include <cmath>

#include "assay/common/parallel.hpp"

namespace assay::drift::boosting {

namespace {

// scikit-learn's min_hessian_to_split: a child needs at least this much hessian.
constexpr double kMinChildHessian = 1e-3;

struct Node {
  std::int32_t feature = -1;   // -1: a leaf
  std::uint8_t split_bin = 0;  // rows with bin <= split_bin go left
  std::int32_t left = -1, right = -1;
  double value = 0.0;  // leaf value (raw score added), learning rate included
};
using Tree = std::vector<Node>;

struct Split {
  double gain = 0.0;
  std::int32_t feature = -1;
  std::uint8_t bin = 0;
};

double sigmoid(double raw) { return 1.0 / (1.0 + std::exp(-raw)); }

// Grows trees for one training set. Rows are positions into `train`; a node owns the
// range [begin, end) of `order`, which is partitioned (stably) as the tree splits.
class Booster {
 public:
  Booster(const BinnedMatrix& data, std::span<const std::uint8_t> labels, std::span<const std::size_t> train,
          const DomainClassifierOptions& options, StopPoll* poll)
      : data_(data),
        labels_(labels),
        train_(train),
        options_(options),
        poll_(poll),
        gradient_(train.size()),
        hessian_(train.size()),
        raw_(train.size()),
        order_(train.size()),
        histogram_(data.cols * 256 * 3) {
    double positives = 0.0;
    for (const std::size_t row : train) positives += labels[row];
    const double prior = positives / static_cast<double>(train.size());
    // The starting score is the log-odds of the prior (clamped for one-class folds).
    const double clamped = std::clamp(prior, 1e-12, 1 - 1e-12);
    base_ = std::log(clamped / (1 - clamped));
    std::fill(raw_.begin(), raw_.end(), base_);
  }

  double base() const { return base_; }

  Tree grow() {
    for (std::size_t r = 0; r < train_.size(); ++r) {
      const double p = sigmoid(raw_[r]);
      gradient_[r] = p - labels_[train_[r]];
      hessian_[r] = p * (1 - p);
      order_[r] = r;
    }
    Tree tree(1);
    struct Pending {
      std::int32_t node;
      std::size_t begin, end;
    };
    std::vector<Pending> level{{0, 0, train_.size()}};
    for (std::size_t depth = 0; !level.empty(); ++depth) {
      std::vector<Pending> next;
      for (const Pending& item : level) {
        const Split split = depth < options_.max_depth ? best_split(item.begin, item.end) : Split{};
        if (poll_) poll_->poll();
        if (split.feature < 0) {
          make_leaf(tree[item.node], item.begin, item.end);
          continue;
        }
        const auto middle =
            std::stable_partition(order_.begin() + static_cast<std::ptrdiff_t>(item.begin),
                                  order_.begin() + static_cast<std::ptrdiff_t>(item.end),
                                  [&](std::size_t r) { return data_(train_[r], split.feature) <= split.bin; });
        const auto mid = static_cast<std::size_t>(middle - order_.begin());
        const auto left = static_cast<std::int32_t>(tree.size());
        tree.resize(tree.size() + 2);
        tree[item.node].feature = split.feature;
        tree[item.node].split_bin = split.bin;
        tree[item.node].left = left;
        tree[item.node].right = left + 1;
        next.push_back({left, item.begin, mid});
        next.push_back({left + 1, mid, item.end});
      }
      level = std::move(next);
    }
    return tree;
  }

 private:
  // Second-order gain G_L^2/(H_L+l2) + G_R^2/(H_R+l2) - G^2/(H+l2) of the best cut of the
  // node's rows; feature -1 when no cut leaves min_samples_leaf rows on both sides.
  Split best_split(std::size_t begin, std::size_t end) {
    Split best;
    const std::size_t count = end - begin, min_leaf = std::max<std::size_t>(options_.min_samples_leaf, 1);
    if (count < 2 * min_leaf) return best;
    std::fill(histogram_.begin(), histogram_.end(), 0.0);
    double total_g = 0.0, total_h = 0.0;
    for (std::size_t k = begin; k < end; ++k) {
      total_g += gradient_[order_[k]];
      total_h += hessian_[order_[k]];
    }
    for (std::size_t j = 0; j < data_.cols; ++j) {
      double* cells = histogram_.data() + j * 256 * 3;
      const std::uint8_t* column = data_.bins.data() + j * data_.rows;
      for (std::size_t k = begin; k < end; ++k) {
        const std::size_t r = order_[k];
        double* cell = cells + std::size_t{3} * column[train_[r]];
        cell[0] += gradient_[r];
        cell[1] += hessian_[r];
        cell[2] += 1.0;
      }
    }
    const double l2 = options_.l2, parent = total_g * total_g / (total_h + l2);
    for (std::size_t j = 0; j < data_.cols; ++j) {
      const double* cells = histogram_.data() + j * 256 * 3;
      double g = 0.0, h = 0.0, n = 0.0;
      for (std::size_t b = 0; b + 1 < data_.n_bins[j]; ++b) {
        g += cells[3 * b];
        h += cells[3 * b + 1];
        n += cells[3 * b + 2];
        const double right_n = static_cast<double>(count) - n, right_h = total_h - h;
        if (n < static_cast<double>(min_leaf) || right_n < static_cast<double>(min_leaf)) continue;
        if (h < kMinChildHessian || right_h < kMinChildHessian) continue;
        const double right_g = total_g - g;
        const double gain = g * g / (h + l2) + right_g * right_g / (right_h + l2) - parent;
        if (gain > best.gain) best = {gain, static_cast<std::int32_t>(j), static_cast<std::uint8_t>(b)};
      }
    }
    return best;
  }

  void make_leaf(Node& node, std::size_t begin, std::size_t end) {
    double g = 0.0, h = 0.0;
    for (std::size_t k = begin; k < end; ++k) {
      g += gradient_[order_[k]];
      h += hessian_[order_[k]];
    }
    node.value = h + options_.l2 > 0 ? -options_.learning_rate * g / (h + options_.l2) : 0.0;
    for (std::size_t k = begin; k < end; ++k) raw_[order_[k]] += node.value;
  }

  const BinnedMatrix& data_;
  std::span<const std::uint8_t> labels_;
  std::span<const std::size_t> train_;
  const DomainClassifierOptions& options_;
  StopPoll* poll_;
  std::vector<double> gradient_, hessian_, raw_;
  std::vector<std::size_t> order_;
  std::vector<double> histogram_;  // (gradient, hessian, count) per feature and bin
  double base_ = 0.0;
};

double predict(const Tree& tree, const BinnedMatrix& data, std::size_t row) {
  std::int32_t node = 0;
  while (tree[node].feature >= 0)
    node = data(row, static_cast<std::size_t>(tree[node].feature)) <= tree[node].split_bin ? tree[node].left
                                                                                           : tree[node].right;
  return tree[node].value;
}

}  // namespace

BinnedMatrix bin_features(MatrixView data, std::size_t max_bins, int n_jobs, StopPoll* poll) {
  BinnedMatrix out;
  out.rows = data.rows;
  out.cols = data.cols;
  out.bins.resize(data.rows * data.cols);
  out.n_bins.resize(data.cols);
  parallel_for(static_cast<std::ptrdiff_t>(data.cols), resolve_threads(n_jobs), [&](std::ptrdiff_t feature) {
    const auto j = static_cast<std::size_t>(feature);
    std::vector<double> sorted(data.rows);
    for (std::size_t i = 0; i < data.rows; ++i) sorted[i] = data(i, j);
    std::sort(sorted.begin(), sorted.end());
    std::vector<double> distinct(sorted);
    distinct.erase(std::unique(distinct.begin(), distinct.end()), distinct.end());
    std::vector<double> cuts;  // bin b holds cuts[b-1] < v <= cuts[b]
    if (distinct.size() <= max_bins) {
      for (std::size_t k = 1; k < distinct.size(); ++k)
        cuts.push_back(distinct[k - 1] + (distinct[k] - distinct[k - 1]) / 2);
    } else {
      for (std::size_t k = 1; k < max_bins; ++k) {
        const double cut = sorted[k * data.rows / max_bins];
        if (cuts.empty() || cut > cuts.back()) cuts.push_back(cut);
      }
      if (!cuts.empty() && cuts.back() >= distinct.back()) cuts.pop_back();  // keep the top bin non-empty
    }
    out.n_bins[j] = static_cast<std::uint16_t>(cuts.size() + 1);
    for (std::size_t i = 0; i < data.rows; ++i)
      out.bins[j * data.rows + i] =
          static_cast<std::uint8_t>(std::lower_bound(cuts.begin(), cuts.end(), data(i, j)) - cuts.begin());
    if (poll) poll->advance(1);
  });
  return out;
}

std::vector<double> fit_predict(const BinnedMatrix& data, std::span<const std::uint8_t> labels,
                                std::span<const std::size_t> train, std::span<const std::size_t> test,
                                const DomainClassifierOptions& options, StopPoll* poll) {
  Booster booster(data, labels, train, options, poll);
  std::vector<double> raw(test.size(), booster.base());
  for (std::size_t t = 0; t < options.n_trees; ++t) {
    const Tree tree = booster.grow();
    for (std::size_t k = 0; k < test.size(); ++k) raw[k] += predict(tree, data, test[k]);
    if (poll) poll->advance(1);
  }
  for (double& value : raw) value = sigmoid(value);
  return raw;
}

}  // namespace assay::drift::boosting
