//! Summarises an exposition file: families by type, series, samples.
//!
//!   cargo run --example summary -- [--format auto|text|openmetrics] [--strict]
//!                                  [--chunk BYTES] FILE|-
//!
//! The file is fed to the parser in chunks (64 KiB by default), as a body
//! arriving from a socket would be. With `--format auto` the format is
//! detected from the whole file first: the parser's own AUTO detection in the
//! incremental API sees only the first chunk. On a parse error it prints
//! `FILE:LINE:COLUMN: message [code]` and the summary of what came before,
//! and exits with status 1 (2 for usage and I/O errors).

use obsv::{Entry, Error, Format, MetricType, Parser};
use std::collections::{BTreeMap, HashSet};
use std::io::Read;
use std::process::ExitCode;

const USAGE: &str =
    "usage: summary [--format auto|text|openmetrics] [--strict] [--chunk BYTES] FILE|-";

struct Args {
    format: Format,
    strict: bool,
    chunk: usize,
    path: String,
}

fn parse_args() -> Result<Args, String> {
    let mut args = Args {
        format: Format::AUTO,
        strict: false,
        chunk: 64 << 10,
        path: String::new(),
    };
    let mut it = std::env::args().skip(1);
    while let Some(a) = it.next() {
        let (flag, inline) = match a.split_once('=') {
            Some((f, v)) if f.starts_with("--") => (f.to_string(), Some(v.to_string())),
            _ => (a.clone(), None),
        };
        let mut value = |name: &str| {
            inline
                .clone()
                .or_else(|| it.next())
                .ok_or(format!("{name} needs a value"))
        };
        match flag.as_str() {
            "--format" => {
                let v = value("--format")?;
                args.format = Format::from_name(&v).ok_or(format!("unknown format {v:?}"))?;
            }
            "--strict" => args.strict = true,
            "--chunk" => {
                let v = value("--chunk")?;
                args.chunk = v
                    .parse()
                    .ok()
                    .filter(|&n| n > 0)
                    .ok_or(format!("bad --chunk {v:?}"))?;
            }
            "-h" | "--help" => return Err(String::new()),
            _ if a.starts_with("--") => return Err(format!("unknown flag {a}")),
            _ if args.path.is_empty() => args.path = a,
            _ => return Err("only one FILE".to_string()),
        }
    }
    if args.path.is_empty() {
        return Err("missing FILE".to_string());
    }
    Ok(args)
}

#[derive(Default)]
struct Summary {
    /// family name -> type (from `# TYPE`, else from its samples).
    families: BTreeMap<String, MetricType>,
    series: HashSet<(String, Vec<(String, String)>)>,
    samples: u64,
    with_timestamp: u64,
    exemplars: u64,
    help: u64,
    units: u64,
    comments: u64,
}

impl Summary {
    fn add(&mut self, entry: Entry) {
        match entry {
            Entry::Help { .. } => self.help += 1,
            Entry::Unit { .. } => self.units += 1,
            Entry::Comment { .. } => self.comments += 1,
            Entry::Type {
                family,
                metric_type,
                ..
            } => {
                self.families.insert(family, metric_type);
            }
            Entry::Sample(s) => {
                self.samples += 1;
                self.with_timestamp += u64::from(s.timestamp.is_some());
                self.exemplars += u64::from(s.exemplar.is_some());
                self.families.entry(s.family).or_insert(s.metric_type);
                let mut labels: Vec<(String, String)> =
                    s.labels.into_iter().map(|l| (l.name, l.value)).collect();
                labels.sort();
                self.series.insert((s.name, labels));
            }
        }
    }

    fn print(&self, path: &str, format: Format) {
        println!("{path}: {} format", format.name());
        let mut by_type: BTreeMap<&str, usize> = BTreeMap::new();
        for t in self.families.values() {
            *by_type.entry(t.name()).or_default() += 1;
        }
        println!("  families   {:>8}", self.families.len());
        for (t, n) in &by_type {
            println!("    {t:<16} {n:>6}");
        }
        println!("  series     {:>8}", self.series.len());
        println!("  samples    {:>8}", self.samples);
        println!("    with timestamp {:>6}", self.with_timestamp);
        println!("    with exemplar  {:>6}", self.exemplars);
        println!("  help lines {:>8}", self.help);
        println!("  unit lines {:>8}", self.units);
        println!("  comments   {:>8}", self.comments);
    }
}

/// Feeds `body` to `parser` chunk by chunk into `summary`; the first error.
fn run(parser: &mut Parser, body: &[u8], chunk: usize, summary: &mut Summary) -> Result<(), Error> {
    for piece in body.chunks(chunk) {
        for entry in parser.feed(piece)? {
            summary.add(entry?);
        }
    }
    for entry in parser.finish()? {
        summary.add(entry?);
    }
    Ok(())
}

fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(a) => a,
        Err(msg) => {
            if !msg.is_empty() {
                eprintln!("summary: {msg}");
            }
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    let mut body = Vec::new();
    let read = if args.path == "-" {
        std::io::stdin().lock().read_to_end(&mut body)
    } else {
        std::fs::File::open(&args.path).and_then(|mut f| f.read_to_end(&mut body))
    };
    if let Err(e) = read {
        eprintln!("summary: {}: {e}", args.path);
        return ExitCode::from(2);
    }
    let format = if args.format == Format::AUTO {
        Format::detect(&body)
    } else {
        args.format
    };
    let mut parser = match Parser::builder().format(format).strict(args.strict).build() {
        Ok(p) => p,
        Err(e) => {
            eprintln!("summary: cannot create the parser: {e}");
            return ExitCode::from(2);
        }
    };

    let mut summary = Summary::default();
    let result = run(&mut parser, &body, args.chunk, &mut summary);
    summary.print(&args.path, parser.format());
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            // Error's Display is "L:C: message" (no position: "message").
            let sep = if e.line > 0 { ":" } else { ": " };
            eprintln!("{}{sep}{e} [{}]", args.path, e.code_name());
            ExitCode::from(1)
        }
    }
}
