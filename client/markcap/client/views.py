"""Responses rendered as plain text for people: symbols and codes instead of ids."""
from __future__ import annotations

from dataclasses import dataclass, field

from markcap.v1 import risk_engine_pb2 as pb

from .enums import short_name
from .tables import format_fields, format_number, format_table, yes_no


@dataclass
class Names:
    """Instrument symbols and currency codes by id; unknown ids print as numbers."""

    symbols: dict[int, str] = field(default_factory=dict)
    codes: dict[int, str] = field(default_factory=dict)

    @classmethod
    def of(cls, instruments: pb.ListInstrumentsResponse,
           currencies: pb.ListCurrenciesResponse) -> "Names":
        return cls({i.instrument_id: i.symbol for i in instruments.instruments},
                   {c.currency_id: c.code for c in currencies.currencies})

    def instrument(self, instrument_id: int) -> str:
        return self.symbols.get(instrument_id, str(instrument_id))

    def currency(self, currency_id: int) -> str:
        return self.codes.get(currency_id, str(currency_id))


def _optional(message, name: str) -> str:
    return format_number(getattr(message, name)) if message.HasField(name) else "none"


def _section(title: str, headers: list[str], rows: list[list]) -> str:
    if not rows:
        return f"{title}: none"
    return f"{title}:\n{format_table(headers, rows)}"


def render_mark(response: pb.ApplyMarkResponse, names: Names) -> str:
    """Prices, the cap, liquidations, ADL fills, negative equities and the fund."""
    prices = " -> ".join(format_number(p) for p in (
        response.previous_price, response.requested_price, response.applied_price))
    summary = format_fields([
        ("instrument", f"{names.instrument(response.instrument_id)} ({response.instrument_id})"),
        ("seq", "dry run: nothing changed" if response.dry_run else response.seq),
        ("cap policy", short_name(pb.CapPolicy, response.cap_policy)),
        ("price", f"{prices}  (previous -> requested -> applied)"),
        ("capped", yes_no(response.capped)),
        ("first bankruptcy price", _optional(response, "first_bankruptcy_price")),
        ("fund equity", f"{format_number(response.insurance_fund_equity_before)} -> "
                        f"{format_number(response.insurance_fund_equity_after)}"),
        ("fund deficit", response.insurance_fund_deficit),
    ])
    return "\n\n".join([summary, _liquidations(response, names), _adl_fills(response),
                        _negative_equities(response.negative_equity_accounts)])


def render_sweep(response: pb.ApplyMarkResponse, names: Names) -> str:
    """A sweep in a few lines: steps, price path, takeovers, ADL contracts, the fund; the steps
    that took anyone over or deleveraged, at most 20 of them (--json has everything)."""
    path = [response.previous_price] + [step.applied_price for step in response.steps]
    summary = format_fields([
        ("instrument", f"{names.instrument(response.instrument_id)} ({response.instrument_id})"),
        ("seq", "dry run: nothing changed" if response.dry_run else response.seq),
        ("stopped", short_name(pb.SweepStopReason, response.sweep_stop_reason).lower().replace("_", " ")),
        ("steps", len(response.steps)),
        ("price", f"{format_number(path[0])} -> {format_number(path[-1])}  (requested "
                  f"{format_number(response.requested_price)})"),
        ("liquidations", len(response.liquidations)),
        ("ADL fills", f"{len(response.adl_fills)} ({sum(abs(f.qty) for f in response.adl_fills)} contracts)"),
        ("fund equity", f"{format_number(response.insurance_fund_equity_before)} -> "
                        f"{format_number(response.insurance_fund_equity_after)}"),
        ("fund deficit", response.insurance_fund_deficit),
    ])
    busy = [[i + 1, step.applied_price, step.liquidation_count, step.adl_fill_count,
             step.insurance_fund_equity_after]
            for i, step in enumerate(response.steps) if step.liquidation_count or step.adl_fill_count]
    shown = _section("steps with takeovers or ADL" + (f" (first 20 of {len(busy)})" if len(busy) > 20 else ""),
                     ["step", "price", "liquidations", "ADL fills", "fund equity"], busy[:20])
    return "\n\n".join([summary, shown])


def _liquidations(response: pb.ApplyMarkResponse, names: Names) -> str:
    rows = [[liquidation.account_id,
             short_name(pb.LiquidationReason, liquidation.reason).lower().replace("_", " "),
             liquidation.equity_before,
             "; ".join(f"{names.instrument(p.instrument_id)} {p.qty} @ {format_number(p.price)}"
                       for p in liquidation.positions) or "-",
             "; ".join(f"{names.currency(b.currency_id)} {format_number(b.amount)}"
                       for b in liquidation.balances) or "-"]
            for liquidation in response.liquidations]
    return _section("liquidations", ["account", "reason", "equity before", "positions moved",
                                     "balances moved"], rows)


