// The arena of LogQL trees (obsv/logql.h): blocks chained newest first,
// and ExprPtr's reset(), which hands a freed tree's arena to the thread's
// spare slot (common/node_cache.h) so that the next Parse() on the thread
// starts with a warm block instead of the heap.
#include <algorithm>
#include <cstdint>
#include <new>
#include <utility>

#include "common/node_cache.h"
#include "logql/arena_cache.h"
#include "obsv/logql.h"

namespace obsv::logql {

struct Arena::Block {
  Block* next;
  std::size_t size;  // bytes after the header
};

namespace {

// Most queries fit the first block with room to spare (a 120-byte query
// makes about 1 KiB of tree).
constexpr std::size_t kHeader = 16;  // a Block, keeping 16-byte alignment
constexpr std::size_t kFirstBlock = 4096 - kHeader - 16;  // with malloc's header: 4 KiB

}  // namespace

Arena::Arena() = default;

Arena::~Arena() {
  while (blocks_ != nullptr) {
    Block* b = blocks_;
    blocks_ = b->next;
    ::operator delete(b);
  }
}

void* Arena::AllocateSlow(std::size_t bytes, std::size_t align) {
  static_assert(sizeof(Block) <= kHeader);
  const std::size_t last = blocks_ == nullptr ? 0 : blocks_->size;
  const std::size_t size = std::max({kFirstBlock, 2 * last, bytes + align});
  auto* b = static_cast<Block*>(::operator new(kHeader + size));
  b->next = blocks_;
  b->size = size;
  blocks_ = b;
  heap_bytes_ += kHeader + size;
  next_ = reinterpret_cast<char*>(b) + kHeader;
  end_ = next_ + size;
  return Allocate(bytes, align);
}

void Arena::Reset() {
  // Keep the oldest block (the first, smallest one); free the rest.
  Block* keep = blocks_;
  while (keep != nullptr && keep->next != nullptr) {
    Block* b = keep;
    keep = b->next;
    heap_bytes_ -= kHeader + b->size;
    ::operator delete(b);
  }
  blocks_ = keep;
  if (keep == nullptr) {
    next_ = end_ = nullptr;
  } else {
    next_ = reinterpret_cast<char*>(keep) + kHeader;
    end_ = next_ + keep->size;
  }
}

namespace internal {

Arena* AcquireArena() {
  if (void* spare = obsv::internal::TakeSpare()) return static_cast<Arena*>(spare);
  return new Arena();
}

void ReleaseArena(Arena* arena) {
  if (arena == nullptr) return;
  arena->Reset();
  if (!obsv::internal::KeepSpare(arena, [](void* p) { delete static_cast<Arena*>(p); })) {
    delete arena;
  }
}

}  // namespace internal

void ExprPtr::reset() {
  internal::ReleaseArena(std::exchange(arena_, nullptr));
  root_ = nullptr;
}

}  // namespace obsv::logql
