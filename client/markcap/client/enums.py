"""Enum arguments as proto ints or short names ("NO_CAP", "long"), and back to short names."""
from __future__ import annotations

from markcap.v1 import risk_engine_pb2 as pb

# Each proto enum with the prefix its value names carry (buf STANDARD lint).
ENUM_PREFIXES = {
    pb.ContractKind: "CONTRACT_KIND_",
    pb.CapPolicy: "CAP_POLICY_",
    pb.AdlRanking: "ADL_RANKING_",
    pb.AdlAllocation: "ADL_ALLOCATION_",
    pb.Side: "SIDE_",
    pb.LiquidationReason: "LIQUIDATION_REASON_",
    pb.SweepStopReason: "SWEEP_STOP_REASON_",
}


def enum_value(enum_type, value: int | str | None) -> int:
    """Returns the proto int for `value`: None is UNSPECIFIED (0); a string is a
    short ("NO_CAP") or full ("CAP_POLICY_NO_CAP") name, in any case; an int
    must be one of the enum's values.

    Raises ValueError naming the accepted names otherwise.
    """
    if value is None:
        return 0
    prefix = ENUM_PREFIXES[enum_type]
    if isinstance(value, str):
        name = value.strip().upper().replace("-", "_")
        for candidate in (name, prefix + name):
            if candidate in enum_type.keys():
                return enum_type.Value(candidate)
    elif isinstance(value, int) and not isinstance(value, bool) and value in enum_type.values():
        return value
    raise ValueError(f"{value!r} is not a {enum_type.DESCRIPTOR.name}: "
                     f"expected one of {', '.join(short_names(enum_type))}")


def short_name(enum_type, value: int) -> str:
    """The value's name without its enum prefix ("NO_CAP"), or the number if unknown."""
    try:
        return enum_type.Name(value).removeprefix(ENUM_PREFIXES[enum_type])
    except ValueError:
        return str(value)


def short_names(enum_type) -> list[str]:
    """Every short name except UNSPECIFIED."""
    return [short_name(enum_type, value) for value in enum_type.values() if value]
