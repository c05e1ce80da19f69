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
#ifndef OBSV_SRC_REGISTRY_CELLS_H_
#define OBSV_SRC_REGISTRY_CELLS_H_

#include <atomic>
#include <cstdint>
#include <cstring>

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

// The calling thread's arena (allocated on first use).
ThreadArena* AcquireArena();
extern thread_local ThreadArena* tls_arena __attribute__((tls_model("initial-exec")));

inline ThreadArena* CurrentArena() {
  ThreadArena* a = tls_arena;
  return a != nullptr ? a : AcquireArena();
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

// Sums slots [slot, slot+n_int) as integers into ints[] and
// [slot+n_int, slot+n_int+n_double) as doubles into doubles[] over all
// arenas; each arena's range is copied consistently (see above). The output
// arrays are overwritten.
void FoldCells(uint32_t slot, uint32_t n_int, uint32_t n_double, uint64_t* ints, double* doubles);

// Slot ranges. Allocate returns kNoSlot when the 16M slots are used up or
// n > kChunkSlots. Free zeroes the range in every arena for reuse.
uint32_t AllocateSlots(uint32_t n);
void FreeSlots(uint32_t slot, uint32_t n);

}  // namespace obsv::internal

#endif  // OBSV_SRC_REGISTRY_CELLS_H_
