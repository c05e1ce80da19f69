//! The C ABI's enums as `Copy` newtypes with associated constants.
//!
//! They are newtypes rather than Rust enums because their values come from
//! the library: a newer library may return a value this crate does not know,
//! which must stay representable. Constants still work as `match` patterns:
//!
//! ```no_run
//! # let t = obsv::MetricType::COUNTER;
//! match t {
//!     obsv::MetricType::COUNTER => println!("counter"),
//!     other => println!("{}", other.name()),
//! }
//! ```

use obsv_sys as sys;
use std::ffi::{c_char, CStr};
use std::fmt;

/// A static NUL-terminated string of the library as `&'static str`; `None`
/// for NULL or invalid UTF-8.
pub(crate) fn static_str(p: *const c_char) -> Option<&'static str> {
    if p.is_null() {
        return None;
    }
    // SAFETY: the header documents these strings as static storage.
    unsafe { CStr::from_ptr(p) }.to_str().ok()
}

/// The name of an enum numbered 0, 1, 2, ... from the table of its names;
/// `None` for a value the table does not have (a newer library's).
pub(crate) fn name_at(names: &[&'static str], raw: i32) -> Option<&'static str> {
    usize::try_from(raw)
        .ok()
        .and_then(|i| names.get(i).copied())
}

macro_rules! newtype {
    ($(#[$meta:meta])* $name:ident($sys:ident) { $($(#[$vmeta:meta])* $konst:ident = $sysconst:ident),* $(,)? }) => {
        $(#[$meta])*
        #[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(i32);

        impl $name {
            $($(#[$vmeta])* pub const $konst: $name = $name(sys::$sysconst.0);)*

            /// The C ABI's number for this value.
            pub const fn raw(self) -> i32 {
                self.0
            }
            /// Any number, known or not (as a newer library may return).
            pub const fn from_raw(raw: i32) -> Self {
                $name(raw)
            }
            #[allow(dead_code)]
            pub(crate) const fn to_sys(self) -> sys::$sys {
                sys::$sys(self.0)
            }
            #[allow(dead_code)]
            pub(crate) const fn from_sys(v: sys::$sys) -> Self {
                $name(v.0)
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}({})", stringify!($name), self.0)?;
                match self.known_name() {
                    Some(n) => write!(f, " {n:?}"),
                    None => Ok(()),
                }
            }
        }
    };
}
// For the PromQL enums of `crate::promql`.
pub(crate) use newtype;

newtype! {
    /// `obsv_status`: 1..99 are parse error codes, 100 and up API failures.
    Status(obsv_status) {
        OK = OBSV_OK,
        SYNTAX = OBSV_ERR_SYNTAX,
        INVALID_NAME = OBSV_ERR_INVALID_NAME,
        INVALID_ESCAPE = OBSV_ERR_INVALID_ESCAPE,
        UNTERMINATED_STRING = OBSV_ERR_UNTERMINATED_STRING,
        DUPLICATE_LABEL = OBSV_ERR_DUPLICATE_LABEL,
        INVALID_VALUE = OBSV_ERR_INVALID_VALUE,
        INVALID_TIMESTAMP = OBSV_ERR_INVALID_TIMESTAMP,
        INVALID_EXEMPLAR = OBSV_ERR_INVALID_EXEMPLAR,
        INVALID_METADATA = OBSV_ERR_INVALID_METADATA,
        DUPLICATE_METADATA = OBSV_ERR_DUPLICATE_METADATA,
        INTERLEAVED_FAMILY = OBSV_ERR_INTERLEAVED_FAMILY,
        METADATA_AFTER_SAMPLES = OBSV_ERR_METADATA_AFTER_SAMPLES,
        INVALID_SUFFIX = OBSV_ERR_INVALID_SUFFIX,
        INVALID_HISTOGRAM = OBSV_ERR_INVALID_HISTOGRAM,
        INVALID_LABEL_VALUE = OBSV_ERR_INVALID_LABEL_VALUE,
        MISSING_EOF = OBSV_ERR_MISSING_EOF,
        CONTENT_AFTER_EOF = OBSV_ERR_CONTENT_AFTER_EOF,
        BLANK_LINE = OBSV_ERR_BLANK_LINE,
        NUL_BYTE = OBSV_ERR_NUL_BYTE,
        INVALID_UTF8 = OBSV_ERR_INVALID_UTF8,
        LIMIT_EXCEEDED = OBSV_ERR_LIMIT_EXCEEDED,
        UNEXPECTED_END = OBSV_ERR_UNEXPECTED_END,
        INVALID_ARGUMENT = OBSV_ERR_INVALID_ARGUMENT,
        OUT_OF_MEMORY = OBSV_ERR_OUT_OF_MEMORY,
        INTERNAL = OBSV_ERR_INTERNAL,
        FAILED_PRECONDITION = OBSV_ERR_FAILED_PRECONDITION,
        /// A query refused by a [`crate::promql::Injector`]'s policy.
        PERMISSION_DENIED = OBSV_ERR_PERMISSION_DENIED,
        NOT_FOUND = OBSV_ERR_NOT_FOUND,
        ALREADY_EXISTS = OBSV_ERR_ALREADY_EXISTS,
        BUFFER_TOO_SMALL = OBSV_ERR_BUFFER_TOO_SMALL,
    }
}

impl Status {
    fn known_name(self) -> Option<&'static str> {
        // SAFETY: plain call; any value is allowed and the result is static.
        static_str(unsafe { sys::obsv_status_name(self.to_sys()) })
    }
    /// The library's name of the code: "syntax", "invalid_name", ...,
    /// "failed_precondition", "permission_denied"; "unknown" if the library
    /// has none.
    pub fn name(self) -> &'static str {
        self.known_name().unwrap_or("unknown")
    }
    /// True for the parse error codes (1..99).
    pub fn is_parse_error(self) -> bool {
        (1..100).contains(&self.0)
    }
}

newtype! {
    /// `obsv_format`: an exposition format.
    Format(obsv_format) {
        /// Detect from the content (parsing only).
        AUTO = OBSV_FORMAT_AUTO,
        /// Prometheus text 0.0.4.
        TEXT = OBSV_FORMAT_TEXT,
        /// OpenMetrics 1.0.
        OPENMETRICS = OBSV_FORMAT_OPENMETRICS,
        /// Delimited protobuf (io.prometheus.client.MetricFamily): written
        /// by the registry only ([`crate::registry::Registry::expose`]).
        PROTOBUF = OBSV_FORMAT_PROTOBUF,
    }
}

impl Format {
    fn known_name(self) -> Option<&'static str> {
        match self {
            Format::AUTO => Some("auto"),
            Format::TEXT => Some("text"),
            Format::OPENMETRICS => Some("openmetrics"),
            Format::PROTOBUF => Some("protobuf"),
            _ => None,
        }
    }
    /// "auto", "text", "openmetrics", or "unknown".
    pub fn name(self) -> &'static str {
        self.known_name().unwrap_or("unknown")
    }
    /// Parses a name of [`Format::name`].
    pub fn from_name(name: &str) -> Option<Format> {
        match name {
            "auto" => Some(Format::AUTO),
            "text" => Some(Format::TEXT),
            "openmetrics" => Some(Format::OPENMETRICS),
            _ => None,
        }
    }
    /// The format a Content-Type header names (text for anything unknown).
    pub fn from_content_type(content_type: &str) -> Format {
        // SAFETY: a valid (pointer, length) pair for the call's duration.
        Format::from_sys(unsafe {
            sys::obsv_format_from_content_type(content_type.as_ptr().cast(), content_type.len())
        })
    }
    /// The format of a body, guessed from its content.
    pub fn detect(body: &[u8]) -> Format {
        // SAFETY: a valid (pointer, length) pair for the call's duration.
        Format::from_sys(unsafe { sys::obsv_format_detect(body.as_ptr().cast(), body.len()) })
    }
    /// The Content-Type to answer with; `None` for AUTO (or an unknown value).
    pub fn content_type(self) -> Option<&'static str> {
        // SAFETY: any value is allowed; the result is static or NULL.
        static_str(unsafe { sys::obsv_format_content_type(self.to_sys()) })
    }
}

