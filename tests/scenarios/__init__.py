"""Scenario tests: SPEC.md's examples played against a real server over gRPC."""
