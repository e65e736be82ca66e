#pragma once
// Analytic confidence intervals that more than one engine uses.
//  - The standard normal quantile (Acklam's rational approximation, refined with one
//    Halley step on erfc; |error| < 1e-15 in double).
//  - Wilson score interval for a proportion x/n (Wilson 1927).
// Counts must be finite, non-negative whole numbers with successes <= trials, else
// InvalidArgument naming the argument; z must be finite and positive. n = 0 (no trials)
// gives NaN bounds.
namespace assay {

struct Interval {
  double low, high;
};

// p in (0, 1).
double normal_quantile(double p);

// [low, high] clipped to [0, 1]; with z the normal quantile of level c, each bound is a
// one-sided bound at level c and the pair a two-sided interval at level 2c - 1.
Interval wilson(double successes, double trials, double z);

// The checks of wilson's arguments, for intervals built on it: InvalidArgument naming
// x_name / n_name, or "z".
void check_proportion(double successes, double trials, const char* x_name, const char* n_name);
void check_normal_z(double z);

}  // namespace assay
