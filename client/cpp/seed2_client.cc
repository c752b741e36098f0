// A matching engine's side of markcap, in C++: define an instrument, stream
// one batch of fills and transfers (SPEC 3 seed example 2), move the mark and
// act on the answer (capped price, liquidations, ADL fills).
//
//   seed2_client ADDRESS        e.g. 127.0.0.1:50051 or unix:/run/markcap.sock
//
// Exits 0 on success, 1 when an RPC fails (the gRPC status is printed on
// stderr), 2 on bad usage. Output: one `key=value` line per fact.
#include <grpcpp/grpcpp.h>

#include <charconv>
#include <chrono>
#include <cstdint>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "markcap/v1/risk_engine.grpc.pb.h"

namespace {

namespace v1 = markcap::v1;

constexpr uint32_t kBtcPerp = 7;
constexpr uint32_t kUsd = 1;
// Every call carries a deadline: a sidecar that hangs must not hang the engine.
constexpr std::chrono::seconds kCallDeadline{10};

// Thrown for a failed RPC; main prints it and exits 1.
struct RpcFailure {
  std::string call;
  grpc::Status status;
};

// The shortest text that reads back as the same double (125, not 125.000000).
std::string Num(double value) {
  char text[32];
  auto end = std::to_chars(text, text + sizeof text, value).ptr;
  return std::string(text, end);
}

const char* StatusCodeName(grpc::StatusCode code) {
  static const char* const kNames[] = {
      "OK", "CANCELLED", "UNKNOWN", "INVALID_ARGUMENT", "DEADLINE_EXCEEDED", "NOT_FOUND",
      "ALREADY_EXISTS", "PERMISSION_DENIED", "RESOURCE_EXHAUSTED", "FAILED_PRECONDITION",
      "ABORTED", "OUT_OF_RANGE", "UNIMPLEMENTED", "INTERNAL", "UNAVAILABLE", "DATA_LOSS",
      "UNAUTHENTICATED"};
  const int index = static_cast<int>(code);
  return index >= 0 && index < 17 ? kNames[index] : "UNKNOWN";
}

void Check(const std::string& call, const grpc::Status& status) {
  if (!status.ok()) throw RpcFailure{call, status};
}

void SetDeadline(grpc::ClientContext& context) {
  context.set_deadline(std::chrono::system_clock::now() + kCallDeadline);
}

// Last applied seq: the exchange's inputs continue from here, exactly once.
uint64_t AppliedSeq(v1::RiskEngineService::Stub& stub) {
  grpc::ClientContext context;
  SetDeadline(context);
  v1::GetStatusResponse response;
  Check("GetStatus", stub.GetStatus(&context, v1::GetStatusRequest(), &response));
  return response.applied_seq();
}

// BTC-PERP as the default exchange defines it: linear, USD, multiplier 1,
// tick 0.5, mark 100, capped at the first bankruptcy price.
void UpsertBtcPerp(v1::RiskEngineService::Stub& stub, uint64_t seq) {
  v1::UpsertInstrumentRequest request;
  request.set_seq(seq);
  v1::Instrument* instrument = request.mutable_instrument();
  instrument->set_instrument_id(kBtcPerp);
  instrument->set_symbol("BTC-PERP");
  instrument->set_kind(v1::CONTRACT_KIND_LINEAR);
  instrument->set_settlement_currency_id(kUsd);
  instrument->set_multiplier(1.0);
  instrument->set_tick_size(0.5);  // every price of BTC-PERP is a whole number of ticks
  instrument->set_mark_price(100.0);
  instrument->set_cap_policy(v1::CAP_POLICY_CAP_TO_FIRST_BANKRUPTCY_PRICE);
  instrument->set_adl_ranking(v1::ADL_RANKING_PNL);
  instrument->set_adl_allocation(v1::ADL_ALLOCATION_PRO_RATA);
  grpc::ClientContext context;
  SetDeadline(context);
  v1::UpsertInstrumentResponse response;
  Check("UpsertInstrument", stub.UpsertInstrument(&context, request, &response));
  std::cout << "instrument seq=" << response.seq()
            << " id=" << response.instrument().instrument_id()
            << " symbol=" << response.instrument().symbol() << "\n";
}

// The seed-2 book as one batch: columns, so thousands of fills are one message.
v1::StreamDeltasRequest Seed2Batch(uint64_t seq) {
  const std::vector<uint64_t> fill_accounts{2, 5, 3, 5, 1, 5, 0, 5, 4, 5};
  const std::vector<int64_t> fill_qtys{6, -6, 4, -4, -10, 10, -2, 2, 7, -7};
  const std::vector<double> fill_prices{80, 80, 90, 90, 100, 100, 100, 100, 100, 100};
  const std::vector<uint64_t> transfer_accounts{1, 0, 5, 2, 3, 4};
  const std::vector<double> transfer_amounts{250, 50, 10160, 100, 100, 1000};

  v1::StreamDeltasRequest batch;
  batch.set_seq(seq);
  v1::FillColumns* fills = batch.mutable_fills();
  for (size_t i = 0; i < fill_accounts.size(); ++i) {
    fills->add_account_id(fill_accounts[i]);
    fills->add_instrument_id(kBtcPerp);
    fills->add_qty(fill_qtys[i]);
    fills->add_price(fill_prices[i]);
  }
  v1::TransferColumns* transfers = batch.mutable_transfers();
  for (size_t i = 0; i < transfer_accounts.size(); ++i) {
    transfers->add_account_id(transfer_accounts[i]);
    transfers->add_currency_id(kUsd);
    transfers->add_amount(transfer_amounts[i]);
  }
  return batch;
}

// One batch on the bidirectional stream, then half-close and read the acks.
void StreamBatch(v1::RiskEngineService::Stub& stub, const v1::StreamDeltasRequest& batch) {
  grpc::ClientContext context;
  SetDeadline(context);
  auto stream = stub.StreamDeltas(&context);
  stream->Write(batch);
  stream->WritesDone();
  v1::StreamDeltasResponse ack;
  while (stream->Read(&ack)) {
    std::cout << "batch seq=" << ack.seq() << " fills=" << ack.fill_count()
              << " transfers=" << ack.transfer_count()
              << " duplicate=" << (ack.duplicate() ? "true" : "false") << "\n";
  }
  Check("StreamDeltas", stream->Finish());
}

v1::ApplyMarkResponse ApplyMark(v1::RiskEngineService::Stub& stub, uint64_t seq, double price) {
  v1::ApplyMarkRequest request;
  request.set_seq(seq);
  request.set_instrument_id(kBtcPerp);
  request.set_price(price);
  grpc::ClientContext context;
  SetDeadline(context);
  v1::ApplyMarkResponse response;
  Check("ApplyMark", stub.ApplyMark(&context, request, &response));
  return response;
}

// What a matching engine acts on: the price to publish, the accounts now the
// fund's, and the ADL fills to book (markcap has already applied them).
void PrintOutcome(const v1::ApplyMarkResponse& outcome) {
  std::cout << "mark seq=" << outcome.seq() << " instrument=" << outcome.instrument_id()
            << " previous=" << Num(outcome.previous_price())
            << " requested=" << Num(outcome.requested_price())
            << " applied=" << Num(outcome.applied_price())
            << " capped=" << (outcome.capped() ? "true" : "false");
  if (outcome.has_first_bankruptcy_price()) {
    std::cout << " first_bankruptcy_price=" << Num(outcome.first_bankruptcy_price());
  }
  std::cout << "\n";
  for (const v1::Liquidation& liquidation : outcome.liquidations()) {
    std::cout << "liquidation account=" << liquidation.account_id()
              << " reason=" << v1::LiquidationReason_Name(liquidation.reason())
              << " equity_before=" << Num(liquidation.equity_before())
              << " price=" << Num(liquidation.price()) << "\n";
    for (const v1::LiquidatedPosition& position : liquidation.positions()) {
      std::cout << "liquidated_position account=" << liquidation.account_id()
                << " instrument=" << position.instrument_id() << " qty=" << position.qty()
                << " price=" << Num(position.price()) << "\n";
    }
  }
  for (const v1::AdlFill& fill : outcome.adl_fills()) {
    std::cout << "adl_fill rank=" << fill.rank() << " account=" << fill.account_id()
              << " instrument=" << fill.instrument_id() << " qty=" << fill.qty()
              << " price=" << Num(fill.price()) << " score=" << Num(fill.score()) << "\n";
  }
  std::cout << "fund equity_before=" << Num(outcome.insurance_fund_equity_before())
            << " equity_after=" << Num(outcome.insurance_fund_equity_after())
            << " deficit=" << Num(outcome.insurance_fund_deficit()) << "\n";
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: " << argv[0] << " ADDRESS  (e.g. 127.0.0.1:50051)\n";
    return 2;
  }
  auto channel = grpc::CreateChannel(argv[1], grpc::InsecureChannelCredentials());
  auto stub = v1::RiskEngineService::NewStub(channel);
  try {
    const uint64_t seq = AppliedSeq(*stub);
    UpsertBtcPerp(*stub, seq + 1);
    StreamBatch(*stub, Seed2Batch(seq + 2));
    PrintOutcome(ApplyMark(*stub, seq + 3, 150.0));
  } catch (const RpcFailure& failure) {
    std::cerr << "error: " << failure.call << " failed with status "
              << StatusCodeName(failure.status.error_code()) << ": " << failure.status.error_message() << "\n";
    return 1;
  }
  return 0;
}
