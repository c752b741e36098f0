"""Engine outcomes and views -> response messages.

Pure functions of their input, with fields filled in a fixed order, so the same
outcome always serialises to the same bytes (duplicate answers, replays).
Numbers go through float()/int() because the engine may hand back numpy scalars.
"""
from __future__ import annotations

from markcap.engine import (AccountEquity, AccountView, AdlFill, AdlQueueEntry, BankruptcyBand,
                            Currency, CurrencyOutcome, DeltasOutcome, FundView, Instrument,
                            InstrumentOutcome, Liquidation, MarkOutcome, MarksOutcome, PositionView,
                            Status)
from markcap.v1 import risk_engine_pb2 as pb

from . import enums


def _set_optional(message, field: str, value: float | None) -> None:
    if value is not None:
        setattr(message, field, float(value))


def deltas_response(outcome: DeltasOutcome) -> pb.StreamDeltasResponse:
    return pb.StreamDeltasResponse(seq=int(outcome.seq), fill_count=int(outcome.fill_count),
                                   transfer_count=int(outcome.transfer_count),
                                   duplicate=bool(outcome.duplicate))


def _account_equity(item: AccountEquity) -> pb.AccountEquity:
    return pb.AccountEquity(account_id=int(item.account_id), equity=float(item.equity))


def _liquidation(item: Liquidation) -> pb.Liquidation:
    return pb.Liquidation(
        account_id=int(item.account_id),
        equity_before=float(item.equity_before),
        positions=[pb.LiquidatedPosition(instrument_id=int(p.instrument_id), qty=int(p.qty),
                                         price=float(p.price)) for p in item.positions],
        balances=[pb.LiquidatedBalance(currency_id=int(b.currency_id), amount=float(b.amount))
                  for b in item.balances],
        reason=enums.LIQUIDATION_REASON.to_proto(item.reason),
        price=float(item.price),
    )


def _adl_fill(item: AdlFill) -> pb.AdlFill:
    return pb.AdlFill(account_id=int(item.account_id), instrument_id=int(item.instrument_id),
                      qty=int(item.qty), price=float(item.price), rank=int(item.rank),
                      score=float(item.score))


def mark_response(outcome: MarkOutcome) -> pb.ApplyMarkResponse:
    response = pb.ApplyMarkResponse(
        seq=int(outcome.seq),
        instrument_id=int(outcome.instrument_id),
        previous_price=float(outcome.previous_price),
        requested_price=float(outcome.requested_price),
        applied_price=float(outcome.applied_price),
        capped=bool(outcome.capped),
        liquidations=[_liquidation(item) for item in outcome.liquidations],
        adl_fills=[_adl_fill(item) for item in outcome.adl_fills],
        negative_equity_accounts=[_account_equity(item)
                                  for item in outcome.negative_equity_accounts],
        insurance_fund_equity_before=float(outcome.insurance_fund_equity_before),
        insurance_fund_equity_after=float(outcome.insurance_fund_equity_after),
        insurance_fund_deficit=float(outcome.insurance_fund_deficit),
        cap_policy=enums.CAP_POLICY.to_proto(outcome.cap_policy),
        dry_run=bool(outcome.dry_run),
    )
    _set_optional(response, "first_bankruptcy_price", outcome.first_bankruptcy_price)
    for step in outcome.steps:
        message = response.steps.add(
            applied_price=float(step.applied_price), capped=bool(step.capped),
            liquidation_count=int(step.liquidation_count), adl_fill_count=int(step.adl_fill_count),
            insurance_fund_equity_after=float(step.insurance_fund_equity_after))
        _set_optional(message, "first_bankruptcy_price", step.first_bankruptcy_price)
    if outcome.sweep_stop_reason is not None:
        response.sweep_stop_reason = enums.SWEEP_STOP_REASON.to_proto(outcome.sweep_stop_reason)
    return response


