"""The command line's reader (jobstatus/_reader.py): where each text starts and ends, in every format."""

from __future__ import annotations

import io
import re
from typing import Any

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from pydantic import TypeAdapter, ValidationError
from pydantic_core import from_json

from fuzz.reader_targets import _read, _texts, reader_target
from jobstatus._reader import MAX_DEPTH, Lines, Problem, Reader, Record, _one_text_per_line, relocate

STREAMS = [
    # (input, texts as (line, column, text)), read as --format auto
    (b'{"value": "open"}\n\n  {"value": 5}\n', [(1, 0, b'{"value": "open"}'), (3, 2, b'{"value": 5}')]),
    # jq's default output: pretty-printed values, one after another
    (b'{\n  "value": "open"\n}\n{\n  "a": [\n    1\n  ]\n}\n',
     [(1, 0, b'{\n  "value": "open"\n}'), (4, 0, b'{\n  "a": [\n    1\n  ]\n}')]),
    # values written one after another on a line (`cat` of files without a final line end)
    (b'{"a": 1}{"b": 2} [3]\n', [(1, 0, b'{"a": 1}'), (1, 8, b'{"b": 2}'), (1, 17, b"[3]")]),
    # anything else after a value stays with it, for the parser to refuse
    (b'{},{}\n{} x {}\n"s" {}\n', [(1, 0, b"{},{}"), (2, 0, b"{} x {}"), (3, 0, b'"s" {}')]),
    # a truncated line, then the next record: the truncated line is one text
    (b'{"value": "open"\n{"value": "draft"}\n', [(1, 0, b'{"value": "open"'), (2, 0, b'{"value": "draft"}')]),
    (b'{"a": [1, 2\n[3]\n', [(1, 0, b'{"a": [1, 2'), (2, 0, b"[3]")]),
    # ... but where a value may go, the next line goes on (here: an object in an array)
    (b'{"a": [\n{"b": 1}\n]}\n', [(1, 0, b'{"a": [\n{"b": 1}\n]}')]),
    # a string ends with its line
    (b'{"a": "x\n}\n', [(1, 0, b'{"a": "x\n}')]),
    # stray closing brackets and bare words are one text per line
    (b"}\n]]\nnope\n", [(1, 0, b"}"), (2, 0, b"]]"), (3, 0, b"nope")]),
    # brackets and escaped quotes inside strings are not structure
    (b'{"a": "}{\\"[", "b": 1}\n', [(1, 0, b'{"a": "}{\\"[", "b": 1}')]),
    # CRLF, and a byte order mark at the start: line 1's columns are the file's, the mark's 3 bytes counted
    (b'\xef\xbb\xbf{"a":\r\n1}\r\n{}\r\n', [(1, 3, b'{"a":\n1}'), (3, 0, b"{}")]),
    # a truncated value at the end
    (b'\n{\n  "a": {"b": 3\n', [(2, 0, b'{\n  "a": {"b": 3')]),
    (b"", []),
    (b"  \n\n\t\n", []),
]  # fmt: skip


@pytest.mark.parametrize(("data", "expected"), STREAMS)
def test_streams(data: bytes, expected: list[tuple[int, int, bytes]]) -> None:
    got = [(line, column, text) for line, column, text, _ in _texts(_read(data, "auto"))]
    assert got == [(line, column, text.strip()) for line, column, text in expected]
    reader_target(data)  # and the fuzz target's checks hold


