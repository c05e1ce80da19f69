// A parsed body in a compact form for the Python module: every string in one
// arena, metric and label names interned to ids, samples in one vector. It
// costs a few allocations per body instead of the owned model's ~20 per
// sample (obsv::MetricFamily has a std::string per name and label value),
// and Python objects are built from it lazily (see objects.h).
//
// Nothing here touches Python: a body is built without the GIL.
#ifndef OBSV_BINDINGS_PYTHON_BODY_H_
#define OBSV_BINDINGS_PYTHON_BODY_H_

#include <cstddef>
#include <cstdint>
#include <deque>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "obsv/exposition_parser.h"
#include "obsv/metric_model.h"

namespace obsv_py {

// Bytes of CompactBody::arena. 32-bit offsets keep a label at 12 bytes; the
// builder refuses bodies whose arena would pass 4 GiB.
struct StrRef {
  uint32_t offset = 0;
  uint32_t size = 0;
};

struct CompactBody {
  struct Label {
    uint32_t name;  // id in `names`
    StrRef value;
  };
  struct Exemplar {
    uint32_t labels_begin = 0;
    uint32_t labels_count = 0;
    double value = 0;
    obsv::Timestamp timestamp;
    bool has_timestamp = false;
  };
  struct Sample {
    double value = 0;
    StrRef value_text;  // size 0: the double reproduces the value
    obsv::Timestamp timestamp;
    uint32_t name = 0;  // id in `names`
    uint32_t labels_begin = 0;
    uint32_t labels_count = 0;
    uint32_t exemplar = 0;  // 1 + index in `exemplars`; 0 for none
    bool has_timestamp = false;
    obsv::SampleSuffix suffix = obsv::SampleSuffix::kNone;
  };
  struct Family {
    uint32_t name = 0;  // id in `names`
    obsv::MetricType type = obsv::MetricType::kUnknown;
    bool has_help = false;
    StrRef help;
    StrRef unit;
    // The family's samples: [begin, end) ranges of `samples`, in order;
    // `more_runs` only where lenient parsing merged interleaved groups.
    std::pair<uint32_t, uint32_t> run{0, 0};
    std::vector<std::pair<uint32_t, uint32_t>> more_runs;
    uint32_t sample_count = 0;

    template <typename F>
    void ForEachSample(F&& f) const {
      for (uint32_t i = run.first; i < run.second; ++i) f(i);
      for (const auto& r : more_runs) {
        for (uint32_t i = r.first; i < r.second; ++i) f(i);
      }
    }
  };

  std::string arena;  // label values, help, units, inexact value texts
  // Family, metric and label names by id (a deque: the strings never move,
  // so the builder's index can view them).
  std::deque<std::string> names;
  std::vector<Label> labels;
  std::vector<Exemplar> exemplars;
  std::vector<Sample> samples;
  std::vector<Family> families;

  std::string_view View(StrRef r) const {
    return std::string_view(arena.data() + r.offset, r.size);
  }
  StrRef Add(std::string_view s) {
    StrRef r{static_cast<uint32_t>(arena.size()), static_cast<uint32_t>(s.size())};
    arena.append(s.data(), s.size());
    return r;
  }
  // Reserves room for a body of `bytes` bytes (a guess: lines of ~100
  // bytes with a few labels each; the vectors grow beyond it as needed).
  void Reserve(size_t bytes);

  // Fills `*out` with family `index` (allocates like the parser's model).
  void ToModel(size_t index, obsv::MetricFamily* out) const;
};

// Builds a CompactBody from a parser's entries with the same grouping as
// obsv::FamilyBuilder (`merge` false) or obsv::ParseExposition() (`merge`
// true: a family's interleaved groups join its first one unless they declare
// another type; a group without metadata joins it whatever its type).
// This mirrors src/exposition/family_builder.cc, which the public API does
// not expose per entry; tests/python compares the two on tricky bodies.
// Thread-compatible.
class BodyBuilder {
 public:
  BodyBuilder(CompactBody* body, bool merge) : body_(body), merge_(merge) {}

  // Records entry `e` that `parser` just returned (kSample, kHelp, kType,
  // kUnit; the others are ignored).
  void Add(const obsv::ExpositionParser& parser, obsv::Entry e);
  // Appends a whole family of the owned model (the incremental path, which
  // uses obsv::FamilyBuilder).
  void AddModel(const obsv::MetricFamily& family);
  // Closes the open family.
  void Finish();
  // More than 2^32 - 2 samples or labels, or 4 GiB of strings: the rest was
  // dropped.
  bool too_large() const { return too_large_; }

 private:
  void Open(std::string_view name, obsv::MetricType type);
  void Close();
  uint32_t NameId(std::string_view name);
  uint32_t LabelNameId(size_t i, std::string_view name);
  // Whether `strings` more arena bytes and `labels` more labels (and one
  // more sample) stay within the 32-bit indexes; sets too_large_ if not.
  bool Fits(uint64_t strings, uint64_t labels);

  CompactBody* body_;
  bool merge_;
  bool open_ = false;
  CompactBody::Family current_;
  uint32_t current_begin_ = 0;  // first sample of the open family
  absl::flat_hash_map<absl::string_view, uint32_t> name_ids_;  // views into names
  absl::flat_hash_map<uint32_t, uint32_t> family_index_;  // merge: name id -> first family
  // The open family's sample name id per suffix: sample names are mostly
  // the family name plus the suffix the parser found.
  uint32_t suffix_ids_[16];
  // The previous sample's name ids, to skip most hash lookups.
  std::vector<uint32_t> prev_label_ids_;
  uint32_t prev_metric_id_ = UINT32_MAX;
  bool too_large_ = false;
};

// The rule of the parser's model for Sample::value_text: keep the text of
// an integer the double cannot reproduce (beyond 2^53).
bool IsInexactInteger(std::string_view text);

}  // namespace obsv_py

#endif  // OBSV_BINDINGS_PYTHON_BODY_H_
