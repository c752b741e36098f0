"""Per-instrument bankruptcy-price index: which holders of x go bankrupt first (SPEC 3.3-3.4).

A holder's bankruptcy price in x does not depend on x's own mark, so it can be
kept as a key that x's marks never touch. It does move with the account's own
fills and transfers (re-keyed after each batch) and with the marks of the
account's other instruments y. For those, keys are stored at a reference
price vector R[x] per book, and each query widens its search by a bound on how
far other marks have moved them since; the accounts inside that window are then
recomputed exactly with the same formula as a full scan, so answers are exact.

Keys live in "z-space", linear in E' (the account's equity without x):
LINEAR z = b = (K*s - E')/(q*m*s); INVERSE z = 1/b = (K + E'/s)/(q*m).
E' is linear in each other instrument's feature f_y (p_y for LINEAR y, 1/p_y
for INVERSE y): dE'/df_y = s_y*q_y*m_y (negated for INVERSE). So with
w_iy = |s_y*q_iy*m_y| and g_iy = w_iy/(|q_ix|*m_x*s_x):
    |z_i(now) - z_i(R[x])| <= sum_y g_iy*|f_y - R[x][y]| <= sum_y G_x[y]*|f_y - R[x][y]| = B_x,
where G_x[y] >= g_iy for every row of x in the same tier (a running maximum,
rebuilt when R[x][y] is reset). Rows are tiered by the dimensionless ratio of
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
accounts in book x has z computed with each other instrument y at R[x][y], and
G[x][tier][y] >= g_iy for every row of x in that tier.
"""
from __future__ import annotations

import numpy as np

from .blockmin import BlockMin
from .holdings import Holdings
from .valuation import AccountPositions
from .types import ContractKind, Instrument

