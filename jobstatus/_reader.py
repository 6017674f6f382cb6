"""The command line's input reader: bytes in, JSON texts out, each with the place it starts at.

Where a value ends is decided here; whether it is valid is decided by pydantic's parser, which
validates each text this reader gives (through `jobstatus.bulk.validate_lines`). The rules:

- After an optional UTF-8 byte order mark, an input whose first non-whitespace byte is `[` is one
  JSON **array**: each element is one text, with its `index`. Anything else is a **stream** of JSON
  values: NDJSON, pretty-printed values (`jq '.[]'`), and values written one after another alike.
- In a stream, a value starts at the start of a line, or on the same line right after a value
  that has closed, when the next byte is `{` or `[`. It ends where its brackets close; text that
  follows it on the same line (`{},{}`) stays with it, for the parser to refuse. A value that is
  still open at the end of its line continues on the next one, unless that line starts with `{` or
  `[` where no value can go (a truncated line followed by the next record: the truncated line is
  one text on its own), or the value is nested deeper than the parser reads (`MAX_DEPTH`).
- JSON strings never hold a raw newline, so strings are scanned line by line: a string still open
  at a line's end ends there.
- `\\r\\n` and `\\n` end lines. Positions are 1-based lines and pydantic's byte columns, the file's:
  after a byte order mark, line 1's columns count its 3 bytes. A text cut short by the end of the
  input keeps the input's final line end, so that the parser places its error as in the whole file.

Memory holds one value (one element of an array) at a time, plus one block of whole lines: a long
line is held whole (judged in windows, never a piece per string).

```python
import io
from jobstatus._reader import Lines, Reader, Record

ndjson = Reader(io.BytesIO(b'{"value": "open"}\\n\\n{"value": 3}\\n'))
assert list(ndjson) == [Lines(1, [b'{"value": "open"}', b"", b'{"value": 3}'])]  # one text per line
pretty = Reader(io.BytesIO(b'{"value": "open"}\\n{\\n  "value": "draft"\\n}\\n'))
assert list(pretty) == [Record(b'{"value": "open"}', line=1), Record(b'{\\n  "value": "draft"\\n}', line=2)]
```
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import IO, Final, Literal, TypeAlias, Union

__all__ = ("FORMATS", "MAX_DEPTH", "Format", "Item", "Lines", "Problem", "Reader", "Record", "relocate")

Format: TypeAlias = Literal["auto", "stream", "ndjson", "json"]
FORMATS: Final[tuple[Format, ...]] = ("auto", "stream", "ndjson", "json")
"""auto: an array when the input starts with `[`, a stream otherwise; stream: a stream even when it
starts with `[`; ndjson: each line is one text; json: the whole input is one text (or an array)."""

MAX_DEPTH: Final = 201
"""The deepest nesting pydantic's JSON parser reads; a value nested deeper ends at its line's end."""

BLOCK_SIZE: Final = 1 << 18
"""How many bytes are read at once."""

_BOM: Final = b"\xef\xbb\xbf"
_WHITESPACE: Final = b" \t\r\n"
_OPEN: Final = b"{["
_CLOSE: Final = b"}]"
# A string (ended by its line at the latest), a run of other bytes, or one structural byte.
_TOKEN: Final = re.compile(rb'"(?:[^"\\\n]++|\\.)*+"?|[^ \t\r\n{}\[\]:,"]++|[^ \t\r\n]')
_STRING: Final = re.compile(rb'"(?:[^"\\\n]++|\\.)*+"')
_NOT_BRACKET: Final = bytes(byte for byte in range(256) if byte not in b'{}[]"\n')
_POSITION: Final = re.compile(r" at line (\d+) column (\d+)$")


@dataclass(frozen=True, slots=True)
class Lines:
    """A run of whole lines, each one text (or blank): `lines[i]` is line `first_line + i`."""

    first_line: int
    lines: list[bytes]


@dataclass(frozen=True, slots=True)
class Record:
    """One text that does not fill exactly one line: a value over several lines, one of several
    values on a line, or an element of an array. `column` counts the bytes before it on its line."""

    text: bytes
    line: int
    column: int = 0
    index: int | None = None


@dataclass(frozen=True, slots=True)
class Problem:
    """An error of an array's frame, which no element owns: the array has no `]`, or text follows it."""

    line: int
    column: int
    msg: str


