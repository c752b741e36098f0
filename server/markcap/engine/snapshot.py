"""Export and import of the engine's state, for snapshots.

Primary state: currencies (in balance-column order), instruments, the fund's
id and floor, the account table (ids and balances in minor units by slot), each
position book (slots, qty, cost in minor units by row), each currency's rounding
residue owed to the fund (an exact fraction), and the applied seq. The float
mirrors are derived. Slots and rows keep their order, so the restored engine
iterates exactly as the original did and gives byte-identical answers.

Derived state, stored too since version 4 because rebuilding it is most of a
restart at 1M accounts (docs/persistence.md): the account id map's placement
(each id's bucket and the tombstones, from which its table is scattered), the holdings (account -> book rows), the bankruptcy index (each book's keys and
groups, each tier's reference features, bounds and reset counters) and the
negative-equity set, exactly as the live engine held them. They are used only
when `meta["derived_code"]` equals this build's `derived_code()`, a digest of the
modules that compute them; otherwise (and for any layout that does not fit)
they are rebuilt from the primary state, as before version 4.

Bump FORMAT_VERSION whenever the layout below changes.
"""
from __future__ import annotations

import dataclasses
import hashlib
from dataclasses import dataclass
from fractions import Fraction
from functools import cache
from pathlib import Path

import numpy as np

from . import bankruptcy_index, blockmin, holdings, idmap, risk, valuation
from .blockmin import GroupedBlockMin
from .engine import Engine
from .holdings import Holdings
from .idmap import IdMap
from .types import (AdlAllocation, AdlRanking, CapPolicy, ContractKind, Currency, ExchangeConfig,
                    Instrument)

# 2: currencies carry decimals, instruments tick_size; 3: exact units, residues; 4: derived state
FORMAT_VERSION = 4
DERIVED_MODULES = (idmap, holdings, blockmin, bankruptcy_index, valuation, risk)
_ENUMS = {"kind": ContractKind, "cap_policy": CapPolicy, "adl_ranking": AdlRanking,
          "adl_allocation": AdlAllocation}


@dataclass(frozen=True)
class StateSnapshot:
    """`meta` is JSON-able; `arrays` are numeric numpy arrays."""

    format_version: int
    seq: int
    meta: dict
    arrays: dict[str, np.ndarray]


def _instrument_fields(instrument: Instrument) -> dict:
    fields = dataclasses.asdict(instrument)
    for name in _ENUMS:
        fields[name] = fields[name].name
    return fields


@cache
def derived_code() -> str:
    """Digest of the source of the modules that compute the derived state: stored derived state
    is trusted only by the code that wrote it."""
    digest = hashlib.sha256()
    for module in DERIVED_MODULES:
        digest.update(Path(module.__file__).read_bytes())
    return digest.hexdigest()


def export_state(engine: Engine) -> StateSnapshot:
    """A copy of the primary and derived state (call between inputs; the copy is independent)."""
    engine.risk.catch_up()  # writers leave it caught up; a no-op then
    state = engine.state
    currencies = sorted(state.currencies.by_id.values(),
                        key=lambda c: state.currencies.column[c.currency_id])
    meta = {
        "insurance_fund_account_id": state.fund_account_id,
        "insurance_fund_floor": state.floor,
        "currencies": [dataclasses.asdict(c) for c in currencies],
        # In creation order (the books' order), so a restore creates them in the same order.
        "instruments": [_instrument_fields(state.instruments.by_id[i]) for i in state.books],
        "residues": {str(c): [r.numerator, r.denominator] for c, r in sorted(state.residue.items())},
    }
    count = state.accounts.count
    arrays = {"account_ids": state.accounts.ids[:count].copy(),
              "balances": state.accounts.units[:count].copy()}
    for instrument_id, book in state.books.items():
        slots, qty, _ = book.columns()
        arrays[f"book.{instrument_id}.slots"] = slots.copy()
        arrays[f"book.{instrument_id}.qty"] = qty.copy()
        arrays[f"book.{instrument_id}.cost"] = book.cost_units[: len(book)].copy()
    _export_derived(engine, meta, arrays)
    return StateSnapshot(FORMAT_VERSION, engine.applied_seq, meta, arrays)


