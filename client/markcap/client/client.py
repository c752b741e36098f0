"""MarkcapClient: a typed wrapper over the generated RiskEngineService stub.

Every method returns the RPC's response message (`markcap.v1.risk_engine_pb2`)
and raises MarkcapError on a non-OK status. Each call has a deadline, the
client's `timeout` unless the call passes its own (`timeout=None`: none).

Retries: only UNAVAILABLE, and only where repeating cannot apply anything
twice: queries always; state-changing inputs only when they carry an explicit
non-zero seq (the server answers a repeat as a duplicate). An input with seq 0
is never retried, since the server would assign it a new seq each time.
StreamDeltas streams are not retried (their batches are consumed once); resume
from the last acknowledged seq instead. All retries of one call share its deadline.
"""
from __future__ import annotations

import time
from pathlib import Path
from typing import Iterable, Iterator

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc

from markcap.v1 import risk_engine_pb2 as pb
from markcap.v1 import risk_engine_pb2_grpc as pb_grpc

from .deltas import DeltaBatch, Fills, Transfers, batch_request
from .enums import enum_value
from .errors import MarkcapError
from .retry import RetryPolicy, call_with_retry, is_unavailable
from .tls import channel_credentials

# "Use the client's timeout", as opposed to None ("no deadline").
DEFAULT = object()

# Reconnect quickly after a server restart, so that retries can reach it; let
# large outcomes (many liquidations) through.
_CHANNEL_OPTIONS = (
    ("grpc.initial_reconnect_backoff_ms", 100),
    ("grpc.min_reconnect_backoff_ms", 100),
    ("grpc.max_reconnect_backoff_ms", 2000),
    ("grpc.max_receive_message_length", 64 * 1024 * 1024),
)