Item: TypeAlias = Union[Lines, Record, Problem]


def relocate(message: str, line: int, column: int) -> str:
    """A parser message whose position (`at line L column C`, relative to a text) made relative to
    the file, for a text that starts at `line`, after `column` bytes of its line.

    ```python
    from jobstatus._reader import relocate

    message = "EOF while parsing a list at line 1 column 4"
    assert relocate(message, 6, 2) == "EOF while parsing a list at line 6 column 6"
    assert relocate("expected value at line 2 column 3", 6, 2) == "expected value at line 7 column 3"
    assert relocate("no position here", 6, 2) == "no position here"
    ```
    """
    found = _POSITION.search(message)
    if found is None:
        return message
    at_line, at_column = int(found[1]), int(found[2])
    where = f" at line {line + at_line - 1} column {at_column + column if at_line == 1 else at_column}"
    return message[: found.start()] + where


_WINDOW: Final = 1 << 16
"""How many bytes of a block are judged at once: a long line is judged in windows of about this
size, cut outside strings, so that the pieces a window is split into stay few."""

# Text and whole strings, from a point outside any string: where it stops is outside a string too.
_OUTSIDE_STRINGS: Final = re.compile(rb'(?:[^"]++|"(?:[^"\\\n]++|\\.)*+")*+')


def _one_text_per_line(block: bytes) -> bool:
    """Whether the stream scanner would make every line of `block` one text (or blank), judged in C:
    no string open at a line's end, each line's brackets nested and closed, and no bracket right
    after a closing one (`}{`, a second value). It may say no where the scanner agrees (then the
    scanner runs); it never says yes where it does not.

    Most blocks are judged in two C passes over the whole block (below); a block with an escape,
    or with a string that holds a bracket or runs to its line's end, is judged by `_skeletons`,
    window by window, so memory never holds one piece per string of a long line."""
    # Without escapes every quote opens or closes a string, so deleting all but brackets, quotes
    # and line ends leaves each string as its two quotes around its own brackets and line ends;
    # deleting the adjacent pairs (one pass, left to right) removes exactly the strings that held
    # neither. Splitting blocks at their quotes instead cost the command line most of its reading
    # time (bench/bench_cli.py).
    skeleton = b'"' if b"\\" in block else block.translate(None, _NOT_BRACKET).replace(b'""', b"")
    if b'"' in skeleton:  # an escape, or a string holding a bracket or open at its line's end
        skeleton = b"".join(_skeletons(block))
    if b'"' in skeleton or any(pair in skeleton for pair in (b"}{", b"}[", b"]{", b"][")):
        return False
    for _ in range(8):
        if b"{" not in skeleton and b"[" not in skeleton:
            break
        skeleton = skeleton.replace(b"{}", b"").replace(b"[]", b"")
    return not skeleton.strip(b"\n")


def _skeletons(block: bytes) -> Iterator[bytes]:
    """The brackets and line ends outside strings of a block, window by window
    (each cut outside strings, so memory holds a window's pieces, not one piece per string of a
    long line; a string longer than a window is stepped over whole). A string open at a line's
    end leaves its quote in the skeleton."""
    start, size = 0, len(block)
    while start < size:
        end = min(start + _WINDOW, size)
        if end < size:  # cut outside strings: the window's strings are whole
            found = _OUTSIDE_STRINGS.match(block, start, end)
            assert found is not None  # it matches the empty text at least
            end = found.end()
        if end == start:  # a string starting here, longer than a window: stepped over
            string = _STRING.match(block, start)
            if string is None:
                yield b'"'  # a string open at a line's end
                return
            start = string.end()
            continue
        yield _STRING.sub(b"", block[start:end]).translate(None, _NOT_BRACKET)
        start = end


