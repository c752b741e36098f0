"""Scenario tests: SPEC.md's examples played against a real server (in-process: tests/in_process.py) over gRPC."""
