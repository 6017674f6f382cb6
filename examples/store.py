"""The example receiver's store: an append-only event log and a projection of each record's current state.

`EventStore` is the interface the receiver uses (three operations); `SqliteEventStore` is the
embedded implementation, and the only place that knows SQL. The rules of the projection are not the
store's: `apply_event` is a pure function every implementation calls, so two stores given the same
events agree.

The rules:

- The log keeps every accepted event once per idempotency key; a redelivery changes nothing.
- The projection moves forward in event time, field by field. Each top-level field of a record
  holds the value of the newest event (in event time) that carried it; a field an event does not
  carry keeps its stored value (an absent field is unknown, not null; an explicit `null` is a
  value). A late, older event is logged and fills only the fields no newer event set.
- Ties are broken by the idempotency key: events are ordered by `(event time, key)`. The key is
  arbitrary, but the order is then the same whatever the order of arrival, so the projection is
  always what a serial replay of the log in that order gives.
- `*.deleted` marks the record deleted; a newer event of the same record (in event time) marks it
  live again.

```python
from datetime import UTC, datetime
from examples.store import LoggedEvent, apply_event

def event(key: str, hour: int, **fields: object) -> LoggedEvent:
    when = datetime(2025, 6, 2, hour, tzinfo=UTC)
    return LoggedEvent(key, "ats_jobs.updated", "job", "j1", when, when, dict(fields), {})

newer = apply_event(None, event("b", 10, title="Engineer", job_status={"value": "open"}))
state = apply_event(newer, event("a", 9, job_status={"value": "on_hold"}, location="Paris"))
assert state.fields == {"title": "Engineer", "job_status": {"value": "open"}, "location": "Paris"}
```
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterator, Mapping
from contextlib import closing, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final, Literal, Protocol

RecordKind = Literal["job", "job_posting"]
"""The records the projection keeps: jobs (`ats_jobs.*`) and job postings (`ats_job_postings.*`)."""

Version = tuple[str, str]
"""Where an event stands in the projection's order: `(event time as UTC text, idempotency key)`."""


def utc_text(moment: datetime) -> str:
    """An aware time as fixed-width UTC text, so that the text sorts as the times compare.

    A time too close to year 1 or 9999 to be moved to UTC is clamped to the first or last moment.

    ```python
    from datetime import datetime, timedelta, timezone
    from examples.store import utc_text

    assert utc_text(datetime(2025, 6, 2, 11, 30, tzinfo=timezone(timedelta(hours=2)))) == "2025-06-02T09:30:00.000000Z"
    assert utc_text(datetime(1, 1, 1, tzinfo=timezone(timedelta(hours=1)))) == "0001-01-01T00:00:00.000000Z"
    ```
    """
    try:
        utc = moment.astimezone(UTC)
    except OverflowError:
        utc = datetime.min.replace(tzinfo=UTC) if moment.year == 1 else datetime.max.replace(tzinfo=UTC)
    return utc.replace(tzinfo=None).isoformat(timespec="microseconds") + "Z"


def parse_utc_text(text: str) -> datetime:
    """The aware time `utc_text` wrote."""
    return datetime.fromisoformat(text.removesuffix("Z")).replace(tzinfo=UTC)


@dataclass(frozen=True)
class LoggedEvent:
    """One accepted event, as the log keeps it.

    Attributes:
        key: the delivery's idempotency key: the log holds each key once.
        event: the event type (`ats_jobs.updated`, ...).
        kind: the record the event is about, or `None` for an event the projection ignores.
        record_id: that record's id (the record's `id`, else the envelope's `record_id`), or `None`.
        event_time: when the change happened (`event_date`, else `sent_at`, else receipt).
        received_at: when the receiver got it.
        fields: the record's top-level fields the event carries, as JSON; absent ones are absent.
        body: the whole event as validated, as JSON.
    """

    key: str
    event: str
    kind: RecordKind | None
    record_id: str | None
    event_time: datetime
    received_at: datetime
    fields: Mapping[str, Any]
    body: Mapping[str, Any]

    @property
    def version(self) -> Version:
        return (utc_text(self.event_time), self.key)

    @property
    def deletes(self) -> bool:
        return self.event.endswith(".deleted")


@dataclass(frozen=True)
class RecordState:
    """The projection of one record: every field as last set, and where each came from.

    Attributes:
        kind, id: the record.
        fields: each top-level field, from the newest event (in event time) that carried it.
        versions: for each field, the `Version` of the event it came from.
        latest: the `Version` of the newest event applied.
        deleted: whether the newest event applied was a `*.deleted` one.
    """

    kind: RecordKind
    id: str
    fields: Mapping[str, Any]
    versions: Mapping[str, Version]
    latest: Version
    deleted: bool

    @property
    def event_time(self) -> datetime:
        """The event time of the newest event applied."""
        return parse_utc_text(self.latest[0])

    def to_json(self) -> str:
        state = {"fields": self.fields, "versions": self.versions, "latest": self.latest, "deleted": self.deleted}
        return json.dumps(state, ensure_ascii=False, separators=(",", ":"))

    @classmethod
    def from_json(cls, kind: RecordKind, record_id: str, text: str) -> RecordState:
        state = json.loads(text)
        versions = {name: (time, key) for name, (time, key) in state["versions"].items()}
        latest = (state["latest"][0], state["latest"][1])
        return cls(kind, record_id, state["fields"], versions, latest, state["deleted"])


