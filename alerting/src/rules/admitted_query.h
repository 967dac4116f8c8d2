// The rule manager's queries through the server's query gate (see QueryAdmission in manager.h).
#pragma once

#include "tidemark/alerting/manager.h"

namespace tidemark::alerting {

// `inner`, each call holding a slot of `admission.gate` for its duration, waiting at most
// `admission.max_wait_ms` for it (then "query timed out in query queue"), never refused for a
// full queue; a wait ends early, Canceled, when `stop` is set. No gate: `inner` itself.
QueryFn AdmittedQueryFn(QueryFn inner, const QueryAdmission& admission,
                        const query::CancelToken* stop);

}  // namespace tidemark::alerting
