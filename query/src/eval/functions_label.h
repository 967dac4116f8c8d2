// Label and ordering functions used by the call dispatcher.
#pragma once

#include <string>
#include <vector>

#include "eval/evaluator.h"

namespace tidemark::query::eval {

void LabelReplace(Evaluator& ev, EVector& vec, const std::string& dst, const std::string& repl,
                  const std::string& src, const std::string& regex);
void LabelJoin(Evaluator& ev, EVector& vec, const std::string& dst, const std::string& sep,
               const std::vector<std::string>& srcs);
void SortByValue(EVector& vec, bool desc);
void SortByLabels(EVector& vec, const std::vector<std::string>& names, bool desc);
// The labels absent() reports: equality matchers of a selector argument, others dropped.
Labels AbsentLabels(const Expr& arg);
bool IsDateFunction(std::string_view name);
double DateFunction(std::string_view name, double unix_seconds);

}  // namespace tidemark::query::eval
