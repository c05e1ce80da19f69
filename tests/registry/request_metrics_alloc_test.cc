// RequestMetrics::Observe() allocates nothing once its (method, code) pairs
// are warm, nor does a native histogram's Observe() once its buckets exist
// in both of its count sets (each set's table grows as that set sees them). Counting replaces the global
// operator new: its own binary.
#include <atomic>
#include <cstdlib>
#include <new>
#include <string>

#include "gtest/gtest.h"
#include "obsv/registry.h"
#include "obsv/request_metrics.h"

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

TEST(RequestMetricsAlloc, NoAllocationOnceWarm) {
  Registry r;
  RequestMetricsOptions o;
  o.prefix = "gw";
  o.endpoint = "x";
  RequestMetrics m = RequestMetrics::Create(&r, o).value();
  const char* methods[] = {"GET", "post", "BREW", "DELETE"};
  const int codes[] = {200, 404, 500, 999, 42};
  auto round = [&] {
    for (const char* method : methods) {
      for (int code : codes) m.Observe(method, code, 0.01 * code, 10.0 * code);
    }
  };
  round();  // warm: resolves and caches every pair
  size_t before = g_allocations.load();
  for (int i = 0; i < 1000; ++i) round();
  EXPECT_EQ(g_allocations.load() - before, 0u);
  std::string text;
  ASSERT_TRUE(r.Expose(ExpositionFormat::kText, &text).ok());
  EXPECT_NE(text.find("gw_x_request_total{method=\"GET\",code=\"200\"} 1001\n"), std::string::npos);
  EXPECT_NE(text.find("gw_x_request_total{method=\"OTHER\",code=\"unknown\"} 2002\n"), std::string::npos) << text;
}

TEST(NativeHistogramAlloc, ObserveAllocatesNothingOnceWarm) {
  Registry r;
  Histogram h = r.AddNativeHistogram({.name = "h"}, {.bucket_factor = 1.1}, {0.1, 1}).value().WithLabelValues({}).value();
  auto round = [&] {
    for (int i = -500; i <= 500; ++i) h.Observe(i * 0.0137);
  };
  round();         // creates the buckets (growing the tables)
  (void)h.Read();  // flips: the other count set is hot now, and may lack some
  round();
  (void)h.Read();
  size_t before = g_allocations.load();
  for (int i = 0; i < 100; ++i) round();
  EXPECT_EQ(g_allocations.load() - before, 0u);
  EXPECT_EQ(h.Read().count, 102u * 1001u);
}

}  // namespace
}  // namespace obsv
