// AdmittedQueryFn implementation (see admitted_query.h).
#include "rules/admitted_query.h"

#include <chrono>
#include <utility>

namespace tidemark::alerting {

QueryFn AdmittedQueryFn(QueryFn inner, const QueryAdmission& admission,
                        const query::CancelToken* stop) {
  if (admission.gate == nullptr) return inner;
  return [inner = std::move(inner), admission, stop](std::string_view expr,
                                                     Timestamp t) -> Result<query::QueryValue> {
    auto deadline = query::QueryGate::Deadline::max();
    if (admission.max_wait_ms > 0) {
      deadline =
          std::chrono::steady_clock::now() + std::chrono::milliseconds(admission.max_wait_ms);
    }
    query::QuerySlot slot(admission.gate, *stop, query::QueueBound::kExempt, deadline);
    if (!slot.status().ok()) return slot.status();
    return inner(expr, t);
  };
}

}  // namespace tidemark::alerting