class MarkcapClient:
    """Client of one markcap server at `target` ("127.0.0.1:50051" or "unix:/path").

    TLS: `tls_ca` (PEM file of the CA that signed the server's certificate; with
    `tls=True` alone, the system's roots), plus `tls_cert` and `tls_key` for
    mutual TLS. Without them the channel is plaintext.
    Pass `channel` to use your own (e.g. intercepted) channel; the client then
    does not close it.
    """

    def __init__(self, target: str = "", *, timeout: float | None = 5.0,
                 channel: grpc.Channel | None = None, retry: RetryPolicy = RetryPolicy(),
                 tls: bool = False, tls_ca: str | Path | None = None,
                 tls_cert: str | Path | None = None, tls_key: str | Path | None = None):
        if channel is None and not target:
            raise ValueError("MarkcapClient needs a target or a channel")
        self.target = target
        self.timeout = timeout
        self.retry = retry
        self._owns_channel = channel is None
        if channel is None:
            credentials = channel_credentials(tls, tls_ca, tls_cert, tls_key)
            channel = (grpc.secure_channel(target, credentials, options=_CHANNEL_OPTIONS)
                       if credentials else grpc.insecure_channel(target, options=_CHANNEL_OPTIONS))
        self._channel = channel
        self._stub = pb_grpc.RiskEngineServiceStub(self._channel)

    def close(self) -> None:
        if self._owns_channel:
            self._channel.close()

    def __enter__(self) -> "MarkcapClient":
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    # ---- sequenced inputs ---------------------------------------------------

    def apply_mark(self, instrument_id: int, price: float, *, seq: int = 0,
                   cap_policy: int | str | None = None, dry_run: bool = False,
                   sweep: bool = False, max_steps: int = 0,
                   timeout=DEFAULT) -> pb.ApplyMarkResponse:
        """Moves a mark (SPEC 3); `sweep` repeats the capped step toward `price` in one call (at most
        `max_steps` steps, 0: the server's limit). A dry run changes nothing and is always safe to
        retry."""
        request = pb.ApplyMarkRequest(seq=seq, instrument_id=instrument_id, price=price,
                                      cap_policy=enum_value(pb.CapPolicy, cap_policy),
                                      dry_run=dry_run, sweep=sweep, max_steps=max_steps)
        return self._unary(self._stub.ApplyMark, request, seq != 0 or dry_run, timeout)

    def apply_marks(self, marks: list[dict], *, seq: int = 0, dry_run: bool = False,
                    timeout=DEFAULT) -> pb.ApplyMarksResponse:
        """Several mark updates in one seq (SPEC 3 "Several marks at once"); each mark a dict with
        instrument_id, price and optionally cap_policy, sweep, max_steps."""
        requests = [pb.MarkRequest(instrument_id=m["instrument_id"], price=m["price"],
                                   cap_policy=enum_value(pb.CapPolicy, m.get("cap_policy")),
                                   sweep=m.get("sweep", False), max_steps=m.get("max_steps", 0))
                    for m in marks]
        request = pb.ApplyMarksRequest(seq=seq, marks=requests, dry_run=dry_run)
        return self._unary(self._stub.ApplyMarks, request, seq != 0 or dry_run, timeout)

    def upsert_currency(self, currency_id: int, *, price: float, code: str = "",
                        decimals: int | None = None,
                        seq: int = 0, timeout=DEFAULT) -> pb.UpsertCurrencyResponse:
        """Creates a currency (code and decimals required) or changes its price (and code,
        or decimals while no balance is held in it, if given)."""
        currency = pb.Currency(currency_id=currency_id, code=code, price=price, decimals=decimals)
        request = pb.UpsertCurrencyRequest(seq=seq, currency=currency)
        return self._unary(self._stub.UpsertCurrency, request, seq != 0, timeout)

    def upsert_instrument(self, instrument_id: int, *, symbol: str = "",
                          kind: int | str | None = None,
                          settlement_currency_id: int | None = None,
                          multiplier: float | None = None, tick_size: float | None = None,
                          mark_price: float | None = None,
                          cap_policy: int | str | None = None,
                          adl_ranking: int | str | None = None,
                          adl_allocation: int | str | None = None,
                          seq: int = 0, timeout=DEFAULT) -> pb.UpsertInstrumentResponse:
        """Creates an instrument or changes it; every None/"" keeps the current value."""
        instrument = pb.Instrument(
            instrument_id=instrument_id, symbol=symbol,
            kind=enum_value(pb.ContractKind, kind),
            settlement_currency_id=settlement_currency_id, multiplier=multiplier,
            tick_size=tick_size, mark_price=mark_price, cap_policy=enum_value(pb.CapPolicy, cap_policy),
            adl_ranking=enum_value(pb.AdlRanking, adl_ranking),
            adl_allocation=enum_value(pb.AdlAllocation, adl_allocation))
        request = pb.UpsertInstrumentRequest(seq=seq, instrument=instrument)
        return self._unary(self._stub.UpsertInstrument, request, seq != 0, timeout)

    def send_deltas(self, fills: Fills | None = None, transfers: Transfers | None = None,
                    seq: int = 0, *, timeout=DEFAULT) -> pb.StreamDeltasResponse:
        """Sends one batch on its own stream and returns its acknowledgement."""
        request = batch_request(DeltaBatch(seq, fills, transfers))

        def attempt(seconds_left: float | None) -> pb.StreamDeltasResponse:
            acknowledgements = list(self._stub.StreamDeltas(iter((request,)), timeout=seconds_left))
            if not acknowledgements:
                raise MarkcapError(grpc.StatusCode.INTERNAL,
                                   "server ended the stream without acknowledging the batch")
            return acknowledgements[-1]

        return call_with_retry(attempt, retryable=seq != 0, policy=self.retry,
                               timeout=self._deadline(timeout))

    def stream_deltas(self, batches: Iterable[DeltaBatch], *,
                      timeout=DEFAULT) -> Iterator[pb.StreamDeltasResponse]:
        """Streams batches (consumed lazily, in a background thread) and yields one
        acknowledgement per applied batch. The call starts at once; `timeout`
        bounds the whole stream. Not retried."""
        feed = _RequestFeed(batches)
        call = self._stub.StreamDeltas(iter(feed), timeout=self._deadline(timeout))
        return _acknowledgements(call, feed)

    # ---- queries ------------------------------------------------------------

    def list_instruments(self, *, timeout=DEFAULT) -> pb.ListInstrumentsResponse:
        return self._query(self._stub.ListInstruments, pb.ListInstrumentsRequest(), timeout)

    def list_currencies(self, *, timeout=DEFAULT) -> pb.ListCurrenciesResponse:
        return self._query(self._stub.ListCurrencies, pb.ListCurrenciesRequest(), timeout)

    def get_account(self, account_id: int, *, timeout=DEFAULT) -> pb.GetAccountResponse:
        request = pb.GetAccountRequest(account_id=account_id)
        return self._query(self._stub.GetAccount, request, timeout)

    def get_insurance_fund(self, *, timeout=DEFAULT) -> pb.GetInsuranceFundResponse:
        return self._query(self._stub.GetInsuranceFund, pb.GetInsuranceFundRequest(), timeout)

    def get_bankruptcy_band(self, instrument_id: int, *,
                            timeout=DEFAULT) -> pb.GetBankruptcyBandResponse:
        request = pb.GetBankruptcyBandRequest(instrument_id=instrument_id)
        return self._query(self._stub.GetBankruptcyBand, request, timeout)

    def get_adl_queue(self, instrument_id: int, side: int | str, limit: int = 20, *,
                      timeout=DEFAULT) -> pb.GetAdlQueueResponse:
        request = pb.GetAdlQueueRequest(instrument_id=instrument_id,
                                        side=enum_value(pb.Side, side), limit=limit)
        return self._query(self._stub.GetAdlQueue, request, timeout)

    def get_status(self, *, timeout=DEFAULT) -> pb.GetStatusResponse:
        return self._query(self._stub.GetStatus, pb.GetStatusRequest(), timeout)

    def check_health(self, service: str = "", *,
                     timeout=DEFAULT) -> health_pb2.HealthCheckResponse:
        """The standard gRPC health check ("" = the server; or "markcap.v1.RiskEngineService")."""
        stub = health_pb2_grpc.HealthStub(self._channel)
        return self._query(stub.Check, health_pb2.HealthCheckRequest(service=service), timeout)

    def watch_events(self, from_seq: int = 0, *,
                     timeout: float | None = None) -> Iterator[pb.WatchEventsResponse]:
        """Yields ApplyMark and UpsertCurrency outcomes from `from_seq` on (0: new
        ones only), then live. On UNAVAILABLE it reconnects from the seq after
        the last one yielded (with from_seq 0 and nothing yielded yet, events
        during the outage are missed). No deadline unless `timeout` is given,
        which then bounds each connection."""
        next_seq, failures = from_seq, 0
        while True:
            call = self._stub.WatchEvents(pb.WatchEventsRequest(from_seq=next_seq),
                                          timeout=timeout)
            try:
                for event in call:
                    failures, next_seq = 0, event.seq + 1
                    yield event
                return
            except grpc.RpcError as error:
                failures += 1
                if not is_unavailable(error) or failures >= self.retry.attempts:
                    raise MarkcapError.from_rpc_error(error) from None
            finally:
                call.cancel()
            time.sleep(self.retry.backoff(failures))

    # ---- plumbing -----------------------------------------------------------

    def _deadline(self, timeout) -> float | None:
        return self.timeout if timeout is DEFAULT else timeout

    def _query(self, method, request, timeout):
        return self._unary(method, request, True, timeout)

    def _unary(self, method, request, retryable: bool, timeout):
        return call_with_retry(lambda seconds_left: method(request, timeout=seconds_left),
                               retryable=retryable, policy=self.retry,
                               timeout=self._deadline(timeout))


class _RequestFeed:
    """The requests of a stream; remembers why building one failed, so the caller
    sees that error rather than the CANCELLED that grpc turns it into."""

    def __init__(self, batches: Iterable[DeltaBatch]):
        self._batches = batches
        self.error: BaseException | None = None

    def __iter__(self) -> Iterator[pb.StreamDeltasRequest]:
        try:
            for batch in self._batches:
                yield batch_request(batch)
        except Exception as error:
            self.error = error
            raise


def _acknowledgements(call, feed: _RequestFeed) -> Iterator[pb.StreamDeltasResponse]:
    try:
        yield from call
    except grpc.RpcError as error:
        if feed.error is not None:
            raise feed.error from None
        raise MarkcapError.from_rpc_error(error) from None
    finally:
        call.cancel()
