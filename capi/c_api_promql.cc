// The C ABI of the PromQL module (include/obsv/c_api_promql.h).
#include <cstdlib>
#include <optional>
#include <string>
#include <vector>

#include "capi/c_api_internal.h"
#include "obsv/c_api_promql.h"
#include "obsv/promql.h"
#include "obsv/promql_scope.h"
#include "obsv/promql_template.h"

struct obsv_promql_tree {
  obsv::promql::ExprPtr root;
};

// A node handle is the C++ node itself.
struct obsv_promql_node {};

struct obsv_promql_injector {
  explicit obsv_promql_injector(obsv::promql::Injector i) : injector(std::move(i)) {}
  obsv::promql::Injector injector;
};

namespace obsv::capi {
namespace {

using promql::Expr;
using promql::NodeKind;

promql::ParserOptions ToOptions(const obsv_promql_options* options) {
  promql::ParserOptions out;
  if (options == nullptr) return out;
  out.max_query_bytes = options->max_query_bytes;
  out.max_depth = options->max_depth;
  out.max_nodes = options->max_nodes;
  out.max_selectors = options->max_selectors;
  out.max_matchers_per_selector = options->max_matchers_per_selector;
  out.enable_experimental_functions = (options->features & OBSV_PROMQL_FEATURE_EXPERIMENTAL_FUNCTIONS) != 0;
  out.enable_duration_expressions = (options->features & OBSV_PROMQL_FEATURE_DURATION_EXPRESSIONS) != 0;
  out.enable_extended_range_selectors = (options->features & OBSV_PROMQL_FEATURE_EXTENDED_RANGE_SELECTORS) != 0;
  return out;
}

const Expr* AsExpr(const obsv_promql_node* node) { return reinterpret_cast<const Expr*>(node); }
const obsv_promql_node* AsNode(const Expr* expr) { return reinterpret_cast<const obsv_promql_node*>(expr); }

// A parse error with Prometheus's full text ("1:14: parse error: ...") as
// the message: what a proxy hands back to its client.
obsv_status SetPromqlParseError(obsv_error** out_error, const ParseError& error) {
  ParseError copy = error;
  copy.message = std::to_string(error.line) + ":" + std::to_string(error.column) + ": " + error.message;
  return SetParseError(out_error, copy);
}

// An error of the scoping or template functions, positioned in `source`
// when it has a position.
obsv_status SetStatusError(obsv_error** out_error, const absl::Status& status, std::string_view source) {
  return SetScopeStatusError(out_error, status, source, [](std::string_view text, uint32_t offset) {
    promql::LineColumn at = promql::LineColumnAt(text, offset);
    return std::make_pair(at.line, at.column);
  });
}

obsv_match_op FromMatchOp(promql::MatchOp op) {
  switch (op) {
    case promql::MatchOp::kEqual: return OBSV_MATCH_EQUAL;
    case promql::MatchOp::kNotEqual: return OBSV_MATCH_NOT_EQUAL;
    case promql::MatchOp::kRegexMatch: return OBSV_MATCH_REGEX;
    case promql::MatchOp::kRegexNoMatch: return OBSV_MATCH_NOT_REGEX;
  }
  return OBSV_MATCH_EQUAL;
}

obsv_status NewInjector(promql::InjectOptions options, obsv_promql_injector** out_injector,
                        obsv_error** out_error) {
  absl::StatusOr<promql::Injector> injector = promql::Injector::Create(std::move(options));
  if (!injector.ok()) return SetStatusError(out_error, injector.status(), {});
  *out_injector = new obsv_promql_injector(*std::move(injector));
  return OBSV_OK;
}

// The children of a node in source order.
size_t ChildCount(const Expr& e) {
  switch (e.kind) {
    case NodeKind::kNumberLiteral:
    case NodeKind::kStringLiteral:
    case NodeKind::kVectorSelector:
      return 0;
    case NodeKind::kMatrixSelector:
      return e.As<promql::MatrixSelector>().selector != nullptr ? 1 : 0;
    case NodeKind::kSubquery:
      return e.As<promql::Subquery>().expr != nullptr ? 1 : 0;
    case NodeKind::kCall:
      return e.As<promql::Call>().args.size();
    case NodeKind::kAggregate: {
      const auto& a = e.As<promql::Aggregate>();
      return (a.param != nullptr ? 1 : 0) + (a.expr != nullptr ? 1 : 0);
    }
    case NodeKind::kBinary:
      return 2;
    case NodeKind::kUnary:
      return e.As<promql::Unary>().expr != nullptr ? 1 : 0;
    case NodeKind::kParen:
      return e.As<promql::Paren>().expr != nullptr ? 1 : 0;
  }
  return 0;
}

const Expr* Child(const Expr& e, size_t i) {
  if (i >= ChildCount(e)) return nullptr;
  switch (e.kind) {
    case NodeKind::kNumberLiteral:
    case NodeKind::kStringLiteral:
    case NodeKind::kVectorSelector:
      return nullptr;
    case NodeKind::kMatrixSelector:
      return e.As<promql::MatrixSelector>().selector.get();
    case NodeKind::kSubquery:
      return e.As<promql::Subquery>().expr.get();
    case NodeKind::kCall:
      return e.As<promql::Call>().args[i].get();
    case NodeKind::kAggregate: {
      const auto& a = e.As<promql::Aggregate>();
      if (a.param != nullptr) return i == 0 ? a.param.get() : a.expr.get();
      return a.expr.get();
    }
    case NodeKind::kBinary: {
      const auto& b = e.As<promql::Binary>();
      return i == 0 ? b.lhs.get() : b.rhs.get();
    }
    case NodeKind::kUnary:
      return e.As<promql::Unary>().expr.get();
    case NodeKind::kParen:
      return e.As<promql::Paren>().expr.get();
  }
  return nullptr;
}

// The vector selector of a vector or matrix selector node.
const promql::VectorSelector* SelectorOf(const Expr* e) {
  if (e == nullptr) return nullptr;
  if (e->kind == NodeKind::kVectorSelector) return &e->As<promql::VectorSelector>();
  if (e->kind == NodeKind::kMatrixSelector) return e->As<promql::MatrixSelector>().selector.get();
  return nullptr;
}

const std::vector<std::string>* LabelsOf(const Expr* e) {
  if (e == nullptr) return nullptr;
  if (e->kind == NodeKind::kAggregate) return &e->As<promql::Aggregate>().grouping;
  if (e->kind == NodeKind::kBinary) return &e->As<promql::Binary>().matching.matching_labels;
  return nullptr;
}

const std::vector<std::string>* IncludeOf(const Expr* e) {
  if (e == nullptr || e->kind != NodeKind::kBinary) return nullptr;
  return &e->As<promql::Binary>().matching.include;
}

constexpr int64_t kNanosPerMilli = 1'000'000;

}  // namespace
}  // namespace obsv::capi

