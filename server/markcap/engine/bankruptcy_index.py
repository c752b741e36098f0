"""Per-instrument bankruptcy-price index: which holders of x go bankrupt first (SPEC 3.3-3.4).

A holder's bankruptcy price in x does not depend on x's own mark, so it can be
kept as a key that x's marks never touch. It does move with the account's own
fills and transfers (re-keyed after each batch) and with the marks of the
account's other instruments y. For those, keys are stored at a reference
price vector R, and each query widens its search by a bound on how far other
marks have moved them since; the accounts inside that window are then
recomputed exactly with the same formula as a full scan, so answers are exact.

Keys live in "z-space", linear in E' (the account's equity without x):
LINEAR z = b = (K*s - E')/(q*m*s); INVERSE z = 1/b = (K + E'/s)/(q*m).
E' is linear in each other instrument's feature f_y (p_y for LINEAR y, 1/p_y
for INVERSE y): dE'/df_y = s_y*q_y*m_y (negated for INVERSE). So with
w_iy = |s_y*q_iy*m_y| and g_iy = w_iy/(|q_ix|*m_x*s_x):
    |z_i(now) - z_i(R)| <= sum_y g_iy*|f_y - R_y| <= sum_y G_x[y]*|f_y - R_y| = B_x,
where G_x[y] >= g_iy for every row of x in the same tier (a running maximum,
reset with the reference). Rows are tiered by the dimensionless ratio of
their other positions' value to their position in x
(sum_y w_iy*|f_y| / (|q_ix|*m_x*s_x*|f_x|)), so single-position accounts (ratio
0, exact keys) and mildly cross-margined ones are not searched with the wide
window the heavily cross-exposed need. The fund is always evaluated exactly.
When a book's searches keep returning many more rows than CANDIDATE_BUDGET,
the reference of the instrument widening its window most is moved to its
mark and its holders re-keyed (ski rental: only once the extra work has cost
about as much as that re-key).

Per book, tier and direction a BlockMin holds priorities (harmed side only,
+inf elsewhere) ordered harmed-first: rise LINEAR z, rise INVERSE -z, fall LINEAR -z,
fall INVERSE z. Currency price changes re-key everything (they move s and the
value of balances). Invariants: after `rekey(slots)`, every row of those
accounts has z at R; `e_ref[slot]` is the account's equity with every mark at R.
"""
from __future__ import annotations

import numpy as np

from . import contracts
from .blockmin import BlockMin
from .holdings import Holdings
from .valuation import AccountPositions
from .types import ContractKind, Instrument

CANDIDATE_BUDGET = 256      # candidates a query may take before the excess counts towards a reset
TIER_LIMITS = np.array([0.0, 1.0, 16.0])  # exposure-ratio upper bounds of tiers 0..2; tier 3 above
TIERS = len(TIER_LIMITS) + 1
BOUND_MARGIN = 1e-9         # relative slack for float rounding between key and exact paths
REKEY_CHUNK = 65536         # accounts re-keyed at once (bounds the exposure matrix's memory)


def feature(instrument: Instrument, price: float) -> float:
    """The variable E' is linear in: p for LINEAR, 1/p for INVERSE."""
    return price if instrument.kind == ContractKind.LINEAR else 1.0 / price


def harmed_first_sign(kind: ContractKind, direction: int) -> int:
    """s with priority = s*z ascending = nearest bankruptcy first, for a move in `direction`."""
    linear = kind == ContractKind.LINEAR
    return 1 if (direction > 0) == linear else -1


