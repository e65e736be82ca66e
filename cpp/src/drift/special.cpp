// Distribution functions for the drift tests' p-values (see special.hpp).
#include "assay/drift/special.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>
#include <tuple>
#include <vector>

namespace assay::drift {

namespace {

constexpr double kPi = std::numbers::pi;
constexpr int kScaleExponent = 128;  // rescale by 2^128 to keep products in range
const double kBig = std::ldexp(1.0, kScaleExponent);
const double kSmall = std::ldexp(1.0, -kScaleExponent);

double clip_probability(double p) { return std::clamp(p, 0.0, 1.0); }

// P(a, x) by its power series; converges quickly for x < a + 1.
double gamma_p_series(double a, double x) {
  double term = 1.0 / a;
  double sum = term;
  for (int k = 1; k < 100000; ++k) {
    term *= x / (a + k);
    sum += term;
    if (std::fabs(term) < std::fabs(sum) * 1e-17) break;
  }
  return sum * std::exp(-x + a * std::log(x) - std::lgamma(a));
}

// Q(a, x) by the modified Lentz continued fraction; converges for x > a + 1.
double gamma_q_fraction(double a, double x) {
  constexpr double kTiny = 1e-300;
  double b = x + 1.0 - a;
  double c = 1.0 / kTiny;
  double d = 1.0 / b;
  double h = d;
  for (int i = 1; i < 100000; ++i) {
    const double an = -i * (i - a);
    b += 2.0;
    d = an * d + b;
    if (std::fabs(d) < kTiny) d = kTiny;
    c = b + an / c;
    if (std::fabs(c) < kTiny) c = kTiny;
    d = 1.0 / d;
    const double delta = d * c;
    h *= delta;
    if (std::fabs(delta - 1.0) < 1e-16) break;
  }
  return std::exp(-x + a * std::log(x) - std::lgamma(a)) * h;
}

// The continued fraction of the regularised incomplete beta function I_x(a, b)
// (modified Lentz; Numerical Recipes 3rd ed., section 6.4), converging for
// x < (a + 1) / (a + b + 2).
double beta_fraction(double a, double b, double x) {
  constexpr double kTiny = 1e-300;
  const double qab = a + b, qap = a + 1, qam = a - 1;
  double c = 1.0, d = 1.0 - qab * x / qap;
  if (std::fabs(d) < kTiny) d = kTiny;
  d = 1.0 / d;
  double h = d;
  for (int m = 1; m < 100000; ++m) {
    const double m2 = 2.0 * m;
    double aa = m * (b - m) * x / ((qam + m2) * (a + m2));
    d = 1.0 + aa * d;
    if (std::fabs(d) < kTiny) d = kTiny;
    c = 1.0 + aa / c;
    if (std::fabs(c) < kTiny) c = kTiny;
    d = 1.0 / d;
    h *= d * c;
    aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2));
    d = 1.0 + aa * d;
    if (std::fabs(d) < kTiny) d = kTiny;
    c = 1.0 + aa / c;
    if (std::fabs(c) < kTiny) c = kTiny;
    d = 1.0 / d;
    const double delta = d * c;
    h *= delta;
    if (std::fabs(delta - 1.0) < 1e-16) break;
  }
  return h;
}

// I_x(a, b), from the continued fraction on whichever side converges.
double incomplete_beta(double a, double b, double x) {
  if (x <= 0) return 0.0;
  if (x >= 1) return 1.0;
  const double front =
      std::exp(std::lgamma(a + b) - std::lgamma(a) - std::lgamma(b) + a * std::log(x) + b * std::log1p(-x));
  if (x < (a + 1) / (a + b + 2)) return front * beta_fraction(a, b, x) / a;
  return 1.0 - front * beta_fraction(b, a, 1 - x) / b;
}

using Matrix = std::vector<double>;  // row-major m x m

Matrix multiply(const Matrix& a, const Matrix& b, int m) {
  Matrix out(static_cast<std::size_t>(m) * m, 0.0);
  for (int i = 0; i < m; ++i)
    for (int l = 0; l < m; ++l) {
      const double ail = a[i * m + l];
      if (ail == 0.0) continue;
      for (int j = 0; j < m; ++j) out[i * m + j] += ail * b[l * m + j];
    }
  return out;
}

