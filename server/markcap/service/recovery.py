"""Startup from a store: the newest intact snapshot, then the journal after it.

Replay feeds each journaled request through its input kind's `apply`
(input_kinds.py), the path the live input took, and checks every journaled
response against the replayed one byte for byte: a replay that would answer
differently (a changed config, a non-deterministic engine) stops the start
instead of serving another state.
"""
from __future__ import annotations

import hashlib
import logging
import time
from dataclasses import dataclass

from markcap.engine import Engine, EngineError, ExchangeConfig
from markcap.engine.snapshot import (FORMAT_VERSION, StateSnapshot, export_state, import_derived,
                                     import_primary)
from markcap.store import JournalRecord, Store, StoreError

from .input_kinds import of_record
from .inputs import serialize

LOG = logging.getLogger("markcap.service")
SEED_KEY = "seed_config_sha256"


class RecoveryError(StoreError):
    """The data directory's state cannot be restored exactly; the message says why."""


@dataclass(frozen=True)
class Restored:
    engine: Engine
    snapshot_seq: int
    replayed: int
    replayed_work: int = 0  # the replayed inputs' work, in fills (work.py)


def seed_fingerprint(config: ExchangeConfig) -> str:
    """Digest of the exchange a data directory was created from (retained_outcomes aside)."""
    seed = (config.currencies, config.instruments, config.insurance_fund_account_id,
            float(config.insurance_fund_floor))
    return hashlib.sha256(repr(seed).encode()).hexdigest()


def snapshot_of(engine: Engine, seed: str) -> StateSnapshot:
    snapshot = export_state(engine)
    snapshot.meta[SEED_KEY] = seed
    return snapshot


def restore(store: Store, config: ExchangeConfig) -> Restored:
    """The engine at the store's last journaled seq (a new store starts from `config`)."""
    started = time.monotonic()
    snapshot = store.snapshots.load_newest(FORMAT_VERSION)
    if snapshot is None:
        return _create(store, config)
    read = time.monotonic()
    try:
        _check_seed(store, snapshot, config)
        engine = import_primary(snapshot, config.retained_outcomes)
        primary = time.monotonic()
        stored = import_derived(engine, snapshot)
    except (KeyError, ValueError, TypeError, EngineError) as error:
        raise RecoveryError(f"{store.location}: the snapshot at seq {snapshot.seq} does not "
                            f"load ({type(error).__name__}: {error})") from error
    imported = time.monotonic()
    replayed, replayed_work = _replay(engine, store, snapshot.seq)
    store.journal.continue_at(engine.applied_seq + 1)
    done = time.monotonic()
    LOG.info("restored %s to seq %d: snapshot at seq %d, then %d journaled input(s) replayed "
             "(work of %d fills), in %.2f s", store.location, engine.applied_seq, snapshot.seq,
             replayed, replayed_work, done - started)
    LOG.info("restore phases: snapshot read %.3f s, primary state %.3f s, derived structures "
             "%.3f s, replay %.3f s; derived structures %s", read - started, primary - read,
             imported - primary, done - imported,
             "loaded from the snapshot" if stored else "rebuilt (none in the snapshot fits this build)")
    return Restored(engine, snapshot.seq, replayed, replayed_work)


def _create(store: Store, config: ExchangeConfig) -> Restored:
    journal = store.journal
    if journal.last_seq is not None and journal.last_seq >= journal.first_seq:
        raise RecoveryError(f"{store.location}: the journal holds seq {journal.first_seq} to "
                            f"{journal.last_seq} but there is no usable snapshot to replay it "
                            f"onto; restore the snapshots directory from a backup")
    engine = Engine(config)
    store.snapshots.save(snapshot_of(engine, seed_fingerprint(config)))  # the seq 0 base
    journal.continue_at(1)
    LOG.info("new data dir %s: starting from the config's exchange at seq 0", store.location)
    return Restored(engine, 0, 0)


def _check_seed(store: Store, snapshot: StateSnapshot, config: ExchangeConfig) -> None:
    meta = snapshot.meta
    held = (int(meta["insurance_fund_account_id"]), float(meta["insurance_fund_floor"]))
    wanted = (config.insurance_fund_account_id, float(config.insurance_fund_floor))
    if held != wanted:
        raise RecoveryError(
            f"the config has insurance fund account {wanted[0]} with floor {wanted[1]}, but the "
            f"data dir {store.location} holds fund account {held[0]} with floor {held[1]}; both "
            f"decide outcomes, so a data dir keeps its own: use a new --data-dir to change them")
    if meta.get(SEED_KEY) != seed_fingerprint(config):
        LOG.warning("the config's currencies and instruments differ from those data dir %s was "
                    "created with; the data dir's state wins (the config only seeds a new data "
                    "dir): change reference data with UpsertCurrency and UpsertInstrument",
                    store.location)


def _replay(engine: Engine, store: Store, snapshot_seq: int) -> tuple[int, int]:
    """(inputs replayed, their work in fills)."""
    journal = store.journal
    first, last = journal.first_seq, journal.last_seq
    if last is None or last <= snapshot_seq:
        return 0, 0
    if first > snapshot_seq + 1:
        raise RecoveryError(f"{store.location}: the newest usable snapshot is at seq {snapshot_seq} "
                            f"but the journal starts at seq {first}: inputs {snapshot_seq + 1} to "
                            f"{first - 1} are missing")
    count = work = 0
    for record in journal.read(snapshot_seq + 1, last):
        work += _replay_one(engine, record)
        count += 1
    return count, work


def _replay_one(engine: Engine, record: JournalRecord) -> int:
    """Replays one journaled input; returns its work (work.py)."""
    kind = of_record(record.kind)
    request = kind.request.FromString(record.request)
    try:
        response = kind.apply(engine, request)
    except EngineError as error:
        raise RecoveryError(f"journaled input seq {record.seq} ({record.kind.name}) is rejected "
                            f"on replay: {error}") from error
    if record.response and serialize(response) != record.response:
        raise RecoveryError(f"replay diverged at seq {record.seq} ({record.kind.name}): the engine "
                            f"answers differently than it did when the input was applied")
    return kind.work(request, response, engine.state.position_count)
