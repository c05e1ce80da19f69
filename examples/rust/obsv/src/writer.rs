//! The exposition writer: `obsv_writer` behind a safe API.

use crate::error::{check, Error};
use crate::parser::{Label, Sample};
use crate::types::{Format, MetricType, Status};
use obsv_sys as sys;
use std::cell::Cell;
use std::marker::PhantomData;
use std::ptr::{self, NonNull};

/// Builds an exposition family by family.
///
/// ```no_run
/// use obsv::{Format, MetricType, Sample, Writer};
/// let mut w = Writer::new(Format::OPENMETRICS)?;
/// w.begin_family("http_requests", MetricType::COUNTER, Some("Requests."), "")?;
/// w.add_sample(&Sample::new("http_requests_total", 1027.0))?;
/// let body = w.finish()?; // ... "http_requests_total 1027.0\n# EOF\n"
/// # Ok::<(), obsv::Error>(())
/// ```
///
/// Thread safety: `Send` but not `Sync`.
pub struct Writer {
    raw: NonNull<sys::obsv_writer>,
    _not_sync: PhantomData<Cell<()>>,
}

// SAFETY: as for Parser: one thread at a time, which `&mut self` ensures.
unsafe impl Send for Writer {}

impl Writer {
    /// A writer of TEXT or OPENMETRICS (INVALID_ARGUMENT otherwise).
    pub fn new(format: Format) -> Result<Writer, Error> {
        let mut raw = ptr::null_mut();
        let mut err = ptr::null_mut();
        // SAFETY: valid out pointers.
        unsafe {
            check(
                sys::obsv_writer_new(format.to_sys(), &mut raw, &mut err),
                err,
            )?
        };
        let raw = NonNull::new(raw).ok_or_else(|| {
            Error::new(
                Status::INTERNAL,
                "obsv_writer_new returned OK and no writer",
            )
        })?;
        Ok(Writer {
            raw,
            _not_sync: PhantomData,
        })
    }

    /// Starts a family (the previous one is written out). `help` None means
    /// no HELP line; `unit` may be empty.
    pub fn begin_family(
        &mut self,
        name: &str,
        metric_type: MetricType,
        help: Option<&str>,
        unit: &str,
    ) -> Result<(), Error> {
        let mut err = ptr::null_mut();
        // SAFETY: views of live strings for the call's duration (the library
        // copies what it keeps: the header gives them no longer lifetime).
        unsafe {
            let status = sys::obsv_writer_begin_family(
                self.raw.as_ptr(),
                sys::obsv_str::from_bytes(name.as_bytes()),
                metric_type.to_sys(),
                sys::obsv_str::from_bytes(help.unwrap_or("").as_bytes()),
                help.is_some().into(),
                sys::obsv_str::from_bytes(unit.as_bytes()),
                &mut err,
            );
            check(status, err)
        }
    }

    /// Adds a sample to the current family; its name decides its suffix.
    /// `family`, `metric_type`, `suffix` and `line` of `sample` are ignored,
    /// and `value_text` is passed only where `value` cannot reproduce it
    /// (integers beyond 2^53), since the writer prints it verbatim.
    pub fn add_sample(&mut self, sample: &Sample) -> Result<(), Error> {
        let labels = raw_labels(&sample.labels);
        let (ex_labels, ex_value, ex_ts) = match &sample.exemplar {
            Some(e) => (raw_labels(&e.labels), e.value, e.timestamp),
            None => (Vec::new(), 0.0, None),
        };
        let value_text = if needs_exact_text(&sample.value_text) {
            sample.value_text.as_bytes()
        } else {
            b""
        };
        let ts = sample.timestamp.unwrap_or_default();
        let ex_t = ex_ts.unwrap_or_default();
        let raw = sys::obsv_sample {
            name: sys::obsv_str::from_bytes(sample.name.as_bytes()),
            labels: if labels.is_empty() {
                ptr::null()
            } else {
                labels.as_ptr()
            },
            label_count: labels.len(),
            value: sample.value,
            value_text: sys::obsv_str::from_bytes(value_text),
            has_timestamp: sample.timestamp.is_some().into(),
            timestamp_ms: ts.milliseconds,
            timestamp_nanos: ts.nanos,
            has_exemplar: sample.exemplar.is_some().into(),
            exemplar_labels: if ex_labels.is_empty() {
                ptr::null()
            } else {
                ex_labels.as_ptr()
            },
            exemplar_label_count: ex_labels.len(),
            exemplar_value: ex_value,
            exemplar_has_timestamp: ex_ts.is_some().into(),
            exemplar_timestamp_ms: ex_t.milliseconds,
            exemplar_timestamp_nanos: ex_t.nanos,
        };
        let mut err = ptr::null_mut();
        // SAFETY: `raw` and everything it points to live for the call.
        unsafe {
            check(
                sys::obsv_writer_add_sample(self.raw.as_ptr(), &raw, &mut err),
                err,
            )
        }
    }

    /// Writes the last family (and `# EOF` for OpenMetrics) and returns the
    /// whole body.
    pub fn finish(self) -> Result<String, Error> {
        let mut out = sys::obsv_str::EMPTY;
        let mut err = ptr::null_mut();
        // SAFETY: valid out pointers; the view is copied before the writer
        // is freed (by Drop, after this function).
        unsafe {
            check(
                sys::obsv_writer_finish(self.raw.as_ptr(), &mut out, &mut err),
                err,
            )?;
            Ok(bytes_to_string(out.data.cast(), out.size))
        }
    }
}

impl Drop for Writer {
    fn drop(&mut self) {
        // SAFETY: the handle is owned and not used again.
        unsafe { sys::obsv_writer_free(self.raw.as_ptr()) }
    }
}

impl Sample {
    /// A sample with a name and a value and nothing else, for writing.
    pub fn new(name: impl Into<String>, value: f64) -> Sample {
        Sample {
            line: 0,
            family: String::new(),
            metric_type: MetricType::UNKNOWN,
            name: name.into(),
            suffix: crate::Suffix::NONE,
            labels: Vec::new(),
            value,
            value_text: String::new(),
            timestamp: None,
            exemplar: None,
        }
    }

    /// Adds a label (builder style).
    pub fn label(mut self, name: impl Into<String>, value: impl Into<String>) -> Sample {
        self.labels.push(Label::new(name, value));
        self
    }
}

fn raw_labels(labels: &[Label]) -> Vec<sys::obsv_label> {
    labels
        .iter()
        .map(|l| sys::obsv_label {
            name: sys::obsv_str::from_bytes(l.name.as_bytes()),
            value: sys::obsv_str::from_bytes(l.value.as_bytes()),
        })
        .collect()
}

/// True for an integer literal a double cannot hold exactly: the parser's
/// value_text is the text as written (`1.0`, `Nan`), the writer's prints
/// verbatim and is meant only for these.
fn needs_exact_text(text: &str) -> bool {
    let digits = text.strip_prefix(['+', '-']).unwrap_or(text);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return false;
    }
    match digits.parse::<u128>() {
        Ok(n) => n > (1u128 << 53),
        Err(_) => true, // longer than u128
    }
}

/// Copies `len` bytes at `data` (NULL allowed when `len` is 0).
///
/// # Safety
/// `data` points to `len` readable bytes.
pub(crate) unsafe fn bytes_to_string(data: *const u8, len: usize) -> String {
    if data.is_null() || len == 0 {
        return String::new();
    }
    String::from_utf8_lossy(std::slice::from_raw_parts(data, len)).into_owned()
}
