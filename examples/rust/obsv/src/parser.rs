//! The streaming pull parser: `obsv_parser` behind a safe API.
//!
//! Soundness. The C parser keeps pointers into the caller's body (reset) or
//! chunk (feed) until it has parsed them; its views point there too. This
//! wrapper:
//! - copies every entry out into owned values ([`Entry`]), so no view
//!   outlives a call;
//! - ties the body or chunk to the borrow of the [`Entries`] iterator that
//!   `reset()`/`feed()` return, so it lives while entries are read;
//! - "poisons" the parser from `reset()`/`feed()` until their iterator sees
//!   the C parser let go of the input (NEED_MORE, END or ERROR). An iterator
//!   dropped before that leaves the parser poisoned: it refuses `feed()` and
//!   `finish()` (FAILED_PRECONDITION) until the next `reset()`, so the C
//!   parser never reads freed input.

use crate::error::{check, Error};
use crate::types::{Format, MetricType, Status, Suffix};
use obsv_sys as sys;
use std::cell::Cell;
use std::iter::FusedIterator;
use std::marker::PhantomData;
use std::ptr::{self, NonNull};

/// A label: name and value, unescaped.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Label {
    pub name: String,
    pub value: String,
}

impl Label {
    pub fn new(name: impl Into<String>, value: impl Into<String>) -> Label {
        Label {
            name: name.into(),
            value: value.into(),
        }
    }
}

/// A timestamp as the formats carry it: `nanos` (0..999999) is the part of a
/// millisecond below `milliseconds`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Timestamp {
    pub milliseconds: i64,
    pub nanos: i32,
}

/// An OpenMetrics exemplar: `# {trace_id="abc"} 0.67 1520879607.789`.
#[derive(Clone, Debug, PartialEq)]
pub struct Exemplar {
    pub labels: Vec<Label>,
    pub value: f64,
    pub timestamp: Option<Timestamp>,
}

/// A sample line, copied out of the parser.
#[derive(Clone, Debug, PartialEq)]
pub struct Sample {
    /// 1-based line of the sample.
    pub line: u32,
    /// The family it belongs to by its declared type's suffix rules (`x` for
    /// `x_bucket` of histogram `x`); the metric name if undeclared.
    pub family: String,
    /// The family's type (UNKNOWN if undeclared).
    pub metric_type: MetricType,
    /// The full metric name, e.g. `x_bucket`.
    pub name: String,
    pub suffix: Suffix,
    /// In input order, without the name; `le`/`quantile` included.
    pub labels: Vec<Label>,
    pub value: f64,
    /// The value as written: `1.0`, `+Inf`, `Nan`.
    pub value_text: String,
    pub timestamp: Option<Timestamp>,
    pub exemplar: Option<Exemplar>,
}

/// What the parser found, as owned data. Strings are copied from the
/// library; bytes that are not UTF-8 (possible in lenient mode) become
/// U+FFFD.
#[derive(Clone, Debug, PartialEq)]
pub enum Entry {
    /// `# HELP family help` (help unescaped).
    Help {
        line: u32,
        family: String,
        help: String,
    },
    /// `# TYPE family type`.
    Type {
        line: u32,
        family: String,
        metric_type: MetricType,
    },
    /// `# UNIT family unit` (OpenMetrics).
    Unit {
        line: u32,
        family: String,
        unit: String,
    },
    Sample(Sample),
    /// Any other `#` line: the text after `#`.
    Comment {
        line: u32,
        text: String,
    },
}

impl Entry {
    /// The 1-based line of the entry.
    pub fn line(&self) -> u32 {
        match self {
            Entry::Help { line, .. }
            | Entry::Type { line, .. }
            | Entry::Unit { line, .. }
            | Entry::Comment { line, .. } => *line,
            Entry::Sample(s) => s.line,
        }
    }
}