def _export_derived(engine: Engine, meta: dict, arrays: dict) -> None:
    state, index = engine.state, engine.risk.index
    bits, buckets, tombstones = state.accounts.slot_of.placement()
    meta["derived_code"] = derived_code()
    meta["id_map_bits"] = bits
    meta["tier_limits"] = index.tier_limits.tolist()
    arrays["id_map.buckets"], arrays["id_map.tombstones"] = buckets, tombstones
    arrays["holdings.bit"], arrays["holdings.row"], arrays["holdings.overflow"] = \
        state.holdings.export(state.accounts.count)
    arrays["index.reference"] = index.reference.copy()
    arrays["index.sensitivity"] = index.sensitivity.copy()
    arrays["index.drift"] = index.drift.copy()
    for instrument_id, keys in index.keys.items():
        count = keys.priority.count
        arrays[f"keys.{instrument_id}.priority"] = keys.priority.values[:count].copy()
        arrays[f"keys.{instrument_id}.group"] = keys.priority.group[:count].copy()
        arrays[f"keys.{instrument_id}.excess"] = keys.excess.copy()
    arrays["negative"] = engine.risk.negative.sorted()


def exchange_config(snapshot: StateSnapshot, retained_outcomes: int) -> ExchangeConfig:
    """The reference data and fund a snapshot holds, as a config (accounts left out)."""
    meta = snapshot.meta
    instruments = tuple(
        Instrument(**{name: _ENUMS[name][value] if name in _ENUMS else value
                      for name, value in fields.items()})
        for fields in meta["instruments"])
    return ExchangeConfig(currencies=tuple(Currency(**c) for c in meta["currencies"]),
                          instruments=instruments,
                          insurance_fund_account_id=int(meta["insurance_fund_account_id"]),
                          insurance_fund_floor=float(meta["insurance_fund_floor"]),
                          retained_outcomes=retained_outcomes)


def import_state(snapshot: StateSnapshot, retained_outcomes: int) -> Engine:
    """An engine in exactly the snapshot's state, at its seq."""
    engine = import_primary(snapshot, retained_outcomes)
    import_derived(engine, snapshot)
    return engine


def import_primary(snapshot: StateSnapshot, retained_outcomes: int) -> Engine:
    """The snapshot's primary state in a new engine: accounts and book columns, without the
    structures that find them (call `import_derived` before using it)."""
    if snapshot.format_version != FORMAT_VERSION:
        raise ValueError(f"snapshot format version {snapshot.format_version}, "
                         f"expected {FORMAT_VERSION}")
    engine = Engine(exchange_config(snapshot, retained_outcomes))
    state, arrays = engine.state, snapshot.arrays
    _load_accounts(state.accounts, arrays["account_ids"], arrays["balances"])
    for instrument_id, book in state.books.items():
        _load_book(book, arrays[f"book.{instrument_id}.slots"], arrays[f"book.{instrument_id}.qty"],
                   arrays[f"book.{instrument_id}.cost"])
    state.residue = {int(c): Fraction(n, d) for c, (n, d) in snapshot.meta.get("residues", {}).items()}
    engine.sequencer.applied_seq = snapshot.seq
    return engine


def import_derived(engine: Engine, snapshot: StateSnapshot) -> bool:
    """The id map, holdings, bankruptcy index and negative set: the snapshot's when it holds them
    for this build (returns True), else rebuilt from the primary state (returns False)."""
    state = engine.state
    try:
        stored = _stored_derived(engine, snapshot)
    except ValueError:  # a layout this build does not hold (e.g. other tiers): rebuild it
        stored = None
    if stored is None:
        _rebuild_maps(state)
        state.fund_slot = state.accounts.slot_of.get(state.fund_account_id)
        engine.risk.rebuild()
        return False
    state.accounts.slot_of, state.holdings, index_arrays, negative = stored
    state.fund_slot = state.accounts.slot_of.get(state.fund_account_id)
    index = engine.risk.index
    index.reference, index.sensitivity, index.drift = index_arrays[:3]
    for keys, (priority, excess) in zip(index.keys.values(), index_arrays[3]):
        keys.priority, keys.excess = priority, excess
    engine.risk.negative.slots = set(negative.tolist())
    state.changes.drain()  # nothing was logged: the loaded structures are current
    return True


