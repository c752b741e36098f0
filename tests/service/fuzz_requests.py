"""Hostile request bytes for every RPC of a running markcap-server (issue 12 item 2).

`messages(seed)` yields (method, bytes): random bytes, and field-level mutations of
valid serialized requests (bit flips, truncations, wrong wire types, bad lengths,
over-long varints, dropped, duplicated and unknown fields), including inside nested
messages. `Fuzzer(address).run(count)` sends them through
`channel.unary_unary(path, request_serializer=None, response_deserializer=None)`
(and the stream kinds likewise) and tallies the status codes; after every call
that was refused, and after every accepted one that may change state, it reads
GetStatus.state_hash, so a refused call that changed state is caught.

Used by tests/service/test_service_malformed.py (a few thousand messages) and, with
MARKCAP_FUZZ_MESSAGES=100000, by `make fuzz`.
"""
from __future__ import annotations

import collections
import random
import time
from dataclasses import dataclass, field

import grpc
from grpc_health.v1 import health_pb2
from grpc_reflection.v1alpha import reflection_pb2

from markcap.v1 import risk_engine_pb2 as pb

SERVICE = "/markcap.v1.RiskEngineService/"
HEALTH = "/grpc.health.v1.Health/"
REFLECTION = "/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo"
CALL_SECONDS = 10.0
# Methods whose accepted calls may change the state (the hash is re-read after them).
STATE_CHANGING = {SERVICE + name for name in
                  ("StreamDeltas", "ApplyMark", "ApplyMarks", "UpsertCurrency",
                   "UpsertInstrument")}
UNARY, SERVER_STREAM, CLIENT_STREAM, BIDI = "unary", "server_stream", "client_stream", "bidi"


def fills(*rows) -> pb.FillColumns:
    """rows of (account_id, instrument_id, qty, price)."""
    columns = pb.FillColumns()
    for account_id, instrument_id, qty, price in rows:
        columns.account_id.append(account_id)
        columns.instrument_id.append(instrument_id)
        columns.qty.append(qty)
        columns.price.append(price)
    return columns


def valid_requests() -> dict[str, tuple[str, list]]:
    """method -> (kind, valid request messages) on the default exchange (7 BTC-PERP, 8 ETH,
    currencies 1 USD and 2 BTC). seq 0 everywhere: auto-assigned, never a gap."""
    deltas = [pb.StreamDeltasRequest(fills=fills((1, 7, 3, 100.0), (2, 7, -3, 100.0))),
              pb.StreamDeltasRequest(transfers=pb.TransferColumns(
                  account_id=[1, 2, 0], currency_id=[1, 1, 1], amount=[500.0, 500.0, 1e4]))]
    marks = [pb.ApplyMarkRequest(instrument_id=7, price=101.0, dry_run=True),
             pb.ApplyMarkRequest(instrument_id=8, price=3001.0),
             pb.ApplyMarkRequest(instrument_id=7, price=99.5, sweep=True, max_steps=3,
                                 cap_policy=pb.CAP_POLICY_CAP_TO_FIRST_BANKRUPTCY_PRICE)]
    mark_lists = [pb.ApplyMarksRequest(marks=[pb.MarkRequest(instrument_id=7, price=100.5),
                                              pb.MarkRequest(instrument_id=8, price=2999.0)],
                                       dry_run=True)]
    currency = [pb.UpsertCurrencyRequest(currency=pb.Currency(currency_id=2, code="BTC",
                                                              price=30000.0, decimals=8))]
    instrument = [pb.UpsertInstrumentRequest(instrument=pb.Instrument(
        instrument_id=77, symbol="FUZZ-PERP", kind=pb.CONTRACT_KIND_LINEAR,
        settlement_currency_id=1, multiplier=1.0, tick_size=0.5, mark_price=10.0))]
    return {
        SERVICE + "StreamDeltas": (BIDI, deltas),
        SERVICE + "ApplyMark": (UNARY, marks),
        SERVICE + "ApplyMarks": (UNARY, mark_lists),
        SERVICE + "UpsertCurrency": (UNARY, currency),
        SERVICE + "UpsertInstrument": (UNARY, instrument),
        SERVICE + "ListInstruments": (UNARY, [pb.ListInstrumentsRequest()]),
        SERVICE + "ListCurrencies": (UNARY, [pb.ListCurrenciesRequest()]),
        SERVICE + "GetAccount": (UNARY, [pb.GetAccountRequest(account_id=1)]),
        SERVICE + "GetInsuranceFund": (UNARY, [pb.GetInsuranceFundRequest()]),
        SERVICE + "GetBankruptcyBand": (UNARY, [pb.GetBankruptcyBandRequest(instrument_id=7)]),
        SERVICE + "GetAdlQueue": (UNARY, [pb.GetAdlQueueRequest(
            instrument_id=7, side=pb.SIDE_LONG, limit=5)]),
        SERVICE + "GetStatus": (UNARY, [pb.GetStatusRequest()]),
        SERVICE + "WatchEvents": (SERVER_STREAM, [pb.WatchEventsRequest(from_seq=0)]),
        HEALTH + "Check": (UNARY, [health_pb2.HealthCheckRequest(
            service="markcap.v1.RiskEngineService")]),
        HEALTH + "Watch": (SERVER_STREAM, [health_pb2.HealthCheckRequest()]),
        REFLECTION: (BIDI, [reflection_pb2.ServerReflectionRequest(list_services="")]),
    }


