// Groups lines into metric families and applies the rules that span lines:
// which suffixes a type allows, metadata once and before the samples,
// families not interleaved, histogram buckets in order (strict mode).
#ifndef OBSV_SRC_EXPOSITION_FAMILY_TRACKER_H_
#define OBSV_SRC_EXPOSITION_FAMILY_TRACKER_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "exposition/line_parser.h"
#include "obsv/exposition_parser.h"
#include "obsv/metric_model.h"

namespace obsv::internal {

// A set of family names with their types: one arena for the names and an
// open-addressing table of indexes, both kept across Clear() so that a
// reused parser allocates nothing.
class FamilyNameSet {
 public:
  void Clear();
  // The hash Find() and InsertNew() take: computed once per name.
  static uint64_t Hash(std::string_view name);
  // Adds `name` (whose Hash() is `hash`), which must be absent.
  void InsertNew(std::string_view name, uint64_t hash, MetricType type);
  // The type of `name`, or false if absent.
  bool Find(std::string_view name, uint64_t hash, MetricType* type) const;
  bool Find(std::string_view name, MetricType* type) const { return Find(name, Hash(name), type); }

 private:
  struct Entry {
    uint64_t hash;
    uint32_t offset;
    uint32_t length;
    MetricType type;
  };
  size_t Probe(std::string_view name, uint64_t hash) const;  // slot index
  void Grow();

  std::string arena_;     // names; only the first arena_used_ bytes are in use
  size_t arena_used_ = 0;
  std::vector<Entry> entries_;
  std::vector<uint32_t> slots_;  // entry index + 1; 0 is empty
  std::vector<uint32_t> used_;   // the slots in use, for a cheap Clear()
};

// Thread-compatible. Memory: the current family's name and, in strict mode,
// one entry per family name seen (bounded by ParserOptions::max_families).
class FamilyTracker {
 public:
  void Configure(ExpositionFormat format, const ParserOptions& options);
  void Reset();

  // A HELP, TYPE or UNIT line about `name`.
  bool OnMetadata(const ParsedLine& line, const LineParser& lp, LineError* error);
  // A sample line; afterwards family_name(), type() and suffix() describe it.
  bool OnSample(const ParsedLine& line, const LineParser& lp, LineError* error);
  // The end of the body.
  bool Finish(LineError* error);

  std::string_view family_name() const { return name_; }
  MetricType type() const { return type_; }
  SampleSuffix suffix() const { return suffix_; }
  // The current family's HELP/UNIT state, for FamilyBuilder-like consumers.
  bool family_has_samples() const { return has_samples_; }

 private:
  bool MatchSuffix(std::string_view metric, SampleSuffix* suffix) const;
  void SetName(std::string_view name);
  bool StartFamily(std::string_view name, size_t column, LineError* error);
  bool CloseFamily(LineError* error);
  bool CheckBucket(const ParsedLine& line, const LineParser& lp, LineError* error);
  bool CheckQuantile(const ParsedLine& line, const LineParser& lp, LineError* error);
  bool EndBucketGroup(LineError* error, size_t column);

  ExpositionFormat format_ = ExpositionFormat::kText;
  ParserOptions options_;
  bool om_ = false;

  std::string_view name_;  // the current family's name, in name_buf_
  std::string name_buf_;
  uint64_t name_hash_ = 0;  // FamilyNameSet::Hash(name_), in strict mode
  MetricType type_ = MetricType::kUnknown;
  SampleSuffix suffix_ = SampleSuffix::kNone;
  bool open_ = false;
  bool has_type_ = false;
  bool has_help_ = false;
  bool has_unit_ = false;
  bool has_samples_ = false;
  std::string unit_;
  uint64_t families_ = 0;

  // Strict mode: every family closed so far, with its type.
  FamilyNameSet closed_;

  // Strict histogram state: the current series' labels without `le`.
  std::string bucket_key_;
  std::string scratch_key_;
  bool in_bucket_group_ = false;
  double last_le_ = 0;
  double last_count_ = 0;
  bool saw_inf_ = false;
};

}  // namespace obsv::internal

#endif  // OBSV_SRC_EXPOSITION_FAMILY_TRACKER_H_