class BookKeys:
    """Derived columns aligned with one PositionBook's rows, in TIERS sensitivity tiers.

    Rows are tiered by how much their other positions are worth against their
    position here (TIER_LIMITS): tier 0 holds accounts with nothing else, whose
    keys are exact (bound 0). Each tier has its own block minima per direction
    and its own sensitivity vector, so highly cross-exposed rows do not widen
    the search window of the others.
    """

    def __init__(self, instrument_id: int, bit: int):
        self.instrument_id = instrument_id
        self.bit = bit
        self.z = np.zeros(64)
        self.rise = [BlockMin() for _ in range(TIERS)]
        self.fall = [BlockMin() for _ in range(TIERS)]
        self.sensitivity = [np.zeros(0) for _ in range(TIERS)]  # per tier: G_x[bit of y]
        self.excess = 0  # candidates beyond the base budget since the last reset (ski rental)

    def resize(self, count: int) -> None:
        if count > len(self.z):
            self.z = np.resize(self.z, max(count, 2 * len(self.z)))
        for column in self.rise + self.fall:
            column.resize(count)

    def move(self, from_row: int, to_row: int) -> None:
        self.z[to_row] = self.z[from_row]
        for column in self.rise + self.fall:
            column.move(from_row, to_row)

    def side(self, direction: int) -> list[BlockMin]:
        return self.rise if direction > 0 else self.fall


