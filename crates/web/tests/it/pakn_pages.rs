//! PAKN pages over real HTTP: an anonymous submission without a contact gets a Vietnamese 422
//! and stores nothing; with a phone it is received and followed by code and secret; a
//! harassment report is flagged on the reform office's board; wrong roles are refused.

use crate::browser::{Browser, hidden};
use crate::{COMMUNE_A, server};
use cchc_web::WebConfig;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn submit_follow_and_board() {
    let s = server(WebConfig::default()).await;
    let mut anon = Browser::new(&s.base);
    let form = anon.get("/phan-anh").await;
    assert_eq!(form.status, 200, "{}", form.body);
    assert!(form.body.contains("Gửi phản ánh, kiến nghị"));
    let csrf = hidden(&form.body, "_csrf");
    let fields = |phone: &'static str| {
        vec![
            ("_csrf", csrf.clone()),
            ("loai", "nhung-nhieu".to_owned()),
            ("doi-tuong", "don-vi".to_owned()),
            ("don-vi", COMMUNE_A.to_owned()),
            ("noi-dung", "Cán bộ đòi tiền bồi dưỡng.".to_owned()),
            ("dien-thoai", phone.to_owned()),
            ("cong-khai", "co".to_owned()),
        ]
    };
    let f = fields("");
    let pairs: Vec<(&str, &str)> = f.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let p = anon.post_multipart("/phan-anh", &pairs, None).await;
    assert_eq!(p.status, 422, "{}", p.body);
    assert!(
        p.body.contains("số điện thoại hoặc thư điện tử"),
        "{}",
        p.body
    );
    assert_eq!(s.app.store().pakn_count().await.unwrap(), 0);
    // An unrecognised file type is refused too.
    let f = fields("0905123456");
    let pairs: Vec<(&str, &str)> = f.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let p = anon
        .post_multipart("/phan-anh", &pairs, Some(("tep", "x.exe", b"MZ not a pdf")))
        .await;
    assert_eq!(p.status, 422);
    assert!(p.body.contains("không đúng định dạng"));
    assert_eq!(s.app.store().pakn_count().await.unwrap(), 0);
    let p = anon
        .post_multipart("/phan-anh", &pairs, Some(("tep", "a.pdf", b"%PDF-1.4 x")))
        .await;
    assert_eq!(p.status, 303, "{}", p.body);
    let receipt = anon.get(&p.location).await;
    assert_eq!(receipt.status, 200);
    let code = p.location.rsplit('/').next().unwrap().to_owned();
    let secret_start = receipt.body.find("id=\"ma-bi-mat\">").unwrap() + "id=\"ma-bi-mat\">".len();
    let secret = receipt.body[secret_start..secret_start + 8].to_owned();
    let f = anon
        .get(&format!("/phan-anh/tra-cuu?ma={code}&bi-mat={secret}"))
        .await;
    assert_eq!(f.status, 200, "{}", f.body);
    assert!(f.body.contains("Chờ phân loại") && !f.body.contains("0905123456"));
    let f = anon
        .get(&format!("/phan-anh/tra-cuu?ma={code}&bi-mat=SAI"))
        .await;
    assert_eq!(f.status, 404);
    // Rating before an answer: a Vietnamese 422, nothing stored.
    let csrf = hidden(&anon.get("/phan-anh").await.body, "_csrf");
    let r = anon
        .post(
            &format!("/phan-anh/{code}/danh-gia"),
            &[("_csrf", &csrf), ("bi-mat", &secret), ("diem", "5")],
        )
        .await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert_eq!(s.app.store().pakn_events(&code).await.unwrap().len(), 1);

    let mut admin = Browser::new(&s.base);
    admin.login_with("quantri", crate::PASSWORD).await;
    let b = admin.get("/phan-anh/quan-ly").await;
    assert_eq!(b.status, 200, "{}", b.body);
    assert!(b.body.contains(&code) && b.body.contains("Toàn tỉnh"));
    let d = admin.get(&format!("/phan-anh/quan-ly/{code}")).await;
    assert!(d.body.contains("0905123456") && d.body.contains("Chuyển xử lý"));

    // A citizen may not open the staff pages; the other commune's officer cannot act.
    let mut c = Browser::new(&s.base);
    c.login_with("congdan1", crate::PASSWORD).await;
    assert_eq!(c.get("/phan-anh/quan-ly").await.status, 403);
    let mut b = Browser::new(&s.base);
    b.login_with("canbo.b", crate::PASSWORD).await;
    let csrf = b.csrf("/phan-anh").await;
    let r = b
        .post(
            &format!("/phan-anh/quan-ly/{code}/tra-loi"),
            &[("_csrf", &csrf), ("tra-loi", "Trả lời")],
        )
        .await;
    assert!(r.status == 403 || r.status == 404, "{}", r.status);
    assert_eq!(s.app.store().pakn_events(&code).await.unwrap().len(), 1);
}
