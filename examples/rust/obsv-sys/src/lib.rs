//! Raw FFI declarations of obsv's C ABI, `include/obsv/c_api.h` and (in the
//! `promql` module, re-exported here) `include/obsv/c_api_promql.h`, written
//! by hand. The header is the manual: every function's ownership and lifetime
//! rules are stated there and are not repeated here. Use the `obsv` crate for
//! a safe API.
//!
//! C enums are `#[repr(transparent)]` newtypes over `c_int` with the
//! enumerators as constants, never Rust enums: a value the library returns
//! that this file does not know (a newer library) must not be undefined
//! behaviour. They all have the size of `int` on the supported targets
//! (GCC/Clang on Linux and macOS; every enumerator fits in an `int`).
//!
//! Linking: `build.rs` links `libobsv.so` from `$OBSV_LIB_DIR`, else from
//! `<workspace>/../../build/lib`, and sets an rpath to it.
//!
//! Thread safety (from the header): distinct handles may be used from distinct
//! threads; one handle must not be used from two threads at once.
#![allow(non_camel_case_types)]
#![no_std]

use core::ffi::{c_char, c_int};

// ---------------------------------------------------------------------------
// Version (obsv/version.h). The header's macros, as this file was written
// against them; compare with `obsv_version()` to detect a skew.

pub const OBSV_VERSION_MAJOR: c_int = 0;
pub const OBSV_VERSION_MINOR: c_int = 1;
pub const OBSV_VERSION_PATCH: c_int = 0;
pub const OBSV_VERSION_STRING: &str = "0.1.0";
/// major * 10000 + minor * 100 + patch.
pub const OBSV_VERSION_NUMBER: c_int =
    OBSV_VERSION_MAJOR * 10000 + OBSV_VERSION_MINOR * 100 + OBSV_VERSION_PATCH;

// ---------------------------------------------------------------------------
// Basics

/// A view of bytes owned by someone else; not NUL-terminated. `data` may be
/// NULL when `size` is 0.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct obsv_str {
    pub data: *const c_char,
    pub size: usize,
}

impl obsv_str {
    /// The empty view.
    pub const EMPTY: obsv_str = obsv_str {
        data: core::ptr::null(),
        size: 0,
    };

    /// A view of `bytes`; it borrows them without a lifetime, so the caller
    /// keeps them alive as long as the library may read the view.
    pub fn from_bytes(bytes: &[u8]) -> obsv_str {
        obsv_str {
            data: bytes.as_ptr().cast(),
            size: bytes.len(),
        }
    }
}

