// The reform indicators (chỉ số cải cách hành chính) in Chromium against the real binary on a
// demo database: the administrator's scorecard and its drill-down, a leader kept to their
// ward, the ranking on a phone, the public page of closed periods, a manual value with its
// evidence file, verifying a closed period, and the period selector by keyboard.
// The demo closes the last four quarters; the current quarter is open.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ACCOUNTS, artifacts, fitsWidth, launchBrowser, newPage, screenshot, seriousViolations, signIn, startServer } from "../lib/harness.mjs";

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

const OVERVIEW = "/chi-so-cai-cach";
/** Phường Kon Tum, the leader's and officer's ward. */
const WARD = "w2025:23293";

async function assertAccessible(page, what) {
  const v = await seriousViolations(page);
  assert.deepEqual(v, [], `${what}: serious or critical accessibility violations`);
}

/** "1.234" → 1234; "66,78" → 66.78; "—" → NaN. */
function num(text) {
  const t = text.trim().replace(/\s+/g, "").replace(/%$/, "");
  return Number(t.replace(/\./g, "").replace(",", "."));
}

/** A small but real PDF file. */
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

/** Today's quarter in Vietnam (UTC+7), as the pages write it in addresses: "2026-Q4". */
function currentQuarter() {
  const d = new Date(Date.now() + 7 * 3600e3);
  return `${d.getUTCFullYear()}-Q${Math.floor(d.getUTCMonth() / 3) + 1}`;
}

/** The drill-down's check line: [listed total, table number]. */
async function drillTotals(page) {
  const line = page.locator("p.check-line");
  const text = (await line.textContent()).replace(/\s+/g, " ");
  const m = text.match(/Tổng theo danh sách: ([\d.]+) (=|≠) số trên bảng: ([\d.]+)/);
  assert.ok(m, `the check line reads "Tổng theo danh sách: X = số trên bảng: Y": ${text}`);
  return { listed: num(m[1]), shown: num(m[3]), sign: m[2] };
}

/** Sum of the drill-down's "Đóng góp" column (+1, −1, 0 per dossier). */
async function contributions(page) {
  const cells = await page.locator("table.drill tbody td[data-label='Đóng góp']").allTextContents();
  return cells.reduce((s, c) => s + Number(c.trim().replace("+", "").replace(/\./g, "")), 0);
}

