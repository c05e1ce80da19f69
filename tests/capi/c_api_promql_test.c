/* Tests of the PromQL C ABI (obsv/c_api_promql.h), in C11 against the
 * installed headers only, in the manner of c_api_test.c. The last line of
 * output is "N passed, N failed". */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "obsv/c_api_promql.h"

#include "check.h"

static void TestFormatAndPretty(void) {
  char* out = NULL;
  size_t len = 0;
  obsv_error* err = NULL;
  CHECK_EQ(obsv_promql_format_query(LIT("sum by(job)(rate(x{b='2',a=\"1\"}[5m]))"), NULL, &out, &len, &err),
           OBSV_OK);
  CHECK(err == NULL);
  CHECK_BYTES(out, len, "sum by (job) (rate(x{a=\"1\",b=\"2\"}[5m]))");
  CHECK(out != NULL && out[len] == '\0');
  obsv_string_free(out);

  /* Pretty splits what does not fit in 100 columns. */
  const char q[] =
      "sum by (namespace) (rate(container_cpu_usage_seconds_total{namespace=\"kube-system\",container!=\"\"}[5m]))";
  CHECK_EQ(obsv_promql_pretty_query(LIT(q), NULL, &out, &len, NULL), OBSV_OK);
  CHECK(out != NULL && strchr(out, '\n') != NULL);
  CHECK(out != NULL && strncmp(out, "sum by (namespace) (\n  rate(", 27) == 0);
  obsv_string_free(out);

  /* Errors: Prometheus's message and position. */
  CHECK_EQ(obsv_promql_format_query(LIT("sum(x,"), NULL, &out, &len, &err), OBSV_ERR_SYNTAX);
  CHECK(out == NULL);
  CHECK(err != NULL);
  CHECK_EQ(obsv_error_code(err), OBSV_ERR_SYNTAX);
  CHECK_EQ(obsv_error_line(err), 1);
  CHECK(strncmp(obsv_error_message(err), "1:", 2) == 0);
  CHECK(strstr(obsv_error_message(err), "parse error") != NULL);
  obsv_error_free(err);

  CHECK_EQ(obsv_promql_format_query(LIT("foo{a=\"b}"), NULL, &out, &len, &err), OBSV_ERR_UNTERMINATED_STRING);
  obsv_error_free(err);

  /* Limits. */
  obsv_promql_options options;
  obsv_promql_options_init(&options);
  CHECK_EQ(options.max_depth, 256);
  CHECK_EQ(options.features, 0);
  options.max_depth = 4;
  CHECK_EQ(obsv_promql_format_query(LIT("((((((x))))))"), &options, &out, &len, &err), OBSV_ERR_LIMIT_EXCEEDED);
  obsv_error_free(err);
  options.max_depth = 256;

  /* Experimental functions only with the feature. */
  CHECK_EQ(obsv_promql_format_query(LIT("limitk(2, x)"), &options, &out, &len, &err), OBSV_ERR_SYNTAX);
  obsv_error_free(err);
  options.features = OBSV_PROMQL_FEATURE_EXPERIMENTAL_FUNCTIONS;
  CHECK_EQ(obsv_promql_format_query(LIT("limitk(2, x)"), &options, &out, &len, &err), OBSV_OK);
  CHECK_BYTES(out, len, "limitk(2, x)");
  obsv_string_free(out);

  /* Feature-gated syntax only with its feature. */
  CHECK_EQ(obsv_promql_format_query(LIT("rate(x[5m + 1m])"), &options, &out, &len, &err), OBSV_ERR_SYNTAX);
  obsv_error_free(err);
  options.features |= OBSV_PROMQL_FEATURE_DURATION_EXPRESSIONS;
  CHECK_EQ(obsv_promql_format_query(LIT("rate(x[5m + 1m])"), &options, &out, &len, &err), OBSV_OK);
  CHECK_BYTES(out, len, "rate(x[5m + 1m])");
  obsv_string_free(out);
  CHECK_EQ(obsv_promql_format_query(LIT("x[5m] anchored"), &options, &out, &len, &err), OBSV_ERR_SYNTAX);
  obsv_error_free(err);
  options.features |= OBSV_PROMQL_FEATURE_EXTENDED_RANGE_SELECTORS;
  CHECK_EQ(obsv_promql_format_query(LIT("x[5m] anchored"), &options, &out, &len, &err), OBSV_OK);
  CHECK_BYTES(out, len, "x[5m] anchored");
  obsv_string_free(out);

  /* NULL arguments are statuses, not crashes. */
  CHECK_EQ(obsv_promql_format_query(NULL, 3, NULL, &out, &len, NULL), OBSV_ERR_INVALID_ARGUMENT);
  CHECK_EQ(obsv_promql_format_query(LIT("x"), NULL, NULL, &len, NULL), OBSV_ERR_INVALID_ARGUMENT);
}

