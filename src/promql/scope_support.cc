// Positioned errors and escaping for the scoping rewriters.
#include "promql/scope_support.h"

#include <cstdio>
#include <optional>

#include "absl/types/optional.h"

#include "absl/strings/cord.h"
#include "common/str_cat.h"
#include "obsv/promql_scope.h"
#include "promql/lexer.h"

namespace obsv::promql {
namespace {

// The payload that carries an error's span: "start:end" in decimal.
constexpr char kSpanPayload[] = "type.obsv.dev/obsv.promql.Span";

bool ParseU32(std::string_view s, uint32_t* out) {
  if (s.empty() || s.size() > 10) return false;
  uint64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + static_cast<uint64_t>(c - '0');
  }
  if (v > UINT32_MAX) return false;
  *out = static_cast<uint32_t>(v);
  return true;
}

}  // namespace

std::optional<Span> ErrorSpan(const absl::Status& status) {
  absl::optional<absl::Cord> payload = status.GetPayload(kSpanPayload);
  if (!payload.has_value()) return std::nullopt;
  std::string text(*payload);
  size_t colon = text.find(':');
  if (colon == std::string::npos) return std::nullopt;
  Span span;
  if (!ParseU32(std::string_view(text).substr(0, colon), &span.start) ||
      !ParseU32(std::string_view(text).substr(colon + 1), &span.end)) {
    return std::nullopt;
  }
  return span;
}

namespace internal {

using obsv::internal::StrAppend;
using obsv::internal::StrCat;

absl::Status PositionedError(absl::StatusCode code, std::string_view source, Span span,
                             std::string_view message) {
  std::string text;
  if (source.empty()) {
    text = StrCat("offset ", span.start, ": ", message);
  } else {
    LineColumn at = LineColumnAt(source, span.start);
    text = StrCat(at.line, ":", at.column, ": ", message);
  }
  absl::Status status(code, text);
  status.SetPayload(kSpanPayload, absl::Cord(StrCat(span.start, ":", span.end)));
  return status;
}

absl::Status PrefixError(const absl::Status& status, std::string_view prefix) {
  absl::string_view old = status.message();
  std::string text(prefix);
  text.append(old.data(), old.size());
  absl::Status out(status.code(), text);
  status.ForEachPayload([&out](absl::string_view url, const absl::Cord& payload) {
    out.SetPayload(url, payload);
  });
  return out;
}

void AppendRegexQuoteMeta(std::string_view s, std::string* out) {
  static constexpr std::string_view kSpecial = "\\.+*?()|[]{}^$";
  for (char c : s) {
    if (kSpecial.find(c) != std::string_view::npos) out->push_back('\\');
    out->push_back(c);
  }
}

bool AppendStringContent(std::string_view s, char quote, std::string* out) {
  if (quote == '`') {
    // Raw strings have no escapes: the text goes in as it is, unless it
    // would end the string or lose a byte (Go drops \r from raw strings).
    if (s.find('`') != std::string_view::npos || s.find('\r') != std::string_view::npos) {
      return false;
    }
    out->append(s.data(), s.size());
    return true;
  }
  for (char c : s) {
    unsigned char u = static_cast<unsigned char>(c);
    if (c == quote || c == '\\') {
      out->push_back('\\');
      out->push_back(c);
    } else if (c == '\n') {
      out->append("\\n");
    } else if (c == '\r') {
      out->append("\\r");
    } else if (c == '\t') {
      out->append("\\t");
    } else if (u < 0x20 || u == 0x7f) {
      char buf[8];
      snprintf(buf, sizeof(buf), "\\x%02x", u);
      out->append(buf);
    } else {
      out->push_back(c);  // UTF-8 (validated by the caller) stands for itself
    }
  }
  return true;
}

std::string MatcherText(const LabelMatcher& m) {
  std::string out;
  if (IsLegacyLabelName(m.name)) {
    out = m.name;
  } else {
    AppendGoQuote(m.name, &out);
  }
  std::string_view op = MatchOpName(m.op);
  out.append(op.data(), op.size());
  AppendGoQuote(m.value, &out);
  return out;
}

}  // namespace internal
}  // namespace obsv::promql
