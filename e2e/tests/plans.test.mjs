// Plans and tasks (kế hoạch CCHC) in Chromium against the real binary on a demo database: the
// officer of Phường Kon Tum (the lead unit) opens the unit's board, sees an overdue task,
// reports progress with a PDF, marks the task done, and it leaves the board.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
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

function pdf(name) {
  mkdirSync(artifacts, { recursive: true });
  const path = join(artifacts, name);
  writeFileSync(
    path,
    "%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n" +
      "3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n",
  );
  return path;
}

async function assertAccessible(page, what) {
  const v = await seriousViolations(page);
  assert.deepEqual(v, [], `${what}: serious or critical accessibility violations`);
}

describe("plans and tasks", () => {
  test("officer: an overdue task on the board, progress with a PDF, done, off the board", async () => {
    const page = await newPage(browser);
    await signIn(page, server.base, ACCOUNTS.officer);
    await page.getByRole("link", { name: "Kế hoạch CCHC" }).click();
    await page.getByRole("heading", { name: "Kế hoạch cải cách hành chính", level: 1 }).waitFor();
    await assertAccessible(page, "plan list");
    await page.getByRole("link", { name: "Bảng theo dõi của đơn vị" }).click();
    await page.getByRole("heading", { name: "Bảng theo dõi nhiệm vụ và báo cáo", level: 1 }).waitFor();
    await assertAccessible(page, "board");
    await screenshot(page, "plans-board");

    const overdue = page.locator("section[aria-labelledby='nv-qua-han'] tbody tr");
    const before = await overdue.count();
    assert.ok(before > 0, "the ward has an overdue task");
    const link = overdue.first().locator("th a");
    const title = (await link.textContent()).trim();
    const href = await link.getAttribute("href");
    await link.click();
    await page.getByRole("heading", { name: title, level: 1 }).waitFor();
    await assertAccessible(page, "task page");

    await page.getByLabel("Nội dung").fill("Đã hoàn thành tuyên truyền tại các tổ dân phố, kèm báo cáo.");
    await page.getByLabel("Tỷ lệ hoàn thành (%)").fill("100");
    await page.getByLabel(/Tệp đính kèm/).setInputFiles(pdf("bao-cao-tien-do.pdf"));
    await Promise.all([page.waitForURL((u) => u.pathname === href), page.getByRole("button", { name: "Gửi báo cáo tiến độ" }).click()]);
    await page.getByText("Đã ghi nhận báo cáo tiến độ").waitFor();
    await page.getByRole("link", { name: "bao-cao-tien-do.pdf" }).waitFor();

    await page.getByLabel("Trạng thái", { exact: true }).selectOption("hoan-thanh");
    const today = new Date(Date.now() + 7 * 3600e3).toISOString().slice(0, 10);
    await page.getByLabel(/Ngày hoàn thành/).fill(today);
    await Promise.all([page.waitForURL((u) => u.pathname === href), page.getByRole("button", { name: "Cập nhật trạng thái" }).click()]);
    await page.getByText("Đã cập nhật trạng thái nhiệm vụ").waitFor();
    await screenshot(page, "plans-task-done");

    await page.getByRole("link", { name: "Bảng theo dõi của đơn vị chủ trì" }).click();
    await page.getByRole("heading", { name: "Bảng theo dõi nhiệm vụ và báo cáo", level: 1 }).waitFor();
    assert.equal(await page.locator(`section[aria-labelledby='nv-qua-han'] a[href='${href}']`).count(), 0, "the task left the board");
    assert.equal(await page.locator("section[aria-labelledby='nv-qua-han'] tbody tr").count(), before - 1);
  });
});
