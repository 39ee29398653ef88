# OpenClaw authorization policy, evaluated by openclaw-authz (and by opa-envoy-plugin unchanged).
#
# The decision is data.envoy.authz.allow: an object with `allowed`, an HTTP status and headers for
# denials, and a `reason` the decision log records. Roles, scopes, routes, workloads and regions
# are data (data.json), so operators change who may do what without touching this file.
#
# Fail closed: every grant below is reached only through conditions that hold positively (a
# canonical path, well-typed claims, a matching route …), and `default allow` denies whatever
# no rule decides. Denials before routing: docs/canonical-paths.md; claim types: docs/policy.md.
package envoy.authz

import rego.v1

cfg := data.openclaw

http_request := input.attributes.request.http

identity := object.get(input, "identity", {"authenticated": false, "methods": []})

default allow := {
	"allowed": false,
	"http_status": 403,
	"reason": "request denied",
	"body": "request denied",
	"headers": {"content-type": "text/plain"},
	"dynamic_metadata": {"reason": "request denied"},
}

# The first response whose condition holds wins; the order is the order of precedence. Each
# condition is `not <positive rule>` or a rule that is defined only when it holds, so a builtin
# that is undefined for an odd input can make a grant vanish, never a deny.
allow := deny(400, concat("", ["path is not canonical: ", path_problem])) if {
	not path_canonical
} else := deny(403, claim_problem) if {
	not claims_well_typed
} else := deny(403, region_problem) if {
	not region_allowed
} else := deny(403, concat("", ["no route for ", method, " ", raw_path])) if {
	not route
} else := object.union(deny(403, data.prompt_guard.reason), data.prompt_guard.result) if {
	data.prompt_guard.blocked
} else := grant("public route") if {
	route.public == true
} else := deny(401, "authentication required") if {
	not authenticated
} else := deny(403, concat("", ["tenant ", addressed_tenant, " is not the caller's tenant"])) if {
	not tenant_allowed
} else := deny(403, concat("", ["missing scope ", route.scope])) if {
	not scope_granted
} else := deny(400, "an MCP route needs a JSON-RPC 2.0 request") if {
	route.mcp == true
	method == "POST"
	not input.mcp
} else := deny(403, mcp_problem) if {
	mcp_governed
	not mcp_allowed
} else := mcp_grant if {
	authenticated
	tenant_allowed
	scope_granted
	mcp_governed
	mcp_allowed
} else := grant(concat("", ["scope ", route.scope, " granted"])) if {
	authenticated
	tenant_allowed
	scope_granted
	not mcp_governed
}

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

method := object.get(http_request, "method", "")

# --- canonical paths (docs/canonical-paths.md) ------------------------------------------------
#
# A path is canonical when it is `/`, or one or more `/segment` where every segment is one or
# more RFC 3986 pchar characters other than `%` (no percent-escapes at all) and `;` (no path
# parameters), and does not end with a dot (`.`, `..`, `...`, `x.`). Then percent-decoding
# changes nothing, and `parsed_path` (what routes match) must equal the raw segments (what the
# upstream reads). Anything else is refused with 400, before any route is looked at.

raw_path := split(http_request.path, "?")[0]

# One character at a time (`split(s, "")`): in wasm, a set lookup is far cheaper than a regex.
path_characters := {c | some c in split("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~!$&'()*+,=:@/", "")}

path_canonical if {
	raw_path == "/"
	input.parsed_path == [""]
}

path_canonical if {
	startswith(raw_path, "/")
	every char in split(raw_path, "") {
		path_characters[char]
	}
	segments := split(substring(raw_path, 1, -1), "/")
	every segment in segments {
		segment != ""
		not endswith(segment, ".")
	}
	input.parsed_path == segments
}

# Why a path is not canonical, for the reason and the decision log; the last line catches all.
# `not is_string(ref)` would fail, not hold, when ref is undefined: negate a rule instead.
has_path if is_string(http_request.path)

