"""The generated export that bench/integrity.py verifies, cached in bench/out/integrity/.

Events of ≈ 700 bytes of stored JSON with Dutch text, as the ledger writes them, and two signed
checkpoints (half-way and at the end), in export format version 1 or 2 (the same events).
"""

import random
import shutil
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from hashlib import sha256
from pathlib import Path
from uuid import UUID

import orjson

from ledger.integrity.checkpoint import Checkpoint, sign_checkpoint
from ledger.integrity.export import VERSION, checkpoint_line, event_line, header_line
from ledger.integrity.leaf import Leaf, format_moment
from ledger.integrity.merkle import Frontier
from ledger.integrity.note import SignerKey

GENERATOR = "integrity-export"  # rename when the generated events change: old caches are rebuilt
ORIGIN = "adviesspoor.nl/bench"
# A fixed seed so cached exports keep verifying; the key signs nothing but benchmark data.
BENCH_SEED = bytes(range(32))
BLOCK = 1 << 20
TOPICS = (
    "events.advice:AdviceSubmitted",
    "events.advice:ResponseRecorded",
    "events.advice:ResponseRecorded",
    "events.advice:ResponseRecorded",
    "events.decisions:DecisionRecorded",
)
TEXTS = (
    "Betrek cliënten vanaf het begin bij de uitvoeringsagenda en leg vast hoe hun inbreng "
    "terugkomt in de besluiten van het college.",
    "Het college neemt dit punt gedeeltelijk over: de wachttijd wordt gemeten, maar een harde "
    'norm van vier weken is met de huidige bezetting niet haalbaar ("te krap").',
    "Maak de brochure over de eigen bijdrage begrijpelijk op taalniveau B1 en test haar met "
    "inwoners voordat zij wordt verspreid.",
    "Het college neemt dit punt niet over, omdat de landelijke regeling hierin al voorziet.",
)


def signer() -> SignerKey:
    """The bench key, with the key ID its public key gives."""
    verifier = SignerKey(ORIGIN, 0, BENCH_SEED).verifier()
    return SignerKey(ORIGIN, verifier.key_id, BENCH_SEED)


def states(count: int, seed: int = 7) -> Iterator[tuple[UUID, int, str, bytes]]:
    """(aggregate, version, topic, stored bytes) of a log shaped like the ledger's."""
    rng = random.Random(seed)  # noqa: S311 - reproducible data, not cryptography
    aggregates = [UUID(int=rng.getrandbits(128)) for _ in range(max(1, count // 4))]
    versions = dict.fromkeys(aggregates, 0)
    for _ in range(count):
        aggregate = rng.choice(aggregates)
        versions[aggregate] += 1
        topic = rng.choice(TOPICS)
        payload = {
            "originator_id": str(aggregate),
            "originator_version": versions[aggregate],
            "timestamp": "2026-03-14T09:26:53.589793+00:00",
            "meta": {"municipality": "bench", "actor": "secretariaat", "role": "secretariaat"},
            "point": rng.randint(1, 9),
            "outcome": rng.choice(("overgenomen", "niet_overgenomen", "deels_overgenomen")),
            "text": " ".join(rng.choice(TEXTS) for _ in range(rng.randint(1, 4))),
            "given_on": "2026-03-14",
        }
        yield aggregate, versions[aggregate], topic, orjson.dumps(payload)


def generate(path: Path, count: int, export_version: int = VERSION) -> None:
    """Write the export: the events to a body file first, the checkpoints need their roots."""
    start = datetime(2026, 3, 14, 9, tzinfo=UTC)
    frontier, roots = Frontier(), {}
    body = path.with_suffix(".body")
    with body.open("wb") as out:
        for position, (aggregate, version, topic, state) in enumerate(states(count), 1):
            moment = format_moment(start + timedelta(milliseconds=position * 37))
            leaf = Leaf(position, aggregate, version, topic, moment, sha256(state).digest())
            leaf_hash = leaf.hash()
            frontier.push(leaf_hash)
            if position in (count // 2, count):
                roots[position] = frontier.root()
            out.write(
                event_line(
                    position=position,
                    aggregate_id=aggregate,
                    aggregate_version=version,
                    topic=topic,
                    recorded_at=moment,
                    state=state,
                    leaf_hash=leaf_hash,
                    version=export_version,
                )
            )
    with path.open("wb") as out:
        out.write(header_line(ORIGIN, "bench", export_version))
        for size, root in sorted(roots.items()):
            out.write(checkpoint_line(sign_checkpoint(Checkpoint(ORIGIN, size, root), signer())))
        with body.open("rb") as events:
            shutil.copyfileobj(events, out, BLOCK)
    body.unlink()


def cached_export(directory: Path, count: int, version: int = VERSION) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{GENERATOR}-v{version}-{count}.jsonl"
    if not path.exists():
        print(f"  generating {count:,} events into {path} (cached for later runs) …", flush=True)
        began = time.perf_counter()
        generate(path.with_suffix(".tmp"), count, version)
        path.with_suffix(".tmp").rename(path)
        print(f"  generated in {time.perf_counter() - began:.0f} s")
    return path
