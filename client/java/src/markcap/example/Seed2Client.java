package markcap.example;

import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import markcap.v1.RiskEngine.AdlAllocation;
import markcap.v1.RiskEngine.AdlFill;
import markcap.v1.RiskEngine.AdlRanking;
import markcap.v1.RiskEngine.ApplyMarkRequest;
import markcap.v1.RiskEngine.ApplyMarkResponse;
import markcap.v1.RiskEngine.CapPolicy;
import markcap.v1.RiskEngine.ContractKind;
import markcap.v1.RiskEngine.FillColumns;
import markcap.v1.RiskEngine.GetStatusRequest;
import markcap.v1.RiskEngine.Instrument;
import markcap.v1.RiskEngine.LiquidatedPosition;
import markcap.v1.RiskEngine.Liquidation;
import markcap.v1.RiskEngine.StreamDeltasRequest;
import markcap.v1.RiskEngine.StreamDeltasResponse;
import markcap.v1.RiskEngine.TransferColumns;
import markcap.v1.RiskEngine.UpsertInstrumentRequest;
import markcap.v1.RiskEngine.UpsertInstrumentResponse;
import markcap.v1.RiskEngineServiceGrpc;
import markcap.v1.RiskEngineServiceGrpc.RiskEngineServiceBlockingStub;
import markcap.v1.RiskEngineServiceGrpc.RiskEngineServiceStub;

/**
 * A matching engine's side of markcap, in Java: define an instrument, stream one batch of fills
 * and transfers (SPEC 3 seed example 2), move the mark and act on the answer (capped price,
 * liquidations, ADL fills).
 *
 * <pre>  seed2-client ADDRESS        e.g. 127.0.0.1:50051</pre>
 *
 * <p>Exits 0 on success, 1 when an RPC fails (the gRPC status is printed on stderr), 2 on bad
 * usage. Output: one {@code key=value} line per fact.
 */
public final class Seed2Client {
  private static final int BTC_PERP = 7;
  private static final int USD = 1;
  /** Every call carries a deadline: a sidecar that hangs must not hang the engine. */
  private static final long CALL_DEADLINE_SECONDS = 10;

  private final ManagedChannel channel;

  private Seed2Client(ManagedChannel channel) {
    this.channel = channel;
  }

