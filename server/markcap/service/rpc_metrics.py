"""The RPC metrics: every RiskEngineService call counted by method and status code when it
ends, and ApplyMark's server-side latency observed (metrics.py defines both)."""
from __future__ import annotations

import time

import grpc

from .interceptors import SERVICE_PREFIX, behavior_of, is_markcap_call, rewrap
from .metrics import Metrics

APPLY_MARK = SERVICE_PREFIX + "ApplyMark"


def _status_name(context: grpc.ServicerContext) -> str:
    code = context.code()
    if isinstance(code, grpc.StatusCode):
        return code.name
    return "OK" if code is None else str(code)


class RpcMetricsInterceptor(grpc.ServerInterceptor):
    """Counts RiskEngineService calls by status code and times ApplyMark."""

    def __init__(self, metrics: Metrics):
        self._metrics = metrics

    def intercept_service(self, continuation, handler_call_details):
        handler = continuation(handler_call_details)
        if not is_markcap_call(handler, handler_call_details):
            return handler
        method = handler_call_details.method
        name = method.removeprefix(SERVICE_PREFIX)
        if handler.response_streaming:
            return rewrap(handler, self._counted_stream(name, behavior_of(handler)))
        return rewrap(handler, self._counted_unary(name, behavior_of(handler),
                                                   timed=method == APPLY_MARK))

    def _counted_unary(self, name: str, behavior, timed: bool):
        def counted(request, context):
            start = time.perf_counter()
            try:
                return behavior(request, context)
            finally:
                if timed:
                    dry_run = "true" if getattr(request, "dry_run", False) else "false"
                    self._metrics.apply_mark_seconds.labels(dry_run).observe(
                        time.perf_counter() - start)
                self._metrics.rpcs.labels(name, _status_name(context)).inc()
        return counted

    def _counted_stream(self, name: str, behavior):
        def counted(request_or_iterator, context):
            try:
                yield from behavior(request_or_iterator, context)
            finally:
                self._metrics.rpcs.labels(name, _status_name(context)).inc()
        return counted
