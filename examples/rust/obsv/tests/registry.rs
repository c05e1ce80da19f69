//! The registry wrapper: every kind's values in the exposition, errors with
//! their codes, collectors, extras, HTTP negotiation and gzip, and exact
//! sums from concurrent increments.

use obsv::registry::*;
use obsv::{Format, MetricType, Status};
use std::io::Write;
use std::process::{Command, Stdio};
use std::time::Duration;

fn text(reg: &Registry, f: Format) -> String {
    String::from_utf8(reg.expose(f).unwrap()).unwrap()
}

fn want_lines(body: &str, lines: &[&str]) {
    for l in lines {
        assert!(body.lines().any(|x| x == *l), "missing {l:?} in:\n{body}");
    }
}

fn code<T>(r: Result<T, obsv::Error>) -> Status {
    let Err(e) = r else {
        panic!("expected an error")
    };
    assert!(!e.message.is_empty());
    e.code
}

#[test]
fn every_kind() {
    let reg = Registry::new().unwrap();
    let c = reg
        .counter(
            &MetricOptions::new("http_requests")
                .help("Requests.")
                .labels(&["method", "code"]),
        )
        .unwrap();
    let get = c.with_label_values(&["GET", "200"]).unwrap();
    get.inc();
    get.inc_by(2);
    get.add(0.5);
    assert_eq!(get.value(), 3.5);
    let g = reg
        .gauge(&MetricOptions::new("temperature").help("T."))
        .unwrap();
    let gh = g.with_label_values(&[]).unwrap();
    gh.set(20.0);
    gh.inc();
    gh.dec();
    gh.add(1.5);
    assert_eq!(gh.value(), 21.5);
    let h = reg
        .histogram(
            &MetricOptions::new("latency_seconds").help("L."),
            Some(&[0.1, 1.0]),
        )
        .unwrap();
    let hh = h.with_label_values(&[]).unwrap();
    for v in [0.05, 0.5, 5.0] {
        hh.observe(v);
    }
    assert_eq!(hh.read(), (3, 5.55));
    let s = reg
        .summary(
            &MetricOptions::new("rpc_seconds").help("S."),
            &SummaryOptions {
                quantiles: Some(vec![0.5]),
                ..Default::default()
            },
        )
        .unwrap();
    let sh = s.with_label_values(&[]).unwrap();
    sh.observe(1.0);
    sh.observe(3.0);
    let info = reg
        .info(&MetricOptions::new("target").help("I.").labels(&["env"]))
        .unwrap();
    info.with_label_values(&["prod"]).unwrap();
    let ss = reg
        .stateset(&MetricOptions::new("mode").help("M."), &["a", "b"])
        .unwrap();
    let st = ss.with_label_values(&[]).unwrap();
    st.set_only("b").unwrap();
    assert!(st.get("b") && !st.get("a"));
    assert_eq!(code(st.set("zzz", true)), Status::NOT_FOUND);
    let gg = reg
        .gauge_histogram(&MetricOptions::new("queue_size").help("Q."), Some(&[10.0]))
        .unwrap();
    let ggh = gg.with_label_values(&[]).unwrap();
    ggh.observe(3.0, 2);
    ggh.observe(30.0, 1);
    assert_eq!(ggh.read(), (3, 36.0));
    assert_eq!(reg.family_count(), 7);

    want_lines(
        &text(&reg, Format::TEXT),
        &[
            r#"http_requests_total{method="GET",code="200"} 3.5"#,
            "temperature 21.5",
            r#"latency_seconds_bucket{le="0.1"} 1"#,
            r#"latency_seconds_bucket{le="1"} 2"#,
            r#"latency_seconds_bucket{le="+Inf"} 3"#,
            "latency_seconds_count 3",
            "rpc_seconds_count 2",
            "rpc_seconds_sum 4",
            r#"target_info{env="prod"} 1"#,
            r#"mode{mode="a"} 0"#,
            r#"mode{mode="b"} 1"#,
        ],
    );
    want_lines(
        &text(&reg, Format::OPENMETRICS),
        &[
            "# TYPE queue_size gaugehistogram",
            "queue_size_gcount 3",
            "queue_size_gsum 36.0",
            r#"queue_size_bucket{le="10.0"} 2"#,
            "# EOF",
        ],
    );
}