// P(D_n <= d) by Durbin's matrix formula as organised by Marsaglia, Tsang & Wang
// (2003): write n d = k - h with integer k, build the (2k-1) x (2k-1) matrix H and
// take n!/n^n times the (k, k) element of H^n, tracking a binary exponent to avoid
// overflow.
double kolmogorov_cdf_durbin(std::int64_t n, double d) {
  if (d >= 1.0) return 1.0;
  const double nd = static_cast<double>(n) * d;
  if (nd <= 0.5) return 0.0;
  const int k = static_cast<int>(std::ceil(nd));
  const double h = k - nd;
  const int m = 2 * k - 1;
  std::vector<double> v(m), w(m);
  double factorial_inverse = 1.0;
  for (int j = 1; j <= m; ++j) {
    w[j - 1] = factorial_inverse;
    factorial_inverse /= j;
    v[j - 1] = (1.0 - std::pow(h, j)) * factorial_inverse;
  }
  v[m - 1] = (1.0 + std::pow(std::max(2.0 * h - 1.0, 0.0), m) - 2.0 * std::pow(h, m)) * factorial_inverse;
  Matrix H(static_cast<std::size_t>(m) * m, 0.0);
  for (int col = 1; col < m; ++col)
    for (int row = col - 1; row < m; ++row) H[static_cast<std::size_t>(row) * m + col] = w[row - col + 1];
  for (int row = 0; row < m; ++row) H[static_cast<std::size_t>(row) * m] = v[row];
  for (int col = 0; col < m; ++col) H[static_cast<std::size_t>(m - 1) * m + col] = v[m - 1 - col];

  Matrix power(static_cast<std::size_t>(m) * m, 0.0);
  for (int i = 0; i < m; ++i) power[i * m + i] = 1.0;
  long exponent = 0, h_exponent = 0;
  for (std::int64_t remaining = n; remaining > 0; remaining /= 2) {
    if (remaining % 2) {
      power = multiply(power, H, m);
      exponent += h_exponent;
    }
    H = multiply(H, H, m);
    h_exponent *= 2;
    if (std::fabs(H[(k - 1) * m + (k - 1)]) > kBig) {
      for (double& x : H) x *= kSmall;
      h_exponent += kScaleExponent;
    }
  }
  double p = power[(k - 1) * m + (k - 1)];
  const double nn = static_cast<double>(n);
  for (std::int64_t i = 1; i <= n; ++i) {
    p = static_cast<double>(i) * p / nn;
    if (std::fabs(p) < kSmall) {
      p *= kBig;
      exponent -= kScaleExponent;
    }
  }
  return std::ldexp(p, static_cast<int>(exponent));
}

// Interval [j1, j2] of non-zero entries in row i of Pomeranz's recursion.
std::pair<std::int64_t, std::int64_t> pomeranz_bounds(std::int64_t i, std::int64_t n, std::int64_t ll, int ceilf,
                                                      int roundf) {
  std::int64_t j1, j2;
  if (i == 0) {
    j1 = -ll - ceilf - 1;
    j2 = ll + ceilf - 1;
  } else {
    const std::int64_t half = (i + 1) / 2;
    if ((i + 1) % 2 == 0) {
      if (half == n + 1) {
        j1 = n - ll - ceilf - 1;
        j2 = n + ll + ceilf - 1;
      } else {
        j1 = half - 1 - ll - roundf - 1;
        j2 = half + ll - 1 + ceilf - 1;
      }
    } else {
      j1 = half - 1 - ll - 1;
      j2 = half + ll + roundf - 1;
    }
  }
  return {std::max<std::int64_t>(j1 + 2, 0), std::min(j2, n)};
}

