// Command rego-parser is OPA's own Rego parser (github.com/open-policy-agent/opa/v1/ast, the
// version go.mod pins) built as a WASI reactor, so the sidecar's rego.parse_module builtin gives
// exactly what topdown's builtinRegoParseModule (v1/topdown/parse.go) gives.
//
// Build: GOOS=wasip1 GOARCH=wasm go build -buildmode=c-shared (scripts/build-rego-parser).
//
// The host calls, one parse at a time:
//
//	input(size) -> pointer     a buffer of size bytes; the host writes filename then module text
//	parse(filenameLength) -> 0 (the output is the module's JSON) or 1 (the output is an error message)
//	output() -> pointer, outputLength() -> bytes
//
// after limitMemory(bytes) once, the host's maximum of the instance's memory: the collector then
// works harder near it before the runtime runs out of memory (a fatal error, a trap for the host).
//
// Each call of input drops the previous parse's buffers.
package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"runtime/debug"
	"unsafe"

	"github.com/open-policy-agent/opa/v1/ast"
)

const (
	parsed = 0
	failed = 1
)

var (
	pending []byte
	result  []byte
)

func main() {}

//go:wasmexport limitMemory
func limitMemory(bytes uint32) { debug.SetMemoryLimit(int64(bytes)) }

//go:wasmexport input
func input(size uint32) unsafe.Pointer {
	result = nil
	pending = make([]byte, size+1) // +1: a pointer even for an empty input
	return unsafe.Pointer(&pending[0])
}

//go:wasmexport parse
func parse(filenameLength uint32) (status uint32) {
	source := pending[:len(pending)-1]
	pending = nil
	defer func() {
		if panicked := recover(); panicked != nil {
			result = []byte(fmt.Sprintf("rego.parse_module panicked: %v", panicked))
			status = failed
		}
	}()
	if int(filenameLength) > len(source) {
		result = []byte("filename length beyond the input")
		return failed
	}
	value, err := parseModule(string(source[:filenameLength]), string(source[filenameLength:]))
	if err != nil {
		result = []byte(err.Error())
		return failed
	}
	result = value
	return parsed
}

//go:wasmexport output
func output() unsafe.Pointer {
	if len(result) == 0 {
		return nil
	}
	return unsafe.Pointer(&result[0])
}

//go:wasmexport outputLength
func outputLength() uint32 { return uint32(len(result)) }

// parseModule is builtinRegoParseModule without its operands: the module as encoding/json writes
// it, read back with ast.ParseTerm as topdown does. That JSON text is the term's value, so it is
// what the host gets. ParseTerm can only fail on its recursion limit (ast
// DefaultMaxParsingRecursionDepth, 100000 parser levels, a few per JSON level): it costs five
// times the parse, so it runs only for JSON nested deeper than termCheckDepth.
func parseModule(filename, text string) ([]byte, error) {
	module, err := ast.ParseModule(filename, text)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if err := json.NewEncoder(&buf).Encode(module); err != nil {
		return nil, err
	}
	if nesting(buf.Bytes()) >= termCheckDepth {
		if _, err := ast.ParseTerm(buf.String()); err != nil {
			return nil, err
		}
	}
	return bytes.TrimSpace(buf.Bytes()), nil
}

// termCheckDepth is a JSON nesting below which ast.ParseTerm cannot reach its recursion limit:
// it enters fewer than 100 parser levels per JSON level.
const termCheckDepth = ast.DefaultMaxParsingRecursionDepth / 100

// nesting is the deepest nesting of arrays and objects in JSON text.
func nesting(text []byte) int {
	depth, deepest, quoted, escaped := 0, 0, false, false
	for _, c := range text {
		switch {
		case escaped:
			escaped = false
		case quoted:
			escaped = c == '\\'
			quoted = c != '"'
		case c == '"':
			quoted = true
		case c == '[' || c == '{':
			depth++
			deepest = max(deepest, depth)
		case c == ']' || c == '}':
			depth--
		}
	}
	return deepest
}
