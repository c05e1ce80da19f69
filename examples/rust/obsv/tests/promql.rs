//! Tests of obsv::promql against the real libobsv.so: the behaviours of
//! tests/capi/c_api_promql_test.c, and the corpus of
//! tests/promql/corpus_test.cc.

use obsv::promql::{
    self, Cardinality, ConflictPolicy, Injector, MatchOp, Matcher, NodeKind, Options, ValueType,
};
use obsv::{Error, Status};
use std::path::Path;
use std::sync::Arc;

fn code<T: std::fmt::Debug>(r: Result<T, Error>) -> Error {
    r.expect_err("expected an error")
}

#[test]
fn format_and_pretty() {
    assert_eq!(
        promql::format_query(r#"sum by(job)(rate(x{b='2',a="1"}[5m]))"#).unwrap(),
        r#"sum by (job) (rate(x{a="1",b="2"}[5m]))"#
    );

    // Pretty splits what does not fit in 100 columns.
    let q = r#"sum by (namespace) (rate(container_cpu_usage_seconds_total{namespace="kube-system",container!=""}[5m]))"#;
    let pretty = promql::pretty_query(q).unwrap();
    assert!(
        pretty.starts_with("sum by (namespace) (\n  rate("),
        "{pretty}"
    );

    // Errors: Prometheus's message and position.
    let e = code(promql::format_query("sum(x,"));
    assert_eq!(e.code, Status::SYNTAX);
    assert_eq!(e.line, 1);
    assert!(
        e.message.starts_with("1:") && e.message.contains("parse error"),
        "{e}"
    );
    assert_eq!(
        code(promql::format_query(r#"foo{a="b}"#)).code,
        Status::UNTERMINATED_STRING
    );
    assert_eq!(code(promql::format_query("")).code, Status::SYNTAX);

    // Limits.
    let mut options = Options::default();
    assert_eq!(options.max_depth, 256);
    assert_eq!(options.max_query_bytes, 1 << 20);
    assert_eq!(options.features, 0);
    options.max_depth = 4;
    assert_eq!(
        code(options.format_query("((((((x))))))")).code,
        Status::LIMIT_EXCEEDED
    );
    options.max_depth = 256;

    // Experimental functions only with the feature.
    assert_eq!(
        code(options.format_query("limitk(2, x)")).code,
        Status::SYNTAX
    );
    options.features = Options::EXPERIMENTAL_FUNCTIONS;
    assert_eq!(
        options.format_query("limitk(2, x)").unwrap(),
        "limitk(2, x)"
    );
    assert_eq!(
        options.pretty_query("limitk(2, x)").unwrap(),
        "limitk(2, x)"
    );
}

#[test]
fn tree() {
    let q = concat!(
        r#"topk(3, sum without (instance) (rate(http_requests_total{job=~"api|web"}[5m] offset 1m)))"#,
        " / on (job) group_left (team) max by (job, team) (team_info)"
    );
    let query = promql::parse(q).unwrap();
    assert_eq!(query.canonical(), q);
    assert_eq!(query.to_string(), q);
    let root = &query.root;
    assert_eq!(root.kind, NodeKind::BINARY);
    assert_eq!(root.name, "/");
    assert_eq!(root.value_type, ValueType::VECTOR);
    assert_eq!((root.start, root.end), (0, q.len()));
    assert!(root.on);
    assert_eq!(root.cardinality, Cardinality::MANY_TO_ONE);
    assert_eq!(root.labels, ["job"]);
    assert_eq!(root.include, ["team"]);
    assert_eq!(root.children.len(), 2);
    // Fields of other kinds are neutral.
    assert!(root.matchers.is_empty());
    assert_eq!(root.number, 0.0);

    let topk = &root.children[0];
    assert_eq!(topk.kind, NodeKind::AGGREGATE);
    assert_eq!(topk.name, "topk");
    assert_eq!(topk.children.len(), 2);
    let k = &topk.children[0];
    assert_eq!(
        (k.kind, k.number, k.value_type),
        (NodeKind::NUMBER, 3.0, ValueType::SCALAR)
    );
    let sum = &topk.children[1];
    assert_eq!(sum.name, "sum");
    assert!(sum.without);
    assert_eq!(sum.labels, ["instance"]);
    let rate = &sum.children[0];
    assert_eq!((rate.kind, rate.name.as_str()), (NodeKind::CALL, "rate"));
    let m = &rate.children[0];
    assert_eq!(m.kind, NodeKind::MATRIX_SELECTOR);
    assert_eq!(m.value_type, ValueType::MATRIX);
    assert_eq!((m.range_ms, m.offset_ms), (300_000, 60_000));
    assert_eq!(m.name, "http_requests_total");
    assert_eq!(m.matchers, [Matcher::new("job", MatchOp::REGEX, "api|web")]);
    assert_eq!(m.children.len(), 1);
    assert_eq!(m.children[0].kind, NodeKind::VECTOR_SELECTOR);
    assert_eq!(
        &q[m.start..m.end],
        r#"http_requests_total{job=~"api|web"}[5m] offset 1m"#
    );

    // walk() is a depth-first pre-order.
    let mut kinds = Vec::new();
    root.walk(&mut |n| kinds.push(n.kind.name()));
    assert_eq!(
        kinds,
        [
            "binary",
            "aggregate",
            "number",
            "aggregate",
            "call",
            "matrix_selector",
            "vector_selector",
            "aggregate",
            "vector_selector"
        ]
    );
    let names: Vec<&str> = root
        .vector_selectors()
        .iter()
        .map(|n| n.name.as_str())
        .collect();
    assert_eq!(names, ["http_requests_total", "team_info"]);

    // Subquery step, negative offset, unary, bool, string literal.
    let query = promql::parse(
        r#"-max_over_time(x[1h:30s] offset -5m) > bool 1 or label_join(y, "d", ",", "a")"#,
    )
    .unwrap();
    let or = &query.root;
    assert_eq!(
        (or.name.as_str(), or.cardinality),
        ("or", Cardinality::MANY_TO_MANY)
    );
    let gt = &or.children[0];
    assert!(gt.return_bool && gt.name == ">");
    let neg = &gt.children[0];
    assert_eq!((neg.kind, neg.name.as_str()), (NodeKind::UNARY, "-"));
    let sq = &neg.children[0].children[0];
    assert_eq!(sq.kind, NodeKind::SUBQUERY);
    assert_eq!(
        (sq.range_ms, sq.step_ms, sq.offset_ms),
        (3_600_000, 30_000, -300_000)
    );
    let s = &or.children[1].children[1];
    assert_eq!(
        (s.kind, s.string.as_str(), s.value_type),
        (NodeKind::STRING, "d", ValueType::STRING)
    );

    let e = code(promql::parse("rate(x)"));
    assert_eq!(e.code, Status::SYNTAX);
    assert!(e.message.contains("expected type range vector"), "{e}");
}

#[test]
fn injector() {
    let inj = Injector::for_values("tenant", &["a", "b.c"], ConflictPolicy::ERROR).unwrap();
    // The aggregation parameter prom-label-proxy misses is scoped too.
    assert_eq!(
        inj.inject_query("topk(scalar(secret), up)").unwrap(),
        r#"topk(scalar(secret{tenant=~"a|b\\.c"}), up{tenant=~"a|b\\.c"})"#
    );

    // A conflicting matcher is refused with its position.
    let e = code(inj.inject_query(r#"up + on() x{tenant="z"}"#));
    assert_eq!(e.code, Status::PERMISSION_DENIED);
    assert_eq!((e.offset, e.line, e.column), (12, 1, 13));
    assert!(e.message.starts_with("1:13: "), "{e}");
    assert_eq!(e.code_name(), "permission_denied");

    // A parse error is a parse error.
    assert_eq!(code(inj.inject_query("up{")).code, Status::SYNTAX);

    // Series selectors: absent match[] gives the enforced set alone.
    let none: [&str; 0] = [];
    assert_eq!(
        inj.inject_selectors(&none).unwrap(),
        [r#"{tenant=~"a|b\\.c"}"#]
    );
    assert_eq!(
        inj.inject_selectors(&["up", r#"{job="x"}"#]).unwrap(),
        [r#"up{tenant=~"a|b\\.c"}"#, r#"{job="x",tenant=~"a|b\\.c"}"#]
    );
    let e = code(inj.inject_selectors(&["up".to_string(), "rate(x[5m])".to_string()]));
    assert_eq!(e.code, Status::INVALID_ARGUMENT);
    assert!(e.message.starts_with("match[1]"), "{e}");
}

#[test]
fn policies_and_invalid_sets() {
    let tenant = [Matcher::new("tenant", MatchOp::EQUAL, "a")];
    let replace = Injector::new(&tenant, ConflictPolicy::REPLACE).unwrap();
    assert_eq!(
        replace.inject_query(r#"x{tenant="z"}"#).unwrap(),
        r#"x{tenant="a"}"#
    );
    let intersect = Injector::new(&tenant, ConflictPolicy::INTERSECT).unwrap();
    assert_eq!(
        intersect.inject_query(r#"x{tenant="z"}"#).unwrap(),
        r#"x{tenant="a",tenant="z"}"#
    );

    for (matchers, policy) in [
        (
            vec![Matcher::new("__name__", MatchOp::EQUAL, "up")],
            ConflictPolicy::ERROR,
        ),
        (vec![], ConflictPolicy::ERROR),
        (
            vec![Matcher::new("tenant", MatchOp::REGEX, "a(")],
            ConflictPolicy::ERROR,
        ),
        (tenant.to_vec(), ConflictPolicy::from_raw(7)),
    ] {
        let e = code(Injector::new(&matchers, policy));
        assert_eq!(e.code, Status::INVALID_ARGUMENT, "{matchers:?} {policy:?}");
    }
    let no_values: [&str; 0] = [];
    assert_eq!(
        code(Injector::for_values(
            "tenant",
            &no_values,
            ConflictPolicy::ERROR
        ))
        .code,
        Status::INVALID_ARGUMENT
    );
}

#[test]
fn injector_is_shared_by_threads() {
    fn send_sync<T: Send + Sync>() {}
    send_sync::<Injector>();
    let inj = Arc::new(
        Injector::new(
            &[Matcher::new("tenant", MatchOp::EQUAL, "a")],
            ConflictPolicy::ERROR,
        )
        .unwrap(),
    );
    let threads: Vec<_> = (0..8)
        .map(|_| {
            let inj = Arc::clone(&inj);
            std::thread::spawn(move || {
                for _ in 0..200 {
                    assert_eq!(
                        inj.inject_query("sum(rate(x[5m]))").unwrap(),
                        r#"sum(rate(x{tenant="a"}[5m]))"#
                    );
                }
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
}

#[test]
fn templates() {
    let tmpl = r#"sum(rate(x{namespace="{{ns}}",pod=~"{{service}}-.*"}[{{range}}]))"#;
    assert_eq!(
        promql::expand_template(
            tmpl,
            [("ns", "prod"), ("service", r#"api.v2"})"#), ("range", "5m")]
        )
        .unwrap(),
        r#"sum(rate(x{namespace="prod",pod=~"api\\.v2\"\\}\\)-.*"}[5m]))"#
    );

    // A value unfit for its place names the placeholder, at its position.
    let values = std::collections::HashMap::from([
        ("ns".to_string(), "prod".to_string()),
        ("service".to_string(), "api".to_string()),
        ("range".to_string(), "5m] or vector(1)".to_string()),
    ]);
    let e = code(promql::expand_template(tmpl, &values));
    assert_eq!(e.code, Status::INVALID_ARGUMENT);
    assert!(e.message.contains("range"), "{e}");
    assert_eq!(e.offset, 53);

    // A missing value is named.
    let e = code(promql::expand_template(
        tmpl,
        [("ns", "prod"), ("service", "api")],
    ));
    assert_eq!(e.code, Status::INVALID_ARGUMENT);
    assert!(e.message.contains("range"), "{e}");
}

/// Lines of tests/testdata/promql/`name`.
fn lines(name: &str) -> Vec<String> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../tests/testdata/promql")
        .join(name);
    std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .lines()
        .map(str::to_string)
        .collect()
}

/// Where obsv knowingly prints something else than Prometheus v0.309.1 (see
/// kDivergences in tests/promql/corpus_test.cc): it quotes UTF-8 label names
/// in on()/group_left().
const DIVERGENCES: [(&str, &str); 1] = [(
    "on (service.name) group_left (service.version)",
    r#"on ("service.name") group_left ("service.version")"#,
)];

/// Every query of valid.txt (a newline written as the two characters `\n`)
/// formats as Prometheus's String() in valid.expected (`OK<TAB>text`), and
/// once scoped with tenant="a" (policy replace) every vector selector of
/// the result has exactly that tenant matcher.
#[test]
fn corpus() {
    let queries = lines("valid.txt");
    let expected = lines("valid.expected");
    assert_eq!(queries.len(), expected.len());
    assert!(queries.len() >= 300);
    let inj = Injector::new(
        &[Matcher::new("tenant", MatchOp::EQUAL, "a")],
        ConflictPolicy::REPLACE,
    )
    .unwrap();
    let (mut diverged, mut selectors) = (0, 0);
    let mut failures = Vec::new();
    for (i, (line, want)) in queries.iter().zip(&expected).enumerate() {
        let q = line.replace("\\n", "\n");
        let mut want = want.clone();
        for (theirs, ours) in DIVERGENCES {
            let replaced = want.replace(theirs, ours);
            if replaced != want {
                diverged += 1;
                want = replaced;
            }
        }
        let got = match promql::format_query(&q) {
            Ok(s) => format!("OK\t{}", s.replace('\n', "\\n")),
            Err(e) => format!("error {e}"),
        };
        if got != want {
            failures.push(format!(
                "valid.txt:{}: {q:?}\n got {got:?}\nwant {want:?}",
                i + 1
            ));
        }

        let scoped = match inj.inject_query(&q) {
            Ok(s) => s,
            Err(e) => {
                failures.push(format!("valid.txt:{}: inject {q:?}: {e}", i + 1));
                continue;
            }
        };
        let parsed = match promql::parse(&scoped) {
            Ok(p) => p,
            Err(e) => {
                failures.push(format!(
                    "valid.txt:{}: {scoped:?} does not parse: {e}",
                    i + 1
                ));
                continue;
            }
        };
        for sel in parsed.root.vector_selectors() {
            selectors += 1;
            let tenants: Vec<&Matcher> =
                sel.matchers.iter().filter(|m| m.name == "tenant").collect();
            if tenants != [&Matcher::new("tenant", MatchOp::EQUAL, "a")] {
                failures.push(format!(
                    "valid.txt:{}: selector {:?} of {scoped:?} has tenant matchers {tenants:?}",
                    i + 1,
                    &scoped[sel.start..sel.end]
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert_eq!(diverged, DIVERGENCES.len());
    assert!(selectors >= queries.len(), "only {selectors} selectors");
}
