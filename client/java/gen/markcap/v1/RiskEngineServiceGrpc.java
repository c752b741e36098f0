package markcap.v1;

import static io.grpc.MethodDescriptor.generateFullMethodName;

/**
 * <pre>
 * The markcap risk engine: ingests the exchange's fills and transfers, keeps
 * positions and balances, and decides how each mark update is applied.
 * </pre>
 */
@javax.annotation.Generated(
    value = "by gRPC proto compiler",
    comments = "Source: markcap/v1/risk_engine.proto")
@io.grpc.stub.annotations.GrpcGenerated
public final class RiskEngineServiceGrpc {

  private RiskEngineServiceGrpc() {}

  public static final String SERVICE_NAME = "markcap.v1.RiskEngineService";

  // Static method descriptors that strictly reflect the proto.
  private static volatile io.grpc.MethodDescriptor<markcap.v1.RiskEngine.StreamDeltasRequest,
      markcap.v1.RiskEngine.StreamDeltasResponse> getStreamDeltasMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "StreamDeltas",
      requestType = markcap.v1.RiskEngine.StreamDeltasRequest.class,
      responseType = markcap.v1.RiskEngine.StreamDeltasResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.BIDI_STREAMING)
  public static io.grpc.MethodDescriptor<markcap.v1.RiskEngine.StreamDeltasRequest,
      markcap.v1.RiskEngine.StreamDeltasResponse> getStreamDeltasMethod() {
    io.grpc.MethodDescriptor<markcap.v1.RiskEngine.StreamDeltasRequest, markcap.v1.RiskEngine.StreamDeltasResponse> getStreamDeltasMethod;
    if ((getStreamDeltasMethod = RiskEngineServiceGrpc.getStreamDeltasMethod) == null) {
      synchronized (RiskEngineServiceGrpc.class) {
        if ((getStreamDeltasMethod = RiskEngineServiceGrpc.getStreamDeltasMethod) == null) {
          RiskEngineServiceGrpc.getStreamDeltasMethod = getStreamDeltasMethod =
              io.grpc.MethodDescriptor.<markcap.v1.RiskEngine.StreamDeltasRequest, markcap.v1.RiskEngine.StreamDeltasResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.BIDI_STREAMING)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "StreamDeltas"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  markcap.v1.RiskEngine.StreamDeltasRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  markcap.v1.RiskEngine.StreamDeltasResponse.getDefaultInstance()))
              .setSchemaDescriptor(new RiskEngineServiceMethodDescriptorSupplier("StreamDeltas"))
              .build();
        }
      }
    }
    return getStreamDeltasMethod;
  }

  private static volatile io.grpc.MethodDescriptor<markcap.v1.RiskEngine.ApplyMarkRequest,
      markcap.v1.RiskEngine.ApplyMarkResponse> getApplyMarkMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "ApplyMark",
      requestType = markcap.v1.RiskEngine.ApplyMarkRequest.class,
      responseType = markcap.v1.RiskEngine.ApplyMarkResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<markcap.v1.RiskEngine.ApplyMarkRequest,
      markcap.v1.RiskEngine.ApplyMarkResponse> getApplyMarkMethod() {
    io.grpc.MethodDescriptor<markcap.v1.RiskEngine.ApplyMarkRequest, markcap.v1.RiskEngine.ApplyMarkResponse> getApplyMarkMethod;
    if ((getApplyMarkMethod = RiskEngineServiceGrpc.getApplyMarkMethod) == null) {
      synchronized (RiskEngineServiceGrpc.class) {
        if ((getApplyMarkMethod = RiskEngineServiceGrpc.getApplyMarkMethod) == null) {
          RiskEngineServiceGrpc.getApplyMarkMethod = getApplyMarkMethod =
              io.grpc.MethodDescriptor.<markcap.v1.RiskEngine.ApplyMarkRequest, markcap.v1.RiskEngine.ApplyMarkResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "ApplyMark"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  markcap.v1.RiskEngine.ApplyMarkRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  markcap.v1.RiskEngine.ApplyMarkResponse.getDefaultInstance()))
              .setSchemaDescriptor(new RiskEngineServiceMethodDescriptorSupplier("ApplyMark"))
              .build();
        }
      }
    }
    return getApplyMarkMethod;
  }

  private static volatile io.grpc.MethodDescriptor<markcap.v1.RiskEngine.ApplyMarksRequest,
      markcap.v1.RiskEngine.ApplyMarksResponse> getApplyMarksMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "ApplyMarks",
      requestType = markcap.v1.RiskEngine.ApplyMarksRequest.class,
      responseType = markcap.v1.RiskEngine.ApplyMarksResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<markcap.v1.RiskEngine.ApplyMarksRequest,
      markcap.v1.RiskEngine.ApplyMarksResponse> getApplyMarksMethod() {
    io.grpc.MethodDescriptor<markcap.v1.RiskEngine.ApplyMarksRequest, markcap.v1.RiskEngine.ApplyMarksResponse> getApplyMarksMethod;
    if ((getApplyMarksMethod = RiskEngineServiceGrpc.getApplyMarksMethod) == null) {
      synchronized (RiskEngineServiceGrpc.class) {
        if ((getApplyMarksMethod = RiskEngineServiceGrpc.getApplyMarksMethod) == null) {
          RiskEngineServiceGrpc.getApplyMarksMethod = getApplyMarksMethod =
              io.grpc.MethodDescriptor.<markcap.v1.RiskEngine.ApplyMarksRequest, markcap.v1.RiskEngine.ApplyMarksResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "ApplyMarks"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  markcap.v1.RiskEngine.ApplyMarksRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  markcap.v1.RiskEngine.ApplyMarksResponse.getDefaultInstance()))
              .setSchemaDescriptor(new RiskEngineServiceMethodDescriptorSupplier("ApplyMarks"))
              .build();
        }
      }
    }
    return getApplyMarksMethod;
  }

  private static volatile io.grpc.MethodDescriptor<markcap.v1.RiskEngine.UpsertCurrencyRequest,
      markcap.v1.RiskEngine.UpsertCurrencyResponse> getUpsertCurrencyMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "UpsertCurrency",
      requestType = markcap.v1.RiskEngine.UpsertCurrencyRequest.class,
      responseType = markcap.v1.RiskEngine.UpsertCurrencyResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<markcap.v1.RiskEngine.UpsertCurrencyRequest,
      markcap.v1.RiskEngine.UpsertCurrencyResponse> getUpsertCurrencyMethod() {
    io.grpc.MethodDescriptor<markcap.v1.RiskEngine.UpsertCurrencyRequest, markcap.v1.RiskEngine.UpsertCurrencyResponse> getUpsertCurrencyMethod;
    if ((getUpsertCurrencyMethod = RiskEngineServiceGrpc.getUpsertCurrencyMethod) == null) {
      synchronized (RiskEngineServiceGrpc.class) {
        if ((getUpsertCurrencyMethod = RiskEngineServiceGrpc.getUpsertCurrencyMethod) == null) {
          RiskEngineServiceGrpc.getUpsertCurrencyMethod = getUpsertCurrencyMethod =
              io.grpc.MethodDescriptor.<markcap.v1.RiskEngine.UpsertCurrencyRequest, markcap.v1.RiskEngine.UpsertCurrencyResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "UpsertCurrency"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  markcap.v1.RiskEngine.UpsertCurrencyRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  markcap.v1.RiskEngine.UpsertCurrencyResponse.getDefaultInstance()))
              .setSchemaDescriptor(new RiskEngineServiceMethodDescriptorSupplier("UpsertCurrency"))
              .build();
        }
      }
    }
    return getUpsertCurrencyMethod;
  }

  private static volatile io.grpc.MethodDescriptor<markcap.v1.RiskEngine.UpsertInstrumentRequest,
      markcap.v1.RiskEngine.UpsertInstrumentResponse> getUpsertInstrumentMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "UpsertInstrument",
      requestType = markcap.v1.RiskEngine.UpsertInstrumentRequest.class,
      responseType = markcap.v1.RiskEngine.UpsertInstrumentResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<markcap.v1.RiskEngine.UpsertInstrumentRequest,
      markcap.v1.RiskEngine.UpsertInstrumentResponse> getUpsertInstrumentMethod() {
    io.grpc.MethodDescriptor<markcap.v1.RiskEngine.UpsertInstrumentRequest, markcap.v1.RiskEngine.UpsertInstrumentResponse> getUpsertInstrumentMethod;
    if ((getUpsertInstrumentMethod = RiskEngineServiceGrpc.getUpsertInstrumentMethod) == null) {
      synchronized (RiskEngineServiceGrpc.class) {
        if ((getUpsertInstrumentMethod = RiskEngineServiceGrpc.getUpsertInstrumentMethod) == null) {
          RiskEngineServiceGrpc.getUpsertInstrumentMethod = getUpsertInstrumentMethod =
              io.grpc.MethodDescriptor.<markcap.v1.RiskEngine.UpsertInstrumentRequest, markcap.v1.RiskEngine.UpsertInstrumentResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "UpsertInstrument"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  markcap.v1.RiskEngine.UpsertInstrumentRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  markcap.v1.RiskEngine.UpsertInstrumentResponse.getDefaultInstance()))
              .setSchemaDescriptor(new RiskEngineServiceMethodDescriptorSupplier("UpsertInstrument"))
              .build();
        }
      }
    }
    return getUpsertInstrumentMethod;
  }

  private static volatile io.grpc.MethodDescriptor<markcap.v1.RiskEngine.ListInstrumentsRequest,
      markcap.v1.RiskEngine.ListInstrumentsResponse> getListInstrumentsMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "ListInstruments",
      requestType = markcap.v1.RiskEngine.ListInstrumentsRequest.class,
      responseType = markcap.v1.RiskEngine.ListInstrumentsResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<markcap.v1.RiskEngine.ListInstrumentsRequest,
      markcap.v1.RiskEngine.ListInstrumentsResponse> getListInstrumentsMethod() {
    io.grpc.MethodDescriptor<markcap.v1.RiskEngine.ListInstrumentsRequest, markcap.v1.RiskEngine.ListInstrumentsResponse> getListInstrumentsMethod;
    if ((getListInstrumentsMethod = RiskEngineServiceGrpc.getListInstrumentsMethod) == null) {
      synchronized (RiskEngineServiceGrpc.class) {
        if ((getListInstrumentsMethod = RiskEngineServiceGrpc.getListInstrumentsMethod) == null) {
          RiskEngineServiceGrpc.getListInstrumentsMethod = getListInstrumentsMethod =
              io.grpc.MethodDescriptor.<markcap.v1.RiskEngine.ListInstrumentsRequest, markcap.v1.RiskEngine.ListInstrumentsResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "ListInstruments"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  markcap.v1.RiskEngine.ListInstrumentsRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  markcap.v1.RiskEngine.ListInstrumentsResponse.getDefaultInstance()))
              .setSchemaDescriptor(new RiskEngineServiceMethodDescriptorSupplier("ListInstruments"))
              .build();
        }
      }
    }
    return getListInstrumentsMethod;
  }

  private static volatile io.grpc.MethodDescriptor<markcap.v1.RiskEngine.ListCurrenciesRequest,
      markcap.v1.RiskEngine.ListCurrenciesResponse> getListCurrenciesMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "ListCurrencies",
      requestType = markcap.v1.RiskEngine.ListCurrenciesRequest.class,
      responseType = markcap.v1.RiskEngine.ListCurrenciesResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<markcap.v1.RiskEngine.ListCurrenciesRequest,
      markcap.v1.RiskEngine.ListCurrenciesResponse> getListCurrenciesMethod() {
    io.grpc.MethodDescriptor<markcap.v1.RiskEngine.ListCurrenciesRequest, markcap.v1.RiskEngine.ListCurrenciesResponse> getListCurrenciesMethod;
    if ((getListCurrenciesMethod = RiskEngineServiceGrpc.getListCurrenciesMethod) == null) {
      synchronized (RiskEngineServiceGrpc.class) {
        if ((getListCurrenciesMethod = RiskEngineServiceGrpc.getListCurrenciesMethod) == null) {
          RiskEngineServiceGrpc.getListCurrenciesMethod = getListCurrenciesMethod =
              io.grpc.MethodDescriptor.<markcap.v1.RiskEngine.ListCurrenciesRequest, markcap.v1.RiskEngine.ListCurrenciesResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "ListCurrencies"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  markcap.v1.RiskEngine.ListCurrenciesRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  markcap.v1.RiskEngine.ListCurrenciesResponse.getDefaultInstance()))
              .setSchemaDescriptor(new RiskEngineServiceMethodDescriptorSupplier("ListCurrencies"))
              .build();
        }
      }
    }
    return getListCurrenciesMethod;
  }

  private static volatile io.grpc.MethodDescriptor<markcap.v1.RiskEngine.GetAccountRequest,
      markcap.v1.RiskEngine.GetAccountResponse> getGetAccountMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "GetAccount",
      requestType = markcap.v1.RiskEngine.GetAccountRequest.class,
      responseType = markcap.v1.RiskEngine.GetAccountResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<markcap.v1.RiskEngine.GetAccountRequest,
      markcap.v1.RiskEngine.GetAccountResponse> getGetAccountMethod() {
    io.grpc.MethodDescriptor<markcap.v1.RiskEngine.GetAccountRequest, markcap.v1.RiskEngine.GetAccountResponse> getGetAccountMethod;
    if ((getGetAccountMethod = RiskEngineServiceGrpc.getGetAccountMethod) == null) {
      synchronized (RiskEngineServiceGrpc.class) {
        if ((getGetAccountMethod = RiskEngineServiceGrpc.getGetAccountMethod) == null) {
          RiskEngineServiceGrpc.getGetAccountMethod = getGetAccountMethod =
              io.grpc.MethodDescriptor.<markcap.v1.RiskEngine.GetAccountRequest, markcap.v1.RiskEngine.GetAccountResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "GetAccount"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  markcap.v1.RiskEngine.GetAccountRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  markcap.v1.RiskEngine.GetAccountResponse.getDefaultInstance()))
              .setSchemaDescriptor(new RiskEngineServiceMethodDescriptorSupplier("GetAccount"))
              .build();
        }
      }
    }
    return getGetAccountMethod;
  }

  private static volatile io.grpc.MethodDescriptor<markcap.v1.RiskEngine.GetInsuranceFundRequest,
      markcap.v1.RiskEngine.GetInsuranceFundResponse> getGetInsuranceFundMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "GetInsuranceFund",
      requestType = markcap.v1.RiskEngine.GetInsuranceFundRequest.class,
      responseType = markcap.v1.RiskEngine.GetInsuranceFundResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<markcap.v1.RiskEngine.GetInsuranceFundRequest,
      markcap.v1.RiskEngine.GetInsuranceFundResponse> getGetInsuranceFundMethod() {
    io.grpc.MethodDescriptor<markcap.v1.RiskEngine.GetInsuranceFundRequest, markcap.v1.RiskEngine.GetInsuranceFundResponse> getGetInsuranceFundMethod;
    if ((getGetInsuranceFundMethod = RiskEngineServiceGrpc.getGetInsuranceFundMethod) == null) {
      synchronized (RiskEngineServiceGrpc.class) {
        if ((getGetInsuranceFundMethod = RiskEngineServiceGrpc.getGetInsuranceFundMethod) == null) {
          RiskEngineServiceGrpc.getGetInsuranceFundMethod = getGetInsuranceFundMethod =
              io.grpc.MethodDescriptor.<markcap.v1.RiskEngine.GetInsuranceFundRequest, markcap.v1.RiskEngine.GetInsuranceFundResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "GetInsuranceFund"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  markcap.v1.RiskEngine.GetInsuranceFundRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  markcap.v1.RiskEngine.GetInsuranceFundResponse.getDefaultInstance()))
              .setSchemaDescriptor(new RiskEngineServiceMethodDescriptorSupplier("GetInsuranceFund"))
              .build();
        }
      }
    }
    return getGetInsuranceFundMethod;
  }

  private static volatile io.grpc.MethodDescriptor<markcap.v1.RiskEngine.GetBankruptcyBandRequest,
      markcap.v1.RiskEngine.GetBankruptcyBandResponse> getGetBankruptcyBandMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "GetBankruptcyBand",
      requestType = markcap.v1.RiskEngine.GetBankruptcyBandRequest.class,
      responseType = markcap.v1.RiskEngine.GetBankruptcyBandResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<markcap.v1.RiskEngine.GetBankruptcyBandRequest,
      markcap.v1.RiskEngine.GetBankruptcyBandResponse> getGetBankruptcyBandMethod() {
    io.grpc.MethodDescriptor<markcap.v1.RiskEngine.GetBankruptcyBandRequest, markcap.v1.RiskEngine.GetBankruptcyBandResponse> getGetBankruptcyBandMethod;
    if ((getGetBankruptcyBandMethod = RiskEngineServiceGrpc.getGetBankruptcyBandMethod) == null) {
      synchronized (RiskEngineServiceGrpc.class) {
        if ((getGetBankruptcyBandMethod = RiskEngineServiceGrpc.getGetBankruptcyBandMethod) == null) {
          RiskEngineServiceGrpc.getGetBankruptcyBandMethod = getGetBankruptcyBandMethod =
              io.grpc.MethodDescriptor.<markcap.v1.RiskEngine.GetBankruptcyBandRequest, markcap.v1.RiskEngine.GetBankruptcyBandResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "GetBankruptcyBand"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  markcap.v1.RiskEngine.GetBankruptcyBandRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  markcap.v1.RiskEngine.GetBankruptcyBandResponse.getDefaultInstance()))
              .setSchemaDescriptor(new RiskEngineServiceMethodDescriptorSupplier("GetBankruptcyBand"))
              .build();
        }
      }
    }
    return getGetBankruptcyBandMethod;
  }

  private static volatile io.grpc.MethodDescriptor<markcap.v1.RiskEngine.GetAdlQueueRequest,
      markcap.v1.RiskEngine.GetAdlQueueResponse> getGetAdlQueueMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "GetAdlQueue",
      requestType = markcap.v1.RiskEngine.GetAdlQueueRequest.class,
      responseType = markcap.v1.RiskEngine.GetAdlQueueResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<markcap.v1.RiskEngine.GetAdlQueueRequest,
      markcap.v1.RiskEngine.GetAdlQueueResponse> getGetAdlQueueMethod() {
    io.grpc.MethodDescriptor<markcap.v1.RiskEngine.GetAdlQueueRequest, markcap.v1.RiskEngine.GetAdlQueueResponse> getGetAdlQueueMethod;
    if ((getGetAdlQueueMethod = RiskEngineServiceGrpc.getGetAdlQueueMethod) == null) {
      synchronized (RiskEngineServiceGrpc.class) {
        if ((getGetAdlQueueMethod = RiskEngineServiceGrpc.getGetAdlQueueMethod) == null) {
          RiskEngineServiceGrpc.getGetAdlQueueMethod = getGetAdlQueueMethod =
              io.grpc.MethodDescriptor.<markcap.v1.RiskEngine.GetAdlQueueRequest, markcap.v1.RiskEngine.GetAdlQueueResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "GetAdlQueue"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  markcap.v1.RiskEngine.GetAdlQueueRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  markcap.v1.RiskEngine.GetAdlQueueResponse.getDefaultInstance()))
              .setSchemaDescriptor(new RiskEngineServiceMethodDescriptorSupplier("GetAdlQueue"))
              .build();
        }
      }
    }
    return getGetAdlQueueMethod;
  }

  private static volatile io.grpc.MethodDescriptor<markcap.v1.RiskEngine.GetStatusRequest,
      markcap.v1.RiskEngine.GetStatusResponse> getGetStatusMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "GetStatus",
      requestType = markcap.v1.RiskEngine.GetStatusRequest.class,
      responseType = markcap.v1.RiskEngine.GetStatusResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<markcap.v1.RiskEngine.GetStatusRequest,
      markcap.v1.RiskEngine.GetStatusResponse> getGetStatusMethod() {
    io.grpc.MethodDescriptor<markcap.v1.RiskEngine.GetStatusRequest, markcap.v1.RiskEngine.GetStatusResponse> getGetStatusMethod;
    if ((getGetStatusMethod = RiskEngineServiceGrpc.getGetStatusMethod) == null) {
      synchronized (RiskEngineServiceGrpc.class) {
        if ((getGetStatusMethod = RiskEngineServiceGrpc.getGetStatusMethod) == null) {
          RiskEngineServiceGrpc.getGetStatusMethod = getGetStatusMethod =
              io.grpc.MethodDescriptor.<markcap.v1.RiskEngine.GetStatusRequest, markcap.v1.RiskEngine.GetStatusResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "GetStatus"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  markcap.v1.RiskEngine.GetStatusRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  markcap.v1.RiskEngine.GetStatusResponse.getDefaultInstance()))
              .setSchemaDescriptor(new RiskEngineServiceMethodDescriptorSupplier("GetStatus"))
              .build();
        }
      }
    }
    return getGetStatusMethod;
  }

  private static volatile io.grpc.MethodDescriptor<markcap.v1.RiskEngine.WatchEventsRequest,
      markcap.v1.RiskEngine.WatchEventsResponse> getWatchEventsMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "WatchEvents",
      requestType = markcap.v1.RiskEngine.WatchEventsRequest.class,
      responseType = markcap.v1.RiskEngine.WatchEventsResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.SERVER_STREAMING)
  public static io.grpc.MethodDescriptor<markcap.v1.RiskEngine.WatchEventsRequest,
      markcap.v1.RiskEngine.WatchEventsResponse> getWatchEventsMethod() {
    io.grpc.MethodDescriptor<markcap.v1.RiskEngine.WatchEventsRequest, markcap.v1.RiskEngine.WatchEventsResponse> getWatchEventsMethod;
    if ((getWatchEventsMethod = RiskEngineServiceGrpc.getWatchEventsMethod) == null) {
      synchronized (RiskEngineServiceGrpc.class) {
        if ((getWatchEventsMethod = RiskEngineServiceGrpc.getWatchEventsMethod) == null) {
          RiskEngineServiceGrpc.getWatchEventsMethod = getWatchEventsMethod =
              io.grpc.MethodDescriptor.<markcap.v1.RiskEngine.WatchEventsRequest, markcap.v1.RiskEngine.WatchEventsResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.SERVER_STREAMING)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "WatchEvents"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  markcap.v1.RiskEngine.WatchEventsRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  markcap.v1.RiskEngine.WatchEventsResponse.getDefaultInstance()))
              .setSchemaDescriptor(new RiskEngineServiceMethodDescriptorSupplier("WatchEvents"))
              .build();
        }
      }
    }
    return getWatchEventsMethod;
  }

  /**
   * Creates a new async stub that supports all call types for the service
   */
  public static RiskEngineServiceStub newStub(io.grpc.Channel channel) {
    io.grpc.stub.AbstractStub.StubFactory<RiskEngineServiceStub> factory =
      new io.grpc.stub.AbstractStub.StubFactory<RiskEngineServiceStub>() {
        @java.lang.Override
        public RiskEngineServiceStub newStub(io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
          return new RiskEngineServiceStub(channel, callOptions);
        }
      };
    return RiskEngineServiceStub.newStub(factory, channel);
  }

  /**
   * Creates a new blocking-style stub that supports unary and streaming output calls on the service
   */
  public static RiskEngineServiceBlockingStub newBlockingStub(
      io.grpc.Channel channel) {
    io.grpc.stub.AbstractStub.StubFactory<RiskEngineServiceBlockingStub> factory =
      new io.grpc.stub.AbstractStub.StubFactory<RiskEngineServiceBlockingStub>() {
        @java.lang.Override
        public RiskEngineServiceBlockingStub newStub(io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
          return new RiskEngineServiceBlockingStub(channel, callOptions);
        }
      };
    return RiskEngineServiceBlockingStub.newStub(factory, channel);
  }

  /**
   * Creates a new ListenableFuture-style stub that supports unary calls on the service
   */
  public static RiskEngineServiceFutureStub newFutureStub(
      io.grpc.Channel channel) {
    io.grpc.stub.AbstractStub.StubFactory<RiskEngineServiceFutureStub> factory =
      new io.grpc.stub.AbstractStub.StubFactory<RiskEngineServiceFutureStub>() {
        @java.lang.Override
        public RiskEngineServiceFutureStub newStub(io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
          return new RiskEngineServiceFutureStub(channel, callOptions);
        }
      };
    return RiskEngineServiceFutureStub.newStub(factory, channel);
  }

  /**
   * <pre>
   * The markcap risk engine: ingests the exchange's fills and transfers, keeps
   * positions and balances, and decides how each mark update is applied.
   * </pre>
   */
  public static abstract class RiskEngineServiceImplBase implements io.grpc.BindableService {

    /**
     * <pre>
     * Bidirectional stream of delta batches. Each applied batch is acknowledged
     * with its seq; a rejected batch ends the stream with INVALID_ARGUMENT or
     * FAILED_PRECONDITION naming its seq and first bad element (earlier batches
     * stay applied).
     * </pre>
     */
    public io.grpc.stub.StreamObserver<markcap.v1.RiskEngine.StreamDeltasRequest> streamDeltas(
        io.grpc.stub.StreamObserver<markcap.v1.RiskEngine.StreamDeltasResponse> responseObserver) {
      return io.grpc.stub.ServerCalls.asyncUnimplementedStreamingCall(getStreamDeltasMethod(), responseObserver);
    }

    /**
     * <pre>
     * Move a mark, capped at the first bankruptcy price when the policy says so.
     * </pre>
     */
    public void applyMark(markcap.v1.RiskEngine.ApplyMarkRequest request,
        io.grpc.stub.StreamObserver<markcap.v1.RiskEngine.ApplyMarkResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getApplyMarkMethod(), responseObserver);
    }

    /**
     * <pre>
     * Several mark updates in one seq, applied in order; all or nothing on bad input.
     * </pre>
     */
    public void applyMarks(markcap.v1.RiskEngine.ApplyMarksRequest request,
        io.grpc.stub.StreamObserver<markcap.v1.RiskEngine.ApplyMarksResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getApplyMarksMethod(), responseObserver);
    }

    /**
     * <pre>
     * Create a currency or change its price (applied as given, no cap).
     * </pre>
     */
    public void upsertCurrency(markcap.v1.RiskEngine.UpsertCurrencyRequest request,
        io.grpc.stub.StreamObserver<markcap.v1.RiskEngine.UpsertCurrencyResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getUpsertCurrencyMethod(), responseObserver);
    }

    /**
     * <pre>
     * Create an instrument or change its symbol, cap policy and ADL settings.
     * </pre>
     */
    public void upsertInstrument(markcap.v1.RiskEngine.UpsertInstrumentRequest request,
        io.grpc.stub.StreamObserver<markcap.v1.RiskEngine.UpsertInstrumentResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getUpsertInstrumentMethod(), responseObserver);
    }

    /**
     * <pre>
     * List every instrument.
     * </pre>
     */
    public void listInstruments(markcap.v1.RiskEngine.ListInstrumentsRequest request,
        io.grpc.stub.StreamObserver<markcap.v1.RiskEngine.ListInstrumentsResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getListInstrumentsMethod(), responseObserver);
    }

    /**
     * <pre>
     * List every currency.
     * </pre>
     */
    public void listCurrencies(markcap.v1.RiskEngine.ListCurrenciesRequest request,
        io.grpc.stub.StreamObserver<markcap.v1.RiskEngine.ListCurrenciesResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getListCurrenciesMethod(), responseObserver);
    }

    /**
     * <pre>
     * One account with balances, positions and bankruptcy prices.
     * </pre>
     */
    public void getAccount(markcap.v1.RiskEngine.GetAccountRequest request,
        io.grpc.stub.StreamObserver<markcap.v1.RiskEngine.GetAccountResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getGetAccountMethod(), responseObserver);
    }

    /**
     * <pre>
     * The insurance fund's account and floor.
     * </pre>
     */
    public void getInsuranceFund(markcap.v1.RiskEngine.GetInsuranceFundRequest request,
        io.grpc.stub.StreamObserver<markcap.v1.RiskEngine.GetInsuranceFundResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getGetInsuranceFundMethod(), responseObserver);
    }

    /**
     * <pre>
     * Nearest bankruptcy prices above and below an instrument's mark.
     * </pre>
     */
    public void getBankruptcyBand(markcap.v1.RiskEngine.GetBankruptcyBandRequest request,
        io.grpc.stub.StreamObserver<markcap.v1.RiskEngine.GetBankruptcyBandResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getGetBankruptcyBandMethod(), responseObserver);
    }

    /**
     * <pre>
     * Top of an instrument's ADL queue on one side.
     * </pre>
     */
    public void getAdlQueue(markcap.v1.RiskEngine.GetAdlQueueRequest request,
        io.grpc.stub.StreamObserver<markcap.v1.RiskEngine.GetAdlQueueResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getGetAdlQueueMethod(), responseObserver);
    }

    /**
     * <pre>
     * Last applied seq, counts, persistence and version.
     * </pre>
     */
    public void getStatus(markcap.v1.RiskEngine.GetStatusRequest request,
        io.grpc.stub.StreamObserver<markcap.v1.RiskEngine.GetStatusResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getGetStatusMethod(), responseObserver);
    }

    /**
     * <pre>
     * Outcomes of ApplyMark and UpsertCurrency from a seq on, then live.
     * </pre>
     */
    public void watchEvents(markcap.v1.RiskEngine.WatchEventsRequest request,
        io.grpc.stub.StreamObserver<markcap.v1.RiskEngine.WatchEventsResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getWatchEventsMethod(), responseObserver);
    }

    @java.lang.Override public final io.grpc.ServerServiceDefinition bindService() {
      return io.grpc.ServerServiceDefinition.builder(getServiceDescriptor())
          .addMethod(
            getStreamDeltasMethod(),
            io.grpc.stub.ServerCalls.asyncBidiStreamingCall(
              new MethodHandlers<
                markcap.v1.RiskEngine.StreamDeltasRequest,
                markcap.v1.RiskEngine.StreamDeltasResponse>(
                  this, METHODID_STREAM_DELTAS)))
          .addMethod(
            getApplyMarkMethod(),
            io.grpc.stub.ServerCalls.asyncUnaryCall(
              new MethodHandlers<
                markcap.v1.RiskEngine.ApplyMarkRequest,
                markcap.v1.RiskEngine.ApplyMarkResponse>(
                  this, METHODID_APPLY_MARK)))
          .addMethod(
            getApplyMarksMethod(),
            io.grpc.stub.ServerCalls.asyncUnaryCall(
              new MethodHandlers<
                markcap.v1.RiskEngine.ApplyMarksRequest,
                markcap.v1.RiskEngine.ApplyMarksResponse>(
                  this, METHODID_APPLY_MARKS)))
          .addMethod(
            getUpsertCurrencyMethod(),
            io.grpc.stub.ServerCalls.asyncUnaryCall(
              new MethodHandlers<
                markcap.v1.RiskEngine.UpsertCurrencyRequest,
                markcap.v1.RiskEngine.UpsertCurrencyResponse>(
                  this, METHODID_UPSERT_CURRENCY)))
          .addMethod(
            getUpsertInstrumentMethod(),
            io.grpc.stub.ServerCalls.asyncUnaryCall(
              new MethodHandlers<
                markcap.v1.RiskEngine.UpsertInstrumentRequest,
                markcap.v1.RiskEngine.UpsertInstrumentResponse>(
                  this, METHODID_UPSERT_INSTRUMENT)))
          .addMethod(
            getListInstrumentsMethod(),
            io.grpc.stub.ServerCalls.asyncUnaryCall(
              new MethodHandlers<
                markcap.v1.RiskEngine.ListInstrumentsRequest,
                markcap.v1.RiskEngine.ListInstrumentsResponse>(
                  this, METHODID_LIST_INSTRUMENTS)))
          .addMethod(
            getListCurrenciesMethod(),
            io.grpc.stub.ServerCalls.asyncUnaryCall(
              new MethodHandlers<
                markcap.v1.RiskEngine.ListCurrenciesRequest,
                markcap.v1.RiskEngine.ListCurrenciesResponse>(
                  this, METHODID_LIST_CURRENCIES)))
          .addMethod(
            getGetAccountMethod(),
            io.grpc.stub.ServerCalls.asyncUnaryCall(
              new MethodHandlers<
                markcap.v1.RiskEngine.GetAccountRequest,
                markcap.v1.RiskEngine.GetAccountResponse>(
                  this, METHODID_GET_ACCOUNT)))
          .addMethod(
            getGetInsuranceFundMethod(),
            io.grpc.stub.ServerCalls.asyncUnaryCall(
              new MethodHandlers<
                markcap.v1.RiskEngine.GetInsuranceFundRequest,
                markcap.v1.RiskEngine.GetInsuranceFundResponse>(
                  this, METHODID_GET_INSURANCE_FUND)))
          .addMethod(
            getGetBankruptcyBandMethod(),
            io.grpc.stub.ServerCalls.asyncUnaryCall(
              new MethodHandlers<
                markcap.v1.RiskEngine.GetBankruptcyBandRequest,
                markcap.v1.RiskEngine.GetBankruptcyBandResponse>(
                  this, METHODID_GET_BANKRUPTCY_BAND)))
          .addMethod(
            getGetAdlQueueMethod(),
            io.grpc.stub.ServerCalls.asyncUnaryCall(
              new MethodHandlers<
                markcap.v1.RiskEngine.GetAdlQueueRequest,
                markcap.v1.RiskEngine.GetAdlQueueResponse>(
                  this, METHODID_GET_ADL_QUEUE)))
          .addMethod(
            getGetStatusMethod(),
            io.grpc.stub.ServerCalls.asyncUnaryCall(
              new MethodHandlers<
                markcap.v1.RiskEngine.GetStatusRequest,
                markcap.v1.RiskEngine.GetStatusResponse>(
                  this, METHODID_GET_STATUS)))
          .addMethod(
            getWatchEventsMethod(),
            io.grpc.stub.ServerCalls.asyncServerStreamingCall(
              new MethodHandlers<
                markcap.v1.RiskEngine.WatchEventsRequest,
                markcap.v1.RiskEngine.WatchEventsResponse>(
                  this, METHODID_WATCH_EVENTS)))
          .build();
    }
  }

  /**
   * <pre>
   * The markcap risk engine: ingests the exchange's fills and transfers, keeps
   * positions and balances, and decides how each mark update is applied.
   * </pre>
   */
  public static final class RiskEngineServiceStub extends io.grpc.stub.AbstractAsyncStub<RiskEngineServiceStub> {
    private RiskEngineServiceStub(
        io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
      super(channel, callOptions);
    }

    @java.lang.Override
    protected RiskEngineServiceStub build(
        io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
      return new RiskEngineServiceStub(channel, callOptions);
    }

    /**
     * <pre>
     * Bidirectional stream of delta batches. Each applied batch is acknowledged
     * with its seq; a rejected batch ends the stream with INVALID_ARGUMENT or
     * FAILED_PRECONDITION naming its seq and first bad element (earlier batches
     * stay applied).
     * </pre>
     */
    public io.grpc.stub.StreamObserver<markcap.v1.RiskEngine.StreamDeltasRequest> streamDeltas(
        io.grpc.stub.StreamObserver<markcap.v1.RiskEngine.StreamDeltasResponse> responseObserver) {
      return io.grpc.stub.ClientCalls.asyncBidiStreamingCall(
          getChannel().newCall(getStreamDeltasMethod(), getCallOptions()), responseObserver);
    }

    /**
     * <pre>
     * Move a mark, capped at the first bankruptcy price when the policy says so.
     * </pre>
     */
    public void applyMark(markcap.v1.RiskEngine.ApplyMarkRequest request,
        io.grpc.stub.StreamObserver<markcap.v1.RiskEngine.ApplyMarkResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getApplyMarkMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * Several mark updates in one seq, applied in order; all or nothing on bad input.
     * </pre>
     */
    public void applyMarks(markcap.v1.RiskEngine.ApplyMarksRequest request,
        io.grpc.stub.StreamObserver<markcap.v1.RiskEngine.ApplyMarksResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getApplyMarksMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * Create a currency or change its price (applied as given, no cap).
     * </pre>
     */
    public void upsertCurrency(markcap.v1.RiskEngine.UpsertCurrencyRequest request,
        io.grpc.stub.StreamObserver<markcap.v1.RiskEngine.UpsertCurrencyResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getUpsertCurrencyMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * Create an instrument or change its symbol, cap policy and ADL settings.
     * </pre>
     */
    public void upsertInstrument(markcap.v1.RiskEngine.UpsertInstrumentRequest request,
        io.grpc.stub.StreamObserver<markcap.v1.RiskEngine.UpsertInstrumentResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getUpsertInstrumentMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * List every instrument.
     * </pre>
     */
    public void listInstruments(markcap.v1.RiskEngine.ListInstrumentsRequest request,
        io.grpc.stub.StreamObserver<markcap.v1.RiskEngine.ListInstrumentsResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getListInstrumentsMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * List every currency.
     * </pre>
     */
    public void listCurrencies(markcap.v1.RiskEngine.ListCurrenciesRequest request,
        io.grpc.stub.StreamObserver<markcap.v1.RiskEngine.ListCurrenciesResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getListCurrenciesMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * One account with balances, positions and bankruptcy prices.
     * </pre>
     */
    public void getAccount(markcap.v1.RiskEngine.GetAccountRequest request,
        io.grpc.stub.StreamObserver<markcap.v1.RiskEngine.GetAccountResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getGetAccountMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * The insurance fund's account and floor.
     * </pre>
     */
    public void getInsuranceFund(markcap.v1.RiskEngine.GetInsuranceFundRequest request,
        io.grpc.stub.StreamObserver<markcap.v1.RiskEngine.GetInsuranceFundResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getGetInsuranceFundMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * Nearest bankruptcy prices above and below an instrument's mark.
     * </pre>
     */
    public void getBankruptcyBand(markcap.v1.RiskEngine.GetBankruptcyBandRequest request,
        io.grpc.stub.StreamObserver<markcap.v1.RiskEngine.GetBankruptcyBandResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getGetBankruptcyBandMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * Top of an instrument's ADL queue on one side.
     * </pre>
     */
    public void getAdlQueue(markcap.v1.RiskEngine.GetAdlQueueRequest request,
        io.grpc.stub.StreamObserver<markcap.v1.RiskEngine.GetAdlQueueResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getGetAdlQueueMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * Last applied seq, counts, persistence and version.
     * </pre>
     */
    public void getStatus(markcap.v1.RiskEngine.GetStatusRequest request,
        io.grpc.stub.StreamObserver<markcap.v1.RiskEngine.GetStatusResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getGetStatusMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * Outcomes of ApplyMark and UpsertCurrency from a seq on, then live.
     * </pre>
     */
    public void watchEvents(markcap.v1.RiskEngine.WatchEventsRequest request,
        io.grpc.stub.StreamObserver<markcap.v1.RiskEngine.WatchEventsResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncServerStreamingCall(
          getChannel().newCall(getWatchEventsMethod(), getCallOptions()), request, responseObserver);
    }
  }

  /**
   * <pre>
   * The markcap risk engine: ingests the exchange's fills and transfers, keeps
   * positions and balances, and decides how each mark update is applied.
   * </pre>
   */
  public static final class RiskEngineServiceBlockingStub extends io.grpc.stub.AbstractBlockingStub<RiskEngineServiceBlockingStub> {
    private RiskEngineServiceBlockingStub(
        io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
      super(channel, callOptions);
    }

    @java.lang.Override
    protected RiskEngineServiceBlockingStub build(
        io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
      return new RiskEngineServiceBlockingStub(channel, callOptions);
    }

    /**
     * <pre>
     * Move a mark, capped at the first bankruptcy price when the policy says so.
     * </pre>
     */
    public markcap.v1.RiskEngine.ApplyMarkResponse applyMark(markcap.v1.RiskEngine.ApplyMarkRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getApplyMarkMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * Several mark updates in one seq, applied in order; all or nothing on bad input.
     * </pre>
     */
    public markcap.v1.RiskEngine.ApplyMarksResponse applyMarks(markcap.v1.RiskEngine.ApplyMarksRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getApplyMarksMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * Create a currency or change its price (applied as given, no cap).
     * </pre>
     */
    public markcap.v1.RiskEngine.UpsertCurrencyResponse upsertCurrency(markcap.v1.RiskEngine.UpsertCurrencyRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getUpsertCurrencyMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * Create an instrument or change its symbol, cap policy and ADL settings.
     * </pre>
     */
    public markcap.v1.RiskEngine.UpsertInstrumentResponse upsertInstrument(markcap.v1.RiskEngine.UpsertInstrumentRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getUpsertInstrumentMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * List every instrument.
     * </pre>
     */
    public markcap.v1.RiskEngine.ListInstrumentsResponse listInstruments(markcap.v1.RiskEngine.ListInstrumentsRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getListInstrumentsMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * List every currency.
     * </pre>
     */
    public markcap.v1.RiskEngine.ListCurrenciesResponse listCurrencies(markcap.v1.RiskEngine.ListCurrenciesRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getListCurrenciesMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * One account with balances, positions and bankruptcy prices.
     * </pre>
     */
    public markcap.v1.RiskEngine.GetAccountResponse getAccount(markcap.v1.RiskEngine.GetAccountRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getGetAccountMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * The insurance fund's account and floor.
     * </pre>
     */
    public markcap.v1.RiskEngine.GetInsuranceFundResponse getInsuranceFund(markcap.v1.RiskEngine.GetInsuranceFundRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getGetInsuranceFundMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * Nearest bankruptcy prices above and below an instrument's mark.
     * </pre>
     */
    public markcap.v1.RiskEngine.GetBankruptcyBandResponse getBankruptcyBand(markcap.v1.RiskEngine.GetBankruptcyBandRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getGetBankruptcyBandMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * Top of an instrument's ADL queue on one side.
     * </pre>
     */
    public markcap.v1.RiskEngine.GetAdlQueueResponse getAdlQueue(markcap.v1.RiskEngine.GetAdlQueueRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getGetAdlQueueMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * Last applied seq, counts, persistence and version.
     * </pre>
     */
    public markcap.v1.RiskEngine.GetStatusResponse getStatus(markcap.v1.RiskEngine.GetStatusRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getGetStatusMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * Outcomes of ApplyMark and UpsertCurrency from a seq on, then live.
     * </pre>
     */
    public java.util.Iterator<markcap.v1.RiskEngine.WatchEventsResponse> watchEvents(
        markcap.v1.RiskEngine.WatchEventsRequest request) {
      return io.grpc.stub.ClientCalls.blockingServerStreamingCall(
          getChannel(), getWatchEventsMethod(), getCallOptions(), request);
    }
  }

  /**
   * <pre>
   * The markcap risk engine: ingests the exchange's fills and transfers, keeps
   * positions and balances, and decides how each mark update is applied.
   * </pre>
   */
  public static final class RiskEngineServiceFutureStub extends io.grpc.stub.AbstractFutureStub<RiskEngineServiceFutureStub> {
    private RiskEngineServiceFutureStub(
        io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
      super(channel, callOptions);
    }

    @java.lang.Override
    protected RiskEngineServiceFutureStub build(
        io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
      return new RiskEngineServiceFutureStub(channel, callOptions);
    }

    /**
     * <pre>
     * Move a mark, capped at the first bankruptcy price when the policy says so.
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<markcap.v1.RiskEngine.ApplyMarkResponse> applyMark(
        markcap.v1.RiskEngine.ApplyMarkRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getApplyMarkMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * Several mark updates in one seq, applied in order; all or nothing on bad input.
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<markcap.v1.RiskEngine.ApplyMarksResponse> applyMarks(
        markcap.v1.RiskEngine.ApplyMarksRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getApplyMarksMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * Create a currency or change its price (applied as given, no cap).
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<markcap.v1.RiskEngine.UpsertCurrencyResponse> upsertCurrency(
        markcap.v1.RiskEngine.UpsertCurrencyRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getUpsertCurrencyMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * Create an instrument or change its symbol, cap policy and ADL settings.
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<markcap.v1.RiskEngine.UpsertInstrumentResponse> upsertInstrument(
        markcap.v1.RiskEngine.UpsertInstrumentRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getUpsertInstrumentMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * List every instrument.
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<markcap.v1.RiskEngine.ListInstrumentsResponse> listInstruments(
        markcap.v1.RiskEngine.ListInstrumentsRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getListInstrumentsMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * List every currency.
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<markcap.v1.RiskEngine.ListCurrenciesResponse> listCurrencies(
        markcap.v1.RiskEngine.ListCurrenciesRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getListCurrenciesMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * One account with balances, positions and bankruptcy prices.
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<markcap.v1.RiskEngine.GetAccountResponse> getAccount(
        markcap.v1.RiskEngine.GetAccountRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getGetAccountMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * The insurance fund's account and floor.
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<markcap.v1.RiskEngine.GetInsuranceFundResponse> getInsuranceFund(
        markcap.v1.RiskEngine.GetInsuranceFundRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getGetInsuranceFundMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * Nearest bankruptcy prices above and below an instrument's mark.
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<markcap.v1.RiskEngine.GetBankruptcyBandResponse> getBankruptcyBand(
        markcap.v1.RiskEngine.GetBankruptcyBandRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getGetBankruptcyBandMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * Top of an instrument's ADL queue on one side.
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<markcap.v1.RiskEngine.GetAdlQueueResponse> getAdlQueue(
        markcap.v1.RiskEngine.GetAdlQueueRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getGetAdlQueueMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * Last applied seq, counts, persistence and version.
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<markcap.v1.RiskEngine.GetStatusResponse> getStatus(
        markcap.v1.RiskEngine.GetStatusRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getGetStatusMethod(), getCallOptions()), request);
    }
  }

  private static final int METHODID_APPLY_MARK = 0;
  private static final int METHODID_APPLY_MARKS = 1;
  private static final int METHODID_UPSERT_CURRENCY = 2;
  private static final int METHODID_UPSERT_INSTRUMENT = 3;
  private static final int METHODID_LIST_INSTRUMENTS = 4;
  private static final int METHODID_LIST_CURRENCIES = 5;
  private static final int METHODID_GET_ACCOUNT = 6;
  private static final int METHODID_GET_INSURANCE_FUND = 7;
  private static final int METHODID_GET_BANKRUPTCY_BAND = 8;
  private static final int METHODID_GET_ADL_QUEUE = 9;
  private static final int METHODID_GET_STATUS = 10;
  private static final int METHODID_WATCH_EVENTS = 11;
  private static final int METHODID_STREAM_DELTAS = 12;

  private static final class MethodHandlers<Req, Resp> implements
      io.grpc.stub.ServerCalls.UnaryMethod<Req, Resp>,
      io.grpc.stub.ServerCalls.ServerStreamingMethod<Req, Resp>,
      io.grpc.stub.ServerCalls.ClientStreamingMethod<Req, Resp>,
      io.grpc.stub.ServerCalls.BidiStreamingMethod<Req, Resp> {
    private final RiskEngineServiceImplBase serviceImpl;
    private final int methodId;

    MethodHandlers(RiskEngineServiceImplBase serviceImpl, int methodId) {
      this.serviceImpl = serviceImpl;
      this.methodId = methodId;
    }

    @java.lang.Override
    @java.lang.SuppressWarnings("unchecked")
    public void invoke(Req request, io.grpc.stub.StreamObserver<Resp> responseObserver) {
      switch (methodId) {
        case METHODID_APPLY_MARK:
          serviceImpl.applyMark((markcap.v1.RiskEngine.ApplyMarkRequest) request,
              (io.grpc.stub.StreamObserver<markcap.v1.RiskEngine.ApplyMarkResponse>) responseObserver);
          break;
        case METHODID_APPLY_MARKS:
          serviceImpl.applyMarks((markcap.v1.RiskEngine.ApplyMarksRequest) request,
              (io.grpc.stub.StreamObserver<markcap.v1.RiskEngine.ApplyMarksResponse>) responseObserver);
          break;
        case METHODID_UPSERT_CURRENCY:
          serviceImpl.upsertCurrency((markcap.v1.RiskEngine.UpsertCurrencyRequest) request,
              (io.grpc.stub.StreamObserver<markcap.v1.RiskEngine.UpsertCurrencyResponse>) responseObserver);
          break;
        case METHODID_UPSERT_INSTRUMENT:
          serviceImpl.upsertInstrument((markcap.v1.RiskEngine.UpsertInstrumentRequest) request,
              (io.grpc.stub.StreamObserver<markcap.v1.RiskEngine.UpsertInstrumentResponse>) responseObserver);
          break;
        case METHODID_LIST_INSTRUMENTS:
          serviceImpl.listInstruments((markcap.v1.RiskEngine.ListInstrumentsRequest) request,
              (io.grpc.stub.StreamObserver<markcap.v1.RiskEngine.ListInstrumentsResponse>) responseObserver);
          break;
        case METHODID_LIST_CURRENCIES:
          serviceImpl.listCurrencies((markcap.v1.RiskEngine.ListCurrenciesRequest) request,
              (io.grpc.stub.StreamObserver<markcap.v1.RiskEngine.ListCurrenciesResponse>) responseObserver);
          break;
        case METHODID_GET_ACCOUNT:
          serviceImpl.getAccount((markcap.v1.RiskEngine.GetAccountRequest) request,
              (io.grpc.stub.StreamObserver<markcap.v1.RiskEngine.GetAccountResponse>) responseObserver);
          break;
        case METHODID_GET_INSURANCE_FUND:
          serviceImpl.getInsuranceFund((markcap.v1.RiskEngine.GetInsuranceFundRequest) request,
              (io.grpc.stub.StreamObserver<markcap.v1.RiskEngine.GetInsuranceFundResponse>) responseObserver);
          break;
        case METHODID_GET_BANKRUPTCY_BAND:
          serviceImpl.getBankruptcyBand((markcap.v1.RiskEngine.GetBankruptcyBandRequest) request,
              (io.grpc.stub.StreamObserver<markcap.v1.RiskEngine.GetBankruptcyBandResponse>) responseObserver);
          break;
        case METHODID_GET_ADL_QUEUE:
          serviceImpl.getAdlQueue((markcap.v1.RiskEngine.GetAdlQueueRequest) request,
              (io.grpc.stub.StreamObserver<markcap.v1.RiskEngine.GetAdlQueueResponse>) responseObserver);
          break;
        case METHODID_GET_STATUS:
          serviceImpl.getStatus((markcap.v1.RiskEngine.GetStatusRequest) request,
              (io.grpc.stub.StreamObserver<markcap.v1.RiskEngine.GetStatusResponse>) responseObserver);
          break;
        case METHODID_WATCH_EVENTS:
          serviceImpl.watchEvents((markcap.v1.RiskEngine.WatchEventsRequest) request,
              (io.grpc.stub.StreamObserver<markcap.v1.RiskEngine.WatchEventsResponse>) responseObserver);
          break;
        default:
          throw new AssertionError();
      }
    }

    @java.lang.Override
    @java.lang.SuppressWarnings("unchecked")
    public io.grpc.stub.StreamObserver<Req> invoke(
        io.grpc.stub.StreamObserver<Resp> responseObserver) {
      switch (methodId) {
        case METHODID_STREAM_DELTAS:
          return (io.grpc.stub.StreamObserver<Req>) serviceImpl.streamDeltas(
              (io.grpc.stub.StreamObserver<markcap.v1.RiskEngine.StreamDeltasResponse>) responseObserver);
        default:
          throw new AssertionError();
      }
    }
  }

  private static abstract class RiskEngineServiceBaseDescriptorSupplier
      implements io.grpc.protobuf.ProtoFileDescriptorSupplier, io.grpc.protobuf.ProtoServiceDescriptorSupplier {
    RiskEngineServiceBaseDescriptorSupplier() {}

    @java.lang.Override
    public com.google.protobuf.Descriptors.FileDescriptor getFileDescriptor() {
      return markcap.v1.RiskEngine.getDescriptor();
    }

    @java.lang.Override
    public com.google.protobuf.Descriptors.ServiceDescriptor getServiceDescriptor() {
      return getFileDescriptor().findServiceByName("RiskEngineService");
    }
  }

  private static final class RiskEngineServiceFileDescriptorSupplier
      extends RiskEngineServiceBaseDescriptorSupplier {
    RiskEngineServiceFileDescriptorSupplier() {}
  }

  private static final class RiskEngineServiceMethodDescriptorSupplier
      extends RiskEngineServiceBaseDescriptorSupplier
      implements io.grpc.protobuf.ProtoMethodDescriptorSupplier {
    private final String methodName;

    RiskEngineServiceMethodDescriptorSupplier(String methodName) {
      this.methodName = methodName;
    }

    @java.lang.Override
    public com.google.protobuf.Descriptors.MethodDescriptor getMethodDescriptor() {
      return getServiceDescriptor().findMethodByName(methodName);
    }
  }

  private static volatile io.grpc.ServiceDescriptor serviceDescriptor;

  public static io.grpc.ServiceDescriptor getServiceDescriptor() {
    io.grpc.ServiceDescriptor result = serviceDescriptor;
    if (result == null) {
      synchronized (RiskEngineServiceGrpc.class) {
        result = serviceDescriptor;
        if (result == null) {
          serviceDescriptor = result = io.grpc.ServiceDescriptor.newBuilder(SERVICE_NAME)
              .setSchemaDescriptor(new RiskEngineServiceFileDescriptorSupplier())
              .addMethod(getStreamDeltasMethod())
              .addMethod(getApplyMarkMethod())
              .addMethod(getApplyMarksMethod())
              .addMethod(getUpsertCurrencyMethod())
              .addMethod(getUpsertInstrumentMethod())
              .addMethod(getListInstrumentsMethod())
              .addMethod(getListCurrenciesMethod())
              .addMethod(getGetAccountMethod())
              .addMethod(getGetInsuranceFundMethod())
              .addMethod(getGetBankruptcyBandMethod())
              .addMethod(getGetAdlQueueMethod())
              .addMethod(getGetStatusMethod())
              .addMethod(getWatchEventsMethod())
              .build();
        }
      }
    }
    return result;
  }
}