def _stored_derived(engine: Engine, snapshot: StateSnapshot):
    """(id map, holdings, index arrays, negative slots) from the snapshot, None when it holds
    none for this build; ValueError when they do not fit this engine."""
    meta, arrays = snapshot.meta, snapshot.arrays
    if meta.get("derived_code") != derived_code():
        return None
    state, index = engine.state, engine.risk.index
    if meta["tier_limits"] != index.tier_limits.tolist():
        raise ValueError("the index's tiers differ")
    count = state.accounts.count
    id_map = IdMap.placed(int(meta["id_map_bits"]), state.accounts.ids[:count],
                          arrays["id_map.buckets"], arrays["id_map.tombstones"])
    stored_holdings = Holdings.loaded(arrays["holdings.bit"], arrays["holdings.row"],
                                      arrays["holdings.overflow"])
    if len(stored_holdings.bit) != count:
        raise ValueError(f"holdings of {len(stored_holdings.bit)} accounts for {count}")
    for book in state.books.values():
        book.holdings = stored_holdings
    bounds = tuple(np.array(arrays[f"index.{name}"], dtype=np.float64)
                   for name in ("reference", "sensitivity", "drift"))
    if tuple(b.shape for b in bounds) != (index.reference.shape, index.sensitivity.shape, index.drift.shape):
        raise ValueError("the index's bounds have another shape")
    books = []
    for instrument_id, keys in index.keys.items():
        priority = GroupedBlockMin.loaded(keys.priority.groups, arrays[f"keys.{instrument_id}.priority"],
                                          arrays[f"keys.{instrument_id}.group"])
        excess = np.array(arrays[f"keys.{instrument_id}.excess"], dtype=np.int64)
        if priority.count != len(state.books[instrument_id]) or excess.shape != keys.excess.shape:
            raise ValueError(f"keys of book {instrument_id} do not fit it")
        books.append((priority, excess))
    return id_map, stored_holdings, (*bounds, books), arrays["negative"].astype(np.int64)


def _load_accounts(accounts, ids: np.ndarray, balances: np.ndarray) -> None:
    count = len(ids)
    accounts.ids = np.array(ids, dtype=np.uint64)
    accounts.units = np.array(balances, dtype=np.int64)
    accounts.balances = accounts.units / accounts.powers
    accounts.count = count


def _load_book(book, slots: np.ndarray, qty: np.ndarray, cost: np.ndarray) -> None:
    """The rows in their order into the (empty) book's columns, its open interest summed; the
    holdings and keys that find them are imported (or rebuilt) after."""
    assert len(book) == 0, "a book is loaded into a fresh engine only"
    count = len(slots)
    book.slots, book.qty = np.array(slots, dtype=np.int64), np.array(qty, dtype=np.int64)
    book.cost_units = np.array(cost, dtype=np.int64)
    book.cost = book.cost_units / book.power
    book.count = count
    book.open_long, book.open_short = book.open_interest_after(np.full(count, -1), book.qty)


def _rebuild_maps(state) -> None:
    """The id map and the holdings from the primary state (snapshots without derived state)."""
    accounts = state.accounts
    accounts.slot_of = IdMap(accounts.count)
    accounts.slot_of.insert(accounts.ids[: accounts.count], np.arange(accounts.count, dtype=np.int64))
    state.holdings = Holdings(accounts.count)
    parts = [(book.slots[: len(book)], np.full(len(book), book.bit), np.arange(len(book)))
             for book in state.books.values()]
    for book in state.books.values():
        book.holdings = state.holdings
    if parts:  # one call for every book: each account's k-th position in place k, as book by book
        state.holdings.add_many(*(np.concatenate(column).astype(np.int64) for column in zip(*parts)))
