//! The behaviours of tests/capi/c_api_logql_test.c, through the safe API.

use obsv::logql::{self, Injector};
use obsv::promql::{ConflictPolicy, MatchOp, Matcher};
use obsv::Status;

#[test]
fn format_query() {
    assert_eq!(
        logql::format_query(r#"sum by (app) (rate({app="api"} |= "error" | json [5m]))"#).unwrap(),
        r#"sum by (app)(rate({app="api"} |= "error" | json[5m]))"#
    );
    assert_eq!(
        logql::format_query(r#"{app="a"} |= "#).unwrap_err().code,
        Status::SYNTAX
    );
}

#[test]
fn inject() {
    let inj = Injector::new(
        &[Matcher::new("resource_id", MatchOp::EQUAL, "r1")],
        ConflictPolicy::ERROR,
        false,
    )
    .unwrap();
    assert_eq!(
        inj.inject_query(r#"sum(rate({app="api"} |= "error" [5m]))"#)
            .unwrap(),
        r#"sum(rate({app="api", resource_id="r1"} |= "error"[5m]))"#
    );
    let e = inj
        .inject_query(r#"{app="a", resource_id="r2"}"#)
        .unwrap_err();
    assert_eq!(e.code, Status::PERMISSION_DENIED);
    assert_eq!(e.offset, 10);
    assert_eq!(
        inj.inject_selector("", false).unwrap(),
        r#"{resource_id="r1"}"#
    );
    assert_eq!(
        inj.inject_selectors(&[r#"{a="1"}"#]).unwrap(),
        vec![r#"{a="1", resource_id="r1"}"#.to_string()]
    );
    let strict =
        Injector::for_values("resource_id", &["r2", "r1"], ConflictPolicy::REPLACE, true).unwrap();
    assert_eq!(
        strict
            .inject_query(r#"{a="1"} | drop resource_id"#)
            .unwrap_err()
            .code,
        Status::PERMISSION_DENIED
    );
}

#[test]
fn templates() {
    assert_eq!(
        logql::expand_template(
            r#"rate({app="{{app}}"}[{{range}}])"#,
            [("app", "a\"}"), ("range", "5m")]
        )
        .unwrap(),
        r#"rate({app="a\"}"}[5m])"#
    );
    assert_eq!(
        logql::expand_template(
            r#"rate({app="a"}[{{range}}])"#,
            [("range", "5m] or vector(1")]
        )
        .unwrap_err()
        .code,
        Status::INVALID_ARGUMENT
    );
}
