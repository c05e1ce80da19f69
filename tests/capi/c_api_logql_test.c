/* Tests of the LogQL C ABI (obsv/c_api_logql.h), in C11 against the
 * installed headers only, in the manner of c_api_test.c. The last line of
 * output is "N passed, N failed". */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "obsv/c_api_logql.h"

#include "check.h"

static void TestFormat(void) {
  char* out = NULL;
  size_t len = 0;
  obsv_error* err = NULL;
  obsv_logql_options options;
  CHECK_EQ(obsv_logql_format_query(LIT("sum by (app) (rate({app=\"api\"} |= \"error\" | json [5m]))"),
                                   NULL, &out, &len, &err),
           OBSV_OK);
  CHECK_BYTES(out, len, "sum by (app)(rate({app=\"api\"} |= \"error\" | json[5m]))");
  CHECK(err == NULL);
  obsv_string_free(out);

  CHECK_EQ(obsv_logql_format_query(LIT("{app=\"a\"} |= "), NULL, &out, &len, &err), OBSV_ERR_SYNTAX);
  CHECK(out == NULL);
  CHECK(err != NULL);
  CHECK(strncmp(obsv_error_message(err), "parse error at line 1", 21) == 0);
  obsv_error_free(err);

  obsv_logql_options_init(&options);
  CHECK_EQ(options.max_query_bytes, 131071);
  options.max_query_bytes = 4;
  CHECK_EQ(obsv_logql_format_query(LIT("{app=\"a\"}"), &options, &out, &len, &err),
           OBSV_ERR_LIMIT_EXCEEDED);
  obsv_error_free(err);
  CHECK_EQ(obsv_logql_format_query(NULL, 1, NULL, &out, &len, &err), OBSV_ERR_INVALID_ARGUMENT);
  obsv_error_free(err);
}