def _adl_fills(response: pb.ApplyMarkResponse) -> str:
    rows = [[fill.rank, fill.account_id, fill.qty, fill.price, fill.score]
            for fill in response.adl_fills]
    return _section("ADL fills", ["rank", "account", "qty", "price", "score"], rows)


def _negative_equities(accounts) -> str:
    rows = [[entry.account_id, entry.equity] for entry in accounts]
    return _section("negative-equity accounts", ["account", "equity"], rows)


def render_account(account: pb.Account, names: Names, extra: list[tuple[str, object]] = ()) -> str:
    """Equity, balances and positions with bankruptcy prices and ADL ranks."""
    summary = format_fields([("account", account.account_id), ("equity", account.equity),
                             *extra])
    balances = [[names.currency(b.currency_id), b.amount] for b in account.balances]
    positions = [[names.instrument(p.instrument_id), p.qty, p.entry_price, p.cost, p.upnl,
                  _optional(p, "bankruptcy_price"), p.adl_rank, p.adl_indicator]
                 for p in account.positions]
    return "\n\n".join([
        summary,
        _section("balances", ["currency", "amount"], balances),
        _section("positions", ["instrument", "qty", "entry price", "cost", "upnl",
                               "bankruptcy price", "ADL rank", "ADL indicator"], positions)])


def render_fund(response: pb.GetInsuranceFundResponse, names: Names) -> str:
    return render_account(response.account, names,
                          [("floor", response.floor), ("deficit", response.deficit)])


def render_status(response: pb.GetStatusResponse) -> str:
    return format_fields([
        ("applied seq", response.applied_seq), ("accounts", response.account_count),
        ("positions", response.position_count), ("instruments", response.instrument_count),
        ("currencies", response.currency_count),
        ("insurance fund account", response.insurance_fund_account_id),
        ("persistence", response.persistence), ("version", response.version),
        ("state hash", response.state_hash)])


def render_instruments(response: pb.ListInstrumentsResponse, names: Names) -> str:
    rows = [[i.instrument_id, i.symbol, short_name(pb.ContractKind, i.kind),
             names.currency(i.settlement_currency_id), i.multiplier, i.tick_size, i.mark_price,
             short_name(pb.CapPolicy, i.cap_policy), short_name(pb.AdlRanking, i.adl_ranking),
             short_name(pb.AdlAllocation, i.adl_allocation)]
            for i in response.instruments]
    return format_table(["id", "symbol", "kind", "settles in", "multiplier", "tick",
                         "mark", "cap policy", "ADL ranking", "ADL allocation"], rows)


def render_currencies(response: pb.ListCurrenciesResponse) -> str:
    rows = [[c.currency_id, c.code, c.price, c.decimals, "yes" if c.valuation else ""]
            for c in response.currencies]
    return format_table(["id", "code", "price", "decimals", "valuation"], rows)


def render_upserted_currency(response: pb.UpsertCurrencyResponse,
                             currencies: pb.ListCurrenciesResponse) -> str:
    """The seq, the currencies now, and the accounts a price change left below zero."""
    return "\n\n".join([f"seq {response.seq}", render_currencies(currencies),
                        _negative_equities(response.negative_equity_accounts)])


def render_band(response: pb.GetBankruptcyBandResponse, instrument: str) -> str:
    def accounts(ids) -> str:
        return ", ".join(str(account_id) for account_id in ids) or "-"

    return format_fields([
        ("instrument", instrument),
        ("upper price", _optional(response, "upper_price")),
        ("  accounts", accounts(response.upper_account_ids)),
        ("mark", response.mark_price),
        ("lower price", _optional(response, "lower_price")),
        ("  accounts", accounts(response.lower_account_ids))])


def render_adl_queue(response: pb.GetAdlQueueResponse, instrument: str, side: str) -> str:
    rows = [[e.rank, e.account_id, e.qty, e.score, e.indicator] for e in response.entries]
    return _section(f"ADL queue {instrument} {side}",
                    ["rank", "account", "qty", "score", "indicator"], rows)


def _mark_line(seq: int, mark: pb.ApplyMarkResponse, names: Names) -> str:
    steps = f"  steps {len(mark.steps)}" if mark.steps else ""
    return (f"seq {seq}  mark {names.instrument(mark.instrument_id)}  "
            f"{format_number(mark.previous_price)} -> {format_number(mark.applied_price)}"
            f"  capped {yes_no(mark.capped)}{steps}  liquidations {len(mark.liquidations)}"
            f"  ADL fills {len(mark.adl_fills)}")


def render_event(event: pb.WatchEventsResponse, names: Names) -> str:
    """One line per event (an ApplyMarks call: one line per mark)."""
    if event.HasField("mark"):
        return _mark_line(event.seq, event.mark, names)
    if event.HasField("marks"):
        return "\n".join(_mark_line(event.seq, mark, names) for mark in event.marks.outcomes)
    return (f"seq {event.seq}  currency update  negative-equity accounts "
            f"{len(event.currency.negative_equity_accounts)}")
