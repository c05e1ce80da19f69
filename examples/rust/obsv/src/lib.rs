//! Safe Rust API of obsv: Prometheus text 0.0.4 and OpenMetrics 1.0
//! exposition parsing and writing, and PromQL formatting, syntax trees,
//! tenant scoping and templates ([`promql`]), over the C ABI (`obsv-sys`).
//!
//! ```no_run
//! use obsv::{Entry, Parser};
//!
//! let body = b"# TYPE http_requests_total counter\nhttp_requests_total{code=\"200\"} 1027\n";
//! let mut parser = Parser::new()?;
//! for entry in parser.reset(body)? {
//!     if let Entry::Sample(s) = entry? {
//!         println!("{} {:?} = {}", s.name, s.labels, s.value);
//!     }
//! }
//! let om = obsv::convert(body, obsv::Format::AUTO, obsv::Format::OPENMETRICS, false)?;
//! assert!(om.ends_with("# EOF\n"));
//! # Ok::<(), obsv::Error>(())
//! ```
//!
//! Everything the library returns is copied into owned values, so no
//! lifetime but the input's is involved. Parser and writer handles are
//! `Send` and not `Sync` (a [`promql::Injector`] is immutable and both):
//!
//! ```compile_fail
//! fn sync<T: Sync>() {}
//! sync::<obsv::Parser>();
//! ```

mod error;
pub mod logql;
mod parser;
pub mod promql;
mod query;
pub mod registry;
mod types;
mod writer;

pub use error::Error;
pub use parser::{Entries, Entry, Exemplar, Label, Parser, ParserBuilder, Sample, Timestamp};
pub use types::{Format, MetricType, Status, Suffix};
pub use writer::Writer;

/// The raw FFI, for what this crate does not wrap.
pub use obsv_sys as sys;

use std::ptr;

/// The version of the linked library, e.g. "0.1.0" (compare with
/// [`sys::OBSV_VERSION_STRING`] to detect a skew).
pub fn version() -> &'static str {
    // SAFETY: a static string.
    types::static_str(unsafe { sys::obsv_version() }).unwrap_or("")
}

/// The linked library's OBSV_VERSION_NUMBER (major * 10000 + minor * 100 +
/// patch).
pub fn version_number() -> i32 {
    // SAFETY: a plain call.
    unsafe { sys::obsv_version_number() }
}

/// Parses `input` (`in_format` may be AUTO) and writes it as `out_format`
/// (TEXT or OPENMETRICS). `strict` as in [`ParserBuilder::strict`].
pub fn convert(
    input: &[u8],
    in_format: Format,
    out_format: Format,
    strict: bool,
) -> Result<String, Error> {
    let mut out: *mut std::ffi::c_char = ptr::null_mut();
    let mut out_len = 0usize;
    let mut err = ptr::null_mut();
    // SAFETY: valid input and out pointers; the output is copied, then freed
    // with obsv_string_free() as the header requires.
    unsafe {
        let status = sys::obsv_convert(
            input.as_ptr().cast(),
            input.len(),
            in_format.to_sys(),
            strict.into(),
            out_format.to_sys(),
            &mut out,
            &mut out_len,
            &mut err,
        );
        let result =
            error::check(status, err).map(|()| writer::bytes_to_string(out.cast(), out_len));
        sys::obsv_string_free(out);
        result
    }
}
