//! Checks the hand-written declarations against the headers themselves: a
//! small C program, compiled with the system's `cc` against
//! include/obsv/c_api.h, c_api_promql.h, c_api_logql.h and the registry's two headers,
//! prints every struct's size and field offsets, every enum's size and every
//! enumerator's value, and the version macros; this test compares them with
//! the Rust side. Skipped (with a message) when no C compiler is found.
//! `$OBSV_INCLUDE_DIR` overrides the header directory.

use obsv_sys::*;
use std::collections::BTreeMap;
use std::mem::{offset_of, size_of};
use std::path::PathBuf;
use std::process::Command;

fn include_dir() -> PathBuf {
    match std::env::var_os("OBSV_INCLUDE_DIR") {
        Some(d) => PathBuf::from(d),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../include"),
    }
}

/// `(key, C expression)` pairs the C program prints as `key value` lines.
fn c_facts() -> Vec<(String, String)> {
    let mut facts: Vec<(String, String)> = Vec::new();
    let mut add = |k: &str, e: String| facts.push((k.to_string(), e));
    for s in [
        "obsv_str",
        "obsv_parser_options",
        "obsv_label",
        "obsv_sample",
        "obsv_promql_options",
        "obsv_logql_options",
        "obsv_matcher",
        "obsv_registry_options",
        "obsv_metric_options",
        "obsv_summary_options",
        "obsv_native_histogram_options",
        "obsv_native_bucket",
        "obsv_native_histogram_state",
        "obsv_process_collector_options",
        "obsv_build_info",
        "obsv_request_metrics_options",
        "obsv_counter",
        "obsv_gauge",
        "obsv_histogram",
        "obsv_summary",
        "obsv_info",
        "obsv_stateset",
        "obsv_gauge_histogram",
    ] {
        add(&format!("sizeof {s}"), format!("sizeof({s})"));
    }
    for (s, fields) in [
        ("obsv_str", &["data", "size"][..]),
        ("obsv_label", &["name", "value"][..]),
        (
            "obsv_parser_options",
            &[
                "format",
                "strict",
                "max_body_bytes",
                "max_line_bytes",
                "max_labels_per_series",
                "max_label_name_bytes",
                "max_label_value_bytes",
                "max_series",
                "max_families",
            ][..],
        ),
        (
            "obsv_sample",
            &[
                "name",
                "labels",
                "label_count",
                "value",
                "value_text",
                "has_timestamp",
                "timestamp_ms",
                "timestamp_nanos",
                "has_exemplar",
                "exemplar_labels",
                "exemplar_label_count",
                "exemplar_value",
                "exemplar_has_timestamp",
                "exemplar_timestamp_ms",
                "exemplar_timestamp_nanos",
            ][..],
        ),
        (
            "obsv_promql_options",
            &[
                "max_query_bytes",
                "max_depth",
                "max_nodes",
                "max_selectors",
                "max_matchers_per_selector",
                "features",
            ][..],
        ),
        (
            "obsv_logql_options",
            &[
                "max_query_bytes",
                "max_depth",
                "max_nodes",
                "max_selectors",
                "max_pipeline_stages",
            ][..],
        ),
        ("obsv_matcher", &["name", "op", "value"][..]),
        (
            "obsv_registry_options",
            &["legacy_names_only", "retire_grace_ms"][..],
        ),
        (
            "obsv_metric_options",
            &[
                "name",
                "help",
                "unit",
                "label_names",
                "label_name_count",
                "const_labels",
                "const_label_count",
                "max_series",
                "overflow",
                "overflow_label_value",
                "idle_ttl_ms",
            ][..],
        ),
        (
            "obsv_summary_options",
            &[
                "quantiles",
                "quantile_count",
                "max_age_ms",
                "age_buckets",
                "max_samples_per_bucket",
            ][..],
        ),
        (
            "obsv_native_histogram_options",
            &[
                "bucket_factor",
                "zero_threshold",
                "max_buckets",
                "min_reset_duration_ms",
                "max_zero_threshold",
            ][..],
        ),
        ("obsv_native_bucket", &["index", "count"][..]),
        (
            "obsv_native_histogram_state",
            &[
                "schema",
                "zero_threshold",
                "zero_count",
                "count",
                "sum",
                "positive_count",
                "negative_count",
            ][..],
        ),
        (
            "obsv_process_collector_options",
            &["name_prefix", "proc_root", "collector_name", "cache_ttl_ms"][..],
        ),
        (
            "obsv_build_info",
            &[
                "version",
                "revision",
                "branch",
                "build_date",
                "compiler",
                "extra_labels",
                "extra_label_count",
            ][..],
        ),
        (
            "obsv_request_metrics_options",
            &[
                "prefix",
                "endpoint",
                "duration_buckets",
                "duration_bucket_count",
                "size_buckets",
                "size_bucket_count",
                "const_labels",
                "const_label_count",
            ][..],
        ),
    ] {
        for f in fields {
            add(&format!("offsetof {s}.{f}"), format!("offsetof({s}, {f})"));
        }
    }
    for e in [
        "obsv_status",
        "obsv_format",
        "obsv_metric_type",
        "obsv_suffix",
        "obsv_entry",
        "obsv_promql_feature",
        "obsv_promql_node_kind",
        "obsv_promql_value_type",
        "obsv_match_op",
        "obsv_promql_cardinality",
        "obsv_conflict_policy",
        "obsv_overflow_policy",
    ] {
        add(&format!("sizeof {e}"), format!("sizeof({e})"));
    }
    for (name, _) in enumerators() {
        add(name, format!("(long long){name}"));
    }
    add(
        "OBSV_VERSION_NUMBER",
        "(long long)OBSV_VERSION_NUMBER".to_string(),
    );
    facts
}