CANDIDATE_BUDGET = 256      # candidates a query may take before the excess counts towards a reset
RESET_SHARE = 1.0           # a reset re-keys at most a whole book
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
    """Keys, bounds and candidate search over every book of an ExchangeState.

    Each book x keeps its own reference vector R[x] (a feature value per
    instrument); its keys are computed with every other instrument y at R[x][y].
    Moving R[x][y] to y's mark re-keys only the rows of x whose account holds y.
    """

    def __init__(self, state):
        self.state = state
        self.keys: dict[int, BookKeys] = {}
        self.holdings = Holdings(len(state.accounts.ids))
        self.instrument_of_bit: list[int] = []
        self.reference = np.zeros((0, 0))        # R[bit of x, bit of y], features
        self.sensitivity = np.zeros((0, TIERS, 0))  # G[bit of x, tier, bit of y]
        self.negative: set[int] = set()  # slots with equity < 0 at the current marks

    # ---- structure ------------------------------------------------------------

    def attach(self, instrument: Instrument, book) -> None:
        """Starts keeping keys for a new instrument's (empty) book."""
        bit = len(self.keys)
        keys = BookKeys(instrument.instrument_id, bit)
        self.keys[instrument.instrument_id] = keys
        self.instrument_of_bit.append(instrument.instrument_id)
        reference = np.zeros((bit + 1, bit + 1))
        reference[:bit, :bit] = self.reference
        reference[:, bit] = feature(instrument, instrument.mark_price)  # nobody holds it yet
        reference[bit, :] = self._features()
        self.reference = reference
        sensitivity = np.zeros((bit + 1, TIERS, bit + 1))
        sensitivity[:bit, :, :bit] = self.sensitivity
        self.sensitivity = sensitivity
        book.listener = _BookListener(self, keys)

    def unheld_terms_changed(self, instrument: Instrument) -> None:
        """An unheld instrument's mark or kind changed: no key depends on it, so take its new feature."""
        self.reference[:, self.keys[instrument.instrument_id].bit] = feature(instrument, instrument.mark_price)

    def _features(self) -> np.ndarray:
        """f of every instrument at its current mark, by bit."""
        instruments = self.state.instruments.by_id
        return np.array([feature(instruments[i], instruments[i].mark_price) for i in self.instrument_of_bit])

    def _ensure_accounts(self) -> None:
        self.holdings.ensure(len(self.state.accounts.ids))

    # ---- keys -----------------------------------------------------------------

    def rekey(self, slots) -> None:
        """Recomputes every key of these accounts (all accounts when `slots` is None) and
        whether each has negative equity."""
        state = self.state
        self._ensure_accounts()
        if slots is None:
            slots = np.arange(state.accounts.count, dtype=np.int64)
        slots = np.unique(np.asarray(slots, dtype=np.int64))
        for start in range(0, len(slots), REKEY_CHUNK):
            chunk = slots[start: start + REKEY_CHUNK]
            local = AccountPositions(state, chunk)
            self._key_positions(local)
            negative = local.equity_at_marks() < 0
            self.negative.difference_update(chunk[~negative].tolist())
            self.negative.update(chunk[negative].tolist())

    def _key_positions(self, local: AccountPositions, only_bit: int | None = None) -> None:
        """Keys of the positions of `local`'s accounts (only those in book `only_bit` if given).

        E'_a, the account's equity without position a, at book a's reference:
        balances plus, for each other position b of the same account, s_b*upnl_b
        at the price R[bit_a][bit_b]. Pairs (a, b) are enumerated per account.
        """
        positions = _Positions(self, local)
        if positions.count == 0:
            return
        first, second = positions.pairs()
        reference = self.reference[positions.bit[first], positions.bit[second]]
        price = np.where(positions.linear[second], reference, 1.0 / reference)
        other = positions.sigma[second] * np.where(
            positions.linear[second],
            positions.qty[second] * positions.multiplier[second] * price - positions.cost[second],
            positions.cost[second] - positions.qty[second] * positions.multiplier[second] / price)
        equity_without = local.balance_value[positions.account] + np.bincount(
            first, weights=other, minlength=positions.count)
        denominator = positions.qty * positions.multiplier * positions.sigma
        with np.errstate(divide="ignore", invalid="ignore"):
            z = np.where(positions.linear, (positions.cost * positions.sigma - equity_without) / denominator,
                         (positions.cost * positions.sigma + equity_without) / denominator)
        tier = self._tiers(positions, first, second)
        spread = np.abs(denominator)
        np.maximum.at(self.sensitivity, (positions.bit[first], tier[first], positions.bit[second]),
                      positions.exposure[second] / spread[first])
        fund = local.slots[positions.account] == self.state.fund_slot
        for bit in np.unique(positions.bit).tolist():
            if only_bit is not None and bit != only_bit:
                continue
            mine = np.flatnonzero(positions.bit == bit)
            self._set_keys(bit, positions.row[mine], z[mine], tier[mine], positions.qty[mine] < 0, fund[mine])

    def _tiers(self, positions: "_Positions", first: np.ndarray, second: np.ndarray) -> np.ndarray:
        """Tier of each position: its account's other value over its own (TIER_LIMITS)."""
        scale = np.abs(self._features())
        value = positions.exposure * scale[positions.bit]
        others = np.bincount(first, weights=value[second], minlength=positions.count)
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = np.where(value > 0, others / value, np.inf)
        return np.searchsorted(TIER_LIMITS, np.maximum(ratio, 0.0), side="left")

    def _set_keys(self, bit, rows, z, tier, shorts, fund) -> None:
        keys = self.keys[self.instrument_of_bit[bit]]
        kind = self.state.instruments.by_id[keys.instrument_id].kind
        keys.z[rows] = z
        for t in range(TIERS):
            mine = (tier == t) & ~fund  # the fund is evaluated exactly on every query
            for direction, side, harmed in ((1, keys.rise[t], shorts), (-1, keys.fall[t], ~shorts)):
                side.set(rows, np.where(harmed & mine, harmed_first_sign(kind, direction) * z, np.inf))

    # ---- queries --------------------------------------------------------------

    def _moved(self, bit: int, features: np.ndarray) -> np.ndarray:
        """|f_y - R[x][y]| for every y, 0 for x itself (its own mark moves none of its keys)."""
        moved = np.abs(features - self.reference[bit])
        moved[bit] = 0.0
        return moved

    def bound(self, instrument_id: int, tier: int = 0, features: np.ndarray | None = None) -> float:
        """B_x of a tier: how far any of its keys can have moved since computed."""
        bit = self.keys[instrument_id].bit
        moved = self._moved(bit, self._features() if features is None else features)
        return float(self.sensitivity[bit, tier] @ moved)

    def candidates(self, instrument_id: int, direction: int, priority_at: float | None = None) -> np.ndarray:
        """Book rows that may hold the nearest bankruptcy in `direction` (or be at or past `priority_at`).

        Per tier t with bound B_t, the true nearest priority is at most
        T = min_t(smallest_t + B_t); every row whose exact priority is <= max(T,
        priority_at) has a stale one <= that + B_t, so those rows are taken,
        and the fund if it is harmed. Rows ascending.
        """
        keys = self.keys[instrument_id]
        sides = keys.side(direction)
        while True:
            features = self._features()  # once per search, not once per tier
            bounds = [self.bound(instrument_id, t, features) for t in range(TIERS)]
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
            if not self._should_reset(keys, len(rows), features):
                break
        book = self.state.books[instrument_id]
        fund_row = book.row_of.get(self.state.fund_slot)
        if fund_row is not None and book.qty[fund_row] * direction < 0:
            rows = np.append(rows, fund_row)
        return np.unique(rows)

    def _should_reset(self, keys: BookKeys, count: int, features: np.ndarray) -> bool:
        """Ski rental: once a book's extra candidates have cost about as much as re-keying its rows
        that hold the instrument widening its window most (RESET_SHARE of the book), move the
        book's reference for that instrument to its mark (and say so)."""
        keys.excess += max(0, count - CANDIDATE_BUDGET)
        contribution = self.sensitivity[keys.bit].sum(axis=0) * self._moved(keys.bit, features)
        if not contribution.any() or keys.excess < RESET_SHARE * len(self.state.books[keys.instrument_id]):
            return False
        keys.excess = 0
        self.reset_reference(keys.instrument_id, self.instrument_of_bit[int(np.argmax(contribution))])
        return True

    def reset_reference(self, instrument_id: int, other_id: int) -> None:
        """R[x][y] := f(mark_y), re-keying the rows of x whose account also holds y."""
        bit, other_bit = self.keys[instrument_id].bit, self.keys[other_id].bit
        other = self.state.instruments.by_id[other_id]
        self.reference[bit, other_bit] = feature(other, other.mark_price)
        self.sensitivity[bit, :, other_bit] = 0.0  # rebuilt from the rows that hold y, below
        slots, _, _ = self.state.books[instrument_id].columns()
        holding = self.holdings.holds(slots, other_bit)
        if holding.any():
            self._key_positions(AccountPositions(self.state, slots[holding]), only_bit=bit)

    def rebuild(self) -> None:
        """Re-keys everything from the primary state, every reference at the current marks."""
        self.negative.clear()
        self.reference = np.tile(self._features(), (len(self.keys), 1))
        self.sensitivity[:] = 0.0
        for instrument_id, keys in self.keys.items():
            keys.excess = 0
            keys.resize(len(self.state.books[instrument_id]))
        self.rekey(None)


