// libobsv.so is assembled from the module archives (see capi/CMakeLists.txt);
// this file only gives the shared library target a source of its own.
#include "obsv/c_api.h"
