"""Index files on disk: ``<kind>.faiss`` plus ``<kind>.json`` metadata, written atomically.

Each file is written to a temporary file in the same directory, flushed and
fsynced, then renamed over the old one (``os.replace`` is atomic); the
directory is fsynced so the rename survives a power cut. The metadata is
written last and records the index file's size and sha256, so an index file
that does not belong to its metadata (a crash between the two renames, a
truncated copy, bit rot) is recognised and rebuilt, never searched.
"""

from __future__ import annotations

import hashlib
import json
import os
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, BinaryIO

FORMAT_VERSION = 1
TEMP_SUFFIX = ".tmp"


class MetadataUnreadable(Exception):
    """The metadata file is missing fields, is not JSON, or has another format version."""


@dataclass(frozen=True)
class IndexMeta:
    """What ``<kind>.json`` says about ``<kind>.faiss``."""

    kind: str
    model_id: str           # embedder that built the vectors
    dimension: int
    count: int              # vectors in the index
    db_version: int         # knowledge.db.get_version(kind) when the rows were read
    index_type: str         # "flat-ip" (exact) or "hnsw-ip" (approximate)
    built_at: str           # ISO 8601, UTC
    index_bytes: int        # size of the .faiss file
    index_sha256: str       # digest of the .faiss file
    format_version: int = FORMAT_VERSION

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False, indent=2)

    @classmethod
    def from_json(cls, text: str) -> IndexMeta:
        try:
            data: Any = json.loads(text)
            if not isinstance(data, dict):
                raise MetadataUnreadable("not a JSON object")
            if data.get("format_version") != FORMAT_VERSION:
                raise MetadataUnreadable(f"format version {data.get('format_version')!r}, expected {FORMAT_VERSION}")
            return cls(
                kind=str(data["kind"]),
                model_id=str(data["model_id"]),
                dimension=int(data["dimension"]),
                count=int(data["count"]),
                db_version=int(data["db_version"]),
                index_type=str(data["index_type"]),
                built_at=str(data["built_at"]),
                index_bytes=int(data["index_bytes"]),
                index_sha256=str(data["index_sha256"]),
            )
        except MetadataUnreadable:
            raise
        except (ValueError, KeyError, TypeError) as exc:
            raise MetadataUnreadable(f"{type(exc).__name__}: {exc}") from exc


@dataclass(frozen=True)
class IndexPaths:
    index: Path
    meta: Path

    lock: Path

    @classmethod
    def of(cls, directory: Path, kind: str) -> IndexPaths:
        return cls(index=directory / f"{kind}.faiss", meta=directory / f"{kind}.json", lock=directory / f".{kind}.lock")


def file_digest(path: Path) -> tuple[int, str]:
    """(size in bytes, sha256 hex) of a file, read in 1 MiB blocks."""
    with path.open("rb") as handle:
        return stream_digest(handle)


def stream_digest(handle: BinaryIO) -> tuple[int, str]:
    """(size, sha256 hex) of what is left to read in ``handle``."""
    digest = hashlib.sha256()
    size = 0
    while block := handle.read(1 << 20):
        digest.update(block)
        size += len(block)
    return size, digest.hexdigest()


def write_atomically(path: Path, write: Callable[[Path], object]) -> None:
    """Let ``write`` fill a temporary file beside ``path``, make it durable, then rename it into place.

    On any failure the temporary file is removed and ``path`` is untouched.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = path.with_name(f".{path.name}.{os.getpid()}.{uuid.uuid4().hex[:8]}{TEMP_SUFFIX}")
    try:
        write(temp)
        _fsync_file(temp)
        os.replace(temp, path)
    finally:
        temp.unlink(missing_ok=True)
    _fsync_directory(path.parent)


def write_text_atomically(path: Path, text: str) -> None:
    write_atomically(path, lambda temp: temp.write_text(text, encoding="utf-8"))


def remove_stale_temporaries(directory: Path, older_than_s: float = 3600.0) -> None:
    """Delete temporary files left by a process that died mid-write (old ones only: others may be writing)."""
    import time

    if not directory.is_dir():
        return
    limit = time.time() - older_than_s
    for temp in directory.glob(f".*{TEMP_SUFFIX}"):
        try:
            if temp.stat().st_mtime < limit:
                temp.unlink()
        except FileNotFoundError:
            continue


@contextmanager
def exclusive_lock(path: Path) -> Iterator[None]:
    """Hold an exclusive advisory lock on ``path`` (created if missing) across processes.

    Workers that see the same stale index take turns: the first rebuilds, the
    others find the rebuilt file when their turn comes. flock locks belong to the
    open file, so two stores in one process exclude each other as well. Without
    fcntl (Windows) this only orders nothing, and concurrent rebuilds stay safe
    because every write is atomic.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a+b") as handle:
        try:
            import fcntl
        except ImportError:  # pragma: no cover - not POSIX
            yield
            return
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def _fsync_file(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_directory(directory: Path) -> None:
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:  # some platforms cannot open directories; the rename is still atomic
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
