# MCP tool governance (docs/policy.md, "MCP tools"): what an agent may do with an MCP server,
# read from input.mcp, which openclaw-authz builds from Envoy's MCP filter metadata or the
# JSON-RPC body (docs/contract.md §2). Who may call which method and tool is data
# (data.openclaw.mcp, and a workload entry's `mcp`), so operators tune it without touching Rego.
#
# A request carrying input.mcp, or sent to a route marked "mcp": true, is governed here once the
# route's scope is granted (authz.rego): every call of a batch must be allowed; a GET (the SSE
# stream) or DELETE (the session's end) without a call is allowed as it stands. A high-risk tool
# needs an explicit grant by name (no wildcard lifts it). An allowed MCP request goes upstream
# without the caller's credentials (the MCP spec forbids token passthrough), with the verified
# subject in their place. opa-envoy-plugin builds no input.mcp: there, MCP routes are denied.
package envoy.authz

import rego.v1

mcp_cfg := object.get(cfg, "mcp", {})

mcp_governed if route.mcp == true

mcp_governed if {
	_ = input.mcp
}

mcp_requests := input.mcp.requests if is_array(input.mcp.requests)

mcp_allowed if {
	count(mcp_requests) > 0
	mcp_subject_verified
	every r in mcp_requests {
		mcp_request_allowed(r)
	}
}

mcp_allowed if {
	mcp_transport_request
	mcp_subject_verified
}

# The subject an allowed request carries upstream in place of the caller's credentials.
mcp_subject_verified if {
	is_string(identity.subject)
	identity.subject != ""
}

# MCP's Streamable HTTP transport (spec, "Transports"): besides POSTing JSON-RPC, a client GETs the
# endpoint to open the server's SSE stream, and DELETEs it to end its session (Mcp-Session-Id).
# Neither carries a call (Envoy's MCP filter publishes nothing for them): on an MCP route, the
# route's scope and the tenant decide (authz.rego), and an allowed one goes upstream as an allowed
# call does. One that does carry a call is governed as a POST is.
mcp_transport_reasons := {"GET": "MCP event stream granted", "DELETE": "MCP session end granted"}

mcp_transport_request if {
	route.mcp == true
	mcp_transport_reasons[method]
	not input.mcp
}

mcp_grant := {
	"allowed": true,
	"reason": mcp_granted_reason,
	"headers": {object.get(mcp_cfg, "subject_header", "x-openclaw-subject"): identity.subject},
	"request_headers_to_remove": object.get(mcp_cfg, "strip_headers", ["authorization"]),
	"dynamic_metadata": {"reason": mcp_granted_reason},
}

mcp_granted_reason := mcp_transport_reasons[method] if {
	mcp_transport_request
} else := concat("", ["MCP batch of ", format_int(count(mcp_requests), 10), " requests granted"]) if {
	input.mcp.batch == true
} else := concat("", ["tool ", input.mcp.tool.name, " granted"]) if {
	input.mcp.method == "tools/call"
} else := concat("", ["MCP method ", input.mcp.method, " granted"])

# --- one call: its method, then for tools/call the tool and its arguments -----------------------

mcp_request_allowed(r) if {
	mcp_method_granted(r)
	r.method != "tools/call"
}

mcp_request_allowed(r) if {
	mcp_method_granted(r)
	r.method == "tools/call"
	mcp_tool_allowed(r.tool)
}

mcp_tool_allowed(tool) if {
	mcp_tool_granted(tool.name)
	mcp_arguments_known(tool)
	mcp_tenant_arguments_ok(tool)
	every key in mcp_rules(tool.name).path_arguments {
		mcp_path_ok(tool, key)
	}
	every key in mcp_rules(tool.name).url_arguments {
		mcp_url_ok(tool, key)
	}
}

# The grants of the caller: one per role (data.openclaw.mcp.roles), and the workload entry's own.
mcp_grants contains grant if {
	some role in caller_roles
	grant := mcp_cfg.roles[role]
}

mcp_grants contains workload.mcp

mcp_method_granted(r) if {
	is_string(r.method)
	some grant in mcp_grants
	some pattern in grant.methods
	name_matches(pattern, r.method)
}

mcp_high_risk(name) if mcp_cfg.high_risk_tools[name]

mcp_tool_granted(name) if {
	is_string(name)
	not mcp_high_risk(name)
	some grant in mcp_grants
	some pattern in grant.tools
	name_matches(pattern, name)
}

mcp_tool_granted(name) if {
	mcp_high_risk(name)
	mcp_high_risk_granted(name)
}

# Only an explicit grant by name lifts a high-risk tool: `*` in `tools` does not.
mcp_high_risk_granted(name) if {
	some grant in mcp_grants
	name in grant.high_risk
}

# `*`, an exact name, or a prefix ending in `*` (`notifications/*`, `docs_*`).
name_matches("*", _)

name_matches(pattern, name) if pattern == name

name_matches(pattern, name) if {
	endswith(pattern, "*")
	startswith(name, trim_suffix(pattern, "*"))
}

# Argument rules of a tool: `path_arguments`, `url_arguments` (lists of argument names), `writes`.
mcp_rules(name) := object.union({"path_arguments": [], "url_arguments": []}, object.get(object.get(mcp_cfg, "tools", {}), name, {}))

mcp_arguments_known(tool) if is_object(tool.arguments)

# --- tenant isolation: an argument that names a tenant names the caller's ----------------------

