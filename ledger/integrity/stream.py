"""The verifier's pass over the events: leaves in log order into the tree, checkpoints met.

Lines go in batches to `lines.leaf_hashes`, in this process or in worker processes that each read
a byte range of the file; either way their hashes are folded here in log order, so the root and
the first error named are the same. Memory stays O(log n) plus one batch per worker.
"""

import multiprocessing
from base64 import b64encode
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from hashlib import sha256
from itertools import islice, pairwise
from pathlib import Path

from .checkpoint import Checkpoint
from .lines import Loads, diagnose, json_loads, leaf_hashes
from .merkle import EMPTY_ROOT, HASH_SIZE, NODE_PREFIX, fold_right

BATCH = 4096  # lines per batch in one process
CHUNK = 8 << 20  # bytes of the file per task for a worker process


class StreamError(Exception):
    """The first bad position (or range of positions) and what is wrong there, in Dutch."""

    def __init__(self, message: str, position: int, last: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.position = position
        self.last = last


class Tree:
    """The root grown leaf by leaf; at each checkpoint's size, the root must be the checkpoint's.

    `checkpoints` maps a tree size to (where the checkpoint came from, the checkpoint).
    """

    def __init__(self, checkpoints: Mapping[int, tuple[str, Checkpoint]]) -> None:
        self.checkpoints = checkpoints
        self.targets = [*sorted(size for size in checkpoints if size > 0), 0]  # 0: no more
        self.target_at = 0
        self.agreed = 0  # the largest checkpoint size that held
        self.stack: list[bytes] = []
        self.size = 0

    def extend(self, hashes: Iterable[bytes]) -> None:
        stack, size, target = self.stack, self.size, self.targets[self.target_at]
        for leaf_hash in hashes:
            stack.append(leaf_hash)
            size += 1
            carry = size
            while not carry & 1:
                right = stack.pop()
                stack[-1] = sha256(NODE_PREFIX + stack[-1] + right).digest()
                carry >>= 1
            if size == target:
                self.size = size
                self._meet(target)
                target = self.targets[self.target_at]
        self.size = size

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


def verify_events(
    events: Iterator[bytes], checkpoints: Mapping[int, tuple[str, Checkpoint]], loads: Loads
) -> tuple[int, bytes]:
    """The size and root of the log in the event lines, in this process; StreamError if bad."""
    tree, topics = Tree(checkpoints), dict[str, bytes]()
    while batch := list(islice(events, BATCH)):
        hashes, bad = leaf_hashes(batch, tree.size + 1, loads, topics)
        tree.extend(hashes)
        if bad is not None:
            raise StreamError(diagnose(batch[bad], tree.size + 1, loads), tree.size + 1)
    return tree.finish()


@dataclass(frozen=True, slots=True)
class Chunk:
    """What a worker found in its byte range: the leaf hashes up to the first bad line."""

    first_position: int | None
    first_line: bytes
    hashes: bytes
    bad_line: bytes | None


def chunk_leaf_hashes(task: tuple[str, int, int, str]) -> Chunk:
    """In a worker: the leaf hashes of the lines in bytes [start, end) of the file."""
    path, start, end, parser = task
    loads = json_loads(parser)
    with open(path, "rb") as file:
        file.seek(start)
        lines = file.read(end - start).split(b"\n")
    if lines[-1] == b"":
        lines.pop()
    try:
        first = loads(lines[0])["positie"]
    except (ValueError, KeyError, TypeError, IndexError):
        first = None
    if type(first) is not int:
        first = None
    hashes, bad = leaf_hashes(lines, first or 0, loads, {})
    return Chunk(first, lines[0], b"".join(hashes), None if bad is None else lines[bad])


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
    processes: int,
    chunk: int = CHUNK,
) -> tuple[int, bytes]:
    """As verify_events, for the event lines from byte `start` of a file, in worker processes."""
    loads, tree = json_loads(parser), Tree(checkpoints)
    tasks = [(str(path), begin, end, parser) for begin, end in ranges(path, start, chunk)]
    with multiprocessing.Pool(processes) as pool:
        for found in pool.imap(chunk_leaf_hashes, tasks):
            expected = tree.size + 1
            if found.first_position is not None and found.first_position != expected:
                raise StreamError(diagnose(found.first_line, expected, loads), expected)
            tree.extend(
                found.hashes[offset : offset + HASH_SIZE]
                for offset in range(0, len(found.hashes), HASH_SIZE)
            )
            if found.bad_line is not None:
                raise StreamError(diagnose(found.bad_line, tree.size + 1, loads), tree.size + 1)
    return tree.finish()


def _base64(value: bytes) -> str:
    return b64encode(value).decode()
