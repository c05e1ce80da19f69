// Per-thread cell arenas: where counter and histogram values live.
//
// The process has a table of arenas, one per live thread that ever updated
// a counter or histogram (reused after the thread exits, so values are never
// lost). A series owns a range of cell slots, the same range in every
// arena; a thread writes only its own arena's cells, with a plain load and
// store (no lock prefix), and a scrape sums a slot over all arenas.
//
// Each arena has a sequence number, odd while its thread is inside a
// multi-cell update (a histogram observation): a reader that sees the same
// even number before and after copying a range has a consistent copy. The
// writer never waits.
//
// Slots are grouped in chunks of kChunkSlots; an arena allocates a chunk the
// first time its thread writes a slot in it, so memory is 8 bytes per slot
// per thread that touched the chunk. A range never crosses a chunk.
//
// Hot path (OwnCells()): one TLS load and one load of the chunk pointer,
// both already in L1 for a thread that updates metrics; a thread without an
// arena yet, a chunk not allocated yet, and threads on the shared overflow
// arena all take the out-of-line slow path (CellsSlow()), so the fast path
// has no other branch and no call.
#ifndef OBSV_SRC_REGISTRY_CELLS_H_
#define OBSV_SRC_REGISTRY_CELLS_H_

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <cstring>
#include <limits>
#include <vector>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace obsv::internal {

inline constexpr uint32_t kChunkShift = 11;
inline constexpr uint32_t kChunkSlots = 1u << kChunkShift;  // 16 KiB chunks
inline constexpr uint32_t kMaxChunks = 8192;                // 16M slots
inline constexpr uint32_t kMaxArenas = 4096;
inline constexpr uint32_t kNoSlot = ~0u;

using Cell = std::atomic<uint64_t>;

struct ThreadArena {
  alignas(64) std::atomic<uint64_t> seq{0};
  bool shared = false;  // the overflow arena: atomic RMW, no seq
  alignas(64) std::atomic<Cell*> chunks[kMaxChunks] = {};

  Cell* ChunkFor(uint32_t slot) {
    Cell* c = chunks[slot >> kChunkShift].load(std::memory_order_acquire);
    return c != nullptr ? c : AllocChunk(slot >> kChunkShift);
  }
  Cell* AllocChunk(uint32_t chunk);
};

// The calling thread's arena: its own (allocated on first use), or the
// shared overflow arena past kMaxArenas - 1 live threads.
ThreadArena* AcquireArena();
// The calling thread's own arena, or null (none yet, or the thread is on the
// shared arena). `__thread`, not `thread_local`: a C++ thread_local in a
// translation unit with other dynamically initialised thread_locals is read
// through a TLS wrapper call on every access; this is one %fs-relative load.
extern __thread ThreadArena* tls_arena __attribute__((tls_model("initial-exec")));

inline ThreadArena* CurrentArena() {
  ThreadArena* a = tls_arena;
  return a != nullptr ? a : AcquireArena();
}

// The first cell of `slot`'s range in the calling thread's own arena, or
// null: then use CellsSlow(). The chunk pointer of an own arena is only ever
// written by this thread, so a relaxed load sees it.
inline Cell* OwnCells(ThreadArena* a, uint32_t slot) {
  if (__builtin_expect(a == nullptr, 0)) return nullptr;
  Cell* chunk = a->chunks[slot >> kChunkShift].load(std::memory_order_relaxed);
  if (__builtin_expect(chunk == nullptr, 0)) return nullptr;
  return chunk + (slot & (kChunkSlots - 1));
}

inline double BitsToDouble(uint64_t b) {
  double d;
  std::memcpy(&d, &b, 8);
  return d;
}
inline uint64_t DoubleToBits(double d) {
  uint64_t b;
  std::memcpy(&b, &d, 8);
  return b;
}

// Owner-thread updates (or atomic ones in the shared arena).
inline void CellAdd(ThreadArena* a, Cell* c, uint64_t n) {
  if (__builtin_expect(a->shared, 0)) {
    c->fetch_add(n, std::memory_order_relaxed);
  } else {
    c->store(c->load(std::memory_order_relaxed) + n, std::memory_order_relaxed);
  }
}
inline void CellAddDouble(ThreadArena* a, Cell* c, double v) {
  if (__builtin_expect(a->shared, 0)) {
    uint64_t old = c->load(std::memory_order_relaxed);
    while (!c->compare_exchange_weak(old, DoubleToBits(BitsToDouble(old) + v), std::memory_order_relaxed)) {
    }
  } else {
    c->store(DoubleToBits(BitsToDouble(c->load(std::memory_order_relaxed)) + v), std::memory_order_relaxed);
  }
}

// Slow paths of the handles (cells.cc): allocate the arena or chunk, or
// update the shared arena with atomic read-modify-writes.
void AddSlow(uint32_t slot, uint64_t n);
void ObserveSlow(uint32_t slot, uint32_t bucket, uint32_t n_bounds, double v);

// The bucket of `v` in a histogram with `n` finite ascending bounds: the
// first i with v <= bounds[i], n (the +Inf bucket) if none, and n for NaN.
// `bounds` holds the n finite bounds, then at least one +Inf, padded with
// +Inf to a multiple of kBoundsPad entries (PadBounds()). Up to
// kLinearBounds bounds, a branch-free count of the bounds below v over the
// padded array, two per SSE2 compare (a bound-register `cmpltpd`, so no
// register copies; +Inf padding is never below v); beyond, a binary search.
inline constexpr uint32_t kBoundsPad = 4;
inline constexpr uint32_t kLinearBounds = 32;

