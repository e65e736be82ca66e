#pragma once
// Analytic confidence intervals for rates and their comparisons.
//  - Wilson score interval for a proportion x/n (Wilson 1927), and the normal quantile:
//    in common/intervals.hpp, which the quality engine shares.
//  - Newcombe's hybrid score interval for a difference of proportions p1 - p2, built
//    from the two Wilson intervals (Newcombe 1998, method 10).
//  - Katz's log interval for a ratio of proportions p1 / p2 (Katz et al. 1978):
//    exp(ln(p1/p2) +- z sqrt((1-p1)/x1 + (1-p2)/x2)).
// Counts must be finite, non-negative whole numbers with successes <= trials, else
// InvalidArgument naming the argument (successes / trials, x1 / n1 / x2 / n2); z must be
// finite and positive. Valid but undefined cases give NaN bounds: n = 0 (Wilson,
// Newcombe: no trials); x1 = 0 or x2 = 0 (Katz, whose variance has the counts in
// denominators).
#include "assay/common/intervals.hpp"

namespace assay::fairness {

using assay::Interval;
using assay::normal_quantile;
using assay::wilson;

Interval newcombe(double x1, double n1, double x2, double n2, double z);
Interval katz(double x1, double n1, double x2, double n2, double z);

}  // namespace assay::fairness
