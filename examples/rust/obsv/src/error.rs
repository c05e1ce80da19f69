//! The error type: an owned copy of an `obsv_error`.

use crate::types::Status;
use obsv_sys as sys;
use std::ffi::CStr;
use std::fmt;

/// A parse or API error. Match on [`Error::code`] and the position, not on
/// the message's prose.
///
/// `Display` prints `L:C: message` (just the message when the error has no
/// position).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Error {
    /// The status; [`Status::name`] gives "syntax", "invalid_name", ...
    pub code: Status,
    /// 1-based line; 0 when the error has no position.
    pub line: u32,
    /// 1-based column, in bytes; 0 when the error has no position.
    pub column: u32,
    /// Byte offset from the start of the body.
    pub offset: u64,
    /// The library's message, e.g. `expected "}" ..., got "x" at 3:17`.
    pub message: String,
}

impl Error {
    /// The code's name: "syntax", "unterminated_string", ...
    pub fn code_name(&self) -> &'static str {
        self.code.name()
    }

    /// An error made on the Rust side, without a position.
    pub(crate) fn new(code: Status, message: impl Into<String>) -> Error {
        Error {
            code,
            line: 0,
            column: 0,
            offset: 0,
            message: message.into(),
        }
    }

    /// Copies a library error.
    ///
    /// # Safety
    /// `err` is NULL or a valid `obsv_error`.
    pub(crate) unsafe fn copy_from(err: *const sys::obsv_error) -> Option<Error> {
        if err.is_null() {
            return None;
        }
        let msg = sys::obsv_error_message(err);
        let message = if msg.is_null() {
            String::new()
        } else {
            CStr::from_ptr(msg).to_string_lossy().into_owned()
        };
        Some(Error {
            code: Status::from_sys(sys::obsv_error_code(err)),
            line: sys::obsv_error_line(err),
            column: sys::obsv_error_column(err),
            offset: sys::obsv_error_offset(err),
            message,
        })
    }

    /// The error of a failed call that took `out_error`: copies and frees
    /// `err`, or makes one from `status` if the library returned none.
    ///
    /// # Safety
    /// `err` is NULL or an owned `obsv_error` not used afterwards.
    pub(crate) unsafe fn take(status: sys::obsv_status, err: *mut sys::obsv_error) -> Error {
        let copied = Error::copy_from(err);
        sys::obsv_error_free(err);
        copied.unwrap_or_else(|| {
            let code = Status::from_sys(status);
            Error::new(
                code,
                format!("{} (the library returned no error details)", code.name()),
            )
        })
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let message: &str = if self.message.is_empty() {
            self.code.name()
        } else {
            &self.message
        };
        if self.line > 0 {
            write!(f, "{}:{}: {}", self.line, self.column, message)
        } else {
            f.write_str(message)
        }
    }
}

impl std::error::Error for Error {}

/// `Ok(())` for OBSV_OK, else the error of a call that took `out_error`.
///
/// # Safety
/// As [`Error::take`].
pub(crate) unsafe fn check(
    status: sys::obsv_status,
    err: *mut sys::obsv_error,
) -> Result<(), Error> {
    if status == sys::OBSV_OK {
        // The header promises NULL on success; free anyway in case.
        sys::obsv_error_free(err);
        Ok(())
    } else {
        Err(Error::take(status, err))
    }
}