inline std::vector<double> PadBounds(const std::vector<double>& with_inf) {
  std::vector<double> padded = with_inf;
  do {
    padded.push_back(std::numeric_limits<double>::infinity());
  } while (padded.size() % kBoundsPad != 0);
  return padded;
}

inline uint32_t BucketIndex(const double* bounds, uint32_t n, double v) {
  if (__builtin_expect(n > kLinearBounds, 0)) {
    if (v != v) return n;
    return static_cast<uint32_t>(std::lower_bound(bounds, bounds + n, v) - bounds);
  }
  uint32_t groups = (n + kBoundsPad) / kBoundsPad;  // covers n + 1 entries
#if defined(__SSE2__)
  __m128d x = _mm_set1_pd(v);
  __m128i acc = _mm_setzero_si128();
  for (uint32_t g = 0; g < groups; ++g) {
    const double* b = bounds + g * kBoundsPad;
    // All-ones (-1) in each lane where bound < v; subtracting counts them.
    acc = _mm_sub_epi64(acc, _mm_castpd_si128(_mm_cmplt_pd(_mm_loadu_pd(b), x)));
    acc = _mm_sub_epi64(acc, _mm_castpd_si128(_mm_cmplt_pd(_mm_loadu_pd(b + 2), x)));
  }
  uint64_t below = static_cast<uint64_t>(_mm_cvtsi128_si64(acc)) +
                   static_cast<uint64_t>(_mm_cvtsi128_si64(_mm_unpackhi_epi64(acc, acc)));
#else
  uint64_t below = 0;
  for (uint32_t k = 0; k < groups * kBoundsPad; ++k) below += bounds[k] < v;
#endif
  // NaN is below nothing; it belongs in +Inf.
  return v == v ? static_cast<uint32_t>(below) : n;
}

// Adds v to a double cell of the calling thread's own arena. On x86-64 an
// aligned 8-byte SSE load or store is single-copy atomic (what compilers'
// own std::atomic<double> on 32-bit x86 relies on), so the sum stays in an
// XMM register; GCC's std::atomic<uint64_t> path moves it through a general
// register both ways, 4 more cycles on the chain that repeated observations
// of one histogram wait on.
inline void OwnCellAddDouble(Cell* c, double v) {
#if defined(__x86_64__)
  static_assert(sizeof(Cell) == 8 && alignof(Cell) == 8, "a cell is one aligned word");
  double sum;
  asm("movsd %1, %0\n\taddsd %2, %0\n\tmovsd %0, %1" : "=&x"(sum), "+m"(*c) : "x"(v));
#else
  c->store(DoubleToBits(BitsToDouble(c->load(std::memory_order_relaxed)) + v), std::memory_order_relaxed);
#endif
}

// Sums slots [slot, slot+n_int) as integers into ints[] and
// [slot+n_int, slot+n_int+n_double) as doubles into doubles[] over all
// arenas; each arena's range is copied consistently (see above). The output
// arrays are overwritten.
void FoldCells(uint32_t slot, uint32_t n_int, uint32_t n_double, uint64_t* ints, double* doubles);

// The arenas as one scrape reads them: the table is read once, then many
// series are folded against it. An arena created after the view is not read;
// its thread's updates count as made after this scrape (the next one sees
// them), so values still only grow from scrape to scrape. Thread-compatible.
class ArenaView {
 public:
  ArenaView();
  ArenaView(const ArenaView&) = delete;
  ArenaView& operator=(const ArenaView&) = delete;

  // A counter's integer cell (slot) and double cell (slot + 1), summed over
  // the arenas in table order (as FoldCells()). No sequence check: every
  // update writes one cell, so there is no pair to tear.
  void FoldCounter(uint32_t slot, uint64_t* ints, double* doubles) const {
    uint32_t chunk = slot >> kChunkShift;
    uint32_t off = slot & (kChunkSlots - 1);
    uint64_t i = 0;
    double d = 0;
    for (uint32_t a = 0; a < n_; ++a) {
      const Cell* c = arenas_[a]->chunks[chunk].load(std::memory_order_acquire);
      if (c == nullptr) continue;
      i += c[off].load(std::memory_order_relaxed);
      d += BitsToDouble(c[off + 1].load(std::memory_order_relaxed));
    }
    *ints = i;
    *doubles = d;
  }
  // Starts loading the cells of `slot` in every arena (a scrape walks series
  // in label order, which is not cell order).
  void Prefetch(uint32_t slot) const {
    uint32_t chunk = slot >> kChunkShift;
    uint32_t off = slot & (kChunkSlots - 1);
    for (uint32_t a = 0; a < n_; ++a) {
      const Cell* c = arenas_[a]->chunks[chunk].load(std::memory_order_relaxed);
      if (c != nullptr) __builtin_prefetch(c + off);
    }
  }

 private:
  static constexpr uint32_t kInline = 16;
  uint32_t n_ = 0;
  ThreadArena* const* arenas_ = nullptr;
  ThreadArena* inline_[kInline];
  std::vector<ThreadArena*> more_;
};

// Slot ranges. Allocate returns kNoSlot when the 16M slots are used up or
// n > kChunkSlots. Free zeroes the range in every arena for reuse.
uint32_t AllocateSlots(uint32_t n);
void FreeSlots(uint32_t slot, uint32_t n);

}  // namespace obsv::internal

#endif  // OBSV_SRC_REGISTRY_CELLS_H_
