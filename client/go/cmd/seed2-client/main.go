// Command seed2-client is a matching engine's side of markcap, in Go: define
// an instrument, stream one batch of fills and transfers (SPEC 3 seed example
// 2), move the mark and act on the answer (capped price, liquidations, ADL
// fills).
//
//	seed2-client ADDRESS        e.g. 127.0.0.1:50051
//
// Exits 0 on success, 1 when an RPC fails (the gRPC status is printed on
// stderr), 2 on bad usage. Output: one `key=value` line per fact.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"
	"unicode"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	markcapv1 "markcap/markcapv1"
)

const (
	btcPerp = 7
	usd     = 1
	// Every call carries a deadline: a sidecar that hangs must not hang the engine.
	callDeadline = 10 * time.Second
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintf(os.Stderr, "usage: %s ADDRESS  (e.g. 127.0.0.1:50051)\n", os.Args[0])
		os.Exit(2)
	}
	// grpc.WithInsecure: plaintext, for a sidecar on the same host (grpc-go 1.33).
	conn, err := grpc.Dial(os.Args[1], grpc.WithInsecure())
	if err != nil {
		fail("Dial", err)
	}
	defer conn.Close()
	if err := run(markcapv1.NewRiskEngineServiceClient(conn)); err != nil {
		os.Exit(1)
	}
}

func run(client markcapv1.RiskEngineServiceClient) error {
	seq, err := appliedSeq(client)
	if err != nil {
		return report("GetStatus", err)
	}
	if err := upsertBtcPerp(client, seq+1); err != nil {
		return report("UpsertInstrument", err)
	}
	if err := streamBatch(client, seed2Batch(seq+2)); err != nil {
		return report("StreamDeltas", err)
	}
	outcome, err := applyMark(client, seq+3, 150)
	if err != nil {
		return report("ApplyMark", err)
	}
	printOutcome(outcome)
	return nil
}

func callContext() (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), callDeadline)
}

// appliedSeq is the last applied seq: the exchange's inputs continue from
// here, exactly once.
func appliedSeq(client markcapv1.RiskEngineServiceClient) (uint64, error) {
	ctx, cancel := callContext()
	defer cancel()
	response, err := client.GetStatus(ctx, &markcapv1.GetStatusRequest{})
	if err != nil {
		return 0, err
	}
	return response.GetAppliedSeq(), nil
}

// upsertBtcPerp defines BTC-PERP as the default exchange does: linear, USD,
// multiplier 1, tick 0.5, mark 100, capped at the first bankruptcy price.
func upsertBtcPerp(client markcapv1.RiskEngineServiceClient, seq uint64) error {
	settlement, multiplier, tick, mark := uint32(usd), 1.0, 0.5, 100.0
	ctx, cancel := callContext()
	defer cancel()
	response, err := client.UpsertInstrument(ctx, &markcapv1.UpsertInstrumentRequest{
		Seq: seq,
		Instrument: &markcapv1.Instrument{
			InstrumentId:         btcPerp,
			Symbol:               "BTC-PERP",
			Kind:                 markcapv1.ContractKind_CONTRACT_KIND_LINEAR,
			SettlementCurrencyId: &settlement,
			Multiplier:           &multiplier,
			TickSize:             &tick, // every price of BTC-PERP is a whole number of ticks
			MarkPrice:            &mark,
			CapPolicy:            markcapv1.CapPolicy_CAP_POLICY_CAP_TO_FIRST_BANKRUPTCY_PRICE,
			AdlRanking:           markcapv1.AdlRanking_ADL_RANKING_PNL,
			AdlAllocation:        markcapv1.AdlAllocation_ADL_ALLOCATION_PRO_RATA,
		},
	})
	if err != nil {
		return err
	}
	fmt.Printf("instrument seq=%d id=%d symbol=%s\n", response.GetSeq(),
		response.GetInstrument().GetInstrumentId(), response.GetInstrument().GetSymbol())
	return nil
}

// seed2Batch is the seed-2 book as one batch: columns, so thousands of fills
// are one message.
func seed2Batch(seq uint64) *markcapv1.StreamDeltasRequest {
	return &markcapv1.StreamDeltasRequest{
		Seq: seq,
		Fills: &markcapv1.FillColumns{
			AccountId:    []uint64{2, 5, 3, 5, 1, 5, 0, 5, 4, 5},
			InstrumentId: []uint32{btcPerp, btcPerp, btcPerp, btcPerp, btcPerp, btcPerp, btcPerp, btcPerp, btcPerp, btcPerp},
			Qty:          []int64{6, -6, 4, -4, -10, 10, -2, 2, 7, -7},
			Price:        []float64{80, 80, 90, 90, 100, 100, 100, 100, 100, 100},
		},
		Transfers: &markcapv1.TransferColumns{
			AccountId:  []uint64{1, 0, 5, 2, 3, 4},
			CurrencyId: []uint32{usd, usd, usd, usd, usd, usd},
			Amount:     []float64{250, 50, 10160, 100, 100, 1000},
		},
	}
}