fn enumerators() -> Vec<(&'static str, i64)> {
    macro_rules! list {
        ($($c:ident),* $(,)?) => { vec![$((stringify!($c), $c.0 as i64)),*] };
    }
    let mut v = list![
        OBSV_OK,
        OBSV_ERR_SYNTAX,
        OBSV_ERR_INVALID_NAME,
        OBSV_ERR_INVALID_ESCAPE,
        OBSV_ERR_UNTERMINATED_STRING,
        OBSV_ERR_DUPLICATE_LABEL,
        OBSV_ERR_INVALID_VALUE,
        OBSV_ERR_INVALID_TIMESTAMP,
        OBSV_ERR_INVALID_EXEMPLAR,
        OBSV_ERR_INVALID_METADATA,
        OBSV_ERR_DUPLICATE_METADATA,
        OBSV_ERR_INTERLEAVED_FAMILY,
        OBSV_ERR_METADATA_AFTER_SAMPLES,
        OBSV_ERR_INVALID_SUFFIX,
        OBSV_ERR_INVALID_HISTOGRAM,
        OBSV_ERR_INVALID_LABEL_VALUE,
        OBSV_ERR_MISSING_EOF,
        OBSV_ERR_CONTENT_AFTER_EOF,
        OBSV_ERR_BLANK_LINE,
        OBSV_ERR_NUL_BYTE,
        OBSV_ERR_INVALID_UTF8,
        OBSV_ERR_LIMIT_EXCEEDED,
        OBSV_ERR_UNEXPECTED_END,
        OBSV_ERR_INVALID_ARGUMENT,
        OBSV_ERR_OUT_OF_MEMORY,
        OBSV_ERR_INTERNAL,
        OBSV_ERR_FAILED_PRECONDITION,
        OBSV_ERR_PERMISSION_DENIED,
        OBSV_ERR_NOT_FOUND,
        OBSV_ERR_ALREADY_EXISTS,
        OBSV_ERR_BUFFER_TOO_SMALL,
        OBSV_FORMAT_AUTO,
        OBSV_FORMAT_TEXT,
        OBSV_FORMAT_OPENMETRICS,
        OBSV_TYPE_UNKNOWN,
        OBSV_TYPE_COUNTER,
        OBSV_TYPE_GAUGE,
        OBSV_TYPE_HISTOGRAM,
        OBSV_TYPE_GAUGE_HISTOGRAM,
        OBSV_TYPE_SUMMARY,
        OBSV_TYPE_INFO,
        OBSV_TYPE_STATESET,
        OBSV_SUFFIX_NONE,
        OBSV_SUFFIX_TOTAL,
        OBSV_SUFFIX_CREATED,
        OBSV_SUFFIX_BUCKET,
        OBSV_SUFFIX_COUNT,
        OBSV_SUFFIX_SUM,
        OBSV_SUFFIX_GCOUNT,
        OBSV_SUFFIX_GSUM,
        OBSV_SUFFIX_INFO,
        OBSV_ENTRY_END,
        OBSV_ENTRY_NEED_MORE,
        OBSV_ENTRY_HELP,
        OBSV_ENTRY_TYPE,
        OBSV_ENTRY_UNIT,
        OBSV_ENTRY_SAMPLE,
        OBSV_ENTRY_COMMENT,
        OBSV_ENTRY_ERROR,
        OBSV_PROMQL_FEATURE_EXPERIMENTAL_FUNCTIONS,
        OBSV_PROMQL_FEATURE_DURATION_EXPRESSIONS,
        OBSV_PROMQL_FEATURE_EXTENDED_RANGE_SELECTORS,
        OBSV_PROMQL_NUMBER,
        OBSV_PROMQL_STRING,
        OBSV_PROMQL_VECTOR_SELECTOR,
        OBSV_PROMQL_MATRIX_SELECTOR,
        OBSV_PROMQL_SUBQUERY,
        OBSV_PROMQL_CALL,
        OBSV_PROMQL_AGGREGATE,
        OBSV_PROMQL_BINARY,
        OBSV_PROMQL_UNARY,
        OBSV_PROMQL_PAREN,
        OBSV_PROMQL_TYPE_NONE,
        OBSV_PROMQL_TYPE_SCALAR,
        OBSV_PROMQL_TYPE_VECTOR,
        OBSV_PROMQL_TYPE_MATRIX,
        OBSV_PROMQL_TYPE_STRING,
        OBSV_MATCH_EQUAL,
        OBSV_MATCH_NOT_EQUAL,
        OBSV_MATCH_REGEX,
        OBSV_MATCH_NOT_REGEX,
        OBSV_PROMQL_ONE_TO_ONE,
        OBSV_PROMQL_MANY_TO_ONE,
        OBSV_PROMQL_ONE_TO_MANY,
        OBSV_PROMQL_MANY_TO_MANY,
        OBSV_CONFLICT_ERROR,
        OBSV_CONFLICT_REPLACE,
        OBSV_CONFLICT_INTERSECT,
        OBSV_FORMAT_PROTOBUF,
        OBSV_OVERFLOW_REFUSE,
        OBSV_OVERFLOW_SERIES,
    ];
    v.push((
        "OBSV_LOGQL_REFUSE_ENFORCED_LABEL_WRITES",
        i64::from(OBSV_LOGQL_REFUSE_ENFORCED_LABEL_WRITES),
    ));
    v
}

