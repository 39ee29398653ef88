import { exportSPKI, generateKeyPair, SignJWT } from "jose";
import { describe, expect, it } from "vitest";
import { systemClock } from "../clock.js";
import type { Fetch } from "../fetch.js";
import {
  createProxyKeyFetcher,
  isTrustedPeer,
  peerList,
  verifyProxyToken,
} from "./trusted-proxy.js";

const ARN = "arn:aws:elasticloadbalancing:eu-west-1:1:loadbalancer/app/a/1";
const settings = { clockToleranceSec: 30, clock: systemClock };

describe("trusted proxy", () => {
  it("fetches the ALB key for a kid from the URL template, once", async () => {
    const { publicKey, privateKey } = await generateKeyPair("ES256", { extractable: true });
    const pem = await exportSPKI(publicKey);
    const asked: string[] = [];
    const fetch: Fetch = async (url) => {
      asked.push(url);
      return new Response(pem);
    };
    const keyFor = createProxyKeyFetcher(
      { fetch, clock: systemClock },
      { urlTemplate: "https://public-keys.test/{kid}", timeoutMs: 1000, cooldownMs: 1000 },
    );
    const policy = {
      header: "x-amzn-oidc-data",
      peers: peerList(["10.0.0.0/8"]),
      signer: ARN,
      keyFor,
    };
    const exp = Math.floor(Date.now() / 1000) + 60;
    const token = await new SignJWT({ sub: "u", exp })
      .setProtectedHeader({ alg: "ES256", kid: "kid-1", signer: ARN, exp })
      .sign(privateKey);
    expect(await verifyProxyToken(token, policy, settings)).toMatchObject({ sub: "u" });
    expect(await verifyProxyToken(token, policy, settings)).toMatchObject({ sub: "u" });
    expect(asked).toEqual(["https://public-keys.test/kid-1"]);
  });

  it("does not hammer the key URL for a failing kid, and refuses odd kids", async () => {
    let calls = 0;
    const fetch: Fetch = async () => {
      calls++;
      return new Response("nope", { status: 404 });
    };
    const keyFor = createProxyKeyFetcher(
      { fetch, clock: systemClock },
      { urlTemplate: "https://public-keys.test/{kid}", timeoutMs: 1000, cooldownMs: 60_000 },
    );
    await expect(keyFor("k")).rejects.toThrow("cannot fetch key k");
    await expect(keyFor("k")).rejects.toThrow("recently unavailable");
    expect(calls).toBe(1);
    const policy = { header: "h", peers: peerList(["10.0.0.0/8"]), signer: ARN, keyFor };
    const token = await new SignJWT({})
      .setProtectedHeader({ alg: "ES256", kid: "../../etc", signer: ARN })
      .sign((await generateKeyPair("ES256")).privateKey);
    await expect(verifyProxyToken(token, policy, settings)).rejects.toThrow("bad kid");
  });

  it("strips trailing ALB padding only, in linear time (1M `=` per segment)", async () => {
    const { publicKey, privateKey } = await generateKeyPair("ES256", { extractable: true });
    const policy = {
      header: "x-amzn-oidc-data",
      peers: peerList(["10.0.0.0/8"]),
      signer: ARN,
      keyFor: async () => publicKey,
    };
    const token = await new SignJWT({ sub: "u", exp: Math.floor(Date.now() / 1000) + 60 })
      .setProtectedHeader({ alg: "ES256", kid: "kid-1", signer: ARN })
      .sign(privateKey);
    const padding = "=".repeat(1_000_000);
    const padded = token
      .split(".")
      .map((part) => part + padding)
      .join(".");
    expect(await verifyProxyToken(padded, policy, settings)).toMatchObject({ sub: "u" });
    // `=` that is not trailing stays (and makes the token malformed); `/=+$/` retried from each.
    await expect(verifyProxyToken(`${padding}x.${padding}x.x`, policy, settings)).rejects.toThrow(
      "malformed token",
    );
  });

  it.each([
    ["10.1.2.3", true],
    ["10.255.255.255", true],
    ["11.0.0.1", false],
    ["::ffff:10.1.2.3", true], // IPv4-mapped (dual-stack listeners): the same peer
    ["", false],
    [undefined, false],
  ])("peer %s trusted: %s", (address, trusted) => {
    const policy = {
      header: "h",
      peers: peerList(["10.0.0.0/8", "2001:db8::/32"]),
      signer: ARN,
      keyFor: async () => {
        throw new Error();
      },
    };
    expect(isTrustedPeer(policy, address)).toBe(trusted);
  });
});
