// Arenas for LogQL trees, reused per thread (internal).
#ifndef OBSV_SRC_LOGQL_ARENA_CACHE_H_
#define OBSV_SRC_LOGQL_ARENA_CACHE_H_

#include "obsv/logql.h"

namespace obsv::logql::internal {

// An empty arena: the thread's spare one (a freed tree's) or a new one.
Arena* AcquireArena();

// Frees what `arena` holds and keeps it as the thread's spare, or deletes
// it. Null is ignored.
void ReleaseArena(Arena* arena);

}  // namespace obsv::logql::internal

#endif  // OBSV_SRC_LOGQL_ARENA_CACHE_H_
