// A per-thread cache of freed parse-tree nodes, behind the class
// operator new / delete of the PromQL tree, and of one spare LogQL arena
// (internal).
#ifndef OBSV_SRC_COMMON_NODE_CACHE_H_
#define OBSV_SRC_COMMON_NODE_CACHE_H_

#include <cstddef>

namespace obsv::internal {

// Memory for a node of `size` bytes: from the calling thread's cache when
// one of its size class (16-byte classes up to 256 bytes) is there, else
// from the heap. Thread-safe.
void* NodeAlloc(std::size_t size);

// Returns a node of `size` bytes (as given to NodeAlloc(), from any thread)
// to the calling thread's cache, or to the heap when that class holds
// enough already. Thread-safe.
void NodeFree(void* p, std::size_t size) noexcept;

// One spare object per thread (the LogQL parser's arena): TakeSpare()
// hands the calling thread's over (null if it has none); KeepSpare(p)
// makes p the thread's spare and returns true, or returns false (the
// caller frees p) when the thread has one already, the cache is off
// (AddressSanitizer) or the thread is exiting. A spare left at thread exit
// goes to `free_spare`. Thread-safe.
void* TakeSpare() noexcept;
bool KeepSpare(void* p, void (*free_spare)(void*)) noexcept;

}  // namespace obsv::internal

#endif  // OBSV_SRC_COMMON_NODE_CACHE_H_