class _Stream:
    """The stream scanner: cuts lines into values, keeping what an open value has read so far."""

    def __init__(self) -> None:
        self.parts: list[bytes] = []  # the open value's lines so far
        self.line = 0
        self.column = 0
        self.stack = bytearray()  # the open brackets
        self.after = 0  # the last structural byte read, 0 after a value

    @property
    def fresh(self) -> bool:
        return not self.parts

    def _take(self) -> Record:
        record = Record(b"\n".join(self.parts), self.line, self.column)
        self.parts = []
        self.stack.clear()
        return record

    def _value_can_go_here(self) -> bool:
        """Whether a value may come next in the open value: after `:`, `[`, or `,` in an array."""
        return self.after in b":[" or (self.after == ord(",") and self.stack[-1:] == b"[")

    def _goes_on(self, line: bytes) -> bool:
        """Whether the open value goes on in `line`: not when the line starts with `{` or `[` where
        no value can go (a truncated value, then the next one)."""
        first = _TOKEN.search(line)
        return first is None or line[first.start()] not in _OPEN or self._value_can_go_here()

    # Complexity allowed: the stream scanner's one loop over a line's tokens, a branch per kind of token.
    def scan(self, number: int, line: bytes) -> Iterator[Record]:  # noqa: C901
        begin: int | None = None  # where the open value's part of this line starts
        if self.parts:
            if self._goes_on(line):
                begin = 0
            else:
                yield self._take()  # the open value was cut short: this line starts anew
        for match in _TOKEN.finditer(line):
            byte = line[match.start()]
            if begin is None:
                begin, self.line, self.column, self.after = match.start(), number, match.start(), 0
            if byte in _OPEN:
                if len(self.stack) == MAX_DEPTH:
                    break  # deeper than the parser reads: the value ends with its line
                self.stack.append(byte)
                self.after = byte
            elif byte in _CLOSE:
                if not self.stack:
                    break  # a stray closing bracket: the rest of the line is one text
                self.stack.pop()
                self.after = 0
                if not self.stack:
                    following = _TOKEN.search(line, match.end())
                    if following is None or line[following.start()] not in _OPEN:
                        break  # the value closed; what follows on its line stays with it
                    self.parts.append(line[begin : match.end()])
                    yield self._take()  # another value starts right after this one
                    begin = None
            elif byte in b":,":
                self.after = byte
            else:
                self.after = 0
                if not self.stack:
                    break  # a value that is no object or array: the rest of the line is one text
        else:
            if begin is None:
                return
            if self.stack:
                self.parts.append(line[begin:])  # still open: the value goes on
                return
        assert begin is not None
        self.parts.append(line[begin:])  # the rest of the line is the value's (or all there is of it)
        yield self._take()

    def end(self, line_end: bool) -> Iterator[Record]:
        """The value still open at the end of the input, with the input's final line end when it
        has one, so that the parser places its error where it does in the whole file."""
        if self.parts:
            if line_end:
                self.parts.append(b"")
            yield self._take()


