// Groups lines into metric families and applies the rules that span lines:
// which suffixes a type allows, metadata once and before the samples,
// families not interleaved, histogram buckets in order (strict mode).
#ifndef OBSV_SRC_EXPOSITION_FAMILY_TRACKER_H_
#define OBSV_SRC_EXPOSITION_FAMILY_TRACKER_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/byte_scan.h"
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
  // The index of `name`, added with type kUnknown if absent; *added tells
  // which. While the names come in sorted order (as exposition writers
  // usually emit them) this is one comparison with the last name and no
  // hashing; the first name out of order builds the hash table.
  uint32_t FindOrAdd(std::string_view name, bool* added);
  // The index of `name`, or false if absent.
  bool Find(std::string_view name, uint32_t* index) const;
  // The stored copy of an entry's name: valid until the next FindOrAdd()
  // or Clear().
  std::string_view name(uint32_t index) const {
    const Entry& e = entries_[index];
    return std::string_view(arena_.data() + e.offset, e.length);
  }
  MetricType type(uint32_t index) const { return entries_[index].type; }
  void set_type(uint32_t index, MetricType type) { entries_[index].type = type; }

 private:
  struct Entry {
    uint64_t hash;
    uint32_t offset;
    uint32_t length;
    MetricType type;
  };
  size_t Probe(std::string_view name, uint64_t hash) const;  // slot index
  void Grow();
  void Rehash(size_t size);
  void BuildTable();
  uint32_t Append(std::string_view name, uint64_t hash);  // returns the index
  uint32_t FindOrAddHashed(std::string_view name, bool* added);

  std::string arena_;     // names; only the first arena_used_ bytes are in use
  size_t arena_used_ = 0;
  std::vector<Entry> entries_;
  std::vector<uint32_t> slots_;  // entry index + 1; 0 is empty
  std::vector<uint32_t> used_;   // the slots in use, for a cheap Clear()
  // Every name so far came after the one before: entries_ is sorted, the
  // table is empty and the hashes unset.
  bool sorted_ = true;
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
  // Inline for the common case: the family's own name, in a family whose
  // type checks nothing per sample.
  bool OnSample(const ParsedLine& line, const LineParser& lp, LineError* error) {
    if (plain_ && line.name.size() == name_.size() &&
        EqualBytes(line.name.data(), name_.data(), name_.size())) {
      has_samples_ = true;
      suffix_ = SampleSuffix::kNone;
      return true;
    }
    return OnSampleSlow(line, lp, error);
  }
  // The end of the body.
  bool Finish(LineError* error);

  std::string_view family_name() const { return name_; }
  MetricType type() const { return type_; }
  SampleSuffix suffix() const { return suffix_; }
  // The current family's HELP/UNIT state, for FamilyBuilder-like consumers.
  bool family_has_samples() const { return has_samples_; }

 private:
  bool OnSampleSlow(const ParsedLine& line, const LineParser& lp, LineError* error);
  bool MatchSuffix(std::string_view metric, SampleSuffix* suffix) const;
  void SetName(std::string_view name);
  // Errors point at `name` (a view of lp's line).
  bool StartFamily(std::string_view name, const LineParser& lp, LineError* error);
  bool CloseFamily(LineError* error);
  bool CheckBucket(const ParsedLine& line, const LineParser& lp, LineError* error);
  bool CheckQuantile(const ParsedLine& line, const LineParser& lp, LineError* error);
  // An error points at `at` in lp's line (column 0 without lp).
  bool EndBucketGroup(LineError* error, const LineParser* lp, std::string_view at) {
    return !in_bucket_group_ || EndBucketGroupSlow(error, lp, at);
  }
  bool EndBucketGroupSlow(LineError* error, const LineParser* lp, std::string_view at);

  ExpositionFormat format_ = ExpositionFormat::kText;
  ParserOptions options_;
  bool om_ = false;

  // The current family's name: in strict mode the copy in seen_, else in
  // name_buf_.
  std::string_view name_;
  std::string name_buf_;
  uint32_t index_ = 0;  // the current family's entry in seen_ (strict mode)
  MetricType type_ = MetricType::kUnknown;
  SampleSuffix suffix_ = SampleSuffix::kNone;
  bool open_ = false;
  // Open, and its type (gauge, unknown, a text counter) allows the bare name
  // and checks nothing per sample: OnSample()'s inline case.
  bool plain_ = false;
  bool has_type_ = false;
  bool has_help_ = false;
  bool has_unit_ = false;
  bool has_samples_ = false;
  std::string unit_;
  uint64_t families_ = 0;

  // Strict mode: every family started so far; the type of each closed one
  // (the open one's is kUnknown until it closes).
  FamilyNameSet seen_;

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