/// Options of a [`Parser`]; the defaults are `obsv_parser_options_init()`'s
/// (documented in include/obsv/exposition_parser.h).
///
/// ```no_run
/// let mut parser = obsv::Parser::builder()
///     .format(obsv::Format::OPENMETRICS)
///     .strict(true)
///     .max_line_bytes(64 << 10)
///     .build()?;
/// # Ok::<(), obsv::Error>(())
/// ```
#[derive(Clone, Copy, Debug)]
pub struct ParserBuilder {
    raw: sys::obsv_parser_options,
}

impl Default for ParserBuilder {
    fn default() -> Self {
        let mut raw = sys::obsv_parser_options {
            format: sys::OBSV_FORMAT_AUTO,
            strict: 0,
            max_body_bytes: 0,
            max_line_bytes: 0,
            max_labels_per_series: 0,
            max_label_name_bytes: 0,
            max_label_value_bytes: 0,
            max_series: 0,
            max_families: 0,
        };
        // SAFETY: a valid, writable options struct.
        unsafe { sys::obsv_parser_options_init(&mut raw) };
        ParserBuilder { raw }
    }
}

impl ParserBuilder {
    pub fn new() -> Self {
        Self::default()
    }
    /// AUTO (the default) detects it from the body on reset, from the first
    /// chunk on feed.
    pub fn format(mut self, format: Format) -> Self {
        self.raw.format = format.to_sys();
        self
    }
    /// Strict: the spec's letter. Lenient (the default): what Prometheus's
    /// scraper accepts.
    pub fn strict(mut self, strict: bool) -> Self {
        self.raw.strict = strict.into();
        self
    }
    pub fn max_body_bytes(mut self, n: u64) -> Self {
        self.raw.max_body_bytes = n;
        self
    }
    pub fn max_line_bytes(mut self, n: u32) -> Self {
        self.raw.max_line_bytes = n;
        self
    }
    pub fn max_labels_per_series(mut self, n: u32) -> Self {
        self.raw.max_labels_per_series = n;
        self
    }
    pub fn max_label_name_bytes(mut self, n: u32) -> Self {
        self.raw.max_label_name_bytes = n;
        self
    }
    pub fn max_label_value_bytes(mut self, n: u32) -> Self {
        self.raw.max_label_value_bytes = n;
        self
    }
    pub fn max_series(mut self, n: u64) -> Self {
        self.raw.max_series = n;
        self
    }
    pub fn max_families(mut self, n: u32) -> Self {
        self.raw.max_families = n;
        self
    }
    /// The raw options, as passed to `obsv_parser_new()`.
    pub fn as_raw(&self) -> &sys::obsv_parser_options {
        &self.raw
    }
    /// Creates the parser. Fails (INVALID_ARGUMENT) for options the library
    /// rejects, e.g. an unknown format.
    pub fn build(&self) -> Result<Parser, Error> {
        let mut raw = ptr::null_mut();
        let mut err = ptr::null_mut();
        // SAFETY: valid options and out pointers.
        unsafe { check(sys::obsv_parser_new(&self.raw, &mut raw, &mut err), err)? };
        let raw = NonNull::new(raw).ok_or_else(|| {
            Error::new(
                Status::INTERNAL,
                "obsv_parser_new returned OK and no parser",
            )
        })?;
        Ok(Parser {
            raw,
            poisoned: false,
            _not_sync: PhantomData,
        })
    }
}

/// A reusable streaming parser of Prometheus text 0.0.4 and OpenMetrics 1.0.
///
/// Whole body:
///
/// ```no_run
/// let mut parser = obsv::Parser::new()?;
/// for entry in parser.reset(b"a 1\n")? {
///     println!("{:?}", entry?);
/// }
/// # Ok::<(), obsv::Error>(())
/// ```
///
/// Chunks, split anywhere: `feed()` each chunk and drain its iterator, then
/// `finish()` and drain that one.
///
/// Thread safety: `Send` but not `Sync` (one handle, one thread at a time).
pub struct Parser {
    raw: NonNull<sys::obsv_parser>,
    /// The C parser may hold a pointer to input that is gone; see the module
    /// documentation.
    poisoned: bool,
    _not_sync: PhantomData<Cell<()>>,
}

