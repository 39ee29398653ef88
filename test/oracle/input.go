package main

import (
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"net/url"
	"strconv"
	"strings"

	authv3 "github.com/envoyproxy/go-control-plane/envoy/service/auth/v3"
	"github.com/open-policy-agent/opa/v1/util"
	"google.golang.org/protobuf/reflect/protoreflect"
)

// requestToInput builds the input document: the CheckRequest as a map of JSON-named populated
// fields, plus version, parsed_path, parsed_query, parsed_body, truncated_body, source_principal.
func requestToInput(req *authv3.CheckRequest, skipBody bool) (map[string]any, error) {
	input := messageToMap(req.ProtoReflect())
	httpReq := req.GetAttributes().GetRequest().GetHttp()
	input["version"] = map[string]any{"ext_authz": "v3", "encoding": "protojson"}

	rawPath, rawQuery, _ := strings.Cut(httpReq.GetPath(), "?")
	decoded, err := url.PathUnescape(rawPath)
	if err != nil {
		return nil, err
	}
	query, err := url.ParseQuery(rawQuery)
	if err != nil {
		return nil, err
	}
	input["parsed_path"] = strings.Split(strings.TrimLeft(decoded, "/"), "/")
	parsedQuery := map[string]any{}
	for key, values := range query {
		parsedQuery[key] = values
	}
	input["parsed_query"] = parsedQuery

	if !skipBody {
		body, truncated, err := parseBody(httpReq.GetHeaders(), httpReq.GetBody(), httpReq.GetRawBody())
		if err != nil {
			return nil, err
		}
		input["parsed_body"] = body
		input["truncated_body"] = truncated
	}
	if principal := req.GetAttributes().GetSource().GetPrincipal(); principal != "" {
		input["source_principal"] = principal
	}
	return input, nil
}

// messageToMap walks populated fields only; Struct becomes plain JSON via AsMap.
func messageToMap(msg protoreflect.Message) map[string]any {
	if structLike, ok := msg.Interface().(interface{ AsMap() map[string]any }); ok {
		return structLike.AsMap()
	}
	out := map[string]any{}
	msg.Range(func(fd protoreflect.FieldDescriptor, v protoreflect.Value) bool {
		switch {
		case fd.IsMap():
			entries := map[string]any{}
			v.Map().Range(func(k protoreflect.MapKey, item protoreflect.Value) bool {
				entries[k.String()] = fieldValue(fd.MapValue().Kind(), item)
				return true
			})
			out[fd.JSONName()] = entries
		case fd.IsList():
			list := make([]any, v.List().Len())
			for i := range list {
				list[i] = fieldValue(fd.Kind(), v.List().Get(i))
			}
			out[fd.JSONName()] = list
		default:
			out[fd.JSONName()] = fieldValue(fd.Kind(), v)
		}
		return true
	})
	return out
}

func fieldValue(kind protoreflect.Kind, v protoreflect.Value) any {
	if kind == protoreflect.MessageKind || kind == protoreflect.GroupKind {
		return messageToMap(v.Message())
	}
	return v.Interface()
}

func parseBody(headers map[string]string, body string, rawBody []byte) (any, bool, error) {
	if headers["x-envoy-auth-partial-body"] == "true" {
		return nil, true, nil
	}
	contentType, ok := headers["content-type"]
	if !ok {
		return nil, false, nil
	}
	var kind string
	switch {
	case strings.Contains(contentType, "application/json"):
		kind = "json"
	case strings.Contains(contentType, "application/grpc"):
		// opa-envoy-plugin decodes gRPC bodies only with a protoset; without one, nothing.
		return nil, false, nil
	case strings.Contains(contentType, "application/x-www-form-urlencoded"):
		kind = "form"
	case strings.Contains(contentType, "multipart/form-data"):
		kind = "multipart"
	default:
		return nil, false, nil
	}
	payload := body
	if payload == "" {
		payload = string(rawBody)
	}
	if payload == "" {
		return nil, false, nil
	}
	if declared, ok := headers["content-length"]; ok {
		length, err := strconv.ParseInt(declared, 10, 64)
		if err != nil {
			return nil, false, err
		}
		if length != -1 && length > int64(len(payload)) {
			return nil, true, nil
		}
	}
	switch kind {
	case "json":
		var data any
		err := util.UnmarshalJSON([]byte(payload), &data)
		return data, false, err
	case "form":
		values, err := url.ParseQuery(payload)
		return map[string][]string(values), false, err
	}
	return parseMultipart(contentType, payload)
}

func parseMultipart(contentType, payload string) (any, bool, error) {
	_, params, err := mime.ParseMediaType(contentType)
	if err != nil {
		return nil, false, err
	}
	boundary, ok := params["boundary"]
	if !ok {
		return nil, false, nil
	}
	values := map[string][]any{}
	reader := multipart.NewReader(strings.NewReader(payload), boundary)
	for {
		part, err := reader.NextPart()
		if errors.Is(err, io.EOF) {
			return values, false, nil
		}
		if err != nil {
			return nil, false, err
		}
		name := part.FormName()
		if name == "" {
			continue
		}
		content, err := io.ReadAll(part)
		if err != nil {
			return nil, false, err
		}
		if strings.Contains(part.Header.Get("Content-Type"), "application/json") {
			var data any
			if err := util.UnmarshalJSON(content, &data); err != nil {
				return nil, false, err
			}
			values[name] = append(values[name], data)
		} else {
			values[name] = append(values[name], string(content))
		}
	}
}
