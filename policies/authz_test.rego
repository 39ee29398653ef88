package envoy.authz_test

import rego.v1

import data.envoy.authz

# Builds the input document the sidecar would, for METHOD PATH with an identity.
req(method, path, identity) := {
	"attributes": {"request": {"http": {"method": method, "path": path}}, "contextExtensions": {"region": "eu-west-1"}},
	"parsed_path": split(trim_left(path, "/"), "/"),
	"identity": identity,
}

anonymous := {"authenticated": false, "methods": []}

jwt_caller(roles, tenant) := {
	"authenticated": true,
	"methods": ["jwt"],
	"subject": "user-1",
	"jwt": {"claims": {"roles": roles, "tenant": tenant}},
}

planner := {
	"authenticated": true,
	"methods": ["x509-svid"],
	"subject": "spiffe://prod.openclaw.internal/ns/agents/sa/planner",
	"spiffe": {"id": "spiffe://prod.openclaw.internal/ns/agents/sa/planner", "trust_domain": "prod.openclaw.internal"},
}

test_public_route_open_to_anyone if {
	d := authz.allow with input as req("GET", "/api/v1/public/docs/intro", anonymous)
	d.allowed
	d.reason == "public route"
}

test_public_prefix_only_for_get if {
	d := authz.allow with input as req("POST", "/api/v1/public/docs", anonymous)
	not d.allowed
	d.http_status == 403
}

test_anonymous_on_protected_route_is_401 if {
	d := authz.allow with input as req("GET", "/api/v1/tenants/acme/tickets/1", anonymous)
	not d.allowed
	d.http_status == 401
	d.headers["www-authenticate"] == "Bearer"
}

test_unknown_route_denied if {
	d := authz.allow with input as req("GET", "/api/v2/anything", jwt_caller(["admin"], "acme"))
	not d.allowed
	d.http_status == 403
	d.reason == "no route for GET /api/v2/anything"
}

test_admin_post_needs_admin if {
	denied := authz.allow with input as req("POST", "/api/v1/admin/users", jwt_caller(["org_admin"], "acme"))
	not denied.allowed
	denied.reason == "missing scope admin:write"
	allowed := authz.allow with input as req("POST", "/api/v1/admin/users", jwt_caller(["admin"], "acme"))
	allowed.allowed
}

test_least_privilege_roles_to_scopes if {
	every case in [
		["viewer", "GET", "/api/v1/tenants/acme/tickets/7", true],
		["viewer", "PATCH", "/api/v1/tenants/acme/tickets/7", false],
		["support", "PATCH", "/api/v1/tenants/acme/tickets/7", true],
		["support", "DELETE", "/api/v1/tenants/acme/tickets/7", false],
		["tenant_admin", "DELETE", "/api/v1/tenants/acme/tickets/7", true],
		["developer", "POST", "/api/v1/tenants/acme/agents/a1/runs", true],
		["analyst", "POST", "/api/v1/tenants/acme/agents/a1/runs", false],
		["operator", "DELETE", "/api/v1/tenants/acme/sessions/s1", true],
		["service_account", "GET", "/api/v1/tenants/acme/agents/a1", true],
		["org_admin", "PATCH", "/api/v1/tenants/acme", true],
		["tenant_admin", "PATCH", "/api/v1/tenants/acme", false],
	] {
		d := authz.allow with input as req(case[1], case[2], jwt_caller([case[0]], "acme"))
		d.allowed == case[3]
	}
}

test_tenant_isolation if {
	d := authz.allow with input as req("GET", "/api/v1/tenants/globex/tickets/1", jwt_caller(["viewer"], "acme"))
	not d.allowed
	d.http_status == 403
	d.reason == "tenant globex is not the caller's tenant"
}

test_caller_without_tenant_cannot_address_one if {
	d := authz.allow with input as req("GET", "/api/v1/tenants/acme/tickets/1", jwt_caller(["viewer"], null))
	not d.allowed
}

test_platform_admin_crosses_tenants if {
	d := authz.allow with input as req("GET", "/api/v1/tenants/globex/tickets/1", jwt_caller(["admin"], "acme"))
	d.allowed
}