static void TestInjector(void) {
  obsv_matcher scope = {STR("resource_id"), OBSV_MATCH_EQUAL, STR("r1")};
  obsv_logql_injector* inj = NULL;
  obsv_logql_injector* strict = NULL;
  obsv_error* err = NULL;
  char* out = NULL;
  size_t len = 0;
  obsv_string_list* list = NULL;
  obsv_str match[2] = {STR("{a=\"1\"}"), STR("{b=~\"2\"}")};
  obsv_str values[2] = {STR("r2"), STR("r1")};

  CHECK_EQ(obsv_logql_injector_new(&scope, 1, OBSV_CONFLICT_ERROR, 0, &inj, &err), OBSV_OK);
  CHECK(inj != NULL);
  CHECK_EQ(obsv_logql_inject_query(inj, LIT("sum(rate({app=\"api\"} |= \"error\" [5m]))"), NULL,
                                   &out, &len, &err),
           OBSV_OK);
  CHECK_BYTES(out, len, "sum(rate({app=\"api\", resource_id=\"r1\"} |= \"error\"[5m]))");
  obsv_string_free(out);

  CHECK_EQ(obsv_logql_inject_query(inj, LIT("{app=\"a\", resource_id=\"r2\"}"), NULL, &out, &len,
                                   &err),
           OBSV_ERR_PERMISSION_DENIED);
  CHECK(out == NULL);
  CHECK_EQ(obsv_error_offset(err), 10);
  CHECK_EQ(obsv_error_line(err), 1);
  CHECK_EQ(obsv_error_column(err), 11);
  obsv_error_free(err);

  CHECK_EQ(obsv_logql_inject_query(inj, LIT("{app=\"a\""), NULL, &out, &len, &err),
           OBSV_ERR_SYNTAX);
  obsv_error_free(err);

  /* The label_format is allowed by default, refused with the flag. */
  CHECK_EQ(obsv_logql_inject_query(inj, LIT("{app=\"a\"} | label_format resource_id=\"x\""), NULL,
                                   &out, &len, &err),
           OBSV_OK);
  obsv_string_free(out);
  CHECK_EQ(obsv_logql_injector_new(&scope, 1, OBSV_CONFLICT_REPLACE,
                                   OBSV_LOGQL_REFUSE_ENFORCED_LABEL_WRITES, &strict, &err),
           OBSV_OK);
  CHECK_EQ(obsv_logql_inject_query(strict, LIT("{app=\"a\"} | label_format resource_id=\"x\""),
                                   NULL, &out, &len, &err),
           OBSV_ERR_PERMISSION_DENIED);
  CHECK_EQ(obsv_error_offset(err), 10);
  obsv_error_free(err);
  obsv_logql_injector_free(strict);

  /* Endpoint parameters. */
  CHECK_EQ(obsv_logql_inject_selector(inj, NULL, 0, 0, NULL, &out, &len, &err), OBSV_OK);
  CHECK_BYTES(out, len, "{resource_id=\"r1\"}");
  obsv_string_free(out);
  CHECK_EQ(obsv_logql_inject_selector(inj, LIT("{a=\"1\"} |= \"x\""), 0, NULL, &out, &len, &err),
           OBSV_ERR_INVALID_ARGUMENT);
  obsv_error_free(err);
  CHECK_EQ(obsv_logql_inject_selector(inj, LIT("{a=\"1\"} |= \"x\""), 1, NULL, &out, &len, &err),
           OBSV_OK);
  CHECK_BYTES(out, len, "{a=\"1\", resource_id=\"r1\"} |= \"x\"");
  obsv_string_free(out);
  CHECK_EQ(obsv_logql_inject_selectors(inj, match, 2, NULL, &list, &err), OBSV_OK);
  CHECK_EQ(obsv_string_list_size(list), 2);
  CHECK_STR(obsv_string_list_get(list, 0), "{a=\"1\", resource_id=\"r1\"}");
  CHECK_STR(obsv_string_list_get(list, 1), "{b=~\"2\", resource_id=\"r1\"}");
  obsv_string_list_free(list);
  CHECK_EQ(obsv_logql_inject_selectors(inj, NULL, 0, NULL, &list, &err), OBSV_OK);
  CHECK_STR(obsv_string_list_get(list, 0), "{resource_id=\"r1\"}");
  obsv_string_list_free(list);
  obsv_logql_injector_free(inj);

  /* For values; invalid arguments. */
  CHECK_EQ(obsv_logql_injector_new_for_values(LIT("resource_id"), values, 2, OBSV_CONFLICT_ERROR,
                                              0, &inj, &err),
           OBSV_OK);
  CHECK_EQ(obsv_logql_inject_query(inj, LIT("{a=\"1\"}"), NULL, &out, &len, &err), OBSV_OK);
  CHECK_BYTES(out, len, "{a=\"1\", resource_id=~\"r1|r2\"}");
  obsv_string_free(out);
  obsv_logql_injector_free(inj);
  CHECK_EQ(obsv_logql_injector_new_for_values(LIT("resource-id"), values, 2, OBSV_CONFLICT_ERROR,
                                              0, &inj, &err),
           OBSV_ERR_INVALID_ARGUMENT);
  CHECK(inj == NULL);
  obsv_error_free(err);
  CHECK_EQ(obsv_logql_injector_new(&scope, 1, (obsv_conflict_policy)7, 0, &inj, &err),
           OBSV_ERR_INVALID_ARGUMENT);
  obsv_error_free(err);
  CHECK_EQ(obsv_logql_injector_new(&scope, 1, OBSV_CONFLICT_ERROR, 0x80, &inj, &err),
           OBSV_ERR_INVALID_ARGUMENT);
  obsv_error_free(err);
  scope.op = (obsv_match_op)9;
  CHECK_EQ(obsv_logql_injector_new(&scope, 1, OBSV_CONFLICT_ERROR, 0, &inj, &err),
           OBSV_ERR_INVALID_ARGUMENT);
  obsv_error_free(err);
  obsv_logql_injector_free(NULL);
}

static void TestTemplates(void) {
  obsv_str names[2] = {STR("app"), STR("range")};
  obsv_str values[2] = {STR("a\"}"), STR("5m")};
  obsv_str bad[2] = {STR("a"), STR("5m] or vector(1")};
  char* out = NULL;
  size_t len = 0;
  obsv_error* err = NULL;
  CHECK_EQ(obsv_logql_expand_template(LIT("rate({app=\"{{app}}\"}[{{range}}])"), names, values, 2,
                                      NULL, &out, &len, &err),
           OBSV_OK);
  CHECK_BYTES(out, len, "rate({app=\"a\\\"}\"}[5m])");
  obsv_string_free(out);
  CHECK_EQ(obsv_logql_expand_template(LIT("rate({app=\"{{app}}\"}[{{range}}])"), names, bad, 2,
                                      NULL, &out, &len, &err),
           OBSV_ERR_INVALID_ARGUMENT);
  CHECK_EQ(obsv_error_offset(err), 21);
  CHECK_EQ(obsv_error_column(err), 22);
  obsv_error_free(err);
}

int main(void) {
  TestFormat();
  TestInjector();
  TestTemplates();
  return CheckSummary();
}