  public static void main(String[] args) throws InterruptedException {
    if (args.length != 1) {
      System.err.println("usage: seed2-client ADDRESS  (e.g. 127.0.0.1:50051)");
      System.exit(2);
    }
    // Plaintext, for a sidecar on the same host.
    ManagedChannel channel = ManagedChannelBuilder.forTarget(args[0]).usePlaintext().build();
    int exitCode = 0;
    try {
      new Seed2Client(channel).run();
    } catch (CallFailure failure) {
      Status status = failure.status;
      System.err.printf("error: %s failed with status %s: %s%n",
          failure.call, status.getCode(), status.getDescription());
      exitCode = 1;
    } finally {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
    System.exit(exitCode);
  }

  private void run() throws CallFailure, InterruptedException {
    long seq = appliedSeq();
    upsertBtcPerp(seq + 1);
    streamBatch(seed2Batch(seq + 2));
    printOutcome(applyMark(seq + 3, 150.0));
  }

  /** A failed RPC, named; main prints it and exits 1. */
  private static final class CallFailure extends Exception {
    final String call;
    final Status status;

    CallFailure(String call, Throwable cause) {
      super(call, cause);
      this.call = call;
      this.status = Status.fromThrowable(cause);
    }
  }

  private RiskEngineServiceBlockingStub blocking() {
    return RiskEngineServiceGrpc.newBlockingStub(channel)
        .withDeadlineAfter(CALL_DEADLINE_SECONDS, TimeUnit.SECONDS);
  }

  /** Last applied seq: the exchange's inputs continue from here, exactly once. */
  private long appliedSeq() throws CallFailure {
    try {
      return blocking().getStatus(GetStatusRequest.getDefaultInstance()).getAppliedSeq();
    } catch (StatusRuntimeException e) {
      throw new CallFailure("GetStatus", e);
    }
  }

  /**
   * BTC-PERP as the default exchange defines it: linear, USD, multiplier 1, tick 0.5, mark 100,
   * capped at the first bankruptcy price.
   */
  private void upsertBtcPerp(long seq) throws CallFailure {
    Instrument btcPerp = Instrument.newBuilder()
        .setInstrumentId(BTC_PERP)
        .setSymbol("BTC-PERP")
        .setKind(ContractKind.CONTRACT_KIND_LINEAR)
        .setSettlementCurrencyId(USD)
        .setMultiplier(1.0)
        .setTickSize(0.5) // every price of BTC-PERP is a whole number of ticks
        .setMarkPrice(100.0)
        .setCapPolicy(CapPolicy.CAP_POLICY_CAP_TO_FIRST_BANKRUPTCY_PRICE)
        .setAdlRanking(AdlRanking.ADL_RANKING_PNL)
        .setAdlAllocation(AdlAllocation.ADL_ALLOCATION_PRO_RATA)
        .build();
    UpsertInstrumentResponse response;
    try {
      response = blocking().upsertInstrument(
          UpsertInstrumentRequest.newBuilder().setSeq(seq).setInstrument(btcPerp).build());
    } catch (StatusRuntimeException e) {
      throw new CallFailure("UpsertInstrument", e);
    }
    System.out.printf("instrument seq=%s id=%d symbol=%s%n", unsigned(response.getSeq()),
        response.getInstrument().getInstrumentId(), response.getInstrument().getSymbol());
  }

  /** The seed-2 book as one batch: columns, so thousands of fills are one message. */
  private static StreamDeltasRequest seed2Batch(long seq) {
    long[] fillAccounts = {2, 5, 3, 5, 1, 5, 0, 5, 4, 5};
    long[] fillQtys = {6, -6, 4, -4, -10, 10, -2, 2, 7, -7};
    double[] fillPrices = {80, 80, 90, 90, 100, 100, 100, 100, 100, 100};
    long[] transferAccounts = {1, 0, 5, 2, 3, 4};
    double[] transferAmounts = {250, 50, 10160, 100, 100, 1000};

    FillColumns.Builder fills = FillColumns.newBuilder();
    for (int i = 0; i < fillAccounts.length; i++) {
      fills.addAccountId(fillAccounts[i]).addInstrumentId(BTC_PERP)
          .addQty(fillQtys[i]).addPrice(fillPrices[i]);
    }
    TransferColumns.Builder transfers = TransferColumns.newBuilder();
    for (int i = 0; i < transferAccounts.length; i++) {
      transfers.addAccountId(transferAccounts[i]).addCurrencyId(USD)
          .addAmount(transferAmounts[i]);
    }
    return StreamDeltasRequest.newBuilder()
        .setSeq(seq).setFills(fills).setTransfers(transfers).build();
  }

  /**
   * One batch on the bidirectional stream, then half-close; the acknowledgements arrive on the
   * observer until the server ends the stream.
   */
  private void streamBatch(StreamDeltasRequest batch) throws CallFailure, InterruptedException {
    CompletableFuture<Void> done = new CompletableFuture<>();
    StreamObserver<StreamDeltasResponse> acks = new StreamObserver<>() {
      @Override
      public void onNext(StreamDeltasResponse ack) {
        System.out.printf("batch seq=%s fills=%d transfers=%d duplicate=%b%n", unsigned(ack.getSeq()),
            ack.getFillCount(), ack.getTransferCount(), ack.getDuplicate());
      }

      @Override
      public void onError(Throwable error) {
        done.completeExceptionally(error);
      }

      @Override
      public void onCompleted() {
        done.complete(null);
      }
    };
    RiskEngineServiceStub stub = RiskEngineServiceGrpc.newStub(channel)
        .withDeadlineAfter(CALL_DEADLINE_SECONDS, TimeUnit.SECONDS);
    StreamObserver<StreamDeltasRequest> batches = stub.streamDeltas(acks);
    batches.onNext(batch);
    batches.onCompleted();
    try {
      done.get();
    } catch (ExecutionException e) {
      throw new CallFailure("StreamDeltas", e.getCause());
    }
  }

  private ApplyMarkResponse applyMark(long seq, double price) throws CallFailure {
    try {
      return blocking().applyMark(ApplyMarkRequest.newBuilder()
          .setSeq(seq).setInstrumentId(BTC_PERP).setPrice(price).build());
    } catch (StatusRuntimeException e) {
      throw new CallFailure("ApplyMark", e);
    }
  }

  /**
   * What a matching engine acts on: the price to publish, the accounts now the fund's, and the
   * ADL fills to book (markcap has already applied them).
   */
  private static void printOutcome(ApplyMarkResponse outcome) {
    StringBuilder line = new StringBuilder(String.format(
        "mark seq=%s instrument=%d previous=%s requested=%s applied=%s capped=%b",
        unsigned(outcome.getSeq()), outcome.getInstrumentId(), num(outcome.getPreviousPrice()),
        num(outcome.getRequestedPrice()), num(outcome.getAppliedPrice()), outcome.getCapped()));
    if (outcome.hasFirstBankruptcyPrice()) {
      line.append(" first_bankruptcy_price=").append(num(outcome.getFirstBankruptcyPrice()));
    }
    System.out.println(line);
    for (Liquidation liquidation : outcome.getLiquidationsList()) {
      System.out.printf("liquidation account=%s reason=%s equity_before=%s price=%s%n",
          unsigned(liquidation.getAccountId()), liquidation.getReason(),
          num(liquidation.getEquityBefore()), num(liquidation.getPrice()));
      for (LiquidatedPosition position : liquidation.getPositionsList()) {
        System.out.printf("liquidated_position account=%s instrument=%d qty=%d price=%s%n",
            unsigned(liquidation.getAccountId()), position.getInstrumentId(), position.getQty(),
            num(position.getPrice()));
      }
    }
    for (AdlFill fill : outcome.getAdlFillsList()) {
      System.out.printf("adl_fill rank=%d account=%s instrument=%d qty=%d price=%s score=%s%n",
          fill.getRank(), unsigned(fill.getAccountId()), fill.getInstrumentId(), fill.getQty(),
          num(fill.getPrice()), num(fill.getScore()));
    }
    System.out.printf("fund equity_before=%s equity_after=%s deficit=%s%n",
        num(outcome.getInsuranceFundEquityBefore()), num(outcome.getInsuranceFundEquityAfter()),
        num(outcome.getInsuranceFundDeficit()));
  }

  /** seq and account ids are uint64, which Java holds in a signed long. */
  private static String unsigned(long value) {
    return Long.toUnsignedString(value);
  }

  /** The shortest text that reads back as the same double, without a trailing ".0". */
  private static String num(double value) {
    if (value == Math.rint(value) && Math.abs(value) < 1e15) {
      return Long.toString((long) value);
    }
    return Double.toString(value);
  }
}
