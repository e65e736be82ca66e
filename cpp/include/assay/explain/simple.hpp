#pragma once
// One-call explanation for C++ programs: a tree model read from its file, and the SHAP
// values of a table of rows as a vector.
//
// Thin wrappers over tree_ensemble.hpp's loaders and tree_shap.hpp's shap_values: the
// file's extension picks the loader (as assay.audit does in Python), and the values are
// those functions' with their errors.
#include <filesystem>
#include <vector>

#include "assay/common/progress.hpp"
#include "assay/common/table.hpp"
#include "assay/explain/tree_ensemble.hpp"
#include "assay/explain/tree_shap.hpp"

namespace assay::explain {

// Reads a model file by its extension (any case): `.json` an XGBoost JSON model
// (load_xgboost_json), `.ubj` an XGBoost UBJSON model (load_xgboost_ubjson), `.txt` a
// LightGBM text model (load_lightgbm_text); all save_model formats of those libraries.
// Throws InvalidArgument naming `path` when the file does not exist, cannot be read or
// has another extension, and the loader's UnsupportedModel / ResourceLimit when its
// content is not a model assay reads.
TreeEnsemble load_model(const std::filesystem::path& path);

// SHAP values of every row of X (tree_shap.hpp's shap_values), returned as a vector of
// X.n_rows() * ensemble.n_features * ensemble.n_outputs values laid out (row, feature,
// output). Throws ResourceLimit naming X when that many values would not fit in memory.
std::vector<double> shap_values(const TreeEnsemble& ensemble, const TableView& X, const ShapOptions& options = {},
                                const Progress& progress = {});

}  // namespace assay::explain
