// Command validate checks the project's deployment artifacts against the real schemas of the
// tools that read them:
//
//	validate envoy FILE...   Envoy v3 bootstraps: go-control-plane's protobuf types (unknown
//	                         fields and unknown @types rejected), every generated Validate rule
//	                         including those inside typed_config, and every referenced cluster
//	                         defined.
//	validate k8s FILE|-      Kubernetes manifests (e.g. `helm template` output): each document
//	                         strictly decoded into its k8s.io/api type (unknown fields rejected).
package main

import (
	"fmt"
	"os"
)

func main() {
	if len(os.Args) < 3 {
		fmt.Fprintln(os.Stderr, "usage: validate envoy FILE... | validate k8s FILE|-")
		os.Exit(2)
	}
	var problems []string
	switch os.Args[1] {
	case "envoy":
		for _, path := range os.Args[2:] {
			for _, problem := range validateEnvoyFile(path) {
				problems = append(problems, fmt.Sprintf("%s: %s", path, problem))
			}
		}
	case "k8s":
		for _, path := range os.Args[2:] {
			for _, problem := range validateManifests(path) {
				problems = append(problems, fmt.Sprintf("%s: %s", path, problem))
			}
		}
	default:
		fmt.Fprintf(os.Stderr, "unknown check %q\n", os.Args[1])
		os.Exit(2)
	}
	for _, problem := range problems {
		fmt.Fprintln(os.Stderr, problem)
	}
	if len(problems) > 0 {
		os.Exit(1)
	}
	fmt.Println("ok")
}
