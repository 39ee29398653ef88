// Command authz-oracle is the reference ext_authz v3 server the conformance suite compares
// openclaw-authz against.
//
// The real peer, opa-envoy-plugin v1.19.1-envoy, cannot be fetched on this project's machines
// (the Go module proxy refuses github.com/open-policy-agent/opa-envoy-plugin). This oracle is the
// nearest real thing: OPA's own Go evaluator (github.com/open-policy-agent/opa v1.19.1, the
// version the peer embeds), Envoy's Go API types (go-control-plane), grpc-go, and Go's net/url,
// mime and encoding libraries, glued together following the peer's published algorithm
// (envoyauth.RequestToInput, protomap and the CheckResponse mapping). It is written for this
// project; none of the peer's code is copied. Errors answer gRPC UNKNOWN, as the peer does.
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"net"
	"os"
	"strings"

	authv3 "github.com/envoyproxy/go-control-plane/envoy/service/auth/v3"
	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/loader"
	"github.com/open-policy-agent/opa/v1/rego"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

type server struct {
	authv3.UnimplementedAuthorizationServer
	query    rego.PreparedEvalQuery
	dryRun   bool
	skipBody bool
}

func main() {
	addr := flag.String("addr", "127.0.0.1:0", "listen address")
	policyDir := flag.String("policy", "", "directory with .rego files and data.json")
	decision := flag.String("decision", "envoy/authz/allow", "decision path")
	dryRun := flag.Bool("dry-run", false, "answer OK to denials")
	skipBody := flag.Bool("skip-request-body-parse", false, "do not parse bodies")
	flag.Parse()

	loaded, err := loader.NewFileLoader().Filtered([]string{*policyDir}, func(_ string, info os.FileInfo, _ int) bool {
		return !info.IsDir() && strings.HasSuffix(info.Name(), "_test.rego")
	})
	if err != nil {
		log.Fatal(err)
	}
	store, err := loaded.Store()
	if err != nil {
		log.Fatal(err)
	}
	modules := []func(*rego.Rego){rego.Store(store), rego.Query("data." + strings.ReplaceAll(*decision, "/", "."))}
	for name, file := range loaded.Modules {
		_ = name
		modules = append(modules, rego.ParsedModule(file.Parsed))
	}
	query, err := rego.New(modules...).PrepareForEval(context.Background())
	if err != nil {
		log.Fatal(err)
	}
	listener, err := net.Listen("tcp", *addr)
	if err != nil {
		log.Fatal(err)
	}
	// opa-envoy-plugin's default grpc-max-recv-msg-size: 4 MiB.
	grpcServer := grpc.NewServer(grpc.MaxRecvMsgSize(4 << 20))
	authv3.RegisterAuthorizationServer(grpcServer, &server{query: query, dryRun: *dryRun, skipBody: *skipBody})
	fmt.Printf("listening %s\n", listener.Addr())
	log.Fatal(grpcServer.Serve(listener))
}

func (s *server) Check(ctx context.Context, req *authv3.CheckRequest) (*authv3.CheckResponse, error) {
	input, err := requestToInput(req, s.skipBody)
	if err != nil {
		return parseErrorResponse(err), nil
	}
	value, err := ast.InterfaceToValue(input)
	if err != nil {
		return nil, status.Error(codes.Unknown, err.Error())
	}
	results, err := s.query.Eval(ctx, rego.EvalParsedInput(value))
	if err != nil {
		return nil, status.Error(codes.Unknown, err.Error())
	}
	if len(results) == 0 {
		return nil, status.Error(codes.Unknown, "undefined decision")
	}
	resp, err := decisionToResponse(results[0].Expressions[0].Value)
	if err != nil {
		return nil, status.Error(codes.Unknown, err.Error())
	}
	if s.dryRun && resp.GetStatus().GetCode() != int32(codes.OK) {
		resp = dryRunResponse(resp)
	}
	return withDecisionID(resp), nil
}
