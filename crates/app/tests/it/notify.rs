//! Notifications: a dossier's receipt, supplement request and result go to the applicant by
//! email (a real SMTP server on loopback) and SMS (the file sink), through the outbox; a
//! mailbox the server refuses for good goes to the dead letters and is replayed.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use cchc_app::dossiers::Action;
use cchc_app::notify::{NotifySettings, SmtpSettings};
use cchc_app::sync::SyncSettings;
use cchc_domain::dossier::{Outcome, ResultDoc};
use cchc_domain::procedure::Channel;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};

use crate::lifecycle::new_dossier;
use crate::world;

/// A minimal SMTP server: accepts every message (or refuses recipients with 550 while
/// `refuse` is set) and keeps each message's raw text.
struct SmtpServer {
    port: u16,
    mails: Arc<Mutex<Vec<String>>>,
    refuse: Arc<AtomicBool>,
}

async fn smtp_server() -> SmtpServer {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let mails = Arc::new(Mutex::new(Vec::new()));
    let refuse = Arc::new(AtomicBool::new(false));
    let (m, r) = (Arc::clone(&mails), Arc::clone(&refuse));
    tokio::spawn(async move {
        while let Ok((socket, _)) = listener.accept().await {
            let (m, r) = (Arc::clone(&m), Arc::clone(&r));
            tokio::spawn(async move {
                let (read, mut write) = socket.into_split();
                let mut lines = BufReader::new(read).lines();
                let _ = write.write_all(b"220 test ESMTP\r\n").await;
                while let Ok(Some(line)) = lines.next_line().await {
                    let cmd = line.to_ascii_uppercase();
                    let reply: &[u8] = if cmd.starts_with("EHLO") || cmd.starts_with("HELO") {
                        b"250 test\r\n"
                    } else if cmd.starts_with("RCPT") && r.load(Ordering::SeqCst) {
                        b"550 5.1.1 no such mailbox\r\n"
                    } else if cmd.starts_with("DATA") {
                        let _ = write.write_all(b"354 go ahead\r\n").await;
                        let mut text = String::new();
                        while let Ok(Some(l)) = lines.next_line().await {
                            if l == "." {
                                break;
                            }
                            text.push_str(&l);
                            text.push('\n');
                        }
                        m.lock().unwrap().push(text);
                        b"250 queued\r\n"
                    } else if cmd.starts_with("QUIT") {
                        let _ = write.write_all(b"221 bye\r\n").await;
                        break;
                    } else {
                        b"250 ok\r\n"
                    };
                    if write.write_all(reply).await.is_err() {
                        break;
                    }
                }
            });
        }
    });
    SmtpServer {
        port,
        mails,
        refuse,
    }
}

/// The world's app with notifications on: SMTP to `smtp_port` (none: no mail server) and SMS
/// to `sms_file`.
fn notifying(
    w: &crate::World,
    smtp_port: Option<u16>,
    sms_file: &std::path::Path,
    public_url: &str,
) -> cchc_app::App {
    w.app
        .clone()
        .with_sync(SyncSettings {
            backoff_base: std::time::Duration::from_millis(10),
            notify: NotifySettings {
                smtp: smtp_port.map(|port| SmtpSettings {
                    host: "127.0.0.1".into(),
                    port,
                    from: "motcua@kontum.gov.vn".into(),
                    username: None,
                    password: None,
                }),
                sms_file: Some(sms_file.to_path_buf()),
                public_url: public_url.into(),
            },
            ..SyncSettings::default()
        })
        .unwrap()
}

fn header<'a>(mail: &'a str, name: &str) -> Option<&'a str> {
    mail.lines()
        .find(|l| {
            l.to_ascii_lowercase()
                .starts_with(&format!("{}:", name.to_ascii_lowercase()))
        })
        .map(|l| l[name.len() + 1..].trim())
}

