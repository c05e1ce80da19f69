// The per-thread node cache (node_cache.h): one free list per 16-byte size
// class up to 256 bytes, each holding at most kMaxCached nodes (the rest go
// back to the heap), emptied when the thread exits. A node freed on another
// thread than the one that made it joins that thread's cache. Under
// AddressSanitizer every node goes to the heap, so that use-after-free
// stays visible. (-DOBSV_NODE_CACHE=0 or 1 overrides; the older
// -DOBSV_PROMQL_NODE_CACHE is honoured too.) The same per-thread record
// keeps one spare object (KeepSpare(): the LogQL parser's arena).
#include "common/node_cache.h"

#include <cstdint>
#include <new>
#include <utility>

#if !defined(OBSV_NODE_CACHE) && defined(OBSV_PROMQL_NODE_CACHE)
#define OBSV_NODE_CACHE OBSV_PROMQL_NODE_CACHE
#endif
#ifndef OBSV_NODE_CACHE
#if defined(__SANITIZE_ADDRESS__)
#define OBSV_NODE_CACHE 0
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define OBSV_NODE_CACHE 0
#endif
#endif
#endif
#ifndef OBSV_NODE_CACHE
#define OBSV_NODE_CACHE 1
#endif

namespace obsv::internal {
namespace {

#if OBSV_NODE_CACHE
constexpr size_t kGranule = 16;
constexpr size_t kClasses = 16;  // up to 256 bytes
constexpr uint32_t kMaxCached = 64;

struct FreeNode {
  FreeNode* next;
};

struct NodeCache {
  FreeNode* head[kClasses] = {};
  uint32_t count[kClasses] = {};
  void* spare = nullptr;  // KeepSpare()
  void (*free_spare)(void*) = nullptr;
  ~NodeCache();
};

// The thread's cache is a C++ thread_local (for its destructor at thread
// exit), reached through a `__thread` pointer set at the first use: a
// thread_local with a destructor is read through a TLS wrapper call, the
// pointer with one load (initial-exec, as registry/cells.h's arena). Once
// the cache is destroyed, `tls_node_cache_gone` sends the thread's later
// nodes (another thread_local's destructor freeing a tree) to the heap.
thread_local NodeCache t_cache;
__thread NodeCache* tls_node_cache __attribute__((tls_model("initial-exec"))) = nullptr;
__thread bool tls_node_cache_gone __attribute__((tls_model("initial-exec"))) = false;

NodeCache::~NodeCache() {
  for (size_t c = 0; c < kClasses; ++c) {
    while (head[c] != nullptr) {
      FreeNode* n = head[c];
      head[c] = n->next;
      ::operator delete(n);
    }
    count[c] = 0;
  }
  if (spare != nullptr) free_spare(spare);
  spare = nullptr;
  tls_node_cache = nullptr;
  tls_node_cache_gone = true;
}

// The calling thread's cache, made at its first use; null after its exit.
[[gnu::noinline]] NodeCache* ThreadCacheSlow() {
  if (tls_node_cache_gone) return nullptr;
  tls_node_cache = &t_cache;
  return tls_node_cache;
}

inline NodeCache* ThreadCache() {
  NodeCache* c = tls_node_cache;
  return c != nullptr ? c : ThreadCacheSlow();
}

inline size_t SizeClass(size_t size) { return (size + kGranule - 1) / kGranule - 1; }
#endif

}  // namespace

void* NodeAlloc(std::size_t size) {
#if OBSV_NODE_CACHE
  const size_t c = SizeClass(size);
  if (c < kClasses) {
    if (NodeCache* cache = ThreadCache(); cache != nullptr) {
      if (FreeNode* n = cache->head[c]; n != nullptr) {
        cache->head[c] = n->next;
        --cache->count[c];
        return n;
      }
    }
    return ::operator new((c + 1) * kGranule);
  }
#endif
  return ::operator new(size);
}

void NodeFree(void* p, std::size_t size) noexcept {
  if (p == nullptr) return;
#if OBSV_NODE_CACHE
  const size_t c = SizeClass(size);
  if (c < kClasses) {
    NodeCache* cache = ThreadCache();
    if (cache != nullptr && cache->count[c] < kMaxCached) {
      auto* n = static_cast<FreeNode*>(p);
      n->next = cache->head[c];
      cache->head[c] = n;
      ++cache->count[c];
      return;
    }
  }
#else
  (void)size;
#endif
  ::operator delete(p);
}

void* TakeSpare() noexcept {
#if OBSV_NODE_CACHE
  if (NodeCache* cache = ThreadCache(); cache != nullptr) return std::exchange(cache->spare, nullptr);
#endif
  return nullptr;
}

bool KeepSpare(void* p, void (*free_spare)(void*)) noexcept {
#if OBSV_NODE_CACHE
  if (NodeCache* cache = ThreadCache(); cache != nullptr && cache->spare == nullptr) {
    cache->spare = p;
    cache->free_spare = free_spare;
    return true;
  }
#else
  (void)p;
  (void)free_spare;
#endif
  return false;
}

}  // namespace obsv::internal