newtype! {
    /// `obsv_metric_type`.
    MetricType(obsv_metric_type) {
        /// `unknown` (OpenMetrics) / `untyped` (text).
        UNKNOWN = OBSV_TYPE_UNKNOWN,
        COUNTER = OBSV_TYPE_COUNTER,
        GAUGE = OBSV_TYPE_GAUGE,
        HISTOGRAM = OBSV_TYPE_HISTOGRAM,
        GAUGE_HISTOGRAM = OBSV_TYPE_GAUGE_HISTOGRAM,
        SUMMARY = OBSV_TYPE_SUMMARY,
        INFO = OBSV_TYPE_INFO,
        STATESET = OBSV_TYPE_STATESET,
    }
}

impl MetricType {
    fn known_name(self) -> Option<&'static str> {
        // SAFETY: any value is allowed; the result is static or NULL.
        static_str(unsafe { sys::obsv_metric_type_name(self.to_sys()) })
    }
    /// "counter", "gauge", ..., as the library names them; "invalid" for a
    /// value it does not know.
    pub fn name(self) -> &'static str {
        self.known_name().unwrap_or("invalid")
    }
}

newtype! {
    /// `obsv_suffix`: which part of its family a sample is.
    Suffix(obsv_suffix) {
        NONE = OBSV_SUFFIX_NONE,
        TOTAL = OBSV_SUFFIX_TOTAL,
        CREATED = OBSV_SUFFIX_CREATED,
        BUCKET = OBSV_SUFFIX_BUCKET,
        COUNT = OBSV_SUFFIX_COUNT,
        SUM = OBSV_SUFFIX_SUM,
        GCOUNT = OBSV_SUFFIX_GCOUNT,
        GSUM = OBSV_SUFFIX_GSUM,
        INFO = OBSV_SUFFIX_INFO,
    }
}

impl Suffix {
    fn known_name(self) -> Option<&'static str> {
        // The C ABI has no name function for suffixes; these are the
        // spellings of obsv::SampleSuffixString().
        const NAMES: [&str; 9] = [
            "", "_total", "_created", "_bucket", "_count", "_sum", "_gcount", "_gsum", "_info",
        ];
        name_at(&NAMES, self.0)
    }
    /// "", "_total", "_created", ...; "?" for a value this crate does not know.
    pub fn as_str(self) -> &'static str {
        self.known_name().unwrap_or("?")
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl fmt::Display for MetricType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}