class _Positions:
    """The positions of an AccountPositions' accounts as flat arrays, grouped by account."""

    def __init__(self, index: BankruptcyIndex, local: AccountPositions):
        state = index.state
        parts = []
        for instrument_id, (where, rows) in local.rows.items():
            instrument = state.instruments.by_id[instrument_id]
            book = state.books[instrument_id]
            parts.append((where, rows, book.qty[rows].astype(np.float64), book.cost[rows],
                          index.keys[instrument_id].bit, instrument.multiplier, state.sigma(instrument),
                          instrument.kind == ContractKind.LINEAR))
        if not parts:
            self.count = 0
            return
        account = np.concatenate([p[0] for p in parts])
        order = np.argsort(account, kind="stable")
        sizes = [len(p[0]) for p in parts]

        def column(values):
            return np.concatenate(values)[order]

        self.account = account[order]
        self.row = column([p[1] for p in parts])
        self.qty = column([p[2] for p in parts])
        self.cost = column([p[3] for p in parts])
        self.bit = column([np.full(n, p[4]) for n, p in zip(sizes, parts)])
        self.multiplier = column([np.full(n, p[5]) for n, p in zip(sizes, parts)])
        self.sigma = column([np.full(n, p[6]) for n, p in zip(sizes, parts)])
        self.linear = column([np.full(n, p[7]) for n, p in zip(sizes, parts)])
        self.exposure = np.abs(self.sigma * self.qty * self.multiplier)
        self.count = len(self.account)

    def pairs(self) -> tuple[np.ndarray, np.ndarray]:
        """Every (a, b) of two different positions of the same account, as index arrays."""
        starts = np.flatnonzero(np.r_[True, self.account[1:] != self.account[:-1]])
        counts = np.diff(np.r_[starts, self.count])
        group = np.repeat(np.arange(len(starts)), counts)           # group of each position
        per_position = counts[group]                               # size of its account's group
        first = np.repeat(np.arange(self.count), per_position)
        offset = np.arange(len(first)) - np.repeat(np.cumsum(per_position) - per_position, per_position)
        second = starts[group[first]] + offset
        different = first != second
        return first[different], second[different]


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
