// The memory of LogQL trees: Arena, List and ExprPtr (obsv/logql.h).
#include <cstdint>
#include <string>
#include <utility>

#include "gtest/gtest.h"
#include "obsv/logql.h"

namespace obsv::logql {
namespace {

TEST(LogqlArenaTest, AllocatesAlignedAndCopies) {
  Arena arena;
  EXPECT_EQ(arena.heap_bytes(), 0u);
  char* one = static_cast<char*>(arena.Allocate(1, 1));
  auto* eight = static_cast<uint64_t*>(arena.Allocate(sizeof(uint64_t), alignof(uint64_t)));
  EXPECT_EQ(reinterpret_cast<uintptr_t>(eight) % alignof(uint64_t), 0u);
  EXPECT_NE(static_cast<void*>(one), static_cast<void*>(eight));
  EXPECT_GT(arena.heap_bytes(), 0u);
  std::string text = "resource_id";
  std::string_view copy = arena.Copy(text);
  text.assign("overwritten");
  EXPECT_EQ(copy, "resource_id");
  EXPECT_TRUE(arena.Copy("").empty());
}

TEST(LogqlArenaTest, GrowsPastItsFirstBlockAndResets) {
  Arena arena;
  std::string big(100'000, 'x');
  std::string_view a = arena.Copy(big);
  std::string_view b = arena.Copy("small");
  EXPECT_EQ(a, big);
  EXPECT_EQ(b, "small");
  const size_t grown = arena.heap_bytes();
  EXPECT_GT(grown, 100'000u);
  arena.Reset();
  EXPECT_LT(arena.heap_bytes(), grown);
  EXPECT_EQ(arena.Copy("again"), "again");
}

TEST(LogqlArenaTest, ListGrowsKeepsElementsAndTakesItsOwn) {
  Arena arena;
  List<int> list;
  EXPECT_TRUE(list.empty());
  for (int i = 0; i < 1000; ++i) list.push_back(arena, i);
  ASSERT_EQ(list.size(), 1000u);
  for (int i = 0; i < 1000; ++i) EXPECT_EQ(list[i], i);
  // An element of the list itself, appended while the list grows.
  List<int> self;
  self.push_back(arena, 7);
  self.push_back(arena, self[0]);
  self.push_back(arena, self.back());
  EXPECT_EQ(self.size(), 3u);
  EXPECT_EQ(self[2], 7);
  self.truncate(1);
  EXPECT_EQ(self.size(), 1u);
  self.pop_back();
  EXPECT_TRUE(self.empty());
  List<int> reserved;
  reserved.reserve(arena, 10);
  const int* before = reserved.data();
  for (int i = 0; i < 10; ++i) reserved.push_back(arena, i);
  EXPECT_EQ(reserved.data(), before);
}

TEST(LogqlArenaTest, TreeOutlivesTheQueryText) {
  std::string query = R"(sum by (app) (rate({app="api", env=~"prod|dev"} |= "a\"b" | json x="y" [5m])))";
  const std::string before = Format(**Parse(query));
  absl::StatusOr<ExprPtr> tree = Parse(query);
  ASSERT_TRUE(tree.ok()) << tree.status();
  query.assign(query.size(), '#');  // the caller's text is gone
  query.shrink_to_fit();
  EXPECT_EQ(Format(**tree), before);
}

TEST(LogqlArenaTest, ExprPtrMovesAndResets) {
  absl::StatusOr<ExprPtr> parsed = Parse(R"({app="a"} |= "x")");
  ASSERT_TRUE(parsed.ok());
  ExprPtr tree = std::move(*parsed);
  EXPECT_TRUE(tree != nullptr);
  EXPECT_FALSE(*parsed);
  ExprPtr other;
  EXPECT_TRUE(other == nullptr);
  other = std::move(tree);
  EXPECT_EQ(Format(*other), R"({app="a"} |= "x")");
  other.reset();
  EXPECT_FALSE(other);
  // Trees made one after the other reuse the freed arena; each is whole.
  for (int i = 0; i < 100; ++i) {
    absl::StatusOr<ExprPtr> a = Parse(R"(count_over_time({a="1"}[1m]))");
    absl::StatusOr<ExprPtr> b = Parse(R"({b="2"} | logfmt)");
    ASSERT_TRUE(a.ok() && b.ok());
    EXPECT_EQ(Format(**a), R"(count_over_time({a="1"}[1m]))");
    EXPECT_EQ(Format(**b), R"({b="2"} | logfmt)");
  }
}

TEST(LogqlArenaTest, NodesMadeByHand) {
  auto* arena = new Arena();
  auto* log = arena->New<LogSelectorExpr>();
  log->selector.matchers.push_back(*arena, {"app", MatchOp::kEqual, arena->Copy(std::string("a")), {}});
  auto* range = arena->New<RangeAggregationExpr>();
  range->op = RangeOp::kRate;
  range->range.log = log;
  range->range.range_ns = 300'000'000'000;
  ExprPtr tree(arena, range);
  EXPECT_EQ(Format(*tree), R"(rate({app="a"}[5m]))");
}

}  // namespace
}  // namespace obsv::logql
