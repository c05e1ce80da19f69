// Whether Loki keeps a label filter's `=~` regex as a regexp: a small
// reading of Go's regexp/syntax parse tree (literal runs, captures,
// alternations factored by common prefix and single characters merged into
// classes, as Go's parser does) fed to Loki's RegexSimplifier
// (pkg/logql/log/filter.go). Loki prints a kept regexp in backquotes.
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/go_strconv.h"
#include "logql/label_regex.h"
#include "logql/printer.h"

namespace obsv::logql::internal {
namespace {

enum class Op { kLiteral, kEmpty, kAnyNotNL, kAnyChar, kCharClass, kStar, kPlus, kQuest, kConcat,
                kAlternate, kCapture, kOther };

struct Node {
  Op op = Op::kOther;
  std::vector<uint32_t> runes;  // kLiteral
  bool fold = false;            // kLiteral: (?i)
  std::vector<std::unique_ptr<Node>> subs;
};
using NodePtr = std::unique_ptr<Node>;

NodePtr Make(Op op) {
  auto n = std::make_unique<Node>();
  n->op = op;
  return n;
}

bool IsCharClassLike(const Node& n) {
  return (n.op == Op::kLiteral && n.runes.size() == 1) || n.op == Op::kCharClass ||
         n.op == Op::kAnyNotNL || n.op == Op::kAnyChar;
}

// Go's parser.collapse + factor for an alternation.
NodePtr Alternate(std::vector<NodePtr> subs);

const Node* LeadingLiteral(const Node& n) {
  const Node* r = &n;
  if (r->op == Op::kConcat && !r->subs.empty()) r = r->subs[0].get();
  return r->op == Op::kLiteral ? r : nullptr;
}

NodePtr RemoveLeading(NodePtr n, size_t count) {
  Node* lit = n->op == Op::kConcat && !n->subs.empty() ? n->subs[0].get() : n.get();
  lit->runes.erase(lit->runes.begin(), lit->runes.begin() + static_cast<long>(count));
  if (n->op == Op::kLiteral) return n->runes.empty() ? Make(Op::kEmpty) : std::move(n);
  if (lit->runes.empty()) n->subs.erase(n->subs.begin());
  if (n->subs.empty()) return Make(Op::kEmpty);
  if (n->subs.size() == 1) return std::move(n->subs[0]);
  return n;
}

NodePtr Alternate(std::vector<NodePtr> in) {
  // Flatten nested alternations.
  std::vector<NodePtr> subs;
  for (NodePtr& s : in) {
    if (s->op == Op::kAlternate) {
      for (NodePtr& x : s->subs) subs.push_back(std::move(x));
    } else {
      subs.push_back(std::move(s));
    }
  }
  // Round 1: common literal prefixes of consecutive alternatives.
  std::vector<NodePtr> out;
  size_t start = 0;
  std::vector<uint32_t> str;
  bool str_fold = false;
  for (size_t i = 0; i <= subs.size(); ++i) {
    std::vector<uint32_t> istr;
    bool ifold = false;
    if (i < subs.size()) {
      if (const Node* l = LeadingLiteral(*subs[i])) {
        istr = l->runes;
        ifold = l->fold;
      }
      if (ifold == str_fold) {
        size_t same = 0;
        while (same < str.size() && same < istr.size() && str[same] == istr[same]) ++same;
        if (same > 0) {
          str.resize(same);
          continue;
        }
      }
    }
    if (i == start + 1) {
      out.push_back(std::move(subs[start]));
    } else if (i > start + 1) {
      auto prefix = Make(Op::kLiteral);
      prefix->runes = str;
      prefix->fold = str_fold;
      std::vector<NodePtr> suffixes;
      for (size_t j = start; j < i; ++j) suffixes.push_back(RemoveLeading(std::move(subs[j]), str.size()));
      auto concat = Make(Op::kConcat);
      concat->subs.push_back(std::move(prefix));
      concat->subs.push_back(Alternate(std::move(suffixes)));
      out.push_back(std::move(concat));
    }
    start = i;
    str = istr;
    str_fold = ifold;
  }
  // Round 3: runs of single characters and classes become one class.
  std::vector<NodePtr> merged;
  for (size_t i = 0; i < out.size();) {
    size_t j = i;
    while (j < out.size() && IsCharClassLike(*out[j])) ++j;
    if (j - i >= 2) {
      merged.push_back(Make(Op::kCharClass));
      i = j;
    } else {
      merged.push_back(std::move(out[i]));
      ++i;
    }
  }
  // Round 4: runs of empty matches collapse into one.
  std::vector<NodePtr> final_subs;
  for (NodePtr& n : merged) {
    if (n->op == Op::kEmpty && !final_subs.empty() && final_subs.back()->op == Op::kEmpty) continue;
    final_subs.push_back(std::move(n));
  }
  if (final_subs.size() == 1) return std::move(final_subs[0]);
  auto alt = Make(Op::kAlternate);
  alt->subs = std::move(final_subs);
  return alt;
}

class RegexReader {
 public:
  explicit RegexReader(std::string_view re) : re_(re) {}
  NodePtr Read() {
    NodePtr n = ReadAlternation(false);
    if (pos_ != re_.size()) failed_ = true;
    return failed_ ? nullptr : std::move(n);
  }