class BankruptcyIndex:
    """Keys, bounds and candidate search over every book of an ExchangeState."""

    def __init__(self, state):
        self.state = state
        self.keys: dict[int, BookKeys] = {}
        self.reference: dict[int, float] = {}      # instrument id -> R (a feature value)
        self.holdings = Holdings(len(state.accounts.ids))
        self.instrument_of_bit: list[int] = []
        self.e_ref = np.zeros(len(state.accounts.ids))
        self.negative: set[int] = set()  # slots with equity < 0 at the current marks

    # ---- structure ------------------------------------------------------------

    def attach(self, instrument: Instrument, book) -> None:
        """Starts keeping keys for a new instrument's (empty) book."""
        bit = len(self.keys)
        keys = BookKeys(instrument.instrument_id, bit)
        self.keys[instrument.instrument_id] = keys
        self.reference[instrument.instrument_id] = feature(instrument, instrument.mark_price)
        self.instrument_of_bit.append(instrument.instrument_id)
        for other in self.keys.values():  # every book gets a G entry for the new instrument
            other.sensitivity = [np.concatenate([g, np.zeros(len(self.keys) - len(g))]) for g in other.sensitivity]
        book.listener = _BookListener(self, keys)

    def _ensure_accounts(self) -> None:
        capacity = len(self.state.accounts.ids)
        if capacity > len(self.e_ref):
            self.holdings.ensure(capacity)
            self.e_ref = np.resize(self.e_ref, capacity)

    # ---- keys -----------------------------------------------------------------

    def rekey(self, slots) -> None:
        """Recomputes e_ref and every key of these accounts (all accounts when `slots` is None)."""
        state = self.state
        self._ensure_accounts()
        if slots is None:
            slots = np.arange(state.accounts.count, dtype=np.int64)
        slots = np.unique(np.asarray(slots, dtype=np.int64))
        for start in range(0, len(slots), REKEY_CHUNK):
            self._rekey_chunk(slots[start: start + REKEY_CHUNK])

    def _rekey_chunk(self, slots: np.ndarray) -> None:
        state = self.state
        local = AccountPositions(state, slots)
        equity_ref = local.balance_value.copy()
        exposure = np.zeros((len(slots), len(self.keys)))
        for instrument_id, (where, rows) in local.rows.items():
            instrument = state.instruments.by_id[instrument_id]
            book = state.books[instrument_id]
            sigma = state.sigma(instrument)
            qty = book.qty[rows].astype(np.float64)
            price = self._reference_price(instrument)
            equity_ref[where] += sigma * contracts.upnl(instrument.kind, qty, book.cost[rows],
                                                        instrument.multiplier, price)
            exposure[where, self.keys[instrument_id].bit] = np.abs(sigma * qty * instrument.multiplier)
        self.e_ref[slots] = equity_ref
        negative = local.equity_at_marks() < 0
        for slot, is_negative in zip(slots.tolist(), negative.tolist()):
            if is_negative:
                self.negative.add(slot)
            else:
                self.negative.discard(slot)
        scale = self._feature_scale()
        value = exposure @ scale  # sum_y w_iy*|f_y|: each account's exposure in valuation currency
        for instrument_id, (where, rows) in local.rows.items():
            self._key_rows(instrument_id, slots[where], rows, equity_ref[where], exposure[where], value[where],
                           scale)

    def _feature_scale(self) -> np.ndarray:
        """|f| of every instrument at its reference, by bit: turns sensitivities into values."""
        scale = np.zeros(len(self.keys))
        for instrument_id, keys in self.keys.items():
            scale[keys.bit] = abs(self.reference[instrument_id])
        return scale

    def _reference_price(self, instrument: Instrument) -> float:
        reference = self.reference[instrument.instrument_id]
        return reference if instrument.kind == ContractKind.LINEAR else 1.0 / reference

    def _key_rows(self, instrument_id, slots, rows, equity_ref, exposure, value, scale) -> None:
        state = self.state
        instrument = state.instruments.by_id[instrument_id]
        book = state.books[instrument_id]
        keys = self.keys[instrument_id]
        sigma = state.sigma(instrument)
        qty = book.qty[rows].astype(np.float64)
        cost = book.cost[rows]
        own = contracts.upnl(instrument.kind, qty, cost, instrument.multiplier, self._reference_price(instrument))
        equity_without = equity_ref - sigma * own
        denominator = qty * instrument.multiplier * sigma
        if instrument.kind == ContractKind.LINEAR:
            z = (cost * sigma - equity_without) / denominator
        else:
            z = (cost * sigma + equity_without) / denominator
        keys.z[rows] = z
        spread = np.abs(denominator)
        own_exposure = exposure[:, keys.bit]
        sensitivity = (exposure / spread[:, None])
        sensitivity[:, keys.bit] = 0.0
        own_value = own_exposure * scale[keys.bit]
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = np.where(own_value > 0, (value - own_value) / own_value, np.inf)
        tier = np.searchsorted(TIER_LIMITS, np.maximum(ratio, 0.0), side="left")
        fund = slots == state.fund_slot  # the fund is evaluated exactly on every query
        shorts = qty < 0
        for t in range(TIERS):
            mine = (tier == t) & ~fund
            if mine.any():
                keys.sensitivity[t] = np.maximum(keys.sensitivity[t], sensitivity[mine].max(axis=0))
            for direction, side, harmed in ((1, keys.rise[t], shorts), (-1, keys.fall[t], ~shorts)):
                priority = harmed_first_sign(instrument.kind, direction) * z
                side.set(rows, np.where(harmed & mine, priority, np.inf))

    # ---- queries --------------------------------------------------------------

    def _displacement(self) -> np.ndarray:
        """|f_y - R_y| of every instrument, by bit."""
        moved = np.zeros(len(self.keys))
        for instrument_id, keys in self.keys.items():
            instrument = self.state.instruments.by_id[instrument_id]
            moved[keys.bit] = abs(feature(instrument, instrument.mark_price) - self.reference[instrument_id])
        return moved

    def bound(self, instrument_id: int, tier: int = 0) -> float:
        """B_x of a tier: how far any of its keys can have moved since computed (x's own mark moves none)."""
        keys = self.keys[instrument_id]
        moved = self._displacement()
        moved[keys.bit] = 0.0
        return float(keys.sensitivity[tier] @ moved)

    def candidates(self, instrument_id: int, direction: int, priority_at: float | None = None) -> np.ndarray:
        """Slots that may hold the nearest bankruptcy in `direction` (or be at or past `priority_at`).

        Per tier t with bound B_t, the true nearest priority is at most
        T = min_t(smallest_t + B_t); every row whose exact priority is <= max(T,
        priority_at) has a stale one <= that + B_t, so those rows are taken,
        and the fund if it is harmed. Slots ascending.
        """
        keys = self.keys[instrument_id]
        sides = keys.side(direction)
        while True:
            bounds = [self.bound(instrument_id, t) for t in range(TIERS)]
            nearest = min(side.minimum() + bound for side, bound in zip(sides, bounds))
            if priority_at is not None:
                nearest = max(nearest, priority_at)
            rows = []
            for side, bound in zip(sides, bounds):
                threshold = nearest + bound
                if np.isfinite(threshold):
                    threshold += BOUND_MARGIN * (1.0 + abs(threshold))
                    rows.append(side.rows_at_most(threshold))
            rows = np.concatenate(rows) if rows else np.zeros(0, dtype=np.int64)
            if not self._should_reset(keys, len(rows)):
                break
        book = self.state.books[instrument_id]
        slots = book.slots[rows]
        fund_row = book.row_of.get(self.state.fund_slot)
        if fund_row is not None and book.qty[fund_row] * direction < 0:
            slots = np.append(slots, self.state.fund_slot)
        return np.unique(slots)

    def _should_reset(self, keys: BookKeys, count: int) -> bool:
        """Ski rental: once a book's extra candidates have cost as much as re-keying the holders of
        the instrument that widens its window most, reset that instrument's reference (and say so)."""
        keys.excess += max(0, count - CANDIDATE_BUDGET)
        moved = self._displacement()
        moved[keys.bit] = 0.0
        contribution = sum(g * moved for g in keys.sensitivity)
        if not contribution.any():
            keys.excess = 0
            return False
        worst_bit = int(np.argmax(contribution))
        worst_id = self.instrument_of_bit[worst_bit]
        if keys.excess < len(self.state.books[worst_id]):
            return False
        keys.excess = 0
        self.reset_reference(worst_id)
        return True

    def reset_reference(self, instrument_id: int) -> None:
        """R_y := f(mark_y) and re-keys every holder of y (their keys elsewhere depended on R_y)."""
        instrument = self.state.instruments.by_id[instrument_id]
        self.reference[instrument_id] = feature(instrument, instrument.mark_price)
        slots, _, _ = self.state.books[instrument_id].columns()
        bit = self.keys[instrument_id].bit
        for keys in self.keys.values():
            for g in keys.sensitivity:
                g[bit] = 0.0
        self._rebuild_sensitivity_of_holders(slots)

    def _rebuild_sensitivity_of_holders(self, slots: np.ndarray) -> None:
        # G_x[y] only ever grows between whole re-keys; re-keying the holders of y
        # restores the entries of y for every row that holds y.
        self.rekey(slots)

    def rebuild(self) -> None:
        """Re-keys everything from the primary state, with R at the current marks."""
        self.negative.clear()
        for instrument_id, keys in self.keys.items():
            instrument = self.state.instruments.by_id[instrument_id]
            self.reference[instrument_id] = feature(instrument, instrument.mark_price)
            for g in keys.sensitivity:
                g[:] = 0.0
            keys.excess = 0
            keys.resize(len(self.state.books[instrument_id]))
        self.rekey(None)


class _BookListener:
    """Keeps BookKeys' columns aligned with a PositionBook's rows and the holdings current."""

    def __init__(self, index: BankruptcyIndex, keys: BookKeys):
        self.index, self.keys = index, keys

    def appended(self, slots: np.ndarray, start: int) -> None:
        self.keys.resize(start + len(slots))
        self.index._ensure_accounts()
        self.index.holdings.add(slots, self.keys.bit, np.arange(start, start + len(slots)))

    def removed(self, slot: int, row: int, last: int, moved_slot: int | None) -> None:
        keys = self.keys
        self.index.holdings.remove(slot, keys.bit)
        if moved_slot is not None:  # the book's last row now lives at `row`
            keys.move(last, row)
            self.index.holdings.move(moved_slot, keys.bit, row)
        keys.resize(last)
