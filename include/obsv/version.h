// obsv/version.h: compile-time and run-time version of obsv.
//
// The macros give the version of the headers a program was compiled with;
// obsv::Version() (and obsv_version() in the C ABI) the version of the
// library it runs with. They differ when a program is run against a newer
// shared library than it was built with.
//
//   if (OBSV_VERSION_NUMBER != obsv::VersionNumber()) { ... }
#ifndef OBSV_VERSION_H_
#define OBSV_VERSION_H_

#define OBSV_VERSION_MAJOR 0
#define OBSV_VERSION_MINOR 1
#define OBSV_VERSION_PATCH 0
#define OBSV_VERSION_STRING "0.1.0"
// major * 10000 + minor * 100 + patch, for simple comparisons.
#define OBSV_VERSION_NUMBER \
  (OBSV_VERSION_MAJOR * 10000 + OBSV_VERSION_MINOR * 100 + OBSV_VERSION_PATCH)

#ifdef __cplusplus
#include "obsv/export.h"

namespace obsv {

// The version of the linked library, e.g. "0.1.0". Static storage.
OBSV_API const char* Version();
// The OBSV_VERSION_NUMBER the linked library was built with.
OBSV_API int VersionNumber();

}  // namespace obsv
#endif  // __cplusplus

#endif  // OBSV_VERSION_H_
