//! The emulation movement's pages over real HTTP, on copies of one demo database generated once
//! (Kon Tum city and the Department of Justice through 2025, the demo plans, PAR scorecards and
//! the emulation movement evaluated for 2025 as a draft; "today" is 20/01/2026): the pages for
//! the reform office, a citizen refused, an officer kept to their ward, evaluate, adjust with
//! and without a reason, approve, the DOCX proposal, and the signed decision.

use crate::browser::{Browser, hidden};
use crate::read;
use cchc_app::catalogue::{ReferenceUnitFiles, reference_units};
use cchc_app::demo::{DEMO_PASSWORD, DemoOptions, generate};
use cchc_app::demo_emulation::DEMO_MOVEMENT;
use cchc_app::{App, Principal};
use cchc_domain::calendar::Calendar;
use cchc_store::Store;
use jiff::civil::date;
use std::path::PathBuf;
use std::sync::{Arc, OnceLock};

const NOW: &str = "2026-01-20T09:00:00";
const OFFICER: &str = "cb.w2025-23293";
const WARD: &str = "w2025:23293";

fn demo_db() -> &'static PathBuf {
    static DB: OnceLock<PathBuf> = OnceLock::new();
    DB.get_or_init(|| {
        std::thread::spawn(|| {
            let rt = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
                .unwrap();
            let path =
                std::env::temp_dir().join(format!("cchc-web-emulation-{}.db", std::process::id()));
            for s in ["", "-wal", "-shm"] {
                let _ = std::fs::remove_file(format!("{}{s}", path.display()));
            }
            let p = path.clone();
            rt.block_on(async move {
                let started = std::time::Instant::now();
                let store = Store::connect(&format!("sqlite://{}", p.display()))
                    .await
                    .unwrap();
                let now: jiff::civil::DateTime = NOW.parse().unwrap();
                let app = App::new(store, Arc::new(Calendar::embedded().unwrap()))
                    .await
                    .unwrap()
                    .with_now(move || now);
                let sys = Principal::system();
                let files = ReferenceUnitFiles {
                    pre2025_provinces: &read("vn_units_pre2025_provinces.csv"),
                    pre2025_districts: &read("vn_units_pre2025_districts.csv"),
                    pre2025_wards: &read("vn_units_pre2025_wards.csv"),
                    provinces_2025: &read("vn_units_2025_provinces.csv"),
                    wards_2025: &read("vn_units_2025_wards.csv"),
                    kon_tum_mapping: &read("kontum_units_pre2025_with_2025_mapping.csv"),
                };
                app.import_units(&sys, reference_units(files, false).unwrap())
                    .await
                    .unwrap();
                app.import_procedures(&sys, &read("tthc_dvcqg_2642_procedures.csv"))
                    .await
                    .unwrap();
                let opts = DemoOptions {
                    seed: 11,
                    dossiers: 1500,
                    from: date(2025, 1, 2),
                    to: date(2025, 12, 30),
                    citizens: 10,
                    workers: 2,
                    scope: ["d:608", "p:62/so-tu-phap"].map(String::from).to_vec(),
                };
                generate(&app, &opts, |_| {}).await.unwrap();
                let today = now.date();
                cchc_app::demo_plans::seed(&app, today).await.unwrap();
                cchc_app::demo_par::seed(&app, today).await.unwrap();
                let r = cchc_app::demo_emulation::seed(&app, today).await.unwrap();
                eprintln!(
                    "emulation pages: demo ready in {:?}: {} units and {} staff meet every criterion in {:?}",
                    started.elapsed(),
                    r.units_met,
                    r.staff_met,
                    r.evaluated_year
                );
                // Closed, so the file holds everything before it is copied.
                app.store().close().await;
            });
            drop(rt);
            path
        })
        .join()
        .unwrap()
    })
}

struct Demo {
    base: String,
    app: App,
    path: PathBuf,
}

impl Drop for Demo {
    fn drop(&mut self) {
        for s in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{s}", self.path.display()));
        }
    }
}

