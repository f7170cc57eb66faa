"""A placement file as a stream of CSV records, read chunk by chunk.

The uploaded bytes sit in PostgreSQL in chunks; a file is never held whole. `RecordReader`
takes chunks as they come (`feed`, then `finish`) and returns the records each completes,
as `(line, fields)`: `line` is the physical line the record starts on (the header is the
first record, normally line 1; a quoted field spanning lines makes one record). A record
the reader refuses comes as `(line, BadRecord)` and the stream goes on with the next one.
`iter_records` and `aiter_records` wrap it for sync and async chunk sources.

Rules:
- Encoding: each physical line is decoded as UTF-8 and, if it is not valid UTF-8, as
  Windows-1252 (then Latin-1 for the five bytes cp1252 leaves undefined). Clients export
  from Excel and legacy systems in both; a wrong guess can only affect the line that is
  not UTF-8, since cp1252 text is almost never valid UTF-8. A UTF-8 BOM is dropped;
  UTF-16/32 files are refused (`unsupported_encoding`).
- Lines end in LF, CRLF or a lone CR. Quoting is RFC 4180 as the C `csv` module reads it
  (default dialect), which parses every record.
- A file whose first 8 KiB start with a known binary signature or are more than 10 %
  control bytes is refused whole (`binary_file`); so is one with no record
  (`empty_file`), and one whose header has a fault a row would be refused for.
- A record longer than `max_record_bytes` (`record_too_long`), with a NUL byte
  (`nul_byte`) or with more than `max_columns` fields (`too_many_columns`) is refused
  alone. An overlong record is never held whole: its lines are dropped while their quote
  parity is followed, so reading resumes where the `csv` module would have ended the
  record. An unclosed quote therefore makes the rest of the file one overlong record,
  as it would make it one field for any CSV reader.
- Rows whose fields are all empty (blank lines, Excel's trailing ",,,,") are skipped.

Speed: a block of complete lines is decoded at once when it is ASCII and split with
`str.splitlines`; the `csv` reader runs over a plain list iterator, and the per-record
work in Python is a few comparisons. A sentinel line closes each block so that a record
cut by the block's end is told apart and parsed again with the next block.
"""

from __future__ import annotations

import csv
from collections.abc import AsyncIterable, AsyncIterator, Iterable, Iterator
from dataclasses import dataclass
from typing import Final

_SNIFF_BYTES: Final = 8192
_BOM: Final = b"\xef\xbb\xbf"
_BINARY_SIGNATURES: Final = (
    b"PK\x03\x04",  # zip, xlsx
    b"\xd0\xcf\x11\xe0",  # xls and other OLE files
    b"%PDF",
    b"\x1f\x8b",  # gzip
    b"\x89PNG",
    b"\xff\xd8\xff",  # jpeg
)
_UTF16_OR_32_BOMS: Final = (b"\xff\xfe", b"\xfe\xff")
# Bytes that are not control characters: tab, LF, FF, CR, printable ASCII, 0x80-0xFF.
_TEXT_BYTES: Final = bytes([9, 10, 12, 13, *range(0x20, 0x7F), *range(0x80, 0x100)])
# str.splitlines also splits on these; bytes.splitlines does not. An ASCII block holding
# one of them is split as bytes, so that line numbers count LF, CRLF and CR only.
_EXTRA_LINE_BREAKS: Final = ("\x0b", "\x0c", "\x1c", "\x1d", "\x1e")
# Closes every block: when the csv reader has read it, the record it returns either is
# the sentinel alone (the block ended on a record boundary) or was cut by the block end.
_SENTINEL: Final = "\ufffe\n"
_SENTINEL_RECORD: Final = ["\ufffe"]


@dataclass(frozen=True, slots=True)
class StreamLimits:
    max_record_bytes: int = 1 << 20
    max_columns: int = 500


@dataclass(frozen=True, slots=True)
class BadRecord:
    code: str  # record_too_long | nul_byte | too_many_columns
    reason: str


Record = tuple[int, list[str] | BadRecord]


class FileRejected(Exception):
    """The file as a whole cannot be read: no row of it is loaded."""

    def __init__(self, code: str, reason: str, line: int | None = None) -> None:
        super().__init__(f"{code}: {reason}" + (f" (line {line})" if line else ""))
        self.code = code
        self.reason = reason
        self.line = line


def _decode_line(raw: bytes) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return raw.decode("cp1252")
    except UnicodeDecodeError:
        return raw.decode("latin-1")


def _odd_quotes(line: str) -> bool:
    return line.count('"') % 2 == 1