// P(D_n <= x) by Pomeranz's recursion (CACM Algorithm 487, 1974): 2n+1 rows, each
// the convolution of the previous one with Poisson-like weights; only a band of each
// row is non-zero.
double kolmogorov_cdf_pomeranz(std::int64_t n, double x) {
  const double t = static_cast<double>(n) * x;
  const auto ll = static_cast<std::int64_t>(std::floor(t));
  const double f = t - static_cast<double>(ll);
  const double g = std::min(f, 1.0 - f);
  const int ceilf = f > 0 ? 1 : 0;
  const int roundf = f > 0.5 ? 1 : 0;
  const std::size_t n_powers = static_cast<std::size_t>(2 * (ll + 1));
  std::vector<double> g_power(n_powers), two_g_power(n_powers), one_minus_two_g_power(n_powers);
  g_power[0] = two_g_power[0] = one_minus_two_g_power[0] = 1.0;
  const double nn = static_cast<double>(n);
  for (std::size_t m = 1; m < n_powers; ++m) {
    g_power[m] = g_power[m - 1] * (g / nn) / m;
    two_g_power[m] = two_g_power[m - 1] * (2 * g / nn) / m;
    one_minus_two_g_power[m] = one_minus_two_g_power[m - 1] * ((1 - 2 * g) / nn) / m;
  }
  std::vector<double> previous(n_powers, 0.0), current(n_powers, 0.0);
  current[0] = 1.0;
  std::int64_t previous_start = 0, current_start = 0;
  long exponent = 0;
  auto [j1, j2] = pomeranz_bounds(0, n, ll, ceilf, roundf);
  for (std::int64_t i = 1; i < 2 * n + 2; ++i) {
    const std::int64_t k1 = j1;
    std::swap(previous, current);
    std::swap(previous_start, current_start);
    std::fill(current.begin(), current.end(), 0.0);
    std::tie(j1, j2) = pomeranz_bounds(i, n, ll, ceilf, roundf);
    const std::vector<double>& weights =
        (i == 1 || i == 2 * n + 1) ? g_power : (i % 2 ? two_g_power : one_minus_two_g_power);
    const std::int64_t width = j2 - k1 + 1;
    if (width <= 0) continue;
    const std::int64_t offset = k1 - previous_start;  // first entry of `previous` used
    const std::int64_t available =
        std::max<std::int64_t>(0, std::min<std::int64_t>(width, static_cast<std::int64_t>(n_powers) - offset));
    const std::int64_t first = j1 - k1, count = j2 - j1 + 1;
    double largest = 0.0;
    for (std::int64_t c = 0; c < count; ++c) {
      const std::int64_t lag = first + c;  // index into the full convolution
      double sum = 0.0;
      for (std::int64_t s = std::max<std::int64_t>(0, lag - width + 1); s <= std::min(lag, available - 1); ++s)
        sum += previous[offset + s] * weights[lag - s];
      current[c] = sum;
      largest = std::max(largest, sum);
    }
    if (largest > 0 && largest < kSmall) {
      for (double& value : current) value *= kBig;
      exponent -= kScaleExponent;
    }
    current_start = previous_start + j1 - k1;
  }
  double answer = current[n - current_start];
  for (std::int64_t m = 1; m <= n; ++m) {
    if (std::fabs(answer) > kBig) {
      answer *= kSmall;
      exponent += kScaleExponent;
    }
    answer *= static_cast<double>(m);
  }
  return std::ldexp(answer, static_cast<int>(exponent));
}