#[test]
fn exemplars() {
    let reg = Registry::new().unwrap();
    let c = reg.counter(&MetricOptions::new("jobs").help("J.")).unwrap();
    let ch = c.with_label_values(&[]).unwrap();
    ch.inc_with_exemplar(2, &[("trace_id", "abc")]).unwrap();
    assert_eq!(
        code(ch.add_with_exemplar(-1.0, &[("trace_id", "x")])),
        Status::INVALID_ARGUMENT
    );
    assert_eq!(
        code(ch.add_with_exemplar(1.0, &[("a", "x"), ("a", "y")])),
        Status::INVALID_ARGUMENT
    );
    let h = reg
        .histogram(&MetricOptions::new("lat").help("L."), Some(&[1.0]))
        .unwrap();
    h.with_label_values(&[])
        .unwrap()
        .observe_with_exemplar(0.5, &[("trace_id", "def")])
        .unwrap();
    let om = text(&reg, Format::OPENMETRICS);
    assert!(
        om.contains(r#"jobs_total 2.0 # {trace_id="abc"} 2.0 "#),
        "{om}"
    );
    assert!(
        om.contains(r#"lat_bucket{le="1.0"} 1 # {trace_id="def"} 0.5 "#),
        "{om}"
    );
    assert!(!text(&reg, Format::TEXT).contains("trace_id"));
}

#[test]
fn native_histogram() {
    let reg = Registry::new().unwrap();
    let h = reg
        .native_histogram(
            &MetricOptions::new("nh_seconds").help("N."),
            &NativeHistogramOptions::default(),
            None,
        )
        .unwrap();
    let hh = h.with_label_values(&[]).unwrap();
    for v in [0.0, 1.5, -2.0] {
        hh.observe(v);
    }
    let st = hh.read_native().unwrap();
    assert_eq!(
        (
            st.schema,
            st.zero_count,
            st.positive_buckets,
            st.negative_buckets
        ),
        (3, 1, 1, 1)
    );
    let bad = NativeHistogramOptions {
        bucket_factor: 0.5,
        ..Default::default()
    };
    assert_eq!(
        code(reg.native_histogram(&MetricOptions::new("bad"), &bad, None)),
        Status::INVALID_ARGUMENT
    );
    let snap = hh.read_native_buckets().unwrap();
    assert_eq!((snap.count, snap.zero_count, snap.sum), (3, 1, -0.5));
    assert_eq!((snap.positive.len(), snap.negative.len()), (1, 1));
    assert_eq!((snap.positive[0].count, snap.negative[0].count), (1, 1));
    assert!(snap.positive[0].index > 0);
    let c = reg.histogram(&MetricOptions::new("classic"), None).unwrap();
    let classic = c.with_label_values(&[]).unwrap();
    assert!(classic.read_native().is_none());
    assert_eq!(
        code(classic.read_native_buckets()),
        Status::INVALID_ARGUMENT
    );
    want_lines(
        &text(&reg, Format::TEXT),
        &["nh_seconds_count 3", r#"classic_bucket{le="0.005"} 0"#],
    );
    let pb = reg.expose(Format::PROTOBUF).unwrap();
    assert!(pb.windows(10).any(|w| w == b"nh_seconds"));
}

#[test]
fn errors() {
    let reg = Registry::new().unwrap();
    let c = reg
        .counter(&MetricOptions::new("c").labels(&["a", "b"]))
        .unwrap();
    assert_eq!(code(c.with_label_values(&["x"])), Status::INVALID_ARGUMENT);
    assert_eq!(
        code(c.with_label_values(&["x", "y", "z"])),
        Status::INVALID_ARGUMENT
    );
    assert_eq!(
        code(reg.counter(&MetricOptions::new(""))),
        Status::INVALID_ARGUMENT
    );
    assert_eq!(
        code(reg.gauge(&MetricOptions::new("c"))),
        Status::INVALID_ARGUMENT
    );
    assert_eq!(code(c.get(&["no", "such"])), Status::NOT_FOUND);
    assert_eq!(code(c.remove(&["no", "such"])), Status::NOT_FOUND);

    let lim = reg
        .gauge(
            &MetricOptions::new("lim")
                .labels(&["k"])
                .max_series(1, false),
        )
        .unwrap();
    lim.with_label_values(&["1"]).unwrap();
    assert_eq!(code(lim.with_label_values(&["2"])), Status::LIMIT_EXCEEDED);
    let of = reg
        .gauge(&MetricOptions::new("of").labels(&["k"]).max_series(1, true))
        .unwrap();
    of.with_label_values(&["1"]).unwrap();
    of.with_label_values(&["2"]).unwrap().set(7.0);
    want_lines(&text(&reg, Format::TEXT), &[r#"of{k="__overflow__"} 7"#]);

    let legacy = unsafe {
        Registry::with_options(&RegistryOptions {
            legacy_names_only: true,
            retire_grace: None,
        })
    }
    .unwrap();
    assert_eq!(
        code(legacy.counter(&MetricOptions::new("dotted.name"))),
        Status::INVALID_ARGUMENT
    );
}

#[test]
fn remove_clear_unregister() {
    let mut reg = Registry::new().unwrap();
    {
        let g = reg.gauge(&MetricOptions::new("g").labels(&["k"])).unwrap();
        g.with_label_values(&["a"]).unwrap().set(1.0);
        let b = g.with_label_values(&["b"]).unwrap();
        b.set(2.0);
        assert_eq!(g.len(), 2);
        g.remove(&["b"]).unwrap();
        b.set(3.0); // a retired series: lost, not a crash
        let body = text(&reg, Format::TEXT);
        assert!(
            body.contains(r#"g{k="a"} 1"#) && !body.contains(r#"g{k="b"}"#),
            "{body}"
        );
        g.clear();
        assert!(g.is_empty());
    }
    reg.unregister("g").unwrap();
    assert_eq!(reg.family_count(), 0);
    assert_eq!(code(reg.unregister("g")), Status::NOT_FOUND);
}

#[test]
fn collectors() {
    use std::sync::atomic::{AtomicU32, Ordering};
    use std::sync::Arc;
    let reg = Registry::new().unwrap();
    let calls = Arc::new(AtomicU32::new(0));
    let dropped = Arc::new(AtomicU32::new(0));
    struct OnDrop(Arc<AtomicU32>);
    impl Drop for OnDrop {
        fn drop(&mut self) {
            self.0.fetch_add(1, Ordering::SeqCst);
        }
    }
    let (c2, guard) = (calls.clone(), OnDrop(dropped.clone()));
    reg.add_collector("queue", None, move |s| {
        let _ = &guard;
        let n = c2.fetch_add(1, Ordering::SeqCst) + 1;
        s.begin("queue_depth", MetricType::GAUGE, Some("Depth."), "")?;
        s.add("queue_depth", &[("q", "main")], n as f64)
    })
    .unwrap();
    assert_eq!(
        code(reg.add_collector("queue", None, |_| Ok(()))),
        Status::ALREADY_EXISTS
    );
    want_lines(
        &text(&reg, Format::TEXT),
        &["# HELP queue_depth Depth.", r#"queue_depth{q="main"} 1"#],
    );
    want_lines(&text(&reg, Format::TEXT), &[r#"queue_depth{q="main"} 2"#]);

    reg.add_collector("failing", None, |s| {
        s.begin("failing_metric", MetricType::GAUGE, None, "")?;
        s.add("failing_metric", &[], 1.0)?;
        Err(obsv::Error {
            code: Status::INTERNAL,
            line: 0,
            column: 0,
            offset: 0,
            message: "no".into(),
        })
    })
    .unwrap();
    reg.add_collector("panicking", None, |_| panic!("boom"))
        .unwrap();
    let body = text(&reg, Format::TEXT);
    assert!(
        !body.contains("failing_metric") && body.contains("queue_depth"),
        "{body}"
    );

    reg.remove_collector("queue").unwrap();
    assert_eq!(
        dropped.load(Ordering::SeqCst),
        1,
        "the closure is dropped on removal"
    );
    assert_eq!(code(reg.remove_collector("queue")), Status::NOT_FOUND);
    assert!(!text(&reg, Format::TEXT).contains("queue_depth"));
}

#[test]
fn extras() {
    let reg = Registry::new().unwrap();
    reg.add_process_collector(&Default::default()).unwrap();
    assert_eq!(
        code(reg.add_process_collector(&Default::default())),
        Status::ALREADY_EXISTS
    );
    reg.register_build_info(
        "myapp",
        &BuildInfo {
            version: "1.2.3",
            revision: "abc",
            branch: "main",
            build_date: "today",
            compiler: "rustc",
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(
        code(reg.register_build_info("my-app", &Default::default())),
        Status::INVALID_ARGUMENT
    );
    let m = reg
        .request_metrics(&RequestMetricsOptions {
            prefix: "gw",
            endpoint: "query",
            ..Default::default()
        })
        .unwrap();
    m.observe("get", 200, Duration::from_millis(12), 5120);
    m.observe("BREW", 418, Duration::from_secs(1), 0);
    assert_eq!(
        code(reg.request_metrics(&RequestMetricsOptions {
            endpoint: "bad-endpoint",
            ..Default::default()
        })),
        Status::INVALID_ARGUMENT
    );
    let body = text(&reg, Format::TEXT);
    want_lines(
        &body,
        &[
            r#"myapp_build_info{version="1.2.3",revision="abc",branch="main",build_date="today",compiler="rustc"} 1"#,
            r#"gw_query_request_total{method="GET",code="200"} 1"#,
            r#"gw_query_request_total{method="OTHER",code="418"} 1"#,
            r#"gw_query_request_duration_seconds_count{method="GET",code="200"} 1"#,
        ],
    );
    assert!(body.contains("\nprocess_cpu_seconds_total "), "{body}");
}

fn gunzip(data: &[u8]) -> Option<Vec<u8>> {
    // No crates: the system's gzip, when there is one.
    let mut child = Command::new("gzip")
        .arg("-dc")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .ok()?;
    child.stdin.take().unwrap().write_all(data).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    Some(out.stdout)
}

#[test]
fn expose_http() {
    let reg = Registry::new().unwrap();
    let c = reg.counter(&MetricOptions::new("hits").help("H.")).unwrap();
    c.with_label_values(&[]).unwrap().inc();

    let e = reg.expose_http("", "").unwrap();
    assert_eq!(e.content_encoding, "");
    assert!(e.content_type.starts_with("text/plain"));
    assert!(String::from_utf8_lossy(&e.body).contains("hits_total 1\n"));

    let e = reg
        .expose_http("application/openmetrics-text; version=1.0.0", "gzip")
        .unwrap();
    assert_eq!(e.content_encoding, "gzip");
    assert!(e.content_type.starts_with("application/openmetrics-text"));
    assert_eq!(&e.body[..2], &[0x1f, 0x8b]);
    match gunzip(&e.body) {
        Some(plain) => want_lines(
            &String::from_utf8(plain).unwrap(),
            &["hits_total 1.0", "# EOF"],
        ),
        None => eprintln!("no gzip(1): decompression not checked"),
    }
    assert!(accepts_gzip("gzip;q=1") && !accepts_gzip("gzip;q=0") && !accepts_gzip(""));

    let proto = "application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited";
    let e = reg.expose_http(proto, "").unwrap();
    assert!(
        e.content_type
            .starts_with("application/vnd.google.protobuf"),
        "{}",
        e.content_type
    );
    assert!(e.body.windows(10).any(|w| w == b"hits_total"));
    assert_eq!(negotiate_format(proto), (Format::PROTOBUF, e.content_type));
}

#[test]
fn concurrent_increments_sum_exactly() {
    let reg = Registry::new().unwrap();
    let c = reg
        .counter(&MetricOptions::new("ops").labels(&["w"]))
        .unwrap();
    const THREADS: u64 = 8;
    const EACH: u64 = 10_000;
    std::thread::scope(|s| {
        for i in 0..THREADS {
            let c = &c;
            s.spawn(move || {
                let shared = c.with_label_values(&["shared"]).unwrap();
                for _ in 0..EACH {
                    shared.inc();
                }
                c.with_label_values(&[&(i % 2).to_string()])
                    .unwrap()
                    .inc_by(EACH);
            });
        }
    });
    want_lines(
        &text(&reg, Format::TEXT),
        &[
            &format!(r#"ops_total{{w="shared"}} {}"#, THREADS * EACH),
            &format!(r#"ops_total{{w="0"}} {}"#, THREADS / 2 * EACH),
        ],
    );
}

/// Families, handles and the registry are Send + Sync (the C ABI documents
/// the registry as thread-safe).
#[test]
fn thread_safety_markers() {
    fn both<T: Send + Sync>() {}
    both::<Registry>();
    both::<CounterFamily<'static>>();
    both::<Counter<'static>>();
    both::<Histogram<'static>>();
    both::<RequestMetrics<'static>>();
}

#[test]
fn expose_into() {
    let reg = Registry::new().unwrap();
    let c = reg.counter(&MetricOptions::new("hits").help("H.")).unwrap();
    c.with_label_values(&[]).unwrap().inc();
    let want = reg.expose(Format::TEXT).unwrap();

    // An empty buffer asks for the size; one byte short is left untouched.
    assert_eq!(
        reg.expose_into(Format::TEXT, &mut []).unwrap(),
        ExposedInto::TooSmall(want.len())
    );
    let mut small = vec![b'x'; want.len() - 1];
    assert_eq!(
        reg.expose_into(Format::TEXT, &mut small).unwrap(),
        ExposedInto::TooSmall(want.len())
    );
    assert!(small.iter().all(|&b| b == b'x'));
    // Exactly the size, and with room to spare.
    for extra in [0, 100] {
        let mut buf = vec![0u8; want.len() + extra];
        assert_eq!(
            reg.expose_into(Format::TEXT, &mut buf).unwrap(),
            ExposedInto::Written(want.len())
        );
        assert_eq!(&buf[..want.len()], &want[..]);
    }
    // Every format, protobuf (binary) included, through a reused Vec.
    let mut buf = Vec::new();
    for f in [Format::OPENMETRICS, Format::PROTOBUF, Format::TEXT] {
        reg.expose_into_vec(f, &mut buf).unwrap();
        assert_eq!(buf, reg.expose(f).unwrap(), "{f:?}");
    }
    let cap = buf.capacity();
    c.with_label_values(&[]).unwrap().inc();
    reg.expose_into_vec(Format::TEXT, &mut buf).unwrap();
    assert_eq!(buf.capacity(), cap, "the allocation is reused");
    assert!(String::from_utf8_lossy(&buf).contains("hits_total 2\n"));
}