def marks_response(outcome: MarksOutcome) -> pb.ApplyMarksResponse:
    return pb.ApplyMarksResponse(seq=int(outcome.seq),
                                 outcomes=[mark_response(each) for each in outcome.outcomes])


def currency_response(outcome: CurrencyOutcome) -> pb.UpsertCurrencyResponse:
    return pb.UpsertCurrencyResponse(
        seq=int(outcome.seq),
        negative_equity_accounts=[_account_equity(item)
                                  for item in outcome.negative_equity_accounts])


def currency(item: Currency) -> pb.Currency:
    return pb.Currency(currency_id=int(item.currency_id), code=item.code,
                       price=float(item.price), valuation=bool(item.valuation),
                       decimals=int(item.decimals))


def instrument(item: Instrument) -> pb.Instrument:
    return pb.Instrument(
        instrument_id=int(item.instrument_id),
        symbol=item.symbol,
        kind=enums.CONTRACT_KIND.to_proto(item.kind),
        settlement_currency_id=int(item.settlement_currency_id),
        multiplier=float(item.multiplier),
        tick_size=float(item.tick_size),
        mark_price=float(item.mark_price),
        cap_policy=enums.CAP_POLICY.to_proto(item.cap_policy),
        adl_ranking=enums.ADL_RANKING.to_proto(item.adl_ranking),
        adl_allocation=enums.ADL_ALLOCATION.to_proto(item.adl_allocation),
    )


def instrument_response(outcome: InstrumentOutcome) -> pb.UpsertInstrumentResponse:
    return pb.UpsertInstrumentResponse(seq=int(outcome.seq),
                                       instrument=instrument(outcome.instrument))


def _position(item: PositionView) -> pb.Position:
    position = pb.Position(instrument_id=int(item.instrument_id), qty=int(item.qty),
                           entry_price=float(item.entry_price), upnl=float(item.upnl),
                           cost=float(item.cost), adl_rank=int(item.adl_rank),
                           adl_indicator=int(item.adl_indicator))
    _set_optional(position, "bankruptcy_price", item.bankruptcy_price)
    return position


def account(view: AccountView) -> pb.Account:
    return pb.Account(
        account_id=int(view.account_id),
        equity=float(view.equity),
        balances=[pb.Balance(currency_id=int(currency_id), amount=float(amount))
                  for currency_id, amount in view.balances],
        positions=[_position(item) for item in view.positions],
    )


def fund_response(view: FundView) -> pb.GetInsuranceFundResponse:
    return pb.GetInsuranceFundResponse(account=account(view.account), floor=float(view.floor),
                                       deficit=float(view.deficit))


def band_response(band: BankruptcyBand) -> pb.GetBankruptcyBandResponse:
    response = pb.GetBankruptcyBandResponse(
        mark_price=float(band.mark_price),
        lower_account_ids=[int(i) for i in band.lower_account_ids],
        upper_account_ids=[int(i) for i in band.upper_account_ids])
    _set_optional(response, "lower_price", band.lower_price)
    _set_optional(response, "upper_price", band.upper_price)
    return response


def adl_queue_response(entries: list[AdlQueueEntry]) -> pb.GetAdlQueueResponse:
    return pb.GetAdlQueueResponse(entries=[
        pb.AdlQueueEntry(account_id=int(e.account_id), qty=int(e.qty), score=float(e.score),
                         rank=int(e.rank), indicator=int(e.indicator)) for e in entries])


def status_response(status: Status, version: str, persistence: str) -> pb.GetStatusResponse:
    return pb.GetStatusResponse(
        applied_seq=int(status.applied_seq),
        account_count=int(status.account_count),
        position_count=int(status.position_count),
        instrument_count=int(status.instrument_count),
        version=version,
        currency_count=int(status.currency_count),
        insurance_fund_account_id=int(status.insurance_fund_account_id),
        persistence=persistence,
        state_hash=status.state_hash,
    )

