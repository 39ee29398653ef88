// `helm test`: one request through Envoy (mutual TLS with the test client's X.509-SVID) and so
// through the sidecar. It passes when the answer, an allow or a deny, carries the decision id
// Envoy copies from the sidecar's dynamic metadata: then the sidecar decided. A failed check
// (sidecar down, socket missing) gets Envoy's bare 403 without one.
// Environment: TARGET (https URL), TRUST_DOMAINS (comma-separated), SVID_DIR (svid.pem,
// svid-key.pem, bundle.pem).
import { readFileSync } from "node:fs";
import { request } from "node:https";

const { TARGET, TRUST_DOMAINS, SVID_DIR } = process.env;
const domains = (TRUST_DOMAINS ?? "").split(",").filter(Boolean);
const read = (name) => readFileSync(`${SVID_DIR}/${name}`);
const DECISION_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Envoy's SVID names a SPIFFE ID, not a DNS name: that is what is checked. */
function checkServerIdentity(_host, certificate) {
  const ids = (certificate.subjectaltname ?? "")
    .split(", ")
    .filter((name) => name.startsWith("URI:spiffe://"))
    .map((name) => name.slice(4));
  if (ids.some((id) => domains.some((domain) => id.startsWith(`spiffe://${domain}/`)))) return;
  return new Error(`Envoy's SVID (${ids.join(" ") || "no SPIFFE ID"}) is not of ${domains}`);
}

const fail = (message) => {
  console.error(`helm test failed: ${message}`);
  process.exitCode = 1;
};
const call = request(
  TARGET,
  {
    cert: read("svid.pem"),
    key: read("svid-key.pem"),
    ca: read("bundle.pem"),
    minVersion: "TLSv1.3",
    checkServerIdentity,
    timeout: 10_000,
  },
  (response) => {
    response.resume();
    const id = response.headers["x-openclaw-authz-decision-id"];
    console.log(JSON.stringify({ status: response.statusCode, decision_id: id ?? null }));
    if (!DECISION_ID.test(id ?? "")) fail("no decision id: the sidecar did not decide");
  },
);
call.on("timeout", () => call.destroy(new Error("no answer in 10 s")));
call.on("error", (error) => fail(error.message));
call.end();
