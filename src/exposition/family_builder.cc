// Builds the owned model (MetricFamily) from parser entries, and
// ParseExposition() on top of it.
#include <string>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "obsv/exposition_parser.h"

namespace obsv {

struct FamilyBuilder::State {
  std::vector<MetricFamily> completed;
  MetricFamily current;
  bool open = false;

  void Close() {
    if (open) completed.push_back(std::move(current));
    current = MetricFamily();
    open = false;
  }
  void Open(std::string_view name, MetricType type) {
    Close();
    current.name.assign(name);
    current.type = type;
    open = true;
  }
};

FamilyBuilder::FamilyBuilder() : state_(std::make_unique<State>()) {}
FamilyBuilder::~FamilyBuilder() = default;

void FamilyBuilder::Add(const ExpositionParser& parser, Entry e) {
  State& s = *state_;
  switch (e) {
    case Entry::kHelp:
    case Entry::kType:
    case Entry::kUnit: {
      std::string_view name = parser.family_name();
      // The parser starts a new family for metadata after samples.
      if (!s.open || s.current.name != name || !s.current.samples.empty()) {
        s.Open(name, MetricType::kUnknown);
      }
      if (e == Entry::kHelp) {
        s.current.help.assign(parser.help());
        s.current.has_help = true;
      } else if (e == Entry::kType) {
        s.current.type = parser.type();
      } else {
        s.current.unit.assign(parser.unit());
      }
      return;
    }
    case Entry::kSample: {
      std::string_view family = parser.family_name();
      if (!s.open || s.current.name != family || s.current.type != parser.type()) {
        s.Open(family, parser.type());
      }
      s.current.samples.emplace_back();
      parser.CopySample(&s.current.samples.back());
      return;
    }
    case Entry::kEnd:
    case Entry::kNeedMore:
    case Entry::kComment:
    case Entry::kError:
      return;
  }
}

std::vector<MetricFamily> FamilyBuilder::TakeCompleted() {
  std::vector<MetricFamily> out;
  out.swap(state_->completed);
  return out;
}

void FamilyBuilder::Finish() { state_->Close(); }

ParseError ParseExposition(std::string_view body, const ParserOptions& options,
                           std::vector<MetricFamily>* families) {
  ExpositionParser parser(options);
  parser.Reset(body);
  FamilyBuilder builder;
  families->clear();
  // Lenient mode merges a family's interleaved groups into its first one.
  absl::flat_hash_map<std::string, size_t> index;
  auto absorb = [&](std::vector<MetricFamily> done) {
    for (MetricFamily& f : done) {
      auto [it, inserted] = index.try_emplace(f.name, families->size());
      if (inserted) {
        families->push_back(std::move(f));
        continue;
      }
      MetricFamily& into = (*families)[it->second];
      // A later group of the same name continues the family when it carries
      // no metadata of its own (samples interleaved with another family), or
      // when one side is metadata alone and the types agree.
      bool implicit = f.type == MetricType::kUnknown && !f.has_help && f.unit.empty();
      bool metadata_only = into.samples.empty() || f.samples.empty();
      bool types_agree = into.type == f.type || into.type == MetricType::kUnknown || f.type == MetricType::kUnknown;
      if (!(implicit || (metadata_only && types_agree)) || (!implicit && into.type != f.type && !metadata_only)) {
        // Same name, different type: keep both, in order.
        families->push_back(std::move(f));
        continue;
      }
      if (into.type == MetricType::kUnknown && metadata_only) into.type = f.type;
      if (!into.has_help && f.has_help) {
        into.help = std::move(f.help);
        into.has_help = true;
      }
      if (into.unit.empty()) into.unit = std::move(f.unit);
      for (Sample& smp : f.samples) into.samples.push_back(std::move(smp));
    }
  };
  Entry e;
  while ((e = parser.Next()) != Entry::kEnd) {
    if (e == Entry::kError) {
      builder.Finish();
      absorb(builder.TakeCompleted());
      return parser.error();
    }
    builder.Add(parser, e);
  }
  builder.Finish();
  absorb(builder.TakeCompleted());
  return ParseError{};
}

absl::StatusOr<std::vector<MetricFamily>> ParseExposition(std::string_view body,
                                                          const ParserOptions& options) {
  std::vector<MetricFamily> families;
  ParseError error = ParseExposition(body, options, &families);
  if (!error.ok()) return error.ToStatus();
  return families;
}

}  // namespace obsv
