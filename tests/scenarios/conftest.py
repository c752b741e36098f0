"""The `open_exchange` fixture: an in-process server started from a TOML config (the
scenarios are about the engine's decisions through the API, not the process), and a
stub to it."""
from __future__ import annotations

import grpc
import pytest

from markcap.v1 import risk_engine_pb2_grpc as pb_grpc


@pytest.fixture
def open_exchange(start_in_process_server):
    """open_exchange(config_text) -> RiskEngineServiceStub of a fresh server with that config."""
    channels: list[grpc.Channel] = []

    def open_(config_text: str) -> pb_grpc.RiskEngineServiceStub:
        server = start_in_process_server(config_text=config_text)
        channel = grpc.insecure_channel(server.address)
        channels.append(channel)
        grpc.channel_ready_future(channel).result(timeout=10)
        return pb_grpc.RiskEngineServiceStub(channel)

    yield open_
    for channel in channels:
        channel.close()
