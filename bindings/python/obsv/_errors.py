"""The exception obsv raises for malformed input."""

from __future__ import annotations

__all__ = ["LogQLError", "LogQLScopeError", "ParseError", "PromQLError", "ScopeError", "SeriesLimitError"]


class _PositionedError(ValueError):
    """A ValueError with the place of the problem: code, line, column, offset."""

    code: str
    line: int
    column: int
    offset: int

    def __init__(
        self,
        message: str,
        code: str = "syntax",
        line: int = 0,
        column: int = 0,
        offset: int = 0,
    ) -> None:
        super().__init__(message)
        self.code = code
        self.line = line
        self.column = column
        self.offset = offset

    def __reduce__(self):  # keeps the attributes through pickle (multiprocessing)
        return (type(self), (self.args[0], self.code, self.line, self.column, self.offset))


class ParseError(_PositionedError):
    """A body is not a valid exposition (or exceeds a parser limit).

    ``str(error)`` is ``"L:C: message"``, e.g.
    ``'3:17: expected "," or "}" after label value, got "x"'``.
    Programs should look at the attributes, never parse the message:

    code    str: what is wrong, one of "syntax", "invalid_name",
            "invalid_escape", "unterminated_string", "duplicate_label",
            "invalid_value", "invalid_timestamp", "invalid_exemplar",
            "invalid_metadata", "duplicate_metadata", "interleaved_family",
            "metadata_after_samples", "invalid_suffix", "invalid_histogram",
            "invalid_label_value", "missing_eof", "content_after_eof",
            "blank_line", "nul_byte", "invalid_utf8", "limit_exceeded",
            "unexpected_end".
    line    int: 1-based line of the error.
    column  int: 1-based column, in bytes.
    offset  int: byte offset from the start of the body.
    """


class PromQLError(_PositionedError):
    """A PromQL query (or template, or enforced matcher) is invalid.

    ``str(error)`` is Prometheus's message, e.g.
    ``'1:14: parse error: unexpected "," in aggregation'``.

    code    str: "syntax", "unterminated_string", "invalid_escape",
            "invalid_utf8", "invalid_value", "limit_exceeded" for parse
            errors; "invalid_argument" for an invalid template value or
            enforced matcher; "permission_denied" (ScopeError).
    line    int: 1-based line of the error in the query (0: no position).
    column  int: 1-based column, in bytes.
    offset  int: byte offset from the start of the query.
    """


class ScopeError(PromQLError):
    """A query the scoping policy refuses: it constrains an enforced label
    otherwise (policy "error"). The position is that of the user's matcher."""


class LogQLError(_PositionedError):
    """A LogQL query (or template, or enforced matcher) is invalid.

    ``str(error)`` is Loki's message for a parse error, e.g.
    ``'parse error at line 1, col 10: syntax error: unexpected $end'``
    (Loki counts columns in runes), and "L:C: ..." for the others.

    code    str: "syntax", "unterminated_string", "invalid_escape",
            "invalid_utf8", "invalid_value", "limit_exceeded" for parse
            errors; "invalid_argument" for an invalid template value or
            enforced matcher; "permission_denied" (ScopeError).
    line    int: 1-based line of the error in the query (0: no position).
    column  int: 1-based column, in bytes.
    offset  int: byte offset from the start of the query.
    """


class LogQLScopeError(LogQLError):
    """A LogQL query the scoping policy refuses (obsv.logql.ScopeError): it
    constrains an enforced label otherwise (policy "error"), or writes one
    with refuse_enforced_label_writes. Positioned at the matcher or stage."""


class SeriesLimitError(ValueError):
    """A new series refused by its family's ``max_series`` (with
    ``overflow="refuse"``, the default). The registry counts these in
    ``obsv_registry_series_limit_hits_total{family="<name>"}``."""