/// A server on its own copy of the demo database.
async fn demo() -> Demo {
    static N: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    let src = demo_db();
    let n = N.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    let path =
        std::env::temp_dir().join(format!("cchc-web-emulation-{}-{n}.db", std::process::id()));
    for s in ["", "-wal", "-shm"] {
        let to = format!("{}{s}", path.display());
        let _ = std::fs::remove_file(&to);
        let from = format!("{}{s}", src.display());
        if s != "-shm" && std::path::Path::new(&from).exists() {
            std::fs::copy(&from, &to).unwrap();
        }
    }
    let store = Store::connect(&format!("sqlite://{}", path.display()))
        .await
        .unwrap();
    let now: jiff::civil::DateTime = NOW.parse().unwrap();
    let app = App::new(store, Arc::new(Calendar::embedded().unwrap()))
        .await
        .unwrap()
        .with_now(move || now);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let served = app.clone();
    tokio::spawn(async move {
        cchc_web::serve(listener, served, cchc_web::WebConfig::default())
            .await
            .unwrap()
    });
    Demo {
        base: format!("http://{addr}"),
        app,
        path,
    }
}

fn unescape(s: &str) -> String {
    s.replace("&amp;", "&")
        .replace("&#38;", "&")
        .replace("&#x2f;", "/")
        .replace("&#47;", "/")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
}

/// Every link of a page whose address starts with `prefix`: (address, text up to the next tag).
fn links(html: &str, prefix: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut rest = html;
    let needle = format!("<a href=\"{prefix}");
    while let Some(i) = rest.find(&needle) {
        rest = &rest[i + "<a href=\"".len()..];
        let href = unescape(&rest[..rest.find('"').unwrap()]);
        let start = rest.find('>').unwrap() + 1;
        let text = rest[start..start + rest[start..].find('<').unwrap()].to_owned();
        out.push((href, text));
    }
    out
}

fn movement_path() -> String {
    format!("/thi-dua/{DEMO_MOVEMENT}")
}