macro_rules! c_enum {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident = $value:expr),* $(,)? }) => {
        $(#[$meta])*
        #[repr(transparent)]
        #[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
        pub struct $name(pub c_int);
        $($(#[$vmeta])* pub const $variant: $name = $name($value);)*
    };
}

/// Declares opaque C types, only ever used behind a pointer: zero-sized, and
/// neither Send, Sync nor Unpin, so Rust assumes nothing of them that the
/// header does not promise. (The registry's types, thread-safe, have their
/// own `opaque!` in registry.rs.)
macro_rules! c_opaque {
    ($($(#[$meta:meta])* $name:ident;)*) => {$(
        $(#[$meta])*
        #[repr(C)]
        pub struct $name {
            _opaque: [u8; 0],
            _marker: core::marker::PhantomData<(*mut u8, core::marker::PhantomPinned)>,
        }
    )*};
}

c_enum! {
    /// `obsv_status`: 1..99 are parse error codes, 100 and up API failures.
    obsv_status {
        OBSV_OK = 0,
        OBSV_ERR_SYNTAX = 1,
        OBSV_ERR_INVALID_NAME = 2,
        OBSV_ERR_INVALID_ESCAPE = 3,
        OBSV_ERR_UNTERMINATED_STRING = 4,
        OBSV_ERR_DUPLICATE_LABEL = 5,
        OBSV_ERR_INVALID_VALUE = 6,
        OBSV_ERR_INVALID_TIMESTAMP = 7,
        OBSV_ERR_INVALID_EXEMPLAR = 8,
        OBSV_ERR_INVALID_METADATA = 9,
        OBSV_ERR_DUPLICATE_METADATA = 10,
        OBSV_ERR_INTERLEAVED_FAMILY = 11,
        OBSV_ERR_METADATA_AFTER_SAMPLES = 12,
        OBSV_ERR_INVALID_SUFFIX = 13,
        OBSV_ERR_INVALID_HISTOGRAM = 14,
        OBSV_ERR_INVALID_LABEL_VALUE = 15,
        OBSV_ERR_MISSING_EOF = 16,
        OBSV_ERR_CONTENT_AFTER_EOF = 17,
        OBSV_ERR_BLANK_LINE = 18,
        OBSV_ERR_NUL_BYTE = 19,
        OBSV_ERR_INVALID_UTF8 = 20,
        OBSV_ERR_LIMIT_EXCEEDED = 21,
        OBSV_ERR_UNEXPECTED_END = 22,
        /// A NULL handle, an enum out of range, ...
        OBSV_ERR_INVALID_ARGUMENT = 100,
        OBSV_ERR_OUT_OF_MEMORY = 101,
        OBSV_ERR_INTERNAL = 102,
        /// E.g. feeding before draining.
        OBSV_ERR_FAILED_PRECONDITION = 103,
        /// A query refused by a scoping policy.
        OBSV_ERR_PERMISSION_DENIED = 104,
        OBSV_ERR_NOT_FOUND = 105,
        OBSV_ERR_ALREADY_EXISTS = 106,
        OBSV_ERR_BUFFER_TOO_SMALL = 107,
    }
}

c_enum! {
    /// `obsv_format`.
    obsv_format {
        /// Detect from the content (parsing only).
        OBSV_FORMAT_AUTO = -1,
        /// Prometheus text 0.0.4.
        OBSV_FORMAT_TEXT = 0,
        OBSV_FORMAT_OPENMETRICS = 1,
        /// Delimited protobuf: written by `obsv_registry_expose()` only.
        OBSV_FORMAT_PROTOBUF = 2,
    }
}

c_enum! {
    /// `obsv_metric_type`.
    obsv_metric_type {
        /// `unknown` / `untyped`.
        OBSV_TYPE_UNKNOWN = 0,
        OBSV_TYPE_COUNTER = 1,
        OBSV_TYPE_GAUGE = 2,
        OBSV_TYPE_HISTOGRAM = 3,
        OBSV_TYPE_GAUGE_HISTOGRAM = 4,
        OBSV_TYPE_SUMMARY = 5,
        OBSV_TYPE_INFO = 6,
        OBSV_TYPE_STATESET = 7,
    }
}

c_enum! {
    /// `obsv_suffix`.
    obsv_suffix {
        OBSV_SUFFIX_NONE = 0,
        OBSV_SUFFIX_TOTAL = 1,
        OBSV_SUFFIX_CREATED = 2,
        OBSV_SUFFIX_BUCKET = 3,
        OBSV_SUFFIX_COUNT = 4,
        OBSV_SUFFIX_SUM = 5,
        OBSV_SUFFIX_GCOUNT = 6,
        OBSV_SUFFIX_GSUM = 7,
        OBSV_SUFFIX_INFO = 8,
    }
}

c_enum! {
    /// `obsv_entry`: what `obsv_parser_next()` found.
    obsv_entry {
        OBSV_ENTRY_END = 0,
        OBSV_ENTRY_NEED_MORE = 1,
        OBSV_ENTRY_HELP = 2,
        OBSV_ENTRY_TYPE = 3,
        OBSV_ENTRY_UNIT = 4,
        OBSV_ENTRY_SAMPLE = 5,
        OBSV_ENTRY_COMMENT = 6,
        OBSV_ENTRY_ERROR = 7,
    }
}

mod promql;
pub use promql::*;
mod registry;
pub use registry::*;
mod logql;
pub use logql::*;

c_opaque! {
    /// Opaque: an error with code, position and message.
    obsv_error;
    /// Opaque: a streaming pull parser.
    obsv_parser;
    /// Opaque: an exposition writer.
    obsv_writer;
}

/// `obsv_parser_options`; fill with `obsv_parser_options_init()` first.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct obsv_parser_options {
    /// OBSV_FORMAT_AUTO by default.
    pub format: obsv_format,
    /// 0: lenient like Prometheus's scraper (default).
    pub strict: c_int,
    pub max_body_bytes: u64,
    pub max_line_bytes: u32,
    pub max_labels_per_series: u32,
    pub max_label_name_bytes: u32,
    pub max_label_value_bytes: u32,
    pub max_series: u64,
    pub max_families: u32,
}

/// `obsv_label`.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct obsv_label {
    pub name: obsv_str,
    pub value: obsv_str,
}

/// `obsv_sample`: a sample handed to `obsv_writer_add_sample()`.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct obsv_sample {
    /// Full sample name, e.g. "x_bucket".
    pub name: obsv_str,
    /// May be NULL when `label_count` is 0.
    pub labels: *const obsv_label,
    pub label_count: usize,
    pub value: f64,
    /// Optional exact text (e.g. big integers).
    pub value_text: obsv_str,
    pub has_timestamp: c_int,
    pub timestamp_ms: i64,
    /// 0..999999 below `timestamp_ms`.
    pub timestamp_nanos: i32,
    pub has_exemplar: c_int,
    pub exemplar_labels: *const obsv_label,
    pub exemplar_label_count: usize,
    pub exemplar_value: f64,
    pub exemplar_has_timestamp: c_int,
    pub exemplar_timestamp_ms: i64,
    pub exemplar_timestamp_nanos: i32,
}

extern "C" {
    // ---- Basics -----------------------------------------------------------

    /// "syntax", "invalid_name", ...; static storage.
    pub fn obsv_status_name(status: obsv_status) -> *const c_char;
    /// The linked library's version ("0.1.0"); static storage.
    pub fn obsv_version() -> *const c_char;
    pub fn obsv_version_number() -> c_int;

    // ---- Errors -----------------------------------------------------------

    pub fn obsv_error_code(error: *const obsv_error) -> obsv_status;
    /// NUL-terminated; lives as long as the error.
    pub fn obsv_error_message(error: *const obsv_error) -> *const c_char;
    /// 1-based; 0 when the error has no position.
    pub fn obsv_error_line(error: *const obsv_error) -> u32;
    pub fn obsv_error_column(error: *const obsv_error) -> u32;
    pub fn obsv_error_offset(error: *const obsv_error) -> u64;
    /// Frees an error returned through an out_error parameter; never the
    /// borrowed one of `obsv_parser_error()`. NULL is a no-op.
    pub fn obsv_error_free(error: *mut obsv_error);
    /// Frees a string of `obsv_convert()` and the PromQL functions. NULL is a
    /// no-op.
    pub fn obsv_string_free(s: *mut c_char);

    // ---- Formats ----------------------------------------------------------

    pub fn obsv_format_from_content_type(content_type: *const c_char, len: usize) -> obsv_format;
    pub fn obsv_format_detect(body: *const c_char, len: usize) -> obsv_format;
    /// Static storage; NULL for AUTO.
    pub fn obsv_format_content_type(format: obsv_format) -> *const c_char;
    /// Static storage; NULL if out of range.
    pub fn obsv_metric_type_name(type_: obsv_metric_type) -> *const c_char;

    // ---- Parser -----------------------------------------------------------

    pub fn obsv_parser_options_init(options: *mut obsv_parser_options);
    /// `options` may be NULL for the defaults.
    pub fn obsv_parser_new(
        options: *const obsv_parser_options,
        out_parser: *mut *mut obsv_parser,
        out_error: *mut *mut obsv_error,
    ) -> obsv_status;
    pub fn obsv_parser_free(parser: *mut obsv_parser);
    /// `body` must stay valid while iterating.
    pub fn obsv_parser_reset(
        parser: *mut obsv_parser,
        body: *const c_char,
        len: usize,
    ) -> obsv_status;
    /// The chunk must stay valid until `obsv_parser_next()` returned
    /// OBSV_ENTRY_NEED_MORE for it.
    pub fn obsv_parser_feed(
        parser: *mut obsv_parser,
        chunk: *const c_char,
        len: usize,
    ) -> obsv_status;
    pub fn obsv_parser_finish(parser: *mut obsv_parser) -> obsv_status;
    pub fn obsv_parser_next(parser: *mut obsv_parser) -> obsv_entry;
    pub fn obsv_parser_format(parser: *const obsv_parser) -> obsv_format;
    /// Borrowed: valid until the next call on the parser; do not free.
    pub fn obsv_parser_error(parser: *const obsv_parser) -> *const obsv_error;

    // Accessors of the current entry; views are valid until the next
    // obsv_parser_next/feed/finish/reset.
    pub fn obsv_parser_line(parser: *const obsv_parser) -> u32;
    pub fn obsv_parser_family_name(parser: *const obsv_parser) -> obsv_str;
    pub fn obsv_parser_type(parser: *const obsv_parser) -> obsv_metric_type;
    pub fn obsv_parser_help(parser: *const obsv_parser) -> obsv_str;
    pub fn obsv_parser_unit(parser: *const obsv_parser) -> obsv_str;
    pub fn obsv_parser_comment(parser: *const obsv_parser) -> obsv_str;
    pub fn obsv_parser_metric_name(parser: *const obsv_parser) -> obsv_str;
    pub fn obsv_parser_suffix(parser: *const obsv_parser) -> obsv_suffix;
    pub fn obsv_parser_label_count(parser: *const obsv_parser) -> usize;
    pub fn obsv_parser_label_name(parser: *const obsv_parser, i: usize) -> obsv_str;
    pub fn obsv_parser_label_value(parser: *const obsv_parser, i: usize) -> obsv_str;
    pub fn obsv_parser_value(parser: *const obsv_parser) -> f64;
    pub fn obsv_parser_value_text(parser: *const obsv_parser) -> obsv_str;
    /// Returns 1 and fills the out parameters if the sample has a timestamp.
    pub fn obsv_parser_timestamp(
        parser: *const obsv_parser,
        out_milliseconds: *mut i64,
        out_nanos: *mut i32,
    ) -> c_int;
    pub fn obsv_parser_has_exemplar(parser: *const obsv_parser) -> c_int;
    pub fn obsv_parser_exemplar_label_count(parser: *const obsv_parser) -> usize;
    pub fn obsv_parser_exemplar_label_name(parser: *const obsv_parser, i: usize) -> obsv_str;
    pub fn obsv_parser_exemplar_label_value(parser: *const obsv_parser, i: usize) -> obsv_str;
    pub fn obsv_parser_exemplar_value(parser: *const obsv_parser) -> f64;
    pub fn obsv_parser_exemplar_timestamp(
        parser: *const obsv_parser,
        out_milliseconds: *mut i64,
        out_nanos: *mut i32,
    ) -> c_int;

    // ---- Writer -----------------------------------------------------------

    /// `format` is TEXT or OPENMETRICS.
    pub fn obsv_writer_new(
        format: obsv_format,
        out_writer: *mut *mut obsv_writer,
        out_error: *mut *mut obsv_error,
    ) -> obsv_status;
    pub fn obsv_writer_free(writer: *mut obsv_writer);
    pub fn obsv_writer_begin_family(
        writer: *mut obsv_writer,
        name: obsv_str,
        type_: obsv_metric_type,
        help: obsv_str,
        has_help: c_int,
        unit: obsv_str,
        out_error: *mut *mut obsv_error,
    ) -> obsv_status;
    pub fn obsv_writer_add_sample(
        writer: *mut obsv_writer,
        sample: *const obsv_sample,
        out_error: *mut *mut obsv_error,
    ) -> obsv_status;
    pub fn obsv_writer_add_parsed_sample(
        writer: *mut obsv_writer,
        parser: *const obsv_parser,
        out_error: *mut *mut obsv_error,
    ) -> obsv_status;
    /// `*out` is valid until the writer is freed or written to again.
    pub fn obsv_writer_finish(
        writer: *mut obsv_writer,
        out: *mut obsv_str,
        out_error: *mut *mut obsv_error,
    ) -> obsv_status;

    // ---- One-shot conversion ----------------------------------------------

    /// On success `*out` is NUL-terminated, `*out_len` bytes, freed with
    /// `obsv_string_free()`.
    pub fn obsv_convert(
        input: *const c_char,
        len: usize,
        in_format: obsv_format,
        strict: c_int,
        out_format: obsv_format,
        out: *mut *mut c_char,
        out_len: *mut usize,
        out_error: *mut *mut obsv_error,
    ) -> obsv_status;
}