ARRAYS = [
    # (input, items)
    (b'[\n  {"value": "open"},\n  {"value": 3}\n]\n',
     [Record(b'{"value": "open"}', 2, 2, 0), Record(b'{"value": 3}\n', 3, 2, 1)]),
    (b'[{"a": "],[{\\""}, {"b": ",]"}]', [Record(b'{"a": "],[{\\""}', 1, 1, 0), Record(b'{"b": ",]"}', 1, 18, 1)]),
    # an empty element is its separator, for the parser to say what it expected instead
    (b"[1,,2]", [Record(b"1", 1, 1, 0), Record(b",", 1, 3, 1), Record(b"2", 1, 4, 2)]),
    # a comma before the `]` is the array's own error, as the parser says it
    (b"[1,]", [Record(b"1", 1, 1, 0), Problem(1, 4, "Invalid JSON: trailing comma")]),
    (b"[1,\n ]\n", [Record(b"1", 1, 1, 0), Problem(2, 2, "Invalid JSON: trailing comma")]),
    (b"  []  \n", []),
    # the frame's own errors, at the end: no `]`, or text after it
    # after a final line end the parser's position is the next line's column 0; after a comma it
    # was reading a value
    # an element cut by the end of the input runs to it, its final line end included
    (b'[{"a": 1}\n', [Record(b'{"a": 1}\n', 1, 1, 0), Problem(2, 0, "Invalid JSON: EOF while parsing a list")]),
    (b'[{"a": 1},\n', [Record(b'{"a": 1}', 1, 1, 0), Problem(2, 0, "Invalid JSON: EOF while parsing a value")]),
    (b'[{"a": 1}, ', [Record(b'{"a": 1}', 1, 1, 0), Problem(1, 11, "Invalid JSON: EOF while parsing a value")]),
    # an element the end cut short: its own error is the parser's, and the frame adds none
    (b'[1, {"a": "x', [Record(b"1", 1, 1, 0), Record(b'{"a": "x', 1, 4, 1)]),
    (b"[1]\n{}\n{}\n", [Record(b"1", 1, 1, 0), Problem(2, 1, "Invalid JSON: trailing characters")]),
]  # fmt: skip


@pytest.mark.parametrize(("data", "expected"), ARRAYS)
def test_arrays(data: bytes, expected: list[Any]) -> None:
    assert _read(data, "auto") == expected
    reader_target(data)


_ANY: TypeAdapter[Any] = TypeAdapter(Any)
_SPACE = st.sampled_from([b"", b" ", b"\t", b"\n", b"\r\n", b"  \n  ", b"\n\n"])
_ELEMENT = st.sampled_from([b"1", b'"a\\"],["', b'{"a": [1, {}]}', '"\u00e9t\u00e9"'.encode(), b"[]", b"null"])


@st.composite
def _arrays(draw: st.DrawFn) -> bytes:
    """An array of valid elements whose frame may be broken: a comma before `]`, no `]`, text after it."""
    parts = [draw(_SPACE), b"["]
    count = draw(st.integers(0, 3))
    for number in range(count):
        parts += [draw(_SPACE), draw(_ELEMENT), draw(_SPACE)]
        if number < count - 1 or draw(st.booleans()):
            parts.append(b",")
    parts += [draw(_SPACE), draw(st.sampled_from([b"", b"]", b"] x", b"]\n"]))]
    return (b"\xef\xbb\xbf" if draw(st.booleans()) else b"") + b"".join(parts)


@given(data=_arrays(), block_size=st.sampled_from([1, 3, 1 << 18]))
def test_the_frames_error_is_the_parsers_own(data: bytes, block_size: int) -> None:
    # The parser's first error over the whole input, message and position alike, is the reader's
    # first Problem: the file's line and column, never the element's.
    expected = _in_the_file(data)
    problems = [item for item in Reader(io.BytesIO(data), block_size=block_size) if isinstance(item, Problem)]
    got = f"{problems[0].msg} at line {problems[0].line} column {problems[0].column}" if problems else None
    assert got == expected


def _in_the_file(data: bytes) -> str | None:
    """The parser's first error on the whole input, at the file's byte column: pydantic refuses a
    byte order mark, so it parses the input without one, and line 1's columns count its 3 bytes."""
    bom = data.startswith(b"\xef\xbb\xbf")
    try:
        _ANY.validate_json(data.removeprefix(b"\xef\xbb\xbf"))
    except ValidationError as error:
        message: str = error.errors()[0]["msg"]
        return relocate(message, 1, 3) if bom else message
    return None