/// Percent-decodes a path segment.
fn decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 2 < b.len() {
            out.push(u8::from_str_radix(&s[i + 1..i + 3], 16).unwrap());
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8(out).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_render_for_the_reform_office_and_keep_staff_to_their_unit() {
    let d = demo().await;
    let mut admin = Browser::new(&d.base);
    admin.login("quantri").await;
    let list = admin.get("/thi-dua").await;
    assert_eq!(list.status, 200, "{}", list.body);
    assert!(list.body.contains("Phong trào thi đua đẩy mạnh"));
    assert!(list.body.contains("Phát động phong trào thi đua"));
    assert!(list.body.contains("href=\"/thi-dua\""), "nav link");
    // A launch plan dated in the year 9999 is refused and nothing is stored.
    let before = d.app.store().movements().await.unwrap().len();
    let token = admin.csrf("/thi-dua").await;
    let criteria = hidden_option(&list.body);
    let p = admin
        .post(
            "/thi-dua",
            &[
                ("_csrf", token.as_str()),
                ("ma", "pt-thu"),
                ("ten", "Phong trào thử"),
                ("so-ke-hoach", "1/KH-UBND"),
                ("ngay-ke-hoach", "9999-12-31"),
                ("co-quan", "UBND tỉnh"),
                ("tu-nam", "2025"),
                ("den-nam", "2025"),
                ("loai-don-vi", "commune"),
                ("noi-dung", "Cải cách thủ tục hành chính"),
                ("bo-tieu-chi", criteria.as_str()),
            ],
        )
        .await;
    assert_eq!(p.status, 422, "{}", p.body);
    assert!(
        p.body
            .contains("Ngày kế hoạch 31/12/9999 nằm ngoài khoảng năm 2000 đến năm 2100"),
        "{}",
        p.body
    );
    assert_eq!(d.app.store().movements().await.unwrap().len(), before);
    let page = admin.get(&format!("{}?nam=2025", movement_path())).await;
    assert_eq!(page.status, 200, "{}", page.body);
    for text in [
        "Kế hoạch số 42/KH-UBND ngày 06/01/2023",
        "Chờ phê duyệt",
        "Kết quả đối với tập thể",
        "Kết quả đối với cá nhân",
        "TT1",
        "CN5",
        "Đánh giá",
        "Phê duyệt danh sách",
    ] {
        assert!(page.body.contains(text), "movement page lacks {text}");
    }
    assert!(page.body.contains("Đạt") || page.body.contains("Không đạt"));
    let units = links(&page.body, &format!("{}/2025/tap-the/", movement_path()));
    assert!(units.len() > 1, "one row per unit");
    let people = links(&page.body, &format!("{}/2025/ca-nhan/", movement_path()));
    assert!(!people.is_empty(), "staff listed");
    let subject = admin.get(&units[0].0).await;
    assert_eq!(subject.status, 200, "{}", subject.body);
    assert!(subject.body.contains("Kết quả từng tiêu chí"));
    assert!(subject.body.contains("Lịch sử điều chỉnh"));
    assert!(subject.body.contains("Điều chỉnh kết quả tiêu chí TT1"));
    let records = admin.get("/thi-dua/ghi-nhan?nam=2025").await;
    assert_eq!(records.status, 200, "{}", records.body);
    assert!(records.body.contains("Sáng kiến được công nhận năm 2025"));
    let doc = links(&records.body, "/thi-dua/tai-lieu?loai=sang-kien");
    assert!(!doc.is_empty(), "initiatives listed with their documents");
    let file = admin.get(&doc[0].0).await;
    assert_eq!(file.status, 200);
    assert!(file.body.starts_with("%PDF"));
    // Filters and bad addresses: Vietnamese errors, never a 500.
    let filtered = admin
        .get(&format!("{}?nam=2025&ket-qua=khong-dat", movement_path()))
        .await;
    assert_eq!(filtered.status, 200);
    for bad in [
        format!("{}?nam=abc", movement_path()),
        format!("{}?nam=2025&ket-qua=x", movement_path()),
        format!("{}?nam=2025&trang=9999", movement_path()),
        format!("{}?nam=1999", movement_path()),
        format!("{}/2025/x/y", movement_path()),
        format!("{}/2025/tap-the/khong-co", movement_path()),
        "/thi-dua/khong-co".to_owned(),
        "/thi-dua/tai-lieu?loai=x&id=1".to_owned(),
        format!("{}/2025/de-nghi?hinh-thuc=x&noi-ky=y", movement_path()),
    ] {
        let p = admin.get(&bad).await;
        assert!(
            [404, 422].contains(&p.status),
            "{bad}: {} {}",
            p.status,
            p.body
        );
        assert!(p.body.contains("<h1>"), "{bad}: an error page");
    }

    // A citizen is refused.
    let mut citizen = Browser::new(&d.base);
    citizen.login("congdan001").await;
    for path in [
        "/thi-dua".to_owned(),
        movement_path(),
        "/thi-dua/ghi-nhan".to_owned(),
    ] {
        let p = citizen.get(&path).await;
        assert_eq!(p.status, 403, "{path}");
    }
    assert!(!citizen.get("/").await.body.contains("href=\"/thi-dua\""));

    // An officer sees their ward's subjects only, and no admin button.
    let mut officer = Browser::new(&d.base);
    officer.login(OFFICER).await;
    let mine = officer.get(&format!("{}?nam=2025", movement_path())).await;
    assert_eq!(mine.status, 200, "{}", mine.body);
    assert!(!mine.body.contains("Phê duyệt danh sách"));
    let unit_links = links(&mine.body, &format!("{}/2025/tap-the/", movement_path()));
    assert!(!unit_links.is_empty());
    assert!(
        unit_links.iter().all(|(h, _)| decode(h).ends_with(WARD)),
        "the officer's ward only: {unit_links:?}"
    );
    assert!(
        units.iter().any(|(h, _)| !decode(h).ends_with(WARD)),
        "the administrator sees other units"
    );
    let other = units
        .iter()
        .find(|(h, _)| !decode(h).ends_with(WARD))
        .unwrap();
    assert_eq!(officer.get(&other.0).await.status, 404);
    // The officer may not evaluate.
    let token = hidden(&mine.body, "_csrf");
    let p = officer
        .post(
            &format!("{}/danh-gia", movement_path()),
            &[("_csrf", &token), ("nam", "2025")],
        )
        .await;
    assert_eq!(p.status, 403);

    // The JSON API with a bearer token: the officer's ward only.
    let r = reqwest::Client::new()
        .post(format!("{}/api/v1/auth/login", d.base))
        .json(&serde_json::json!({"username": OFFICER, "password": DEMO_PASSWORD}))
        .send()
        .await
        .unwrap();
    let t: serde_json::Value = r.json().await.unwrap();
    let r = reqwest::Client::new()
        .get(format!("{}/api/v1/emulation/{DEMO_MOVEMENT}/2025", d.base))
        .bearer_auth(t["token"].as_str().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let v: serde_json::Value = r.json().await.unwrap();
    let subjects = v["evaluation"]["result"]["subjects"].as_array().unwrap();
    assert!(!subjects.is_empty());
    assert!(subjects.iter().all(|s| s["unit"] == WARD), "{subjects:?}");
    let r = reqwest::Client::new()
        .get(format!("{}/api/v1/emulation/{DEMO_MOVEMENT}/2025", d.base))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    let _ = &d.app;
}

/// A tiny reader of the DOCX (a zip of deflated XML parts): the text of one part.
mod unzip {
    const LBASE: [u16; 29] = [
        3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115,
        131, 163, 195, 227, 258,
    ];
    const LEXT: [u8; 29] = [
        0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0,
    ];
    const DBASE: [u16; 30] = [
        1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537,
        2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577,
    ];
    const DEXT: [u8; 30] = [
        0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12,
        13, 13,
    ];

    struct Bits<'a> {
        data: &'a [u8],
        pos: usize,
        buf: u32,
        cnt: u32,
    }

    impl Bits<'_> {
        fn bits(&mut self, n: u32) -> u32 {
            while self.cnt < n {
                let b = u32::from(self.data[self.pos]);
                self.pos += 1;
                self.buf |= b << self.cnt;
                self.cnt += 8;
            }
            let v = self.buf & ((1u32 << n) - 1);
            self.buf = if n == 32 { 0 } else { self.buf >> n };
            self.cnt -= n;
            v
        }
    }

    struct Huff {
        count: [u16; 16],
        symbol: Vec<u16>,
    }

    fn huff(lengths: &[u8]) -> Huff {
        let mut count = [0u16; 16];
        for &l in lengths {
            count[l as usize] += 1;
        }
        let mut offs = [0u16; 16];
        for len in 1..15 {
            offs[len + 1] = offs[len] + count[len];
        }
        let mut symbol = vec![0u16; lengths.len()];
        for (sym, &l) in lengths.iter().enumerate() {
            if l != 0 {
                symbol[offs[l as usize] as usize] = sym as u16;
                offs[l as usize] += 1;
            }
        }
        Huff { count, symbol }
    }

    fn decode(b: &mut Bits<'_>, h: &Huff) -> u16 {
        let (mut code, mut first, mut index) = (0i32, 0i32, 0i32);
        for len in 1..16 {
            code |= b.bits(1) as i32;
            let count = i32::from(h.count[len]);
            if code - count < first {
                return h.symbol[(index + (code - first)) as usize];
            }
            index += count;
            first += count;
            first <<= 1;
            code <<= 1;
        }
        panic!("bad huffman code");
    }

    pub fn inflate(data: &[u8]) -> Vec<u8> {
        let mut b = Bits {
            data,
            pos: 0,
            buf: 0,
            cnt: 0,
        };
        let mut out: Vec<u8> = Vec::new();
        loop {
            let last = b.bits(1);
            match b.bits(2) {
                0 => {
                    b.buf = 0;
                    b.cnt = 0;
                    let len = u16::from_le_bytes([data[b.pos], data[b.pos + 1]]) as usize;
                    b.pos += 4;
                    out.extend_from_slice(&data[b.pos..b.pos + len]);
                    b.pos += len;
                }
                kind => {
                    let (lit, dist) = if kind == 1 {
                        let mut l = [0u8; 288];
                        for (i, v) in l.iter_mut().enumerate() {
                            *v = match i {
                                0..=143 => 8,
                                144..=255 => 9,
                                256..=279 => 7,
                                _ => 8,
                            };
                        }
                        (huff(&l), huff(&[5u8; 30]))
                    } else {
                        let nlen = b.bits(5) as usize + 257;
                        let ndist = b.bits(5) as usize + 1;
                        let ncode = b.bits(4) as usize + 4;
                        const ORDER: [usize; 19] = [
                            16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15,
                        ];
                        let mut cl = [0u8; 19];
                        for &o in ORDER.iter().take(ncode) {
                            cl[o] = b.bits(3) as u8;
                        }
                        let ch = huff(&cl);
                        let mut lengths = vec![0u8; nlen + ndist];
                        let mut i = 0;
                        while i < nlen + ndist {
                            let sym = decode(&mut b, &ch);
                            match sym {
                                0..=15 => {
                                    lengths[i] = sym as u8;
                                    i += 1;
                                }
                                16 => {
                                    let prev = lengths[i - 1];
                                    for _ in 0..3 + b.bits(2) {
                                        lengths[i] = prev;
                                        i += 1;
                                    }
                                }
                                17 => i += 3 + b.bits(3) as usize,
                                _ => i += 11 + b.bits(7) as usize,
                            }
                        }
                        (huff(&lengths[..nlen]), huff(&lengths[nlen..]))
                    };
                    loop {
                        let sym = decode(&mut b, &lit);
                        if sym < 256 {
                            out.push(sym as u8);
                        } else if sym == 256 {
                            break;
                        } else {
                            let s = (sym - 257) as usize;
                            let len = LBASE[s] as usize + b.bits(u32::from(LEXT[s])) as usize;
                            let ds = decode(&mut b, &dist) as usize;
                            let d = DBASE[ds] as usize + b.bits(u32::from(DEXT[ds])) as usize;
                            let start = out.len() - d;
                            for k in 0..len {
                                out.push(out[start + k]);
                            }
                        }
                    }
                }
            }
            if last == 1 {
                return out;
            }
        }
    }

    fn u16_at(b: &[u8], at: usize) -> usize {
        u16::from_le_bytes([b[at], b[at + 1]]) as usize
    }

    fn u32_at(b: &[u8], at: usize) -> usize {
        u32::from_le_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]]) as usize
    }

    /// The content of one entry, found through the central directory.
    pub fn entry(zip: &[u8], name: &str) -> Option<Vec<u8>> {
        let mut at = 0;
        while at + 46 <= zip.len() {
            if zip[at..at + 4] != [0x50, 0x4b, 0x01, 0x02] {
                at += 1;
                continue;
            }
            let method = u16_at(zip, at + 10);
            let csize = u32_at(zip, at + 20);
            let nlen = u16_at(zip, at + 28);
            let elen = u16_at(zip, at + 30);
            let clen = u16_at(zip, at + 32);
            let local = u32_at(zip, at + 42);
            let this = &zip[at + 46..at + 46 + nlen];
            if this == name.as_bytes() {
                let data_at = local + 30 + u16_at(zip, local + 26) + u16_at(zip, local + 28);
                let data = &zip[data_at..data_at + csize];
                return Some(match method {
                    0 => data.to_vec(),
                    8 => inflate(data),
                    other => panic!("compression method {other}"),
                });
            }
            at += 46 + nlen + elen + clen;
        }
        None
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn evaluate_adjust_approve_download_and_record_the_decision() {
    let d = demo().await;
    let mut admin = Browser::new(&d.base);
    admin.login("quantri").await;
    let page_path = format!("{}?nam=2025", movement_path());
    let token = admin.csrf(&page_path).await;
    let p = admin
        .post(
            &format!("{}/danh-gia", movement_path()),
            &[("_csrf", &token), ("nam", "2025")],
        )
        .await;
    assert_eq!(p.status, 303, "{}", p.body);
    let page = admin.get(&page_path).await;
    assert!(page.body.contains("Đã đánh giá năm 2025"), "flash");
    assert!(page.body.contains("Chờ phê duyệt"));
    let run = hidden(&page.body, "lan-danh-gia");

    // A member of staff's subject page, and one of their criteria.
    let people = links(&page.body, &format!("{}/2025/ca-nhan/", movement_path()));
    let (subject_href, name) = people[0].clone();
    let subject = admin.get(&subject_href).await;
    assert_eq!(subject.status, 200);
    assert!(subject.body.contains(&name));
    let (kind, id) = {
        let rest = subject_href.rsplit('/').collect::<Vec<_>>();
        ("ca-nhan", decode(rest[0]))
    };
    let adjust = format!("{subject_href}/dieu-chinh");
    let e = d
        .app
        .evaluation(&Principal::system(), DEMO_MOVEMENT, 2025)
        .await
        .unwrap()
        .unwrap();
    let before = e.adjustments.len();
    let s = e
        .subject(cchc_domain::emulation::SubjectKind::Individual, &id)
        .unwrap()
        .clone();
    let c = &s.criteria[0];
    let to = if c.verdict == cchc_domain::emulation::Verdict::Met {
        "not_met"
    } else {
        "met"
    };
    let _ = kind;

    // Without a reason: 422, the form again with the error, nothing stored.
    let p = admin
        .post(
            &adjust,
            &[
                ("_csrf", &token),
                ("tieu-chi", &c.criterion),
                ("ket-qua", to),
                ("ly-do", ""),
                ("lan-danh-gia", &run),
            ],
        )
        .await;
    assert_eq!(p.status, 422, "{}", p.body);
    assert!(p.body.contains("role=\"alert\""));
    assert!(p.body.contains("lý do"), "{}", p.body);
    let after = d
        .app
        .evaluation(&Principal::system(), DEMO_MOVEMENT, 2025)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(after.adjustments.len(), before, "nothing stored");

    // With a reason: the verdict changes and the history shows it.
    let reason = "Hồ sơ trễ hạn do lỗi hệ thống liên thông, đã có văn bản xác nhận";
    let p = admin
        .post(
            &adjust,
            &[
                ("_csrf", &token),
                ("tieu-chi", &c.criterion),
                ("ket-qua", to),
                ("ly-do", reason),
                ("lan-danh-gia", &run),
            ],
        )
        .await;
    assert_eq!(p.status, 303, "{}", p.body);
    let shown = admin.get(&subject_href).await;
    assert!(shown.body.contains(reason), "history shows the reason");
    assert!(shown.body.contains("Đã điều chỉnh"));
    let after = d
        .app
        .evaluation(&Principal::system(), DEMO_MOVEMENT, 2025)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(after.adjustments.len(), before + 1);
    let changed = after
        .subject(cchc_domain::emulation::SubjectKind::Individual, &id)
        .unwrap()
        .result_of(&c.criterion)
        .unwrap()
        .verdict;
    assert_eq!(changed.code(), to);

    // Approve.
    let page = admin.get(&page_path).await;
    let run = hidden(&page.body, "lan-danh-gia");
    let p = admin
        .post(
            &format!("{}/phe-duyet", movement_path()),
            &[("_csrf", &token), ("nam", "2025"), ("lan-danh-gia", &run)],
        )
        .await;
    assert_eq!(p.status, 303, "{}", p.body);
    let page = admin.get(&page_path).await;
    assert!(page.body.contains("Đã phê duyệt"));
    assert!(!page.body.contains(">Đánh giá</button>"));
    // No adjusting after approval.
    let p = admin
        .post(
            &adjust,
            &[
                ("_csrf", &token),
                ("tieu-chi", &c.criterion),
                ("ket-qua", to),
                ("ly-do", reason),
                ("lan-danh-gia", &run),
            ],
        )
        .await;
    assert_eq!(p.status, 422);

    // The DOCX bundle of the first list: a zip whose document names its first nominee.
    let bundles = links(&page.body, &format!("{}/2025/de-nghi?", movement_path()));
    let bundle = bundles
        .iter()
        .find(|(h, _)| h.contains("tai-lieu=ho-so"))
        .expect("a nomination list with its DOCX bundle");
    let approved = d
        .app
        .evaluation(&Principal::system(), DEMO_MOVEMENT, 2025)
        .await
        .unwrap()
        .unwrap();
    let lists = approved.nominations().unwrap();
    let r = reqwest::Client::new()
        .get(format!("{}{}", d.base, bundle.0))
        .header("cookie", admin.cookie_header())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert!(
        r.headers()["content-type"]
            .to_str()
            .unwrap()
            .contains("wordprocessingml")
    );
    let bytes = r.bytes().await.unwrap().to_vec();
    assert!(bytes.starts_with(b"PK"));
    let xml = String::from_utf8(unzip::entry(&bytes, "word/document.xml").unwrap()).unwrap();
    let list = lists
        .iter()
        .find(|l| bundle.0.contains(&format!("hinh-thuc={}", l.form)))
        .unwrap();
    let first = &list.subjects[0].name;
    assert!(xml.contains(first.as_str()), "{first} in the DOCX");
    assert!(xml.contains("Đạt"));
    // The results as Excel, linked from the page: the units sheet names the ward.
    let sheet = links(
        &page.body,
        &format!("{}/2025/ket-qua.xlsx", movement_path()),
    );
    let r = reqwest::Client::new()
        .get(format!("{}{}", d.base, sheet[0].0))
        .header("cookie", admin.cookie_header())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let bytes = r.bytes().await.unwrap().to_vec();
    let book = String::from_utf8(unzip::entry(&bytes, "xl/workbook.xml").unwrap()).unwrap();
    assert!(book.contains("Tập thể") && book.contains("Đề nghị khen thưởng"));
    let strings = String::from_utf8(unzip::entry(&bytes, "xl/sharedStrings.xml").unwrap()).unwrap();
    assert!(strings.contains(first.as_str()), "{first} in the workbook");
    // The printable version.
    let print = links(&page.body, &format!("{}/2025/ban-in?", movement_path()));
    let printed = admin.get(&print[0].0).await;
    assert_eq!(printed.status, 200);
    assert!(printed.body.contains("DANH SÁCH ĐỀ NGHỊ KHEN THƯỞNG"));

    // The signed decision: not a PDF → 422 and nothing stored; a PDF → rewards listed.
    let fields = |form: &str| -> Vec<(String, String)> {
        let q: Vec<(String, String)> =
            serde_urlencoded::from_str(bundle.0.split_once('?').unwrap().1).unwrap();
        let get = |k: &str| q.iter().find(|(n, _)| n == k).unwrap().1.clone();
        vec![
            ("_csrf".into(), token.clone()),
            ("hinh-thuc".into(), get("hinh-thuc")),
            ("noi-ky".into(), get("noi-ky")),
            ("so-quyet-dinh".into(), form.into()),
            ("ngay-ky".into(), "2026-01-15".into()),
        ]
    };
    let upload = format!("{}/2025/quyet-dinh", movement_path());
    let f = fields("15/QĐ-UBND");
    let refs: Vec<(&str, &str)> = f.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
    let p = admin
        .post_multipart(
            &upload,
            &refs,
            Some(("tep", "quyet-dinh.txt", b"not a pdf at all")),
        )
        .await;
    assert_eq!(p.status, 422, "{}", p.body);
    assert!(p.body.contains("PDF"));
    let (decisions, _) = d
        .app
        .decisions_of(&Principal::system(), &approved.run)
        .await
        .unwrap();
    assert!(decisions.is_empty(), "nothing stored");
    let pdf = cchc_app::demo_emulation::sample_pdf("Quyet dinh khen thuong");
    let p = admin
        .post_multipart(&upload, &refs, Some(("tep", "quyet-dinh.pdf", &pdf)))
        .await;
    assert_eq!(p.status, 303, "{}", p.body);
    let page = admin.get(&page_path).await;
    assert!(page.body.contains("15/QĐ-UBND"));
    assert!(
        page.body
            .contains("Quyết định khen thưởng và khen thưởng đã trao")
    );
    assert!(page.body.contains(first.as_str()));
    let doc = links(&page.body, "/thi-dua/tai-lieu?loai=quyet-dinh");
    let file = admin.get(&doc[0].0).await;
    assert_eq!(file.status, 200);
    assert!(file.body.starts_with("%PDF"));
}

/// The first criteria set offered by the launch form.
fn hidden_option(html: &str) -> String {
    let at = html.find("name=\"bo-tieu-chi\"").expect("criteria select");
    let rest = &html[at..];
    let v = rest.find("<option value=\"").expect("an option") + "<option value=\"".len();
    rest[v..v + rest[v..].find('"').unwrap()].to_owned()
}
