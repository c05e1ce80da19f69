//! Tests of the safe wrapper against the real libobsv.so.

use obsv::{
    Entry, Error, Exemplar, Format, Label, MetricType, Parser, Sample, Status, Suffix, Timestamp,
};
use std::path::{Path, PathBuf};

const TEXT_BODY: &str = "\
# HELP http_requests_total The total number of HTTP requests.
# TYPE http_requests_total counter
http_requests_total{method=\"post\",code=\"200\"} 1027 1395066363000
http_requests_total{method=\"post\",code=\"400\"} 3 1395066363000
# A comment
# TYPE rpc_duration_seconds summary
rpc_duration_seconds{quantile=\"0.5\"} 4773
rpc_duration_seconds_sum 1.7560473e+07
rpc_duration_seconds_count 2693
";

const OM_BODY: &str = "\
# TYPE rpc_seconds histogram
# UNIT rpc_seconds seconds
# HELP rpc_seconds RPC latency.
rpc_seconds_bucket{le=\"0.1\"} 3 # {trace_id=\"abc123\"} 0.067 1520879607.789
rpc_seconds_bucket{le=\"+Inf\"} 5
rpc_seconds_count 5
rpc_seconds_sum 0.9
# EOF
";

fn repo_root() -> PathBuf {
    // examples/rust/obsv -> the repository root.
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../..")
}

fn parse(body: &[u8]) -> Result<Vec<Entry>, Error> {
    Parser::new().unwrap().parse_all(body)
}

fn samples(entries: &[Entry]) -> Vec<&Sample> {
    entries
        .iter()
        .filter_map(|e| match e {
            Entry::Sample(s) => Some(s),
            _ => None,
        })
        .collect()
}

/// Feeds `chunks` and finishes; the entries, or the first error.
fn feed_all(parser: &mut Parser, chunks: &[&[u8]]) -> Result<Vec<Entry>, Error> {
    let mut out = Vec::new();
    for chunk in chunks {
        for e in parser.feed(chunk)? {
            out.push(e?);
        }
    }
    for e in parser.finish()? {
        out.push(e?);
    }
    Ok(out)
}

/// Entries compare through Debug so that NaN values compare equal.
fn dump(r: &Result<Vec<Entry>, Error>) -> String {
    format!("{r:#?}")
}

#[test]
fn text_body() {
    let mut parser = Parser::new().unwrap();
    let entries = parser.parse_all(TEXT_BODY.as_bytes()).unwrap();
    assert_eq!(parser.format(), Format::TEXT);
    assert_eq!(entries.len(), 9, "{entries:#?}");
    assert_eq!(
        entries[0],
        Entry::Help {
            line: 1,
            family: "http_requests_total".into(),
            help: "The total number of HTTP requests.".into()
        }
    );
    assert_eq!(
        entries[1],
        Entry::Type {
            line: 2,
            family: "http_requests_total".into(),
            metric_type: MetricType::COUNTER
        }
    );
    let Entry::Sample(s) = &entries[2] else {
        panic!("{:?}", entries[2])
    };
    assert_eq!(s.line, 3);
    assert_eq!(s.name, "http_requests_total");
    assert_eq!(s.family, "http_requests_total");
    assert_eq!(s.metric_type, MetricType::COUNTER);
    assert_eq!(
        s.labels,
        vec![Label::new("method", "post"), Label::new("code", "200")]
    );
    assert_eq!(s.value, 1027.0);
    assert_eq!(s.value_text, "1027");
    assert_eq!(
        s.timestamp,
        Some(Timestamp {
            milliseconds: 1395066363000,
            nanos: 0
        })
    );
    assert_eq!(s.exemplar, None);
    assert!(matches!(&entries[4], Entry::Comment { line: 5, text } if text.trim() == "A comment"));

    let s = samples(&entries);
    assert_eq!(s.len(), 5);
    assert_eq!(s[1].value, 3.0);
    assert_eq!(s[2].family, "rpc_duration_seconds");
    assert_eq!(s[2].metric_type, MetricType::SUMMARY);
    assert_eq!(s[2].suffix, Suffix::NONE);
    assert_eq!(s[2].timestamp, None);
    assert_eq!(
        (s[3].family.as_str(), s[3].suffix, s[3].value),
        ("rpc_duration_seconds", Suffix::SUM, 1.7560473e7)
    );
    assert_eq!(
        (s[4].family.as_str(), s[4].suffix, s[4].value),
        ("rpc_duration_seconds", Suffix::COUNT, 2693.0)
    );
}

#[test]
fn openmetrics_body_with_exemplar_and_eof() {
    let mut parser = Parser::builder().strict(true).build().unwrap();
    let entries = parser.parse_all(OM_BODY.as_bytes()).unwrap();
    assert_eq!(parser.format(), Format::OPENMETRICS);
    assert_eq!(
        entries[..3],
        [
            Entry::Type {
                line: 1,
                family: "rpc_seconds".into(),
                metric_type: MetricType::HISTOGRAM
            },
            Entry::Unit {
                line: 2,
                family: "rpc_seconds".into(),
                unit: "seconds".into()
            },
            Entry::Help {
                line: 3,
                family: "rpc_seconds".into(),
                help: "RPC latency.".into()
            },
        ]
    );
    let s = samples(&entries);
    assert_eq!(s.len(), 4);
    assert!(s
        .iter()
        .all(|s| s.family == "rpc_seconds" && s.metric_type == MetricType::HISTOGRAM));
    assert_eq!(
        s.iter().map(|s| s.suffix).collect::<Vec<_>>(),
        [Suffix::BUCKET, Suffix::BUCKET, Suffix::COUNT, Suffix::SUM]
    );
    assert_eq!(s[0].name, "rpc_seconds_bucket");
    assert_eq!(s[0].labels, [Label::new("le", "0.1")]);
    assert_eq!(s[0].value, 3.0);
    assert_eq!(
        s[0].exemplar,
        Some(Exemplar {
            labels: vec![Label::new("trace_id", "abc123")],
            value: 0.067,
            timestamp: Some(Timestamp {
                milliseconds: 1520879607789,
                nanos: 0
            }),
        })
    );
    assert_eq!(s[1].labels, [Label::new("le", "+Inf")]);
    assert_eq!(s[1].exemplar, None);
    assert_eq!(s[3].value, 0.9);
}

#[test]
fn openmetrics_without_eof_is_an_error_in_strict_mode() {
    let body = OM_BODY.strip_suffix("# EOF\n").unwrap();
    let mut parser = Parser::builder()
        .format(Format::OPENMETRICS)
        .strict(true)
        .build()
        .unwrap();
    let err = parser.parse_all(body.as_bytes()).unwrap_err();
    assert_eq!(err.code, Status::MISSING_EOF, "{err}");
}

/// A parser of the format that whole-buffer parsing detected: with AUTO,
/// feed() detects the format from the first chunk alone (see
/// `auto_detection_waits_for_content`).
fn parser_for(body: &[u8]) -> Parser {
    let format = Format::detect(body);
    Parser::builder().format(format).build().unwrap()
}

#[test]
fn chunked_feeding_matches_whole_buffer_at_every_split() {
    for body in [
        TEXT_BODY,
        OM_BODY,
        "a 1\nb{c=\"d\"} 2",
        "a{b=\"c\"} 1\nx{y=\"z} 2\n",
    ] {
        let body = body.as_bytes();
        let whole = dump(&parse(body));
        let mut parser = parser_for(body);
        for i in 0..=body.len() {
            let (a, b) = body.split_at(i);
            parser.reset(b"").unwrap().for_each(drop); // start over
            let chunked = dump(&feed_all(&mut parser, &[a, b]));
            assert_eq!(
                chunked,
                whole,
                "split at {i} of {:?}",
                String::from_utf8_lossy(body)
            );
        }
        // One byte at a time, with a fresh parser.
        let bytes: Vec<&[u8]> = body.chunks(1).collect();
        assert_eq!(dump(&feed_all(&mut parser_for(body), &bytes)), whole);
        // Three-way splits around every position, with an empty chunk.
        for i in 0..body.len() {
            let chunks = [&body[..i], &body[i..i + 1], b"", &body[i + 1..]];
            assert_eq!(
                dump(&feed_all(&mut parser_for(body), &chunks)),
                whole,
                "three-way split at {i}"
            );
        }
    }
}

/// With AUTO, obsv_parser_feed() holds the first bytes until they tell the
/// format, so an OpenMetrics body split anywhere is still OpenMetrics.
#[test]
fn auto_detection_waits_for_content() {
    let body = OM_BODY.as_bytes();
    let whole = dump(&parse(body));
    assert_eq!(
        dump(&feed_all(&mut Parser::new().unwrap(), &[b"", body])),
        whole,
        "empty first chunk"
    );
    let (a, b) = body.split_at(10);
    assert_eq!(
        dump(&feed_all(&mut Parser::new().unwrap(), &[a, b])),
        whole,
        "10-byte first chunk"
    );
}

#[test]
fn error_has_line_and_column() {
    let err = parse(b"a{b=\"c} 1\n").unwrap_err();
    assert_eq!(err.code, Status::UNTERMINATED_STRING, "{err:?}");
    assert_eq!(err.code_name(), "unterminated_string");
    assert_eq!(err.line, 1);
    // The string opens at the quote, column 5 (offset 4).
    assert_eq!((err.column, err.offset), (5, 4), "{err:?}");
    assert!(err.to_string().starts_with("1:5: "), "{err}");
    let _: &dyn std::error::Error = &err;

    // On a later line, and the same through the chunked API.
    let body = b"# TYPE a gauge\na 1\na{b=\"c\",b=} 2\n";
    let err = parse(body).unwrap_err();
    assert_eq!(err.line, 3, "{err:?}");
    assert_eq!(err.offset, 19 + u64::from(err.column) - 1, "{err:?}");
    let chunked = feed_all(&mut Parser::new().unwrap(), &[&body[..20], &body[20..]]).unwrap_err();
    assert_eq!(chunked, err);
}

#[test]
fn error_ends_the_iteration_and_repeats() {
    let mut parser = Parser::new().unwrap();
    let mut it = parser.reset(b"a 1\nb{ 2\nc 3\n").unwrap();
    assert!(matches!(it.next(), Some(Ok(Entry::Sample(_)))));
    assert!(matches!(it.next(), Some(Err(e)) if e.line == 2));
    assert!(it.next().is_none());

    // Incremental: later feed() and finish() repeat the error.
    let mut parser = parser_for(b"");
    let mut it = parser.feed(b"a 1\nb{ 2\n").unwrap();
    assert!(matches!(it.next(), Some(Ok(Entry::Sample(_)))));
    let first = it.next().unwrap().unwrap_err();
    assert_eq!(
        (first.code, first.line, first.column),
        (Status::INVALID_NAME, 2, 4)
    );
    assert!(it.next().is_none());
    let again = parser.feed(b"c 3\n").map(drop).unwrap_err();
    assert_eq!(again, first);
    let again = parser.finish().unwrap().next();
    assert_eq!(again, Some(Err(first)));
    // Until reset.
    assert_eq!(parser.parse_all(b"c 3\n").unwrap().len(), 1);
}

#[test]
fn dropping_an_undrained_iterator_poisons_until_reset() {
    // A known format: with auto-detection the parser copies the first bytes.
    let mut parser = Parser::builder().format(Format::TEXT).build().unwrap();
    {
        let chunk = b"a 1\nb 2\nc 3\n".to_vec();
        let mut it = parser.feed(&chunk).unwrap();
        assert!(it.next().is_some());
        // `it` and `chunk` go away; the C parser still points at the chunk.
    }
    assert_eq!(
        parser.feed(b"d 4\n").err().map(|e| e.code),
        Some(Status::FAILED_PRECONDITION)
    );
    assert_eq!(
        parser.finish().err().map(|e| e.code),
        Some(Status::FAILED_PRECONDITION)
    );
    {
        let body = b"a 1\nb 2\n".to_vec();
        let mut it = parser.reset(&body).unwrap();
        assert!(it.next().is_some());
    }
    assert!(parser.finish().is_err());
    assert_eq!(parser.parse_all(b"x 1\n").unwrap().len(), 1);
    // Drained: feeding goes on.
    let entries = feed_all(&mut parser, &[b"y 1\n", b"z 2\n"]).unwrap();
    assert_eq!(entries.len(), 2);
}

#[test]
fn parser_is_send() {
    fn send<T: Send>() {}
    send::<Parser>();
    send::<obsv::Writer>();
    let mut p = Parser::new().unwrap();
    let n = std::thread::spawn(move || p.parse_all(b"a 1\n").unwrap().len())
        .join()
        .unwrap();
    assert_eq!(n, 1);
}

#[test]
fn convert_text_to_openmetrics() {
    let text = "# HELP http_requests_total Total requests.\n\
                # TYPE http_requests_total counter\n\
                http_requests_total{code=\"200\"} 1027\n\
                http_requests_total{code=\"500\"} 3\n";
    let om = obsv::convert(text.as_bytes(), Format::TEXT, Format::OPENMETRICS, false).unwrap();
    assert_eq!(
        om,
        "# HELP http_requests Total requests.\n\
         # TYPE http_requests counter\n\
         http_requests_total{code=\"200\"} 1027.0\n\
         http_requests_total{code=\"500\"} 3.0\n\
         # EOF\n"
    );
    // And back: the family regains `_total`, values lose `.0`.
    let back = obsv::convert(om.as_bytes(), Format::AUTO, Format::TEXT, true).unwrap();
    assert_eq!(back, text);
}

#[test]
fn convert_errors() {
    let err = obsv::convert(b"a{b=\"c} 1\n", Format::TEXT, Format::OPENMETRICS, false).unwrap_err();
    assert_eq!(
        (err.code, err.line, err.column),
        (Status::UNTERMINATED_STRING, 1, 5)
    );
    let err = obsv::convert(b"a 1\n", Format::TEXT, Format::AUTO, false).unwrap_err();
    assert_eq!(err.code, Status::INVALID_ARGUMENT, "{err:?}");
}

#[test]
fn big_integers_keep_their_text() {
    let text = "# TYPE c_total counter\nc_total 18446744073709551615\n";
    let entries = parse(text.as_bytes()).unwrap();
    assert_eq!(samples(&entries)[0].value_text, "18446744073709551615");
    assert_eq!(
        obsv::convert(text.as_bytes(), Format::TEXT, Format::TEXT, true).unwrap(),
        text
    );
}

#[test]
fn writer_round_trip() {
    let mut w = obsv::Writer::new(Format::OPENMETRICS).unwrap();
    w.begin_family(
        "rpc_seconds",
        MetricType::HISTOGRAM,
        Some("RPC latency."),
        "seconds",
    )
    .unwrap();
    let mut bucket = Sample::new("rpc_seconds_bucket", 3.0).label("le", "0.1");
    bucket.exemplar = Some(Exemplar {
        labels: vec![Label::new("trace_id", "abc123")],
        value: 0.067,
        timestamp: Some(Timestamp {
            milliseconds: 1520879607789,
            nanos: 0,
        }),
    });
    w.add_sample(&bucket).unwrap();
    w.add_sample(&Sample::new("rpc_seconds_bucket", 5.0).label("le", "+Inf"))
        .unwrap();
    w.add_sample(&Sample::new("rpc_seconds_count", 5.0))
        .unwrap();
    w.add_sample(&Sample::new("rpc_seconds_sum", 0.9)).unwrap();
    w.begin_family("up", MetricType::GAUGE, None, "").unwrap();
    w.add_sample(&Sample::new("up", 1.0).label("job", "a \"b\"\n"))
        .unwrap();
    let body = w.finish().unwrap();
    assert!(body.ends_with("# EOF\n"), "{body}");

    let mut parser = Parser::builder()
        .format(Format::OPENMETRICS)
        .strict(true)
        .build()
        .unwrap();
    let entries = parser.parse_all(body.as_bytes()).unwrap();
    let s = samples(&entries);
    assert_eq!(s.len(), 5, "{body}");
    assert_eq!(s[0].exemplar, bucket.exemplar);
    assert_eq!(s[4].labels, [Label::new("job", "a \"b\"\n")]);
    assert!(
        entries.contains(&Entry::Unit {
            line: 2,
            family: "rpc_seconds".into(),
            unit: "seconds".into()
        }) || entries
            .iter()
            .any(|e| matches!(e, Entry::Unit { unit, .. } if unit == "seconds"))
    );

    // A sample that does not belong to the family.
    let mut w = obsv::Writer::new(Format::TEXT).unwrap();
    w.begin_family("g", MetricType::GAUGE, None, "").unwrap();
    let err = w
        .add_sample(&Sample::new("other", 1.0))
        .and_then(|()| w.finish().map(drop));
    assert!(err.is_err());
    assert!(obsv::Writer::new(Format::AUTO).is_err());
}

#[test]
fn formats() {
    assert_eq!(Format::detect(OM_BODY.as_bytes()), Format::OPENMETRICS);
    assert_eq!(Format::detect(TEXT_BODY.as_bytes()), Format::TEXT);
    assert_eq!(
        Format::from_content_type("application/openmetrics-text; version=1.0.0"),
        Format::OPENMETRICS
    );
    assert_eq!(
        Format::from_content_type("text/plain; version=0.0.4"),
        Format::TEXT
    );
    assert_eq!(Format::from_content_type("nonsense"), Format::TEXT);
    assert_eq!(
        Format::TEXT.content_type(),
        Some("text/plain; version=0.0.4; charset=utf-8")
    );
    assert!(Format::OPENMETRICS
        .content_type()
        .unwrap()
        .starts_with("application/openmetrics-text"));
    assert_eq!(Format::AUTO.content_type(), None);
    assert_eq!(MetricType::GAUGE_HISTOGRAM.name(), "gaugehistogram");
    assert_eq!(MetricType::from_raw(99).name(), "invalid");
    assert_eq!(Status::INVALID_ARGUMENT.name(), "invalid_argument");
    assert!(Parser::builder()
        .format(Format::from_raw(7))
        .build()
        .is_err());
}

#[test]
fn version_matches_the_header() {
    let header = std::fs::read_to_string(repo_root().join("include/obsv/version.h")).unwrap();
    let line = header
        .lines()
        .find(|l| l.starts_with("#define OBSV_VERSION_STRING"))
        .unwrap();
    let from_header = line.split('"').nth(1).unwrap();
    assert_eq!(from_header, "0.1.0");
    assert_eq!(obsv::sys::OBSV_VERSION_STRING, from_header);
    assert_eq!(obsv::version(), from_header);
    assert_eq!(obsv::version_number(), obsv::sys::OBSV_VERSION_NUMBER);
}

fn corpus_files() -> Vec<PathBuf> {
    let dir = repo_root().join("tests/testdata/corpus");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x != "md"))
        .collect();
    files.sort();
    assert!(files.len() >= 10, "corpus files: {files:?}");
    files
}

#[test]
fn corpus_parses_in_lenient_mode() {
    let mut parser = Parser::new().unwrap();
    for path in corpus_files() {
        let body = std::fs::read(&path).unwrap();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let entries = parser
            .parse_all(&body)
            .unwrap_or_else(|e| panic!("{name}:{e} [{}]", e.code_name()));
        let want = if name.ends_with(".om.txt") {
            Format::OPENMETRICS
        } else {
            Format::TEXT
        };
        assert_eq!(parser.format(), want, "{name}");
        assert!(!samples(&entries).is_empty(), "{name}");
        // Chunks of an odd size give the same entries.
        let chunks: Vec<&[u8]> = body.chunks(997).collect();
        let chunked = feed_all(&mut parser_for(&body), &chunks);
        assert_eq!(
            dump(&chunked),
            dump(&Ok(entries)),
            "{name} in chunks of 997"
        );
    }
}

#[test]
fn invalid_corpus_file_fails() {
    let path = repo_root().join("tests/testdata/invalid/prometheus_cpp_unescaped_help.prom");
    let body = std::fs::read(path).unwrap();
    let err = Parser::builder()
        .strict(true)
        .build()
        .unwrap()
        .parse_all(&body)
        .unwrap_err();
    assert!(err.line > 0 && err.column > 0, "{err:?}");
}
