// The emulation movement (thi đua, khen thưởng) in Chromium against the real binary on a demo
// database: the reform office opens the movement, evaluates the last full year, opens a
// subject, adjusts one verdict with a reason, approves, downloads the DOCX proposal of a
// nomination list, and LibreOffice (a real reader) converts it to PDF and to text, which
// holds the criteria results and a nominee's name. Accessibility checked with axe-core.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { ACCOUNTS, artifacts, launchBrowser, newPage, screenshot, seriousViolations, signIn, startServer } from "../lib/harness.mjs";

let server;
let browser;

before(async () => {
  server = await startServer();
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

async function assertAccessible(page, what) {
  const v = await seriousViolations(page);
  assert.deepEqual(v, [], `${what}: serious or critical accessibility violations`);
}

/** The last full year in Vietnam (UTC+7). */
function lastFullYear() {
  return new Date(Date.now() + 7 * 3600e3).getUTCFullYear() - 1;
}

/** `soffice`, or a failure saying how to get it (CI installs libreoffice-writer-nogui). */
function soffice() {
  const found = spawnSync("sh", ["-c", "command -v soffice"], { encoding: "utf8" });
  const path = found.stdout.trim();
  assert.ok(
    found.status === 0 && path,
    "LibreOffice (soffice) is not installed: the DOCX proposal cannot be checked with a real reader. " +
      "Install it (apt-get install libreoffice-writer-nogui) and run the test again.",
  );
  return path;
}

/** Converts a file with LibreOffice headless, in its own profile; returns the output path. */
function convert(bin, file, to, ext, outdir) {
  const profile = mkdtempSync(join(tmpdir(), "lo-"));
  try {
    const r = spawnSync(
      bin,
      [`-env:UserInstallation=file://${profile}`, "--headless", "--norestore", "--convert-to", to, "--outdir", outdir, file],
      { encoding: "utf8", timeout: 180_000 },
    );
    assert.equal(r.status, 0, `soffice --convert-to ${to} failed: ${r.stdout}\n${r.stderr}`);
  } finally {
    rmSync(profile, { recursive: true, force: true });
  }
  const out = join(outdir, basename(file).replace(/\.docx$/, `.${ext}`));
  assert.ok(existsSync(out), `soffice wrote no ${out}`);
  return out;
}

describe("emulation movement", () => {
  test("the reform office evaluates, adjusts with a reason, approves, and the DOCX proposal opens in LibreOffice", async () => {
    const bin = soffice();
    const year = lastFullYear();
    const page = await newPage(browser);
    await signIn(page, server.base, ACCOUNTS.admin);

    // The movements, then the movement.
    await page.getByRole("navigation", { name: "Điều hướng chính" }).getByRole("link", { name: "Thi đua, khen thưởng" }).click();
    await page.getByRole("heading", { name: "Thi đua, khen thưởng", level: 1 }).waitFor();
    await page.getByRole("link", { name: /Phong trào thi đua đẩy mạnh/ }).first().click();
    await page.getByRole("heading", { name: /Phong trào thi đua đẩy mạnh/, level: 1 }).waitFor();
    await page.getByLabel("Năm bình xét", { exact: true }).selectOption(String(year));
    await Promise.all([page.waitForURL(new RegExp(`nam=${year}`)), page.getByRole("button", { name: "Xem" }).click()]);
    await page.getByRole("heading", { name: `Kết quả bình xét năm ${year}` }).waitFor();
    await assertAccessible(page, "movement page");

    // Evaluate the last full year: a draft awaiting approval.
    await Promise.all([page.waitForURL(/\/thi-dua\//), page.getByRole("button", { name: "Đánh giá", exact: true }).click()]);
    assert.match(await page.getByRole("status").textContent(), new RegExp(`Đã đánh giá năm ${year}`));
    assert.match(await page.locator(".emulation-status").textContent(), /Chờ phê duyệt/);
    await screenshot(page, "emulation-movement");

    // A member of staff's page: every criterion with its evidence.
    const staffTable = page.getByRole("table", { name: /Kết quả từng tiêu chí của cán bộ/ });
    const person = staffTable.getByRole("rowheader").first().getByRole("link");
    const personName = (await person.textContent()).trim();
    await person.click();
    await page.getByRole("heading", { name: personName, level: 1 }).waitFor();
    await page.getByRole("heading", { name: "Kết quả từng tiêu chí" }).waitFor();
    await assertAccessible(page, "subject page");

    // Adjust the first criterion with a reason.
    const reason = "Đã xác minh lại hồ sơ, có văn bản giải trình của đơn vị (kiểm thử).";
    await page.locator("details.entry summary").first().click();
    const form = page.locator("details.entry form").first();
    const choice = await form.getByRole("combobox").locator("option").first().textContent();
    await form.getByRole("textbox").fill(reason);
    await Promise.all([page.waitForLoadState("load"), form.getByRole("button", { name: "Ghi nhận điều chỉnh" }).click()]);
    assert.match(await page.getByRole("status").textContent(), new RegExp(`Đã điều chỉnh tiêu chí .* thành «${choice.trim()}»`));
    const history = await page.locator("ol.adjustments").textContent();
    assert.ok(history.includes(reason), `the history shows the reason: ${history}`);
    await screenshot(page, "emulation-subject");
    await assertAccessible(page, "subject page after the adjustment");

    // Back to the movement: approve the list.
    await page.getByRole("link", { name: /^← Phong trào thi đua/ }).click();
    await page.getByRole("heading", { name: `Kết quả bình xét năm ${year}` }).waitFor();
    await Promise.all([page.waitForLoadState("load"), page.getByRole("button", { name: "Phê duyệt danh sách" }).click()]);
    assert.match(await page.getByRole("status").textContent(), /Đã phê duyệt danh sách/);
    assert.match(await page.locator(".emulation-status").textContent(), /Đã phê duyệt/);

    // The first nomination list: a nominee shown on the page, and its DOCX bundle.
    const list = page.locator("article.nomination").first();
    const nominee = (await list.locator("ol.nominees li a").first().textContent()).trim();
    assert.ok(nominee.length > 0);
    const [download] = await Promise.all([
      page.waitForEvent("download"),
      list.getByRole("link", { name: /Tải trọn bộ hồ sơ \(DOCX\)/ }).click(),
    ]);
    mkdirSync(artifacts, { recursive: true });
    const dir = mkdtempSync(join(tmpdir(), "cchc-docx-"));
    const docx = join(dir, "ho-so-de-nghi.docx");
    await download.saveAs(docx);
    assert.equal(readFileSync(docx).subarray(0, 2).toString("latin1"), "PK", "a DOCX is a zip");
    await screenshot(page, "emulation-approved");

    // A real reader: LibreOffice renders it to PDF and reads its text.
    const pdf = convert(bin, docx, "pdf", "pdf", dir);
    assert.equal(readFileSync(pdf).subarray(0, 4).toString("latin1"), "%PDF");
    const txt = convert(bin, docx, "txt:Text", "txt", dir);
    const text = readFileSync(txt, "utf8");
    assert.ok(text.includes("Đạt"), "the criteria results are in the document");
    assert.ok(text.includes(nominee), `the nominee ${nominee} is in the document`);
    rmSync(dir, { recursive: true, force: true });
    await page.context().close();
  });
});