// SAFETY: the C API allows a handle to move between threads as long as it is
// used by one thread at a time, which `&mut self` ensures; `Cell` in the
// marker keeps it !Sync.
unsafe impl Send for Parser {}

impl Parser {
    /// A parser with the default options (lenient, format detected).
    pub fn new() -> Result<Parser, Error> {
        ParserBuilder::default().build()
    }

    pub fn builder() -> ParserBuilder {
        ParserBuilder::default()
    }

    /// The format in use, once known (AUTO before detection).
    pub fn format(&self) -> Format {
        // SAFETY: a live handle.
        Format::from_sys(unsafe { sys::obsv_parser_format(self.raw.as_ptr()) })
    }

    /// Starts over on a complete body and iterates its entries. The body is
    /// borrowed by the iterator; dropping the iterator before its end means
    /// the next call must be another `reset()`.
    pub fn reset<'a>(&'a mut self, body: &'a [u8]) -> Result<Entries<'a>, Error> {
        // Poisoned until the iterator reaches the end of the body.
        self.poisoned = true;
        // SAFETY: a live handle; `body` outlives the returned iterator, the
        // only way to call obsv_parser_next() before the next reset.
        let status =
            unsafe { sys::obsv_parser_reset(self.raw.as_ptr(), body.as_ptr().cast(), body.len()) };
        self.status_to_result(status)?;
        Ok(Entries {
            parser: self,
            until_need_more: false,
            done: false,
            _input: PhantomData,
        })
    }

    /// Feeds the next chunk of a body (the first call after `new()` or
    /// `reset()` starts a new body) and iterates the entries it completes,
    /// up to the point where the parser needs more. Drain the iterator
    /// before the next `feed()` or `finish()`; a chunk not drained poisons
    /// the parser (FAILED_PRECONDITION until `reset()`).
    ///
    /// With `Format::AUTO` the library detects the format from the first
    /// chunk alone (even an empty one): pass the format explicitly, e.g.
    /// from [`Format::from_content_type`].
    pub fn feed<'a>(&'a mut self, chunk: &'a [u8]) -> Result<Entries<'a>, Error> {
        self.check_not_poisoned()?;
        self.poisoned = true;
        // SAFETY: a live handle; `chunk` outlives the returned iterator,
        // which un-poisons the parser once the C parser let go of the chunk.
        let status =
            unsafe { sys::obsv_parser_feed(self.raw.as_ptr(), chunk.as_ptr().cast(), chunk.len()) };
        self.status_to_result(status)?;
        Ok(Entries {
            parser: self,
            until_need_more: true,
            done: false,
            _input: PhantomData,
        })
    }

