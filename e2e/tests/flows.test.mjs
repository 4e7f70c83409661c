// The one-stop shop end to end in Chromium: a citizen files online on a phone, an officer asks
// for a supplement, the citizen supplements, the officer decides, the citizen pays through the
// sandbox gateway, the officer returns the result, the citizen rates it, and the public lookup
// shows every step; a counter intake with its printed receipt; a late dossier's apology; an
// officer of another unit refused.
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

async function assertAccessible(page, what) {
  const v = await seriousViolations(page);
  assert.deepEqual(v, [], `${what}: serious or critical accessibility violations`);
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

/** Opens a staff dossier page from its code. */
async function openStaffDossier(page, code) {
  await page.goto(`${server.base}/can-bo/ho-so/${code}`);
  await page.getByRole("heading", { name: `Hồ sơ ${code}` }).waitFor();
}

async function flash(page) {
  const s = page.getByRole("status").first();
  await s.waitFor();
  return s.textContent();
}

describe("online dossier, from submission to rating", () => {
  const state = {};

  test("a citizen submits online from a phone, with a file", async () => {
    const page = await newPage(browser, { phone: true });
    state.citizen = page;
    await signIn(page, server.base, ACCOUNTS.citizen);
    await page.goto(`${server.base}/thu-tuc/1.004194`);
    await page.getByRole("link", { name: "Nộp hồ sơ trực tuyến" }).click();
    await page.getByLabel("Đơn vị tiếp nhận hồ sơ").selectOption("w2025:23293");
    await page.getByLabel("Công dân", { exact: true }).check();
    await page.getByLabel("Họ tên hoặc tên doanh nghiệp").fill("Phạm Thị Lan");
    await page.getByLabel("Số CCCD hoặc mã số doanh nghiệp").fill("051190004321");
    await page.getByLabel("Số điện thoại").fill("0905123456");
    await page.getByLabel("Địa chỉ").fill("Tổ 3, phường Kon Tum");
    // First without the required file: the form comes back with what was typed.
    await page.getByLabel("Tờ khai", { exact: true }).evaluate((e) => e.removeAttribute("required"));
    await page.getByRole("button", { name: "Nộp hồ sơ" }).click();
    await page.getByRole("alert").waitFor();
    assert.equal(await page.getByLabel("Họ tên hoặc tên doanh nghiệp").inputValue(), "Phạm Thị Lan");
    await assertAccessible(page, "online submission with an error");
    assert.ok(await fitsWidth(page), "submission form fits a 360 px screen");
    await page.getByLabel("Tờ khai", { exact: true }).setInputFiles(pdf("to-khai.pdf"));
    await page.getByRole("button", { name: "Nộp hồ sơ" }).click();
    await page.waitForURL(/\/cong-dan\/ho-so\//);
    state.code = decodeURIComponent(new URL(page.url()).pathname.split("/").pop());
    const box = await page.textContent("main");
    const m = box.match(/Mã tra cứu\s*:?\s*([0-9A-F]{8})/);
    assert.ok(m, `the lookup secret is shown once: ${box.slice(0, 400)}`);
    state.secret = m[1];
    await assertAccessible(page, "citizen dossier");
    assert.ok(await fitsWidth(page), "dossier page fits a 360 px screen");
    await screenshot(page, "10-citizen-submitted-phone");
  });

  test("the officer accepts it from the desk and asks for a supplement", async () => {
    const page = await newPage(browser);
    state.officer = page;
    await signIn(page, server.base, ACCOUNTS.officer);
    await page.goto(`${server.base}/can-bo`);
    const waiting = page.locator("#cho-tiep-nhan");
    await waiting.getByRole("link", { name: state.code }).waitFor();
    await assertAccessible(page, "desk");
    await screenshot(page, "11-officer-desk");
    await waiting.getByRole("link", { name: state.code }).click();
    await page.getByRole("button", { name: "Tiếp nhận hồ sơ trực tuyến" }).click();
    assert.match(await flash(page), /.+/);
    await page.getByLabel("Giấy tờ cần bổ sung (mỗi dòng một loại)").fill("Bản sao hợp đồng thuê nhà\nGiấy xác nhận của chủ nhà");
    await page.getByRole("button", { name: "Gửi yêu cầu bổ sung" }).click();
    await flash(page);
    assert.match(await page.textContent("main"), /Yêu cầu bổ sung/);
    await assertAccessible(page, "officer dossier page");
    await screenshot(page, "12-officer-supplement-requested");
  });

  test("the citizen supplements with the listed documents", async () => {
    const page = state.citizen;
    await page.goto(`${server.base}/cong-dan/ho-so/${state.code}`);
    await page.getByLabel("Tệp: Bản sao hợp đồng thuê nhà").setInputFiles(pdf("hop-dong.pdf"));
    await page.getByLabel("Tệp: Giấy xác nhận của chủ nhà").setInputFiles(pdf("xac-nhan.pdf"));
    await page.getByLabel("Ghi chú gửi cơ quan giải quyết").fill("Đã bổ sung đủ hai giấy tờ.");
    await page.getByRole("button", { name: "Gửi hồ sơ bổ sung" }).click();
    await flash(page);
    assert.match(await page.textContent("main"), /hop-dong\.pdf/);
    await screenshot(page, "13-citizen-supplemented-phone");
  });

  test("the officer records the decision", async () => {
    const page = state.officer;
    await openStaffDossier(page, state.code);
    await page.getByLabel("Giấy tờ kết quả (mỗi dòng một loại)").fill("Xác nhận đăng ký tạm trú");
    await page.getByRole("button", { name: "Ghi nhận kết quả" }).click();
    await flash(page);
    assert.match(await page.textContent("main"), /Đã xử lý xong/);
    await screenshot(page, "13b-officer-decided");
  });

  test("the citizen pays online through the sandbox gateway", async () => {
    const page = state.citizen;
    await page.goto(`${server.base}/cong-dan/ho-so/${state.code}`);
    await page.getByRole("button", { name: "Thanh toán trực tuyến" }).click();
    await page.getByText("Cổng thanh toán thử nghiệm — không dùng tiền thật").waitFor();
    await screenshot(page, "14-sandbox-gateway-phone");
    await page.getByRole("button", { name: "Xác nhận thanh toán" }).click();
    await page.waitForURL(/\/cong-dan\/ho-so\//);
    assert.match(await flash(page), /thanh toán/i);
    await screenshot(page, "14a-citizen-paid-phone");
  });

  test("the officer returns the result", async () => {
    const page = state.officer;
    await openStaffDossier(page, state.code);
    assert.match(await page.textContent("main"), /7\.000 đ/);
    await page.getByRole("button", { name: "Trả kết quả" }).click();
    await flash(page);
    assert.match(await page.textContent("main"), /Đã trả kết quả/);
    await screenshot(page, "14b-officer-returned");
  });

  test("the citizen rates the service", async () => {
    const page = state.citizen;
    await page.goto(`${server.base}/cong-dan/ho-so/${state.code}`);
    await page.getByLabel("5 – Rất hài lòng").check();
    await page.getByLabel("Góp ý").fill("Cán bộ hướng dẫn tận tình.");
    await page.getByRole("button", { name: "Gửi đánh giá" }).click();
    await flash(page);
    await screenshot(page, "15-citizen-rated-phone");
  });

  test("the public lookup shows it all, from the code and secret", async () => {
    const page = await newPage(browser, { phone: true });
    await page.goto(`${server.base}/tra-cuu/${state.code}?ma=${state.secret}`);
    await page.getByRole("heading", { name: `Hồ sơ ${state.code}` }).waitFor();
    const text = await page.textContent("main");
    for (const step of [
      "Nộp hồ sơ trực tuyến",
      "Tiếp nhận hồ sơ trực tuyến",
      "Yêu cầu bổ sung hồ sơ",
      "Nhận hồ sơ bổ sung",
      "Có kết quả giải quyết",
      "Thanh toán phí, lệ phí",
      "Trả kết quả",
      "Đánh giá mức độ hài lòng",
      "Đã trả kết quả",
    ]) {
      assert.match(text, new RegExp(step, "i"), `lookup shows "${step}"`);
    }
    assert.doesNotMatch(text, /051190004321/, "no personal data in the public lookup");
    await assertAccessible(page, "public lookup");
    assert.ok(await fitsWidth(page), "lookup fits a 360 px screen");
    await screenshot(page, "16-public-lookup-phone");
  });
});

describe("counter, apology, scope", () => {
  let lateCode;

  test("an officer receives a dossier at the counter and prints the receipt", async () => {
    const page = await newPage(browser);
    await signIn(page, server.base, ACCOUNTS.officer);
    await page.goto(`${server.base}/can-bo/tiep-nhan`);
    await page.getByLabel("Thủ tục hành chính (mã hoặc tên)").fill("1.004194");
    // Sent without the applicant's name (the browser's own check switched off): the server
    // says what to fix and keeps what was typed.
    await page.getByLabel("Họ và tên chủ hồ sơ").evaluate((e) => e.removeAttribute("required"));
    await page.getByRole("button", { name: "Tiếp nhận hồ sơ" }).click();
    await page.getByRole("alert").first().waitFor();
    assert.equal(await page.getByLabel("Thủ tục hành chính (mã hoặc tên)").inputValue(), "1.004194");
    await page.getByLabel("Họ và tên chủ hồ sơ").fill("Võ Thị Mai");
    await page.getByLabel("Số CCCD hoặc mã số doanh nghiệp").fill("051185007777");
    const boxes = page.locator('fieldset:has(legend:text("Thành phần hồ sơ đã nhận")) input[type=checkbox]');
    if ((await boxes.count()) > 0) await boxes.first().check();
    await assertAccessible(page, "counter intake");
    await page.getByRole("button", { name: "Tiếp nhận hồ sơ" }).click();
    await page.waitForURL(/\/bieu-mau\/.+\/tiep-nhan/);
    const text = await page.textContent("body");
    assert.match(text, /GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ/i);
    assert.match(text, /CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM/);
    assert.match(text, /Võ Thị Mai/);
    assert.match(text, /\d{2}\/\d{2}\/\d{4}/);
    assert.equal(await page.locator(".qr svg").count(), 1, "the receipt carries a QR code");
    await screenshot(page, "20-receipt");
    await page.emulateMedia({ media: "print" });
    await screenshot(page, "21-receipt-print");
    const file = join(artifacts, "21-receipt.pdf");
    const bytes = await page.pdf({ path: file, format: "A4", printBackground: false });
    assert.ok(bytes.length > 5000, "the receipt prints to an A4 PDF");
    console.log(`# printed: ${file} (${bytes.length} bytes)`);
  });

  test("a late dossier gets the leader's apology and a new date", async () => {
    const page = await newPage(browser);
    await signIn(page, server.base, ACCOUNTS.leader);
    await page.goto(`${server.base}/can-bo`);
    const overdue = page.locator("#qua-han");
    const row = overdue.getByRole("row", { name: /Đỗ Văn Quá Hạn/ }).first();
    await row.waitFor();
    await row.getByRole("link").first().click();
    await page.getByRole("heading", { name: /^Hồ sơ / }).waitFor();
    const code = (await page.getByRole("heading", { name: /^Hồ sơ / }).textContent()).replace(/^Hồ sơ\s+/, "").trim().split(/\s/)[0];
    lateCode = code;
    const nextWeek = new Date(Date.now() + 7 * 86400e3 + 7 * 3600e3).toISOString().slice(0, 10);
    await page.getByLabel("Ngày hẹn trả mới").fill(nextWeek);
    await page.getByLabel("Lý do chậm trả kết quả").fill("Cần xác minh thêm thông tin nơi cư trú với công an khu vực.");
    await page.getByRole("button", { name: "Xin lỗi và hẹn lại ngày trả" }).click();
    await flash(page);
    await page.goto(`${server.base}/bieu-mau/${code}/xin-loi`);
    const text = await page.textContent("body");
    assert.match(text, /PHIẾU XIN LỖI VÀ HẸN LẠI NGÀY TRẢ KẾT QUẢ/i);
    assert.match(text, /Cần xác minh thêm thông tin nơi cư trú/);
    const [y, m, d] = nextWeek.split("-");
    assert.match(text, new RegExp(`${d}/${m}/${y}`));
    await screenshot(page, "22-apology-form");
    await page.goto(`${server.base}/lanh-dao`);
    await assertAccessible(page, "leader board");
    await screenshot(page, "23-leader-board");
  });

  test("an officer of another unit is refused", async () => {
    const page = await newPage(browser);
    await signIn(page, server.base, ACCOUNTS.otherOfficer);
    // The late dossier of Phường Kon Tum, from the previous test.
    const code = lateCode;
    assert.ok(code, "the apology test found the late dossier");
    const r = await page.goto(`${server.base}/can-bo/ho-so/${code}`);
    assert.ok([403, 404].includes(r.status()), `another unit's officer gets ${r.status()}`);
    assert.doesNotMatch(await page.textContent("main"), /Đỗ Văn Quá Hạn/);
    await screenshot(page, "24-other-unit-refused");
    // Acting is refused too, even with a valid form token of their own session.
    const csrf = await page.locator('meta[name="csrf-token"]').getAttribute("content");
    const post = await page.request.post(`${server.base}/can-bo/ho-so/${code}/thao-tac`, {
      form: { _csrf: csrf, thao_tac: "accept", expected_version: "1" },
      headers: { origin: server.base },
    });
    assert.ok([403, 404].includes(post.status()), `acting is refused: ${post.status()}`);
  });
});