def apply_event(state: RecordState | None, event: LoggedEvent) -> RecordState:
    """The projection after `event`: each field it carries wins over an older one; the rest stay.

    The result does not depend on the order events are applied in (each field keeps the value of
    its greatest `Version`), so applying the log in any order gives the serial replay's state.
    """
    if event.kind is None or event.record_id is None:
        raise ValueError("only an event about a job or a job posting is applied to the projection")
    version = event.version
    if state is None:
        state = RecordState(event.kind, event.record_id, {}, {}, version, event.deletes)
    fields = dict(state.fields)
    versions = dict(state.versions)
    for name, value in event.fields.items():
        if name not in versions or versions[name] < version:
            fields[name] = value
            versions[name] = version
    newest = version >= state.latest
    return RecordState(
        state.kind,
        state.id,
        fields,
        versions,
        version if newest else state.latest,
        event.deletes if newest else state.deleted,
    )


class EventStore(Protocol):
    """What the receiver needs of a store. Implement these three methods on your own database.

    `append` must be atomic: the event is logged and the projection updated (with `apply_event`) in
    one transaction, or neither; and two deliveries of one key at the same time log it once (a
    unique constraint on the key does that).
    """

    def append(self, event: LoggedEvent) -> bool:
        """Log `event` and apply it to the projection, unless its key is logged already.

        Returns whether it was new; a known key changes nothing.
        """
        ...

    def current(self, kind: RecordKind, record_id: str) -> RecordState | None:
        """The projection of one record, or `None` when no event about it was logged."""
        ...

    def history(self, kind: RecordKind, record_id: str) -> list[LoggedEvent]:
        """Every logged event about one record, oldest first by `(event time, key)`."""
        ...


_SCHEMA_VERSION: Final = 1
_SCHEMA: Final = """
CREATE TABLE events (
    seq INTEGER PRIMARY KEY,        -- order of arrival
    key TEXT NOT NULL UNIQUE,       -- the idempotency key: each event once
    event TEXT NOT NULL,
    kind TEXT,                      -- 'job', 'job_posting' or NULL
    record_id TEXT,
    event_time TEXT NOT NULL,       -- fixed-width UTC text (utc_text): sorts as the times compare
    received_at TEXT NOT NULL,
    fields TEXT NOT NULL,           -- the record's fields the event carries, JSON
    body TEXT NOT NULL              -- the whole event as validated, JSON
);
CREATE INDEX events_by_record ON events (kind, record_id, event_time, key);
CREATE TABLE records (
    kind TEXT NOT NULL,
    id TEXT NOT NULL,
    state TEXT NOT NULL,            -- RecordState.to_json()
    PRIMARY KEY (kind, id)
);
"""


@dataclass
class _Pending:
    """A delivery waiting for the commit that logs it."""

    event: LoggedEvent
    done: bool = False
    new: bool = False
    error: BaseException | None = None


