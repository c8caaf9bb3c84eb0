"""The verifier's pass over the events: leaves in log order into the tree, checkpoints met.

The event lines are read in large buffers (`CHUNK` bytes of the file at a time) and their leaf
hashes computed per buffer — `verbatim.verbatim_leaf_hashes` for export version 2,
`lines.leaf_hashes` for version 1 — in this process or in worker processes that each read a byte
range of the file. A buffer's leaf hashes are folded into the perfect subtrees they complete
(`merkle.subtree_nodes`, a level at a time, never across a checkpoint's size) and only those go
into the tree here, in log order: the root and the first error named are the same either way.
Memory stays O(log n) plus one buffer per process.
"""

import multiprocessing
from base64 import b64encode
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from hashlib import sha256
from itertools import islice, pairwise
from pathlib import Path
from typing import Any

from .checkpoint import Checkpoint
from .lines import Loads, diagnose, json_loads, leaf_hashes, parse_line
from .merkle import EMPTY_ROOT, NODE_PREFIX, fold_right, subtree_nodes
from .verbatim import verbatim_leaf_hashes

BATCH = 4096  # lines per buffer when the lines come one by one (verify_export)
CHUNK = 8 << 20  # bytes of the file per buffer, in this process or per task for a worker


class StreamError(Exception):
    """The first bad position (or range of positions) and what is wrong there, in Dutch."""

    def __init__(self, message: str, position: int, last: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.position = position
        self.last = last


class Tree:
    """The root grown subtree by subtree; at each checkpoint's size, the root must be the
    checkpoint's. `checkpoints` maps a tree size to (where the checkpoint came from, it)."""

    def __init__(self, checkpoints: Mapping[int, tuple[str, Checkpoint]]) -> None:
        self.checkpoints = checkpoints
        self.targets = [*sorted(size for size in checkpoints if size > 0), 0]  # 0: no more
        self.target_at = 0
        self.agreed = 0  # the largest checkpoint size that held
        self.stack: list[bytes] = []  # perfect subtrees, largest first (one per set bit of size)
        self.levels: list[int] = []
        self.size = 0

    def add(self, hashes: list[bytes]) -> None:
        """The next leaf hashes, in order."""
        for level, node in subtree_nodes(self.size, hashes, self.targets[self.target_at :]):
            self.push(level, node)

    def push(self, level: int, node: bytes) -> None:
        """The next 2^level leaves, as the root of their perfect subtree (aligned: the size so far
        is a multiple of 2^level), merged with equal neighbours like a binary counter carries."""
        stack, levels = self.stack, self.levels
        self.size += 1 << level
        while levels and levels[-1] == level:
            node = sha256(NODE_PREFIX + stack.pop() + node).digest()
            levels.pop()
            level += 1
        stack.append(node)
        levels.append(level)
        if self.size == self.targets[self.target_at]:
            self._meet(self.size)

    def _meet(self, target: int) -> None:
        source, checkpoint = self.checkpoints[target]
        root = fold_right(self.stack)
        if root != checkpoint.root:
            raise StreamError(
                f"de wortel van de eerste {target} gebeurtenissen is {_base64(root)}, het "
                f"controlepunt ({source}) zegt {checkpoint.root_base64()}: een gebeurtenis "
                "hierin is gewijzigd, verwijderd, toegevoegd of verplaatst",
                self.agreed + 1,
                target,
            )
        self.agreed, self.target_at = target, self.target_at + 1

    def finish(self) -> tuple[int, bytes]:
        """The size and root, once the log has reached every checkpoint's size."""
        target = self.targets[self.target_at]
        if target:
            # Cut off after position size, or an event deleted and the rest renumbered: only the
            # positions after the last checkpoint that held are in doubt.
            source, _ = self.checkpoints[target]
            raise StreamError(
                f"het controlepunt ({source}) gaat over {target} gebeurtenissen, de export bevat "
                f"er {self.size}: de log is afgekapt (eerste ontbrekende positie {self.size + 1}) "
                "of een gebeurtenis hierin is verwijderd",
                self.agreed + 1,
                target,
            )
        return self.size, fold_right(self.stack) if self.stack else EMPTY_ROOT


def buffer_leaf_hashes(
    buffer: bytes, stop: int, expected: int, loads: Loads, topics: dict[Any, bytes], version: int
) -> tuple[list[bytes], bytes | None]:
    """The leaf hashes of the lines in buffer[:stop] (each ending in a newline), positions
    expected, expected + 1, …, up to the first line that fails a check, and that line."""
    if version != 1:
        return verbatim_leaf_hashes(buffer, stop, expected, loads, topics)
    lines = buffer[:stop].split(b"\n")
    lines.pop()
    hashes, bad = leaf_hashes(lines, expected, loads, topics)
    return hashes, None if bad is None else lines[bad]


def _grow(
    tree: Tree, buffer: bytes, stop: int, loads: Loads, topics: dict[Any, bytes], version: int
) -> None:
    hashes, bad = buffer_leaf_hashes(buffer, stop, tree.size + 1, loads, topics, version)
    tree.add(hashes)
    if bad is not None:
        raise StreamError(diagnose(bad, tree.size + 1, loads, version), tree.size + 1)


def verify_events(
    events: Iterator[bytes],
    checkpoints: Mapping[int, tuple[str, Checkpoint]],
    loads: Loads,
    version: int,
) -> tuple[int, bytes]:
    """The size and root of the log in the event lines, in this process; StreamError if bad."""
    tree, topics = Tree(checkpoints), dict[Any, bytes]()
    while batch := list(islice(events, BATCH)):
        buffer = b"".join(line if line.endswith(b"\n") else line + b"\n" for line in batch)
        _grow(tree, buffer, len(buffer), loads, topics, version)
    return tree.finish()


def file_buffers(path: Path, start: int, end: int, chunk: int) -> Iterator[tuple[bytes, int]]:
    """Buffers of about `chunk` bytes of the file from `start` to `end`, each with how much of it
    is whole lines (the last line gets a newline if the file has none at its end)."""
    with path.open("rb", buffering=0) as file:
        while start < end:
            file.seek(start)
            buffer = file.read(min(chunk, end - start))
            if not buffer:
                return
            stop = buffer.rfind(b"\n") + 1
            if start + len(buffer) >= end and stop < len(buffer):
                buffer, stop = buffer + b"\n", len(buffer) + 1
            elif not stop:  # one line longer than a chunk
                chunk *= 2
                continue
            yield buffer, stop
            start += stop


@dataclass(frozen=True, slots=True)
class Chunk:
    """What a worker found in its byte range: its perfect subtrees up to the first bad line."""

    first_position: int | None
    first_line: bytes
    nodes: list[tuple[int, bytes]]
    bad_line: bytes | None


def chunk_nodes(task: tuple[str, int, int, str, int, tuple[int, ...]]) -> Chunk:
    """In a worker: the perfect subtrees of the lines in bytes [start, end) of the file."""
    path, start, end, parser, version, cuts = task
    loads, topics = json_loads(parser), dict[Any, bytes]()
    nodes: list[tuple[int, bytes]] = []
    first: Any = None
    first_line, bad = b"", None
    for buffer, stop in file_buffers(Path(path), start, end, CHUNK):
        if first is None:
            first_line = buffer[: buffer.find(b"\n") + 1]
            try:
                first = parse_line(first_line, loads, version)[0]["positie"]
            except (ValueError, KeyError, TypeError, IndexError):
                first = None
            if type(first) is not int or first < 1:
                return Chunk(None, first_line, [], first_line)
            expected = first
        hashes, bad = buffer_leaf_hashes(buffer, stop, expected, loads, topics, version)
        nodes += subtree_nodes(expected - 1, hashes, cuts)
        expected += len(hashes)
        if bad is not None:
            break
    return Chunk(first, first_line, nodes, bad)


def ranges(path: Path, start: int, chunk: int) -> list[tuple[int, int]]:
    """Byte ranges of about `chunk` bytes from `start` to the end, each ending after a newline."""
    end = path.stat().st_size
    bounds = [start]
    with path.open("rb") as file:
        while bounds[-1] + chunk < end:
            file.seek(bounds[-1] + chunk - 1)
            file.readline()
            if file.tell() >= end:
                break
            bounds.append(file.tell())
    return list(pairwise([*bounds, end])) if end > start else []


def verify_file_events(
    path: Path,
    start: int,
    checkpoints: Mapping[int, tuple[str, Checkpoint]],
    *,
    parser: str,
    version: int,
    processes: int = 1,
    chunk: int = CHUNK,
) -> tuple[int, bytes]:
    """As verify_events, for the event lines from byte `start` of a file; with processes > 1 in
    worker processes over byte ranges of about `chunk` bytes, this process only folding."""
    loads, tree, topics = json_loads(parser), Tree(checkpoints), dict[Any, bytes]()
    if processes <= 1:
        for buffer, stop in file_buffers(path, start, path.stat().st_size, chunk):
            _grow(tree, buffer, stop, loads, topics, version)
        return tree.finish()
    cuts = tuple(tree.targets[:-1])
    tasks = [
        (str(path), begin, end, parser, version, cuts) for begin, end in ranges(path, start, chunk)
    ]
    # Spawned, not forked: a process with threads of its own (a server, a test run) may be
    # forked while another thread holds a lock, and the pool then hung on its way out (seen).
    with multiprocessing.get_context("spawn").Pool(processes) as pool:
        for found in pool.imap(chunk_nodes, tasks):
            expected = tree.size + 1
            if found.first_position is not None and found.first_position != expected:
                raise StreamError(diagnose(found.first_line, expected, loads, version), expected)
            for level, node in found.nodes:
                tree.push(level, node)
            if found.bad_line is not None:
                position = tree.size + 1
                raise StreamError(diagnose(found.bad_line, position, loads, version), position)
    return tree.finish()


def _base64(value: bytes) -> str:
    return b64encode(value).decode()
