package envoy.authz_test

import rego.v1

import data.envoy.authz

# input.mcp as the sidecar builds it (docs/contract.md §2), for the shipped MCP route.
mcp_path := "/api/v1/tenants/acme/mcp"

call(name, args) := {"method": "tools/call", "id": 1, "params": {"name": name, "arguments": args}, "tool": {"name": name, "arguments": args}}

single(r) := object.union({"source": "body", "batch": false, "requests": [r]}, r)

batch(requests) := {"source": "body", "batch": true, "requests": requests}

mcp(identity, document) := object.union(req("POST", mcp_path, identity), {"mcp": document})

decide(identity, document) := d if {
	d := authz.allow with input as mcp(identity, document)
}

viewer := jwt_caller(["viewer"], "acme")

agent := jwt_caller(["agent"], "acme")

orchestrator := json.patch(planner, [
	{"op": "replace", "path": "/spiffe/id", "value": "spiffe://prod.openclaw.internal/ns/agents/sa/orchestrator"},
	{"op": "replace", "path": "/subject", "value": "spiffe://prod.openclaw.internal/ns/agents/sa/orchestrator"},
])

denied_with(d, status, reason) if {
	d.allowed == false
	d.http_status == status
	d.reason == reason
	d.body == reason
}

test_viewer_calls_an_allowed_tool if {
	d := decide(viewer, single(call("search_docs", {"query": "rate limits"})))
	d == {
		"allowed": true,
		"reason": "tool search_docs granted",
		"headers": {"x-openclaw-subject": "user-1"},
		"request_headers_to_remove": ["authorization"],
		"dynamic_metadata": {"reason": "tool search_docs granted"},
	}
}

test_forbidden_tool_is_named if {
	denied_with(decide(viewer, single(call("delete_repo", {}))), 403, "tool delete_repo is not granted to role viewer")
}

test_high_risk_tool_is_denied_by_default if {
	denied_with(decide(viewer, single(call("sessions_spawn", {}))), 403, "tool sessions_spawn is high-risk and not granted to role viewer")
}

# admin's `tools: ["*"]` is not an explicit grant of a high-risk tool.
test_a_wildcard_does_not_lift_a_high_risk_tool if {
	admin := jwt_caller(["admin"], "acme")
	denied_with(decide(admin, single(call("shell_exec", {"cmd": "id"}))), 403, "tool shell_exec is high-risk and not granted to role admin")
	decide(admin, single(call("delete_repo", {}))).allowed
}

test_a_workload_grant_lifts_a_high_risk_tool if {
	d := decide(orchestrator, single(call("sessions_spawn", {"task": "triage"})))
	d.allowed
	d.headers == {"x-openclaw-subject": "spiffe://prod.openclaw.internal/ns/agents/sa/orchestrator"}
	denied_with(decide(planner, single(call("sessions_spawn", {}))), 403, "tool sessions_spawn is high-risk and not granted to role agent")
}

test_a_batch_hiding_one_forbidden_call_is_denied if {
	calls := [call("search_docs", {}), call("delete_repo", {}), call("sessions_spawn", {})]
	denied_with(decide(viewer, batch(calls)), 403, "request 2: tool delete_repo is not granted to role viewer")
	ok := decide(viewer, batch([call("search_docs", {}), {"method": "notifications/initialized"}]))
	ok.allowed
	ok.reason == "MCP batch of 2 requests granted"
}

test_methods_are_granted_per_role if {
	d := decide(viewer, single({"method": "logging/setLevel", "id": 2, "params": {"level": "debug"}}))
	denied_with(d, 403, "MCP method logging/setLevel is not granted to role viewer")
	listed := decide(viewer, single({"method": "tools/list", "id": 3}))
	listed.reason == "MCP method tools/list granted"
	decide(viewer, single({"method": "notifications/cancelled"})).allowed
	decide(jwt_caller(["developer"], "acme"), single({"method": "logging/setLevel", "id": 2})).allowed
}

test_grantees_are_listed if {
	d := decide(jwt_caller(["viewer", "support"], "acme"), single(call("delete_repo", {})))
	d.reason == "tool delete_repo is not granted to roles support, viewer"
}

test_a_tool_argument_naming_another_tenant_is_denied if {
	d := decide(viewer, single(call("search_docs", {"tenant": "globex"})))
	denied_with(d, 403, "tool search_docs: argument tenant must name the caller's tenant")
	decide(viewer, single(call("search_docs", {"tenant_id": "acme"}))).allowed
	denied_with(decide(viewer, single(call("search_docs", {"tenant_id": ["acme"]}))), 403, "tool search_docs: argument tenant_id must name the caller's tenant")
	decide(jwt_caller(["admin"], "acme"), single(call("search_docs", {"tenant": "globex"}))).allowed
}

test_paths_are_confined_to_the_tenant_root if {
	decide(viewer, single(call("read_file", {"path": "/tenants/acme/notes/a.md"}))).allowed
	every path in [
		"/tenants/globex/notes/a.md", "/etc/passwd", "/tenants/acme/../globex/a", "/tenants/acme/./a",
		"/tenants/acme//a", "/tenants/acme/a/", "tenants/acme/a", "/tenants/acme/%2e%2e/a", "/tenants/acme\\a",
		"/tenants/acme", ["/tenants/acme/a"], 7,
	] {
		d := decide(viewer, single(call("read_file", {"path": path})))
		denied_with(d, 403, "tool read_file: argument path must be a path under /tenants/acme/")
	}
	denied_with(decide(viewer, single(call("read_file", {}))), 403, "tool read_file: argument path must be a path under /tenants/acme/")
}

