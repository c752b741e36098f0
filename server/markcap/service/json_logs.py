"""Every server log record as one JSON line on stderr, so a log shipper reads one format.

    {"ts": "2026-12-08T00:00:00.000000Z", "level": "INFO", "logger": "markcap.service",
     "message": "snapshot at seq 12 written in 0.004 s"}

A record may carry `fields` (a dict, e.g. the mark log's), which replace the message;
an exception's traceback goes in "exception", inside the same line.
"""
from __future__ import annotations

import json
import logging
import sys
from datetime import datetime, timezone


class JsonLineFormatter(logging.Formatter):
    """The record as one JSON object: time, level, logger, then its message or `fields`."""

    def format(self, record: logging.LogRecord) -> str:
        stamp = datetime.fromtimestamp(record.created, timezone.utc)
        line = {"ts": stamp.strftime("%Y-%m-%dT%H:%M:%S.%fZ"), "level": record.levelname,
                "logger": record.name}
        line.update(getattr(record, "fields", {"message": record.getMessage()}))
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, separators=(",", ":"), allow_nan=False, default=str, ensure_ascii=False)


def configure(level: int = logging.INFO, stream=None) -> None:
    """The root logger writes JSON lines to `stream` (default stderr), and only there."""
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(JsonLineFormatter())
    logging.basicConfig(level=level, handlers=[handler], force=True)