_CUT = st.sampled_from(
    [
        b'{"value": "open", "source_value": {"id": [1, 2.5, null, true]}}',
        b'[{"a": "x\\"y"}, [], "z"]',
        b'{\n  "value": "on hold",\n  "n": [\n    1,\n    {}\n  ]\n}',
    ]
)


@st.composite
def _cut_by_the_end(draw: st.DrawFn) -> bytes:
    """A value (alone, or the last element of an array) cut short by the end of the input, then
    maybe blank lines; CRLF or LF; maybe a byte order mark."""
    value = draw(_CUT)
    cut = value[: draw(st.integers(1, len(value) - 1))]
    lead = draw(st.sampled_from([b"", b"[", b'[{"value": "open"},', b"[1,\n  "]))
    data = draw(_SPACE) + lead + cut + draw(st.sampled_from([b"", b"\n", b" \n", b"\n\n", b"\n \n"]))
    if draw(st.booleans()):
        # Cut inside a string, a number or a word on a CRLF line, the parser of the whole file stops
        # at the `\r`, which the reader's texts do not hold (`\r\n` is a line end): not compared.
        assume(re.sub(rb"\\.", b"", cut).count(b'"') % 2 == 0 and cut.rstrip()[-1:] in b'{}[],:"')
        data = data.replace(b"\n", b"\r\n")
    return (b"\xef\xbb\xbf" if draw(st.booleans()) else b"") + data


@given(data=_cut_by_the_end(), block_size=st.sampled_from([1, 5, 1 << 18]))
def test_a_text_cut_by_the_end_is_placed_as_the_parser_places_it(data: bytes, block_size: int) -> None:
    # The first error the command line reports (the text cut short, placed in the file; or, when no
    # element is cut, the frame's) is the parser's first error on the whole file. An EOF of the frame is
    # placed where the text's EOF is.
    expected = _in_the_file(data)
    assert expected is not None
    items = list(Reader(io.BytesIO(data), block_size=block_size))
    records = [item for item in items if isinstance(item, Record)]
    problems = [f"{item.msg} at line {item.line} column {item.column}" for item in items if isinstance(item, Problem)]
    first = problems[0] if problems else None
    if records:
        try:
            _ANY.validate_json(records[-1].text)
        except ValidationError as error:  # else the last element is whole: the array is what was cut
            first = relocate(error.errors()[0]["msg"], records[-1].line, records[-1].column)
    assert first == expected
    if "EOF while parsing" in expected:
        assert [problem.split(" at ")[1] for problem in problems] == [expected.split(" at ")[1]] * len(problems)


FORMATS = [
    # (input, format, items)
    (b"[1]\n[2]\n", "stream", [Lines(1, [b"[1]", b"[2]"])]),
    (b'{"a":\n1}\n', "ndjson", [Lines(1, [b'{"a":', b"1}"])]),
    (b'\n{"a": 1}\n{"b": 2}\n', "json", [Record(b'{"a": 1}\n{"b": 2}', 2)]),
    (b"[1, 2]", "json", [Record(b"1", 1, 1, 0), Record(b"2", 1, 4, 1)]),
    (b" \n ", "json", []),
]


@pytest.mark.parametrize(("data", "form", "expected"), FORMATS)
def test_formats(data: bytes, form: Any, expected: list[Any]) -> None:
    assert _read(data, form) == expected


def test_whole_blocks_of_ndjson_are_one_run() -> None:
    data = b'{"value": "open"}\n' * 1000
    assert _read(data, "auto") == [Lines(1, [b'{"value": "open"}'] * 1000)]


