// A matching engine's side of markcap, in TypeScript (Node): define an
// instrument, stream one batch of fills and transfers (SPEC 3 seed example 2),
// move the mark and act on the answer (capped price, liquidations, ADL fills).
//
//   node seed2-client.js ADDRESS        e.g. 127.0.0.1:50051
//
// Exits 0 on success, 1 when an RPC fails (the gRPC status is printed on
// stderr), 2 on bad usage. Output: one `key=value` line per fact.
import { create } from "@bufbuild/protobuf";
import { Code, ConnectError, createClient, type Client } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";

import {
  AdlAllocation,
  AdlRanking,
  CapPolicy,
  ContractKind,
  LiquidationReasonSchema,
  RiskEngineService,
  StreamDeltasRequestSchema,
  type ApplyMarkResponse,
  type StreamDeltasRequest,
} from "./gen/markcap/v1/risk_engine_pb.js";

type RiskEngine = Client<typeof RiskEngineService>;

const BTC_PERP = 7;
const USD = 1;
// Every call carries a deadline: a sidecar that hangs must not hang the engine.
const CALL_OPTIONS = { timeoutMs: 10_000 };

// Last applied seq: the exchange's inputs continue from here, exactly once.
async function appliedSeq(client: RiskEngine): Promise<bigint> {
  const status = await client.getStatus({}, CALL_OPTIONS);
  return status.appliedSeq;
}

// BTC-PERP as the default exchange defines it: linear, USD, multiplier 1,
// tick 0.5, mark 100, capped at the first bankruptcy price.
async function upsertBtcPerp(client: RiskEngine, seq: bigint): Promise<void> {
  const response = await client.upsertInstrument(
    {
      seq,
      instrument: {
        instrumentId: BTC_PERP,
        symbol: "BTC-PERP",
        kind: ContractKind.LINEAR,
        settlementCurrencyId: USD,
        multiplier: 1,
        tickSize: 0.5, // every price of BTC-PERP is a whole number of ticks
        markPrice: 100,
        capPolicy: CapPolicy.CAP_TO_FIRST_BANKRUPTCY_PRICE,
        adlRanking: AdlRanking.PNL,
        adlAllocation: AdlAllocation.PRO_RATA,
      },
    },
    CALL_OPTIONS,
  );
  console.log(
    `instrument seq=${response.seq} id=${response.instrument?.instrumentId} symbol=${response.instrument?.symbol}`,
  );
}

// The seed-2 book as one batch: columns, so thousands of fills are one message.
// 64-bit fields (ids, seq, qty) are bigint.
function seed2Batch(seq: bigint): StreamDeltasRequest {
  return create(StreamDeltasRequestSchema, {
    seq,
    fills: {
      accountId: [2n, 5n, 3n, 5n, 1n, 5n, 0n, 5n, 4n, 5n],
      instrumentId: Array(10).fill(BTC_PERP),
      qty: [6n, -6n, 4n, -4n, -10n, 10n, -2n, 2n, 7n, -7n],
      price: [80, 80, 90, 90, 100, 100, 100, 100, 100, 100],
    },
    transfers: {
      accountId: [1n, 0n, 5n, 2n, 3n, 4n],
      currencyId: Array(6).fill(USD),
      amount: [250, 50, 10160, 100, 100, 1000],
    },
  });
}

// One batch on the bidirectional stream: the request iterable ends after it
// (half-close), and the acknowledgements are read until the server ends.
async function streamBatch(client: RiskEngine, batch: StreamDeltasRequest): Promise<void> {
  async function* batches() {
    yield batch;
  }
  for await (const ack of client.streamDeltas(batches(), CALL_OPTIONS)) {
    console.log(
      `batch seq=${ack.seq} fills=${ack.fillCount} transfers=${ack.transferCount} duplicate=${ack.duplicate}`,
    );
  }
}

// What a matching engine acts on: the price to publish, the accounts now the
// fund's, and the ADL fills to book (markcap has already applied them).
function printOutcome(outcome: ApplyMarkResponse): void {
  let line =
    `mark seq=${outcome.seq} instrument=${outcome.instrumentId} previous=${outcome.previousPrice}` +
    ` requested=${outcome.requestedPrice} applied=${outcome.appliedPrice} capped=${outcome.capped}`;
  if (outcome.firstBankruptcyPrice !== undefined) {
    line += ` first_bankruptcy_price=${outcome.firstBankruptcyPrice}`;
  }
  console.log(line);
  for (const liquidation of outcome.liquidations) {
    const reason = LiquidationReasonSchema.value[liquidation.reason]?.name ?? liquidation.reason;
    console.log(
      `liquidation account=${liquidation.accountId} reason=${reason}` +
        ` equity_before=${liquidation.equityBefore} price=${liquidation.price}`,
    );
    for (const position of liquidation.positions) {
      console.log(
        `liquidated_position account=${liquidation.accountId} instrument=${position.instrumentId}` +
          ` qty=${position.qty} price=${position.price}`,
      );
    }
  }
  for (const fill of outcome.adlFills) {
    console.log(
      `adl_fill rank=${fill.rank} account=${fill.accountId} instrument=${fill.instrumentId}` +
        ` qty=${fill.qty} price=${fill.price} score=${fill.score}`,
    );
  }
  console.log(
    `fund equity_before=${outcome.insuranceFundEquityBefore}` +
      ` equity_after=${outcome.insuranceFundEquityAfter} deficit=${outcome.insuranceFundDeficit}`,
  );
}

// A failed RPC, named; main prints it and exits 1.
class CallFailure extends Error {
  constructor(
    readonly call: string,
    readonly status: ConnectError,
  ) {
    super(`${call}: ${status.message}`);
  }
}

async function named<T>(call: string, attempt: Promise<T>): Promise<T> {
  try {
    return await attempt;
  } catch (error: unknown) {
    throw new CallFailure(call, ConnectError.from(error));
  }
}

async function run(address: string): Promise<void> {
  // gRPC over HTTP/2 without TLS, for a sidecar on the same host.
  const transport = createGrpcTransport({ baseUrl: `http://${address}` });
  const client = createClient(RiskEngineService, transport);
  const seq = await named("GetStatus", appliedSeq(client));
  await named("UpsertInstrument", upsertBtcPerp(client, seq + 1n));
  await named("StreamDeltas", streamBatch(client, seed2Batch(seq + 2n)));
  const outcome = await named(
    "ApplyMark",
    client.applyMark({ seq: seq + 3n, instrumentId: BTC_PERP, price: 150 }, CALL_OPTIONS),
  );
  printOutcome(outcome);
}

function main(): void {
  const args = process.argv.slice(2);
  if (args.length !== 1) {
    console.error("usage: seed2-client ADDRESS  (e.g. 127.0.0.1:50051)");
    process.exit(2);
  }
  run(args[0]).catch((error: unknown) => {
    if (!(error instanceof CallFailure)) throw error;
    const { call, status } = error;
    // As the gRPC docs spell codes (FailedPrecondition -> FAILED_PRECONDITION).
    const code = Code[status.code].replace(/([a-z])([A-Z])/g, "$1_$2").toUpperCase();
    console.error(`error: ${call} failed with status ${code}: ${status.rawMessage}`);
    process.exit(1);
  });
}

main();