static void TestTree(void) {
  obsv_promql_tree* tree = NULL;
  obsv_error* err = NULL;
  const char q[] = "topk(3, sum without (instance) (rate(http_requests_total{job=~\"api|web\"}[5m] offset 1m)))"
                   " / on (job) group_left (team) max by (job, team) (team_info)";
  CHECK_EQ(obsv_promql_parse(LIT(q), NULL, &tree, &err), OBSV_OK);
  const obsv_promql_node* root = obsv_promql_tree_root(tree);
  CHECK_EQ(obsv_promql_node_kind_of(root), OBSV_PROMQL_BINARY);
  CHECK_STR(obsv_promql_node_name(root), "/");
  CHECK_EQ(obsv_promql_node_type(root), OBSV_PROMQL_TYPE_VECTOR);
  CHECK_EQ(obsv_promql_node_start(root), 0);
  CHECK_EQ(obsv_promql_node_end(root), sizeof(q) - 1);
  CHECK_EQ(obsv_promql_node_on(root), 1);
  CHECK_EQ(obsv_promql_node_cardinality(root), OBSV_PROMQL_MANY_TO_ONE);
  CHECK_EQ(obsv_promql_node_label_count(root), 1);
  CHECK_STR(obsv_promql_node_label(root, 0), "job");
  CHECK_EQ(obsv_promql_node_include_count(root), 1);
  CHECK_STR(obsv_promql_node_include(root, 0), "team");
  CHECK_EQ(obsv_promql_node_child_count(root), 2);

  const obsv_promql_node* topk = obsv_promql_node_child(root, 0);
  CHECK_EQ(obsv_promql_node_kind_of(topk), OBSV_PROMQL_AGGREGATE);
  CHECK_STR(obsv_promql_node_name(topk), "topk");
  CHECK_EQ(obsv_promql_node_child_count(topk), 2);
  const obsv_promql_node* k = obsv_promql_node_child(topk, 0);
  CHECK_EQ(obsv_promql_node_kind_of(k), OBSV_PROMQL_NUMBER);
  CHECK(obsv_promql_node_number(k) == 3.0);
  const obsv_promql_node* sum = obsv_promql_node_child(topk, 1);
  CHECK_STR(obsv_promql_node_name(sum), "sum");
  CHECK_EQ(obsv_promql_node_without(sum), 1);
  CHECK_STR(obsv_promql_node_label(sum, 0), "instance");
  const obsv_promql_node* rate = obsv_promql_node_child(sum, 0);
  CHECK_EQ(obsv_promql_node_kind_of(rate), OBSV_PROMQL_CALL);
  CHECK_STR(obsv_promql_node_name(rate), "rate");
  const obsv_promql_node* matrix = obsv_promql_node_child(rate, 0);
  CHECK_EQ(obsv_promql_node_kind_of(matrix), OBSV_PROMQL_MATRIX_SELECTOR);
  CHECK_EQ(obsv_promql_node_type(matrix), OBSV_PROMQL_TYPE_MATRIX);
  CHECK_EQ(obsv_promql_node_range_ms(matrix), 300000);
  CHECK_EQ(obsv_promql_node_offset_ms(matrix), 60000);
  CHECK_STR(obsv_promql_node_name(matrix), "http_requests_total");
  CHECK_EQ(obsv_promql_node_matcher_count(matrix), 1);
  obsv_matcher m;
  CHECK_EQ(obsv_promql_node_matcher(matrix, 0, &m), 1);
  CHECK_STR(m.name, "job");
  CHECK_EQ(m.op, OBSV_MATCH_REGEX);
  CHECK_STR(m.value, "api|web");
  CHECK_EQ(obsv_promql_node_matcher(matrix, 1, &m), 0);
  CHECK(obsv_promql_node_child(matrix, 5) == NULL);

  /* Accessors on the wrong kind or NULL are neutral. */
  CHECK_EQ(obsv_promql_node_matcher_count(root), 0);
  CHECK_EQ(obsv_promql_node_child_count(NULL), 0);
  CHECK_STR(obsv_promql_node_name(NULL), "");
  CHECK(obsv_promql_node_number(root) == 0.0);

  char* out = NULL;
  size_t len = 0;
  CHECK_EQ(obsv_promql_tree_format(tree, &out, &len), OBSV_OK);
  CHECK_BYTES(out, len,
              "topk(3, sum without (instance) (rate(http_requests_total{job=~\"api|web\"}[5m] offset 1m)))"
              " / on (job) group_left (team) max by (job, team) (team_info)");
  obsv_string_free(out);

  /* Inject into the tree, then print it. */
  obsv_matcher tenant = {STR("tenant"), OBSV_MATCH_EQUAL, STR("a")};
  obsv_promql_injector* inj = NULL;
  CHECK_EQ(obsv_promql_injector_new(&tenant, 1, OBSV_CONFLICT_ERROR, &inj, &err), OBSV_OK);
  CHECK_EQ(obsv_promql_tree_inject(inj, tree, &err), OBSV_OK);
  CHECK_EQ(obsv_promql_tree_format(tree, &out, &len), OBSV_OK);
  CHECK_BYTES(out, len,
              "topk(3, sum without (instance) (rate(http_requests_total{job=~\"api|web\",tenant=\"a\"}[5m] "
              "offset 1m))) / on (job) group_left (team) max by (job, team) (team_info{tenant=\"a\"})");
  obsv_string_free(out);
  obsv_promql_injector_free(inj);
  obsv_promql_tree_free(tree);
  obsv_promql_tree_free(NULL);

  CHECK_EQ(obsv_promql_parse(LIT("rate(x)"), NULL, &tree, &err), OBSV_ERR_SYNTAX);
  CHECK(tree == NULL);
  CHECK(strstr(obsv_error_message(err), "expected type range vector") != NULL);
  obsv_error_free(err);
}