@dataclass
class SqliteEventStore:
    """`EventStore` in one SQLite file (write-ahead log; readers never wait for the writer).

    Writes are committed in groups: a delivery that arrives while a commit is being written waits
    for it, and the next commit writes every delivery that waited, in order of arrival, in one
    transaction. Each delivery is answered only once its commit is on disk (`synchronous=FULL`),
    and one disk flush serves many concurrent deliveries instead of one each.

    ```python
    import tempfile
    from datetime import UTC, datetime
    from pathlib import Path
    from examples.store import LoggedEvent, SqliteEventStore

    store = SqliteEventStore(Path(tempfile.mkdtemp()) / "events.db")
    now = datetime(2025, 6, 2, 9, tzinfo=UTC)
    event = LoggedEvent("k1", "ats_jobs.created", "job", "j1", now, now, {"id": "j1", "title": "Engineer"}, {})
    assert store.append(event) is True
    assert store.append(event) is False  # once per key
    assert store.current("job", "j1").fields == {"id": "j1", "title": "Engineer"}
    assert [logged.key for logged in store.history("job", "j1")] == ["k1"]
    ```
    """

    path: Path
    timeout_seconds: float = 30.0
    _lock: threading.Condition = field(default_factory=threading.Condition, init=False, repr=False)
    _queue: list[_Pending] = field(default_factory=list, init=False, repr=False)
    _writing: bool = field(default=False, init=False, repr=False)

    def __post_init__(self) -> None:
        with closing(self._connect()) as connection:
            connection.execute("PRAGMA journal_mode=WAL")
            connection.execute("BEGIN IMMEDIATE")
            version = connection.execute("PRAGMA user_version").fetchone()[0]
            tables = connection.execute("SELECT count(*) FROM sqlite_master WHERE type = 'table'").fetchone()[0]
            if version == 0 and tables == 0:
                for statement in _SCHEMA.split(";"):
                    if statement.strip():
                        connection.execute(statement)
                connection.execute(f"PRAGMA user_version = {_SCHEMA_VERSION}")
                version = _SCHEMA_VERSION
            connection.execute("COMMIT")
        if version != _SCHEMA_VERSION:
            raise RuntimeError(
                f"{self.path} was not written by this receiver (schema {version}, expected {_SCHEMA_VERSION}):"
                " move it away or point JOBSTATUS_DB at another file"
            )

    def _connect(self) -> sqlite3.Connection:
        # Autocommit (isolation_level=None): each transaction is begun explicitly. One connection per
        # use: the routes run in a thread pool, and a sqlite3 connection must not cross threads.
        connection = sqlite3.connect(self.path, timeout=self.timeout_seconds, isolation_level=None)
        connection.execute("PRAGMA synchronous=FULL")  # a delivery is answered 200 only once on disk
        return connection

    def append(self, event: LoggedEvent) -> bool:
        pending = _Pending(event)
        with self._lock:
            self._queue.append(pending)
            while self._writing and not pending.done:
                self._lock.wait()
            if pending.done:  # written by another thread's commit
                return self._outcome(pending)
            # No commit is being written: this thread writes one, for every delivery that waits.
            batch, self._queue, self._writing = self._queue, [], True
        try:
            self._write(batch)
        finally:
            with self._lock:
                self._writing = False
                self._lock.notify_all()
        return self._outcome(pending)

    @staticmethod
    def _outcome(pending: _Pending) -> bool:
        if pending.error is not None:
            raise pending.error
        return pending.new

    def _write(self, batch: list[_Pending]) -> None:
        try:
            with self._transaction() as db:
                for pending in batch:
                    pending.new = self._append(db, pending.event)
        except BaseException as error:  # every delivery of the batch fails with it; none is answered 200
            for pending in batch:
                pending.error = error
            raise
        finally:
            for pending in batch:
                pending.done = True

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        with closing(self._connect()) as db:
            # BEGIN IMMEDIATE takes the write lock before anything is read, so the transaction never
            # has to upgrade a read lock (which SQLite may refuse at once to avoid a deadlock).
            # Writers in other processes are waited for up to `timeout_seconds`.
            db.execute("BEGIN IMMEDIATE")
            try:
                yield db
            except BaseException:
                db.execute("ROLLBACK")
                raise
            db.execute("COMMIT")

    @staticmethod
    def _append(db: sqlite3.Connection, event: LoggedEvent) -> bool:
        inserted = db.execute(
            "INSERT INTO events (key, event, kind, record_id, event_time, received_at, fields, body)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (key) DO NOTHING",
            (
                event.key,
                event.event,
                event.kind,
                event.record_id,
                utc_text(event.event_time),
                utc_text(event.received_at),
                json.dumps(event.fields, ensure_ascii=False),
                json.dumps(event.body, ensure_ascii=False),
            ),
        ).rowcount
        if not inserted:
            return False
        if event.kind is not None and event.record_id is not None:
            row = db.execute(
                "SELECT state FROM records WHERE kind = ? AND id = ?", (event.kind, event.record_id)
            ).fetchone()
            before = None if row is None else RecordState.from_json(event.kind, event.record_id, row[0])
            after = apply_event(before, event)
            db.execute(
                "INSERT INTO records (kind, id, state) VALUES (?, ?, ?)"
                " ON CONFLICT (kind, id) DO UPDATE SET state = excluded.state",
                (after.kind, after.id, after.to_json()),
            )
        return True

    def current(self, kind: RecordKind, record_id: str) -> RecordState | None:
        with closing(self._connect()) as db:
            row = db.execute("SELECT state FROM records WHERE kind = ? AND id = ?", (kind, record_id)).fetchone()
        return None if row is None else RecordState.from_json(kind, record_id, row[0])

    def history(self, kind: RecordKind, record_id: str) -> list[LoggedEvent]:
        with closing(self._connect()) as db:
            rows = db.execute(
                "SELECT key, event, event_time, received_at, fields, body FROM events"
                " WHERE kind = ? AND record_id = ? ORDER BY event_time, key",
                (kind, record_id),
            ).fetchall()
        return [
            LoggedEvent(key, event, kind, record_id, parse_utc_text(time), parse_utc_text(received), json.loads(fields),
                        json.loads(body))
            for key, event, time, received, fields, body in rows
        ]  # fmt: skip

    def keys(self) -> list[str]:
        """Every logged idempotency key, in order of arrival (for tests and inspection)."""
        with closing(self._connect()) as db:
            return [key for (key,) in db.execute("SELECT key FROM events ORDER BY seq")]