fn rust_facts() -> BTreeMap<String, i64> {
    let mut m = BTreeMap::new();
    let mut add = |k: &str, v: usize| {
        m.insert(k.to_string(), v as i64);
    };
    add("sizeof obsv_str", size_of::<obsv_str>());
    add(
        "sizeof obsv_parser_options",
        size_of::<obsv_parser_options>(),
    );
    add("sizeof obsv_label", size_of::<obsv_label>());
    add("sizeof obsv_sample", size_of::<obsv_sample>());
    add(
        "sizeof obsv_promql_options",
        size_of::<obsv_promql_options>(),
    );
    add("sizeof obsv_logql_options", size_of::<obsv_logql_options>());
    add("sizeof obsv_matcher", size_of::<obsv_matcher>());
    add(
        "sizeof obsv_registry_options",
        size_of::<obsv_registry_options>(),
    );
    add(
        "sizeof obsv_metric_options",
        size_of::<obsv_metric_options>(),
    );
    add(
        "sizeof obsv_summary_options",
        size_of::<obsv_summary_options>(),
    );
    add(
        "sizeof obsv_native_histogram_options",
        size_of::<obsv_native_histogram_options>(),
    );
    add("sizeof obsv_native_bucket", size_of::<obsv_native_bucket>());
    add(
        "sizeof obsv_native_histogram_state",
        size_of::<obsv_native_histogram_state>(),
    );
    add(
        "sizeof obsv_process_collector_options",
        size_of::<obsv_process_collector_options>(),
    );
    add("sizeof obsv_build_info", size_of::<obsv_build_info>());
    add(
        "sizeof obsv_request_metrics_options",
        size_of::<obsv_request_metrics_options>(),
    );
    add("sizeof obsv_counter", size_of::<obsv_counter>());
    add("sizeof obsv_gauge", size_of::<obsv_gauge>());
    add("sizeof obsv_histogram", size_of::<obsv_histogram>());
    add("sizeof obsv_summary", size_of::<obsv_summary>());
    add("sizeof obsv_info", size_of::<obsv_info>());
    add("sizeof obsv_stateset", size_of::<obsv_stateset>());
    add(
        "sizeof obsv_gauge_histogram",
        size_of::<obsv_gauge_histogram>(),
    );
    macro_rules! offsets {
        ($s:ident: $($f:ident),*) => {
            $(add(concat!("offsetof ", stringify!($s), ".", stringify!($f)), offset_of!($s, $f));)*
        };
    }
    offsets!(obsv_str: data, size);
    offsets!(obsv_label: name, value);
    offsets!(obsv_parser_options: format, strict, max_body_bytes, max_line_bytes,
             max_labels_per_series, max_label_name_bytes, max_label_value_bytes,
             max_series, max_families);
    offsets!(obsv_sample: name, labels, label_count, value, value_text, has_timestamp,
             timestamp_ms, timestamp_nanos, has_exemplar, exemplar_labels,
             exemplar_label_count, exemplar_value, exemplar_has_timestamp,
             exemplar_timestamp_ms, exemplar_timestamp_nanos);
    offsets!(obsv_promql_options: max_query_bytes, max_depth, max_nodes, max_selectors,
             max_matchers_per_selector, features);
    offsets!(obsv_logql_options: max_query_bytes, max_depth, max_nodes, max_selectors,
             max_pipeline_stages);
    offsets!(obsv_matcher: name, op, value);
    offsets!(obsv_registry_options: legacy_names_only, retire_grace_ms);
    offsets!(obsv_metric_options: name, help, unit, label_names, label_name_count, const_labels, const_label_count, max_series, overflow, overflow_label_value, idle_ttl_ms);
    offsets!(obsv_summary_options: quantiles, quantile_count, max_age_ms, age_buckets, max_samples_per_bucket);
    offsets!(obsv_native_histogram_options: bucket_factor, zero_threshold, max_buckets, min_reset_duration_ms, max_zero_threshold);
    offsets!(obsv_native_bucket: index, count);
    offsets!(obsv_native_histogram_state: schema, zero_threshold, zero_count, count, sum, positive_count, negative_count);
    offsets!(obsv_process_collector_options: name_prefix, proc_root, collector_name, cache_ttl_ms);
    offsets!(obsv_build_info: version, revision, branch, build_date, compiler, extra_labels, extra_label_count);
    offsets!(obsv_request_metrics_options: prefix, endpoint, duration_buckets, duration_bucket_count, size_buckets, size_bucket_count, const_labels, const_label_count);

    add("sizeof obsv_status", size_of::<obsv_status>());
    add("sizeof obsv_format", size_of::<obsv_format>());
    add("sizeof obsv_metric_type", size_of::<obsv_metric_type>());
    add("sizeof obsv_suffix", size_of::<obsv_suffix>());
    add("sizeof obsv_entry", size_of::<obsv_entry>());
    add(
        "sizeof obsv_promql_feature",
        size_of::<obsv_promql_feature>(),
    );
    add(
        "sizeof obsv_promql_node_kind",
        size_of::<obsv_promql_node_kind>(),
    );
    add(
        "sizeof obsv_promql_value_type",
        size_of::<obsv_promql_value_type>(),
    );
    add("sizeof obsv_match_op", size_of::<obsv_match_op>());
    add(
        "sizeof obsv_promql_cardinality",
        size_of::<obsv_promql_cardinality>(),
    );
    add(
        "sizeof obsv_conflict_policy",
        size_of::<obsv_conflict_policy>(),
    );
    add(
        "sizeof obsv_overflow_policy",
        size_of::<obsv_overflow_policy>(),
    );
    for (name, value) in enumerators() {
        m.insert(name.to_string(), value);
    }
    m.insert(
        "OBSV_VERSION_NUMBER".to_string(),
        OBSV_VERSION_NUMBER as i64,
    );
    m
}

