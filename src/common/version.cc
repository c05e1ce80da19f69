#include "obsv/version.h"

namespace obsv {

const char* Version() { return OBSV_VERSION_STRING; }
int VersionNumber() { return OBSV_VERSION_NUMBER; }

}  // namespace obsv