using obsv::capi::AsExpr;
using obsv::capi::AsNode;
using obsv::capi::FromStr;
using obsv::capi::Guard;
using obsv::capi::ToStr;
namespace promql = obsv::promql;

extern "C" {

void obsv_promql_options_init(obsv_promql_options* options) {
  if (options == nullptr) return;
  promql::ParserOptions d;
  options->max_query_bytes = d.max_query_bytes;
  options->max_depth = d.max_depth;
  options->max_nodes = d.max_nodes;
  options->max_selectors = d.max_selectors;
  options->max_matchers_per_selector = d.max_matchers_per_selector;
  auto bit = [](bool on, uint64_t feature) { return on ? feature : uint64_t{0}; };
  options->features = bit(d.enable_experimental_functions, OBSV_PROMQL_FEATURE_EXPERIMENTAL_FUNCTIONS) |
                      bit(d.enable_duration_expressions, OBSV_PROMQL_FEATURE_DURATION_EXPRESSIONS) |
                      bit(d.enable_extended_range_selectors, OBSV_PROMQL_FEATURE_EXTENDED_RANGE_SELECTORS);
}

static obsv_status PrintQuery(const char* query, size_t len, const obsv_promql_options* options, bool pretty,
                              char** out, size_t* out_len, obsv_error** out_error) {
  obsv::capi::ClearError(out_error);
  obsv::capi::ResetOut(out, out_len);
  if (out == nullptr || (query == nullptr && len != 0)) {
    return obsv::capi::SetError(out_error, OBSV_ERR_INVALID_ARGUMENT, "NULL argument");
  }
  return Guard(out_error, [&]() -> obsv_status {
    promql::ExprPtr expr;
    obsv::ParseError err = promql::Parse(std::string_view(query, len), obsv::capi::ToOptions(options), &expr);
    if (!err.ok()) return obsv::capi::SetPromqlParseError(out_error, err);
    return obsv::capi::ReturnString(pretty ? promql::Pretty(*expr) : promql::Format(*expr), out, out_len);
  });
}

obsv_status obsv_promql_format_query(const char* query, size_t len, const obsv_promql_options* options, char** out,
                                     size_t* out_len, obsv_error** out_error) {
  return PrintQuery(query, len, options, false, out, out_len, out_error);
}

obsv_status obsv_promql_pretty_query(const char* query, size_t len, const obsv_promql_options* options, char** out,
                                     size_t* out_len, obsv_error** out_error) {
  return PrintQuery(query, len, options, true, out, out_len, out_error);
}

obsv_status obsv_promql_parse(const char* query, size_t len, const obsv_promql_options* options,
                              obsv_promql_tree** out_tree, obsv_error** out_error) {
  obsv::capi::ClearError(out_error);
  if (out_tree == nullptr || (query == nullptr && len != 0)) {
    return obsv::capi::SetError(out_error, OBSV_ERR_INVALID_ARGUMENT, "NULL argument");
  }
  *out_tree = nullptr;
  return Guard(out_error, [&]() -> obsv_status {
    promql::ExprPtr expr;
    obsv::ParseError err = promql::Parse(std::string_view(query, len), obsv::capi::ToOptions(options), &expr);
    if (!err.ok()) return obsv::capi::SetPromqlParseError(out_error, err);
    *out_tree = new obsv_promql_tree{std::move(expr)};
    return OBSV_OK;
  });
}

void obsv_promql_tree_free(obsv_promql_tree* tree) { delete tree; }

const obsv_promql_node* obsv_promql_tree_root(const obsv_promql_tree* tree) {
  return tree == nullptr ? nullptr : AsNode(tree->root.get());
}

static obsv_status PrintTree(const obsv_promql_tree* tree, bool pretty, char** out, size_t* out_len) {
  obsv::capi::ResetOut(out, out_len);
  if (tree == nullptr || tree->root == nullptr || out == nullptr) return OBSV_ERR_INVALID_ARGUMENT;
  return Guard(nullptr, [&]() -> obsv_status {
    return obsv::capi::ReturnString(pretty ? promql::Pretty(*tree->root) : promql::Format(*tree->root), out,
                                    out_len);
  });
}

obsv_status obsv_promql_tree_format(const obsv_promql_tree* tree, char** out, size_t* out_len) {
  return PrintTree(tree, false, out, out_len);
}

obsv_status obsv_promql_tree_pretty(const obsv_promql_tree* tree, char** out, size_t* out_len) {
  return PrintTree(tree, true, out, out_len);
}

obsv_promql_node_kind obsv_promql_node_kind_of(const obsv_promql_node* node) {
  const promql::Expr* e = AsExpr(node);
  if (e == nullptr) return OBSV_PROMQL_NUMBER;
  switch (e->kind) {
    case promql::NodeKind::kNumberLiteral: return OBSV_PROMQL_NUMBER;
    case promql::NodeKind::kStringLiteral: return OBSV_PROMQL_STRING;
    case promql::NodeKind::kVectorSelector: return OBSV_PROMQL_VECTOR_SELECTOR;
    case promql::NodeKind::kMatrixSelector: return OBSV_PROMQL_MATRIX_SELECTOR;
    case promql::NodeKind::kSubquery: return OBSV_PROMQL_SUBQUERY;
    case promql::NodeKind::kCall: return OBSV_PROMQL_CALL;
    case promql::NodeKind::kAggregate: return OBSV_PROMQL_AGGREGATE;
    case promql::NodeKind::kBinary: return OBSV_PROMQL_BINARY;
    case promql::NodeKind::kUnary: return OBSV_PROMQL_UNARY;
    case promql::NodeKind::kParen: return OBSV_PROMQL_PAREN;
  }
  return OBSV_PROMQL_NUMBER;
}

obsv_promql_value_type obsv_promql_node_type(const obsv_promql_node* node) {
  const promql::Expr* e = AsExpr(node);
  if (e == nullptr) return OBSV_PROMQL_TYPE_NONE;
  switch (e->type()) {
    case promql::ValueType::kNone: return OBSV_PROMQL_TYPE_NONE;
    case promql::ValueType::kScalar: return OBSV_PROMQL_TYPE_SCALAR;
    case promql::ValueType::kVector: return OBSV_PROMQL_TYPE_VECTOR;
    case promql::ValueType::kMatrix: return OBSV_PROMQL_TYPE_MATRIX;
    case promql::ValueType::kString: return OBSV_PROMQL_TYPE_STRING;
  }
  return OBSV_PROMQL_TYPE_NONE;
}

uint32_t obsv_promql_node_start(const obsv_promql_node* node) {
  return node == nullptr ? 0 : AsExpr(node)->span.start;
}
uint32_t obsv_promql_node_end(const obsv_promql_node* node) { return node == nullptr ? 0 : AsExpr(node)->span.end; }

size_t obsv_promql_node_child_count(const obsv_promql_node* node) {
  return node == nullptr ? 0 : obsv::capi::ChildCount(*AsExpr(node));
}

const obsv_promql_node* obsv_promql_node_child(const obsv_promql_node* node, size_t i) {
  return node == nullptr ? nullptr : AsNode(obsv::capi::Child(*AsExpr(node), i));
}

obsv_str obsv_promql_node_name(const obsv_promql_node* node) {
  const promql::Expr* e = AsExpr(node);
  if (e == nullptr) return obsv_str{"", 0};
  switch (e->kind) {
    case promql::NodeKind::kVectorSelector:
    case promql::NodeKind::kMatrixSelector: {
      const promql::VectorSelector* s = obsv::capi::SelectorOf(e);
      return s == nullptr ? obsv_str{"", 0} : ToStr(s->name);
    }
    case promql::NodeKind::kCall: {
      const promql::FunctionInfo* f = e->As<promql::Call>().function;
      return f == nullptr ? obsv_str{"", 0} : ToStr(f->name);
    }
    case promql::NodeKind::kAggregate: return ToStr(promql::AggregateOpName(e->As<promql::Aggregate>().op));
    case promql::NodeKind::kBinary: return ToStr(promql::BinaryOpName(e->As<promql::Binary>().op));
    case promql::NodeKind::kUnary: return e->As<promql::Unary>().negate ? obsv_str{"-", 1} : obsv_str{"+", 1};
    case promql::NodeKind::kNumberLiteral:
    case promql::NodeKind::kStringLiteral:
    case promql::NodeKind::kSubquery:
    case promql::NodeKind::kParen:
      return obsv_str{"", 0};
  }
  return obsv_str{"", 0};
}

double obsv_promql_node_number(const obsv_promql_node* node) {
  const promql::Expr* e = AsExpr(node);
  if (e == nullptr || e->kind != promql::NodeKind::kNumberLiteral) return 0;
  return e->As<promql::NumberLiteral>().value;
}

obsv_str obsv_promql_node_string(const obsv_promql_node* node) {
  const promql::Expr* e = AsExpr(node);
  if (e == nullptr || e->kind != promql::NodeKind::kStringLiteral) return obsv_str{"", 0};
  return ToStr(e->As<promql::StringLiteral>().value);
}

size_t obsv_promql_node_matcher_count(const obsv_promql_node* node) {
  const promql::VectorSelector* s = obsv::capi::SelectorOf(AsExpr(node));
  return s == nullptr ? 0 : s->matchers.size();
}

int obsv_promql_node_matcher(const obsv_promql_node* node, size_t i, obsv_matcher* out) {
  const promql::VectorSelector* s = obsv::capi::SelectorOf(AsExpr(node));
  if (s == nullptr || out == nullptr || i >= s->matchers.size()) return 0;
  const promql::LabelMatcher& m = s->matchers[i];
  out->name = ToStr(m.name);
  out->op = obsv::capi::FromMatchOp(m.op);
  out->value = ToStr(m.value);
  return 1;
}

size_t obsv_promql_node_label_count(const obsv_promql_node* node) {
  const std::vector<std::string>* labels = obsv::capi::LabelsOf(AsExpr(node));
  return labels == nullptr ? 0 : labels->size();
}

obsv_str obsv_promql_node_label(const obsv_promql_node* node, size_t i) {
  const std::vector<std::string>* labels = obsv::capi::LabelsOf(AsExpr(node));
  return labels == nullptr || i >= labels->size() ? obsv_str{"", 0} : ToStr((*labels)[i]);
}

size_t obsv_promql_node_include_count(const obsv_promql_node* node) {
  const std::vector<std::string>* labels = obsv::capi::IncludeOf(AsExpr(node));
  return labels == nullptr ? 0 : labels->size();
}

obsv_str obsv_promql_node_include(const obsv_promql_node* node, size_t i) {
  const std::vector<std::string>* labels = obsv::capi::IncludeOf(AsExpr(node));
  return labels == nullptr || i >= labels->size() ? obsv_str{"", 0} : ToStr((*labels)[i]);
}

int obsv_promql_node_without(const obsv_promql_node* node) {
  const promql::Expr* e = AsExpr(node);
  return e != nullptr && e->kind == promql::NodeKind::kAggregate && e->As<promql::Aggregate>().without ? 1 : 0;
}

int obsv_promql_node_on(const obsv_promql_node* node) {
  const promql::Expr* e = AsExpr(node);
  if (e == nullptr || e->kind != promql::NodeKind::kBinary) return 0;
  const auto& b = e->As<promql::Binary>();
  return b.has_matching && b.matching.on ? 1 : 0;
}

int obsv_promql_node_bool(const obsv_promql_node* node) {
  const promql::Expr* e = AsExpr(node);
  return e != nullptr && e->kind == promql::NodeKind::kBinary && e->As<promql::Binary>().return_bool ? 1 : 0;
}

obsv_promql_cardinality obsv_promql_node_cardinality(const obsv_promql_node* node) {
  const promql::Expr* e = AsExpr(node);
  if (e == nullptr || e->kind != promql::NodeKind::kBinary) return OBSV_PROMQL_ONE_TO_ONE;
  switch (e->As<promql::Binary>().matching.card) {
    case promql::Cardinality::kOneToOne: return OBSV_PROMQL_ONE_TO_ONE;
    case promql::Cardinality::kManyToOne: return OBSV_PROMQL_MANY_TO_ONE;
    case promql::Cardinality::kOneToMany: return OBSV_PROMQL_ONE_TO_MANY;
    case promql::Cardinality::kManyToMany: return OBSV_PROMQL_MANY_TO_MANY;
  }
  return OBSV_PROMQL_ONE_TO_ONE;
}

int64_t obsv_promql_node_range_ms(const obsv_promql_node* node) {
  const promql::Expr* e = AsExpr(node);
  if (e == nullptr) return 0;
  if (e->kind == promql::NodeKind::kMatrixSelector) {
    return e->As<promql::MatrixSelector>().range_ns / obsv::capi::kNanosPerMilli;
  }
  if (e->kind == promql::NodeKind::kSubquery) return e->As<promql::Subquery>().range_ns / obsv::capi::kNanosPerMilli;
  return 0;
}

int64_t obsv_promql_node_step_ms(const obsv_promql_node* node) {
  const promql::Expr* e = AsExpr(node);
  if (e == nullptr || e->kind != promql::NodeKind::kSubquery) return 0;
  return e->As<promql::Subquery>().step_ns / obsv::capi::kNanosPerMilli;
}

int64_t obsv_promql_node_offset_ms(const obsv_promql_node* node) {
  const promql::Expr* e = AsExpr(node);
  if (e == nullptr) return 0;
  if (e->kind == promql::NodeKind::kSubquery) {
    return e->As<promql::Subquery>().modifiers.offset_ns / obsv::capi::kNanosPerMilli;
  }
  const promql::VectorSelector* s = obsv::capi::SelectorOf(e);
  return s == nullptr ? 0 : s->modifiers.offset_ns / obsv::capi::kNanosPerMilli;
}

obsv_status obsv_promql_injector_new(const obsv_matcher* enforced, size_t count, obsv_conflict_policy policy,
                                     obsv_promql_injector** out_injector, obsv_error** out_error) {
  obsv::capi::ClearError(out_error);
  if (out_injector == nullptr || (enforced == nullptr && count != 0)) {
    return obsv::capi::SetError(out_error, OBSV_ERR_INVALID_ARGUMENT, "NULL argument");
  }
  *out_injector = nullptr;
  return Guard(out_error, [&]() -> obsv_status {
    promql::InjectOptions options;
    if (!obsv::capi::ToPolicy(&policy, &options.policy)) {
      return obsv::capi::SetError(out_error, OBSV_ERR_INVALID_ARGUMENT, "unknown conflict policy");
    }
    if (obsv_status s = obsv::capi::EnforcedFromC(enforced, count, &options.enforced, out_error);
        s != OBSV_OK) {
      return s;
    }
    return obsv::capi::NewInjector(std::move(options), out_injector, out_error);
  });
}

obsv_status obsv_promql_injector_new_for_values(const char* label, size_t label_len, const obsv_str* values,
                                                size_t count, obsv_conflict_policy policy,
                                                obsv_promql_injector** out_injector, obsv_error** out_error) {
  obsv::capi::ClearError(out_error);
  if (out_injector == nullptr || (label == nullptr && label_len != 0) || (values == nullptr && count != 0)) {
    return obsv::capi::SetError(out_error, OBSV_ERR_INVALID_ARGUMENT, "NULL argument");
  }
  *out_injector = nullptr;
  return Guard(out_error, [&]() -> obsv_status {
    promql::InjectOptions options;
    if (!obsv::capi::ToPolicy(&policy, &options.policy)) {
      return obsv::capi::SetError(out_error, OBSV_ERR_INVALID_ARGUMENT, "unknown conflict policy");
    }
    std::vector<std::string> allowed;
    allowed.reserve(count);
    for (size_t i = 0; i < count; ++i) allowed.emplace_back(FromStr(values[i]));
    absl::StatusOr<promql::LabelMatcher> m = promql::MatcherForValues(std::string_view(label, label_len), allowed);
    if (!m.ok()) return obsv::capi::SetStatusError(out_error, m.status(), {});
    options.enforced.push_back(*std::move(m));
    return obsv::capi::NewInjector(std::move(options), out_injector, out_error);
  });
}

void obsv_promql_injector_free(obsv_promql_injector* injector) { delete injector; }

obsv_status obsv_promql_inject_query(const obsv_promql_injector* injector, const char* query, size_t len,
                                     const obsv_promql_options* options, char** out, size_t* out_len,
                                     obsv_error** out_error) {
  obsv::capi::ClearError(out_error);
  obsv::capi::ResetOut(out, out_len);
  if (injector == nullptr || out == nullptr || (query == nullptr && len != 0)) {
    return obsv::capi::SetError(out_error, OBSV_ERR_INVALID_ARGUMENT, "NULL argument");
  }
  return Guard(out_error, [&]() -> obsv_status {
    std::string_view source(query, len);
    promql::ExprPtr expr;
    obsv::ParseError err = promql::Parse(source, obsv::capi::ToOptions(options), &expr);
    if (!err.ok()) return obsv::capi::SetPromqlParseError(out_error, err);
    absl::Status injected = injector->injector.Inject(*expr, source);
    if (!injected.ok()) return obsv::capi::SetStatusError(out_error, injected, source);
    return obsv::capi::ReturnString(promql::Format(*expr), out, out_len);
  });
}

obsv_status obsv_promql_tree_inject(const obsv_promql_injector* injector, obsv_promql_tree* tree,
                                    obsv_error** out_error) {
  obsv::capi::ClearError(out_error);
  if (injector == nullptr || tree == nullptr || tree->root == nullptr) {
    return obsv::capi::SetError(out_error, OBSV_ERR_INVALID_ARGUMENT, "NULL argument");
  }
  return Guard(out_error, [&]() -> obsv_status {
    absl::Status injected = injector->injector.Inject(*tree->root);
    if (!injected.ok()) return obsv::capi::SetStatusError(out_error, injected, {});
    return OBSV_OK;
  });
}

size_t obsv_string_list_size(const obsv_string_list* list) { return list == nullptr ? 0 : list->items.size(); }

obsv_str obsv_string_list_get(const obsv_string_list* list, size_t i) {
  if (list == nullptr || i >= list->items.size()) return obsv_str{"", 0};
  return ToStr(list->items[i]);
}

void obsv_string_list_free(obsv_string_list* list) { delete list; }

obsv_status obsv_promql_inject_selectors(const obsv_promql_injector* injector, const obsv_str* match, size_t count,
                                         const obsv_promql_options* options, obsv_string_list** out_list,
                                         obsv_error** out_error) {
  obsv::capi::ClearError(out_error);
  if (injector == nullptr || out_list == nullptr || (match == nullptr && count != 0)) {
    return obsv::capi::SetError(out_error, OBSV_ERR_INVALID_ARGUMENT, "NULL argument");
  }
  *out_list = nullptr;
  return Guard(out_error, [&]() -> obsv_status {
    absl::StatusOr<std::vector<std::string>> scoped = injector->injector.InjectSelectors(
        obsv::capi::StringsFromC(match, count), obsv::capi::ToOptions(options));
    if (!scoped.ok()) return obsv::capi::SetStatusError(out_error, scoped.status(), {});
    *out_list = new obsv_string_list{*std::move(scoped)};
    return OBSV_OK;
  });
}

obsv_status obsv_promql_expand_template(const char* tmpl, size_t len, const obsv_str* names, const obsv_str* values,
                                        size_t count, const obsv_promql_options* options, char** out,
                                        size_t* out_len, obsv_error** out_error) {
  obsv::capi::ClearError(out_error);
  obsv::capi::ResetOut(out, out_len);
  if (out == nullptr || (tmpl == nullptr && len != 0) || ((names == nullptr || values == nullptr) && count != 0)) {
    return obsv::capi::SetError(out_error, OBSV_ERR_INVALID_ARGUMENT, "NULL argument");
  }
  return Guard(out_error, [&]() -> obsv_status {
    std::vector<promql::TemplateValue> given =
        obsv::capi::TemplateValuesFromC<promql::TemplateValue>(names, values, count);
    std::string_view source(tmpl, len);
    absl::StatusOr<std::string> expanded = promql::ExpandTemplate(source, given, obsv::capi::ToOptions(options));
    if (!expanded.ok()) return obsv::capi::SetStatusError(out_error, expanded.status(), source);
    return obsv::capi::ReturnString(*expanded, out, out_len);
  });
}

}  // extern "C"
