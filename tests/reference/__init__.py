"""A slow, independent reference of SPEC.md written with plain loops, floats and dicts.

It shares nothing with markcap.engine except the value types used as inputs
(enums, Currency, Instrument), so agreeing with it is evidence, not an echo.
"""
