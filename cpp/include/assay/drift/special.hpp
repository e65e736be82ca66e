#pragma once
// Distribution functions the drift tests need for their p-values.
//
// Each returns a probability in [0, 1] accurate to a few ulps of relative error where
// the value is representable, including far in the tails (tested at extreme arguments
// in tests/cpp/test_drift.cpp).
#include <cstdint>

namespace assay::drift {

// P(Z >= z) for a standard normal Z.
double normal_sf(double z);

// P(X >= x) for X chi-square with `dof` > 0 degrees of freedom: the regularised upper
// incomplete gamma function Q(dof/2, x/2) (series below a+1, Lentz's continued
// fraction above; Numerical Recipes 3rd ed., section 6.2).
double chi2_sf(double x, double dof);

// P(T >= t) for T Student's t with `dof` > 0 degrees of freedom, from the regularised
// incomplete beta function (Numerical Recipes 3rd ed., section 6.4).
double student_t_sf(double t, double dof);

// P(D_n >= d) for the two-sided one-sample Kolmogorov-Smirnov statistic D_n at
// sample size n (the finite-n Kolmogorov distribution, scipy's `kstwo`). Follows the
// method selection of Simard & L'Ecuyer, "Computing the Two-Sided Kolmogorov-Smirnov
// Distribution", J. Stat. Softw. 39(11), 2011: Ruben-Gambino closed forms at the
// ends, the Durbin matrix (Marsaglia, Tsang & Wang 2003) and the Pomeranz recursion
// for small n, the exact one-sided Smirnov sum doubled for large d, and the
// Pelz-Good asymptotic series for large n.
double kolmogorov_sf(std::int64_t n, double d);

// P(D+_n >= d) for the one-sided Kolmogorov-Smirnov statistic (Smirnov's exact sum,
// Birnbaum & Tingey 1951).
double smirnov_sf(std::int64_t n, double d);

// CDF of the limiting Cramer-von Mises distribution (Csorgo & Faraway 1996, eq. 1.2),
// summed until a term falls below 1e-7 as scipy does.
double cramer_von_mises_limit_cdf(double x);

// Modified Bessel function of the second kind K_nu(x), x > 0, from its integral
// representation K_nu(x) = int_0^inf exp(-x cosh t) cosh(nu t) dt (trapezoid rule,
// which converges geometrically for this integrand).
double bessel_k(double nu, double x);

}  // namespace assay::drift
