// The C registry handle, shared by c_api_registry.cc and
// c_api_registry_extras.cc.
#ifndef OBSV_CAPI_C_API_REGISTRY_INTERNAL_H_
#define OBSV_CAPI_C_API_REGISTRY_INTERNAL_H_

#include <utility>

#include "obsv/c_api_registry.h"
#include "obsv/registry.h"

struct obsv_registry {
  explicit obsv_registry(obsv::RegistryOptions o) : registry(std::move(o)) {}
  obsv::Registry registry;
};

#endif  // OBSV_CAPI_C_API_REGISTRY_INTERNAL_H_
