// The function table of Prometheus 3 (promql/parser/functions.go of
// v0.309.1) as data: names, argument types, variadic counts, return types.
#include <algorithm>
#include <cstdint>

#include "obsv/promql.h"

namespace obsv::promql {
namespace {

constexpr ValueType kScalar = ValueType::kScalar;
constexpr ValueType kVector = ValueType::kVector;
constexpr ValueType kMatrix = ValueType::kMatrix;
constexpr ValueType kString = ValueType::kString;

std::vector<FunctionInfo> BuildTable() {
  // clang-format off
  std::vector<FunctionInfo> table = {
      {"abs", {kVector}, 0, kVector, false},
      {"absent", {kVector}, 0, kVector, false},
      {"absent_over_time", {kMatrix}, 0, kVector, false},
      {"acos", {kVector}, 0, kVector, false},
      {"acosh", {kVector}, 0, kVector, false},
      {"asin", {kVector}, 0, kVector, false},
      {"asinh", {kVector}, 0, kVector, false},
      {"atan", {kVector}, 0, kVector, false},
      {"atanh", {kVector}, 0, kVector, false},
      {"avg_over_time", {kMatrix}, 0, kVector, false},
      {"ceil", {kVector}, 0, kVector, false},
      {"changes", {kMatrix}, 0, kVector, false},
      {"clamp", {kVector, kScalar, kScalar}, 0, kVector, false},
      {"clamp_max", {kVector, kScalar}, 0, kVector, false},
      {"clamp_min", {kVector, kScalar}, 0, kVector, false},
      {"cos", {kVector}, 0, kVector, false},
      {"cosh", {kVector}, 0, kVector, false},
      {"count_over_time", {kMatrix}, 0, kVector, false},
      {"day_of_month", {kVector}, 1, kVector, false},
      {"day_of_week", {kVector}, 1, kVector, false},
      {"day_of_year", {kVector}, 1, kVector, false},
      {"days_in_month", {kVector}, 1, kVector, false},
      {"deg", {kVector}, 0, kVector, false},
      {"delta", {kMatrix}, 0, kVector, false},
      {"deriv", {kMatrix}, 0, kVector, false},
      {"double_exponential_smoothing", {kMatrix, kScalar, kScalar}, 0, kVector, true},
      {"exp", {kVector}, 0, kVector, false},
      {"first_over_time", {kMatrix}, 0, kVector, true},
      {"floor", {kVector}, 0, kVector, false},
      {"histogram_avg", {kVector}, 0, kVector, false},
      {"histogram_count", {kVector}, 0, kVector, false},
      {"histogram_fraction", {kScalar, kScalar, kVector}, 0, kVector, false},
      {"histogram_quantile", {kScalar, kVector}, 0, kVector, false},
      {"histogram_stddev", {kVector}, 0, kVector, false},
      {"histogram_stdvar", {kVector}, 0, kVector, false},
      {"histogram_sum", {kVector}, 0, kVector, false},
      {"hour", {kVector}, 1, kVector, false},
      {"idelta", {kMatrix}, 0, kVector, false},
      {"increase", {kMatrix}, 0, kVector, false},
      {"info", {kVector, kVector}, 1, kVector, true},
      {"irate", {kMatrix}, 0, kVector, false},
      {"label_join", {kVector, kString, kString, kString}, -1, kVector, false},
      {"label_replace", {kVector, kString, kString, kString, kString}, 0, kVector, false},
      {"last_over_time", {kMatrix}, 0, kVector, false},
      {"ln", {kVector}, 0, kVector, false},
      {"log10", {kVector}, 0, kVector, false},
      {"log2", {kVector}, 0, kVector, false},
      {"mad_over_time", {kMatrix}, 0, kVector, true},
      {"max_over_time", {kMatrix}, 0, kVector, false},
      {"min_over_time", {kMatrix}, 0, kVector, false},
      {"minute", {kVector}, 1, kVector, false},
      {"month", {kVector}, 1, kVector, false},
      {"pi", {}, 0, kScalar, false},
      {"predict_linear", {kMatrix, kScalar}, 0, kVector, false},
      {"present_over_time", {kMatrix}, 0, kVector, false},
      {"quantile_over_time", {kScalar, kMatrix}, 0, kVector, false},
      {"rad", {kVector}, 0, kVector, false},
      {"rate", {kMatrix}, 0, kVector, false},
      {"resets", {kMatrix}, 0, kVector, false},
      {"round", {kVector, kScalar}, 1, kVector, false},
      {"scalar", {kVector}, 0, kScalar, false},
      {"sgn", {kVector}, 0, kVector, false},
      {"sin", {kVector}, 0, kVector, false},
      {"sinh", {kVector}, 0, kVector, false},
      {"sort", {kVector}, 0, kVector, false},
      {"sort_by_label", {kVector, kString}, -1, kVector, true},
      {"sort_by_label_desc", {kVector, kString}, -1, kVector, true},
      {"sort_desc", {kVector}, 0, kVector, false},
      {"sqrt", {kVector}, 0, kVector, false},
      {"stddev_over_time", {kMatrix}, 0, kVector, false},
      {"stdvar_over_time", {kMatrix}, 0, kVector, false},
      {"sum_over_time", {kMatrix}, 0, kVector, false},
      {"tan", {kVector}, 0, kVector, false},
      {"tanh", {kVector}, 0, kVector, false},
      {"time", {}, 0, kScalar, false},
      {"timestamp", {kVector}, 0, kVector, false},
      {"ts_of_first_over_time", {kMatrix}, 0, kVector, true},
      {"ts_of_last_over_time", {kMatrix}, 0, kVector, true},
      {"ts_of_max_over_time", {kMatrix}, 0, kVector, true},
      {"ts_of_min_over_time", {kMatrix}, 0, kVector, true},
      {"vector", {kScalar}, 0, kVector, false},
      {"year", {kVector}, 1, kVector, false},
  };
  // clang-format on
  std::sort(table.begin(), table.end(),
            [](const FunctionInfo& a, const FunctionInfo& b) { return a.name < b.name; });
  return table;
}

}  // namespace

const std::vector<FunctionInfo>& AllFunctions() {
  // Built once, never destroyed (no exit-time destructor).
  static const std::vector<FunctionInfo>* const kTable = new std::vector<FunctionInfo>(BuildTable());
  return *kTable;
}

namespace {

// An open-addressing index over AllFunctions(): a probe or two instead of a
// binary search of string comparisons.
class FunctionIndex {
 public:
  FunctionIndex() {
    const std::vector<FunctionInfo>& table = AllFunctions();
    for (size_t i = 0; i < table.size(); ++i) {
      size_t h = Hash(table[i].name);
      while (slot_[h] != 0) h = (h + 1) & (kSlots - 1);
      slot_[h] = static_cast<uint16_t>(i + 1);
    }
  }
  const FunctionInfo* Find(std::string_view name) const {
    if (name.empty()) return nullptr;
    const std::vector<FunctionInfo>& table = AllFunctions();
    for (size_t h = Hash(name);; h = (h + 1) & (kSlots - 1)) {
      const uint16_t s = slot_[h];
      if (s == 0) return nullptr;
      if (table[s - 1].name == name) return &table[s - 1];
    }
  }

 private:
  static constexpr size_t kSlots = 256;  // more than twice the functions
  static size_t Hash(std::string_view n) {
    if (n.empty()) return 0;
    const auto b = [&n](size_t i) { return static_cast<size_t>(static_cast<unsigned char>(n[i])); };
    return (n.size() * 97 + b(0) * 31 + b(n.size() - 1) * 7 + b(n.size() / 2) * 3) & (kSlots - 1);
  }
  uint16_t slot_[kSlots] = {};
};

}  // namespace

const FunctionInfo* FindFunction(std::string_view name) {
  static const FunctionIndex* const kIndex = new FunctionIndex();
  return kIndex->Find(name);
}

}  // namespace obsv::promql
