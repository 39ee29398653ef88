package main

import (
	"fmt"
	"os"

	bootstrapv3 "github.com/envoyproxy/go-control-plane/envoy/config/bootstrap/v3"
	_ "github.com/envoyproxy/go-control-plane/envoy/extensions/access_loggers/stream/v3"
	_ "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/http/ext_authz/v3"
	_ "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/http/mcp/v3"
	_ "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/http/router/v3"
	_ "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/network/http_connection_manager/v3"
	_ "github.com/envoyproxy/go-control-plane/envoy/extensions/formatter/req_without_query/v3"
	_ "github.com/envoyproxy/go-control-plane/envoy/extensions/transport_sockets/tls/v3"
	_ "github.com/envoyproxy/go-control-plane/envoy/extensions/upstreams/http/v3"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/types/known/anypb"
	"sigs.k8s.io/yaml"
)

type validator interface{ ValidateAll() error }

func validateEnvoyFile(path string) []string {
	text, err := os.ReadFile(path)
	if err != nil {
		return []string{err.Error()}
	}
	document, err := yaml.YAMLToJSON(text)
	if err != nil {
		return []string{fmt.Sprintf("not YAML: %v", err)}
	}
	var bootstrap bootstrapv3.Bootstrap
	if err := (protojson.UnmarshalOptions{DiscardUnknown: false}).Unmarshal(document, &bootstrap); err != nil {
		return []string{fmt.Sprintf("not an Envoy v3 bootstrap: %v", err)}
	}
	var problems []string
	check := func(message proto.Message) {
		if v, ok := message.(validator); ok {
			if err := v.ValidateAll(); err != nil {
				problems = append(problems, err.Error())
			}
		}
	}
	check(&bootstrap)
	defined := map[string]bool{}
	for _, cluster := range bootstrap.GetStaticResources().GetClusters() {
		defined[cluster.GetName()] = true
	}
	walk(bootstrap.ProtoReflect(), func(message proto.Message) { check(message) }, func(field protoreflect.FieldDescriptor, name string) {
		if !defined[name] {
			problems = append(problems, fmt.Sprintf("%s refers to cluster %q, which is not defined", field.FullName(), name))
		}
	})
	return problems
}

// walk visits every message inside typed_config (google.protobuf.Any), unpacked, and every
// string field that names a cluster.
func walk(message protoreflect.Message, unpacked func(proto.Message), cluster func(protoreflect.FieldDescriptor, string)) {
	if any, ok := message.Interface().(*anypb.Any); ok {
		inner, err := any.UnmarshalNew()
		if err != nil {
			return // protojson already refused unknown types
		}
		unpacked(inner)
		walk(inner.ProtoReflect(), unpacked, cluster)
		return
	}
	message.Range(func(field protoreflect.FieldDescriptor, value protoreflect.Value) bool {
		switch {
		case field.IsMap():
			if field.MapValue().Kind() == protoreflect.MessageKind {
				value.Map().Range(func(_ protoreflect.MapKey, item protoreflect.Value) bool {
					walk(item.Message(), unpacked, cluster)
					return true
				})
			}
		case field.IsList() && field.Kind() == protoreflect.MessageKind:
			for i := 0; i < value.List().Len(); i++ {
				walk(value.List().Get(i).Message(), unpacked, cluster)
			}
		case field.Kind() == protoreflect.MessageKind:
			walk(value.Message(), unpacked, cluster)
		case field.Kind() == protoreflect.StringKind && (field.Name() == "cluster" || field.Name() == "cluster_name"):
			cluster(field, value.String())
		}
		return true
	})
}