    /// Ends the body and iterates the remaining entries (the last line may
    /// lack its newline; OpenMetrics' `# EOF` is checked now).
    pub fn finish(&mut self) -> Result<Entries<'_>, Error> {
        self.check_not_poisoned()?;
        // SAFETY: a live handle, not holding input that is gone.
        let status = unsafe { sys::obsv_parser_finish(self.raw.as_ptr()) };
        self.status_to_result(status)?;
        Ok(Entries {
            parser: self,
            until_need_more: false,
            done: false,
            _input: PhantomData,
        })
    }

    /// Parses a complete body into a vector (stops at the first error).
    pub fn parse_all(&mut self, body: &[u8]) -> Result<Vec<Entry>, Error> {
        self.reset(body)?.collect()
    }

    /// The raw handle, for calls of `obsv-sys` this wrapper lacks. Do not
    /// free it, and mind the input lifetime rules above.
    pub fn as_raw(&self) -> *mut sys::obsv_parser {
        self.raw.as_ptr()
    }

    fn check_not_poisoned(&self) -> Result<(), Error> {
        if self.poisoned {
            return Err(Error::new(
                Status::FAILED_PRECONDITION,
                "the parser was left mid-body (an iterator of reset() or feed() was dropped \
                 before its end, or a call failed); call reset() to start over",
            ));
        }
        Ok(())
    }

    /// The parser's error for a failed reset/feed/finish. A parser in error
    /// reads no input (every later next() returns ERROR until reset), so it
    /// is no longer poisoned; any other failure leaves it poisoned.
    fn status_to_result(&mut self, status: sys::obsv_status) -> Result<(), Error> {
        if status == sys::OBSV_OK {
            return Ok(());
        }
        // SAFETY: a live handle; the borrowed error is copied at once.
        let err = unsafe { Error::copy_from(sys::obsv_parser_error(self.raw.as_ptr())) };
        Err(match err {
            Some(e) if e.code != Status::OK => {
                self.poisoned = false;
                e
            }
            _ => Error::new(Status::from_sys(status), Status::from_sys(status).name()),
        })
    }

    /// Copies the current entry out of the parser.
    ///
    /// # Safety
    /// `kind` is what obsv_parser_next() just returned, and the input is live.
    unsafe fn copy_entry(&self, kind: sys::obsv_entry) -> Entry {
        let p = self.raw.as_ptr() as *const sys::obsv_parser;
        let line = sys::obsv_parser_line(p);
        match kind {
            sys::OBSV_ENTRY_HELP => Entry::Help {
                line,
                family: string(sys::obsv_parser_family_name(p)),
                help: string(sys::obsv_parser_help(p)),
            },
            sys::OBSV_ENTRY_TYPE => Entry::Type {
                line,
                family: string(sys::obsv_parser_family_name(p)),
                metric_type: MetricType::from_sys(sys::obsv_parser_type(p)),
            },
            sys::OBSV_ENTRY_UNIT => Entry::Unit {
                line,
                family: string(sys::obsv_parser_family_name(p)),
                unit: string(sys::obsv_parser_unit(p)),
            },
            sys::OBSV_ENTRY_COMMENT => Entry::Comment {
                line,
                text: string(sys::obsv_parser_comment(p)),
            },
            _ => {
                debug_assert_eq!(kind, sys::OBSV_ENTRY_SAMPLE);
                let labels = (0..sys::obsv_parser_label_count(p))
                    .map(|i| Label {
                        name: string(sys::obsv_parser_label_name(p, i)),
                        value: string(sys::obsv_parser_label_value(p, i)),
                    })
                    .collect();
                let exemplar = (sys::obsv_parser_has_exemplar(p) != 0).then(|| Exemplar {
                    labels: (0..sys::obsv_parser_exemplar_label_count(p))
                        .map(|i| Label {
                            name: string(sys::obsv_parser_exemplar_label_name(p, i)),
                            value: string(sys::obsv_parser_exemplar_label_value(p, i)),
                        })
                        .collect(),
                    value: sys::obsv_parser_exemplar_value(p),
                    timestamp: timestamp(|ms, ns| sys::obsv_parser_exemplar_timestamp(p, ms, ns)),
                });
                Entry::Sample(Sample {
                    line,
                    family: string(sys::obsv_parser_family_name(p)),
                    metric_type: MetricType::from_sys(sys::obsv_parser_type(p)),
                    name: string(sys::obsv_parser_metric_name(p)),
                    suffix: Suffix::from_sys(sys::obsv_parser_suffix(p)),
                    labels,
                    value: sys::obsv_parser_value(p),
                    value_text: string(sys::obsv_parser_value_text(p)),
                    timestamp: timestamp(|ms, ns| sys::obsv_parser_timestamp(p, ms, ns)),
                    exemplar,
                })
            }
        }
    }
}