// P(D_n <= x) by the Pelz-Good (1976) asymptotic series in 1/sqrt(n): the
// Li-Chien/Korolyuk expansion K0 + K1/sqrt(n) + K2/n + K3/n^1.5 rewritten with Jacobi
// theta identities so that it converges for small z = x sqrt(n).
double kolmogorov_cdf_pelz_good(std::int64_t n, double x) {
  if (x <= 0.0) return 0.0;
  if (x >= 1.0) return 1.0;
  const double nn = static_cast<double>(n);
  const double z = std::sqrt(nn) * x;
  const double z2 = z * z, z3 = z2 * z, z4 = z2 * z2, z6 = z4 * z2;
  const double pi2 = kPi * kPi, pi4 = pi2 * pi2, pi6 = pi4 * pi2;
  const double q_log = -pi2 / 8 / z2;
  if (q_log < -708) return 0.0;
  double q = std::exp(q_log);
  const double k1a = -z2, k1b = pi2 / 4;
  const double k2a = 6 * z6 + 2 * z4, k2b = (2 * z4 - 5 * z2) * pi2 / 4, k2c = pi4 * (1 - 2 * z2) / 16;
  const double k3d = pi6 * (5 - 30 * z2) / 64, k3c = pi4 * (-60 * z2 + 212 * z4) / 16,
               k3b = pi2 * (135 * z4 - 96 * z6) / 4, k3a = -30 * z6 - 90 * z4 * z4;
  double K[4] = {0, 0, 0, 0};
  const int max_k = static_cast<int>(std::ceil(16 * z / kPi));
  for (int k = max_k; k > 0; --k) {  // Horner scheme over odd m = 2k - 1
    const double m = 2.0 * k - 1, m2 = m * m, m4 = m2 * m2, m6 = m4 * m2;
    const double q_power = std::pow(q, 8.0 * k);
    const double coefficients[4] = {1.0, k1a + k1b * m2, k2a + k2b * m2 + k2c * m4,
                                    k3a + k3b * m2 + k3c * m4 + k3d * m6};
    for (int i = 0; i < 4; ++i) K[i] = K[i] * q_power + coefficients[i];
  }
  const double sqrt_2pi = std::sqrt(2 * kPi);
  const double denominators[4] = {z, 6 * z4, 72 * z4 * z3, 6480 * z6 * z4};
  for (int i = 0; i < 4; ++i) K[i] = K[i] * q * sqrt_2pi / denominators[i];
  // The remaining terms run over all integers k.
  q = std::exp(-pi2 / 2 / z2);
  double k2_extra = 0.0, k3_extra = 0.0;
  const double sqrt3z = std::numbers::sqrt3 * z;
  for (int k = max_k; k > 0; --k) {
    const double k2 = static_cast<double>(k) * k;
    const double q_power = std::pow(q, k2);
    const double kpi = kPi * k;
    k2_extra += k2 * q_power;
    k3_extra += (sqrt3z + kpi) * (sqrt3z - kpi) * k2 * q_power;
  }
  K[2] += k2_extra * pi2 * sqrt_2pi / (-36 * z3);
  K[3] += k3_extra * pi2 * sqrt_2pi / (216 * z6);
  double sum = 0.0;
  for (int i = 0; i < 4; ++i) sum += K[i] / std::pow(nn, i / 2.0);
  return sum;
}

}  // namespace

double normal_sf(double z) { return 0.5 * std::erfc(z / std::numbers::sqrt2); }

double chi2_sf(double x, double dof) {
  if (std::isnan(x) || std::isnan(dof) || dof <= 0) return std::numeric_limits<double>::quiet_NaN();
  if (x <= 0) return 1.0;
  if (std::isinf(x)) return 0.0;
  const double a = dof / 2, half_x = x / 2;
  if (half_x < a + 1) return clip_probability(1.0 - gamma_p_series(a, half_x));
  return clip_probability(gamma_q_fraction(a, half_x));
}

double student_t_sf(double t, double dof) {
  if (std::isnan(t) || std::isnan(dof) || dof <= 0) return std::numeric_limits<double>::quiet_NaN();
  if (std::isinf(t)) return t > 0 ? 0.0 : 1.0;
  // P(T >= |t|) = I_{dof / (dof + t^2)}(dof / 2, 1 / 2) / 2.
  const double tail = incomplete_beta(dof / 2, 0.5, dof / (dof + t * t)) / 2;
  return clip_probability(t >= 0 ? tail : 1.0 - tail);
}

