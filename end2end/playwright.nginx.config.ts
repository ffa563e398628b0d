import { defineConfig } from "@playwright/test";
import base from "./playwright.config";

// The smoke run through a load balancer: two Gatehouse instances on one
// PostgreSQL behind nginx, round-robin (serve-nginx.sh). Only smoke specs.
const port = Number(process.env.E2E_NGINX_PORT ?? 3918);
const baseURL = `http://127.0.0.1:${port}`;

export default defineConfig({
  ...base,
  testMatch: /nginx-smoke\.spec\.ts/,
  testIgnore: [],
  workers: 1,
  projects: [{ name: "nginx" }],
  use: { ...base.use, baseURL },
  webServer: {
    command: `bash ./serve-nginx.sh ${port}`,
    url: `${baseURL}/healthz`,
    timeout: 90_000,
    reuseExistingServer: false,
    // SIGTERM lets the script stop what it started (and remove its temporary files).
    gracefulShutdown: { signal: "SIGTERM", timeout: 10_000 },
    stdout: "pipe",
    stderr: "pipe",
  },
});