class _Array:
    """The array scanner: cuts an array's lines into its elements, at the commas of its own level."""

    def __init__(self) -> None:
        self.depth = 0  # 0 before the `[`
        self.parts: list[bytes] = []
        self.line = 0
        self.column = 0
        self.index = 0
        self.closed = False
        self.trailing = False
        self.after_comma = False  # the last byte of the array's own level was a `,`

    def _take(self, end_part: bytes) -> Record:
        self.parts.append(end_part)
        record = Record(b"\n".join(self.parts), self.line, self.column, self.index)
        self.parts = []
        self.index += 1
        return record

    def scan(self, number: int, line: bytes) -> Iterator[Item]:
        begin: int | None = 0 if self.parts else None
        for match in _TOKEN.finditer(line):
            start = match.start()
            byte = line[start]
            if self.closed:
                self.trailing = True
                yield Problem(number, start + 1, "Invalid JSON: trailing characters")
                return
            if self.depth == 0:
                self.depth = 1  # the array's own `[`
                continue
            if self.depth == 1 and byte in b",]":
                if begin is not None:
                    yield self._take(line[begin:start])
                    begin = None
                elif byte == ord("]") and self.after_comma:
                    yield Problem(number, start + 1, "Invalid JSON: trailing comma")  # `[1,]`, as the parser says
                elif byte == ord(",") or self.index:
                    # Nothing before this `,`: the parser says what it expected instead.
                    yield Record(bytes([byte]), number, start, self.index)
                    self.index += 1
                self.after_comma = byte == ord(",")
                self.closed = byte == ord("]")
                continue
            if begin is None:
                begin, self.line, self.column = start, number, start
            self.after_comma = False
            if byte in _OPEN:
                self.depth += 1
            elif byte in _CLOSE and self.depth > 1:
                self.depth -= 1
        if begin is not None:
            self.parts.append(line[begin:])

    def end(self, line: int, column: int) -> Iterator[Item]:
        """The element still open at the end of the input (with the input's final line end when
        it has one, as in the stream), then the frame's error at `line` and `column`."""
        if self.closed:
            return
        if self.parts:
            if column == 0:  # after a final line end
                self.parts.append(b"")
            record = Record(b"\n".join(self.parts), self.line, self.column, self.index)
            self.parts = []
            yield record
            if self.depth > 1:
                # The element never closed and ran to the end: its own error (the parser's first on
                # the whole input) is the array's too, so the frame adds no second one.
                return
        # As the parser says: right after a `,` it was reading the next value, else the list.
        yield Problem(line, column, f"Invalid JSON: EOF while parsing a {'value' if self.after_comma else 'list'}")


