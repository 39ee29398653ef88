package envoy.authz_test

import rego.v1

import data.envoy.authz

# Builds the input document the sidecar would, for METHOD PATH with an identity: `parsed_path` is
# the path cut at `?`, percent-decoded (`+` stays a plus, as in a path), leading `/` trimmed, split.
req(method, path, identity) := {
	"attributes": {"request": {"http": {"method": method, "path": path}}, "contextExtensions": {"region": "eu-west-1"}},
	"parsed_path": split(trim_left(urlquery.decode(replace(split(path, "?")[0], "+", "%2B")), "/"), "/"),
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

# Empty segments never reach routing (they are not canonical); the matcher refuses them anyway.
test_wildcard_segment_never_matches_empty if {
	not authz.path_matches(["api", "v1", "tenants", "*", "tickets", "**"], ["api", "v1", "tenants", "", "tickets", "1"])
	authz.path_matches(["api", "v1", "tenants", "*", "tickets", "**"], ["api", "v1", "tenants", "acme", "tickets", "1"])
}

test_missing_identity_is_anonymous if {
	d := authz.allow with input as object.remove(req("GET", "/api/v1/tenants/acme/tickets/1", anonymous), ["identity"])
	d.http_status == 401
}

test_allow_decision_shape if {
	d := authz.allow with input as req("GET", "/api/v1/tenants/acme/tickets/1", jwt_caller(["viewer"], "acme"))
	d == {"allowed": true, "reason": "scope ticket:read granted", "dynamic_metadata": {"reason": "scope ticket:read granted"}}
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

# --- canonical paths (docs/canonical-paths.md) -------------------------------------------------

admin_caller := jwt_caller(["admin"], "acme")

viewer_of_acme := jwt_caller(["viewer"], "acme")

# Canonical paths keep their decisions: [caller, method, path, allowed, http_status (0: none)].
test_canonical_paths_keep_their_decisions if {
	every case in [
		[anonymous, "GET", "/api/v1/public/docs/intro", true, 0],
		[anonymous, "GET", "/api/v1/public/docs/intro?x=%2e%2e&y=..%2f", true, 0],
		[anonymous, "GET", "/api/v1/public/v1.2/read-me_now~(draft)!$&'*+,=:@x", true, 0],
		[anonymous, "GET", "/api/v1/public/.well-known", true, 0],
		[anonymous, "GET", "/healthz", true, 0],
		[anonymous, "GET", "/", false, 403],
		[anonymous, "GET", "/api/v1/admin/users", false, 401],
		[admin_caller, "GET", "/api/v1/admin/users", true, 0],
		[admin_caller, "POST", "/api/v1/admin/users", true, 0],
		[viewer_of_acme, "GET", "/api/v1/admin/users", false, 403],
		[viewer_of_acme, "GET", "/api/v1/tenants/acme/tickets/1", true, 0],
		[viewer_of_acme, "GET", "/api/v1/tenants/acme/tickets/a.b..c", true, 0],
		[viewer_of_acme, "GET", "/api/v1/tenants/globex/tickets/1", false, 403],
		[admin_caller, "GET", "/api/v1/tenants/globex/tickets/1", true, 0],
	] {
		d := authz.allow with input as req(case[1], case[2], case[0])
		d.allowed == case[3]
		object.get(d, "http_status", 0) == case[4]
	}
}

# Spellings of `..` and of `/` that some decoder, proxy or file system upstream may resolve.
dot_dot_spellings := [
	"..", ".%2e", "%2e%2e", "%252e%252e", "%c0%ae%c0%ae", "%ef%bc%8e%ef%bc%8e", "．．", "...",
	"..%20", "..%00", "..;", "%2e%2e%3b",
]

separator_spellings := ["/", "%2f", "%252f", `\`, "%5c", "%c0%af", "%ef%bc%8f", ";/"]

# Whole-path oddities: dot, space, NUL, `;` and slash tails, and single-dot segments.
tail_spellings := [
	"/", "//", ".", "%2e", "..", "/.", "/%2e", "/..", "/%2e%2e", "%20", " ", "%00", "%0a",
	";", ";jsessionid=1", "%3b", `\`, "%5c", "...", ". ", ".%20", "%ef%bc%8e", "．", "#x",
	"%c0%ae", "/%252e", "%23", "%41",
]

# Each route base with a caller it would grant: a 400 there is the canonical-path rule's doing.
# (test/canonical-paths.test.ts sends the full product of spellings to the real sidecar.)
spellings_for(caller, route, levels, climb_to) := {[caller, path] |
	some dots in dot_dot_spellings
	some sep in separator_spellings
	path := concat("", [route, "/", concat("", [concat("", [dots, sep]) | some _ in numbers.range(1, levels)]), climb_to])
} | {[caller, concat("", [route, tail])] | some tail in tail_spellings}

all_refused_with_400(spellings) if {
	count(spellings) > 100
	every spelling in spellings {
		d := authz.allow with input as req("GET", spelling[1], spelling[0])
		d.allowed == false
		d.http_status == 400
		startswith(d.reason, "path is not canonical: ")
	}
}

test_generated_spellings_are_400_on_a_public_route if {
	d := authz.allow with input as req("GET", "/api/v1/public/docs", anonymous)
	d.allowed
	all_refused_with_400(spellings_for(anonymous, "/api/v1/public", 1, "admin/users"))
}

test_generated_spellings_are_400_on_an_admin_route if {
	d := authz.allow with input as req("GET", "/api/v1/admin/users", admin_caller)
	d.allowed
	all_refused_with_400(spellings_for(admin_caller, "/api/v1/admin/users", 1, "x"))
}

test_generated_spellings_are_400_on_a_tenant_route if {
	d := authz.allow with input as req("GET", "/api/v1/tenants/acme/tickets/1", viewer_of_acme)
	d.allowed

	# two levels up from /api/v1/tenants/acme/tickets is /api/v1/tenants: into tenant globex
	all_refused_with_400(spellings_for(viewer_of_acme, "/api/v1/tenants/acme/tickets", 2, "globex/tickets/1"))
}

# The five spellings that let a viewer of one tenant read another's tickets before this rule.
test_cross_tenant_spellings_are_refused if {
	every path in [
		"/api/v1/tenants/acme/tickets/%252e%252e%252f%252e%252e%252fglobex/tickets/1",
		"/api/v1/tenants/acme/tickets/..%5c..%5cglobex/tickets/1",
		"/api/v1/tenants/acme/tickets/..;/..;/globex/tickets/1",
		"/api/v1/tenants/acme/tickets/%c0%ae%c0%ae%c0%af%c0%ae%c0%ae%c0%afglobex/tickets/1",
		"/api/v1/tenants/acme/tickets/%ef%bc%8e%ef%bc%8e/%ef%bc%8e%ef%bc%8e/globex/tickets/1",
	] {
		d := authz.allow with input as req("GET", path, viewer_of_acme)
		d.http_status == 400
	}
}

test_path_problems_are_named if {
	every case in [
		["/api/v1/public/%2e%2e/admin", "percent-escapes are not allowed"],
		["/api/v1/public/..\\admin", "backslashes are not allowed"],
		["/api/v1/public/x;y", "path parameters (;) are not allowed"],
		["/api/v1/public//x", "empty segments (// or a trailing /) are not allowed"],
		["/api/v1/public/x/", "empty segments (// or a trailing /) are not allowed"],
		["/api/v1/public/x./y", "a segment may not end with a dot"],
		["/api/v1/public/../x", "a segment may not end with a dot"],
		["/api/v1/public/a b", "characters outside A-Z a-z 0-9 - . _ ~ ! $ & ' ( ) * + , = : @ are not allowed"],
		["api/v1/public/x", "it must start with /"],
		["*", "it must start with /"],
	] {
		d := authz.allow with input as req("GET", case[0], anonymous)
		d.reason == concat("", ["path is not canonical: ", case[1]])
		d.body == d.reason
		d.headers == {"content-type": "text/plain"}
	}
}

# parsed_path is what routes match: it must be the raw path's segments, nothing else.
test_parsed_path_must_match_the_raw_path if {
	d := authz.allow with input as req("GET", "/api/v1/public/docs", anonymous) with input.parsed_path as ["api", "v1", "admin", "users"]
	d.reason == "path is not canonical: parsed_path does not match the raw path"
	root := authz.allow with input as req("GET", "/", anonymous) with input.parsed_path as ["admin"]
	root.http_status == 400
}

test_request_without_a_path_is_400 if {
	d := authz.allow with input as {"attributes": {"request": {"http": {"method": "GET"}}}, "parsed_path": [""]}
	d.reason == "path is not canonical: the request has no path"
	e := authz.allow with input as {}
	e.http_status == 400
}

# A route the policy cannot decide (no scope in data) falls to the default: denied.
test_undecidable_route_is_denied_by_default if {
	d := authz.allow with input as req("GET", "/x", admin_caller) with data.openclaw.routes as [{"method": "GET", "path": "/x"}]
	d == {
		"allowed": false, "http_status": 403, "reason": "request denied", "body": "request denied",
		"headers": {"content-type": "text/plain"}, "dynamic_metadata": {"reason": "request denied"},
	}
}

# --- claim types (docs/policy.md) ---------------------------------------------------------------

proxy_viewer := {"authenticated": true, "methods": ["proxy"], "proxy": {"header": "x-amzn-oidc-data", "claims": {"cognito:groups": ["openclaw-viewers"], "custom:tenant": "acme"}}}

jwt_with_region := json.patch(viewer_of_acme, [{"op": "add", "path": "/jwt/claims/region", "value": "eu-west-1"}])

jwt_with_groups := {"authenticated": true, "methods": ["jwt"], "jwt": {"claims": {"groups": ["openclaw-viewers"], "tenant": "acme"}}}

run_request := ["POST", "/api/v1/tenants/acme/agents/a1/runs"]

read_request := ["GET", "/api/v1/tenants/acme/tickets/1"]

# [JSON pointer into input.identity, caller with a good value there, request, the type named]
typed_fields := [
	["/authenticated", viewer_of_acme, read_request, "a boolean"],
	["/jwt/claims/roles", viewer_of_acme, read_request, "an array of strings"],
	["/jwt/claims/groups", jwt_with_groups, read_request, "an array of strings"],
	["/jwt/claims/tenant", viewer_of_acme, read_request, "a non-empty string"],
	["/jwt/claims/region", jwt_with_region, read_request, "a non-empty string"],
	["/proxy/claims/cognito:groups", proxy_viewer, read_request, "an array of strings"],
	["/proxy/claims/custom:tenant", proxy_viewer, read_request, "a non-empty string"],
	["/spiffe/id", planner, run_request, "a non-empty string"],
	["/spiffe/trust_domain", planner, run_request, "a non-empty string"],
]

# Values of every JSON type that are NOT of the named type.
ill_typed := {
	"a boolean": ["true", "", 1, 0, null, [true], {"value": true}],
	"a non-empty string": ["", 42, 0, 1.5, true, false, null, ["acme"], [], {"value": "acme"}],
	"an array of strings": ["viewer", "", 42, true, false, null, {"0": "viewer"}, ["viewer", 7], [null], [["viewer"]]],
}

with_value(identity, pointer, value) := json.patch(identity, [{"op": "add", "path": pointer, "value": value}])

# One test per value the policy reads from input.identity: each ill-typed value is a 403 that
# names the field, where the same caller with a well-typed value is allowed.
test_authenticated_of_any_other_type_is_denied if ill_typed_values_denied("/authenticated")

test_jwt_roles_of_any_other_type_are_denied if ill_typed_values_denied("/jwt/claims/roles")

test_jwt_groups_of_any_other_type_are_denied if ill_typed_values_denied("/jwt/claims/groups")

test_jwt_tenant_of_any_other_type_is_denied if ill_typed_values_denied("/jwt/claims/tenant")

test_jwt_region_of_any_other_type_is_denied if ill_typed_values_denied("/jwt/claims/region")

test_proxy_groups_of_any_other_type_are_denied if ill_typed_values_denied("/proxy/claims/cognito:groups")

test_proxy_tenant_of_any_other_type_is_denied if ill_typed_values_denied("/proxy/claims/custom:tenant")

test_spiffe_id_of_any_other_type_is_denied if ill_typed_values_denied("/spiffe/id")

test_spiffe_trust_domain_of_any_other_type_is_denied if ill_typed_values_denied("/spiffe/trust_domain")

ill_typed_values_denied(pointer) if {
	some [field, caller, request, type] in typed_fields
	field == pointer
	good := authz.allow with input as req(request[0], request[1], caller)
	good.allowed == true
	every value in ill_typed[type] {
		d := authz.allow with input as req(request[0], request[1], with_value(caller, pointer, value))
		d.allowed == false
		d.http_status == 403
		d.reason == concat("", ["identity", replace(pointer, "/", "."), " must be ", type])
	}
}

# With every field wrong at once, each is named, and no field the tests do not know.
test_type_problems_name_every_field if {
	everything_wrong := {
		"authenticated": 1,
		"jwt": {"claims": {"roles": 1, "groups": 1, "tenant": 1, "region": 1}},
		"proxy": {"claims": {"cognito:groups": 1, "custom:tenant": 1}},
		"spiffe": {"id": 1, "trust_domain": 1},
	}
	problems := authz.type_problems with input as req("GET", "/", everything_wrong)
	problems == {concat("", ["identity", replace(f[0], "/", "."), " must be ", f[3]]) | some f in typed_fields}
	d := authz.allow with input as req("GET", "/", everything_wrong)
	d.reason == min(problems)
}

# Ill-typed claims are refused on public routes too: the deny comes before routing.
test_wrong_claim_type_denied_on_public_route if {
	d := authz.allow with input as req("GET", "/api/v1/public/docs", with_value(jwt_with_region, "/jwt/claims/region", ["us-east-1"]))
	d.reason == "identity.jwt.claims.region must be a non-empty string"
}

# The bug this fixes: a non-string region skipped the cross-region deny and the admin got in.
test_region_of_any_type_never_skips_the_cross_region_deny if {
	every region in ["us-east-1", ["us-east-1"], {"name": "us-east-1"}, 1, true, false, null, ""] {
		d := authz.allow with input as req("GET", "/api/v1/tenants/acme/tickets/1", with_value(admin_caller, "/jwt/claims/region", region))
		d.allowed == false
		d.http_status == 403
	}
}

without(identity, pointer) := json.patch(identity, [{"op": "remove", "path": pointer}])

# A missing claim: [pointer, caller, request, allowed, http_status, reason] — what each rule does.
test_missing_claims if {
	every case in [
		# authenticated absent: anonymous
		["/authenticated", viewer_of_acme, read_request, false, 401, "authentication required"],
		["/jwt/claims/roles", viewer_of_acme, read_request, false, 403, "missing scope ticket:read"],
		["/jwt/claims/groups", jwt_with_groups, read_request, false, 403, "missing scope ticket:read"],
		["/jwt/claims/tenant", viewer_of_acme, read_request, false, 403, "tenant acme is not the caller's tenant"],
		# no region claim, no SPIFFE trust domain: the caller has no region, the rule does not apply
		["/jwt/claims/region", jwt_with_region, read_request, true, 0, "scope ticket:read granted"],
		["/proxy/claims/cognito:groups", proxy_viewer, read_request, false, 403, "missing scope ticket:read"],
		["/proxy/claims/custom:tenant", proxy_viewer, read_request, false, 403, "tenant acme is not the caller's tenant"],
		["/spiffe/id", planner, run_request, false, 403, "tenant acme is not the caller's tenant"],
		["/spiffe/trust_domain", planner, run_request, true, 0, "scope agent:run granted"],
	] {
		d := authz.allow with input as req(case[2][0], case[2][1], without(case[1], case[0]))
		d.allowed == case[3]
		object.get(d, "http_status", 0) == case[4]
		d.reason == case[5]
	}
}

# A missing region claim falls back to the SPIFFE trust domain's region, which is then enforced.
test_missing_region_claim_uses_the_trust_domain if {
	caller := json.patch(planner, [
		{"op": "replace", "path": "/spiffe/trust_domain", "value": "us.prod.openclaw.internal"},
		{"op": "add", "path": "/jwt", "value": {"claims": {"tenant": "acme"}}},
	])
	d := authz.allow with input as req("POST", "/api/v1/tenants/acme/agents/a1/runs", caller)
	d.reason == "Cross-region request from us-east-1 to eu-west-1 is denied"
}

test_identity_of_the_wrong_type_is_denied if {
	every identity in ["alice", 1, true, null, ["alice"]] {
		d := authz.allow with input as req("GET", "/api/v1/public/docs", anonymous) with input.identity as identity
		d.reason == "input.identity is not an object"
	}
}

# Route data that is not `true` does not make a route public.
test_only_public_true_is_public if {
	d := authz.allow with input as req("GET", "/x", anonymous) with data.openclaw.routes as [{"method": "GET", "path": "/x", "public": "yes", "scope": "x:read"}]
	d.http_status == 401
}

# --- the route index (docs/policy.md): the same first route as trying every route in order ------

shipped_index := authz.route_index_of(data.openclaw.routes)

route_request(method, segments) := {"attributes": {"request": {"http": {"method": method}}}, "parsed_path": segments}

# Routes whose order matters: [position, method, path] and, below, which one each request gets.
overlapping_routes := [
	{"method": "GET", "path": "/a/b"},
	{"method": "*", "path": "/a/*"},
	{"method": "GET", "path": "/a/**"},
	{"method": "GET", "path": "/a/b"},
	{"method": "POST", "path": "/a/*/c"},
	{"method": "GET", "path": "/*/b/**"},
	{"method": "GET", "path": "/"},
	{"method": "GET", "path": "/x/**/y"},
	{"method": "GET", "path": "/**"},
	{"method": 7, "path": "/n"},
	{"method": "GET", "path": 7},
	{"method": "PATCH", "path": "q/r"},
]

# [method, parsed_path, position of the route that wins (-1: none)]
first_routes := [
	["GET", ["a", "b"], 0],
	["PUT", ["a", "b"], 1],
	["GET", ["a", "c"], 1],
	["GET", ["a", "*"], 1],
	["GET", ["a"], 2],
	["GET", ["a", "b", "c"], 2],
	["GET", ["a", ""], 2],
	["POST", ["a", "x", "c"], 4],
	["POST", ["a", "*", "c"], 4],
	["POST", ["a", "x"], 1],
	["GET", ["z", "b"], 5],
	["GET", ["z", "b", "q", "r"], 5],
	["GET", [""], 6],
	["GET", ["x", "**", "y"], 7],
	["GET", ["x", "k", "y"], 8],
	["GET", ["n"], 8],
	["PATCH", ["q", "r"], 11],
	["*", ["a", "b"], 1],
	["DELETE", ["a", ""], -1],
	["DELETE", ["b"], -1],
	["POST", ["a", "b", "c", "d"], -1],
]

first_route_position(routes) := position if {
	position := min(authz.matching_routes) with data.openclaw.routes as routes
} else := -1

test_first_route_in_list_order_wins_with_and_without_the_index if {
	index := authz.route_index_of(overlapping_routes)
	every case in first_routes {
		scanned := first_route_position(overlapping_routes) with input as route_request(case[0], case[1])
		indexed := first_route_position(overlapping_routes) with input as route_request(case[0], case[1]) with data.openclaw.route_index as index
		scanned == case[2]
		indexed == case[2]
	}
}

# Every shipped route, asked for by its own method and by others, with its wildcards filled, one
# segment short and one too many: the index finds the route that trying every route finds.
test_shipped_routes_are_found_alike_with_the_index if {
	requests := {[m, segments] |
		some r in data.openclaw.routes
		some m in {r.method, "GET", "POST", "DELETE"}
		filled := [filled_segment(p) | some p in split(trim_left(r.path, "/"), "/")]
		some segments in {filled, array.slice(filled, 0, count(filled) - 1), array.concat(filled, ["extra"])}
	}
	count(requests) > 100
	every request in requests {
		scanned := first_route_position(data.openclaw.routes) with input as route_request(request[0], request[1])
		indexed := first_route_position(data.openclaw.routes) with input as route_request(request[0], request[1]) with data.openclaw.route_index as shipped_index
		indexed == scanned
	}
}

filled_segment("*") := "acme"

filled_segment("**") := "x"

filled_segment(p) := p if not p in {"*", "**"}

# The index is what a bundle built by scripts/build-policy holds: shapes per method, and for each
# pattern the position of its first route.
test_route_index_of_the_shipped_routes if {
	shipped_index.route_count == count(data.openclaw.routes)
	object.keys(shipped_index.methods.GET) == {"_", "_/_/_/*", "_/_/_/**", "_/_/_/*/_", "_/_/_/*/_/**"}
	shipped_index.methods.GET["_/_/_/*/_"].patterns == {"api/v1/tenants/*/mcp": 20}
	shipped_index.methods.GET["_/_/_/*/_/**"] == {
		"segments": 5, "wildcards": [3], "rest": true,
		"patterns": {"api/v1/tenants/*/agents": 9, "api/v1/tenants/*/members": 15, "api/v1/tenants/*/sessions": 12, "api/v1/tenants/*/tickets": 4},
	}
}

# An index built from another route list (one more route here) is not used: every route is tried.
test_an_index_of_other_routes_is_ignored if {
	routes := array.concat([{"method": "GET", "path": "/api/v1/tenants/*/tickets/**", "public": true}], data.openclaw.routes)
	d := authz.allow with input as req("GET", "/api/v1/tenants/acme/tickets/1", anonymous) with data.openclaw.routes as routes with data.openclaw.route_index as shipped_index
	d.reason == "public route"
}
