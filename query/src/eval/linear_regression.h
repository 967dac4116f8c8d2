// Prometheus' least-squares line through a window's samples (deriv, predict_linear), and deriv
// over all the windows of one series at once.
#pragma once

#include <cstdint>
#include <span>

#include "eval/evaluator.h"

namespace tidemark::query::eval {

// The line through `samples` (at least one), with x in seconds since `intercept_time`, from
// Kahan-compensated sums as Prometheus computes them.
void LinearRegression(std::span<const Point> samples, Timestamp intercept_time, double* slope,
                      double* intercept);

// A window of a series' points: [begin, end).
struct PointRange {
  uint32_t begin, end;
};

// deriv of each window (each of at least two points): slopes[i] is LinearRegression's slope
// over windows[i] with the window's first time as intercept, bit for bit. Where the CPU has
// AVX2, four windows share a vector, each lane doing the scalar loop's operations in its order.
void DerivSlopes(std::span<const Point> points, std::span<const PointRange> windows,
                 double* slopes);

}  // namespace tidemark::query::eval
