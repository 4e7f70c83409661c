// Citizen feedback (phản ánh, kiến nghị) in Chromium against the real binary on a demo
// database: a citizen sends a harassment report about Phường Kon Tum, it is flagged at once on
// the ward leader's board, the reform office forwards it, the ward answers, the leader
// publishes the answer, it appears on the public page, and the citizen rates it.
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

async function assertAccessible(page, what) {
  const v = await seriousViolations(page);
  assert.deepEqual(v, [], `${what}: serious or critical accessibility violations`);
}

describe("citizen feedback (PAKN)", () => {
  test("harassment report: flagged, forwarded, answered, published, rated", async () => {
    const citizen = await newPage(browser);
    await signIn(citizen, server.base, ACCOUNTS.citizen);
    await citizen.goto(`${server.base}/phan-anh`);
    await citizen.getByRole("heading", { name: "Gửi phản ánh, kiến nghị", level: 1 }).waitFor();
    await assertAccessible(citizen, "submit form");
    await citizen.getByLabel("Loại phản ánh").selectOption("nhung-nhieu");
    await citizen.getByLabel(/Mã cơ quan, đơn vị/).fill("w2025:23293");
    const text = "Cán bộ đòi thêm tiền bồi dưỡng để nhận hồ sơ đăng ký tạm trú (kiểm thử e2e).";
    await citizen.getByLabel("Nội dung phản ánh").fill(text);
    await Promise.all([
      citizen.waitForURL((u) => u.pathname.startsWith("/phan-anh/da-gui/")),
      citizen.getByRole("button", { name: "Gửi phản ánh" }).click(),
    ]);
    const code = (await citizen.locator("#ma-phan-anh").textContent()).trim();
    const secret = (await citizen.locator("#ma-bi-mat").textContent()).trim();
    assert.match(code, /^PAKN-\d{6}-[0-9A-F]{6}$/);
    await screenshot(citizen, "pakn-receipt");

    // Flagged at once on the ward leader's board.
    const leader = await newPage(browser);
    await signIn(leader, server.base, ACCOUNTS.leader);
    await leader.goto(`${server.base}/phan-anh/quan-ly`);
    await leader.getByRole("heading", { name: "Bảng theo dõi phản ánh, kiến nghị", level: 1 }).waitFor();
    await assertAccessible(leader, "board");
    const flagged = leader.locator(`section[aria-labelledby='pa-nhung-nhieu'] a:text-is('${code}')`);
    assert.equal(await flagged.count(), 1, "the report is flagged on the leader's board");
    await screenshot(leader, "pakn-board");

    // The reform office classifies and forwards it to the ward.
    const admin = await newPage(browser);
    await signIn(admin, server.base, ACCOUNTS.admin);
    await admin.goto(`${server.base}/phan-anh/quan-ly/${code}`);
    await admin.getByRole("heading", { name: `Phản ánh ${code}`, level: 1 }).waitFor();
    await assertAccessible(admin, "PAKN page (reform office)");
    await Promise.all([
      admin.waitForURL((u) => u.pathname === `/phan-anh/quan-ly/${code}`),
      admin.getByRole("button", { name: "Chuyển xử lý" }).click(),
    ]);
    await admin.getByText("Đã phân loại và chuyển đơn vị xử lý").waitFor();

    // The ward answers and its leader publishes the answer.
    await leader.goto(`${server.base}/phan-anh/quan-ly/${code}`);
    const answer = "UBND phường đã xác minh, đình chỉ công tác cán bộ liên quan và xin lỗi ông/bà.";
    await leader.getByLabel("Nội dung trả lời").fill(answer);
    await Promise.all([
      leader.waitForURL((u) => u.pathname === `/phan-anh/quan-ly/${code}`),
      leader.getByRole("button", { name: "Gửi trả lời" }).click(),
    ]);
    await leader.getByText("Đã gửi trả lời.").waitFor();
    await Promise.all([
      leader.waitForURL((u) => u.pathname === `/phan-anh/quan-ly/${code}`),
      leader.getByRole("button", { name: "Công khai", exact: true }).click(),
    ]);
    await leader.getByText("Đã công khai trả lời.").waitFor();

    // Public: the answer without personal data.
    const anon = await newPage(browser);
    await anon.goto(`${server.base}/phan-anh/cong-khai?q=dinh+chi`);
    await anon.getByText(answer).waitFor();
    await assertAccessible(anon, "published answers");
    assert.equal(await anon.getByText("Phạm Thị Lan").count(), 0, "no name on the public page");

    // The citizen follows with code and secret and rates the answer.
    await citizen.goto(`${server.base}/phan-anh/tra-cuu?ma=${code}&bi-mat=${secret}`);
    await citizen.getByText(answer, { exact: true }).waitFor();
    await citizen.getByLabel("Mức độ hài lòng").selectOption("5");
    await Promise.all([
      citizen.waitForURL((u) => u.pathname === "/phan-anh/tra-cuu"),
      citizen.getByRole("button", { name: "Gửi đánh giá" }).click(),
    ]);
    await citizen.getByText("Cảm ơn bạn đã đánh giá.").waitFor();
    await citizen.getByText("5/5", { exact: true }).first().waitFor();
    await screenshot(citizen, "pakn-rated");
  });
});
