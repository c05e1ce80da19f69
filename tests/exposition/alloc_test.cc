// The parser allocates nothing per sample once warm.
#include <atomic>
#include <cstdlib>
#include <new>
#include <string>

#include "exposition/test_util.h"
#include "gtest/gtest.h"
#include "obsv/exposition_parser.h"

namespace {
std::atomic<size_t> g_allocations{0};
}  // namespace

void* operator new(std::size_t n) {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(n == 0 ? 1 : n)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }

namespace obsv {
namespace {

size_t ParseCountingAllocations(ExpositionParser& p, const std::string& body, size_t* samples) {
  size_t before = g_allocations.load();
  p.Reset(body);
  *samples = 0;
  for (Entry e; (e = p.Next()) != Entry::kEnd;) {
    EXPECT_NE(e, Entry::kError) << p.error().message;
    if (e == Entry::kError) break;
    if (e == Entry::kSample) {
      ++*samples;
      for (size_t i = 0; i < p.label_count(); ++i) (void)p.label_value(i);
    }
  }
  return g_allocations.load() - before;
}

TEST(AllocTest, NoAllocationPerSampleInTheSteadyState) {
  for (const auto& f : testing::CorpusFiles()) {
    if (f.name == "corpus/client_golang.om.txt") continue;
    SCOPED_TRACE(f.name);
    std::string body = testing::ReadTestFile(f.name);
    for (bool strict : {false, true}) {
      ParserOptions o;
      o.format = f.format;
      o.strict = strict;
      ExpositionParser p(o);
      size_t samples = 0;
      ParseCountingAllocations(p, body, &samples);  // warm up
      size_t allocations = ParseCountingAllocations(p, body, &samples);
      ASSERT_GT(samples, 10u);
      // Strict mode may allocate once per distinct family for its name set
      // growth; nothing scales with the samples.
      EXPECT_LE(allocations, 4u) << "samples=" << samples << " strict=" << strict;
    }
  }
}

}  // namespace
}  // namespace obsv
