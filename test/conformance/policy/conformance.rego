# The policy both servers run in the conformance suite. The `x-case` request header picks the
# result shape; `echo` returns the whole input document (less identity, which only we add) in a
# response header, so any difference in input construction shows up in the CheckResponse.
package conformance

import rego.v1

kase := input.attributes.request.http.headers["x-case"]

echo := {
	"parsed_path": input.parsed_path,
	"parsed_query": input.parsed_query,
	"parsed_body": object.get(input, "parsed_body", "<absent>"),
	"truncated_body": object.get(input, "truncated_body", "<absent>"),
	"source_principal": object.get(input, "source_principal", "<absent>"),
	"version": input.version,
	"attributes": input.attributes,
	"top_level_keys": sort([k | some k, _ in input; k != "identity"]),
}

decision := {"allowed": true, "headers": {"x-echo": json.marshal(echo)}} if kase == "echo"

decision := true if kase == "bool-true"

decision := false if kase == "bool-false"

decision := {
	"allowed": false,
	"http_status": 401,
	"body": "go away",
	"headers": {"www-authenticate": "Bearer realm=\"openclaw\"", "x-multi": ["a", "b"]},
	"dynamic_metadata": {"reason": "no token", "n": 3, "f": 1.5, "nested": {"list": [1, "two", true, null]}},
} if kase == "deny-object"

decision := {"allowed": false} if kase == "deny-default-status"

decision := {
	"allowed": true,
	"headers": [{"x-user": "alice"}, {"x-user": "bob", "x-team": "red"}],
	"request_headers_to_remove": ["authorization", "cookie"],
	"response_headers_to_add": {"x-served-by": "authz", "set-cookie": ["a=1", "b=2"]},
	"query_parameters_to_remove": ["token"],
	"query_parameters_to_set": {"tenant": "acme", "flag": ["x", "y"]},
	"dynamic_metadata": {"subject": "alice", "decision_id": "policy-may-not-set-this"},
	"body": "ignored on allow",
	"http_status": 418,
} if kase == "allow-all-keys"

decision := {"allowed": false, "http_status": 429, "body": "slow down"} if kase == "deny-429"

decision := {"allowed": false, "http_status": 200} if kase == "deny-with-200"

decision := {"allowed": false, "http_status": 100} if kase == "deny-with-100"

decision := {
	"allowed": false,
	"http_status": 302,
	"headers": {"location": "https://login.example/?next=%2F"},
} if kase == "deny-redirect"

decision := "yes" if kase == "string-result"

decision := 1 if kase == "number-result"

decision := {"reason": "no allowed key"} if kase == "missing-allowed"

decision := {"allowed": "true"} if kase == "allowed-not-bool"

decision := {"allowed": false, "http_status": 999} if kase == "bad-status"

decision := {"allowed": false, "http_status": 403.5} if kase == "fractional-status"

decision := {"allowed": false, "http_status": "403"} if kase == "string-status"

decision := {"allowed": true, "headers": {"x-n": 1}} if kase == "header-not-string"

decision := {"allowed": true, "headers": "x"} if kase == "headers-not-object"

decision := {"allowed": false, "dynamic_metadata": ["x"]} if kase == "metadata-not-object"

decision := {"allowed": false, "body": 7} if kase == "body-not-string"

decision := {"allowed": true, "request_headers_to_remove": "authorization"} if kase == "remove-not-list"

decision := {"allowed": true, "query_parameters_to_set": {"a": 1}} if kase == "query-set-not-string"

decision := {"allowed": false, "request_headers_to_remove": 5} if kase == "deny-ignores-ok-keys"

# kase "undefined" (and any unknown case) leaves the decision undefined.
