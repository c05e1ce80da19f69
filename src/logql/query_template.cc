// LogQL query templates: `{{name}}` placeholders expanded with values
// escaped for the place they land, found by scanning the template's
// strings, operators, braces, brackets, pipeline stages and comments (the
// placeholder syntax, escapes and quoting are common/scope_core.h's, shared
// with PromQL's templates).
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/scope_core.h"
#include "common/str_cat.h"
#include "common/utf8.h"
#include "logql/lexer.h"
#include "logql/scope_support.h"
#include "obsv/logql_template.h"

namespace obsv::logql {
namespace {

using obsv::internal::StrCat;

bool IsNameStart(char c) { return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool IsNameChar(char c) { return IsNameStart(c) || (c >= '0' && c <= '9'); }
// Characters that would glue onto a bare value (names, numbers, durations).
bool IsWordChar(char c) { return IsNameChar(c) || c == '.'; }

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

// Where a placeholder stands.
enum class Place : unsigned char {
  kString,       // inside a string
  kRegex,        // inside the string of a regex
  kPattern,      // inside a pattern string
  kReplacement,  // inside label_replace's replacement
  kGoTemplate,   // line_format / label_format: Loki's own template, untouched
  kLabelName,    // inside {...} outside a string
  kDuration,     // inside [...]
  kToken,        // elsewhere: one number, duration, bytes or identifier token
};

// One token of `value` of an allowed type, covering all of it.
bool IsSingleToken(std::string_view value, bool identifier_only) {
  if (value.empty() || !obsv::internal::IsValidUtf8(value)) return false;
  internal::Lexer lex(value);
  internal::Token t = lex.Next();
  if (t.start != 0 || t.end != value.size()) return false;
  if (lex.Next().type != internal::Tok::kEof) return false;
  if (t.type == internal::Tok::kIdentifier) {
    for (char c : value) {
      if (!IsNameChar(c)) return false;
    }
    return IsNameStart(value[0]);
  }
  return !identifier_only && (t.type == internal::Tok::kNumber ||
                              t.type == internal::Tok::kDuration ||
                              t.type == internal::Tok::kBytes);
}

class Expander {
 public:
  Expander(std::string_view tmpl,
           const std::unordered_map<std::string_view, const std::string*>& values)
      : t_(tmpl), values_(values) {}

  absl::Status Run() {
    bool in_braces = false, in_brackets = false;
    bool regex_op = false, pattern_op = false, after_pipe = false;
    std::string stage;  // the pipeline stage keyword in force ("" if none)
    struct Frame {
      std::string_view function;
      int arg = 0;
    };
    std::vector<Frame> parens;
    std::string_view last_word;
    while (i_ < t_.size()) {
      char c = t_[i_];
      if (c == '{' && Peek(1) == '{') {
        Place place = in_braces ? Place::kLabelName : in_brackets ? Place::kDuration : Place::kToken;
        if (absl::Status s = Placeholder(place, 0, 0); !s.ok()) return s;
        last_word = {};
        after_pipe = false;
        continue;
      }
      if (c == '#') {  // a comment, to the end of the line, left as written
        while (i_ < t_.size() && t_[i_] != '\n') out_.push_back(t_[i_++]);
        continue;
      }
      if (c == '"' || c == '`') {
        Place place = Place::kString;
        if (stage == "line_format" || stage == "label_format") {
          place = Place::kGoTemplate;
        } else if (regex_op || (stage == "regexp" && !in_braces)) {
          place = Place::kRegex;
        } else if (pattern_op || stage == "pattern") {
          place = Place::kPattern;
        } else if (!parens.empty() && parens.back().function == "label_replace") {
          if (parens.back().arg == 4) place = Place::kRegex;
          if (parens.back().arg == 2) place = Place::kReplacement;
        }
        if (absl::Status s = String(c, place); !s.ok()) return s;
        regex_op = pattern_op = after_pipe = false;
        last_word = {};
        continue;
      }
      if (IsNameStart(c)) {
        size_t start = i_;
        while (i_ < t_.size() && IsNameChar(t_[i_])) ++i_;
        last_word = t_.substr(start, i_ - start);
        if (after_pipe && !in_braces) stage = Lower(last_word);
        after_pipe = false;
        out_.append(last_word.data(), last_word.size());
        continue;
      }
      bool space = c == ' ' || c == '\t' || c == '\n' || c == '\r';
      if (!space) after_pipe = false;
      char next = Peek(1);
      if (c == '=' || c == '!' || c == '|') {
        regex_op = next == '~';
        pattern_op = next == '>' && c != '=';
        if (c == '|' && next != '~' && next != '>' && next != '=') {
          after_pipe = true;
          stage.clear();
        }
      } else if (c == '(') {
        parens.push_back(Frame{last_word, 0});
      } else if (c == ')') {
        if (!parens.empty()) parens.pop_back();
        stage.clear();
      } else if (c == ',') {
        if (!parens.empty()) ++parens.back().arg;
        regex_op = pattern_op = false;
      }
      if (c == '{') in_braces = true, regex_op = pattern_op = false;
      if (c == '}') in_braces = false;
      if (c == '[') in_brackets = true, stage.clear();
      if (c == ']') in_brackets = false;
      if (!space) last_word = {};
      out_.push_back(c);
      ++i_;
    }
    return absl::OkStatus();
  }

  std::string Take() { return std::move(out_); }

 private:
  char Peek(size_t k) const { return i_ + k < t_.size() ? t_[i_ + k] : '\0'; }

  absl::Status Error(Span span, std::string_view message) const {
    return internal::PositionedError(absl::StatusCode::kInvalidArgument, t_, span, message);
  }

  absl::Status String(char quote, Place place) {
    out_.push_back(t_[i_++]);
    int trailing_backslashes = 0;
    while (i_ < t_.size()) {
      char c = t_[i_];
      if (c == quote) {
        out_.push_back(c);
        ++i_;
        return absl::OkStatus();
      }
      if (c == '{' && Peek(1) == '{' && place != Place::kGoTemplate) {
        if (absl::Status s = Placeholder(place, quote, trailing_backslashes); !s.ok()) return s;
        trailing_backslashes = 0;
        continue;
      }
      if (c == '\\' && quote != '`') {
        bool backslash = obsv::internal::CopyEscapeDecodesToBackslash(t_, &i_, &out_);
        trailing_backslashes = backslash ? trailing_backslashes + 1 : 0;
        continue;
      }
      trailing_backslashes = c == '\\' ? trailing_backslashes + 1 : 0;  // raw string
      out_.push_back(c);
      ++i_;
    }
    return absl::OkStatus();  // unterminated: Parse() reports it
  }

  absl::Status Placeholder(Place place, char quote, int trailing_backslashes) {
    size_t start = i_;
    std::string_view name;
    size_t j = 0;
    const std::string* found = nullptr;
    std::optional<std::string> unresolved =
        obsv::internal::ResolvePlaceholder(t_, start, values_, &name, &j, &found);
    Span span{static_cast<uint32_t>(start), static_cast<uint32_t>(j)};
    if (unresolved) return Error(span, *unresolved);
    std::string label = StrCat("placeholder {{", name, "}}");
    const std::string& value = *found;
    if (!obsv::internal::IsValidUtf8(value)) {
      return Error(span, StrCat(label, ": value is not valid UTF-8"));
    }
    switch (place) {
      case Place::kGoTemplate:  // not reached: left as written by String()
        return Error(span, StrCat(label, " stands in a Go template"));
      case Place::kPattern:
        if (value.find_first_of("<>") != std::string::npos) {
          return Error(span, StrCat(label, ": value cannot stand in a pattern (it holds < or >, "
                                           "which would open a capture)"));
        }
        [[fallthrough]];
      case Place::kString:
      case Place::kRegex:
      case Place::kReplacement: {
        obsv::internal::StringPlace sp = place == Place::kRegex
                                             ? obsv::internal::StringPlace::kRegex
                                         : place == Place::kReplacement
                                             ? obsv::internal::StringPlace::kReplacement
                                             : obsv::internal::StringPlace::kPlain;
        if (std::optional<std::string> e = obsv::internal::AppendStringPlaceholder(
                value, sp, quote, trailing_backslashes, &out_)) {
          return Error(span, StrCat(label, *e));
        }
        break;
      }
      case Place::kLabelName:
      case Place::kDuration:
      case Place::kToken: {
        if (obsv::internal::PlaceholderGlued(t_, start, j, last_placeholder_end_, IsWordChar)) {
          return Error(span, StrCat(label, " must stand alone as a token outside strings"));
        }
        if (place == Place::kDuration) {
          int64_t ns;
          if (!internal::ParseLokiDuration(value, &ns)) {
            return Error(span, StrCat(label, ": value is not a valid duration (e.g. 5m, 1h30m)"));
          }
        } else if (!IsSingleToken(value, place == Place::kLabelName)) {
          return Error(span, StrCat(label, place == Place::kLabelName
                                               ? ": value is not a label name"
                                               : ": value is not an unsigned number, duration, "
                                                 "byte size or label name"));
        }
        out_.append(value);
        break;
      }
    }
    i_ = j;
    last_placeholder_end_ = j;
    return absl::OkStatus();
  }

  std::string_view t_;
  const std::unordered_map<std::string_view, const std::string*>& values_;
  size_t i_ = 0;
  size_t last_placeholder_end_ = std::string_view::npos;
  std::string out_;
};

}  // namespace

absl::StatusOr<std::string> ExpandTemplate(std::string_view tmpl,
                                           const std::vector<TemplateValue>& values,
                                           const ParserOptions& parser_options) {
  return obsv::internal::ExpandTemplateWith<Expander>(
      tmpl, values, parser_options.max_query_bytes, [&parser_options](const std::string& out) {
        absl::StatusOr<ExprPtr> expr = Parse(out, parser_options);
        return expr.ok() ? absl::OkStatus() : expr.status();
      });
}

}  // namespace obsv::logql
