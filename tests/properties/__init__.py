"""Hypothesis property tests: the engine against the reference and SPEC §7 invariants."""