mcp_tenant_arguments_ok(_) if {
	some role in caller_roles
	role in cfg.cross_tenant_roles
}

mcp_tenant_arguments_ok(tool) if {
	every key in object.get(mcp_cfg, "tenant_arguments", []) {
		mcp_names_caller_tenant(tool.arguments, key)
	}
}

mcp_names_caller_tenant(arguments, key) if not key in object.keys(arguments)

mcp_names_caller_tenant(arguments, key) if arguments[key] == caller_tenant

# --- paths: clean, absolute, under the caller's tenant root -----------------------------------
#
# A tool that writes (`"writes": true`) outside the caller's tenant is high-risk: it needs the
# explicit grant of that tool. A path argument that is missing or not a string is refused.

mcp_tenant_root := concat("", [object.get(mcp_cfg, "tenant_root", "/tenants/"), caller_tenant, "/"]) if is_string(caller_tenant)

mcp_path_ok(tool, key) if {
	clean_path(tool.arguments[key])
	startswith(tool.arguments[key], mcp_tenant_root)
}

mcp_path_ok(tool, key) if {
	clean_path(tool.arguments[key])
	mcp_rules(tool.name).writes == true
	mcp_high_risk_granted(tool.name)
}

# Segments of letters, digits and `. _ ~ @ + = , -`, none `.` or `..`: nothing for the tool's own
# resolver to read differently (no `//`, `\`, `%`, trailing `/`).
clean_path(path) if {
	is_string(path)
	regex.match(`^(/[A-Za-z0-9._~@+=,-]+)+$`, path)
	every segment in split(path, "/") {
		not segment in {".", ".."}
	}
}

# --- URLs: https, a host on the allowlist, no user info ---------------------------------------

mcp_url_ok(tool, key) if url_host(tool.arguments[key]) in object.get(mcp_cfg, "url_hosts", [])

url_host(url) := lower(match[1]) if {
	is_string(url)
	match := regex.find_all_string_submatch_n(`^https://([A-Za-z0-9.-]+)(?::[0-9]{1,5})?(?:[/?#]|$)`, url, 1)[0]
}

# --- why a request is denied: the first problem of the first call that has one ----------------
#
# Each entry is [call index, rank, reason]; the reasons name the tool. They only explain: what
# decides is mcp_allowed, so a problem these rules miss still denies ("MCP request denied").

mcp_problem := concat("", [mcp_call_prefix(first[0]), first[2]]) if {
	first := min(mcp_problems)
} else := "MCP request denied"

mcp_call_prefix(i) := concat("", ["request ", format_int(i + 1, 10), ": "]) if {
	input.mcp.batch == true
} else := ""

mcp_grantees := concat("", ["role ", concat(", ", sort(caller_roles))]) if {
	count(caller_roles) == 1
} else := concat("", ["roles ", concat(", ", sort(caller_roles))])

mcp_problems contains [i, 1, concat("", ["MCP method ", r.method, " is not granted to ", mcp_grantees])] if {
	some i, r in mcp_requests
	not mcp_method_granted(r)
}

mcp_problems contains [i, 2, concat("", ["tool ", r.tool.name, " is high-risk and not granted to ", mcp_grantees])] if {
	some i, r in mcp_requests
	r.method == "tools/call"
	mcp_high_risk(r.tool.name)
	not mcp_high_risk_granted(r.tool.name)
}

mcp_problems contains [i, 3, concat("", ["tool ", r.tool.name, " is not granted to ", mcp_grantees])] if {
	some i, r in mcp_requests
	r.method == "tools/call"
	not mcp_high_risk(r.tool.name)
	not mcp_tool_granted(r.tool.name)
}

mcp_problems contains [i, 4, concat("", ["tool ", r.tool.name, ": its arguments are not known (Envoy's MCP filter did not extract them)"])] if {
	some i, r in mcp_requests
	r.method == "tools/call"
	not mcp_arguments_known(r.tool)
}

mcp_problems contains [i, 5, concat("", ["tool ", r.tool.name, ": argument ", key, " must name the caller's tenant"])] if {
	some i, r in mcp_requests
	r.method == "tools/call"
	not mcp_tenant_arguments_ok(r.tool)
	some key in mcp_cfg.tenant_arguments
	not mcp_names_caller_tenant(r.tool.arguments, key)
}

mcp_problems contains [i, 6, concat("", ["tool ", r.tool.name, " writes outside tenant ", caller_tenant, ": high-risk and not granted to ", mcp_grantees])] if {
	some i, r in mcp_requests
	r.method == "tools/call"
	mcp_rules(r.tool.name).writes == true
	some key in mcp_rules(r.tool.name).path_arguments
	clean_path(r.tool.arguments[key])
	not mcp_path_ok(r.tool, key)
}

mcp_problems contains [i, 7, concat("", ["tool ", r.tool.name, ": argument ", key, " must be a path under ", mcp_tenant_root])] if {
	some i, r in mcp_requests
	r.method == "tools/call"
	some key in mcp_rules(r.tool.name).path_arguments
	not mcp_path_ok(r.tool, key)
}

mcp_problems contains [i, 8, concat("", ["tool ", r.tool.name, ": argument ", key, " must be an https URL on an allowed host"])] if {
	some i, r in mcp_requests
	r.method == "tools/call"
	some key in mcp_rules(r.tool.name).url_arguments
	not mcp_url_ok(r.tool, key)
}