static void TestInjector(void) {
  obsv_error* err = NULL;
  obsv_promql_injector* inj = NULL;
  obsv_str values[] = {STR("a"), STR("b.c")};
  CHECK_EQ(obsv_promql_injector_new_for_values(LIT("tenant"), values, 2, OBSV_CONFLICT_ERROR, &inj, &err),
           OBSV_OK);
  char* out = NULL;
  size_t len = 0;
  /* The aggregation parameter prom-label-proxy misses is scoped too. */
  CHECK_EQ(obsv_promql_inject_query(inj, LIT("topk(scalar(secret), up)"), NULL, &out, &len, &err), OBSV_OK);
  CHECK_BYTES(out, len, "topk(scalar(secret{tenant=~\"a|b\\\\.c\"}), up{tenant=~\"a|b\\\\.c\"})");
  obsv_string_free(out);

  /* A conflicting matcher is refused with its position. */
  CHECK_EQ(obsv_promql_inject_query(inj, LIT("up + on() x{tenant=\"z\"}"), NULL, &out, &len, &err),
           OBSV_ERR_PERMISSION_DENIED);
  CHECK(out == NULL);
  CHECK_EQ(obsv_error_code(err), OBSV_ERR_PERMISSION_DENIED);
  CHECK_EQ(obsv_error_offset(err), 12);
  CHECK_EQ(obsv_error_line(err), 1);
  CHECK_EQ(obsv_error_column(err), 13);
  CHECK(strncmp(obsv_error_message(err), "1:13: ", 6) == 0);
  obsv_error_free(err);

  /* A parse error is a parse error. */
  CHECK_EQ(obsv_promql_inject_query(inj, LIT("up{"), NULL, &out, &len, &err), OBSV_ERR_SYNTAX);
  obsv_error_free(err);

  /* Series selectors: absent match[] gives the enforced set alone. */
  obsv_string_list* list = NULL;
  CHECK_EQ(obsv_promql_inject_selectors(inj, NULL, 0, NULL, &list, &err), OBSV_OK);
  CHECK_EQ(obsv_string_list_size(list), 1);
  CHECK_STR(obsv_string_list_get(list, 0), "{tenant=~\"a|b\\\\.c\"}");
  obsv_string_list_free(list);
  obsv_str match[] = {STR("up"), STR("{job=\"x\"}")};
  CHECK_EQ(obsv_promql_inject_selectors(inj, match, 2, NULL, &list, &err), OBSV_OK);
  CHECK_EQ(obsv_string_list_size(list), 2);
  CHECK_STR(obsv_string_list_get(list, 0), "up{tenant=~\"a|b\\\\.c\"}");
  CHECK_STR(obsv_string_list_get(list, 1), "{job=\"x\",tenant=~\"a|b\\\\.c\"}");
  CHECK_STR(obsv_string_list_get(list, 2), "");
  obsv_string_list_free(list);
  obsv_str not_selector[] = {STR("up"), STR("rate(x[5m])")};
  CHECK_EQ(obsv_promql_inject_selectors(inj, not_selector, 2, NULL, &list, &err), OBSV_ERR_INVALID_ARGUMENT);
  CHECK(list == NULL);
  CHECK(strncmp(obsv_error_message(err), "match[1]", 8) == 0);
  obsv_error_free(err);
  obsv_promql_injector_free(inj);

  /* Replace and intersect policies. */
  obsv_matcher tenant = {STR("tenant"), OBSV_MATCH_EQUAL, STR("a")};
  CHECK_EQ(obsv_promql_injector_new(&tenant, 1, OBSV_CONFLICT_REPLACE, &inj, &err), OBSV_OK);
  CHECK_EQ(obsv_promql_inject_query(inj, LIT("x{tenant=\"z\"}"), NULL, &out, &len, &err), OBSV_OK);
  CHECK_BYTES(out, len, "x{tenant=\"a\"}");
  obsv_string_free(out);
  obsv_promql_injector_free(inj);
  CHECK_EQ(obsv_promql_injector_new(&tenant, 1, OBSV_CONFLICT_INTERSECT, &inj, &err), OBSV_OK);
  CHECK_EQ(obsv_promql_inject_query(inj, LIT("x{tenant=\"z\"}"), NULL, &out, &len, &err), OBSV_OK);
  CHECK_BYTES(out, len, "x{tenant=\"a\",tenant=\"z\"}");
  obsv_string_free(out);
  obsv_promql_injector_free(inj);

  /* Invalid enforced sets. */
  obsv_matcher name = {STR("__name__"), OBSV_MATCH_EQUAL, STR("up")};
  CHECK_EQ(obsv_promql_injector_new(&name, 1, OBSV_CONFLICT_ERROR, &inj, &err), OBSV_ERR_INVALID_ARGUMENT);
  CHECK(inj == NULL);
  obsv_error_free(err);
  CHECK_EQ(obsv_promql_injector_new(NULL, 0, OBSV_CONFLICT_ERROR, &inj, &err), OBSV_ERR_INVALID_ARGUMENT);
  obsv_error_free(err);
  obsv_matcher bad_regex = {STR("tenant"), OBSV_MATCH_REGEX, STR("a(")};
  CHECK_EQ(obsv_promql_injector_new(&bad_regex, 1, OBSV_CONFLICT_ERROR, &inj, &err), OBSV_ERR_INVALID_ARGUMENT);
  obsv_error_free(err);
  CHECK_EQ(obsv_promql_injector_new(&tenant, 1, (obsv_conflict_policy)7, &inj, &err), OBSV_ERR_INVALID_ARGUMENT);
  obsv_error_free(err);
  CHECK_EQ(obsv_promql_injector_new_for_values(LIT("tenant"), NULL, 0, OBSV_CONFLICT_ERROR, &inj, &err),
           OBSV_ERR_INVALID_ARGUMENT);
  obsv_error_free(err);
  obsv_promql_injector_free(NULL);
  CHECK_EQ(obsv_promql_inject_query(NULL, LIT("x"), NULL, &out, &len, NULL), OBSV_ERR_INVALID_ARGUMENT);
  CHECK(strcmp(obsv_status_name(OBSV_ERR_PERMISSION_DENIED), "permission_denied") == 0);
}