#[tokio::test]
async fn a_dossier_notifies_its_applicant_by_email_and_sms_through_the_outbox() {
    let w = world().await;
    let smtp = smtp_server().await;
    let sms_file = std::env::temp_dir().join(format!("cchc-sms-{}.jsonl", std::process::id()));
    let _ = std::fs::remove_file(&sms_file);
    let app = notifying(&w, Some(smtp.port), &sms_file, "http://127.0.0.1:8080");
    let a = &w.officer_a;

    // Received at the counter (a receipt), assigned (nothing to tell), a supplement asked.
    let d = app
        .create_dossier(a, new_dossier(Channel::Counter, None))
        .await
        .unwrap();
    app.act(
        a,
        &d.code,
        None,
        Action::Assign {
            officer: a.account_id.clone(),
        },
    )
    .await
    .unwrap();
    app.act(
        a,
        &d.code,
        None,
        Action::RequestSupplement {
            items: vec!["Bản sao hợp đồng thuê nhà có chứng thực".into()],
            note: String::new(),
        },
    )
    .await
    .unwrap();
    while app.sync_once("t").await.unwrap().claimed > 0 {}

    let mails = smtp.mails.lock().unwrap().clone();
    assert_eq!(mails.len(), 2, "{mails:?}");
    let mut ids = Vec::new();
    for mail in &mails {
        assert_eq!(header(mail, "To"), Some("hoa@example.vn"));
        let id = header(mail, "Message-ID").unwrap();
        assert!(
            id.starts_with(&format!("<{}.", d.code)) && id.ends_with(".email@kontum.gov.vn>"),
            "{mail}"
        );
        ids.push(id.to_owned());
        assert!(
            header(mail, "From")
                .unwrap()
                .contains("motcua@kontum.gov.vn")
        );
    }
    assert_ne!(ids[0], ids[1]);
    let sms: Vec<serde_json::Value> = std::fs::read_to_string(&sms_file)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(sms.len(), 2, "{sms:?}");
    assert!(sms.iter().all(|s| s["to"] == "84905123456"));
    let first = sms[0]["text"].as_str().unwrap();
    assert!(first.contains(&d.code) && first.is_ascii(), "{first}");
    assert!(first.contains("da tiep nhan"), "{first}");
    assert!(
        sms[1]["text"]
            .as_str()
            .unwrap()
            .contains("can bo sung: Ban sao hop dong thue nha"),
        "{}",
        sms[1]
    );

    // The mailbox is refused for good: the result's email is a dead letter at once (no
    // retries), its SMS goes out; replayed after the address is fixed, it is delivered.
    smtp.refuse.store(true, Ordering::SeqCst);
    app.act(
        a,
        &d.code,
        None,
        Action::ReceiveSupplement {
            note: String::new(),
        },
    )
    .await
    .unwrap();
    app.act(
        a,
        &d.code,
        None,
        Action::Decide {
            outcome: Outcome::Approved,
            note: String::new(),
            results: vec![ResultDoc {
                name: "Xác nhận đăng ký tạm trú".into(),
                electronic: true,
                file_ref: None,
            }],
        },
    )
    .await
    .unwrap();
    while app.sync_once("t").await.unwrap().claimed > 0 {}
    let admin = cchc_app::Principal::system();
    let dead = app.dead_letters(&admin, 0).await.unwrap();
    assert_eq!(dead.len(), 1, "{dead:?}");
    assert_eq!(dead[0].sink, "email");
    assert_eq!(dead[0].attempts, 1);
    assert!(dead[0].last_error.as_deref().unwrap_or("").contains("550"));
    assert_eq!(smtp.mails.lock().unwrap().len(), 2);
    let sms_now = std::fs::read_to_string(&sms_file).unwrap().lines().count();
    assert_eq!(sms_now, 3, "the result's SMS went out");

    smtp.refuse.store(false, Ordering::SeqCst);
    assert_eq!(app.replay_dead(&admin, Some(dead[0].id)).await.unwrap(), 1);
    while app.sync_once("t").await.unwrap().claimed > 0 {}
    let mails = smtp.mails.lock().unwrap().clone();
    assert_eq!(mails.len(), 3);
    assert_eq!(
        header(&mails[2], "Message-ID"),
        Some(format!("<{}.{}.email@kontum.gov.vn>", d.code, dead[0].seq).as_str())
    );
    assert!(app.dead_letters(&admin, 0).await.unwrap().is_empty());
}

