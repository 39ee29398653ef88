# OpenClaw authorization policy, evaluated by openclaw-authz (and by opa-envoy-plugin unchanged).
#
# The decision is data.envoy.authz.allow: an object with `allowed`, an HTTP status and headers for
# denials, and a `reason` the decision log records. Roles, scopes, routes, workloads and regions
# are data (data.json), so operators change who may do what without touching this file.
package envoy.authz

import rego.v1

cfg := data.openclaw

http_request := input.attributes.request.http

identity := object.get(input, "identity", {"authenticated": false, "methods": []})

# The first response whose condition holds wins; the order is the order of precedence.
allow := deny(400, "path is not normalized") if {
	# `.`/`..` segments (also when percent-encoded) could resolve past a route upstream.
	some segment in input.parsed_path
	segment in {".", ".."}
} else := deny(403, concat("", ["Cross-region request from ", source_region, " to ", destination_region, " is denied"])) if {
	source_region != destination_region
} else := deny(403, concat("", ["no route for ", http_request.method, " /", concat("/", input.parsed_path)])) if {
	not route
} else := grant("public route") if {
	route.public
} else := deny(401, "authentication required") if {
	not identity.authenticated
} else := deny(403, concat("", ["tenant ", addressed_tenant, " is not the caller's tenant"])) if {
	not tenant_allowed
} else := deny(403, concat("", ["missing scope ", route.scope])) if {
	not scope_granted
} else := grant(concat("", ["scope ", route.scope, " granted"]))

grant(reason) := {"allowed": true, "reason": reason, "dynamic_metadata": {"reason": reason}}

deny(401, reason) := {
	"allowed": false,
	"http_status": 401,
	"reason": reason,
	"body": reason,
	"headers": {"content-type": "text/plain", "www-authenticate": "Bearer"},
	"dynamic_metadata": {"reason": reason},
}

deny(status, reason) := {
	"allowed": false,
	"http_status": status,
	"reason": reason,
	"body": reason,
	"headers": {"content-type": "text/plain"},
	"dynamic_metadata": {"reason": reason},
} if status != 401

# --- routes: method + path pattern; `*` is one segment, a trailing `**` any rest ---------------

route := cfg.routes[min({i | some i, r in cfg.routes; route_matches(r)})]

route_matches(r) if {
	r.method in {http_request.method, "*"}
	path_matches(split(trim_left(r.path, "/"), "/"), input.parsed_path)
}

path_matches(pattern, segments) if {
	count(pattern) == count(segments)
	every i, p in pattern {
		segment_matches(p, segments[i])
	}
}

path_matches(pattern, segments) if {
	pattern[count(pattern) - 1] == "**"
	prefix := array.slice(pattern, 0, count(pattern) - 1)
	count(segments) >= count(prefix)
	every i, p in prefix {
		segment_matches(p, segments[i])
	}
}

segment_matches("*", segment) if segment != ""

segment_matches(p, segment) if {
	p != "*"
	p == segment
}

# --- who is calling: verified identity only (input.identity, built by the sidecar) ------------

# The first workload entry whose SPIFFE ID pattern matches (`*` one segment, `**` any rest).
workload := cfg.workloads[min({i | some i, w in cfg.workloads; spiffe_matches(w.spiffe_id, identity.spiffe.id)})]

spiffe_matches(pattern, id) if {
	wanted := split(trim_prefix(pattern, "spiffe://"), "/")
	actual := split(trim_prefix(id, "spiffe://"), "/")
	wanted[0] == actual[0]
	path_matches(array.slice(wanted, 1, count(wanted)), array.slice(actual, 1, count(actual)))
}

# Roles: the JWT `roles` claim, the JWT or proxy (Cognito) groups mapped by `group_roles`, and
# the SPIFFE workload's roles.
caller_roles contains role if some role in identity.jwt.claims.roles

caller_roles contains role if {
	some group in caller_groups
	some role in cfg.group_roles[group]
}

caller_roles contains role if some role in workload.roles

caller_groups contains group if some group in identity.jwt.claims.groups

caller_groups contains group if some group in identity.proxy.claims["cognito:groups"]

caller_tenant := identity.jwt.claims.tenant

caller_tenant := identity.proxy.claims["custom:tenant"] if not identity.jwt.claims.tenant

caller_tenant := workload.tenant if {
	not identity.jwt.claims.tenant
	not identity.proxy.claims["custom:tenant"]
}

# --- least privilege: roles -> scopes; `*` and `prefix:*` are wildcards ----------------------

scope_granted if {
	some role in caller_roles
	some granted in cfg.roles[role]
	scope_matches(granted, route.scope)
}

scope_matches("*", _)

scope_matches(granted, wanted) if granted == wanted

scope_matches(granted, wanted) if {
	endswith(granted, ":*")
	startswith(wanted, trim_suffix(granted, "*"))
}

# --- tenant isolation: /api/v1/tenants/<tenant>/... must be the caller's tenant --------------

addressed_tenant := input.parsed_path[3] if {
	array.slice(input.parsed_path, 0, 3) == ["api", "v1", "tenants"]
}

tenant_allowed if not addressed_tenant

tenant_allowed if addressed_tenant == caller_tenant

tenant_allowed if {
	some role in caller_roles
	role in cfg.cross_tenant_roles
}

# --- regions: source from the verified identity, destination from Envoy's context_extensions --

destination_region := input.attributes.contextExtensions.region

source_region := identity.jwt.claims.region

source_region := cfg.trust_domain_regions[identity.spiffe.trust_domain] if not identity.jwt.claims.region
