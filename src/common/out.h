// An append cursor over a std::string, and the Go formatting the query
// printers of PromQL and LogQL write through it (strconv.Quote,
// FormatFloat 'f', model.Duration, time.Duration). Internal.
#ifndef OBSV_SRC_COMMON_OUT_H_
#define OBSV_SRC_COMMON_OUT_H_

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "common/byte_scan.h"

namespace obsv::internal {

// An append cursor over a std::string: bytes are written through a pointer
// into the string's capacity (grown by doubling), not one append() call
// each. While an Out is alive the string's size() is its capacity; the
// destructor trims it to what was written. Thread-compatible.
class Out {
 public:
  explicit Out(std::string* s) : s_(s) {
    const size_t used = s->size();
    s->resize(s->capacity());
    p_ = s->data() + used;
    end_ = s->data() + s->size();
  }
  ~Out() { s_->resize(size()); }
  Out(const Out&) = delete;
  Out& operator=(const Out&) = delete;

  size_t size() const { return static_cast<size_t>(p_ - s_->data()); }
  const char* data() const { return s_->data(); }

  void Char(char c) {
    if (p_ == end_) Grow(1);
    *p_++ = c;
  }
  void Str(std::string_view v) {
    if (static_cast<size_t>(end_ - p_) < v.size()) Grow(v.size());
    CopyBytes(p_, v.data(), v.size());
    p_ += v.size();
  }
  // Room for n bytes at the returned pointer; Commit() the end written.
  char* Claim(size_t n) {
    if (static_cast<size_t>(end_ - p_) < n) Grow(n);
    return p_;
  }
  void Commit(char* end) { p_ = end; }
  // Drops what was written after the first n bytes.
  void Truncate(size_t n) { p_ = s_->data() + n; }

 private:
  void Grow(size_t n);

  std::string* s_;
  char* p_;
  char* end_;
};

// Go's strconv.Quote of s (AppendGoQuote()), through an Out: printable
// ASCII without quotes or backslashes (nearly every value) is copied and
// checked 16 bytes at a time.
void QuoteTo(std::string_view s, Out& out);

// Decimal digits of v.
void UintTo(uint64_t v, Out& out);

// strconv.FormatFloat(v, 'f', -1, 64) (AppendGoFloatF()); integers and
// numbers with up to six decimals are written directly.
void FloatTo(double v, Out& out);

// model.Duration's String() of ns >= 0 (AppendDuration()).
void DurationTo(int64_t ns, Out& out);

// time.Duration's String() (AppendGoDuration()).
void GoDurationTo(int64_t ns, Out& out);

}  // namespace obsv::internal

#endif  // OBSV_SRC_COMMON_OUT_H_