#[tokio::test]
async fn without_a_mail_server_no_email_is_written_and_a_bad_phone_gets_no_sms() {
    let w = world().await;
    let sms_file = std::env::temp_dir().join(format!("cchc-sms2-{}.jsonl", std::process::id()));
    let _ = std::fs::remove_file(&sms_file);
    let app = notifying(&w, None, &sms_file, "http://127.0.0.1:8080");
    let mut input = new_dossier(Channel::Counter, None);
    input.applicant.phone = "0212 3456 78".into(); // a landline: no SMS
    let d = app.create_dossier(&w.officer_a, input).await.unwrap();
    while app.sync_once("t").await.unwrap().claimed > 0 {}
    assert!(!sms_file.exists(), "no SMS to a landline");
    let sinks: Vec<String> = app
        .dossier_messages(&cchc_app::Principal::system(), &d.code)
        .await
        .unwrap()
        .into_iter()
        .map(|m| m.sink)
        .collect();
    assert!(
        !sinks.iter().any(|s| s == "email" || s == "sms"),
        "{sinks:?}"
    );
}

#[tokio::test]
async fn an_answered_pakn_tells_its_sender_by_email_and_sms() {
    let w = world().await;
    let smtp = smtp_server().await;
    let sms_file = std::env::temp_dir().join(format!("cchc-sms3-{}.jsonl", std::process::id()));
    let _ = std::fs::remove_file(&sms_file);
    let app = notifying(
        &w,
        Some(smtp.port),
        &sms_file,
        "https://dichvucong.kontum.gov.vn/",
    );
    let admin = cchc_app::Principal::system();
    let r = app
        .submit_pakn(
            None,
            cchc_app::pakn::NewPakn {
                category: "cham-tre".into(),
                subject: "don-vi".into(),
                unit: crate::COMMUNE_A.into(),
                body: "Hồ sơ đăng ký tạm trú của tôi đã quá hẹn ba ngày.".into(),
                name: "Trần Văn Nam".into(),
                phone: "0987 654 321".into(),
                email: "nam.tran@example.vn".into(),
                consent: false,
                ..Default::default()
            },
            Vec::new(),
        )
        .await
        .unwrap();
    app.pakn_forward(
        &admin,
        &r.code,
        "cham-tre",
        "",
        crate::COMMUNE_A,
        "Chuyển UBND phường",
    )
    .await
    .unwrap();
    while app.sync_once("t").await.unwrap().claimed > 0 {}
    assert!(smtp.mails.lock().unwrap().is_empty(), "nothing to tell yet");
    app.pakn_answer(
        &w.officer_a,
        &r.code,
        "Phường đã trả kết quả và xin lỗi ông.",
    )
    .await
    .unwrap();
    while app.sync_once("t").await.unwrap().claimed > 0 {}
    let mails = smtp.mails.lock().unwrap().clone();
    assert_eq!(mails.len(), 1);
    assert_eq!(header(&mails[0], "To"), Some("nam.tran@example.vn"));
    assert!(
        header(&mails[0], "Message-ID")
            .unwrap()
            .starts_with(&format!("<{}.", r.code))
    );
    let sms = std::fs::read_to_string(&sms_file).unwrap();
    assert_eq!(sms.lines().count(), 1, "{sms}");
    let line: serde_json::Value = serde_json::from_str(sms.trim()).unwrap();
    assert_eq!(line["to"], "84987654321");
    let text = line["text"].as_str().unwrap();
    assert!(
        text.contains(&r.code)
            && text.contains("https://dichvucong.kontum.gov.vn/phan-anh/tra-cuu"),
        "{text}"
    );
}
