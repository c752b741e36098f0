"""markcap.service: the gRPC layer (converters, error table, servicer) and the server process."""
