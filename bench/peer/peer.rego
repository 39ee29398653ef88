# The peer's way to run the shipped policy: opa-envoy-plugin users verify JWTs in Rego
# (io.jwt.decode_verify) and take the SPIFFE ID from Envoy's validated source_principal. This
# builds the same input.identity the sidecar builds, then asks the shipped policy.
package bench.peer

import rego.v1

import data.envoy.authz

bearer := substring(header, 7, -1) if {
	header := input.attributes.request.http.headers.authorization
	startswith(header, "Bearer ")
}

claims := payload if {
	[valid, _, payload] := io.jwt.decode_verify(bearer, {"cert": data.bench.jwks, "iss": data.bench.issuer, "aud": "openclaw", "alg": "RS256"})
	valid
}

spiffe := {"id": id, "trust_domain": trust_domain, "path": path} if {
	id := input.source_principal
	startswith(id, "spiffe://")
	rest := substring(id, 9, -1)
	trust_domain := split(rest, "/")[0]
	path := substring(rest, count(trust_domain), -1)
}

# The benchmark's callers present either a token or a certificate, never both.
identity := {"authenticated": true, "methods": ["jwt"], "jwt": {"claims": claims, "subject": claims.sub}, "subject": claims.sub} if {
	claims
} else := {"authenticated": true, "methods": ["x509-svid"], "spiffe": spiffe, "subject": spiffe.id} if {
	spiffe
} else := {"authenticated": false, "methods": []}

allow := decision if {
	decision := authz.allow with input.identity as identity
}