 private:
  NodePtr ReadAlternation(bool fold_in) {
    std::vector<NodePtr> alts;
    bool fold = fold_in;
    while (true) {
      alts.push_back(ReadConcat(&fold));
      if (failed_) return nullptr;
      if (pos_ < re_.size() && re_[pos_] == '|') {
        ++pos_;
        continue;
      }
      break;
    }
    if (alts.size() == 1) return std::move(alts[0]);
    return Alternate(std::move(alts));
  }

  void Append(std::vector<NodePtr>* items, NodePtr n) {
    if (n->op == Op::kLiteral && !items->empty() && items->back()->op == Op::kLiteral &&
        items->back()->fold == n->fold) {
      auto& r = items->back()->runes;
      r.insert(r.end(), n->runes.begin(), n->runes.end());
      return;
    }
    items->push_back(std::move(n));
  }

  NodePtr Literal(uint32_t r, bool fold) {
    auto n = Make(Op::kLiteral);
    n->runes.push_back(r);
    n->fold = fold;
    return n;
  }

  NodePtr ReadConcat(bool* fold) {
    std::vector<NodePtr> items;
    while (pos_ < re_.size() && re_[pos_] != '|' && re_[pos_] != ')') {
      NodePtr atom = ReadAtom(fold);
      if (failed_) return nullptr;
      if (!atom) continue;  // a flag group
      // Repetition.
      if (pos_ < re_.size() && (re_[pos_] == '*' || re_[pos_] == '+' || re_[pos_] == '?' ||
                                (re_[pos_] == '{' && IsRepeat()))) {
        char q = re_[pos_];
        if (q == '{') {
          pos_ = re_.find('}', pos_) + 1;
          atom = Make(Op::kOther);
        } else {
          ++pos_;
          auto rep = Make(q == '*' ? Op::kStar : q == '+' ? Op::kPlus : Op::kQuest);
          rep->subs.push_back(std::move(atom));
          atom = std::move(rep);
        }
        if (pos_ < re_.size() && re_[pos_] == '?') ++pos_;  // non-greedy
        items.push_back(std::move(atom));
        continue;
      }
      Append(&items, std::move(atom));
    }
    if (items.empty()) return Make(Op::kEmpty);
    if (items.size() == 1) return std::move(items[0]);
    auto c = Make(Op::kConcat);
    c->subs = std::move(items);
    return c;
  }

  bool IsRepeat() const {
    size_t p = pos_ + 1, d0 = p;
    while (p < re_.size() && re_[p] >= '0' && re_[p] <= '9') ++p;
    if (p == d0) return false;
    if (p < re_.size() && re_[p] == ',') {
      ++p;
      while (p < re_.size() && re_[p] >= '0' && re_[p] <= '9') ++p;
    }
    return p < re_.size() && re_[p] == '}';
  }

