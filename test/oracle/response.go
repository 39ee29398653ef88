package main

import (
	"encoding/json"
	"fmt"
	"net/http"

	corev3 "github.com/envoyproxy/go-control-plane/envoy/config/core/v3"
	authv3 "github.com/envoyproxy/go-control-plane/envoy/service/auth/v3"
	typev3 "github.com/envoyproxy/go-control-plane/envoy/type/v3"
	rpcstatus "google.golang.org/genproto/googleapis/rpc/status"
	"google.golang.org/grpc/codes"
	"google.golang.org/protobuf/types/known/structpb"
)

func parseErrorResponse(err error) *authv3.CheckResponse {
	message := "request_parse_error: " + err.Error()
	return &authv3.CheckResponse{
		Status: &rpcstatus.Status{Code: int32(codes.PermissionDenied), Message: message},
		HttpResponse: &authv3.CheckResponse_DeniedResponse{DeniedResponse: &authv3.DeniedHttpResponse{
			Status: &typev3.HttpStatus{Code: typev3.StatusCode_BadRequest},
			Body:   message,
		}},
	}
}

func dryRunResponse(resp *authv3.CheckResponse) *authv3.CheckResponse {
	return &authv3.CheckResponse{
		Status:          &rpcstatus.Status{Code: int32(codes.OK)},
		HttpResponse:    &authv3.CheckResponse_OkResponse{OkResponse: &authv3.OkHttpResponse{}},
		DynamicMetadata: resp.DynamicMetadata,
	}
}

func withDecisionID(resp *authv3.CheckResponse) *authv3.CheckResponse {
	if resp.DynamicMetadata == nil {
		resp.DynamicMetadata = &structpb.Struct{Fields: map[string]*structpb.Value{}}
	}
	resp.DynamicMetadata.Fields["decision_id"] = structpb.NewStringValue("oracle")
	return resp
}

func rpc(allowed bool) *rpcstatus.Status {
	if allowed {
		return &rpcstatus.Status{Code: int32(codes.OK)}
	}
	return &rpcstatus.Status{Code: int32(codes.PermissionDenied)}
}

// decisionToResponse maps a boolean or an object decision to the CheckResponse.
func decisionToResponse(decision any) (*authv3.CheckResponse, error) {
	if allowed, ok := decision.(bool); ok {
		return &authv3.CheckResponse{Status: rpc(allowed)}, nil
	}
	object, ok := decision.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("illegal value for policy evaluation result: %T", decision)
	}
	raw, ok := object["allowed"]
	if !ok {
		return nil, fmt.Errorf("unable to determine evaluation result due to missing \"allowed\" key")
	}
	allowed, ok := raw.(bool)
	if !ok {
		return nil, fmt.Errorf("allowed is %T, not a boolean", raw)
	}
	resp := &authv3.CheckResponse{Status: rpc(allowed)}
	headers, err := headerOptions(object, "headers")
	if err != nil {
		return nil, err
	}
	if metadata, present := object["dynamic_metadata"]; present {
		fields, ok := metadata.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("dynamic_metadata is %T, not an object", metadata)
		}
		if resp.DynamicMetadata, err = structpb.NewStruct(jsonNumbersToFloats(fields).(map[string]any)); err != nil {
			return nil, err
		}
	}
	if allowed {
		ok := &authv3.OkHttpResponse{Headers: headers}
		if ok.HeadersToRemove, err = stringList(object, "request_headers_to_remove"); err != nil {
			return nil, err
		}
		if ok.ResponseHeadersToAdd, err = headerOptions(object, "response_headers_to_add"); err != nil {
			return nil, err
		}
		if ok.QueryParametersToRemove, err = stringList(object, "query_parameters_to_remove"); err != nil {
			return nil, err
		}
		if ok.QueryParametersToSet, err = queryParameters(object); err != nil {
			return nil, err
		}
		resp.HttpResponse = &authv3.CheckResponse_OkResponse{OkResponse: ok}
		return resp, nil
	}
	denied := &authv3.DeniedHttpResponse{Headers: headers, Status: &typev3.HttpStatus{Code: typev3.StatusCode_Forbidden}}
	if body, present := object["body"]; present {
		text, ok := body.(string)
		if !ok {
			return nil, fmt.Errorf("body is %T, not a string", body)
		}
		denied.Body = text
	}
	if code, present := object["http_status"]; present {
		number, ok := code.(json.Number)
		if !ok {
			return nil, fmt.Errorf("http_status is %T, not a number", code)
		}
		value, err := number.Int64()
		if err != nil {
			return nil, err
		}
		if _, known := typev3.StatusCode_name[int32(value)]; !known || http.StatusText(int(value)) == "" {
			return nil, fmt.Errorf("invalid HTTP status code %v", value)
		}
		denied.Status.Code = typev3.StatusCode(value)
	}
	resp.HttpResponse = &authv3.CheckResponse_DeniedResponse{DeniedResponse: denied}
	return resp, nil
}

func headerOptions(object map[string]any, key string) ([]*corev3.HeaderValueOption, error) {
	value, present := object[key]
	if !present {
		return nil, nil
	}
	maps, isList := value.([]any)
	if !isList {
		maps = []any{value}
	}
	var out []*corev3.HeaderValueOption
	for _, item := range maps {
		headers, ok := item.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("%s must be an object or a list of objects", key)
		}
		err := eachString(headers, func(name, text string) {
			out = append(out, &corev3.HeaderValueOption{Header: &corev3.HeaderValue{Key: name, Value: text}})
		})
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

func stringList(object map[string]any, key string) ([]string, error) {
	value, present := object[key]
	if !present {
		return nil, nil
	}
	list, ok := value.([]any)
	if !ok {
		return nil, fmt.Errorf("%s must be a list of strings", key)
	}
	out := make([]string, len(list))
	for i, item := range list {
		if out[i], ok = item.(string); !ok {
			return nil, fmt.Errorf("%s must be a list of strings", key)
		}
	}
	return out, nil
}

func queryParameters(object map[string]any) ([]*corev3.QueryParameter, error) {
	value, present := object["query_parameters_to_set"]
	if !present {
		return nil, nil
	}
	params, ok := value.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("query_parameters_to_set must be an object")
	}
	var out []*corev3.QueryParameter
	err := eachString(params, func(key, text string) {
		out = append(out, &corev3.QueryParameter{Key: key, Value: text})
	})
	return out, err
}

// eachString calls add for every value of a {name: "v" | ["v1", "v2"]} object.
func eachString(object map[string]any, add func(name, value string)) error {
	for name, v := range object {
		values, isList := v.([]any)
		if !isList {
			values = []any{v}
		}
		for _, one := range values {
			text, ok := one.(string)
			if !ok {
				return fmt.Errorf("%q has a non-string value", name)
			}
			add(name, text)
		}
	}
	return nil
}

// jsonNumbersToFloats lets structpb accept the json.Numbers OPA results carry.
func jsonNumbersToFloats(value any) any {
	switch v := value.(type) {
	case json.Number:
		f, _ := v.Float64()
		return f
	case map[string]any:
		out := make(map[string]any, len(v))
		for k, item := range v {
			out[k] = jsonNumbersToFloats(item)
		}
		return out
	case []any:
		out := make([]any, len(v))
		for i, item := range v {
			out[i] = jsonNumbersToFloats(item)
		}
		return out
	}
	return value
}
