/* Uses the installed C ABI of obsv, built with nothing but
 * `cc consumer.c $(pkg-config --cflags --libs obsv)`. */
#include <stdio.h>
#include <string.h>

#include "obsv/c_api.h"

int main(void) {
  static const char kBody[] =
      "# TYPE x_total counter\nx_total{a=\"b\"} 3 1500\n";
  static const char kExpected[] =
      "# TYPE x counter\nx_total{a=\"b\"} 3.0 1.5\n# EOF\n";
  if (strcmp(obsv_version(), OBSV_VERSION_STRING) != 0 ||
      obsv_version_number() != OBSV_VERSION_NUMBER) {
    fprintf(stderr, "consumer: header %s, library %s\n", OBSV_VERSION_STRING,
            obsv_version());
    return 1;
  }
  char* out = NULL;
  size_t len = 0;
  obsv_error* error = NULL;
  obsv_status s = obsv_convert(kBody, sizeof(kBody) - 1, OBSV_FORMAT_AUTO, 1,
                               OBSV_FORMAT_OPENMETRICS, &out, &len, &error);
  if (s != OBSV_OK) {
    fprintf(stderr, "consumer: %s: %s\n", obsv_status_name(s),
            obsv_error_message(error));
    obsv_error_free(error);
    return 1;
  }
  int ok = len == strlen(kExpected) && strcmp(out, kExpected) == 0;
  if (!ok) fprintf(stderr, "consumer: got:\n%s", out);
  obsv_string_free(out);
  if (!ok) return 1;
  printf("consumer (C, pkg-config): ok, obsv %s\n", obsv_version());
  return 0;
}
