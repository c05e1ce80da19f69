#include "registry/cells.h"

#include <new>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"

namespace obsv::internal {

__thread ThreadArena* tls_arena __attribute__((tls_model("initial-exec"))) = nullptr;

namespace {
// The shared overflow arena, once this thread has been given it (never
// also in tls_arena, so that the fast paths need not test for it).
__thread ThreadArena* tls_shared_arena = nullptr;
}  // namespace

namespace {

// Arenas are never freed: a thread's cells hold counts that later scrapes
// must still see. The table only grows, up to kMaxArenas.
struct ArenaTable {
  std::atomic<uint32_t> count{0};
  std::atomic<ThreadArena*> arenas[kMaxArenas] = {};
  absl::Mutex mu;
  std::vector<ThreadArena*> free_list ABSL_GUARDED_BY(mu);
  ThreadArena* shared ABSL_GUARDED_BY(mu) = nullptr;
};

ArenaTable& Arenas() {
  static ArenaTable* table = new ArenaTable;
  return *table;
}

struct ArenaReleaser {
  ThreadArena* arena = nullptr;
  ~ArenaReleaser() {
    if (arena == nullptr || arena->shared) return;
    tls_arena = nullptr;
    ArenaTable& t = Arenas();
    absl::MutexLock l(&t.mu);
    t.free_list.push_back(arena);
  }
};
thread_local ArenaReleaser tls_releaser;

struct SlotAllocator {
  absl::Mutex mu;
  uint32_t next ABSL_GUARDED_BY(mu) = 0;
  absl::flat_hash_map<uint32_t, std::vector<uint32_t>> free ABSL_GUARDED_BY(mu);
};

SlotAllocator& Slots() {
  static SlotAllocator* s = new SlotAllocator;
  return *s;
}

}  // namespace

Cell* ThreadArena::AllocChunk(uint32_t chunk) {
  Cell* fresh = new Cell[kChunkSlots];
  for (uint32_t i = 0; i < kChunkSlots; ++i) fresh[i].store(0, std::memory_order_relaxed);
  Cell* expected = nullptr;
  // Only the shared arena has concurrent allocators; the CAS covers it.
  if (!chunks[chunk].compare_exchange_strong(expected, fresh, std::memory_order_acq_rel)) {
    delete[] fresh;
    return expected;
  }
  return fresh;
}

ThreadArena* AcquireArena() {
  if (tls_shared_arena != nullptr) return tls_shared_arena;
  ArenaTable& t = Arenas();
  ThreadArena* a = nullptr;
  {
    absl::MutexLock l(&t.mu);
    if (!t.free_list.empty()) {
      a = t.free_list.back();
      t.free_list.pop_back();
    } else {
      uint32_t n = t.count.load(std::memory_order_relaxed);
      if (n < kMaxArenas - 1) {
        a = new ThreadArena;
        t.arenas[n].store(a, std::memory_order_release);
        t.count.store(n + 1, std::memory_order_release);
      } else {
        if (t.shared == nullptr) {
          t.shared = new ThreadArena;
          t.shared->shared = true;
          t.arenas[n].store(t.shared, std::memory_order_release);
          t.count.store(n + 1, std::memory_order_release);
        }
        a = t.shared;
      }
    }
  }
  if (a->shared) {
    tls_shared_arena = a;
    return a;
  }
  tls_arena = a;
  tls_releaser.arena = a;
  return a;
}

void AddSlow(uint32_t slot, uint64_t n) {
  ThreadArena* a = CurrentArena();
  CellAdd(a, a->ChunkFor(slot) + (slot & (kChunkSlots - 1)), n);
}

void ObserveSlow(uint32_t slot, uint32_t bucket, uint32_t n_bounds, double v) {
  ThreadArena* a = CurrentArena();
  Cell* c = a->ChunkFor(slot) + (slot & (kChunkSlots - 1));
  if (a->shared) {
    c[bucket].fetch_add(1, std::memory_order_relaxed);
    CellAddDouble(a, c + n_bounds + 1, v);
    return;
  }
  uint64_t s = a->seq.load(std::memory_order_relaxed);
  a->seq.store(s + 1, std::memory_order_relaxed);
  std::atomic_thread_fence(std::memory_order_release);
  c[bucket].store(c[bucket].load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
  c[n_bounds + 1].store(DoubleToBits(BitsToDouble(c[n_bounds + 1].load(std::memory_order_relaxed)) + v),
                        std::memory_order_relaxed);
  a->seq.store(s + 2, std::memory_order_release);
}

void FoldCells(uint32_t slot, uint32_t n_int, uint32_t n_double, uint64_t* ints, double* doubles) {
  for (uint32_t i = 0; i < n_int; ++i) ints[i] = 0;
  for (uint32_t i = 0; i < n_double; ++i) doubles[i] = 0;
  ArenaTable& t = Arenas();
  uint32_t count = t.count.load(std::memory_order_acquire);
  uint32_t chunk = slot >> kChunkShift;
  uint32_t off = slot & (kChunkSlots - 1);
  uint32_t n = n_int + n_double;
  uint64_t copy[kChunkSlots > 256 ? 256 : kChunkSlots];
  for (uint32_t a = 0; a < count; ++a) {
    ThreadArena* arena = t.arenas[a].load(std::memory_order_acquire);
    if (arena == nullptr) continue;
    Cell* c = arena->chunks[chunk].load(std::memory_order_acquire);
    if (c == nullptr) continue;
    c += off;
    if (n <= 256 && !arena->shared) {
      for (int attempt = 0;; ++attempt) {
        uint64_t s1 = arena->seq.load(std::memory_order_acquire);
        if ((s1 & 1) == 0) {
          for (uint32_t i = 0; i < n; ++i) copy[i] = c[i].load(std::memory_order_relaxed);
          std::atomic_thread_fence(std::memory_order_acquire);
          if (arena->seq.load(std::memory_order_relaxed) == s1) break;
        }
        if (attempt > 64) std::this_thread::yield();
      }
    } else {
      for (uint32_t i = 0; i < n && i < 256; ++i) copy[i] = c[i].load(std::memory_order_relaxed);
    }
    for (uint32_t i = 0; i < n_int; ++i) ints[i] += copy[i];
    for (uint32_t i = 0; i < n_double; ++i) doubles[i] += BitsToDouble(copy[n_int + i]);
  }
}

ArenaView::ArenaView() {
  ArenaTable& t = Arenas();
  uint32_t count = t.count.load(std::memory_order_acquire);
  ThreadArena** dst = inline_;
  if (count > kInline) {
    more_.resize(count);
    dst = more_.data();
  }
  for (uint32_t a = 0; a < count; ++a) {
    ThreadArena* arena = t.arenas[a].load(std::memory_order_acquire);
    if (arena != nullptr) dst[n_++] = arena;
  }
  arenas_ = dst;
}

uint32_t AllocateSlots(uint32_t n) {
  if (n == 0 || n > 256) return kNoSlot;
  SlotAllocator& s = Slots();
  absl::MutexLock l(&s.mu);
  auto it = s.free.find(n);
  if (it != s.free.end() && !it->second.empty()) {
    uint32_t slot = it->second.back();
    it->second.pop_back();
    return slot;
  }
  uint32_t off = s.next & (kChunkSlots - 1);
  if (off + n > kChunkSlots) s.next += kChunkSlots - off;
  if (static_cast<uint64_t>(s.next) + n > uint64_t{kChunkSlots} * kMaxChunks) return kNoSlot;
  uint32_t slot = s.next;
  s.next += n;
  return slot;
}

void FreeSlots(uint32_t slot, uint32_t n) {
  if (slot == kNoSlot) return;
  ArenaTable& t = Arenas();
  uint32_t count = t.count.load(std::memory_order_acquire);
  for (uint32_t a = 0; a < count; ++a) {
    ThreadArena* arena = t.arenas[a].load(std::memory_order_acquire);
    if (arena == nullptr) continue;
    Cell* c = arena->chunks[slot >> kChunkShift].load(std::memory_order_acquire);
    if (c == nullptr) continue;
    for (uint32_t i = 0; i < n; ++i) c[(slot & (kChunkSlots - 1)) + i].store(0, std::memory_order_relaxed);
  }
  SlotAllocator& s = Slots();
  absl::MutexLock l(&s.mu);
  s.free[n].push_back(slot);
}

}  // namespace obsv::internal
