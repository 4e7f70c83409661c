// The public portal, administration, and accessibility of the main pages, in Chromium against
// the real binary on a demo database.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { ACCOUNTS, fitsWidth, launchBrowser, newPage, screenshot, seriousViolations, signIn, startServer } from "../lib/harness.mjs";

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

describe("public portal", () => {
  test("home and catalogue: diacritics-insensitive search with filters, on a phone", async () => {
    const page = await newPage(browser, { phone: true });
    await page.goto(server.base);
    await assertAccessible(page, "home");
    assert.ok(await fitsWidth(page), "home fits a 360 px screen");
    await page.getByLabel("Tên hoặc mã thủ tục").fill("dang ky tam tru");
    await page.getByRole("button", { name: "Tìm kiếm" }).click();
    await page.waitForURL(/\/thu-tuc\?/);
    await page.getByRole("link", { name: "Đăng ký tạm trú", exact: true }).first().waitFor();
    await page.getByLabel("Cấp thực hiện").selectOption("commune");
    await page.getByRole("link", { name: "Đăng ký tạm trú", exact: true }).first().waitFor();
    await assertAccessible(page, "catalogue");
    assert.ok(await fitsWidth(page), "catalogue fits a 360 px screen");
    await screenshot(page, "01-catalogue-phone");
    await page.getByRole("link", { name: "Đăng ký tạm trú", exact: true }).first().click();
    await page.getByRole("heading", { name: "Đăng ký tạm trú" }).waitFor();
    const text = await page.textContent("main");
    assert.match(text, /1\.004194/);
    assert.match(text, /3 ngày làm việc/);
    assert.match(text, /7\.000 đ/);
    await assertAccessible(page, "procedure");
    await screenshot(page, "02-procedure-phone");
  });

  test("lookup: a wrong secret is refused without saying whether the code exists", async () => {
    const page = await newPage(browser);
    await page.goto(`${server.base}/tra-cuu`);
    await assertAccessible(page, "lookup form");
    await page.getByLabel("Mã hồ sơ").fill("H62.1-251122-0001");
    await page.getByLabel("Mã tra cứu").fill("SAI");
    await page.getByRole("button", { name: "Tra cứu" }).click();
    await page.getByRole("alert").waitFor();
    assert.match(await page.getByRole("alert").textContent(), /Không tìm thấy hồ sơ/);
    await screenshot(page, "03-lookup-refused");
  });

  test("published indicators of the last closed quarter", async () => {
    const page = await newPage(browser);
    await page.goto(server.base);
    await page.getByRole("link", { name: "Chỉ số phục vụ" }).first().click();
    await page.getByRole("heading", { name: "Chỉ số phục vụ người dân, doanh nghiệp" }).waitFor();
    const text = await page.textContent("main");
    assert.match(text, /Quý [IV]+\/\d{4}/, "a closed quarter is published");
    await page.getByRole("columnheader", { name: "Chỉ số 2.1" }).first().waitFor();
    assert.ok((await page.locator("tbody tr").count()) > 0, "units of the closed quarter are listed");
    await assertAccessible(page, "indicators");
    await screenshot(page, "04-indicators");
  });

  test("keyboard only: the skip link comes first, focus is visible, sign in with Tab and Enter", async () => {
    const page = await newPage(browser);
    await page.goto(`${server.base}/dang-nhap`);
    await page.keyboard.press("Tab");
    const first = await page.evaluate(() => document.activeElement.textContent.trim());
    assert.equal(first, "Bỏ qua, đến nội dung chính");
    const outline = await page.evaluate(() => getComputedStyle(document.activeElement).outlineStyle);
    assert.notEqual(outline, "none", "the focused element shows an outline");
    await page.keyboard.press("Enter");
    let id = "";
    for (let i = 0; i < 10 && id !== "username"; i++) {
      await page.keyboard.press("Tab");
      id = await page.evaluate(() => document.activeElement.id);
    }
    assert.equal(id, "username", "Tab after the skip link reaches the first field of the page");
    await page.keyboard.type("congdan001");
    await page.keyboard.press("Tab");
    await page.keyboard.type("cchc-demo-2025");
    await Promise.all([page.waitForURL(/\/cong-dan/), page.keyboard.press("Enter")]);
    await page.getByRole("heading", { name: "Hồ sơ của tôi" }).waitFor();
    await screenshot(page, "06-citizen-home-keyboard");
  });

  test("sign-in errors keep the username and say what is wrong", async () => {
    const page = await newPage(browser);
    await page.goto(`${server.base}/dang-nhap`);
    await page.getByLabel("Tên đăng nhập").fill("congdan001");
    await page.getByLabel("Mật khẩu").fill("sai-mat-khau");
    await page.getByRole("button", { name: "Đăng nhập" }).click();
    await page.getByRole("alert").waitFor();
    assert.match(await page.getByRole("alert").textContent(), /không đúng/);
    assert.equal(await page.getByLabel("Tên đăng nhập").inputValue(), "congdan001");
    await assertAccessible(page, "login");
    await screenshot(page, "07-login-error");
  });
});

