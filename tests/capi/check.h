/* The harness of the C tests, in the manner of leveldb's c_test.c: every
 * CHECK counts, a failure prints where and goes on, and CheckSummary()
 * prints the last line of output, "N passed, N failed", and returns the
 * exit status (non-zero when any CHECK failed). Each test is one program
 * that includes this header once. */
#ifndef OBSV_TESTS_CAPI_CHECK_H_
#define OBSV_TESTS_CAPI_CHECK_H_

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "obsv/c_api.h"

static int g_passed = 0;
static int g_failed = 0;

#define CHECK(cond)                                                   \
  do {                                                                \
    if (cond) {                                                       \
      ++g_passed;                                                     \
    } else {                                                          \
      ++g_failed;                                                     \
      printf("%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); \
    }                                                                 \
  } while (0)

/* Integers, printed on failure. */
#define CHECK_EQ(actual, expected) \
  CheckEq((long long)(actual), (long long)(expected), #actual, __FILE__, __LINE__)
/* Doubles, equal or both NaN. */
#define CHECK_NUM(actual, expected) CheckNum((actual), (expected), #actual, __FILE__, __LINE__)
/* An obsv_str (or a (ptr, len) pair) against a NUL-terminated expectation. */
#define CHECK_STR(view, expected) CheckStr((view).data, (view).size, (expected), #view, __FILE__, __LINE__)
#define CHECK_BYTES(data, size, expected) CheckStr((data), (size), (expected), #data, __FILE__, __LINE__)

/* A string literal as (pointer, length), without its NUL; and as an
 * obsv_str initializer. */
#define LIT(s) (s), (sizeof(s) - 1)
#define STR(s) \
  { (s), sizeof(s) - 1 }

static inline void CheckEq(long long actual, long long expected, const char* what, const char* file, int line) {
  if (actual == expected) {
    ++g_passed;
    return;
  }
  ++g_failed;
  printf("%s:%d: CHECK failed: %s == %lld, expected %lld\n", file, line, what, actual, expected);
}

static inline void CheckNum(double actual, double expected, const char* what, const char* file, int line) {
  if (actual == expected || (isnan(actual) && isnan(expected))) {
    ++g_passed;
    return;
  }
  ++g_failed;
  printf("%s:%d: CHECK failed: %s == %.17g, expected %.17g\n", file, line, what, actual, expected);
}

static inline void CheckStr(const char* data, size_t size, const char* expected, const char* what, const char* file,
                            int line) {
  size_t n = strlen(expected);
  if (size == n && (n == 0 || (data != NULL && memcmp(data, expected, n) == 0))) {
    ++g_passed;
    return;
  }
  ++g_failed;
  printf("%s:%d: CHECK failed: %s\n  got      (%zu bytes): [%.*s]\n  expected (%zu bytes): [%s]\n", file, line, what,
         size, data == NULL ? 0 : (int)size, data == NULL ? "" : data, n, expected);
}

/* A NUL-terminated string as an obsv_str (a view, not a copy). */
static inline obsv_str Str(const char* s) {
  obsv_str v;
  v.data = s;
  v.size = strlen(s);
  return v;
}

static inline int CheckSummary(void) {
  printf("%d passed, %d failed\n", g_passed, g_failed);
  return g_failed == 0 ? 0 : 1;
}

#endif /* OBSV_TESTS_CAPI_CHECK_H_ */
