// XGBoost's JSON model format (Booster.save_raw("json"), XGBoost 1.6 and later), and
// the same document in UBJSON (Booster.save_raw("ubj"), .ubj files).
//
// Splits: a row goes left when float32(x) < threshold (XGBoost compares in float32);
// categorical splits list the categories that go right; missing values follow
// default_left. Covers are the hessian sums ("sum_hessian"). The base score is stored
// in the objective's output space and turned into a margin here (logit for logistic
// objectives, log for log-link ones, unchanged otherwise).
#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <string>
#include <vector>

#include "assay/common/error.hpp"
#include "assay/explain/tree_ensemble.hpp"
#include "json.hpp"
#include "model_file.hpp"

namespace assay::explain {

namespace {

using json::Value;

// The pool of categorical bitsets holds at most this many words (256 MiB).
constexpr std::size_t kMaxCategoryWords = std::size_t{1} << 26;

[[noreturn]] void bad(const std::string& message) { throw InvalidArgument("XGBoost model: " + message); }

const Value& member(const Value& object, std::string_view key, const std::string& where) {
  if (object.kind != Value::Kind::object) bad(where + " is not an object");
  const Value* value = object.find(key);
  if (value == nullptr) bad(where + " has no '" + std::string(key) + "'");
  return *value;
}

// XGBoost writes parameters as strings ("0.5", "[1E-1,2E-1]"); accept numbers too.
std::vector<double> numbers_of(const Value& value, const std::string& where) {
  std::vector<double> out;
  if (value.kind == Value::Kind::number) return {value.number};
  if (value.kind == Value::Kind::array) {
    for (const Value& item : value.items) {
      if (item.kind != Value::Kind::number) bad(where + " holds a non-number");
      out.push_back(item.number);
    }
    return out;
  }
  if (value.kind != Value::Kind::string) bad(where + " is not a number");
  std::string text = value.text;
  for (char& c : text) {
    if (c == '[' || c == ']' || c == ',') c = ' ';
  }
  const char* p = text.c_str();
  while (true) {
    while (*p == ' ') ++p;
    if (*p == '\0') break;
    char* end = nullptr;
    const double number = std::strtod(p, &end);
    if (end == p) bad(where + " is not a number: '" + value.text + "'");
    out.push_back(number);
    p = end;
  }
  if (out.empty()) bad(where + " is empty");
  return out;
}

long integer_of(const Value& value, const std::string& where) {
  const auto numbers = numbers_of(value, where);
  if (numbers.size() != 1 || numbers[0] != std::floor(numbers[0]) || std::fabs(numbers[0]) > 1e9) {
    bad(where + " is not an integer");
  }
  return static_cast<long>(numbers[0]);
}

std::vector<double> array_of(const Value& tree, std::string_view key, std::size_t expected, const std::string& where) {
  const Value& value = member(tree, key, where);
  if (value.kind != Value::Kind::array) bad(where + "." + std::string(key) + " is not an array");
  auto out = numbers_of(value, where + "." + std::string(key));
  if (expected != static_cast<std::size_t>(-1) && out.size() != expected) {
    bad(where + "." + std::string(key) + " has " + std::to_string(out.size()) + " entries, expected " +
        std::to_string(expected));
  }
  return out;
}

double margin_of_base_score(const std::string& objective, double base_score) {
  if (objective == "binary:logistic" || objective == "reg:logistic") {
    if (!(base_score > 0 && base_score < 1)) bad("base_score must lie in (0, 1) for " + objective);
    return std::log(base_score / (1 - base_score));
  }
  if (objective == "count:poisson" || objective == "reg:gamma" || objective == "reg:tweedie" ||
      objective == "survival:cox" || objective == "survival:aft") {
    if (!(base_score > 0)) bad("base_score must be positive for " + objective);
    return std::log(base_score);
  }
  return base_score;
}

void add_tree(TreeEnsemble& ensemble, const Value& tree, std::size_t index, int group, double weight) {
  const std::string where = "trees[" + std::to_string(index) + "]";
  const Value& params = member(tree, "tree_param", where);
  const long n_nodes = integer_of(member(params, "num_nodes", where + ".tree_param"), where + ".tree_param.num_nodes");
  if (n_nodes < 1) bad(where + " has no nodes");
  const Value* leaf_size = params.find("size_leaf_vector");
  if (leaf_size != nullptr && integer_of(*leaf_size, where + ".tree_param.size_leaf_vector") > 1) {
    bad(where + " has vector leaves (multi_strategy='multi_output_tree'), which assay does not read yet");
  }
  const auto n = static_cast<std::size_t>(n_nodes);
  const auto left = array_of(tree, "left_children", n, where);
  const auto right = array_of(tree, "right_children", n, where);
  const auto feature = array_of(tree, "split_indices", n, where);
  const auto condition = array_of(tree, "split_conditions", n, where);
  const auto default_left = array_of(tree, "default_left", n, where);
  const auto hessian = array_of(tree, "sum_hessian", n, where);
  std::vector<double> split_type(n, 0.0);
  if (tree.find("split_type") != nullptr) split_type = array_of(tree, "split_type", n, where);

  const std::int64_t first = static_cast<std::int64_t>(ensemble.nodes.size());
  detail::check_leaf_value_entries(ensemble.nodes.size() + n, static_cast<std::size_t>(ensemble.n_outputs));
  for (std::size_t i = 0; i < n; ++i) {
    Node node;
    if (left[i] == -1) {
      if (right[i] != -1) bad(where + ", node " + std::to_string(i) + " has only one child");
    } else {
      for (double child : {left[i], right[i]}) {
        if (!(child >= 0 && child < static_cast<double>(n)) || child != std::floor(child)) {
          bad(where + ", node " + std::to_string(i) + " has a child id out of range");
        }
      }
      if (!(feature[i] >= 0 && feature[i] < ensemble.n_features) || feature[i] != std::floor(feature[i])) {
        bad(where + ", node " + std::to_string(i) + " splits on a feature out of range");
      }
      node.left = static_cast<std::int32_t>(left[i]);
      node.right = static_cast<std::int32_t>(right[i]);
      node.feature = static_cast<std::int32_t>(feature[i]);
      node.threshold = static_cast<double>(static_cast<float>(condition[i]));
    }
    // XGBoost stores these in float32: round the JSON's decimal text to the float it
    // denotes, so that JSON and UBJSON give the same model.
    node.cover = static_cast<float>(hessian[i]);
    node.default_left = default_left[i] != 0;
    node.comparison = Comparison::less;
    node.float32_compare = true;
    node.missing = MissingType::nan_default;
    node.categorical = node.left >= 0 && split_type[i] == 1;
    node.categories_go_left = false;  // XGBoost: listed categories go right
    ensemble.nodes.push_back(node);
    for (int k = 0; k < ensemble.n_outputs; ++k) {
      ensemble.leaf_values.push_back(node.left < 0 && k == group ? static_cast<float>(condition[i]) * weight : 0.0);
    }
  }

  // Categorical splits: categories_nodes[j] lists categories[segments[j], +sizes[j]).
  std::vector<std::uint8_t> listed(n, 0);
  if (const Value* cat_nodes_value = tree.find("categories_nodes");
      cat_nodes_value != nullptr && !cat_nodes_value->items.empty()) {
    const auto cat_nodes = array_of(tree, "categories_nodes", -1, where);
    const auto segments = array_of(tree, "categories_segments", cat_nodes.size(), where);
    const auto sizes = array_of(tree, "categories_sizes", cat_nodes.size(), where);
    const auto categories = array_of(tree, "categories", -1, where);
    for (std::size_t j = 0; j < cat_nodes.size(); ++j) {
      const double id = cat_nodes[j];
      if (!(id >= 0 && id < static_cast<double>(n)) || segments[j] < 0 || sizes[j] < 0 ||
          segments[j] + sizes[j] > static_cast<double>(categories.size())) {
        bad(where + ".categories_nodes[" + std::to_string(j) + "] is out of range");
      }
      Node& node = ensemble.nodes[first + static_cast<std::int64_t>(id)];
      if (!node.categorical || listed[static_cast<std::size_t>(id)]) {
        bad(where + ", node " + std::to_string(static_cast<long>(id)) + " is not categorical or listed twice");
      }
      listed[static_cast<std::size_t>(id)] = 1;
      double largest = -1;
      const auto begin = static_cast<std::size_t>(segments[j]);
      const auto end = begin + static_cast<std::size_t>(sizes[j]);
      for (std::size_t c = begin; c < end; ++c) {
        if (!(categories[c] >= 0 && categories[c] < 1e8) || categories[c] != std::floor(categories[c])) {
          bad(where + " has an invalid category " + std::to_string(categories[c]));
        }
        largest = std::max(largest, categories[c]);
      }
      const auto words = static_cast<std::size_t>(largest + 1 + 31) / 32;
      if (ensemble.category_bits.size() + words > kMaxCategoryWords) {
        throw ResourceLimit("XGBoost model: the category sets need more than " + std::to_string(kMaxCategoryWords) +
                            " bitset words");
      }
      node.category_offset = static_cast<std::int32_t>(ensemble.category_bits.size());
      node.category_words = static_cast<std::int32_t>(words);
      ensemble.category_bits.resize(ensemble.category_bits.size() + node.category_words, 0u);
      for (std::size_t c = begin; c < end; ++c) {
        const auto category = static_cast<std::uint32_t>(categories[c]);
        ensemble.category_bits[node.category_offset + category / 32] |= 1u << (category % 32);
      }
    }
  }
  for (std::size_t i = 0; i < n; ++i) {
    if (ensemble.nodes[first + i].categorical && !listed[i]) {
      bad(where + ", node " + std::to_string(i) + " is categorical but lists no categories");
    }
  }
  ensemble.tree_offsets.push_back(static_cast<std::int64_t>(ensemble.nodes.size()));
}

// The IR of a parsed model document (the same tree from JSON and from UBJSON).
TreeEnsemble ensemble_of(const Value& document, double missing) {
  const Value& learner = member(document, "learner", "the document");
  const Value& params = member(learner, "learner_model_param", "learner");
  TreeEnsemble ensemble;
  ensemble.source = "xgboost";
  ensemble.cover_kind = CoverKind::hessian;
  const long n_features = integer_of(member(params, "num_feature", "learner_model_param"), "num_feature");
  if (n_features < 1 || n_features > INT32_MAX) bad("num_feature is out of range");
  ensemble.n_features = static_cast<std::int32_t>(n_features);
  long n_class = 0, n_target = 1;
  if (const Value* v = params.find("num_class")) n_class = integer_of(*v, "num_class");
  if (const Value* v = params.find("num_target")) n_target = integer_of(*v, "num_target");
  if (n_class < 0 || n_target < 1 || n_class > 100000 || n_target > 100000) bad("num_class/num_target out of range");
  ensemble.n_outputs = static_cast<std::int32_t>(std::max({n_class, n_target, 1L}));

  const Value& objective = member(learner, "objective", "learner");
  ensemble.objective = detail::printable(member(objective, "name", "learner.objective").text);

  const Value& booster = member(learner, "gradient_booster", "learner");
  const std::string booster_name = member(booster, "name", "gradient_booster").text;
  const Value* model = nullptr;
  std::vector<double> tree_weights;
  if (booster_name == "gbtree") {
    model = &member(booster, "model", "gradient_booster");
  } else if (booster_name == "dart") {
    model = &member(member(booster, "gbtree", "gradient_booster"), "model", "gradient_booster.gbtree");
    tree_weights = array_of(booster, "weight_drop", -1, "gradient_booster");
  } else {
    bad("booster '" + booster_name + "' is not a tree booster");
  }
  const Value& trees = member(*model, "trees", "model");
  if (trees.kind != Value::Kind::array) bad("model.trees is not an array");
  const auto tree_info = array_of(*model, "tree_info", trees.items.size(), "model");
  if (!tree_weights.empty() && tree_weights.size() != trees.items.size()) bad("weight_drop does not match the trees");

  const auto base_scores = numbers_of(member(params, "base_score", "learner_model_param"), "base_score");
  if (base_scores.size() != 1 && base_scores.size() != static_cast<std::size_t>(ensemble.n_outputs)) {
    bad("base_score has " + std::to_string(base_scores.size()) + " entries for " + std::to_string(ensemble.n_outputs) +
        " outputs");
  }
  for (int k = 0; k < ensemble.n_outputs; ++k) {
    const double score = static_cast<float>(base_scores.size() == 1 ? base_scores[0] : base_scores[k]);
    ensemble.base_values.push_back(margin_of_base_score(ensemble.objective, score));
  }

  for (std::size_t t = 0; t < trees.items.size(); ++t) {
    const double group = tree_info[t];
    if (!(group >= 0 && group < ensemble.n_outputs) || group != std::floor(group)) {
      bad("tree_info[" + std::to_string(t) + "] is out of range");
    }
    add_tree(ensemble, trees.items[t], t, static_cast<int>(group), tree_weights.empty() ? 1.0 : tree_weights[t]);
  }
  if (!std::isnan(missing)) {
    // XGBoost drops the entries equal to the sentinel (compared in float32) from its
    // DMatrix: they take the default child at every split, as NaN does.
    for (Node& node : ensemble.nodes) {
      node.missing = MissingType::nan_or_value_default;
      node.missing_value = std::fabs(missing) > std::numeric_limits<float>::max()
                               ? static_cast<float>(std::copysign(INFINITY, missing))
                               : static_cast<float>(missing);
    }
  }
  ensemble.finalize();
  ensemble.check_covers();
  return ensemble;
}

}  // namespace

TreeEnsemble load_xgboost_json(std::string_view text, double missing) {
  return detail::load_model_file("XGBoost model",
                                 [&] { return ensemble_of(json::parse(text, "XGBoost model"), missing); });
}

TreeEnsemble load_xgboost_ubjson(std::string_view bytes, double missing) {
  return detail::load_model_file("XGBoost model",
                                 [&] { return ensemble_of(json::parse_ubjson(bytes, "XGBoost model"), missing); });
}

}  // namespace assay::explain