describe("reform indicators", () => {
  test("admin: scorecard adds up, trend chart, 2.1 numerator and denominator drill down to the same numbers", async () => {
    const page = await newPage(browser);
    await signIn(page, server.base, ACCOUNTS.admin);
    await page.goto(`${server.base}${OVERVIEW}`);
    await page.getByRole("heading", { name: "Chỉ số cải cách hành chính", level: 1 }).waitFor();

    // The total out of 100, and the rule it came from matching the group table.
    const stat = page.locator(".stat.score");
    assert.match(await stat.textContent(), /điểm trên thang 100/);
    const score = num(await stat.locator(".n").textContent());
    assert.ok(score >= 0 && score <= 100, `score within 0..100: ${score}`);
    const rule = (await page.locator("#tong-diem ~ p.rule").textContent()).replace(/\s+/g, " ");
    const rm = rule.match(/([\d.,]+) điểm đạt ÷ ([\d.,]+) điểm của các chỉ số tính được × 100 = ([\d.,]+)/);
    assert.ok(rm, `the rule explains the total: ${rule}`);
    assert.equal(num(rm[3]), score, "the rule ends in the score shown");
    const groups = page.locator("section[aria-labelledby=nhom-chi-so] tbody tr");
    assert.equal(await groups.count(), 6, "six indicator groups");
    let pts = 0;
    let applicable = 0;
    for (const row of await groups.all()) {
      pts += num(await row.locator("td[data-label='Điểm đạt']").textContent());
      applicable += num(await row.locator("td[data-label='Có số liệu']").textContent());
    }
    assert.ok(Math.abs(pts - num(rm[1])) < 0.02, `group points add up to the rule's ${rm[1]}: ${pts}`);
    assert.ok(Math.abs(applicable - num(rm[2])) < 0.02, `applicable maxima add up to the rule's ${rm[2]}: ${applicable}`);
    assert.ok(Math.abs((pts / applicable) * 100 - score) < 0.05, "score = points ÷ applicable × 100");

    // The trend: an image with a name, one dot per month with a score, one gap mark per month without.
    const chart = page.locator("figure.chart-box svg[role=img]");
    assert.equal(await chart.count(), 1);
    assert.match(await chart.getAttribute("aria-label"), /Điểm tổng \(thang 100\) của .+ theo tháng/);
    const trend = await page.locator("section[aria-labelledby=xu-huong] details tbody tr td").allTextContents();
    assert.equal(trend.length, 12, "twelve months in the chart's table");
    assert.equal(await chart.locator("circle.chart-point").count(), trend.filter((t) => /điểm/.test(t)).length);
    assert.equal(await chart.locator("rect.chart-gap").count(), trend.filter((t) => !/điểm/.test(t)).length);
    await assertAccessible(page, "indicator overview");
    await screenshot(page, "40-indicators-overview-admin");

    // Indicator 2.1: the numerator's link leads to the dossiers that make it.
    const row = page.locator("tr#chi-so-2\\.1");
    const numLink = row.getByRole("link", { name: /^Tử số chỉ số 2\.1: [\d.]+ hồ sơ/ });
    const denLink = row.getByRole("link", { name: /^Mẫu số chỉ số 2\.1: [\d.]+ hồ sơ/ });
    const numerator = num(await numLink.textContent());
    const denominator = num(await denLink.textContent());
    assert.ok(denominator > 0, "the province has dossiers counted in 2.1 this quarter");
    assert.ok(numerator <= denominator);
    await Promise.all([page.waitForURL(/\/chi-so-cai-cach\/ho-so\?.*phan=tu/), numLink.click()]);
    await page.getByRole("heading", { name: "Hồ sơ thuộc tử số chỉ số 2.1" }).waitFor();
    let t = await drillTotals(page);
    assert.equal(t.sign, "=", "the list matches the table");
    assert.equal(t.shown, numerator, "the drill-down's table number is the overview's numerator");
    assert.equal(t.listed, numerator, "the list adds up to the overview's numerator");
    assert.equal(await contributions(page), numerator, "the 'Đóng góp' column adds up to the numerator");
    await assertAccessible(page, "drill-down");
    await screenshot(page, "41-indicators-drill-numerator");

    await page.getByRole("link", { name: "Xem hồ sơ thuộc mẫu số" }).click();
    await page.getByRole("heading", { name: "Hồ sơ thuộc mẫu số chỉ số 2.1" }).waitFor();
    t = await drillTotals(page);
    assert.equal(t.listed, denominator, "the denominator's list adds up to the overview's denominator");
    assert.equal(t.shown, denominator);
    assert.equal(await page.locator("table.drill tbody tr").count(), denominator, "one row per dossier of the denominator");

    // Back to the overview, at the indicator's row.
    await page.getByRole("link", { name: /^← Chỉ số của / }).click();
    await page.waitForURL(/\/chi-so-cai-cach\?.*#chi-so-2\.1$/);
    await page.locator("tr#chi-so-2\\.1").waitFor();
  });

  test("a leader sees their ward, gets a Vietnamese 403 for the province, and ranking links only to their own unit", async () => {
    const page = await newPage(browser);
    await signIn(page, server.base, ACCOUNTS.leader);
    await page.goto(`${server.base}${OVERVIEW}`);
    assert.match(await page.locator("p.lead").textContent(), /Kon Tum/);
    assert.equal(await page.getByLabel("Đơn vị", { exact: true }).inputValue(), WARD, "the scorecard is the leader's ward");
    const units = await page.getByLabel("Đơn vị", { exact: true }).locator("option").allTextContents();
    assert.match(units[0], /Kon Tum/, `the unit selector starts at the ward: ${units.join(" | ")}`);
    assert.ok(!units.some((u) => /Quảng Ngãi|Tỉnh/.test(u)), `the selector offers no province: ${units.join(" | ")}`);
    assert.equal(await page.getByRole("link", { name: "Chốt số liệu" }).count(), 0, "no closing link for a leader");
    // The province (Quảng Ngãi, p2025:51) the ward belongs to, its drill-down, and closing.
    for (const path of [
      `${OVERVIEW}?don-vi=p2025%3A51`,
      `${OVERVIEW}/ho-so?don-vi=p2025%3A51&chi-so=2.1&phan=tu`,
      `${OVERVIEW}/chot-so-lieu`,
    ]) {
      const r = await page.goto(`${server.base}${path}`);
      assert.equal(r.status(), 403, `${path} is refused`);
      await page.getByRole("heading", { name: "Không có quyền truy cập" }).waitFor();
      assert.match(await page.getByRole("alert").textContent(), /Không có quyền/);
    }
    await screenshot(page, "42-indicators-leader-refused-province");

    // The last twelve months, so the ward has dossiers whatever the day.
    const today = new Date(Date.now() + 7 * 3600e3);
    const day = (d) => d.toISOString().slice(0, 10);
    const yearAgo = new Date(today.getTime() - 364 * 86400e3);
    await page.goto(`${server.base}${OVERVIEW}/xep-hang?loai=xa&tu=${day(yearAgo)}&den=${day(today)}`);
    const own = page.getByRole("row", { name: /Phường Kon Tum/ }).first();
    await own.waitFor();
    assert.equal(await own.getByRole("link", { name: "Phường Kon Tum" }).count(), 1, "the own ward is a link");
    const others = page.locator("table.ranking tbody th, table.unranked tbody th");
    assert.ok((await others.count()) > 1, "other wards are listed too");
    for (const th of await others.all()) {
      const name = (await th.textContent()).trim();
      if (name === "Phường Kon Tum") continue;
      assert.equal(await th.locator("a").count(), 0, `no link to ${name}, which the leader may not open`);
    }
    const href = await own.getByRole("link", { name: "Phường Kon Tum" }).getAttribute("href");
    const r = await page.goto(`${server.base}${href}`);
    assert.equal(r.status(), 200, "the ranking's link to the own ward opens");

    // The ward's own drill-down works, and its dossiers open for the leader.
    const den = page.locator("tr#chi-so-2\\.1").getByRole("link", { name: /^Mẫu số chỉ số 2\.1/ });
    const denominator = num(await den.textContent());
    await den.click();
    await page.getByRole("heading", { name: "Hồ sơ thuộc mẫu số chỉ số 2.1" }).waitFor();
    const t = await drillTotals(page);
    assert.equal(t.listed, denominator);
    assert.equal(t.shown, denominator);
    const solving = new Set(await page.locator("table.drill tbody td[data-label='Đơn vị']").allTextContents());
    assert.ok([...solving].every((u) => /Kon Tum/.test(u)), `only the ward's dossiers: ${[...solving]}`);
    const first = page.locator("table.drill tbody th a").first();
    if ((await first.count()) > 0) {
      const code = (await first.textContent()).trim();
      await first.click();
      await page.getByRole("heading", { name: `Hồ sơ ${code}` }).waitFor();
    }
  });

  test("ranking on a phone: fits the width, lists unranked units with the reason", async () => {
    const page = await newPage(browser, { phone: true });
    await signIn(page, server.base, ACCOUNTS.admin);
    await page.goto(`${server.base}${OVERVIEW}`);
    await page.getByRole("link", { name: "Xếp hạng đơn vị" }).click();
    await page.getByRole("heading", { name: "Xếp hạng đơn vị", level: 1 }).waitFor();
    assert.match(await page.locator("p.lead").textContent(), /Xã, phường, đặc khu · Điểm tổng \(thang 100\)/);
    const minVolume = Number((await page.locator("main").textContent()).match(/dưới (\d+) hồ sơ/)[1]);
    const unranked = page.locator("table.unranked tbody tr");
    const n = await unranked.count();
    assert.ok(n > 0, "a demo with few dossiers per ward has unranked units");
    assert.match(await page.getByRole("heading", { name: /Không xếp hạng/ }).textContent(), new RegExp(`\\(${n} đơn vị\\)`));
    for (const row of await unranked.all()) {
      const volume = num(await row.locator("td[data-label='Số hồ sơ']").textContent());
      const reason = await row.locator("td[data-label='Lý do']").textContent();
      assert.ok(volume < minVolume || /chưa có chỉ số/.test(reason), `unranked for a reason: ${volume} hồ sơ, ${reason}`);
    }
    for (const row of await page.locator("table.ranking tbody tr").all()) {
      assert.ok(num(await row.locator("td[data-label='Số hồ sơ']").textContent()) >= minVolume, "ranked units have enough dossiers");
    }
    assert.ok(await fitsWidth(page), "the ranking fits a 360 px screen");
    await assertAccessible(page, "ranking");
    await screenshot(page, "43-indicators-ranking-phone");
    // Another kind of unit, from the form.
    await page.getByLabel("Loại đơn vị", { exact: true }).selectOption("so");
    await Promise.all([page.waitForURL(/loai=so/), page.getByRole("button", { name: "Xem" }).click()]);
    assert.match(await page.locator("p.lead").textContent(), /Sở, ban, ngành/);
    assert.ok(await fitsWidth(page), "the departments' ranking fits a 360 px screen");
  });

  test("public /chi-so: closed quarters only, without signing in, no links to dossiers", async () => {
    const page = await newPage(browser, { phone: true });
    await page.goto(`${server.base}/chi-so`);
    await page.getByRole("heading", { name: "Chỉ số phục vụ người dân, doanh nghiệp" }).waitFor();
    const periods = await page.getByLabel("Kỳ đã công bố", { exact: true }).locator("option").evaluateAll((os) => os.map((o) => o.value));
    const current = currentQuarter();
    assert.equal(periods.length, 4, `the demo publishes the last four quarters: ${periods}`);
    assert.ok(!periods.includes(current), `the open quarter ${current} is not published`);
    const oldest = periods[periods.length - 1];
    await page.getByLabel("Kỳ đã công bố", { exact: true }).selectOption(oldest);
    await Promise.all([page.waitForURL(new RegExp(`ky=${oldest}`)), page.getByRole("button", { name: "Xem" }).click()]);
    const lead = await page.locator("p.lead").textContent();
    assert.match(lead, /Quý [IV]+\/\d{4} \(\d{2}\/\d{2}\/\d{4} - \d{2}\/\d{2}\/\d{4}\) · số liệu chốt ngày \d{2}\/\d{2}\/\d{4}/);
    const label = lead.match(/Quý [IV]+\/\d{4}/)[0];
    const rows = page.locator("main table tbody tr");
    assert.ok((await rows.count()) > 0, `${label} has units in the table`);
    assert.match(await page.locator("main table caption").first().textContent(), new RegExp(label.replace("/", "\\/")));
    for (const c of await page.locator("main table td[data-label='Điểm']").allTextContents()) {
      assert.ok(c.trim() === "—" || (num(c) >= 0 && num(c) <= 100), `a score out of 100: ${c}`);
    }
    const links = await page.locator("main a").evaluateAll((as) => as.map((a) => a.getAttribute("href")));
    assert.deepEqual(links.filter((h) => /ho-so|can-bo|chi-so-cai-cach|tra-cuu\//.test(h)), [], "no links to dossiers or staff pages");
    assert.doesNotMatch(await page.textContent("main"), /H\d\d-\d{6}-\d{4}/, "no dossier codes");
    assert.ok(await fitsWidth(page), "the public indicators fit a 360 px screen");
    await assertAccessible(page, "public indicators");
    await screenshot(page, "44-public-indicators-phone");
    // The open quarter is not published.
    const r = await page.goto(`${server.base}/chi-so?ky=${current}`);
    assert.equal(r.status(), 404, "the open quarter is not public");
    assert.match(await page.textContent("main"), /Không tìm thấy/);
    // Staff pages are not public.
    await page.goto(`${server.base}${OVERVIEW}`);
    await page.waitForURL(/\/dang-nhap/);

    // The published score of the ward equals its leader's scorecard of the closed quarter.
    const ward = page.getByRole("row", { name: /Phường Kon Tum/ });
    let ky;
    for (const p of periods) {
      await page.goto(`${server.base}/chi-so?loai=xa&ky=${p}`);
      if ((await ward.count()) > 0) {
        ky = p;
        break;
      }
    }
    assert.ok(ky, "Phường Kon Tum is in a published quarter");
    assert.equal(await ward.count(), 1);
    const published = (await ward.locator("td[data-label='Điểm']").textContent()).trim();
    const leader = await newPage(browser);
    await signIn(leader, server.base, ACCOUNTS.leader);
    await leader.goto(`${server.base}${OVERVIEW}?ky=${ky}`);
    await leader.locator(".closed-banner").getByText("Số liệu đã chốt.").waitFor();
    assert.equal((await leader.locator(".stat.score .n").textContent()).trim(), published, "the same score in public and in the closed scorecard");
  });

  test("admin enters a manual value for 1.1 with a PDF: refused for a closed quarter, recorded for the open one", async () => {
    const page = await newPage(browser);
    await signIn(page, server.base, ACCOUNTS.admin);
    await page.goto(`${server.base}${OVERVIEW}/chi-tieu`);
    await page.getByRole("heading", { name: "Chỉ số nhập tay" }).waitFor();
    const unit = await page.getByLabel("Đơn vị", { exact: true }).inputValue();
    const card = () => page.locator(".action-forms .card").filter({ has: page.getByRole("heading", { name: /^1\.1\. / }) });
    const current = currentQuarter();
    const closedQuarter = await card()
      .getByLabel("Kỳ của số liệu")
      .locator("option")
      .evaluateAll((os, cur) => os.map((o) => o.value).find((v) => /-Q\d$/.test(v) && v !== cur), current);

    // A closed quarter: refused, with the reason.
    await card().getByLabel("Kỳ của số liệu").selectOption(closedQuarter);
    await card().getByLabel(/^Giá trị/).fill("100");
    await card().getByLabel(/^Tệp minh chứng/).setInputFiles(pdf("minh-chung-1-1.pdf"));
    await card().getByRole("button", { name: "Ghi nhận số liệu" }).click();
    const alert = page.getByRole("alert");
    await alert.waitFor();
    assert.match(await alert.textContent(), /đã chốt số liệu/);
    await screenshot(page, "45-indicators-manual-closed-refused");

    // The open quarter: recorded, with the file named in the message.
    await card().getByLabel("Kỳ của số liệu").selectOption(current);
    await card().getByLabel(/^Giá trị/).fill("95,5");
    await card().getByLabel(/^Ghi chú/).fill("Quyết định công bố số 12/QĐ-UBND");
    await card().getByLabel(/^Tệp minh chứng/).setInputFiles(pdf("minh-chung-1-1.pdf"));
    await card().getByRole("button", { name: "Ghi nhận số liệu" }).click();
    const status = page.getByRole("status").first();
    await status.waitFor();
    assert.match(await status.textContent(), /Đã ghi nhận 1\.1: 95,5% cho Quý [IV]+\/\d{4}, kèm minh chứng minh-chung-1-1\.pdf/);
    assert.match(await card().textContent(), /Giá trị Quý [IV]+\/\d{4}: 95,5%/);
    await screenshot(page, "46-indicators-manual-recorded");

    // The overview counts it: value, points, and group 1 now has data.
    await page.goto(`${server.base}${OVERVIEW}?don-vi=${encodeURIComponent(unit)}&ky=${current}`);
    const row = page.locator("tr#chi-so-1\\.1");
    const cells = await row.locator("td.num").allTextContents();
    assert.equal(cells[1].trim(), "95,5%", `1.1's value on the overview: ${cells}`);
    assert.match(cells[3], /^\s*[\d,]+ \/ 4\s*$/, `1.1 earns points now: ${cells[3]}`);
    assert.ok(num(cells[3].split("/")[0]) > 0);
    assert.doesNotMatch(await row.locator(".badge").textContent(), /Chưa nhập/);
    const group1 = page.locator("section[aria-labelledby=nhom-chi-so] tbody tr").first();
    assert.ok(num(await group1.locator("td[data-label='Có số liệu']").textContent()) >= 4, "group 1 has data now");
    await screenshot(page, "47-indicators-overview-with-manual");
  });

  test("closing: a closed quarter still matches when verified", async () => {
    const page = await newPage(browser);
    await signIn(page, server.base, ACCOUNTS.admin);
    await page.goto(`${server.base}${OVERVIEW}/chot-so-lieu`);
    const closed = page.locator("section[aria-labelledby=da-chot] tbody tr");
    assert.equal(await closed.count(), 4, "the demo closed four quarters");
    const current = currentQuarter();
    const closable = await page.getByLabel("Kỳ cần chốt").locator("option").evaluateAll((os) => os.map((o) => o.value));
    assert.ok(!closable.includes(current), "the open quarter cannot be closed");
    const button = closed.first().getByRole("button", { name: /^Kiểm tra / });
    await Promise.all([page.waitForURL(/kiem-tra=/), button.click()]);
    const verdict = page.locator("section[aria-labelledby=kiem-tra] [role=status]");
    assert.match(await verdict.textContent(), /^\s*Khớp:/, "the frozen figures equal a recomputation");
    const fps = await page.locator("section[aria-labelledby=kiem-tra] code.fingerprint").allTextContents();
    assert.equal(fps.length, 2);
    assert.equal(fps[0], fps[1], "the fingerprints match");
    await assertAccessible(page, "closing");
    await screenshot(page, "48-indicators-closing-verified");
  });

  test("keyboard: the period selector is reachable with Tab and submits with Enter", async () => {
    const page = await newPage(browser);
    await signIn(page, server.base, ACCOUNTS.officer);
    await page.goto(`${server.base}${OVERVIEW}`);
    let id = "";
    for (let i = 0; i < 40 && id !== "loc-ky"; i++) {
      await page.keyboard.press("Tab");
      id = await page.evaluate(() => document.activeElement.id);
    }
    assert.equal(id, "loc-ky", "Tab reaches the period selector");
    const before = await page.locator("#loc-ky").inputValue();
    await page.keyboard.press("ArrowDown");
    const chosen = await page.locator("#loc-ky").inputValue();
    assert.notEqual(chosen, before, "ArrowDown picks another period");
    let name = "";
    for (let i = 0; i < 15 && name !== "Xem"; i++) {
      await page.keyboard.press("Tab");
      name = await page.evaluate(() => (document.activeElement.tagName === "BUTTON" ? document.activeElement.textContent.trim() : ""));
    }
    assert.equal(name, "Xem", "Tab reaches the form's button");
    const outline = await page.evaluate(() => getComputedStyle(document.activeElement).outlineStyle);
    assert.notEqual(outline, "none", "the focused button shows an outline");
    await Promise.all([page.waitForURL(new RegExp(`ky=${chosen}`)), page.keyboard.press("Enter")]);
    assert.equal(await page.locator("#loc-ky").inputValue(), chosen, "the period chosen stays selected");
    const label = await page.locator("#loc-ky option:checked").textContent();
    assert.match(await page.locator("p.lead").textContent(), new RegExp(label.trim().replace(/[/]/g, "\\/")));
    await screenshot(page, "49-indicators-keyboard-period");
  });
});