def test_max_depth_is_the_parsers() -> None:
    from_json(b"[" * MAX_DEPTH + b"]" * MAX_DEPTH)
    with pytest.raises(ValueError, match="recursion limit exceeded"):
        from_json(b"[" * (MAX_DEPTH + 1) + b"]" * (MAX_DEPTH + 1))


def test_a_value_nested_deeper_than_the_parser_reads_ends_with_its_line() -> None:
    data = b"[" * (MAX_DEPTH + 1) + b"\n{}\n"
    assert [text for *_, text, _ in _texts(_read(data, "stream"))] == [b"[" * (MAX_DEPTH + 1), b"{}"]
    shallow = b"[" * MAX_DEPTH + b"\n{}\n"  # not deeper: the next line goes on
    assert len(_texts(_read(shallow, "stream"))) == 1


class Failing(io.RawIOBase):
    """Gives its data in one read, then fails as a broken device does."""

    def __init__(self, data: bytes) -> None:
        self.data = data

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        if not self.data:
            raise OSError(5, "Input/output error")
        size = len(self.data)
        buffer[:size], self.data = self.data, b""
        return size


def test_a_read_error_keeps_what_was_read() -> None:
    reader = Reader(io.BufferedReader(Failing(b'{"a": 1}\n{"b"')))
    assert list(reader) == [Lines(1, [b'{"a": 1}']), Record(b'{"b"', 2)]
    assert isinstance(reader.error, OSError)
    assert reader.error.errno == 5


def test_a_byte_order_mark_split_over_reads() -> None:
    # line 1 is then a record of its own, at column 3: the file's byte column
    assert _read(b'\xef\xbb\xbf{"a": 1}\n{}\n', "auto", block_size=1) == [Record(b'{"a": 1}', 1, 3), Lines(2, [b"{}"])]


BOMS = [
    # (input, format, items): after a byte order mark, line 1's columns count its 3 bytes
    (b'\xef\xbb\xbf[{"value":"open"}, {"value" "x"}]', "auto",
     [Record(b'{"value":"open"}', 1, 4, 0), Record(b'{"value" "x"}', 1, 22, 1)]),
    (b"\xef\xbb\xbf[1,]", "auto", [Record(b"1", 1, 4, 0), Problem(1, 7, "Invalid JSON: trailing comma")]),
    (b'\xef\xbb\xbf{"a": 1}\n{"b": 2}\n', "ndjson", [Record(b'{"a": 1}', 1, 3), Lines(2, [b'{"b": 2}'])]),
    (b'\xef\xbb\xbf{"a": 1}\n', "ndjson", [Record(b'{"a": 1}', 1, 3)]),
    (b'\xef\xbb\xbf {"a":\n1}', "json", [Record(b' {"a":\n1}', 1, 3)]),
    (b'\xef\xbb\xbf\n{"a": 1}', "json", [Record(b'{"a": 1}', 2)]),
    (b'\xef\xbb\xbf{}{}\n{}{}\n', "stream",
     [Record(b"{}", 1, 3), Record(b"{}", 1, 5), Record(b"{}", 2), Record(b"{}", 2, 2)]),
]  # fmt: skip


@pytest.mark.parametrize(("data", "form", "expected"), BOMS)
def test_a_byte_order_mark_counts_in_line_1s_columns(data: bytes, form: Any, expected: list[Any]) -> None:
    assert _read(data, form) == expected


RELOCATIONS = [
    # (message, text's line, text's column, message in the file)
    ("Invalid JSON: expected value at line 1 column 1", 4, 0, "Invalid JSON: expected value at line 4 column 1"),
    ("Invalid JSON: expected value at line 1 column 1", 4, 10, "Invalid JSON: expected value at line 4 column 11"),
    ("Invalid JSON: EOF while parsing a list at line 3 column 0", 4, 10,
     "Invalid JSON: EOF while parsing a list at line 6 column 0"),
    ("Input should be a valid string", 4, 10, "Input should be a valid string"),
]  # fmt: skip


