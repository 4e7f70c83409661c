// The e2e harness: starts the real `cchc` binary on a fresh SQLite database filled by
// `cchc demo`, launches Debian's Chromium through playwright-core, and offers the helpers
// the tests share (sign in, accessibility check with axe-core, screenshots).
import { spawn } from "node:child_process";
import { copyFileSync, existsSync, mkdtempSync, mkdirSync, readFileSync, renameSync, rmSync, statSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

const here = dirname(fileURLToPath(import.meta.url));
export const root = resolve(here, "..", "..");
export const artifacts = resolve(here, "..", "artifacts");
export const PASSWORD = "cchc-demo-2025";
export const ACCOUNTS = {
  officer: "cb.w2025-23293",
  leader: "ld.w2025-23293",
  otherOfficer: "cb.w2025-23284",
  citizen: "congdan001",
  admin: "quantri",
};

function freePort() {
  return new Promise((ok, fail) => {
    const s = createServer();
    s.unref();
    s.on("error", fail);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => ok(port));
    });
  });
}

/**
 * The demo database for this binary and size, filled once per run of the suite (filling takes
 * a minute or two in a debug build) and copied for each test, so every test starts from the
 * same fresh data without paying for it again.
 */
function demoTemplate(bin, dossiers) {
  const stamp = Math.floor(statSync(bin).mtimeMs);
  const path = join(tmpdir(), `cchc-e2e-template-${dossiers}-${stamp}.db`);
  if (existsSync(path)) return path;
  const started = Date.now();
  const partial = `${path}.part`;
  for (const s of ["", "-wal", "-shm"]) rmSync(`${partial}${s}`, { force: true });
  const r = spawnSync(
    bin,
    ["--database-url", `sqlite://${partial}`, "demo", "--dossiers", String(dossiers), "--no-serve"],
    { cwd: root, env: { ...process.env, CCHC_LOG: "warn" }, encoding: "utf8", maxBuffer: 64 << 20 },
  );
  if (r.status !== 0) throw new Error(`cchc demo --no-serve failed (${r.status}):\n${r.stderr}`);
  // The WAL (if the process left one) travels with the database; the main file goes last, as
  // its presence marks the template complete.
  for (const s of ["-wal", "-shm"]) if (existsSync(`${partial}${s}`)) renameSync(`${partial}${s}`, `${path}${s}`);
  renameSync(partial, path);
  console.log(`# demo database filled in ${((Date.now() - started) / 1000).toFixed(1)}s`);
  return path;
}

/** Starts `cchc demo` on a fresh copy of the demo database and waits until it answers. */
export async function startServer({ dossiers = 300 } = {}) {
  const bin = process.env.CCHC_BIN || join(root, "target", "debug", "cchc");
  const dir = mkdtempSync(join(tmpdir(), "cchc-e2e-"));
  const template = demoTemplate(bin, dossiers);
  for (const s of ["-wal", "-shm"]) if (existsSync(`${template}${s}`)) copyFileSync(`${template}${s}`, join(dir, `e2e.db${s}`));
  copyFileSync(template, join(dir, "e2e.db"));
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const log = [];
  const child = spawn(
    bin,
    ["--database-url", `sqlite://${join(dir, "e2e.db")}`, "demo", "--dossiers", String(dossiers), "--bind", `127.0.0.1:${port}`],
    { cwd: root, env: { ...process.env, CCHC_LOG: "warn" }, stdio: ["ignore", "pipe", "pipe"] },
  );
  for (const s of [child.stdout, child.stderr]) s.on("data", (d) => log.push(d.toString()));
  const started = Date.now();
  const limit = Number(process.env.CCHC_E2E_START_SECONDS || 600) * 1000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`cchc exited ${child.exitCode}:\n${log.join("")}`);
    try {
      const r = await fetch(`${base}/healthz`);
      if (r.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() - started > limit) {
      child.kill("SIGKILL");
      throw new Error(`cchc did not start in ${limit / 1000}s:\n${log.join("")}`);
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  console.log(`# cchc demo ready at ${base} in ${((Date.now() - started) / 1000).toFixed(1)}s`);
  return {
    base,
    log,
    async stop() {
      child.kill("SIGINT");
      await new Promise((r) => setTimeout(r, 300));
      if (child.exitCode === null) child.kill("SIGKILL");
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export async function launchBrowser() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}

/** A fresh browser context (its own cookies): desktop, or a 360 px phone. */
export async function newPage(browser, { phone = false } = {}) {
  const context = await browser.newContext(
    phone
      ? { viewport: { width: 360, height: 740 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true, locale: "vi-VN" }
      : { viewport: { width: 1280, height: 900 }, locale: "vi-VN" },
  );
  const page = await context.newPage();
  page.on("pageerror", (e) => console.log(`# page error: ${e.message}`));
  return page;
}

export async function signIn(page, base, username) {
  await page.goto(`${base}/dang-nhap`);
  await page.getByLabel("Tên đăng nhập").fill(username);
  await page.getByLabel("Mật khẩu").fill(PASSWORD);
  await Promise.all([page.waitForURL((u) => !u.pathname.startsWith("/dang-nhap")), page.getByRole("button", { name: "Đăng nhập" }).click()]);
}

export async function signOut(page) {
  await page.getByRole("button", { name: "Đăng xuất" }).click();
}

/** Saves a screenshot under e2e/artifacts and prints where, so CI output shows each one. */
export async function screenshot(page, name, { fullPage = true } = {}) {
  mkdirSync(artifacts, { recursive: true });
  const path = join(artifacts, `${name}.png`);
  await page.screenshot({ path, fullPage });
  console.log(`# screenshot: ${path}`);
  return path;
}

const axeSource = readFileSync(join(root, "e2e", "node_modules", "axe-core", "axe.min.js"), "utf8");

/** Runs axe-core on the page; returns the serious and critical violations. */
export async function seriousViolations(page) {
  // Evaluated through the DevTools protocol, so the page's CSP (no inline script) is kept.
  await page.evaluate(axeSource);
  const result = await page.evaluate(async () =>
    // eslint-disable-next-line no-undef
    axe.run(document, { runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] } }),
  );
  return result.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.slice(0, 3).map((n) => n.target.join(" ")).join(", ")}`);
}

/** No horizontal scrolling: the page fits the viewport width. */
export async function fitsWidth(page) {
  return page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth + 1);
}
