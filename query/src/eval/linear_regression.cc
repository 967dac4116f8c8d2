// Least-squares regression for deriv and predict_linear: the scalar form, and four windows at a
// time in AVX2 lanes (no FMA, so every lane rounds exactly as the scalar code does).
#include "eval/linear_regression.h"

#include <algorithm>
#include <bit>
#include <cmath>

#if defined(__x86_64__)
#include <immintrin.h>
#endif

namespace tidemark::query::eval {
namespace {

// The regression's compensated sums over a window, as far as it has been read.
struct Sums {
  double n = 0, sum_x = 0, cx = 0, sum_y = 0, cy = 0, sum_xy = 0, cxy = 0, sum_x2 = 0, cx2 = 0;
  bool Finite() const {
    return std::isfinite(sum_x) && std::isfinite(sum_y) && std::isfinite(sum_xy) &&
           std::isfinite(sum_x2);
  }
};

template <class Inc>
void Accumulate(std::span<const Point> samples, Timestamp intercept_time, Inc inc, Sums& s) {
  for (const Point& p : samples) {
    s.n += 1.0;
    const double x = static_cast<double>(p.t - intercept_time) / 1e3;
    inc(x, s.sum_x, s.cx);
    inc(p.v, s.sum_y, s.cy);
    inc(x * p.v, s.sum_xy, s.cxy);
    inc(x * x, s.sum_x2, s.cx2);
  }
}

void PlainAccumulate(std::span<const Point> samples, Timestamp intercept_time, Sums& s) {
  Accumulate(samples, intercept_time,
             [](double inc, double& sum, double& c) { PlainKahanInc(inc, sum, c); }, s);
}

void Line(Sums s, double* slope, double* intercept) {
  s.sum_x += s.cx;
  s.sum_y += s.cy;
  s.sum_xy += s.cxy;
  s.sum_x2 += s.cx2;
  const double cov_xy = s.sum_xy - s.sum_x * s.sum_y / s.n;
  const double var_x = s.sum_x2 - s.sum_x * s.sum_x / s.n;
  *slope = cov_xy / var_x;
  *intercept = s.sum_y / s.n - *slope * s.sum_x / s.n;
}

// The slope when every y is the first: none, without a line through infinities.
double ConstantSlope(double y) { return std::isinf(y) ? std::nan("") : 0; }

#if defined(__x86_64__)
// PlainKahanInc in each lane.
__attribute__((target("avx2"))) inline void Inc4(__m256d inc, __m256d& sum, __m256d& c) {
  const __m256d abs = _mm256_castsi256_pd(_mm256_set1_epi64x(0x7fffffffffffffff));
  const __m256d t = _mm256_add_pd(sum, inc);
  const __m256d sum_bigger =
      _mm256_cmp_pd(_mm256_and_pd(sum, abs), _mm256_and_pd(inc, abs), _CMP_GE_OQ);
  const __m256d if_bigger = _mm256_add_pd(_mm256_sub_pd(sum, t), inc);
  const __m256d if_smaller = _mm256_add_pd(_mm256_sub_pd(inc, t), sum);
  c = _mm256_add_pd(c, _mm256_blendv_pd(if_smaller, if_bigger, sum_bigger));
  sum = t;
}

// The first `m` points of four windows (each at least that long) into sums[0..3]; same[l] is
// whether lane l's y values all equalled its first one.
__attribute__((target("avx2"))) void PlainAccumulate4(const Point* points, const PointRange* w,
                                                      size_t m, Sums* sums, bool* same) {
  const Point* p[4] = {points + w[0].begin, points + w[1].begin, points + w[2].begin,
                       points + w[3].begin};
  const Timestamp t0[4] = {p[0]->t, p[1]->t, p[2]->t, p[3]->t};
  const __m256d first_y = _mm256_set_pd(p[3]->v, p[2]->v, p[1]->v, p[0]->v);
  const __m256d thousand = _mm256_set1_pd(1e3);
  __m256d eq = _mm256_castsi256_pd(_mm256_set1_epi64x(-1));
  __m256d sx = _mm256_setzero_pd(), cx = sx, sy = sx, cy = sx, sxy = sx, cxy = sx, sx2 = sx,
          cx2 = sx;
  for (size_t j = 0; j < m; ++j) {
    auto ms = [&](int l) { return static_cast<double>(p[l][j].t - t0[l]); };
    const __m256d x = _mm256_div_pd(_mm256_set_pd(ms(3), ms(2), ms(1), ms(0)), thousand);
    const __m256d y = _mm256_set_pd(p[3][j].v, p[2][j].v, p[1][j].v, p[0][j].v);
    eq = _mm256_and_pd(eq, _mm256_cmp_pd(y, first_y, _CMP_EQ_OQ));
    Inc4(x, sx, cx);
    Inc4(y, sy, cy);
    Inc4(_mm256_mul_pd(x, y), sxy, cxy);
    Inc4(_mm256_mul_pd(x, x), sx2, cx2);
  }
  alignas(32) double v[9][4];
  _mm256_store_pd(v[0], sx);
  _mm256_store_pd(v[1], cx);
  _mm256_store_pd(v[2], sy);
  _mm256_store_pd(v[3], cy);
  _mm256_store_pd(v[4], sxy);
  _mm256_store_pd(v[5], cxy);
  _mm256_store_pd(v[6], sx2);
  _mm256_store_pd(v[7], cx2);
  _mm256_store_pd(v[8], eq);
  for (int l = 0; l < 4; ++l) {
    sums[l] = Sums{static_cast<double>(m), v[0][l], v[1][l], v[2][l], v[3][l], v[4][l],
                   v[5][l], v[6][l], v[7][l]};
    same[l] = std::bit_cast<uint64_t>(v[8][l]) != 0;
  }
}

bool HaveAvx2() {
  static const bool have = __builtin_cpu_supports("avx2");
  return have;
}
#endif

}  // namespace

void LinearRegression(std::span<const Point> samples, Timestamp intercept_time, double* slope,
                      double* intercept) {
  const double init_y = samples[0].v;
  bool const_y = true;
  for (size_t i = 1; const_y && i < samples.size(); ++i) const_y = samples[i].v == init_y;
  if (const_y) {  // the sums are not needed
    *slope = ConstantSlope(init_y);
    *intercept = std::isinf(init_y) ? std::nan("") : init_y;
    return;
  }
  Sums s;
  PlainAccumulate(samples, intercept_time, s);
  if (!s.Finite()) {
    s = Sums();
    Accumulate(samples, intercept_time,
               [](double inc, double& sum, double& c) { KahanInc(inc, sum, c); }, s);
  }
  Line(s, slope, intercept);
}

void DerivSlopes(std::span<const Point> points, std::span<const PointRange> windows,
                 double* slopes) {
  auto one = [&](size_t i) {
    double intercept;
    const PointRange w = windows[i];
    LinearRegression(points.subspan(w.begin, w.end - w.begin), points[w.begin].t, &slopes[i],
                     &intercept);
  };
  size_t i = 0;
#if defined(__x86_64__)
  if (HaveAvx2()) {
    for (; i + 4 <= windows.size(); i += 4) {
      const PointRange* w = &windows[i];
      size_t m = w[0].end - w[0].begin;
      for (int l = 1; l < 4; ++l) m = std::min<size_t>(m, w[l].end - w[l].begin);
      Sums sums[4];
      bool same[4];
      PlainAccumulate4(points.data(), w, m, sums, same);
      for (int l = 0; l < 4; ++l) {
        // The rest of a longer window goes on as the scalar loop would.
        const std::span<const Point> rest =
            points.subspan(w[l].begin + m, w[l].end - w[l].begin - m);
        const Point& first = points[w[l].begin];
        for (const Point& p : rest) same[l] = same[l] && p.v == first.v;
        if (same[l]) {
          slopes[i + l] = ConstantSlope(first.v);
          continue;
        }
        PlainAccumulate(rest, first.t, sums[l]);
        if (!sums[l].Finite()) {
          one(i + l);  // the compensated sums with their infinity branch, from the start
          continue;
        }
        double intercept;
        Line(sums[l], &slopes[i + l], &intercept);
      }
    }
  }
#endif
  for (; i < windows.size(); ++i) one(i);
}

}  // namespace tidemark::query::eval
