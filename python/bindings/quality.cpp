// Bindings of the data-quality engine (assay/quality) and the sketches it stores.
#include <utility>

#include "assay/common/fingerprint.hpp"
#include "assay/quality/check.hpp"
#include "assay/quality/check_state.hpp"
#include "assay/quality/profile.hpp"
#include "assay/quality/sketch.hpp"
#include "common.hpp"

namespace assay::bindings {

namespace {

template <class Value>
py::list table_entries(const quality::ValueTable<Value>& table) {
  py::list out;
  for (const auto& e : table.entries) out.append(py::make_tuple(e.value, e.count));
  return out;
}

template <class Value>
void set_table_entries(quality::ValueTable<Value>& table, const std::vector<std::pair<Value, std::int64_t>>& entries) {
  table.entries.clear();
  for (const auto& [value, count] : entries) table.entries.push_back({value, count});
}

// Properties shared by both profile kinds.
template <class Profile>
void bind_profile_common(py::class_<Profile>& cls) {
  using Value = decltype(std::declval<Profile&>().values.entries)::value_type;
  using ValueType = decltype(std::declval<Value&>().value);
  cls.def(py::init<>())
      .def_readwrite("name", &Profile::name)
      .def_readwrite("count", &Profile::count)
      .def_readwrite("missing", &Profile::missing)
      .def_readwrite("distinct", &Profile::distinct)
      .def_readwrite("distinct_exact", &Profile::distinct_exact)
      .def_readwrite("distinct_sketch", &Profile::distinct_sketch)
      .def_property(
          "values", [](const Profile& p) { return table_entries(p.values); },
          [](Profile& p, const std::vector<std::pair<ValueType, std::int64_t>>& e) { set_table_entries(p.values, e); },
          "Most frequent values as (value, count), by descending count.")
      .def_property(
          "values_complete", [](const Profile& p) { return p.values.complete; },
          [](Profile& p, bool complete) { p.values.complete = complete; },
          "True when `values` lists every distinct value.")
      .def_property(
          "values_count_error", [](const Profile& p) { return p.values.count_error; },
          [](Profile& p, std::int64_t error) { p.values.count_error = error; },
          "How far below its true count any value's count in `values` may be (0: exact).");
}

}  // namespace

void bind_quality(py::module_& m) {
  py::class_<QuantileSummary>(m, "QuantileSummary")
      .def_static("from_points", &QuantileSummary::from_points, py::arg("values"), py::arg("weights"),
                  py::arg("rank_error"), py::arg("capacity") = QuantileSummary::kDefaultCapacity)
      .def_property_readonly("values", &QuantileSummary::values)
      .def_property_readonly("weights", &QuantileSummary::weights)
      .def_property_readonly("rank_error", &QuantileSummary::rank_error)
      .def_property_readonly("capacity", &QuantileSummary::capacity)
      .def("quantile", &QuantileSummary::quantile, py::arg("p"));

  py::class_<HyperLogLog>(m, "HyperLogLog")
      .def(py::init<int>(), py::arg("precision") = HyperLogLog::kDefaultPrecision)
      .def_static(
          "from_registers",
          [](const py::bytes& data) {
            const std::string raw = data;
            return HyperLogLog::from_registers(std::vector<std::uint8_t>(raw.begin(), raw.end()));
          },
          py::arg("data"))
      .def_property_readonly("registers",
                             [](const HyperLogLog& h) {
                               const auto& r = h.registers();
                               return py::bytes(reinterpret_cast<const char*>(r.data()), r.size());
                             })
      .def_property_readonly("precision", &HyperLogLog::precision)
      .def("estimate", &HyperLogLog::estimate);

  using quality::CategoricalProfile;
  using quality::NumericProfile;
  py::class_<NumericProfile> numeric(m, "NumericProfile");
  bind_profile_common(numeric);
  numeric.def_readwrite("infinities", &NumericProfile::infinities)
      .def_readwrite("zeros", &NumericProfile::zeros)
      .def_readwrite("negatives", &NumericProfile::negatives)
      .def_readwrite("min", &NumericProfile::min)
      .def_readwrite("max", &NumericProfile::max)
      .def_readwrite("mean", &NumericProfile::mean)
      .def_readwrite("m2", &NumericProfile::m2)
      .def_readwrite("scale", &NumericProfile::scale)
      .def_readwrite("sum", &NumericProfile::sum)
      .def_readwrite("sum_low", &NumericProfile::sum_low)
      .def_property_readonly("variance", &NumericProfile::variance)
      .def_property_readonly("std", &NumericProfile::std_dev)
      .def_readwrite("quantiles", &NumericProfile::quantiles)
      .def_readwrite("quantiles_exact", &NumericProfile::quantiles_exact)
      .def_readwrite("histogram_edges", &NumericProfile::histogram_edges)
      .def_readwrite("histogram_counts", &NumericProfile::histogram_counts)
      .def_readwrite("histogram_exact", &NumericProfile::histogram_exact)
      .def_readwrite("summary", &NumericProfile::summary);

  py::class_<CategoricalProfile> categorical(m, "CategoricalProfile");
  bind_profile_common(categorical);

  py::class_<quality::TableProfile>(m, "TableProfile")
      .def(py::init<>())
      .def_readwrite("exact", &quality::TableProfile::exact)
      .def_readwrite("numeric", &quality::TableProfile::numeric)
      .def_readwrite("categorical", &quality::TableProfile::categorical)
      .def_readwrite("column_order", &quality::TableProfile::column_order);

  py::class_<quality::ProfileOptions>(m, "ProfileOptions")
      .def(py::init<>())
      .def_readwrite("histogram_bins", &quality::ProfileOptions::histogram_bins)
      .def_readwrite("tracked_values", &quality::ProfileOptions::tracked_values)
      .def_readwrite("summary_capacity", &quality::ProfileOptions::summary_capacity)
      .def_readwrite("hll_precision", &quality::ProfileOptions::hll_precision)
      .def_readwrite("exact", &quality::ProfileOptions::exact);
  m.attr("MAX_HISTOGRAM_BINS") = quality::kMaxHistogramBins;
  m.attr("MAX_LEAKAGE_BINS") = quality::kMaxLeakageBins;
  m.attr("MAX_INTEGER_CLASSES") = quality::kMaxIntegerClasses;
  m.def("validate_profile_options", [](const quality::ProfileOptions& o) { quality::validate(o); }, py::arg("options"));
  m.def("validate_profile", [](const quality::TableProfile& t) { quality::validate(t); }, py::arg("profile"));
  m.attr("PROFILE_QUANTILES") =
      py::cast(std::vector<double>(quality::kProfileQuantiles.begin(), quality::kProfileQuantiles.end()));

  m.def(
      "profile",
      [](const py::list& columns, const quality::ProfileOptions& options, int n_jobs) {
        Table table = to_table(columns);
        py::gil_scoped_release release;
        return quality::profile_table(table.view, options, n_jobs);
      },
      py::arg("columns"), py::arg("options"), py::arg("n_jobs"));
  m.def(
      "merge_profiles",
      [](const quality::TableProfile& a, const quality::TableProfile& b, const quality::ProfileOptions& options) {
        py::gil_scoped_release release;
        return quality::merge(a, b, options);
      },
      py::arg("a"), py::arg("b"), py::arg("options"));

  py::class_<quality::TableSketch> table_sketch_class(
      m, "TableSketch", "The one-pass, mergeable state of a sketch-mode profile (quality/sketch.hpp).");
  table_sketch_class.def_readonly("column_order", &quality::TableSketch::column_order);
  def_bytes(
      table_sketch_class, [](const quality::TableSketch& s) { return quality::to_bytes(s); },
      [](const std::string& raw) { return quality::table_sketch_from_bytes(raw); });
  m.def(
      "sketch",
      [](const py::list& columns, const quality::ProfileOptions& options, int n_jobs) {
        Table table = to_table(columns);
        py::gil_scoped_release release;
        return quality::sketch_table(table.view, options, n_jobs);
      },
      py::arg("columns"), py::arg("options"), py::arg("n_jobs"));
  m.def(
      "merge_sketches",
      [](const quality::TableSketch& a, const quality::TableSketch& b) {
        py::gil_scoped_release release;
        return quality::merge(a, b);
      },
      py::arg("a"), py::arg("b"));
  m.def(
      "sketch_profile",
      [](const quality::TableSketch& s, const quality::ProfileOptions& options) {
        py::gil_scoped_release release;
        return quality::to_profile(s, options);
      },
      py::arg("sketch"), py::arg("options"));

  py::native_enum<quality::Severity>(m, "Severity", "enum.Enum")
      .value("info", quality::Severity::info)
      .value("warning", quality::Severity::warning)
      .value("error", quality::Severity::error)
      .finalize();

  py::class_<quality::Finding>(m, "Finding")
      .def(py::init<>())
      .def_readwrite("check", &quality::Finding::check)
      .def_readwrite("column", &quality::Finding::column)
      .def_readwrite("severity", &quality::Finding::severity)
      .def_readwrite("value", &quality::Finding::value)
      .def_readwrite("threshold", &quality::Finding::threshold)
      .def_readwrite("message", &quality::Finding::message)
      .def_readwrite("rows", &quality::Finding::rows)
      .def_readwrite("lower", &quality::Finding::lower)
      .def_readwrite("upper", &quality::Finding::upper);

  py::native_enum<quality::LeakageDecision>(m, "LeakageDecision", "enum.Enum",
                                            "What the target-leakage check compares with its threshold.")
      .value("bound", quality::LeakageDecision::bound)
      .value("point", quality::LeakageDecision::point)
      .finalize();

  py::native_enum<quality::OutlierMethod>(m, "OutlierMethod", "enum.Enum",
                                          "Which rule the outlier check reports findings by.")
      .value("iqr", quality::OutlierMethod::iqr)
      .value("mad", quality::OutlierMethod::mad)
      .finalize();

  py::class_<quality::Measure>(m, "Measure")
      .def_readonly("check", &quality::Measure::check)
      .def_readonly("column", &quality::Measure::column)
      .def_readonly("value", &quality::Measure::value)
      .def_readonly("lower", &quality::Measure::lower)
      .def_readonly("upper", &quality::Measure::upper)
      .def_readonly("note", &quality::Measure::note);

  using quality::CheckOptions;
  py::class_<CheckOptions>(m, "CheckOptions")
      .def(py::init<>())
      .def_readwrite("missing_warning", &CheckOptions::missing_warning)
      .def_readwrite("missing_error", &CheckOptions::missing_error)
      .def_readwrite("near_constant", &CheckOptions::near_constant)
      .def_readwrite("high_cardinality", &CheckOptions::high_cardinality)
      .def_readwrite("high_cardinality_ratio", &CheckOptions::high_cardinality_ratio)
      .def_readwrite("outlier_iqr_k", &CheckOptions::outlier_iqr_k)
      .def_readwrite("outlier_mad_z", &CheckOptions::outlier_mad_z)
      .def_readwrite("outlier_rate", &CheckOptions::outlier_rate)
      .def_readwrite("outlier_method", &CheckOptions::outlier_method)
      .def_readwrite("imbalance_below", &CheckOptions::imbalance_below)
      .def_readwrite("leakage", &CheckOptions::leakage)
      .def_readwrite("leakage_min_support", &CheckOptions::leakage_min_support)
      .def_readwrite("leakage_bins", &CheckOptions::leakage_bins)
      .def_readwrite("leakage_decision", &CheckOptions::leakage_decision)
      .def_readwrite("leakage_confidence", &CheckOptions::leakage_confidence)
      .def_readwrite("leakage_exclude", &CheckOptions::leakage_exclude)
      .def_readwrite("max_examples", &CheckOptions::max_examples);

  m.def("validate_check_options", [](const CheckOptions& o) { quality::validate(o); }, py::arg("options"));

  using quality::ColumnRule;
  py::class_<ColumnRule>(m, "ColumnRule")
      .def(py::init<>())
      .def_readwrite("column", &ColumnRule::column)
      .def_readwrite("nullable", &ColumnRule::nullable)
      .def_readwrite("min", &ColumnRule::min)
      .def_readwrite("max", &ColumnRule::max)
      .def_readwrite("allowed_labels", &ColumnRule::allowed_labels)
      .def_readwrite("allowed_values", &ColumnRule::allowed_values)
      .def_readwrite("unique", &ColumnRule::unique)
      .def_readwrite("max_missing", &ColumnRule::max_missing);

  py::class_<TableFingerprint>(m, "TableFingerprint")
      .def_readonly("sum", &TableFingerprint::sum)
      .def_readonly("xor", &TableFingerprint::exclusive_or)
      .def_readonly("rows", &TableFingerprint::rows)
      .def_readonly("columns", &TableFingerprint::columns);
  m.def(
      "table_fingerprint",
      [](const py::list& columns, int n_jobs) {
        Table table = to_table(columns);
        py::gil_scoped_release release;
        return fingerprint_table(table.view, n_jobs);
      },
      py::arg("columns"), py::arg("n_jobs"), "The content fingerprint of a table, independent of row order.");
  m.def(
      "merge_fingerprints", [](const TableFingerprint& a, const TableFingerprint& b) { return merge(a, b); },
      py::arg("a"), py::arg("b"), "The fingerprint of the rows of both tables.");

  py::class_<quality::CheckResult>(m, "CheckResult")
      .def_readonly("profile", &quality::CheckResult::profile)
      .def_readonly("findings", &quality::CheckResult::findings)
      .def_readonly("measures", &quality::CheckResult::measures)
      .def_readonly("fingerprint", &quality::CheckResult::fingerprint);

  m.def(
      "check",
      [](const py::list& columns, const std::string& target, const py::object& reference,
         const std::vector<ColumnRule>& rules, const CheckOptions& options,
         const quality::ProfileOptions& profile_options, int n_jobs, const py::object& progress) {
        Table data = to_table(columns);
        Table reference_table;
        const bool has_reference = !reference.is_none();
        if (has_reference) reference_table = to_table(reference.cast<py::list>());
        const Progress report = make_progress(progress);
        py::gil_scoped_release release;
        return quality::check(data.view, target, has_reference ? &reference_table.view : nullptr, rules, options,
                              profile_options, n_jobs, report);
      },
      py::arg("columns"), py::arg("target"), py::arg("reference"), py::arg("rules"), py::arg("options"),
      py::arg("profile_options"), py::arg("n_jobs"), py::arg("progress"));

  py::class_<quality::CheckState> check_state_class(
      m, "CheckState", "The mergeable state of the one-pass sketch-mode check (quality/check_state.hpp).");
  check_state_class.def_readonly("rows", &quality::CheckState::rows)
      .def_readonly("column_order", &quality::CheckState::column_order);
  def_bytes(
      check_state_class, [](const quality::CheckState& s) { return quality::to_bytes(s); },
      [](const std::string& raw) { return quality::check_state_from_bytes(raw); });
  m.def(
      "check_state",
      [](const py::list& columns, const std::string& target, const std::vector<ColumnRule>& rules,
         const CheckOptions& options, const quality::ProfileOptions& profile_options, int n_jobs) {
        Table data = to_table(columns);
        py::gil_scoped_release release;
        return quality::check_state(data.view, target, rules, options, profile_options, n_jobs);
      },
      py::arg("columns"), py::arg("target"), py::arg("rules"), py::arg("options"), py::arg("profile_options"),
      py::arg("n_jobs"));
  m.def(
      "merge_check_states",
      [](const quality::CheckState& a, const quality::CheckState& b) {
        py::gil_scoped_release release;
        return quality::merge(a, b);
      },
      py::arg("a"), py::arg("b"));
  m.def(
      "outlier_fences",
      [](const quality::CheckState& state, const CheckOptions& options,
         const quality::ProfileOptions& profile_options) {
        std::vector<std::tuple<std::string, double, double>> fences;
        for (const auto& f : quality::outlier_fences(state, options, profile_options)) {
          fences.emplace_back(f.column, f.low, f.high);
        }
        return fences;
      },
      py::arg("state"), py::arg("options"), py::arg("profile_options"),
      "(column, low, high) of each outlier finding finish_check reports, in its order.");
  m.def(
      "first_rows_outside",
      [](const py::list& columns, const std::vector<std::tuple<std::string, double, double>>& fences,
         std::int64_t limit) {
        Table data = to_table(columns);
        std::vector<quality::OutlierFence> outlier_fences;
        outlier_fences.reserve(fences.size());
        for (const auto& [name, low, high] : fences) outlier_fences.push_back({name, low, high});
        py::gil_scoped_release release;
        return quality::first_rows_outside(data.view, outlier_fences, limit);
      },
      py::arg("columns"), py::arg("fences"), py::arg("limit"),
      "Per fence, the first `limit` rows of its column with a finite value outside [low, high].");
  m.def(
      "finish_check",
      [](const quality::CheckState& data, const std::optional<quality::CheckState>& reference,
         const std::vector<ColumnRule>& rules, const CheckOptions& options,
         const quality::ProfileOptions& profile_options, const std::vector<std::vector<std::int64_t>>& outlier_rows) {
        py::gil_scoped_release release;
        return quality::finish_check(data, reference ? &*reference : nullptr, rules, options, profile_options,
                                     outlier_rows);
      },
      py::arg("data"), py::arg("reference"), py::arg("rules"), py::arg("options"), py::arg("profile_options"),
      py::arg("outlier_rows"));

  py::class_<quality::LeakageScore>(m, "LeakageScore")
      .def_readonly("point", &quality::LeakageScore::point)
      .def_readonly("out_of_sample", &quality::LeakageScore::out_of_sample)
      .def_readonly("lower", &quality::LeakageScore::lower)
      .def_readonly("upper", &quality::LeakageScore::upper);

  m.def(
      "leakage_scores",
      [](const py::list& columns, const std::string& target, const CheckOptions& options, int n_jobs) {
        Table data = to_table(columns);
        py::gil_scoped_release release;
        return quality::leakage_scores(data.view, target, options, n_jobs);
      },
      py::arg("columns"), py::arg("target"), py::arg("options"), py::arg("n_jobs"),
      "The target-leakage score of every column but the target: (name, LeakageScore) pairs.");

  m.def("label_variants", &quality::label_variants, py::arg("labels"),
        "Groups of labels that differ only in case or whitespace.");
}

}  // namespace assay::bindings