static void TestTemplates(void) {
  obsv_str names[] = {STR("ns"), STR("service"), STR("range")};
  obsv_str values[] = {STR("prod"), STR("api.v2\"})"), STR("5m")};
  const char tmpl[] = "sum(rate(x{namespace=\"{{ns}}\",pod=~\"{{service}}-.*\"}[{{range}}]))";
  char* out = NULL;
  size_t len = 0;
  obsv_error* err = NULL;
  CHECK_EQ(obsv_promql_expand_template(LIT(tmpl), names, values, 3, NULL, &out, &len, &err), OBSV_OK);
  CHECK_BYTES(out, len, "sum(rate(x{namespace=\"prod\",pod=~\"api\\\\.v2\\\"\\\\}\\\\)-.*\"}[5m]))");
  obsv_string_free(out);

  /* A value unfit for its place names the placeholder, at its position. */
  obsv_str bad_values[] = {STR("prod"), STR("api"), STR("5m] or vector(1)")};
  CHECK_EQ(obsv_promql_expand_template(LIT(tmpl), names, bad_values, 3, NULL, &out, &len, &err),
           OBSV_ERR_INVALID_ARGUMENT);
  CHECK(out == NULL);
  CHECK(strstr(obsv_error_message(err), "range") != NULL);
  CHECK_EQ(obsv_error_offset(err), 53);
  obsv_error_free(err);

  /* A missing value is named. */
  CHECK_EQ(obsv_promql_expand_template(LIT(tmpl), names, values, 2, NULL, &out, &len, &err),
           OBSV_ERR_INVALID_ARGUMENT);
  CHECK(strstr(obsv_error_message(err), "range") != NULL);
  obsv_error_free(err);
}

int main(void) {
  TestFormatAndPretty();
  TestTree();
  TestInjector();
  TestTemplates();
  return CheckSummary();
}