@pytest.mark.parametrize(("message", "line", "column", "expected"), RELOCATIONS)
def test_relocate(message: str, line: int, column: int, expected: str) -> None:
    assert relocate(message, line, column) == expected


# Peak memory of reading one long line, in a child process (tests/helpers.py): a line of many tiny
# values against a line of the same length holding one long string. Both hold the line; neither may
# hold a piece per quote (before the judgement was windowed, 2 MB of `{"value":"open"}` peaked 38 MB
# over the reference: a bytes object per quote).
_READ = "for item in Reader(io.BytesIO(data)):\n    pass"
_LONG_LINES = {
    "values one after another": "data = b'{\"value\":\"open\"}' * 125_000 + b'\\n'",
    "escaped values one after another": "data = b'{\"value\":\"op\\\\\\\\en\"}' * 111_111 + b'\\n'",
    "many strings in one value": "data = b'{\"source_value\": [' + b'\"a\",' * 500_000 + b'\"a\"]}\\n'",
}


@pytest.mark.parametrize("name", list(_LONG_LINES))
def test_a_long_line_costs_the_line_not_a_piece_per_quote(name: str) -> None:
    from helpers import peak_and_cpu

    setup = "import io\nfrom jobstatus._reader import Reader\n" + _LONG_LINES[name]
    reference = setup + "\ndata = b'{\"source_value\": \"' + b'x' * (len(data) - 21) + b'\"}\\n'"
    base_memory, _ = peak_and_cpu(reference, _READ)
    memory, _ = peak_and_cpu(setup, _READ)
    assert memory < base_memory + 3 * 1024, (memory, base_memory)


_X = b"x" * 100_000  # longer than a window of the judgement
LONG_LINES = [
    # (input, whether the judgement keeps it one text per line), each read as the scanner reads it
    (b'{"a": "' + _X + b'"}\n{"b": [1, {}]}\n', True),
    (b'{"a": "\\"' + _X + b'", "b": [1]}\n', True),
    (b'{"a": "\\"", "b": [1, 2]}\n' * 10_000, True),
    (b'{"a": "x\\\\", "b": "]"}' * 10_000 + b"\n", False),  # values one after another on one line
    (b'{"a": "' + _X + b"\n}\n", False),  # a long string open at its line's end
    (b'{"a": "\\"' + _X + b"\n}\n", False),
]


@pytest.mark.parametrize(("data", "one_per_line"), LONG_LINES)
def test_the_judgement_of_long_lines_is_the_scanners(data: bytes, one_per_line: bool) -> None:
    items = _read(data, "auto")
    assert all(isinstance(item, Lines) for item in items) == one_per_line
    assert _texts(items) == _texts(_read(data, "auto", judge_blocks=False))


# The block judgement's two ways (deleting the pairs of quotes, or the windows when a string holds a
# bracket or the block an escape): yes only where every line is one text.
JUDGED = [
    (b'{"value": "open", "source_value": 3}\n[1, {"a": []}]\n', True),
    (b'{"value": "Closed [filled]"}\n{"value": "open {x}"}\n', True),  # brackets in strings: windows
    (b'{"value": "a\\"b"}\n', True),  # an escape: windows
    (b'{"value": "open"}{"value": "draft"}\n', False),  # two values on a line
    (b'{"value": "open"},{}\n', False),
    (b'{\n  "value": "open"\n}\n', False),  # one value over lines
    (b'{"value": "open\n"}\n', False),  # a string open at its line's end
    (b'{"value": "[open\n"}\n', False),
    (b'{"value": "op\\"en\n', False),
]


@pytest.mark.parametrize(("block", "one_each"), JUDGED)
def test_a_block_is_judged_one_text_per_line_only_when_it_is(block: bytes, one_each: bool) -> None:
    assert _one_text_per_line(block) is one_each
    assert _texts(_read(block, "auto")) == _texts(_read(block, "auto", judge_blocks=False))