path_problem := "the request has no path" if {
	not has_path
} else := "it must start with /" if {
	not startswith(raw_path, "/")
} else := "percent-escapes are not allowed" if {
	contains(raw_path, "%")
} else := "backslashes are not allowed" if {
	contains(raw_path, `\`)
} else := "path parameters (;) are not allowed" if {
	contains(raw_path, ";")
} else := "empty segments (// or a trailing /) are not allowed" if {
	some segment in array.slice(split(raw_path, "/"), 1, count(split(raw_path, "/")))
	segment == ""
} else := "a segment may not end with a dot" if {
	some segment in split(raw_path, "/")
	endswith(segment, ".")
} else := "characters outside A-Z a-z 0-9 - . _ ~ ! $ & ' ( ) * + , = : @ are not allowed" if {
	some char in split(raw_path, "")
	not path_characters[char]
} else := "parsed_path does not match the raw path"

# --- claim types (docs/policy.md): a value the policy reads is absent, or of its type ---------
#
# One rule per value read from input.identity. A value that is absent is simply not there for
# the rules below (each reads it only through a type check); one that is present with another
# type, null included, is a problem. `not has_type(...)` holds for any value not proven typed.

claims_well_typed if {
	is_object(identity)
	count(type_problems) == 0
}

type_problems contains "identity.authenticated must be a boolean" if {
	value := identity.authenticated
	not is_boolean(value)
}

type_problems contains "identity.jwt.claims.roles must be an array of strings" if {
	value := claims.roles
	not has_type("an array of strings", value)
}

type_problems contains "identity.jwt.claims.groups must be an array of strings" if {
	value := claims.groups
	not has_type("an array of strings", value)
}

type_problems contains "identity.jwt.claims.tenant must be a non-empty string" if {
	value := claims.tenant
	not has_type("a non-empty string", value)
}

type_problems contains "identity.jwt.claims.region must be a non-empty string" if {
	value := claims.region
	not has_type("a non-empty string", value)
}

type_problems contains "identity.proxy.claims.cognito:groups must be an array of strings" if {
	value := proxy_claims["cognito:groups"]
	not has_type("an array of strings", value)
}

type_problems contains "identity.proxy.claims.custom:tenant must be a non-empty string" if {
	value := proxy_claims["custom:tenant"]
	not has_type("a non-empty string", value)
}

type_problems contains "identity.spiffe.id must be a non-empty string" if {
	value := identity.spiffe.id
	not has_type("a non-empty string", value)
}

type_problems contains "identity.spiffe.trust_domain must be a non-empty string" if {
	value := identity.spiffe.trust_domain
	not has_type("a non-empty string", value)
}

has_type("a non-empty string", value) if {
	is_string(value)
	value != ""
}

has_type("an array of strings", value) if {
	is_array(value)
	every element in value {
		is_string(element)
	}
}

claim_problem := "input.identity is not an object" if {
	not is_object(identity)
} else := min(type_problems) if {
	count(type_problems) > 0
} else := "a claim has the wrong type"

# --- routes: method + path pattern; `*` is one segment, a trailing `**` any rest ---------------
#
# The first route in list order that matches wins. A bundle built by scripts/build-policy holds
# data.openclaw.route_index, written at build time by `opa eval` of route_index_of below, and
# the route is looked up there: a few object lookups however many routes there are. Without it
# (plain `opa build`, `opa test`, `opa eval -d policies`) every route is tried, in list order,
# with the same result. docs/policy.md, "The route index".

route := cfg.routes[min(matching_routes)]

# An index built from a list of another length (a test's `with data.openclaw.routes`, routes
# replaced through OPA's data API) is not this list's: then every route is tried.
matching_routes := indexed_routes if {
	cfg.route_index.route_count == count(cfg.routes)
} else := {i | some i, r in cfg.routes; route_matches(r)}

# A shape is the routes of one method whose patterns have the same number of segments before any
# trailing `**` and `*` at the same positions: they match a path exactly when the path's first
# segments, with `*` put at those positions, spell their pattern. A method has a few shapes.
indexed_routes contains i if {
	some m in {method, "*"}
	some shape in cfg.route_index.methods[m]
	shape_fits(shape, count(input.parsed_path))
	i := shape.patterns[shape_key(shape.wildcards, array.slice(input.parsed_path, 0, shape.segments))]

	# An index that is not this list's names a route that does not match: none is found (a deny).
	route_matches(cfg.routes[i])
}

shape_fits(shape, segments) if segments == shape.segments

shape_fits(shape, segments) if {
	shape.rest
	segments > shape.segments
}

# Segments joined with `/`: a path segment holding `/` cannot spell a pattern of as many segments.
shape_key(wildcards, segments) := concat("/", [key_segment(wildcards, i, segment) | some i, segment in segments])

# `*` matches a non-empty segment only: an empty one stays "", which no pattern spells there.
key_segment(wildcards, i, segment) := "*" if {
	i in wildcards
	segment != ""
} else := segment

# The index of a route list, for data.openclaw.route_index: by method, then shape (named by its
# pattern with each literal segment written `_`), then pattern → position of its first route.
# object.union_n lets the last object win, so the list goes in reversed: the first route wins.
route_index_of(routes) := {
	"route_count": count(routes),
	"methods": object.union_n(array.reverse([index_entry(i, r) |
		some i, r in routes
		is_string(r.method)
		is_string(r.path)
	])),
}

index_entry(i, r) := {r.method: {shape: {
	"segments": count(literal),
	"wildcards": [j | some j, p in literal; p == "*"],
	"rest": rest,
	"patterns": {concat("/", literal): i},
}}} if {
	pattern := split(trim_left(r.path, "/"), "/")
	rest := pattern[count(pattern) - 1] == "**"
	literal := array.slice(pattern, 0, count(pattern) - to_number(rest))
	shape := concat("/", array.concat([shape_mark(p) | some p in literal], ["**" | rest]))
}

shape_mark("*") := "*"

shape_mark(p) := "_" if p != "*"

route_matches(r) if {
	r.method in {method, "*"}
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
#
# Each value is read only when it has its type (see type_problems), so an odd claim never
# stands in for a missing one; the deny on ill-typed claims above comes first anyway.

authenticated if identity.authenticated == true

claims := object.get(identity, ["jwt", "claims"], {})

proxy_claims := object.get(identity, ["proxy", "claims"], {})

strings_in(value) := {s | some s in value; is_string(s)} if is_array(value)

# The first workload entry whose SPIFFE ID pattern matches (`*` one segment, `**` any rest).
workload := cfg.workloads[min({i | some i, w in cfg.workloads; spiffe_matches(w.spiffe_id, identity.spiffe.id)})]

spiffe_matches(pattern, id) if {
	is_string(id)
	wanted := split(trim_prefix(pattern, "spiffe://"), "/")
	actual := split(trim_prefix(id, "spiffe://"), "/")
	wanted[0] == actual[0]
	path_matches(array.slice(wanted, 1, count(wanted)), array.slice(actual, 1, count(actual)))
}

# Roles: the JWT `roles` claim, the JWT or proxy (Cognito) groups mapped by `group_roles`, and
# the SPIFFE workload's roles.
caller_roles contains role if some role in strings_in(claims.roles)

caller_roles contains role if {
	some group in caller_groups
	some role in cfg.group_roles[group]
}

caller_roles contains role if some role in workload.roles

caller_groups contains group if some group in strings_in(claims.groups)

caller_groups contains group if some group in strings_in(proxy_claims["cognito:groups"])

caller_tenant := claims.tenant if {
	is_string(claims.tenant)
} else := proxy_claims["custom:tenant"] if {
	is_string(proxy_claims["custom:tenant"])
} else := workload.tenant

# --- least privilege: roles -> scopes; `*` and `prefix:*` are wildcards ----------------------

scope_granted if {
	is_string(route.scope)
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
#
# The rule applies when Envoy names a destination region; a caller with no region at all (no
# `region` claim, no mapped SPIFFE trust domain, or anonymous) is not subject to it.

destination_region := input.attributes.contextExtensions.region

source_region := claims.region if {
	is_string(claims.region)
} else := cfg.trust_domain_regions[identity.spiffe.trust_domain]

region_allowed if not destination_region

region_allowed if not source_region

region_allowed if source_region == destination_region

region_problem := concat("", ["Cross-region request from ", source_region, " to ", destination_region, " is denied"]) if {
	is_string(source_region)
	is_string(destination_region)
} else := "cross-region request denied"
