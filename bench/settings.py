"""How many samples each measurement takes, by workload size."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Settings:
    warmup: int = 20                  # requests per phase applied before recording
    normal_samples: int = 500         # per normal-move phase (popular, random)
    dry_run_jump_samples: int = 100
    jump_samples: int = 100           # real jumps: 2 per instrument (a rise, then a fall)
    noop_samples: int = 500           # stand-alone ListCurrencies and health Check
    status_samples: int = 20          # GetStatus hashes the whole state: O(N) per call
    naive_samples: int = 5
    scaling_samples: int = 200        # engine-only dry runs at N and at N/10
    scaling_budget_seconds: float = 60.0  # each of the two
    phase_budget_seconds: float = 120.0  # a phase stops early past this (reported)
    mark_list_rounds: int = 30        # ApplyMarks rounds, and as many rounds of single calls

    @staticmethod
    def for_size(size: str) -> "Settings":
        if size == "tiny":  # the CI smoke test: seconds, not statistics
            return Settings(warmup=2, normal_samples=15, dry_run_jump_samples=6, jump_samples=10,
                            noop_samples=20, status_samples=3, naive_samples=2, scaling_samples=10,
                            scaling_budget_seconds=5.0, phase_budget_seconds=10.0,
                            mark_list_rounds=3)
        return Settings()