// streamBatch sends one batch on the bidirectional stream, half-closes and
// reads the acknowledgements until the server ends the stream.
func streamBatch(client markcapv1.RiskEngineServiceClient, batch *markcapv1.StreamDeltasRequest) error {
	ctx, cancel := callContext()
	defer cancel()
	stream, err := client.StreamDeltas(ctx)
	if err != nil {
		return err
	}
	if err := stream.Send(batch); err != nil && err != io.EOF {
		return err
	}
	// On io.EOF from Send the server has already ended the stream; Recv says why.
	if err := stream.CloseSend(); err != nil {
		return err
	}
	for {
		ack, err := stream.Recv()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		fmt.Printf("batch seq=%d fills=%d transfers=%d duplicate=%t\n",
			ack.GetSeq(), ack.GetFillCount(), ack.GetTransferCount(), ack.GetDuplicate())
	}
}

func applyMark(client markcapv1.RiskEngineServiceClient, seq uint64, price float64) (*markcapv1.ApplyMarkResponse, error) {
	ctx, cancel := callContext()
	defer cancel()
	return client.ApplyMark(ctx, &markcapv1.ApplyMarkRequest{Seq: seq, InstrumentId: btcPerp, Price: price})
}

// printOutcome shows what a matching engine acts on: the price to publish,
// the accounts now the fund's, and the ADL fills to book (markcap has
// already applied them).
func printOutcome(outcome *markcapv1.ApplyMarkResponse) {
	fmt.Printf("mark seq=%d instrument=%d previous=%s requested=%s applied=%s capped=%t",
		outcome.GetSeq(), outcome.GetInstrumentId(), num(outcome.GetPreviousPrice()),
		num(outcome.GetRequestedPrice()), num(outcome.GetAppliedPrice()), outcome.GetCapped())
	if outcome.FirstBankruptcyPrice != nil {
		fmt.Printf(" first_bankruptcy_price=%s", num(outcome.GetFirstBankruptcyPrice()))
	}
	fmt.Println()
	for _, liquidation := range outcome.GetLiquidations() {
		fmt.Printf("liquidation account=%d reason=%s equity_before=%s price=%s\n",
			liquidation.GetAccountId(), liquidation.GetReason(),
			num(liquidation.GetEquityBefore()), num(liquidation.GetPrice()))
		for _, position := range liquidation.GetPositions() {
			fmt.Printf("liquidated_position account=%d instrument=%d qty=%d price=%s\n",
				liquidation.GetAccountId(), position.GetInstrumentId(), position.GetQty(),
				num(position.GetPrice()))
		}
	}
	for _, fill := range outcome.GetAdlFills() {
		fmt.Printf("adl_fill rank=%d account=%d instrument=%d qty=%d price=%s score=%s\n",
			fill.GetRank(), fill.GetAccountId(), fill.GetInstrumentId(), fill.GetQty(),
			num(fill.GetPrice()), num(fill.GetScore()))
	}
	fmt.Printf("fund equity_before=%s equity_after=%s deficit=%s\n",
		num(outcome.GetInsuranceFundEquityBefore()), num(outcome.GetInsuranceFundEquityAfter()),
		num(outcome.GetInsuranceFundDeficit()))
}

// num is the shortest text that reads back as the same float64.
func num(value float64) string {
	return strconv.FormatFloat(value, 'g', -1, 64)
}

// report prints a failed call's gRPC status on stderr and returns the error.
func report(call string, err error) error {
	st := status.Convert(err)
	fmt.Fprintf(os.Stderr, "error: %s failed with status %s: %s\n", call, codeName(st.Code()), st.Message())
	return err
}

// codeName spells a status code as the gRPC docs do (FailedPrecondition ->
// FAILED_PRECONDITION), like the other languages' clients.
func codeName(code codes.Code) string {
	var name strings.Builder
	for i, letter := range code.String() {
		if i > 0 && unicode.IsUpper(letter) {
			name.WriteByte('_')
		}
		name.WriteRune(unicode.ToUpper(letter))
	}
	return name.String()
}

func fail(call string, err error) {
	report(call, err)
	os.Exit(1)
}