# ---- the wire format, just enough to mutate fields ----------------------------------------

@dataclass
class Field:
    number: int
    wire_type: int
    payload: bytes  # varint bytes, fixed bytes, or the length-delimited content


def _varint(value: int) -> bytes:
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        if value:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def _read_varint(data: bytes, at: int) -> tuple[int, int]:
    value = shift = 0
    while True:
        if at >= len(data) or shift > 63:
            raise ValueError("bad varint")
        byte = data[at]
        at += 1
        value |= (byte & 0x7F) << shift
        shift += 7
        if not byte & 0x80:
            return value, at


def parse_fields(data: bytes) -> list[Field] | None:
    """The fields of a well-formed message, or None if `data` is not one."""
    fields, at = [], 0
    try:
        while at < len(data):
            key, at = _read_varint(data, at)
            number, wire_type = key >> 3, key & 7
            if wire_type == 0:
                start = at
                _, at = _read_varint(data, at)
                payload = data[start:at]
            elif wire_type == 1:
                payload, at = data[at:at + 8], at + 8
            elif wire_type == 5:
                payload, at = data[at:at + 4], at + 4
            elif wire_type == 2:
                length, at = _read_varint(data, at)
                payload, at = data[at:at + length], at + length
            else:
                return None
            if at > len(data) or number == 0:
                return None
            fields.append(Field(number, wire_type, payload))
    except ValueError:
        return None
    return fields


def encode_fields(fields: list[Field]) -> bytes:
    out = bytearray()
    for each in fields:
        out += _varint(each.number << 3 | each.wire_type)
        if each.wire_type == 2:
            out += _varint(len(each.payload))
        out += each.payload
    return bytes(out)


# ---- mutations ---------------------------------------------------------------------------

def _flip_bit(rng: random.Random, data: bytes) -> bytes:
    if not data:
        return b"\xff"
    at = rng.randrange(len(data))
    return data[:at] + bytes([data[at] ^ (1 << rng.randrange(8))]) + data[at + 1:]


def _truncate(rng: random.Random, data: bytes) -> bytes:
    return data[:rng.randrange(len(data))] if data else b"\x0a"


def _wrong_wire_type(rng: random.Random, fields: list[Field]) -> list[Field]:
    target = rng.randrange(len(fields))
    choices = [t for t in (0, 1, 2, 3, 4, 5, 6, 7) if t != fields[target].wire_type]
    fields[target] = Field(fields[target].number, rng.choice(choices), fields[target].payload)
    return fields


def _mutate_field(rng: random.Random, fields: list[Field], depth: int) -> bytes:
    target = rng.randrange(len(fields))
    old = fields[target]
    choice = rng.randrange(9)
    if choice == 0:
        return encode_fields(_wrong_wire_type(rng, fields))
    if choice == 1:  # an over-long varint, or one that never ends
        fields[target] = Field(old.number, 0, b"\xff" * rng.randint(10, 12)
                               + (b"\x01" if rng.random() < 0.5 else b""))
    elif choice == 2:  # a length prefix beyond the data
        return (encode_fields(fields[:target]) + _varint(old.number << 3 | 2)
                + _varint(len(old.payload) + rng.randint(1, 1000)) + old.payload)
    elif choice == 3:
        fields.insert(target, Field(old.number, old.wire_type, old.payload))  # repeated
    elif choice == 4:
        del fields[target]
    elif choice == 5:  # an unknown field (parsers skip it) or the invalid field number 0
        fields.insert(target, Field(rng.choice((0, 999, 2**29 - 1, 19000)), rng.choice((0, 2)),
                                    b"\x01" if rng.random() < 0.5 else b"\x00"))
    elif choice == 6:  # a random payload of the same wire type
        size = len(old.payload) if old.wire_type in (1, 5) else rng.randint(0, 40)
        payload = rng.randbytes(size)
        if old.wire_type == 0:
            payload = _varint(rng.getrandbits(rng.choice((7, 32, 64))))
        fields[target] = Field(old.number, old.wire_type, payload)
    elif choice == 7 and old.wire_type == 2 and depth < 3:  # inside a nested message
        fields[target] = Field(old.number, 2, mutate(rng, old.payload, depth + 1))
    else:  # a packed payload whose length is not a multiple of the element size
        fields[target] = Field(old.number, 2, old.payload + rng.randbytes(rng.randint(1, 7)))
    return encode_fields(fields)


