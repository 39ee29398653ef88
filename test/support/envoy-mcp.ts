/**
 * How an Envoy bootstrap (envoy/*.yaml, or the chart's rendered one) carries MCP traffic to the
 * sidecar, read off the parsed config for test/deployment.test.ts and test/chart.test.ts.
 */
import { resolveConfig } from "../../src/config/index.js";
import { MCP_METADATA_NAMESPACE, pathMatches } from "../../src/input/mcp-request.js";

// biome-ignore lint/suspicious/noExplicitAny: parsed bootstraps walked ad hoc; a wrong path throws or mismatches, failing the test
type Json = Record<string, any>;

/** The MCP filter's name: Envoy publishes its dynamic metadata under the same name. */
export const MCP_FILTER = "envoy.filters.http.mcp";
const EXT_AUTHZ = "envoy.filters.http.ext_authz";

/** Paths on both sides of every default `policy.mcp.paths` pattern. */
const SAMPLE_PATHS = [
  "/",
  "/mcp",
  "/mcp/",
  "/mcp/messages",
  "/mcp/a/b",
  "/mcpx",
  "/x/mcp",
  "/api/v1/tenants/acme/mcp",
  "/api/v1/tenants/acme/mcp/x",
  "/api/v1/tenants/acme/mcpx",
  "/api/v1/tenants/mcp",
  "/api/v1/tenants/acme/tickets/1",
];

/**
 * The first HTTP connection manager's MCP wiring: the filter names in order, the MCP filter's
 * config, what ext_authz forwards and buffers, the routes that enable the MCP filter, and the
 * sample paths the MCP route's regex (RE2, matched whole, as Envoy does) and the sidecar's
 * default `policy.mcp.paths` each take.
 */
export function mcpWiring(config: Json) {
  const hcm = config.static_resources.listeners[0].filter_chains[0].filters[0].typed_config;
  const filter = (name: string) => hcm.http_filters.find((f: Json) => f.name === name);
  const routes: Json[] = hcm.route_config.virtual_hosts.flatMap((host: Json) => host.routes);
  const mcpRoute = routes.find((r) => r.name === "openclaw_mcp") as Json;
  const regex = new RegExp(`^(?:${mcpRoute.match.safe_regex.regex})$`);
  const { paths } = resolveConfig({}).policy.mcp;
  const segments = (path: string) => path.slice(1).split("/");
  const mcp = filter(MCP_FILTER);
  return {
    filters: hcm.http_filters.map((f: Json) => f.name) as string[],
    mcpFilter: mcp && { disabled: mcp.disabled, ...mcp.typed_config },
    forwarded: filter(EXT_AUTHZ).typed_config.metadata_context_namespaces,
    body: filter(EXT_AUTHZ).typed_config.with_request_body,
    enabledOn: routes.filter((r) => r.typed_per_filter_config?.[MCP_FILTER]).map((r) => r.name),
    mcpRoute,
    routeTakes: SAMPLE_PATHS.filter((path) => regex.test(path)),
    sidecarTakes: SAMPLE_PATHS.filter((path) => paths.some((p) => pathMatches(p, segments(path)))),
  };
}

/** What mcpWiring gives a bootstrap with the MCP filter on, for `toMatchObject`. */
export const MCP_ON = {
  mcpFilter: {
    disabled: true,
    "@type": "type.googleapis.com/envoy.extensions.filters.http.mcp.v3.Mcp",
    traffic_mode: "PASS_THROUGH",
  },
  forwarded: [MCP_METADATA_NAMESPACE],
  body: { allow_partial_message: true, pack_as_bytes: true },
  enabledOn: ["openclaw_mcp"],
  mcpRoute: {
    route: { cluster: "openclaw", timeout: "0s" },
    typed_per_filter_config: {
      [MCP_FILTER]: {
        "@type": "type.googleapis.com/envoy.config.route.v3.FilterConfig",
        config: {},
      },
    },
  },
};