class Reader:
    """The texts of one input, as `Lines` runs, `Record`s and, at the end of an array, `Problem`s.

    A read error ends the input early: what was read before it is still given, and the error is
    kept in `error` for the caller to report.

    ```python
    import io
    from jobstatus._reader import Problem, Reader, Record

    items = list(Reader(io.BytesIO(b'[{"value": "open"},\\n {"value": 3}')))
    assert items == [
        Record(b'{"value": "open"}', line=1, column=1, index=0),
        Record(b'{"value": 3}', line=2, column=1, index=1),
        Problem(2, 13, "Invalid JSON: EOF while parsing a list"),
    ]
    ```
    """

    def __init__(
        self, stream: IO[bytes], form: Format = "auto", block_size: int = BLOCK_SIZE, *, judge_blocks: bool = True
    ) -> None:
        self.stream = stream
        self.form = form
        self.block_size = block_size
        self.judge_blocks = judge_blocks  # off: every line goes through the scanner (the tests compare)
        self.error: OSError | None = None
        self.bom = False  # whether the input starts with a byte order mark (read past)

    def _blocks(self) -> Iterator[bytes]:
        """Blocks of whole lines (`\\r\\n` made `\\n`), the first without its byte order mark.

        The reads of a line longer than a block are kept apart until its end is read, then joined
        once: joining at every read would copy the line over and over."""
        pending: list[bytes] = []  # reads that hold no line end yet
        first = True
        # One read of the device at a time (`read1`): what it gave before an error is kept.
        read = getattr(self.stream, "read1", self.stream.read)
        while True:
            try:
                data = read(self.block_size)
            except OSError as error:
                self.error = error
                data = b""
            if first:
                if data and sum(map(len, pending)) + len(data) < len(_BOM):
                    pending.append(data)
                    continue
                ended = not data
                data = b"".join([*pending, data])
                pending = []
                self.bom = data.startswith(_BOM)
                data = data.removeprefix(_BOM)
                first = False
                if not data and not ended:
                    continue  # the byte order mark was all there was so far
            if not data:
                if pending:
                    yield _without_cr(b"".join(pending))
                return
            cut = data.rfind(b"\n") + 1
            if not cut:
                pending.append(data)
                continue
            pending.append(data[:cut])
            block = b"".join(pending)
            pending = [data[cut:]] if cut < len(data) else []
            del data
            yield _without_cr(block)

    def __iter__(self) -> Iterator[Item]:
        blocks = self._blocks()
        head = b""
        for block in blocks:
            head += block
            if head.strip(_WHITESPACE):
                break
        form = self.form
        is_array = form in ("auto", "json") and head.lstrip(_WHITESPACE).startswith(b"[")
        blocks_from_head = _prepend(head, blocks)
        items: Iterator[Item]
        if form == "json" and not is_array:
            items = self._whole(blocks_from_head)
        elif is_array:
            items = self._array(blocks_from_head)
        elif form == "ndjson":
            items = (Lines(number, lines) for number, lines in _numbered(blocks_from_head))
        else:
            items = self._stream(blocks_from_head)
        yield from _after_bom(items) if self.bom else items

    def _whole(self, blocks: Iterable[bytes]) -> Iterator[Item]:
        data = b"".join(blocks)
        content = data.lstrip(_WHITESPACE)
        if content:
            offset = len(data) - len(content)
            line_start = data.rfind(b"\n", 0, offset) + 1
            yield Record(data[line_start:].rstrip(b"\n"), data.count(b"\n", 0, line_start) + 1)

    def _stream(self, blocks: Iterable[bytes]) -> Iterator[Item]:
        scanner = _Stream()
        number, last = 1, b""
        for block in blocks:
            lines = _lines(block)
            if scanner.fresh and self.judge_blocks and _one_text_per_line(block):
                yield Lines(number, lines)
            else:
                for offset, line in enumerate(lines):
                    yield from scanner.scan(number + offset, line)
            number += len(lines)
            last = block
        yield from scanner.end(last.endswith(b"\n"))

    def _array(self, blocks: Iterable[bytes]) -> Iterator[Item]:
        scanner = _Array()
        number, last = 1, b""
        for block in blocks:
            lines = _lines(block)
            for offset, line in enumerate(lines):
                yield from scanner.scan(number + offset, line)
                if scanner.trailing:
                    return  # text after the array: said once, the rest is not read
            number += len(lines)
            last = block
        # End of input: after a final line end it is the next line's column 0, as the parser says.
        if last.endswith(b"\n") or not last:
            yield from scanner.end(number, 0)
        else:
            yield from scanner.end(number - 1, len(last) - last.rfind(b"\n") - 1)


def _without_cr(block: bytes) -> bytes:
    """`\\r\\n` made `\\n`; a `\\r` is looked for first, far cheaper than a replace that finds none."""
    return block.replace(b"\r\n", b"\n") if b"\r" in block else block


def _lines(block: bytes) -> list[bytes]:
    lines = block.split(b"\n")
    if lines[-1] == b"":
        lines.pop()
    return lines


def _numbered(blocks: Iterable[bytes]) -> Iterator[tuple[int, list[bytes]]]:
    """Each block's lines, with the number of its first line."""
    number = 1
    for block in blocks:
        lines = _lines(block)
        yield number, lines
        number += len(lines)


def _after_bom(items: Iterator[Item]) -> Iterator[Item]:
    """`items` placed in the file of an input that starts with a byte order mark: the columns of
    line 1 count its 3 bytes, as the file's byte columns do (line 1 of a `Lines` run becomes a
    `Record` at column 3)."""
    for item in items:
        if isinstance(item, Lines) and item.first_line == 1:
            yield Record(item.lines[0], 1, len(_BOM))
            if len(item.lines) > 1:
                yield Lines(2, item.lines[1:])
        elif isinstance(item, Record) and item.line == 1:
            yield Record(item.text, 1, item.column + len(_BOM), item.index)
        elif isinstance(item, Problem) and item.line == 1:
            yield Problem(1, item.column + len(_BOM), item.msg)
        else:
            yield item


def _prepend(head: bytes, blocks: Iterator[bytes]) -> Iterator[bytes]:
    if head:
        yield head
    yield from blocks
