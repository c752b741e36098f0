"""Export and import of the engine's primary state, for snapshots.

Primary state: currencies (in balance-column order), instruments, the fund's
id and floor, the account table (ids and balances in minor units by slot), each
position book (slots, qty, cost in minor units by row), each currency's rounding
residue owed to the fund (an exact fraction), and the applied seq. The float
mirrors are derived. Everything else (row and
slot maps, indices, caches) is derived: import rebuilds it. Slots and rows
keep their order, so the restored engine iterates exactly as the original
did and gives byte-identical answers.

Bump FORMAT_VERSION whenever the layout below changes.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from .engine import Engine
from .idmap import IdMap
from .types import (AdlAllocation, AdlRanking, CapPolicy, ContractKind, Currency, ExchangeConfig,
                    Instrument)

FORMAT_VERSION = 3  # 2: currencies carry decimals, instruments tick_size; 3: exact units, residues
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


def export_state(engine: Engine) -> StateSnapshot:
    """A copy of the primary state (call between inputs; the copy is independent)."""
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
    return StateSnapshot(FORMAT_VERSION, engine.applied_seq, meta, arrays)


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
    rebuild_derived(engine)
    return engine


def import_primary(snapshot: StateSnapshot, retained_outcomes: int) -> Engine:
    """The snapshot's primary state in a new engine; call `rebuild_derived` before using it."""
    if snapshot.format_version != FORMAT_VERSION:
        raise ValueError(f"snapshot format version {snapshot.format_version}, "
                         f"expected {FORMAT_VERSION}")
    engine = Engine(exchange_config(snapshot, retained_outcomes))
    state, arrays = engine.state, snapshot.arrays
    _load_accounts(state.accounts, arrays["account_ids"], arrays["balances"])
    state.fund_slot = state.accounts.slot_of.get(state.fund_account_id)
    for instrument_id, book in state.books.items():
        _load_book(book, arrays[f"book.{instrument_id}.slots"], arrays[f"book.{instrument_id}.qty"],
                   arrays[f"book.{instrument_id}.cost"])
    state.residue = {int(c): Fraction(n, d) for c, (n, d) in snapshot.meta.get("residues", {}).items()}
    engine.sequencer.applied_seq = snapshot.seq
    return engine


def rebuild_derived(engine: Engine) -> None:
    """The derived structures (bankruptcy index, negative set), from the primary state loaded."""
    engine.risk.rebuild()


def _load_accounts(accounts, ids: np.ndarray, balances: np.ndarray) -> None:
    count = len(ids)
    capacity = max(len(accounts.ids), count)
    accounts.ids = np.zeros(capacity, dtype=np.uint64)
    accounts.ids[:count] = ids
    accounts.units = np.zeros((capacity, balances.shape[1]), dtype=np.int64)
    accounts.balances = np.zeros((capacity, balances.shape[1]), dtype=np.float64)
    accounts.units[:count] = balances
    accounts.balances[:count] = balances / accounts.powers
    accounts.count = count
    accounts.slot_of = IdMap(capacity)
    accounts.slot_of.insert(ids.astype(np.uint64), np.arange(count, dtype=np.int64))


def _load_book(book, slots: np.ndarray, qty: np.ndarray, cost: np.ndarray) -> None:
    """Appends the rows in their order to the (empty) book, through its bulk writer (which logs
    the appended rows for the derived structures, rebuilt once everything is loaded)."""
    assert len(book) == 0, "a book is loaded into a fresh engine only"
    book.write_many(slots.astype(np.int64), np.full(len(slots), -1, dtype=np.int64),
                    qty.astype(np.int64), cost.astype(np.int64))