double smirnov_sf(std::int64_t n, double d) {
  if (std::isnan(d) || n <= 0) return std::numeric_limits<double>::quiet_NaN();
  if (d <= 0) return 1.0;
  if (d >= 1) return 0.0;
  const double nn = static_cast<double>(n);
  const auto last = static_cast<std::int64_t>(std::floor(nn * (1.0 - d)));
  // d * sum_j C(n, j) (1 - d - j/n)^(n-j) (d + j/n)^(j-1); every term is positive.
  // Terms are unimodal in j, so the sum stops once they are negligible past the peak.
  double sum = 0.0, log_binomial = 0.0, largest = 0.0;
  for (std::int64_t j = 0; j <= last; ++j) {
    if (j > 0) log_binomial += std::log((nn - j + 1) / j);
    const double low = 1.0 - d - j / nn;
    if (low <= 0) break;
    const double log_term = log_binomial + (nn - j) * std::log(low) + (j - 1) * std::log(d + j / nn);
    const double term = std::exp(log_term);
    sum += term;
    largest = std::max(largest, term);
    if (term < largest * 1e-20 && j > 2) break;
  }
  return clip_probability(d * sum);
}

double kolmogorov_sf(std::int64_t n, double d) {
  if (std::isnan(d) || n <= 0) return std::numeric_limits<double>::quiet_NaN();
  if (d >= 1.0) return 0.0;
  if (d <= 0.0) return 1.0;
  const double nn = static_cast<double>(n);
  const double t = nn * d;
  if (t <= 1.0) {  // Ruben & Gambino (1982): P(D_n <= d) = n!/n^n (2t - 1)^n for t <= 1
    if (t <= 0.5) return 1.0;
    const double cdf = std::exp(std::lgamma(nn + 1) - nn * std::log(nn) + nn * std::log(2 * t - 1));
    return clip_probability(1.0 - cdf);
  }
  if (t >= nn - 1) return clip_probability(2 * std::pow(1.0 - d, nn));  // Ruben & Gambino
  if (d >= 0.5) return clip_probability(2 * smirnov_sf(n, d));          // the two tails cannot both occur
  const double n_d_squared = t * d;
  if (n <= 140) {
    if (n_d_squared <= 0.754693) return clip_probability(1.0 - kolmogorov_cdf_durbin(n, d));
    if (n_d_squared <= 4) return clip_probability(1.0 - kolmogorov_cdf_pomeranz(n, d));
    return clip_probability(2 * smirnov_sf(n, d));
  }
  if (n_d_squared >= 370.0) return 0.0;
  if (n_d_squared >= 2.2) return clip_probability(2 * smirnov_sf(n, d));
  double cdf;
  if (n_d_squared >= 18.0)
    cdf = 1.0;
  else if (n <= 100000 && nn * std::pow(d, 1.5) <= 1.4)
    cdf = kolmogorov_cdf_durbin(n, d);
  else
    cdf = kolmogorov_cdf_pelz_good(n, d);
  return clip_probability(1.0 - cdf);
}

double bessel_k(double nu, double x) {
  if (!(x > 0)) return std::numeric_limits<double>::quiet_NaN();
  // exp(-x cosh t) cosh(nu t) decays doubly exponentially; step 0.05 gives full
  // double precision, and the integrand is negligible once x (cosh t - 1) > 745.
  constexpr double kStep = 0.05;
  double sum = 0.5 * std::exp(-x);
  for (int i = 1;; ++i) {
    const double t = i * kStep;
    const double exponent = -x * std::cosh(t) + std::fabs(nu) * t;
    const double term = std::exp(-x * std::cosh(t)) * std::cosh(nu * t);
    sum += term;
    if (exponent < -x - 745.0 || (term < sum * 1e-18 && t > 1)) break;
  }
  return sum * kStep;
}

double cramer_von_mises_limit_cdf(double x) {
  if (std::isnan(x)) return x;
  if (x <= 0) return 0.0;
  double total = 0.0;
  for (int k = 0;; ++k) {
    const double u = std::exp(std::lgamma(k + 0.5) - std::lgamma(k + 1.0)) / (std::pow(kPi, 1.5) * std::sqrt(x));
    const double y = 4.0 * k + 1;
    const double q = y * y / (16 * x);
    const double term = u * std::sqrt(y) * std::exp(-q) * bessel_k(0.25, q);
    total += term;
    if (std::fabs(term) < 1e-7) break;
  }
  return total;
}

}  // namespace assay::drift