  NodePtr ReadAtom(bool* fold) {
    char c = re_[pos_];
    switch (c) {
      case '(': {
        ++pos_;
        bool capture = true;
        bool group_fold = *fold;
        if (pos_ < re_.size() && re_[pos_] == '?') {
          ++pos_;
          if (pos_ < re_.size() && (re_[pos_] == 'P' || re_[pos_] == '<')) {
            size_t close = re_.find('>', pos_);
            if (close == std::string_view::npos) {
              failed_ = true;
              return nullptr;
            }
            pos_ = close + 1;
          } else {
            // Flags: (?i) (?-i) (?i:...) (?:...)
            bool neg = false, f = *fold;
            while (pos_ < re_.size() && re_[pos_] != ')' && re_[pos_] != ':') {
              if (re_[pos_] == '-') neg = true;
              if (re_[pos_] == 'i') f = !neg;
              ++pos_;
            }
            if (pos_ >= re_.size()) {
              failed_ = true;
              return nullptr;
            }
            if (re_[pos_] == ')') {
              ++pos_;
              *fold = f;
              return nullptr;
            }
            ++pos_;  // ':'
            capture = false;
            group_fold = f;
          }
        }
        NodePtr inner = ReadAlternation(group_fold);
        if (failed_ || pos_ >= re_.size() || re_[pos_] != ')') {
          failed_ = true;
          return nullptr;
        }
        ++pos_;
        if (!capture) return inner;
        auto cap = Make(Op::kCapture);
        cap->subs.push_back(std::move(inner));
        return cap;
      }
      case '[': {
        // A class; a single plain character `[x]` is a literal.
        size_t p = pos_ + 1;
        if (p < re_.size() && re_[p] == '^') ++p;
        if (p < re_.size() && re_[p] == ']') ++p;
        while (p < re_.size() && re_[p] != ']') {
          if (re_[p] == '\\') ++p;
          ++p;
        }
        if (p >= re_.size()) {
          failed_ = true;
          return nullptr;
        }
        std::string_view body = re_.substr(pos_ + 1, p - pos_ - 1);
        pos_ = p + 1;
        if (body.size() == 1 && body[0] != '^' && body[0] != '\\') {
          return Literal(static_cast<unsigned char>(body[0]), false);
        }
        return Make(Op::kCharClass);
      }
      case '.':
        ++pos_;
        return Make(Op::kAnyNotNL);
      case '^':
      case '$':
        ++pos_;
        return Make(Op::kOther);
      case '\\': {
        ++pos_;
        if (pos_ >= re_.size()) {
          failed_ = true;
          return nullptr;
        }
        char e = re_[pos_++];
        switch (e) {
          case 'd': case 'D': case 'w': case 'W': case 's': case 'S': case 'p': case 'P':
            if ((e == 'p' || e == 'P') && pos_ < re_.size() && re_[pos_] == '{') {
              pos_ = re_.find('}', pos_) + 1;
            } else if (e == 'p' || e == 'P') {
              ++pos_;
            }
            return Make(Op::kCharClass);
          case 'a': return Literal('\a', *fold);
          case 'f': return Literal('\f', *fold);
          case 'n': return Literal('\n', *fold);
          case 'r': return Literal('\r', *fold);
          case 't': return Literal('\t', *fold);
          case 'v': return Literal('\v', *fold);
          default: break;
        }
        if (e == 'x') {
          // \xHH or \x{H...}: one literal rune.
          size_t end = pos_ + 2;
          if (pos_ < re_.size() && re_[pos_] == '{') end = re_.find('}', pos_) + 1;
          if (end == 0 || end > re_.size()) {
            failed_ = true;
            return nullptr;
          }
          std::string_view hex = re_.substr(pos_, end - pos_);
          if (!hex.empty() && hex.front() == '{') hex = hex.substr(1, hex.size() - 2);
          uint32_t r = 0;
          for (char h : hex) {
            int d = (h >= '0' && h <= '9') ? h - '0' : (h >= 'a' && h <= 'f') ? h - 'a' + 10
                    : (h >= 'A' && h <= 'F') ? h - 'A' + 10 : -1;
            if (d < 0) {
              failed_ = true;
              return nullptr;
            }
            r = r * 16 + static_cast<uint32_t>(d);
          }
          pos_ = end;
          return Literal(r, *fold);
        }
        if (e == 'Q') {
          // \Q...\E: the text between is literal.
          size_t end = re_.find("\\E", pos_);
          std::string_view text = re_.substr(pos_, end == std::string_view::npos ? end : end - pos_);
          pos_ = end == std::string_view::npos ? re_.size() : end + 2;
          if (text.empty()) return Make(Op::kEmpty);
          auto lit = Make(Op::kLiteral);
          lit->fold = *fold;
          for (size_t i = 0; i < text.size();) {
            uint32_t r;
            int n = obsv::internal::DecodeRune(text, i, &r);
            if (n == 0) {
              failed_ = true;
              return nullptr;
            }
            lit->runes.push_back(r);
            i += static_cast<size_t>(n);
          }
          return lit;
        }
        if ((e >= 'a' && e <= 'z') || (e >= 'A' && e <= 'Z') || (e >= '0' && e <= '9')) {
          // \b \B \A \z and the like: assertions, never literal. (Octal
          // escapes are rare enough to be left to this side too.)
          return Make(Op::kOther);
        }
        return Literal(static_cast<unsigned char>(e), *fold);
      }
      default: {
        uint32_t r;
        int n = obsv::internal::DecodeRune(re_, pos_, &r);
        if (n == 0) {
          failed_ = true;
          return nullptr;
        }
        pos_ += static_cast<size_t>(n);
        bool has_case = (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') || r >= 0x80;
        (void)has_case;
        return Literal(r, *fold);
      }
    }
  }

  std::string_view re_;
  size_t pos_ = 0;
  bool failed_ = false;
};

bool Simplifiable(const Node& n);

bool IsAnyStar(const Node& n) {
  return n.op == Op::kStar && n.subs[0]->op == Op::kAnyNotNL;
}

const Node& Uncaptured(const Node& n) {
  return n.op == Op::kCapture ? Uncaptured(*n.subs[0]) : n;
}

bool SimplifiableConcat(const Node& n, bool base, bool base_fold);

bool SimplifiableConcatAlternate(const Node& alt, bool base_fold) {
  for (const NodePtr& a : alt.subs) {
    if (!base_fold && a->op == Op::kLiteral && a->fold) return false;
    if (a->op == Op::kEmpty || a->op == Op::kLiteral) continue;
    if (a->op == Op::kConcat) {
      if (!SimplifiableConcat(*a, true, base_fold)) return false;
      continue;
    }
    if (!IsAnyStar(*a)) return false;
  }
  return !alt.subs.empty();
}

bool SimplifiableConcat(const Node& n, bool base, bool base_fold) {
  std::vector<const Node*> subs;
  for (const NodePtr& s : n.subs) {
    const Node& u = s->op == Op::kCapture ? *s->subs[0] : *s;
    if (u.op != Op::kEmpty) subs.push_back(&u);
  }
  if (subs.size() > 3) return false;
  int literals = 0;
  bool curr = false;
  for (const Node* s : subs) {
    if (s->op == Op::kLiteral) {
      if (literals != 0) return false;
      ++literals;
      base = true;
      base_fold = s->fold;
      continue;
    }
    if (s->op == Op::kAlternate && base) {
      if (!SimplifiableConcatAlternate(*s, base_fold)) return false;
      curr = true;
      continue;
    }
    if (IsAnyStar(*s)) continue;
    return false;
  }
  return curr || base;
}

bool Simplifiable(const Node& n) {
  if (n.op == Op::kAlternate) {
    for (const NodePtr& s : n.subs) {
      if (!Simplifiable(Uncaptured(*s))) return false;
    }
    return true;
  }
  if (n.op == Op::kConcat) return SimplifiableConcat(n, false, false);
  if (n.op == Op::kCapture) return Simplifiable(*n.subs[0]);
  if (n.op == Op::kLiteral || n.op == Op::kEmpty) return true;
  if (n.op == Op::kStar || n.op == Op::kPlus) return n.subs[0]->op == Op::kAnyNotNL;
  return false;
}

}  // namespace

bool LabelRegexIsKeptAsRegexpByTree(std::string_view re) {
  RegexReader reader(re);
  NodePtr n = reader.Read();
  if (!n) return true;  // shapes this reading does not model are never literal
  return !Simplifiable(*n);
}

namespace {

bool IsRegexMeta(unsigned char c) {
  switch (c) {
    case '\\': case '.': case '+': case '*': case '?': case '(': case ')': case '|':
    case '[': case ']': case '{': case '}': case '^': case '$':
      return true;
    default:
      return false;
  }
}

// ASCII without metacharacters.
bool IsPlainAscii(std::string_view s) {
  for (char c : s) {
    unsigned char u = static_cast<unsigned char>(c);
    if (u >= 0x80 || IsRegexMeta(u)) return false;
  }
  return true;
}

// LabelRegexIsKeptAsRegexpByTree() of a regex without groups,
// alternations, escapes or counted repetitions (`5..`, `Notify.*failed`,
// `[0-9]+`), decided on the list of its concatenated items without
// building the tree: 1 (kept) or 0; -1 when it has one of those, for the
// tree to decide. The reading is the tree's (RegexReader::ReadConcat and
// ReadAtom), item by item; lexer_test.cc compares the two.
int FlatKeptAsRegexp(std::string_view re) {
  for (char c : re) {
    if (c == '(' || c == ')' || c == '|' || c == '\\' || c == '{' || c == '}') return -1;
  }
  // A literal run, `.*`, `.+`, or anything else (what the simplifier
  // cannot take apart: `.`, a class, `^`, `$`, other repetitions).
  enum Kind : uint8_t { kLit, kStarAny, kPlusAny, kOther };
  Kind items[3];
  size_t n = 0;
  const size_t size = re.size();
  size_t pos = 0;
  while (pos < size) {
    enum Atom : uint8_t { kAtomLit, kAtomAny, kAtomOther } atom;
    const char c = re[pos];
    if (c == '[') {
      size_t p = pos + 1;
      if (p < size && re[p] == '^') ++p;
      if (p < size && re[p] == ']') ++p;
      while (p < size && re[p] != ']') ++p;
      if (p >= size) return -1;
      const std::string_view body = re.substr(pos + 1, p - pos - 1);
      pos = p + 1;
      atom = body.size() == 1 && body[0] != '^' ? kAtomLit : kAtomOther;
    } else if (c == '.') {
      ++pos;
      atom = kAtomAny;
    } else if (c == '^' || c == '$') {
      ++pos;
      atom = kAtomOther;
    } else {
      uint32_t r;
      const int k = obsv::internal::DecodeRune(re, pos, &r);
      if (k == 0) return -1;
      pos += static_cast<size_t>(k);
      atom = kAtomLit;
    }
    Kind kind;
    if (pos < size && (re[pos] == '*' || re[pos] == '+' || re[pos] == '?')) {
      const char q = re[pos++];
      kind = atom == kAtomAny && q == '*'   ? kStarAny
             : atom == kAtomAny && q == '+' ? kPlusAny
                                            : kOther;
      if (pos < size && re[pos] == '?') ++pos;  // non-greedy
    } else if (atom == kAtomLit) {
      if (n > 0 && items[n - 1] == kLit) continue;  // joins the run before it
      kind = kLit;
    } else {
      kind = kOther;
    }
    if (n == 3) return 1;  // a concatenation of more than three: kept
    items[n++] = kind;
  }
  if (n == 0) return 0;
  if (n == 1) return items[0] == kOther ? 1 : 0;
  // A concatenation: one literal, the rest `.*`.
  size_t literals = 0;
  for (size_t i = 0; i < n; ++i) {
    if (items[i] == kLit) {
      ++literals;
    } else if (items[i] != kStarAny) {
      return 1;
    }
  }
  return literals == 1 ? 0 : 1;
}

// True if the tree of `re` surely holds a node the simplifier cannot
// take (it then keeps the regexp whatever surrounds that node; a regex the
// tree cannot read is kept too): a character class (`\d`, `\w`, `\s`,
// `\p`, their negations, `[...]` of more than one character), `^` or `$`,
// or `.` not repeated by `*` or `+`. Such a node is never removed (the
// factoring of alternations only trims literal prefixes, and merging
// single characters makes classes). The scan reads atoms as the tree's
// reader does and gives up (false) at what it does not model: counted
// repetitions and braces, `\Q`, `\x`, named groups.
bool SurelyKept(std::string_view re) {
  auto is_class_escape = [](char e) {
    return e == 'd' || e == 'D' || e == 'w' || e == 'W' || e == 's' || e == 'S' || e == 'p' ||
           e == 'P';
  };
  const size_t n = re.size();
  for (size_t i = 0; i < n;) {
    const char c = re[i];
    switch (c) {
      case '{':
      case '}':
        return false;
      case '\\': {
        if (i + 1 >= n) return false;
        const char e = re[i + 1];
        if (e == 'Q' || e == 'x') return false;
        if (is_class_escape(e)) return true;
        i += 2;
        continue;
      }
      case '(':
        if (i + 1 < n && re[i + 1] == '?') {
          if (i + 2 < n && (re[i + 2] == 'P' || re[i + 2] == '<')) return false;
          // Flags up to `)` or `:`, as the reader skips them.
          size_t p = i + 2;
          while (p < n && re[p] != ')' && re[p] != ':') ++p;
          if (p >= n) return false;
          i = p + 1;
          continue;
        }
        ++i;
        continue;
      case '[': {
        size_t p = i + 1;
        if (p < n && re[p] == '^') ++p;
        if (p < n && re[p] == ']') ++p;
        while (p < n && re[p] != ']') {
          if (re[p] == '\\') ++p;
          ++p;
        }
        if (p >= n) return false;
        const std::string_view body = re.substr(i + 1, p - i - 1);
        if (!(body.size() == 1 && body[0] != '^' && body[0] != '\\')) return true;
        i = p + 1;
        continue;
      }
      case '^':
      case '$':
        return true;
      case '.':
        if (i + 1 >= n || (re[i + 1] != '*' && re[i + 1] != '+')) return true;
        ++i;
        continue;
      default:
        ++i;
        continue;
    }
  }
  return false;
}

}  // namespace

bool LabelRegexIsKeptAsRegexp(std::string_view re) {
  // The common shapes, read without building the tree (what the tree
  // reading decides for them; lexer_test.cc compares the two):
  // `lit`, `.*lit`, `lit.*`, `.*lit.*` (a literal between any-stars) and
  // `lit1|lit2|...` with alternatives of two bytes or more where no two
  // neighbours start alike (nothing for Go's parser to factor or merge
  // into a class). All of them the simplifier reduces.
  std::string_view core = re;
  bool star_prefix = core.size() >= 2 && core[0] == '.' && core[1] == '*';
  if (star_prefix) core.remove_prefix(2);
  bool star_suffix = core.size() >= 2 && core[core.size() - 2] == '.' && core.back() == '*';
  if (star_suffix) core.remove_suffix(2);
  if (IsPlainAscii(core) && (!core.empty() || (!star_prefix && !star_suffix))) {
    // `lit.*?` and the like end in `?`, which IsPlainAscii refused.
    return false;
  }
  if (!star_prefix && !star_suffix && re.size() >= 5) {
    bool ok = true;
    char prev_first = 0;
    size_t start = 0;
    for (size_t i = 0; i <= re.size() && ok; ++i) {
      if (i < re.size() && re[i] != '|') {
        unsigned char u = static_cast<unsigned char>(re[i]);
        ok = u < 0x80 && !IsRegexMeta(u);
        continue;
      }
      ok = i - start >= 2 && re[start] != prev_first;
      prev_first = re[start];
      start = i + 1;
    }
    if (ok) return false;
  }
  if (int kept = FlatKeptAsRegexp(re); kept >= 0) return kept != 0;
  if (SurelyKept(re)) return true;
  return LabelRegexIsKeptAsRegexpByTree(re);
}

namespace {

bool IsAsciiPunct(unsigned char c) {
  return (c >= '!' && c <= '/') || (c >= ':' && c <= '@') || (c >= '[' && c <= '`') ||
         (c >= '{' && c <= '~');
}

// One character of a class at re[*i]: a rune (*single) or a Perl class
// (\d \s \w and their negations). False for what the quick reading leaves
// to RE2.
bool ClassChar(std::string_view re, size_t* i, uint32_t* rune, bool* single) {
  *single = true;
  if (re[*i] != '\\') {
    int n = obsv::internal::DecodeRune(re, *i, rune);
    if (n == 0) return false;
    *i += static_cast<size_t>(n);
    return true;
  }
  if (*i + 1 >= re.size()) return false;
  unsigned char e = static_cast<unsigned char>(re[*i + 1]);
  *i += 2;
  if (IsAsciiPunct(e)) {
    *rune = e;
    return true;
  }
  switch (e) {
    case 'd': case 'D': case 's': case 'S': case 'w': case 'W': *single = false; return true;
    case 'a': *rune = '\a'; return true;
    case 'f': *rune = '\f'; return true;
    case 'n': *rune = '\n'; return true;
    case 'r': *rune = '\r'; return true;
    case 't': *rune = '\t'; return true;
    case 'v': *rune = '\v'; return true;
    default: return false;
  }
}

}  // namespace

bool QuickCheckRegex(std::string_view re, RegexFacts* facts) {
  // Bounded so that no accepted pattern comes near RE2's program-size
  // limit (without counted repetitions a byte compiles to a few dozen
  // instructions at most) or its nesting limits.
  constexpr size_t kMaxBytes = 1000;
  constexpr int kMaxDepth = 64;
  // RE2 refuses nested counted repetitions whose counts multiply past
  // 1000; and (bytes x that product) bounds the program's size: about 15
  // instructions a byte at worst, far below the 174k of RE2's max_mem.
  constexpr uint32_t kMaxRepeatProduct = 1000;
  constexpr uint32_t kMaxWeight = 4000;
  if (re.size() > kMaxBytes) return false;
  enum class Last : unsigned char { kNone, kAtom, kRepeat, kLazyRepeat };
  // One concatenation being read: whether the items before the last one
  // all match empty (prefix), whether the last one does, and whether an
  // earlier alternative of the group already matches empty.
  // prod: the largest product of nested repetition counts in the group so
  // far, last_prod that of its last item.
  // (No member initializers: the stack is not filled in advance.)
  struct Frame {
    bool alt_empty;
    bool prefix_empty;
    bool last_empty;
    Last last;
    uint32_t prod;
    uint32_t last_prod;
  };
  constexpr Frame kFresh = {false, true, true, Last::kNone, 1, 1};
  Frame stack[kMaxDepth];
  int depth = 0;
  Frame cur = kFresh;
  bool named = false;
  auto atom = [&cur](bool empty, uint32_t prod = 1) {
    cur.prefix_empty = cur.prefix_empty && cur.last_empty;
    cur.last_empty = empty;
    cur.last = Last::kAtom;
    cur.last_prod = prod;
    if (prod > cur.prod) cur.prod = prod;
  };
  auto digit = [&re](size_t k) { return k < re.size() && re[k] >= '0' && re[k] <= '9'; };
  const size_t n = re.size();
  size_t i = 0;
  while (i < n) {
    unsigned char c = static_cast<unsigned char>(re[i]);
    switch (c) {
      case '*':
      case '+':
      case '?':
        if (cur.last == Last::kAtom) {
          if (c != '+') cur.last_empty = true;
          cur.last = Last::kRepeat;
        } else if (cur.last == Last::kRepeat && c == '?') {
          cur.last = Last::kLazyRepeat;
        } else {
          return false;  // no argument, or a repeated repetition
        }
        ++i;
        continue;
      case '{': {
        // `{n}`, `{n,}`, `{n,m}` are counted repetitions; a `{` that does
        // not start with a digit is a literal (other shapes: RE2 decides).
        if (!digit(i + 1)) {
          atom(false);
          ++i;
          continue;
        }
        if (cur.last != Last::kAtom) return false;
        size_t k = i + 1;
        uint32_t lo = 0, hi = 0;
        auto number = [&](uint32_t* v) {
          size_t d0 = k;
          while (digit(k) && k - d0 < 5) *v = *v * 10 + static_cast<uint32_t>(re[k++] - '0');
          // Leading zeros make RE2 read the braces as literals; too many
          // digits are out of range either way.
          return k > d0 && !digit(k) && !(re[d0] == '0' && k - d0 > 1);
        };
        if (!number(&lo)) return false;
        hi = lo;
        if (k < n && re[k] == ',') {
          ++k;
          if (digit(k)) {
            hi = 0;
            if (!number(&hi)) return false;
          }
        }
        if (k >= n || re[k] != '}') return false;
        if (lo > kMaxRepeatProduct || hi > kMaxRepeatProduct || hi < lo) return false;
        if (lo == 0) cur.last_empty = true;
        if (hi > 1) {
          uint64_t prod = uint64_t{cur.last_prod} * hi;
          if (prod > kMaxRepeatProduct) return false;
          cur.last_prod = static_cast<uint32_t>(prod);
          if (cur.last_prod > cur.prod) cur.prod = cur.last_prod;
        }
        cur.last = Last::kRepeat;
        i = k + 1;
        continue;
      }
      case '|':
        cur.alt_empty = cur.alt_empty || (cur.prefix_empty && cur.last_empty);
        cur.prefix_empty = cur.last_empty = true;
        cur.last = Last::kNone;
        ++i;
        continue;
      case '(': {
        ++i;
        if (i < n && re[i] == '?') {
          ++i;
          if (i < n && re[i] == 'P') {
            // (?P<name>: RE2's names are [A-Za-z0-9_]+.
            ++i;
            if (i >= n || re[i] != '<') return false;
            size_t s = ++i;
            while (i < n && (re[i] == '_' || (re[i] >= 'a' && re[i] <= 'z') ||
                             (re[i] >= 'A' && re[i] <= 'Z') || (re[i] >= '0' && re[i] <= '9'))) {
              ++i;
            }
            if (i == s || i >= n || re[i] != '>') return false;
            ++i;
            named = true;
          } else {
            // (?flags) and (?flags:...), flags among i m s U, none negated.
            size_t s = i;
            while (i < n && (re[i] == 'i' || re[i] == 'm' || re[i] == 's' || re[i] == 'U')) ++i;
            if (i == s || i >= n) return false;
            if (re[i] == ')') {
              ++i;
              // Matches nothing; a repetition right after it is left to RE2.
              cur.last = Last::kNone;
              continue;
            }
            if (re[i] != ':') return false;
            ++i;
          }
        }
        if (depth == kMaxDepth) return false;
        stack[depth++] = cur;
        cur = kFresh;
        continue;
      }
      case ')': {
        if (depth == 0) return false;
        bool empty = cur.alt_empty || (cur.prefix_empty && cur.last_empty);
        uint32_t prod = cur.prod;
        cur = stack[--depth];
        atom(empty, prod);
        ++i;
        continue;
      }
      case '[': {
        ++i;
        if (i < n && re[i] == '^') ++i;
        bool first = true;
        while (true) {
          if (i >= n) return false;
          if (re[i] == ']' && !first) {
            ++i;
            break;
          }
          if (re[i] == '[' && i + 1 < n && re[i + 1] == ':') return false;  // POSIX class
          first = false;
          uint32_t lo;
          bool single;
          if (!ClassChar(re, &i, &lo, &single)) return false;
          if (single && i + 1 < n && re[i] == '-' && re[i + 1] != ']') {
            ++i;
            uint32_t hi;
            if (!ClassChar(re, &i, &hi, &single) || !single || hi < lo) return false;
          }
        }
        atom(false);
        continue;
      }
      case '.':
        atom(false);
        ++i;
        continue;
      case '^':
      case '$':
        atom(true);
        ++i;
        continue;
      case '\\': {
        if (i + 1 >= n) return false;
        unsigned char e = static_cast<unsigned char>(re[i + 1]);
        i += 2;
        if (IsAsciiPunct(e)) {
          atom(false);
          continue;
        }
        switch (e) {
          case 'd': case 'D': case 's': case 'S': case 'w': case 'W':
          case 'a': case 'f': case 'n': case 'r': case 't': case 'v':
          case 'b':  // a word boundary: none in the empty text
            atom(false);
            continue;
          case 'B': case 'A': case 'z':
            atom(true);
            continue;
          default:
            return false;
        }
      }
      default: {
        uint32_t r;
        int len = obsv::internal::DecodeRune(re, i, &r);
        if (len == 0) return false;
        i += static_cast<size_t>(len);
        atom(false);
        continue;
      }
    }
  }
  if (depth != 0) return false;
  if (cur.prod > 1 && re.size() * cur.prod > kMaxWeight) return false;
  facts->matches_empty = cur.alt_empty || (cur.prefix_empty && cur.last_empty);
  facts->has_named_capture = named;
  return true;
}

}  // namespace obsv::logql::internal