#[test]
fn declarations_match_the_header() {
    let facts = c_facts();
    let mut src = String::from(
        "#include <stddef.h>\n#include <stdio.h>\n#include \"obsv/c_api.h\"\n\
         #include \"obsv/c_api_promql.h\"\n#include \"obsv/c_api_logql.h\"\n#include \"obsv/c_api_registry_extras.h\"\nint main(void) {\n",
    );
    for (key, expr) in &facts {
        src.push_str(&format!(
            "  printf(\"%s %lld\\n\", \"{key}\", (long long)({expr}));\n"
        ));
    }
    src.push_str("  printf(\"OBSV_VERSION_STRING %s\\n\", OBSV_VERSION_STRING);\n  return 0;\n}\n");

    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("obsv_sys_layout");
    std::fs::create_dir_all(&dir).unwrap();
    let c_file = dir.join("layout.c");
    let exe = dir.join("layout");
    std::fs::write(&c_file, src).unwrap();
    let cc = std::env::var("CC").unwrap_or_else(|_| "cc".to_string());
    let compiled = Command::new(&cc)
        .arg("-std=c11")
        .arg("-I")
        .arg(include_dir())
        .arg(&c_file)
        .arg("-o")
        .arg(&exe)
        .status();
    match compiled {
        Err(e) => {
            eprintln!("skipped: cannot run the C compiler `{cc}`: {e}");
            return;
        }
        Ok(s) => assert!(s.success(), "`{cc}` failed to compile {}", c_file.display()),
    }
    let out = Command::new(&exe).output().expect("run the layout program");
    assert!(out.status.success());
    let out = String::from_utf8(out.stdout).unwrap();

    let rust = rust_facts();
    let mut mismatches = Vec::new();
    for line in out.lines() {
        let (key, value) = line.rsplit_once(' ').unwrap();
        if key == "OBSV_VERSION_STRING" {
            if value != OBSV_VERSION_STRING {
                mismatches.push(format!("{key}: C {value}, Rust {OBSV_VERSION_STRING}"));
            }
            continue;
        }
        let c: i64 = value.parse().unwrap();
        match rust.get(key) {
            Some(&r) if r == c => {}
            r => mismatches.push(format!("{key}: C {c}, Rust {r:?}")),
        }
    }
    assert_eq!(out.lines().count(), facts.len() + 1);
    assert!(
        mismatches.is_empty(),
        "declarations differ from the headers:\n{}",
        mismatches.join("\n")
    );
}

