#include "assay/explain/simple.hpp"

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <fstream>
#include <iterator>
#include <string>
#include <system_error>

#include "assay/common/error.hpp"
#include "assay/common/limits.hpp"

namespace assay::explain {

namespace {

std::string file_bytes(const std::filesystem::path& path) {
  std::error_code error;
  if (!std::filesystem::is_regular_file(path, error)) {
    throw InvalidArgument("path: " + path.string() + ": no such file");
  }
  const std::uintmax_t size = std::filesystem::file_size(path, error);
  if (error) throw InvalidArgument("path: " + path.string() + ": cannot read the file (" + error.message() + ")");
  require_fits("path", size, "the model file " + path.string());
  std::ifstream file(path, std::ios::binary);
  std::string bytes(static_cast<std::size_t>(size), '\0');
  if (!file || !file.read(bytes.data(), static_cast<std::streamsize>(size))) {
    throw InvalidArgument("path: " + path.string() + ": cannot read the file");
  }
  return bytes;
}

}  // namespace

TreeEnsemble load_model(const std::filesystem::path& path) {
  std::string extension = path.extension().string();
  std::transform(extension.begin(), extension.end(), extension.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (extension != ".json" && extension != ".ubj" && extension != ".txt") {
    throw InvalidArgument("path: " + path.string() + ": unsupported model file type '" + extension +
                          "'; use .json (XGBoost JSON), .ubj (XGBoost UBJSON) or .txt (LightGBM text)");
  }
  const std::string bytes = file_bytes(path);
  if (extension == ".json") return load_xgboost_json(bytes);
  if (extension == ".ubj") return load_xgboost_ubjson(bytes);
  return load_lightgbm_text(bytes);
}

std::vector<double> shap_values(const TreeEnsemble& ensemble, const TableView& X, const ShapOptions& options,
                                const Progress& progress) {
  const std::uint64_t n_values = saturating_product(
      {X.n_rows(), static_cast<std::uint64_t>(ensemble.n_features), static_cast<std::uint64_t>(ensemble.n_outputs)});
  require_fits("X", saturating_product({n_values, sizeof(double)}), "the SHAP values");
  std::vector<double> out(static_cast<std::size_t>(n_values));
  shap_values(ensemble, X, out, options, progress);
  return out;
}

}  // namespace assay::explain