impl Drop for Parser {
    fn drop(&mut self) {
        // SAFETY: the handle is owned and not used again.
        unsafe { sys::obsv_parser_free(self.raw.as_ptr()) }
    }
}

impl std::fmt::Debug for Parser {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Parser")
            .field("format", &self.format())
            .field("poisoned", &self.poisoned)
            .finish()
    }
}

/// Copies a view into a `String`.
///
/// # Safety
/// `s` is a live view (or empty).
pub(crate) unsafe fn string(s: sys::obsv_str) -> String {
    if s.size == 0 || s.data.is_null() {
        return String::new();
    }
    let bytes = std::slice::from_raw_parts(s.data.cast::<u8>(), s.size);
    String::from_utf8_lossy(bytes).into_owned()
}

fn timestamp(get: impl FnOnce(*mut i64, *mut i32) -> std::ffi::c_int) -> Option<Timestamp> {
    let mut t = Timestamp::default();
    (get(&mut t.milliseconds, &mut t.nanos) != 0).then_some(t)
}

/// The entries of one `reset()` body, one `feed()` chunk (up to NEED_MORE),
/// or of `finish()` (up to the end). Yields `Err` once on a parse error and
/// then ends; the parser keeps returning that error until `reset()`.
pub struct Entries<'a> {
    parser: &'a mut Parser,
    /// feed(): stop at NEED_MORE. reset(), finish(): stop at END.
    until_need_more: bool,
    done: bool,
    _input: PhantomData<&'a [u8]>,
}

impl Entries<'_> {
    /// The format in use (known once the first entry was read).
    pub fn format(&self) -> Format {
        self.parser.format()
    }

    /// Marks the iteration over, un-poisoning the parser if the C parser let
    /// go of the input.
    fn end(&mut self, released_input: bool) {
        self.done = true;
        if released_input {
            self.parser.poisoned = false;
        }
    }
}

impl Iterator for Entries<'_> {
    type Item = Result<Entry, Error>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        let raw = self.parser.raw.as_ptr();
        // SAFETY: a live handle; the input is borrowed for 'a.
        let kind = unsafe { sys::obsv_parser_next(raw) };
        match kind {
            sys::OBSV_ENTRY_END => {
                self.end(true);
                None
            }
            sys::OBSV_ENTRY_NEED_MORE if self.until_need_more => {
                self.end(true);
                None
            }
            sys::OBSV_ENTRY_NEED_MORE => {
                // After reset() or finish() the body is complete: NEED_MORE
                // would be a library bug, and looping on it would never end.
                self.end(true);
                Some(Err(Error::new(
                    Status::INTERNAL,
                    "obsv_parser_next returned NEED_MORE after the end of the body",
                )))
            }
            sys::OBSV_ENTRY_ERROR => {
                // Every later next() returns ERROR again: the input is not read.
                self.end(true);
                // SAFETY: the borrowed error is copied before the next call.
                let err =
                    unsafe { Error::copy_from(sys::obsv_parser_error(raw)) }.unwrap_or_else(|| {
                        Error::new(
                            Status::INTERNAL,
                            "obsv_parser_next returned ERROR and no error",
                        )
                    });
                Some(Err(err))
            }
            sys::OBSV_ENTRY_HELP
            | sys::OBSV_ENTRY_TYPE
            | sys::OBSV_ENTRY_UNIT
            | sys::OBSV_ENTRY_SAMPLE
            | sys::OBSV_ENTRY_COMMENT => {
                // SAFETY: `kind` was just returned; the input is live.
                Some(Ok(unsafe { self.parser.copy_entry(kind) }))
            }
            other => {
                // A newer library's entry kind: stop, and leave the parser
                // poisoned since its state is unknown.
                self.end(false);
                Some(Err(Error::new(
                    Status::INTERNAL,
                    format!("unknown obsv_entry {}", other.0),
                )))
            }
        }
    }
}

impl FusedIterator for Entries<'_> {}
