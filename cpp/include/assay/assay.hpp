#pragma once
// Umbrella header: the whole public C++ API of assay.
#include "assay/common/error.hpp"
#include "assay/common/hash.hpp"
#include "assay/common/parallel.hpp"
#include "assay/common/progress.hpp"
#include "assay/common/quantile_summary.hpp"
#include "assay/common/rng.hpp"
#include "assay/common/sort.hpp"
#include "assay/common/table.hpp"
#include "assay/quality/check.hpp"
#include "assay/quality/profile.hpp"
