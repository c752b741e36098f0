"""An operator with only buf curl or grpcurl, and no proto files, can discover the
API through server reflection and check the server's health (SPEC 8)."""
from __future__ import annotations

import pytest

from markcap.v1 import risk_engine_pb2 as pb

SERVICE = pb.DESCRIPTOR.services_by_name["RiskEngineService"]
HEALTH = "grpc.health.v1.Health"
REFLECTION_SERVICES = {"grpc.reflection.v1.ServerReflection",
                       "grpc.reflection.v1alpha.ServerReflection"}


def _assert_discoverable(services: list[str]) -> None:
    assert SERVICE.full_name == "markcap.v1.RiskEngineService"
    assert SERVICE.full_name in services
    assert HEALTH in services
    assert REFLECTION_SERVICES & set(services), services


def test_buf_curl_lists_services_through_reflection(buf_curl):
    _assert_discoverable(buf_curl.list_services())


def test_grpcurl_lists_services_through_reflection(grpcurl):
    _assert_discoverable(grpcurl.list_services())


def test_buf_curl_lists_every_rpc_of_the_proto(buf_curl):
    # Expected names come from the compiled proto, not from the server.
    expected = {f"{SERVICE.full_name}/{method.name}" for method in SERVICE.methods}
    assert f"{SERVICE.full_name}/ApplyMark" in expected
    listed = set(buf_curl.list_methods())
    assert expected <= listed, expected - listed


def test_grpcurl_describes_apply_mark(grpcurl):
    text = grpcurl.describe("markcap.v1.RiskEngineService.ApplyMark")
    assert ("rpc ApplyMark ( .markcap.v1.ApplyMarkRequest ) returns "
            "( .markcap.v1.ApplyMarkResponse )") in text


def test_grpcurl_describes_apply_mark_request_fields(grpcurl):
    text = grpcurl.describe("markcap.v1.ApplyMarkRequest")
    for field in pb.ApplyMarkRequest.DESCRIPTOR.fields:
        assert f" {field.name} = {field.number};" in text, (field.name, text)


@pytest.mark.parametrize("service", ["", SERVICE.full_name])
def test_health_check_says_serving(operator_client_factory, in_process_server, service):
    client = operator_client_factory(in_process_server.address)
    response = client.call("grpc.health.v1.Health/Check", {"service": service})
    assert response == {"status": "SERVING"}


def test_health_check_of_an_unknown_service_is_not_found(operator_client_factory,
                                                         in_process_server):
    client = operator_client_factory(in_process_server.address)
    error = client.call_error("grpc.health.v1.Health/Check", {"service": "no.such.Service"})
    assert error.code == "NOT_FOUND"