test_a_write_outside_the_tenant_is_high_risk if {
	decide(agent, single(call("write_file", {"path": "/tenants/acme/out.txt"}))).allowed
	d := decide(agent, single(call("write_file", {"path": "/tenants/globex/out.txt"})))
	denied_with(d, 403, "tool write_file writes outside tenant acme: high-risk and not granted to role agent")
	lifted := authz.allow with input as mcp(agent, single(call("write_file", {"path": "/shared/out.txt"})))
		with data.openclaw.mcp.roles.agent.high_risk as ["write_file"]
	lifted.allowed
	unclean := authz.allow with input as mcp(agent, single(call("write_file", {"path": "/shared/../etc/x"})))
		with data.openclaw.mcp.roles.agent.high_risk as ["write_file"]
	unclean.reason == "tool write_file: argument path must be a path under /tenants/acme/"
}

test_url_hosts_are_allowlisted if {
	decide(viewer, single(call("fetch_url", {"url": "https://docs.openclaw.ai/guide?x=1"}))).allowed
	decide(viewer, single(call("fetch_url", {"url": "https://API.GitHub.com:443/repos"}))).allowed
	every url in [
		"https://evil.example/", "http://docs.openclaw.ai/", "https://docs.openclaw.ai@evil.example/",
		"https://docs.openclaw.ai.evil.example/", "https://docs.openclaw.ai\\@evil.example", "docs.openclaw.ai", {"host": "docs.openclaw.ai"},
	] {
		d := decide(viewer, single(call("fetch_url", {"url": url})))
		denied_with(d, 403, "tool fetch_url: argument url must be an https URL on an allowed host")
	}
}

# Envoy's MCP filter extracts params.name but, by default, not the arguments.
test_unknown_arguments_are_denied if {
	envoy := {"method": "tools/call", "id": 1, "params": {"name": "search_docs"}, "tool": {"name": "search_docs"}}
	d := decide(viewer, object.union(single(envoy), {"source": "envoy.filters.http.mcp"}))
	denied_with(d, 403, "tool search_docs: its arguments are not known (Envoy's MCP filter did not extract them)")
}

test_an_mcp_route_needs_input_mcp if {
	d := authz.allow with input as req("POST", mcp_path, viewer)
	denied_with(d, 400, "an MCP route needs a JSON-RPC 2.0 request")
}

test_the_route_is_checked_first if {
	d := authz.allow with input as object.union(req("POST", "/api/v1/tenants/globex/mcp", viewer), {"mcp": single(call("search_docs", {}))})
	d.reason == "tenant globex is not the caller's tenant"
	denied_with(decide(jwt_caller(["support"], "acme"), single(call("search_docs", {}))), 403, "missing scope mcp:use")
}

test_json_rpc_on_another_route_is_governed_too if {
	input_doc := object.union(req("GET", "/api/v1/tenants/acme/tickets/1", viewer), {"mcp": single(call("delete_repo", {}))})
	d := authz.allow with input as input_doc
	d.reason == "tool delete_repo is not granted to role viewer"
}

test_nothing_provable_is_denied if {
	denied_with(decide(viewer, batch([])), 403, "MCP request denied")
	denied_with(decide(viewer, {"source": "body", "batch": false}), 403, "MCP request denied")
	denied_with(decide(object.remove(viewer, ["subject"]), single(call("search_docs", {}))), 403, "MCP request denied")
	denied_with(decide(viewer, single({"method": "tools/call", "id": 1, "tool": {"name": 5, "arguments": {}}})), 403, "MCP request denied")
}

# MCP's Streamable HTTP transport: GET opens the server's SSE stream, DELETE ends the session.
transport(method, identity) := d if {
	d := authz.allow with input as req(method, mcp_path, identity)
}

test_get_opens_the_event_stream if {
	transport("GET", viewer) == {
		"allowed": true,
		"reason": "MCP event stream granted",
		"headers": {"x-openclaw-subject": "user-1"},
		"request_headers_to_remove": ["authorization"],
		"dynamic_metadata": {"reason": "MCP event stream granted"},
	}
}

test_delete_ends_the_session if {
	d := transport("DELETE", agent)
	d.allowed
	d.reason == "MCP session end granted"
	d.request_headers_to_remove == ["authorization"]
	d.headers == {"x-openclaw-subject": "user-1"}
}

test_stream_and_session_end_are_scoped_and_tenant_isolated if {
	every method in ["GET", "DELETE"] {
		other := authz.allow with input as req(method, "/api/v1/tenants/globex/mcp", viewer)
		denied_with(other, 403, "tenant globex is not the caller's tenant")
		denied_with(transport(method, jwt_caller(["support"], "acme")), 403, "missing scope mcp:use")
		denied_with(transport(method, anonymous), 401, "authentication required")
		denied_with(transport(method, object.remove(viewer, ["subject"])), 403, "MCP request denied")
	}
}

# Only a POST must carry JSON-RPC; a GET that does carry a call is governed as a POST is.
test_a_call_on_a_get_is_governed if {
	d := authz.allow with input as object.union(req("GET", mcp_path, viewer), {"mcp": single(call("delete_repo", {}))})
	denied_with(d, 403, "tool delete_repo is not granted to role viewer")
	ok := authz.allow with input as object.union(req("GET", mcp_path, viewer), {"mcp": single(call("search_docs", {}))})
	ok.reason == "tool search_docs granted"
}

test_other_methods_on_an_mcp_route_are_denied if {
	d := authz.allow with input as req("PUT", mcp_path, viewer) with data.openclaw.routes as [{"method": "*", "path": "/api/v1/tenants/*/mcp", "scope": "mcp:use", "mcp": true}]
	denied_with(d, 403, "MCP request denied")
}
