// PAR INDEX scorecards (chỉ số CCHC) in Chromium against the real binary on a demo database:
// the administrator opens the 2025 ranking of communes, opens Phường Kon Tum (submitted, waiting
// for the council), lowers one item's points with a comment, and the total drops by exactly
// that much; the pages pass axe's serious and critical checks.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { ACCOUNTS, launchBrowser, newPage, screenshot, seriousViolations, signIn, startServer } from "../lib/harness.mjs";

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

/** "66,78" → 66.78. */
function num(text) {
  return Number(text.trim().replace(/\s+/g, "").replace(/%$/, "").replace(/\./g, "").replace(",", "."));
}

async function assertAccessible(page, what) {
  const v = await seriousViolations(page);
  assert.deepEqual(v, [], `${what}: serious or critical accessibility violations`);
}

describe("PAR INDEX scorecards", () => {
  test("admin: ranking → a unit → appraise an item with a comment → the total changes by the difference", async () => {
    const page = await newPage(browser);
    await signIn(page, server.base, ACCOUNTS.admin);
    await page.goto(`${server.base}/chi-so-par?nam=2025&loai=xa`);
    await page.getByRole("heading", { name: "Chỉ số cải cách hành chính (PAR INDEX)", level: 1 }).waitFor();
    const table = page.locator("table.par-ranking");
    await table.waitFor();
    assert.ok((await table.locator("tbody tr").count()) > 10, "communes are ranked");
    await assertAccessible(page, "ranking");
    await screenshot(page, "60-par-ranking");

    await table.getByRole("link", { name: "Phường Kon Tum" }).click();
    await page.getByRole("heading", { name: /Chỉ số CCHC năm 2025: Phường Kon Tum/, level: 1 }).waitFor();
    await assertAccessible(page, "scorecard");
    const before = num(await page.locator(".par-total").textContent());
    const rule = await page.locator(".par-rule").textContent();
    assert.match(rule, /điểm sau thẩm định \+ .* điểm điều tra xã hội học/);

    // An item the council has not adjusted yet, with at least half a point claimed.
    const rowId = await page.evaluate(() => {
      for (const tr of document.querySelectorAll("tr.par-leaf")) {
        const own = tr.querySelector(".self-points")?.textContent ?? "";
        const v = Number(own.trim().replace(",", "."));
        if (v >= 0.5 && !tr.textContent.includes("Điều chỉnh") && tr.querySelector("form[action='/chi-so-par/tham-dinh']")) return tr.id;
      }
      return null;
    });
    assert.ok(rowId, "an item to appraise");
    const row = page.locator(`#${rowId}`);
    const claim = num(await row.locator(".self-points").textContent());
    const code = (await row.locator("td").first().textContent()).trim();
    await row.getByText(`Thẩm định tiêu chí ${code}`).click();
    const lowered = claim - 0.5;
    await row.getByLabel(/Điểm thẩm định/).fill(String(lowered).replace(".", ","));
    await row.getByLabel(/Nhận xét/).fill("Tài liệu kiểm chứng chưa thể hiện đầy đủ kết quả (kiểm thử e2e).");
    await row.getByRole("button", { name: "Ghi điểm thẩm định" }).click();
    await page.getByText(`Đã ghi nhận điểm thẩm định tiêu chí ${code}`).waitFor();

    const after = num(await page.locator(".par-total").textContent());
    assert.ok(Math.abs(before - 0.5 - after) < 0.006, `total ${before} → ${after}: down by 0,5`);
    const updated = page.locator(`#${rowId}`);
    assert.equal(num(await updated.locator(".appraised-points").textContent()), lowered);
    assert.match(await updated.textContent(), /kiểm thử e2e/);
    await assertAccessible(page, "scorecard after appraisal");
    await screenshot(page, "61-par-appraised");
  });
});