/// Every function the headers export is declared in src/lib.rs or
/// src/promql.rs, and nothing more (catches functions added to or removed
/// from a header).
#[test]
fn every_header_function_is_declared() {
    let mut header = String::new();
    for h in [
        "obsv/c_api.h",
        "obsv/c_api_promql.h",
        "obsv/c_api_logql.h",
        "obsv/c_api_registry.h",
        "obsv/c_api_registry_extras.h",
    ] {
        header += &std::fs::read_to_string(include_dir().join(h)).unwrap();
    }
    let rust = concat!(
        include_str!("../src/lib.rs"),
        include_str!("../src/promql.rs"),
        include_str!("../src/logql.rs"),
        include_str!("../src/registry.rs")
    );
    let name_before_paren = |s: &str| -> Option<String> {
        let head = &s[..s.find('(')?];
        let name = head
            .rsplit(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .next()?;
        name.starts_with("obsv_").then(|| name.to_string())
    };
    // Declarations start at column 0 with OBSV_API; the comment example
    // lines start with " *".
    let in_header: Vec<String> = header
        .lines()
        .filter(|l| l.starts_with("OBSV_API "))
        .filter_map(name_before_paren)
        .collect();
    let in_rust: Vec<String> = rust
        .lines()
        .map(str::trim_start)
        .filter(|l| l.starts_with("pub fn obsv_"))
        .filter_map(name_before_paren)
        .collect();
    assert!(in_header.len() > 80, "{in_header:?}");
    let missing: Vec<_> = in_header.iter().filter(|n| !in_rust.contains(n)).collect();
    let extra: Vec<_> = in_rust.iter().filter(|n| !in_header.contains(n)).collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "not declared: {missing:?}; not in the header: {extra:?}"
    );
}