def mutate(rng: random.Random, data: bytes, depth: int = 0) -> bytes:
    """One mutation of a serialized message: bytes-level or field-level."""
    fields = parse_fields(data)
    choice = rng.randrange(4)
    if not fields or choice == 0:
        return _flip_bit(rng, data)
    if choice == 1:
        return _truncate(rng, data)
    encoded = _mutate_field(rng, fields, depth)
    if choice == 2 and len(encoded) > 1:  # and a bit flip on top
        return _flip_bit(rng, encoded)
    return encoded


def messages(seed: int):
    """(method, kind, request bytes), endlessly: random bytes and mutated valid requests."""
    rng = random.Random(seed)
    requests = valid_requests()
    methods = sorted(requests)
    while True:
        method = rng.choice(methods)
        kind, valid = requests[method]
        if rng.random() < 0.3:
            data = rng.randbytes(rng.choice((1, 2, 3, 5, 8, 16, 64, 256)))
        else:
            data = rng.choice(valid).SerializeToString()
            for _ in range(rng.choice((1, 1, 1, 2, 3))):
                data = mutate(rng, data)
        yield method, kind, data


# ---- sending them --------------------------------------------------------------------------

@dataclass
class Tally:
    codes: collections.Counter = field(default_factory=collections.Counter)
    by_method: collections.Counter = field(default_factory=collections.Counter)
    refused_changed_state: list = field(default_factory=list)
    internal: list = field(default_factory=list)  # (method, bytes, details)
    sent: int = 0


class Fuzzer:
    def __init__(self, address: str):
        self._channel = grpc.insecure_channel(address)
        self._status = self._channel.unary_unary(
            SERVICE + "GetStatus", request_serializer=pb.GetStatusRequest.SerializeToString,
            response_deserializer=pb.GetStatusResponse.FromString)
        self._calls = {}

    def close(self) -> None:
        self._channel.close()

    def state_hash(self) -> bytes:
        return self._status(pb.GetStatusRequest(), timeout=CALL_SECONDS).state_hash

    def _callable(self, method: str, kind: str):
        if (method, kind) not in self._calls:
            make = {UNARY: self._channel.unary_unary, SERVER_STREAM: self._channel.unary_stream,
                    CLIENT_STREAM: self._channel.stream_unary,
                    BIDI: self._channel.stream_stream}[kind]
            self._calls[method, kind] = make(method, request_serializer=None,
                                             response_deserializer=None)
        return self._calls[method, kind]

    def send(self, method: str, kind: str, data: bytes) -> grpc.StatusCode:
        """One call carrying `data` (a stream: that one message); its status code. Server
        streams that were accepted are cancelled once subscribed (they would run on)."""
        call = self._callable(method, kind)
        try:
            if kind == UNARY:
                call(data, timeout=CALL_SECONDS)
                return grpc.StatusCode.OK
            if kind == BIDI:
                for _ in call(iter([data]), timeout=CALL_SECONDS):
                    pass
                return grpc.StatusCode.OK
            stream = call(data, timeout=CALL_SECONDS)
            stream.initial_metadata()  # subscribed, or the call is over
            if not stream.done():
                stream.cancel()
                return grpc.StatusCode.OK
            return stream.code()
        except grpc.RpcError as error:
            return error.code()

    def run(self, count: int, seed: int, max_seconds: float = 600.0) -> Tally:
        """Sends `count` messages (fewer if `max_seconds` run out first)."""
        tally = Tally()
        known_hash = self.state_hash()
        deadline = time.monotonic() + max_seconds
        for method, kind, data in messages(seed):
            if tally.sent >= count or time.monotonic() > deadline:
                break
            code = self.send(method, kind, data)
            tally.sent += 1
            tally.codes[code.name] += 1
            tally.by_method[method.rpartition("/")[2], code.name] += 1
            if code == grpc.StatusCode.INTERNAL or code == grpc.StatusCode.UNKNOWN:
                tally.internal.append((method, data, code.name))
            if code != grpc.StatusCode.OK:
                now = self.state_hash()
                if now != known_hash:
                    tally.refused_changed_state.append((method, data, code.name))
                known_hash = now
            elif method in STATE_CHANGING:
                known_hash = self.state_hash()
        return tally
