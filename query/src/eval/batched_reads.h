// BatchedReads: reads selected series' samples on the worker pool, a batch at a time, while the
// query's thread selects the next batch; hands each series' samples back in select order.
#pragma once

#include <functional>
#include <memory>
#include <utility>
#include <vector>

#include "eval/evaluator.h"

namespace tidemark::query::eval {

template <class Info>
class BatchedReads {
 public:
  struct Slot {
    Info info;                          // what the consumer needs of the series (its labels...)
    std::unique_ptr<SeriesIterator> it;
    std::vector<Point> points;
  };
  // `read` fills a series' points from its iterator (on a worker); `prepare`, when given, then
  // works on them there too (it must touch only its own slot); `consume` takes them in select
  // order on the calling thread and may throw EvalError.
  using ReadFn = std::function<void(SeriesIterator&, std::vector<Point>*)>;
  using ConsumeFn = std::function<void(Info&, std::vector<Point>&)>;

  BatchedReads(Evaluator& ev, bool use_workers, ReadFn read, ConsumeFn consume,
               ConsumeFn prepare = nullptr)
      : ev_(ev), use_workers_(use_workers), read_(std::move(read)), consume_(std::move(consume)),
        prepare_(std::move(prepare)) {
    for (auto& b : batches_) b.resize(kSeriesBatch);
  }

  // The slot for the next selected series; fill its iterator and info before the next call.
  Slot& Add() {
    if (counts_[cur_] == kSeriesBatch) {
      if (counts_[1 - cur_] > 0) Finish(1 - cur_);
      Start(cur_);
      cur_ = 1 - cur_;
    }
    return batches_[cur_][counts_[cur_]++];
  }

  // Reads and consumes everything added so far: what a one-at-a-time loop would have done
  // before it stops (at the end, or to report an error of the selection).
  void Drain() {
    if (counts_[1 - cur_] > 0) Finish(1 - cur_);
    if (counts_[cur_] > 0) {
      Start(cur_);
      Finish(cur_);
    }
  }

 private:
  void Start(size_t b) {
    reading_ = ev_.StartSeries(counts_[b], [this, b](size_t i) {
      // Grown in a local: the headers of neighbouring slots share cache lines, and growing them
      // from two threads bounced those lines on every sample.
      Slot& slot = batches_[b][i];
      std::vector<Point> points;
      points.reserve(last_points_ + last_points_ / 8 + 4);
      read_(*slot.it, &points);
      if (!slot.it->status().ok()) throw EvalError{slot.it->status()};
      slot.points = std::move(points);
      if (prepare_) prepare_(slot.info, slot.points);
    }, use_workers_, &errors_[b]);
  }

  void Finish(size_t b) {
    reading_.Wait();
    for (size_t i = 0; i < counts_[b]; ++i) {
      if (!errors_[b][i].ok()) throw EvalError{errors_[b][i]};
      Slot& slot = batches_[b][i];
      if (!slot.points.empty()) last_points_ = slot.points.size();
      consume_(slot.info, slot.points);
    }
    counts_[b] = 0;
    ev_.CheckInterrupt();
  }

  Evaluator& ev_;
  const bool use_workers_;
  const ReadFn read_;
  const ConsumeFn consume_;
  const ConsumeFn prepare_;
  std::vector<Slot> batches_[2];
  std::vector<Status> errors_[2];
  size_t counts_[2] = {0, 0};
  size_t cur_ = 0;           // the batch being selected; the other one may be in reading
  size_t last_points_ = 0;   // series of one selector mostly have similar sample counts
  WorkerPool::Task reading_;  // declared last: destroyed (waited for) before the batches
};

}  // namespace tidemark::query::eval
