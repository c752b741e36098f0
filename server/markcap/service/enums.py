"""Proto enum numbers <-> engine enums, matched by name (CONTRACT_KIND_LINEAR <-> LINEAR).

`*_UNSPECIFIED` (0) becomes None, which the engine reads as "default / keep";
a number the proto does not define is bad input. A value's name is its enum's
prefix and the engine's name; the prefix is read from the proto itself (its
UNSPECIFIED value's name: buf STANDARD lint makes every value carry it), so it
is written down nowhere here.
"""
from __future__ import annotations

import enum
from typing import TypeVar

from markcap.engine import (AdlAllocation, AdlRanking, CapPolicy, ContractKind, InvalidInput,
                            LiquidationReason, Side, SweepStopReason)
from markcap.v1 import risk_engine_pb2 as pb

EngineEnum = TypeVar("EngineEnum", bound=enum.IntEnum)


def value_prefix(proto_enum) -> str:
    """The prefix of every value name of `proto_enum` ("CONTRACT_KIND_"): its zero value's
    name without UNSPECIFIED."""
    zero = proto_enum.Name(0)
    if not zero.endswith("_UNSPECIFIED"):
        raise TypeError(f"{proto_enum.DESCRIPTOR.name}'s zero value {zero} is not *_UNSPECIFIED")
    return zero.removesuffix("UNSPECIFIED")


class EnumPair:
    """One proto enum and its engine twin, e.g. pb.ContractKind and ContractKind."""

    def __init__(self, proto_enum, engine_enum: type[EngineEnum]):
        self.proto_name = proto_enum.DESCRIPTOR.name
        prefix = value_prefix(proto_enum)
        self._to_engine = {}
        self._to_proto = {}
        for name, number in proto_enum.items():
            if number == 0:
                continue
            # A KeyError here means proto and engine disagree: fail at import, not per call.
            member = engine_enum[name.removeprefix(prefix)]
            self._to_engine[number] = member
            self._to_proto[member] = number
        missing = set(engine_enum) - set(self._to_proto)
        if missing:
            raise TypeError(f"{self.proto_name} lacks engine values {sorted(missing)}")

    def optional(self, number: int, field: str):
        """The engine value, or None for *_UNSPECIFIED ("default")."""
        if number == 0:
            return None
        return self.required(number, field)

    def required(self, number: int, field: str):
        """The engine value; *_UNSPECIFIED or an undefined number is bad input."""
        if number == 0:
            raise InvalidInput(f"{field} is required ({self.proto_name} UNSPECIFIED given)",
                               field=field, value=number)
        member = self._to_engine.get(number)
        if member is None:
            raise InvalidInput(f"{field} {number} is not a defined {self.proto_name} value",
                               field=field, value=number)
        return member

    def to_proto(self, member: enum.IntEnum) -> int:
        return self._to_proto[member]


CONTRACT_KIND = EnumPair(pb.ContractKind, ContractKind)
CAP_POLICY = EnumPair(pb.CapPolicy, CapPolicy)
ADL_RANKING = EnumPair(pb.AdlRanking, AdlRanking)
ADL_ALLOCATION = EnumPair(pb.AdlAllocation, AdlAllocation)
SIDE = EnumPair(pb.Side, Side)
LIQUIDATION_REASON = EnumPair(pb.LiquidationReason, LiquidationReason)
SWEEP_STOP_REASON = EnumPair(pb.SweepStopReason, SweepStopReason)