def _sniff(head: bytes) -> None:
    if head.startswith(_UTF16_OR_32_BOMS):
        raise FileRejected("unsupported_encoding", "UTF-16/32 text; save the file as UTF-8 CSV")
    sample = head[:_SNIFF_BYTES]
    control = len(sample.translate(None, _TEXT_BYTES))
    if sample.startswith(_BINARY_SIGNATURES) or control * 10 > len(sample):
        raise FileRejected("binary_file", "the file is not CSV text")


class RecordReader:
    """Push parser: `feed(chunk)` returns the records the chunk completes; then `finish()`."""

    def __init__(self, limits: StreamLimits | None = None) -> None:
        self.limits = limits or StreamLimits()
        # A single field may reach the record limit; the csv module's limit is
        # process-wide and is only ever raised here.
        if csv.field_size_limit() <= self.limits.max_record_bytes:
            csv.field_size_limit(self.limits.max_record_bytes + 1)
        self._head: bytearray | None = bytearray()  # until sniffed
        self._buf = bytearray()  # the line not yet ended
        self._dropping = False  # the line not yet ended is overlong: count its quotes only
        self._dropped_quotes = 0
        self._stub: str | None = None  # the line standing for an overlong one dropped
        self._carry: list[str] = []  # lines of a record cut by the previous block's end
        self._carry_sizes: list[int] = []
        self._skip_in_quote = False  # dropping an overlong record until its quote closes
        self._line = 1  # physical number of the next line to parse
        self._header_seen = False

    def feed(self, chunk: bytes) -> list[Record]:
        if self._head is not None:
            self._head += chunk
            if len(self._head) < _SNIFF_BYTES:
                return []
            chunk = self._take_head()
        return self._parse(*self._split(chunk), final=False)

    def finish(self) -> list[Record]:
        lines, sizes = self._split(self._take_head() if self._head is not None else b"")
        if self._dropping:
            self._end_dropped_line(b"")
        elif self._buf:
            lines.append(_decode_line(bytes(self._buf)))
            sizes.append(len(self._buf))
            self._buf.clear()
        records = self._parse(lines, sizes, final=True)
        if not self._header_seen:
            raise FileRejected("empty_file", "the file holds no records")
        return records

    def _take_head(self) -> bytes:
        head = bytes(self._head or b"")
        self._head = None
        _sniff(head)
        return head[len(_BOM) :] if head.startswith(_BOM) else head

    # Lines ---------------------------------------------------------------------------

    def _split(self, chunk: bytes) -> tuple[list[str], list[int]]:
        """Add `chunk` to the open line; return the lines it completes and their sizes."""
        if self._dropping:
            end = chunk.find(b"\n")
            if end < 0:
                self._dropped_quotes += chunk.count(b'"')
                return [], []
            self._end_dropped_line(chunk[:end])
            chunk = chunk[end + 1 :]
        buf = self._buf
        start = len(buf)
        buf += chunk
        # The block ends after the last LF, or after a lone CR that is not the last byte
        # (a CR at the very end may be the first half of a CRLF).
        cut = max(buf.rfind(b"\n", start), buf.rfind(b"\r", start, len(buf) - 1)) + 1
        block = b""
        if cut > 0:
            block = bytes(buf[:cut])
            del buf[:cut]
        if len(buf) > self.limits.max_record_bytes:
            self._dropping = True
            self._dropped_quotes = buf.count(b'"')
            buf.clear()
        if block.isascii():
            text = block.decode("ascii")
            if not any(c in text for c in _EXTRA_LINE_BREAKS):
                lines = text.splitlines(keepends=True)
                return lines, list(map(len, lines))
        raw = block.splitlines(keepends=True)
        return list(map(_decode_line, raw)), list(map(len, raw))

    def _end_dropped_line(self, rest: bytes) -> None:
        quotes = self._dropped_quotes + rest.count(b'"')
        self._dropping = False
        self._stub = '"\n' if quotes % 2 else "\n"

    # Records -------------------------------------------------------------------------

    def _parse(self, new_lines: list[str], new_sizes: list[int], *, final: bool) -> list[Record]:
        lines, sizes = self._carry, self._carry_sizes
        self._carry, self._carry_sizes = [], []
        bad: dict[int, str] = {}
        if self._stub is not None:
            bad[len(lines)] = "record_too_long"
            lines.append(self._stub)
            sizes.append(0)
            self._stub = None
        self._mark_bad(new_lines, new_sizes, len(lines), bad)
        lines += new_lines
        sizes += new_sizes
        n_real = len(lines)
        if not final:
            lines.append(_SENTINEL)

        out: list[Record] = []
        # The common record (one line, nothing wrong, after the header) is taken inline.
        max_columns = self.limits.max_columns
        ready = self._header_seen
        first_line = self._line
        consumed = 0  # lines of `lines` read by the csv reader or dropped
        if self._skip_in_quote:
            consumed = self._skip_quoted(lines, 0, n_real, in_quote=True)
        while not self._skip_in_quote and consumed < n_real:
            reader = csv.reader(iter(lines[consumed:]) if consumed else iter(lines))
            base = consumed
            try:
                for fields in reader:
                    end = base + reader.line_num
                    if end > n_real:  # the sentinel was read
                        if fields != _SENTINEL_RECORD:
                            consumed = self._cut_record(lines, sizes, consumed, n_real, out)
                        else:
                            consumed = n_real
                        break
                    if end - consumed == 1 and not bad and len(fields) <= max_columns and ready:
                        if any(fields):
                            out.append((first_line + consumed, fields))
                    else:
                        self._record(out, fields, consumed, end, sizes, bad)
                        ready = self._header_seen
                    consumed = end
                else:
                    consumed = n_real
                break
            except csv.Error:
                # Only a field above the csv module's size limit gets here, and only in a
                # quoted field spanning lines: drop the rest of the record by parity.
                failed = base + reader.line_num - 1
                self._bad(out, self._line + consumed, "record_too_long")
                in_quote = not _odd_quotes(lines[failed])
                consumed = self._skip_quoted(lines, failed + 1, n_real, in_quote=in_quote)
        self._line += consumed
        return out

    def _record(
        self,
        out: list[Record],
        fields: list[str],
        start: int,
        end: int,
        sizes: list[int],
        bad: dict[int, str],
    ) -> None:
        line = self._line + start
        if bad and (codes := [bad[i] for i in range(start, end) if i in bad]):
            self._bad(out, line, codes[0])
        elif end - start > 1 and sum(sizes[start:end]) > self.limits.max_record_bytes:
            self._bad(out, line, "record_too_long")
        elif not any(fields):
            return
        elif len(fields) > self.limits.max_columns:
            self._bad(out, line, "too_many_columns")
        else:
            self._header_seen = True
            out.append((line, fields))

    def _mark_bad(
        self, lines: list[str], sizes: list[int], offset: int, bad: dict[int, str]
    ) -> None:
        """Stand a short line in for an overlong or NUL-bearing one, keeping its quotes' parity."""
        limit = self.limits.max_record_bytes
        if max(sizes, default=0) <= limit and not any("\0" in line for line in lines):
            return
        for i, line in enumerate(lines):
            if sizes[i] > limit:
                bad[offset + i] = "record_too_long"
                lines[i] = '"\n' if _odd_quotes(line) else "\n"
            elif "\0" in line:
                bad[offset + i] = "nul_byte"
                lines[i] = line.replace("\0", "")

    def _skip_quoted(self, lines: list[str], i: int, end: int, *, in_quote: bool) -> int:
        """Drop lines from `i` while inside a quoted field; return the index after them."""
        while in_quote and i < end:
            in_quote = _odd_quotes(lines[i]) != in_quote
            i += 1
        self._skip_in_quote = in_quote
        return i

    def _cut_record(
        self, lines: list[str], sizes: list[int], start: int, end: int, out: list[Record]
    ) -> int:
        """The block ended inside a record: keep its lines for the next block, or drop it."""
        if sum(sizes[start:end]) > self.limits.max_record_bytes:
            self._bad(out, self._line + start, "record_too_long")
            self._skip_in_quote = True
            return end
        self._carry = lines[start:end]
        self._carry_sizes = sizes[start:end]
        return start

    def _bad(self, out: list[Record], line: int, code: str) -> None:
        reason = _REASONS[code].format(limits=self.limits)
        if not self._header_seen:
            raise FileRejected(code, f"header: {reason}", line)
        out.append((line, BadRecord(code, reason)))


_REASONS: Final = {
    "record_too_long": "record longer than {limits.max_record_bytes} bytes",
    "nul_byte": "record contains a NUL byte",
    "too_many_columns": "record has more than {limits.max_columns} fields",
}


def iter_records(chunks: Iterable[bytes], limits: StreamLimits | None = None) -> Iterator[Record]:
    reader = RecordReader(limits)
    for chunk in chunks:
        yield from reader.feed(chunk)
    yield from reader.finish()


async def aiter_records(
    chunks: AsyncIterable[bytes], limits: StreamLimits | None = None
) -> AsyncIterator[Record]:
    reader = RecordReader(limits)
    async for chunk in chunks:
        for record in reader.feed(chunk):
            yield record
    for record in reader.finish():
        yield record