test_spiffe_workload_roles_and_tenant_from_data if {
	run := authz.allow with input as req("POST", "/api/v1/tenants/acme/agents/a1/runs", planner)
	run.allowed
	other := authz.allow with input as req("POST", "/api/v1/tenants/globex/agents/a1/runs", planner)
	not other.allowed
	write := authz.allow with input as req("DELETE", "/api/v1/tenants/acme/tickets/1", planner)
	write.reason == "missing scope ticket:delete"
}

test_cross_region_denied if {
	caller := json.patch(jwt_caller(["admin"], "acme"), [{"op": "add", "path": "/jwt/claims/region", "value": "us-east-1"}])
	d := authz.allow with input as req("GET", "/api/v1/tenants/acme/tickets/1", caller)
	not d.allowed
	d.http_status == 403
	d.reason == "Cross-region request from us-east-1 to eu-west-1 is denied"
}

test_cross_region_from_spiffe_trust_domain if {
	caller := json.patch(planner, [{"op": "replace", "path": "/spiffe/trust_domain", "value": "us.prod.openclaw.internal"}])
	d := authz.allow with input as req("GET", "/api/v1/tenants/acme/tickets/1", caller)
	d.reason == "Cross-region request from us-east-1 to eu-west-1 is denied"
}

test_same_region_allowed if {
	caller := json.patch(jwt_caller(["viewer"], "acme"), [{"op": "add", "path": "/jwt/claims/region", "value": "eu-west-1"}])
	d := authz.allow with input as req("GET", "/api/v1/tenants/acme/tickets/1", caller)
	d.allowed
}

test_wildcard_segment_never_matches_empty if {
	d := authz.allow with input as req("GET", "/api/v1/tenants//tickets/1", jwt_caller(["admin"], "acme"))
	not d.allowed
}

test_missing_identity_is_anonymous if {
	d := authz.allow with input as object.remove(req("GET", "/api/v1/tenants/acme/tickets/1", anonymous), ["identity"])
	d.http_status == 401
}

test_allow_decision_shape if {
	d := authz.allow with input as req("GET", "/api/v1/tenants/acme/tickets/1", jwt_caller(["viewer"], "acme"))
	d == {"allowed": true, "reason": "scope ticket:read granted", "dynamic_metadata": {"reason": "scope ticket:read granted"}}
}

test_dot_segments_denied_even_when_encoded if {
	d := authz.allow with input as req("GET", "/api/v1/public/../../admin/x", anonymous)
	not d.allowed
	d.http_status == 400
}

test_groups_map_to_roles if {
	caller := {"authenticated": true, "methods": ["jwt"], "jwt": {"claims": {"groups": ["openclaw-support"], "tenant": "acme"}}}
	d := authz.allow with input as req("PATCH", "/api/v1/tenants/acme/tickets/1", caller)
	d.allowed
}

test_proxy_cognito_groups_and_tenant if {
	caller := {"authenticated": true, "methods": ["proxy"], "proxy": {"header": "x-amzn-oidc-data", "claims": {"cognito:groups": ["openclaw-viewers"], "custom:tenant": "acme"}}}
	read := authz.allow with input as req("GET", "/api/v1/tenants/acme/tickets/1", caller)
	read.allowed
	other := authz.allow with input as req("GET", "/api/v1/tenants/globex/tickets/1", caller)
	not other.allowed
}

test_workload_patterns if {
	ops := json.patch(planner, [{"op": "replace", "path": "/spiffe/id", "value": "spiffe://prod.openclaw.internal/ns/ops/sa/reporter/v2"}])
	d := authz.allow with input as req("GET", "/api/v1/tenants/acme/agents/a1", ops)
	d.allowed
	platform := json.patch(planner, [{"op": "replace", "path": "/spiffe/id", "value": "spiffe://prod.openclaw.internal/ns/platform/sa/admin"}])
	admin := authz.allow with input as req("POST", "/api/v1/admin/users", platform)
	admin.allowed
	foreign := json.patch(planner, [{"op": "replace", "path": "/spiffe/id", "value": "spiffe://other.example/ns/agents/sa/planner"}])
	none := authz.allow with input as req("GET", "/api/v1/tenants/acme/tickets/1", foreign)
	not none.allowed
}
