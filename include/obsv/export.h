// obsv/export.h: symbol visibility for the obsv shared library.
//
// obsv is compiled with -fvisibility=hidden. Only declarations marked
// OBSV_API are exported from libobsv.so: the C ABI (obsv/c_api.h) and the
// documented C++ API in include/obsv/. Everything under src/ stays private,
// so the library can change its internals without breaking consumers.
#ifndef OBSV_EXPORT_H_
#define OBSV_EXPORT_H_

#if defined(_WIN32)
#define OBSV_API __declspec(dllexport)
#else
#define OBSV_API __attribute__((visibility("default")))
#endif

#endif  // OBSV_EXPORT_H_
