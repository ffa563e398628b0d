import { APIRequestContext, Browser, Page, expect } from "@playwright/test";
import { ChildProcess, execFileSync, spawn } from "node:child_process";
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

// Real identity providers for the SSO specs: a free port, a fresh browser,
// and the npm package saml-idp started with a key and certificate that
// openssl makes for the run.

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.on("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

export async function freshPage(browser: Browser) {
  const context = await browser.newContext();
  return { context, page: await context.newPage() };
}

/** Signs in at saml-idp's page as `email` (it asks for no password). */
export async function signInAtIdp(page: Page, email: string) {
  await expect(page.locator("#userName")).toBeVisible();
  await page.locator("#userName").fill(email);
  await page.locator("#email").fill(email);
  await page.locator("#btn-sign-in").click();
}

export interface SamlIdp {
  url: string;
  port: number;
  /** Its signing key and certificate, for another saml-idp that signs with them (`keyOf`). */
  keyFile: string;
  certFile: string;
  certificate: string;
  /** SHA-256, colon-separated, as openssl prints it. */
  fingerprint: string;
  stop(): Promise<void>;
}

/** saml-idp for the organization acme of `baseURL`, named `name`, with `audience`: with a new
 * key, or signing with the key of `keyOf`; on a free port, or on `port` (an identity provider
 * that changed its signing key keeps its address). */
export async function startSamlIdp(
  request: APIRequestContext,
  baseURL: string,
  o: { name: string; issuer: string; audience: string; keyOf?: SamlIdp; port?: number },
): Promise<SamlIdp> {
  const dir = mkdtempSync(join(tmpdir(), "gatehouse-idp-"));
  const key = join(dir, "idp-key.pem");
  const cert = join(dir, "idp-cert.pem");
  if (o.keyOf) {
    copyFileSync(o.keyOf.keyFile, key);
    copyFileSync(o.keyOf.certFile, cert);
  } else {
    execFileSync("openssl", ["req", "-x509", "-new", "-newkey", "rsa:2048", "-nodes", "-subj", `/CN=${o.name}`, "-keyout", key, "-out", cert, "-days", "30"], { stdio: "ignore" });
  }
  const certificate = readFileSync(cert, "utf8");
  const fingerprint = execFileSync("openssl", ["x509", "-in", cert, "-noout", "-fingerprint", "-sha256"], { encoding: "utf8" }).trim().split("=")[1];
  // --configFile must be an absolute path (saml-idp requires it relative to itself).
  const config = join(dir, "idp-config.js");
  writeFileSync(
    config,
    `module.exports = {
      user: { userName: "nobody@example.com", nameIdFormat: "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress", email: "nobody@example.com" },
      metadata: [{ id: "email", optional: false, displayName: "E-Mail Address", description: "email", multiValue: false }],
    };\n`,
  );
  // The metadata of this process, not of one still on the port: it carries this certificate.
  const certBody = certificate.replace(/-----[^-]+-----|\s/g, "");
  for (let attempt = 1; ; attempt++) {
    const port = o.port ?? (await freePort());
    const url = `http://127.0.0.1:${port}`;
    const idp: ChildProcess = spawn(
      join(__dirname, "..", "node_modules", ".bin", "saml-idp"),
      [
        "--host", "127.0.0.1", "--port", String(port),
        "--cert", cert, "--key", key,
        "--issuer", o.issuer,
        "--acsUrl", `${baseURL}/acme/finish-login`,
        "--audience", o.audience,
        "--configFile", config,
        // Post to the ACS URL configured here, not the one in the AuthnRequest.
        "--static",
      ],
      { stdio: "ignore" },
    );
    let exited: number | string | null = null;
    idp.once("exit", (code, signal) => (exited = code ?? signal));
    await expect
      .poll(async () => {
        if (exited !== null) return "exited";
        // Briefly: whatever else holds the port may never answer.
        const r = await request.get(`${url}/metadata`, { timeout: 2_000 }).catch(() => null);
        return r?.status() === 200 && (await r.text()).replace(/\s/g, "").includes(certBody) ? "up" : "starting";
      }, { timeout: 30_000 })
      .not.toBe("starting");
    if (exited !== null) {
      // The port was taken between freePort and the start (another process
      // picked it): another free port. A port asked for must be free already.
      if (o.port === undefined && attempt < 3) continue;
      throw new Error(`saml-idp did not start on port ${port} (it exited: ${exited})`);
    }
    return {
      url,
      port,
      keyFile: key,
      certFile: cert,
      certificate,
      fingerprint,
      // Resolves once the process has exited and its port is free again.
      async stop() {
        if (idp.exitCode === null && idp.signalCode === null) {
          const gone = new Promise((resolve) => idp.once("exit", resolve));
          idp.kill();
          await gone;
        }
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }
}

/** A real OpenID provider (end2end/oidc-provider.mjs, the npm package oidc-provider) whose
 * client "gatehouse" sends people back to `baseURL`/acme/oidc/callback, signing in `email`
 * without asking for a password. Stop it with `kill()`. */
export async function startOidcProvider(request: APIRequestContext, baseURL: string, email: string): Promise<{ issuer: string; process: ChildProcess }> {
  const port = await freePort();
  const issuer = `http://127.0.0.1:${port}`;
  const process_ = spawn("node", [join(__dirname, "..", "oidc-provider.mjs")], {
    stdio: "ignore",
    env: {
      ...process.env,
      OIDC_PORT: String(port),
      OIDC_CLIENT_ID: "gatehouse",
      OIDC_CLIENT_SECRET: "e2e-client-secret",
      OIDC_REDIRECT_URIS: `${baseURL}/acme/oidc/callback`,
      OIDC_EMAIL: email,
    },
  });
  await expect
    .poll(async () => (await request.get(`${issuer}/.well-known/openid-configuration`).catch(() => null))?.status() ?? 0, { timeout: 30_000 })
    .toBe(200);
  return { issuer, process: process_ };
}