describe("administration", () => {
  test("set a procedure's time limit, add a calendar notice, change an account's role", async () => {
    const page = await newPage(browser);
    await signIn(page, server.base, ACCOUNTS.admin);
    await page.getByRole("heading", { name: "Quản trị cải cách hành chính" }).waitFor();
    await assertAccessible(page, "admin overview");

    // A procedure whose online limit is set by hand.
    await page.goto(`${server.base}/quan-tri/thu-tuc/1.004194`);
    await page.getByLabel("Thời hạn giải quyết qua kênh Trực tuyến (số)").fill("abc");
    await page.getByRole("button", { name: "Lưu thiết lập" }).click();
    await page.getByRole("alert").waitFor();
    assert.match(await page.getByRole("alert").textContent(), /không hợp lệ/);
    assert.equal(await page.getByLabel("Thời hạn giải quyết qua kênh Trực tuyến (số)").inputValue(), "abc");
    await page.getByLabel("Thời hạn giải quyết qua kênh Trực tuyến (số)").fill("2");
    await page.getByRole("button", { name: "Lưu thiết lập" }).click();
    await page.getByRole("status").waitFor();
    await page.goto(`${server.base}/thu-tuc/1.004194`);
    assert.match(await page.textContent("main"), /2 ngày làm việc/);
    await page.goto(`${server.base}/quan-tri/thu-tuc/1.004194`);
    await page.getByLabel("Thời hạn giải quyết qua kênh Trực tuyến (số)").fill("3");
    await page.getByRole("button", { name: "Lưu thiết lập" }).click();
    await page.getByRole("status").waitFor();

    // The calendar: a notice for a year in the future, shown in the year's table.
    await page.goto(`${server.base}/quan-tri/lich?nam=2027`);
    await assertAccessible(page, "calendar");
    await page.getByLabel("Số hiệu văn bản").fill("99/TB-BNV");
    await page.getByLabel("Cơ quan ban hành").fill("Bộ Nội vụ");
    await page.getByLabel("Ngày ban hành (dd/mm/yyyy)").fill("01/12/2026");
    await page.getByLabel("Trích yếu").fill("Thông báo nghỉ bù thử nghiệm");
    await page.getByLabel("Nghỉ từ ngày (dd/mm/yyyy)").fill("15/03/2027");
    await page.getByLabel("Tên đợt nghỉ").fill("Ngày nghỉ thử nghiệm");
    await page.getByLabel("Ngày làm bù (dd/mm/yyyy)").fill("20/03/2027");
    await page.getByRole("button", { name: "Thêm thông báo" }).click();
    await page.getByRole("status").waitFor();
    const row = page.getByRole("row", { name: /15\/03\/2027/ });
    await row.waitFor();
    assert.match(await row.textContent(), /Ngày nghỉ thử nghiệm/);
    assert.match(await page.getByRole("row", { name: /20\/03\/2027/ }).textContent(), /Làm bù/);
    await screenshot(page, "05-admin-calendar");

    // Accounts: an officer becomes a leader.
    await page.goto(`${server.base}/quan-tri/tai-khoan?q=cb.w2025-23284`);
    await page.getByRole("link", { name: "cb.w2025-23284" }).click();
    await page.getByLabel("Vai trò").selectOption("leader");
    await page.getByRole("button", { name: "Lưu" }).click();
    await page.getByRole("status").waitFor();
    assert.match(await page.getByRole("row", { name: /cb\.w2025-23284/ }).textContent(), /Lãnh đạo đơn vị/);
    await assertAccessible(page, "accounts");
    await page.goto(`${server.base}/quan-tri/tai-khoan?q=cb.w2025-23284`);
    await page.getByRole("link", { name: "cb.w2025-23284" }).click();
    await page.getByLabel("Vai trò").selectOption("officer");
    await page.getByRole("button", { name: "Lưu" }).click();
    await page.getByRole("status").waitFor();
    await screenshot(page, "09-admin-accounts");
  });

  test("a citizen cannot open the administration", async () => {
    const page = await newPage(browser);
    await signIn(page, server.base, ACCOUNTS.citizen);
    const r = await page.goto(`${server.base}/quan-tri/tai-khoan`);
    assert.equal(r.status(), 403);
    await page.getByRole("heading", { name: "Không có quyền truy cập" }).waitFor();
    await screenshot(page, "08-citizen-refused-admin");
  });
});
