"""Server reflection (grpcio-reflection, v1alpha), able to describe single methods.

grpcurl's `describe pkg.Service.Method` asks for the file containing the method
symbol; protobuf's Python (upb) pool only resolves services, messages, fields
and enums (grpc/grpc#34743), so this pool falls back to the method's service.
"""
from __future__ import annotations

import grpc
from google.protobuf import descriptor_pool
from grpc_reflection.v1alpha import reflection

SERVICE_NAME = reflection.SERVICE_NAME


class MethodResolvingPool:
    """A descriptor pool whose FindFileContainingSymbol also accepts `Service.Method`."""

    def __init__(self, pool: descriptor_pool.DescriptorPool | None = None):
        self._pool = pool or descriptor_pool.Default()

    def FindFileContainingSymbol(self, symbol: str):  # noqa: N802 - the pool's interface
        try:
            return self._pool.FindFileContainingSymbol(symbol)
        except KeyError:
            service_name, _, method_name = symbol.rpartition(".")
            try:
                service = self._pool.FindServiceByName(service_name)
            except KeyError:
                raise KeyError(symbol) from None
            if method_name not in service.methods_by_name:
                raise
            return service.file

    def __getattr__(self, name: str):
        return getattr(self._pool, name)


def enable(server: grpc.Server, service_names: tuple[str, ...]) -> None:
    """Serves reflection for `service_names` (the reflection service is added to the list)."""
    reflection.enable_server_reflection(service_names + (SERVICE_NAME,), server,
                                        pool=MethodResolvingPool())
