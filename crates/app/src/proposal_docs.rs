//! The emulation movement's reward proposal dossier (hồ sơ đề nghị khen thưởng, seed 003 §II.5.b)
//! as DOCX files the offices edit and sign: the proposing letter (tờ trình), the minutes of the
//! emulation and reward council (biên bản họp Hội đồng Thi đua - Khen thưởng) with the vote
//! columns left blank, and one achievement report (báo cáo thành tích) per nominee giving the
//! result on each criterion. Built from plain structs; blanks ("……") are left wherever the
//! platform cannot know the answer (the number, the meeting's time and place, the votes).
//!
//! ```
//! use cchc_app::proposal_docs::*;
//!
//! let input = ProposalInput {
//!     proposing_office: "SỞ NỘI VỤ TỈNH KON TUM".into(),
//!     parent_office: "UBND TỈNH KON TUM".into(),
//!     document_number: "……/TTr-SNV".into(),
//!     place: "Kon Tum".into(),
//!     date: jiff::civil::date(2026, 11, 22),
//!     movement_title: "Phong trào thi đua đẩy mạnh công tác cải cách hành chính nhà nước \
//!                      giai đoạn 2023 - 2030".into(),
//!     movement_plan: "Kế hoạch số 42/KH-UBND ngày 06/01/2023 của UBND tỉnh".into(),
//!     year: 2026,
//!     reward_form: "Bằng khen của Chủ tịch UBND tỉnh".into(),
//!     issuer: "Chủ tịch Ủy ban nhân dân tỉnh".into(),
//!     nominees: vec![Nominee {
//!         kind: NomineeKind::Collective,
//!         name: "UBND phường Kon Tum".into(),
//!         title: None,
//!         unit_name: "UBND tỉnh Kon Tum".into(),
//!         criteria: vec![CriterionLine {
//!             label: "Không có hồ sơ trễ hẹn, tồn đọng".into(),
//!             verdict: "Đạt".into(),
//!             detail: "2.431 hồ sơ giải quyết, 0 trễ hạn; 0 tồn đọng cuối năm".into(),
//!         }],
//!         adjustment: None,
//!     }],
//!     council: vec![],
//! };
//! let docx: Vec<u8> = proposal_bundle(&input)?; // letter, minutes, one report per nominee
//! std::fs::write(std::env::temp_dir().join("ho-so-khen-thuong.docx"), &docx)?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use crate::docx::{
    Align, Block, Cell, Document, DocxError, NationalHeader, Paragraph, Row, Run, Table, VAlign, mm,
};
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

/// Everything the three documents are made of.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProposalInput {
    /// The proposing body (cơ quan đề nghị): "SỞ NỘI VỤ TỈNH KON TUM".
    pub proposing_office: String,
    /// Its governing body (cơ quan chủ quản), the top line of the heading: "UBND TỈNH KON TUM".
    pub parent_office: String,
    /// The letter's number, blank until signed: "……/TTr-SNV".
    pub document_number: String,
    /// "Kon Tum".
    pub place: String,
    pub date: Date,
    /// "Phong trào thi đua đẩy mạnh công tác cải cách hành chính nhà nước giai đoạn 2023 - 2030".
    pub movement_title: String,
    /// "Kế hoạch số 42/KH-UBND ngày 06/01/2023 của UBND tỉnh".
    pub movement_plan: String,
    /// The year evaluated.
    pub year: i16,
    /// "Bằng khen của Chủ tịch UBND tỉnh".
    pub reward_form: String,
    /// Who grants it: "Chủ tịch Ủy ban nhân dân tỉnh".
    pub issuer: String,
    pub nominees: Vec<Nominee>,
    /// The council members present; empty leaves blank lines in the minutes.
    pub council: Vec<CouncilMember>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum NomineeKind {
    /// Tập thể: a unit.
    Collective,
    /// Cá nhân: a person.
    Individual,
}

/// A collective or an individual proposed for the reward.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Nominee {
    pub kind: NomineeKind,
    /// The unit's name, or the person's full name.
    pub name: String,
    /// The person's position (chức vụ); none for a collective.
    pub title: Option<String>,
    /// The person's unit, or the collective's governing body.
    pub unit_name: String,
    pub criteria: Vec<CriterionLine>,
    /// The reform office's reason when a verdict was changed by hand.
    pub adjustment: Option<String>,
}

/// The result on one criterion of the movement.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CriterionLine {
    pub label: String,
    /// "Đạt" | "Không đạt" | "Chưa đủ dữ liệu".
    pub verdict: String,
    /// The evidence in words: "2.431 hồ sơ giải quyết, 0 trễ hạn; 0 tồn đọng cuối năm".
    pub detail: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CouncilMember {
    pub name: String,
    /// "Giám đốc Sở, Chủ tịch Hội đồng".
    pub role: String,
}

/// The legal basis every proposal cites before the movement's own plan. Laws change: edit the
/// generated letter when a newer text applies.
pub const LEGAL_BASIS: &[&str] = &[
    "Căn cứ Luật Thi đua, khen thưởng ngày 15 tháng 6 năm 2022;",
    "Căn cứ Nghị định số 98/2023/NĐ-CP ngày 31 tháng 12 năm 2023 của Chính phủ quy định chi \
     tiết thi hành một số điều của Luật Thi đua, khen thưởng;",
];

const BLANK: &str = "……………………";
const BODY_PT: u32 = 14;
const TABLE_PT: u32 = 13;

/// The proposing letter (tờ trình đề nghị khen thưởng): the basis, the list of collectives then
/// individuals as a table, and the signature block.
pub fn proposal_letter(input: &ProposalInput) -> Result<Vec<u8>, DocxError> {
    let mut doc = document(input, "Tờ trình đề nghị khen thưởng");
    let width = doc.content_width();
    doc.extend(letter_blocks(input, width)?);
    doc.to_docx()
}

/// The minutes of the emulation and reward council's meeting: time and place left blank, the
/// members (or blank lines), the content, the list voted on with blank vote columns, the
/// conclusion and the signatures of the chair and the secretary.
pub fn council_minutes(input: &ProposalInput) -> Result<Vec<u8>, DocxError> {
    let mut doc = document(input, "Biên bản họp Hội đồng Thi đua - Khen thưởng");
    let width = doc.content_width();
    doc.extend(minutes_blocks(input, width)?);
    doc.to_docx()
}

/// The achievement report of nominee number `nominee` (from 0): a short profile, the result on
/// each criterion with its evidence, the reward proposed, and the reform office's reason when it
/// changed a verdict.
pub fn achievement_report(input: &ProposalInput, nominee: usize) -> Result<Vec<u8>, DocxError> {
    let n = input.nominees.get(nominee).ok_or_else(|| {
        DocxError::Invalid(format!(
            "không có người/tập thể thứ {} trong danh sách ({} đề nghị)",
            nominee + 1,
            input.nominees.len()
        ))
    })?;
    let mut doc = document(input, &format!("Báo cáo thành tích - {}", n.name));
    let width = doc.content_width();
    doc.extend(report_blocks(input, n, width));
    doc.to_docx()
}

/// The whole dossier in one file: the letter, the minutes and one report per nominee, each
/// starting on a new page (a new section, so each numbers its own pages).
pub fn proposal_bundle(input: &ProposalInput) -> Result<Vec<u8>, DocxError> {
    let mut doc = document(input, "Hồ sơ đề nghị khen thưởng");
    let width = doc.content_width();
    doc.extend(letter_blocks(input, width)?);
    doc.section_break();
    doc.extend(minutes_blocks(input, width)?);
    for n in &input.nominees {
        doc.section_break();
        doc.extend(report_blocks(input, n, width));
    }
    doc.to_docx()
}

/// "Kon Tum, ngày 22 tháng 11 năm 2026": days below 10 and months 1 and 2 take a leading zero
/// (Decree 30/2020, Appendix I).
pub fn place_date(place: &str, date: Date) -> String {
    let (d, m, y) = (date.day(), date.month(), date.year());
    let month = if m < 3 {
        format!("{m:02}")
    } else {
        m.to_string()
    };
    format!("{place}, ngày {d:02} tháng {month} năm {y}")
}

/// "22/11/2026", as dates are written in tables.
pub fn date_dmy(date: Date) -> String {
    format!("{:02}/{:02}/{}", date.day(), date.month(), date.year())
}

fn document(input: &ProposalInput, title: &str) -> Document {
    let mut doc = Document::new(title);
    doc.author = input.proposing_office.clone();
    doc.created = Some(input.date);
    doc.font_size = BODY_PT * 2;
    doc
}

fn require_nominees(input: &ProposalInput) -> Result<(), DocxError> {
    if input.nominees.is_empty() {
        return Err(DocxError::Invalid(
            "danh sách đề nghị khen thưởng trống".into(),
        ));
    }
    Ok(())
}

fn collectives(input: &ProposalInput) -> impl Iterator<Item = &Nominee> {
    input
        .nominees
        .iter()
        .filter(|n| n.kind == NomineeKind::Collective)
}

fn individuals(input: &ProposalInput) -> impl Iterator<Item = &Nominee> {
    input
        .nominees
        .iter()
        .filter(|n| n.kind == NomineeKind::Individual)
}

fn title_block(title: &str, subtitle: &str) -> Vec<Block> {
    vec![
        Paragraph::new()
            .align(Align::Center)
            .spacing(360, 0)
            .keep_next()
            .run(Run::new(title).bold().pt(14))
            .into(),
        Paragraph::new()
            .align(Align::Center)
            .spacing(0, 120)
            .keep_next()
            .run(Run::new(subtitle).bold().pt(14))
            .into(),
    ]
}

fn body(text: impl Into<String>) -> Block {
    Paragraph::body(text).into()
}

/// A line with blanks to fill in by hand: left-aligned, so the dots do not stretch.
fn fill_in(text: impl Into<String>) -> Block {
    Paragraph::body(text).align(Align::Left).into()
}

/// A paragraph kept on the page of what follows it: the last one before a signature block,
/// the one that introduces a table.
fn closing(text: impl Into<String>) -> Block {
    Paragraph::body(text).keep_next().into()
}

fn italic_body(text: impl Into<String>) -> Block {
    Paragraph::new()
        .align(Align::Justify)
        .indent_first(mm(10) as i32)
        .spacing(120, 0)
        .run(Run::new(text).italic())
        .into()
}

fn heading(level: u8, text: impl Into<String>) -> Block {
    Paragraph::heading(level, text)
        .indent_first(mm(10) as i32)
        .into()
}

fn counts(input: &ProposalInput) -> String {
    let c = collectives(input).count();
    let i = individuals(input).count();
    match (c, i) {
        (0, i) => format!("{i:02} cá nhân"),
        (c, 0) => format!("{c:02} tập thể"),
        (c, i) => format!("{c:02} tập thể và {i:02} cá nhân"),
    }
}

/// The signer's title, guessed from the proposing body's name; the office edits it if wrong.
fn signer_lines(office: &str) -> Vec<String> {
    let upper = office.to_uppercase();
    let head = if upper.starts_with("SỞ") {
        "GIÁM ĐỐC"
    } else if upper.starts_with("UBND") || upper.starts_with("ỦY BAN NHÂN DÂN") {
        return vec!["TM. ỦY BAN NHÂN DÂN".into(), "CHỦ TỊCH".into()];
    } else if upper.starts_with("PHÒNG") {
        "TRƯỞNG PHÒNG"
    } else if upper.starts_with("BAN") {
        "TRƯỞNG BAN"
    } else {
        "THỦ TRƯỞNG CƠ QUAN"
    };
    vec![head.into()]
}

fn signature_cell(titles: &[String], note: &str, name: Option<&str>) -> Cell {
    let mut ps: Vec<Paragraph> = titles
        .iter()
        .map(|t| {
            Paragraph::new()
                .align(Align::Center)
                .keep_next()
                .run(Run::new(t.clone()).bold().pt(14))
        })
        .collect();
    ps.push(
        Paragraph::new()
            .align(Align::Center)
            .keep_next()
            .run(Run::new(note).italic().pt(13)),
    );
    for _ in 0..4 {
        ps.push(Paragraph::new().keep_next());
    }
    ps.push(
        Paragraph::new()
            .align(Align::Center)
            .run(Run::new(name.unwrap_or("")).bold().pt(14)),
    );
    Cell::new(ps)
}

fn recipients_cell(lines: &[&str]) -> Cell {
    let mut ps = vec![
        Paragraph::new()
            .keep_next()
            .run(Run::new("Nơi nhận:").bold().italic().pt(12)),
    ];
    ps.extend(
        lines
            .iter()
            .map(|l| Paragraph::new().keep_next().run(Run::new(*l).pt(11))),
    );
    Cell::new(ps)
}

fn two_column(width: u32, left: Cell, right: Cell) -> Block {
    Table::layout(Table::proportional(&[45, 55], width))
        .row(Row::new(vec![left, right]))
        .into()
}

fn spacer() -> Block {
    Paragraph::new().spacing(120, 0).keep_next().into()
}

/// "I. TẬP THỂ" and "II. CÁ NHÂN" when the list has both, "TẬP THỂ" or "CÁ NHÂN" alone.
fn group_label<'a>(input: &ProposalInput, label: &'a str) -> &'a str {
    let has_both = collectives(input).next().is_some() && individuals(input).next().is_some();
    if has_both {
        label
    } else {
        label.split_once(". ").map_or(label, |(_, l)| l)
    }
}

fn group_row(label: &str, columns: u32) -> Row {
    Row::new(vec![
        Cell::of(Paragraph::new().run(Run::new(label).bold())).span(columns),
    ])
}

fn letter_blocks(input: &ProposalInput, width: u32) -> Result<Vec<Block>, DocxError> {
    require_nominees(input)?;
    let mut blocks = NationalHeader {
        parent_office: Some(input.parent_office.clone()),
        office: Some(input.proposing_office.clone()),
        number: Some(input.document_number.clone()),
        place_date: place_date(&input.place, input.date),
    }
    .blocks(width);
    blocks.extend(title_block(
        "TỜ TRÌNH",
        &format!(
            "Về việc đề nghị tặng {} cho tập thể, cá nhân có thành tích xuất sắc trong {} năm {}",
            input.reward_form, input.movement_title, input.year
        ),
    ));
    blocks.push(
        Paragraph::new()
            .align(Align::Center)
            .spacing(120, 120)
            .run(Run::new(format!("Kính gửi: {}.", input.issuer)))
            .into(),
    );
    for basis in LEGAL_BASIS {
        blocks.push(italic_body(*basis));
    }
    blocks.push(italic_body(format!(
        "Căn cứ {} về việc phát động {};",
        input.movement_plan, input.movement_title
    )));
    blocks.push(closing(format!(
        "Trên cơ sở kết quả thực hiện {} năm {}, đối chiếu với các tiêu chí bình xét khen \
         thưởng quy định tại {} và đề nghị của Hội đồng Thi đua - Khen thưởng (có Biên bản họp \
         kèm theo), {} kính trình {} xem xét, tặng {} cho {} có thành tích xuất sắc, cụ thể \
         như sau:",
        input.movement_title,
        input.year,
        input.movement_plan,
        input.proposing_office,
        input.issuer,
        input.reward_form,
        counts(input),
    )));
    blocks.push(
        Paragraph::new()
            .align(Align::Center)
            .spacing(120, 60)
            .keep_next()
            .run(Run::new("DANH SÁCH ĐỀ NGHỊ KHEN THƯỞNG").bold())
            .into(),
    );
    let mut table = Table::new(Table::proportional(&[9, 27, 19, 24, 21], width)).pt(TABLE_PT);
    table.push(Row::header(vec![
        Cell::header("STT"),
        Cell::header("Tên tập thể, cá nhân"),
        Cell::header("Chức vụ"),
        Cell::header("Đơn vị"),
        Cell::header("Hình thức đề nghị"),
    ]));
    for (group, label) in [
        (NomineeKind::Collective, "I. TẬP THỂ"),
        (NomineeKind::Individual, "II. CÁ NHÂN"),
    ] {
        let members: Vec<&Nominee> = input.nominees.iter().filter(|n| n.kind == group).collect();
        if members.is_empty() {
            continue;
        }
        table.push(group_row(group_label(input, label), 5));
        for (i, n) in members.iter().enumerate() {
            table.push(Row::new(vec![
                Cell::text((i + 1).to_string(), Align::Center),
                Cell::text(n.name.clone(), Align::Left),
                Cell::text(n.title.clone().unwrap_or_default(), Align::Left),
                Cell::text(n.unit_name.clone(), Align::Left),
                Cell::text(input.reward_form.clone(), Align::Left),
            ]));
        }
    }
    blocks.push(table.into());
    blocks.push(italic_body(
        "(Kèm theo Biên bản họp Hội đồng Thi đua - Khen thưởng và Báo cáo thành tích của các \
         tập thể, cá nhân được đề nghị khen thưởng).",
    ));
    blocks.push(closing(format!(
        "Kính trình {} xem xét, quyết định./.",
        input.issuer
    )));
    blocks.push(spacer());
    let to_issuer = format!("- {};", first_upper(&input.issuer));
    blocks.push(two_column(
        width,
        recipients_cell(&["- Như trên;", &to_issuer, "- Lưu: VT."]),
        signature_cell(
            &signer_lines(&input.proposing_office),
            "(Ký, ghi rõ họ tên, đóng dấu)",
            None,
        ),
    ));
    Ok(blocks)
}

fn first_upper(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// "Đạt 4/5 tiêu chí; Chưa đủ dữ liệu: 1".
fn criteria_summary(n: &Nominee) -> String {
    let total = n.criteria.len();
    if total == 0 {
        return "Chưa có kết quả tiêu chí".into();
    }
    let passed = n.criteria.iter().filter(|c| is_pass(&c.verdict)).count();
    let mut out = format!("Đạt {passed}/{total} tiêu chí");
    let mut others: Vec<(String, usize)> = Vec::new();
    for c in n.criteria.iter().filter(|c| !is_pass(&c.verdict)) {
        let v = c.verdict.trim().to_string();
        match others.iter_mut().find(|(k, _)| *k == v) {
            Some((_, count)) => *count += 1,
            None => others.push((v, 1)),
        }
    }
    for (verdict, count) in others {
        out.push_str(&format!("; {verdict}: {count}"));
    }
    if n.adjustment.is_some() {
        out.push_str(" (có điều chỉnh)");
    }
    out
}

fn is_pass(verdict: &str) -> bool {
    verdict.trim().to_lowercase() == "đạt"
}

fn role_is(member: &CouncilMember, role: &str) -> bool {
    let r = member.role.to_lowercase();
    r.contains(role) && !r.contains(&format!("phó {role}"))
}

fn minutes_blocks(input: &ProposalInput, width: u32) -> Result<Vec<Block>, DocxError> {
    require_nominees(input)?;
    let mut blocks = NationalHeader {
        parent_office: Some(input.proposing_office.clone()),
        office: Some("HỘI ĐỒNG\nTHI ĐUA - KHEN THƯỞNG".into()),
        number: Some("……/BB-HĐTĐKT".into()),
        place_date: format!(
            "{}, ngày …… tháng …… năm {}",
            input.place,
            input.date.year()
        ),
    }
    .blocks(width);
    blocks.extend(title_block(
        "BIÊN BẢN",
        &format!(
            "Họp Hội đồng Thi đua - Khen thưởng xét đề nghị tặng {} cho tập thể, cá nhân có \
             thành tích xuất sắc trong {} năm {}",
            input.reward_form, input.movement_title, input.year
        ),
    ));
    blocks.push(fill_in(format!(
        "Thời gian: vào hồi …… giờ …… phút, ngày …… tháng …… năm {}.",
        input.date.year()
    )));
    blocks.push(fill_in(format!("Địa điểm: {BLANK}{BLANK}")));
    blocks.push(heading(1, "I. THÀNH PHẦN THAM DỰ"));
    if input.council.is_empty() {
        for i in 1..=7 {
            blocks.push(fill_in(format!("{i}. Ông (Bà): ………………… Chức vụ: ……………………")));
        }
        blocks.push(fill_in(
            "Số thành viên Hội đồng có mặt: ……/…… thành viên; vắng: …… (lý do: …………).",
        ));
    } else {
        for (i, m) in input.council.iter().enumerate() {
            blocks.push(body(format!("{}. {} - {}.", i + 1, m.name, m.role)));
        }
        blocks.push(fill_in(format!(
            "Số thành viên Hội đồng có mặt: ……/{} thành viên; vắng: …… (lý do: …………).",
            input.council.len()
        )));
    }
    let chair = input.council.iter().find(|m| role_is(m, "chủ tịch"));
    let secretary = input.council.iter().find(|m| role_is(m, "thư ký"));
    blocks.push(fill_in(format!(
        "Chủ trì cuộc họp: {}; thư ký cuộc họp: {}.",
        chair.map_or(BLANK, |m| m.name.as_str()),
        secretary.map_or(BLANK, |m| m.name.as_str()),
    )));
    blocks.push(heading(1, "II. NỘI DUNG"));
    blocks.push(body(format!(
        "Hội đồng nghe cơ quan tham mưu công tác cải cách hành chính báo cáo kết quả thực hiện \
         {} năm {} theo {}; đối chiếu kết quả của từng tập thể, cá nhân với các tiêu chí bình xét \
         khen thưởng của Phong trào (kết quả trên từng tiêu chí nêu tại Báo cáo thành tích kèm \
         theo).",
        input.movement_title, input.year, input.movement_plan
    )));
    blocks.push(closing(format!(
        "Các thành viên Hội đồng thảo luận, biểu quyết đề nghị tặng {} cho {} như sau \
         (kết quả tổng hợp đến ngày {}):",
        input.reward_form,
        counts(input),
        date_dmy(input.date)
    )));
    let mut table =
        Table::new(Table::proportional(&[9, 24, 20, 17, 10, 10, 10], width)).pt(TABLE_PT);
    table.push(Row::header(vec![
        Cell::header("STT"),
        Cell::header("Tên tập thể, cá nhân"),
        Cell::header("Đơn vị"),
        Cell::header("Kết quả theo tiêu chí"),
        Cell::header("Số phiếu tán thành"),
        Cell::header("Số phiếu không tán thành"),
        Cell::header("Tỷ lệ tán thành (%)"),
    ]));
    for (group, label) in [
        (NomineeKind::Collective, "I. TẬP THỂ"),
        (NomineeKind::Individual, "II. CÁ NHÂN"),
    ] {
        let members: Vec<&Nominee> = input.nominees.iter().filter(|n| n.kind == group).collect();
        if members.is_empty() {
            continue;
        }
        table.push(group_row(group_label(input, label), 7));
        for (i, n) in members.iter().enumerate() {
            let name = match &n.title {
                Some(t) if !t.is_empty() => format!("{}\n({t})", n.name),
                _ => n.name.clone(),
            };
            table.push(Row::new(vec![
                Cell::text((i + 1).to_string(), Align::Center),
                Cell::text(name, Align::Left),
                Cell::text(n.unit_name.clone(), Align::Left),
                Cell::text(criteria_summary(n), Align::Left),
                Cell::text("", Align::Center),
                Cell::text("", Align::Center),
                Cell::text("", Align::Center),
            ]));
        }
    }
    blocks.push(table.into());
    blocks.push(heading(1, "III. KẾT LUẬN"));
    blocks.push(body(format!(
        "Hội đồng Thi đua - Khen thưởng thống nhất đề nghị {} tặng {} cho …… tập thể và …… cá \
         nhân có tỷ lệ phiếu tán thành đạt từ ……% trở lên tổng số thành viên Hội đồng theo quy \
         định (danh sách nêu trên).",
        input.issuer, input.reward_form
    )));
    blocks.push(closing(
        "Cuộc họp kết thúc vào hồi …… giờ …… phút cùng ngày. Biên bản đã được thông qua trước \
         Hội đồng và được các thành viên dự họp thống nhất./.",
    ));
    blocks.push(spacer());
    blocks.push(two_column(
        width,
        signature_cell(
            &["THƯ KÝ HỘI ĐỒNG".into()],
            "(Ký, ghi rõ họ tên)",
            secretary.map(|m| m.name.as_str()),
        ),
        signature_cell(
            &["CHỦ TỊCH HỘI ĐỒNG".into()],
            "(Ký, ghi rõ họ tên)",
            chair.map(|m| m.name.as_str()),
        ),
    ));
    Ok(blocks)
}

fn field(label: &str, value: &str) -> Block {
    let value = if value.trim().is_empty() {
        BLANK
    } else {
        value
    };
    Paragraph::new()
        .align(Align::Justify)
        .indent_first(mm(10) as i32)
        .spacing(60, 0)
        .run(Run::new(format!("- {label}: ")))
        .run(Run::new(value))
        .into()
}

fn report_blocks(input: &ProposalInput, n: &Nominee, width: u32) -> Vec<Block> {
    let place_date = place_date(&input.place, input.date);
    let header = match n.kind {
        NomineeKind::Collective => NationalHeader {
            parent_office: Some(n.unit_name.clone()),
            office: Some(n.name.clone()),
            number: None,
            place_date,
        },
        // The report of a person (Decree 98/2023, form 02) carries the national heading only.
        NomineeKind::Individual => NationalHeader {
            parent_office: None,
            office: None,
            number: None,
            place_date,
        },
    };
    let mut blocks = header.blocks(width);
    let who = match n.kind {
        NomineeKind::Collective => "tập thể",
        NomineeKind::Individual => "cá nhân",
    };
    blocks.extend(title_block(
        "BÁO CÁO THÀNH TÍCH",
        &format!(
            "Đề nghị tặng {} cho {} có thành tích xuất sắc trong {} năm {}",
            input.reward_form, who, input.movement_title, input.year
        ),
    ));
    blocks.push(
        Paragraph::new()
            .align(Align::Center)
            .spacing(0, 120)
            .run(Run::new(format!("Tên {who}: ")))
            .run(Run::new(n.name.clone()).bold())
            .into(),
    );
    match n.kind {
        NomineeKind::Collective => {
            blocks.push(heading(1, "I. SƠ LƯỢC ĐẶC ĐIỂM, TÌNH HÌNH"));
            blocks.push(field("Tên tập thể", &n.name));
            blocks.push(field("Cơ quan chủ quản", &n.unit_name));
            blocks.push(field("Địa chỉ trụ sở, điện thoại", ""));
            blocks.push(field(
                "Tổng số cán bộ, công chức, viên chức, người lao động",
                "",
            ));
            blocks.push(field("Chức năng, nhiệm vụ được giao", ""));
        }
        NomineeKind::Individual => {
            blocks.push(heading(1, "I. SƠ LƯỢC ĐẶC ĐIỂM, LÝ LỊCH"));
            blocks.push(field("Họ và tên", &n.name));
            blocks.push(field("Ngày, tháng, năm sinh; giới tính", ""));
            blocks.push(field("Chức vụ", n.title.as_deref().unwrap_or("")));
            blocks.push(field("Đơn vị công tác", &n.unit_name));
            blocks.push(field("Trình độ chuyên môn, nghiệp vụ", ""));
            blocks.push(field("Nhiệm vụ được giao", ""));
        }
    }
    blocks.push(heading(1, "II. THÀNH TÍCH ĐẠT ĐƯỢC"));
    blocks.push(closing(format!(
        "Kết quả thực hiện {} năm {} theo các tiêu chí bình xét khen thưởng tại {} (nêu rõ kết \
         quả đạt được trên từng tiêu chí; số liệu tổng hợp đến ngày {}):",
        input.movement_title,
        input.year,
        input.movement_plan,
        date_dmy(input.date)
    )));
    let mut table = Table::new(Table::proportional(&[9, 34, 15, 42], width)).pt(TABLE_PT);
    table.push(Row::header(vec![
        Cell::header("STT"),
        Cell::header("Tiêu chí"),
        Cell::header("Kết quả"),
        Cell::header("Kết quả cụ thể, minh chứng"),
    ]));
    if n.criteria.is_empty() {
        table.push(Row::new(vec![
            Cell::text("Chưa có kết quả đánh giá theo tiêu chí.", Align::Center).span(4),
        ]));
    }
    for (i, c) in n.criteria.iter().enumerate() {
        let verdict = Paragraph::new()
            .align(Align::Center)
            .run(if is_pass(&c.verdict) {
                Run::new(c.verdict.clone())
            } else {
                Run::new(c.verdict.clone()).bold()
            });
        table.push(Row::new(vec![
            Cell::text((i + 1).to_string(), Align::Center),
            Cell::text(c.label.clone(), Align::Left),
            Cell::of(verdict).v_align(VAlign::Center),
            Cell::text(c.detail.clone(), Align::Left),
        ]));
    }
    blocks.push(table.into());
    blocks.push(body(format!("Tổng hợp: {}.", criteria_summary(n))));
    if let Some(reason) = &n.adjustment {
        blocks.push(
            Paragraph::new()
                .align(Align::Justify)
                .indent_first(mm(10) as i32)
                .spacing(120, 0)
                .run(Run::new("Ghi chú: ").bold().italic())
                .run(
                    Run::new(format!(
                        "kết quả đánh giá tiêu chí đã được cơ quan tham mưu công tác cải cách \
                         hành chính điều chỉnh. Lý do: {reason}"
                    ))
                    .italic(),
                )
                .into(),
        );
    }
    blocks.push(heading(1, "III. HÌNH THỨC ĐỀ NGHỊ KHEN THƯỞNG"));
    blocks.push(closing(format!(
        "Đề nghị {} tặng {} cho {} {}.",
        input.issuer, input.reward_form, who, n.name
    )));
    blocks.push(spacer());
    let (left, right) = match n.kind {
        NomineeKind::Collective => (
            signature_cell(
                &["XÁC NHẬN CỦA CẤP TRÌNH KHEN THƯỞNG".into()],
                "(Ký, đóng dấu)",
                None,
            ),
            signature_cell(
                &["THỦ TRƯỞNG ĐƠN VỊ".into()],
                "(Ký, ghi rõ họ tên, đóng dấu)",
                None,
            ),
        ),
        NomineeKind::Individual => (
            signature_cell(
                &["XÁC NHẬN CỦA THỦ TRƯỞNG ĐƠN VỊ".into()],
                "(Ký, ghi rõ họ tên, đóng dấu)",
                None,
            ),
            signature_cell(
                &["NGƯỜI BÁO CÁO THÀNH TÍCH".into()],
                "(Ký, ghi rõ họ tên)",
                Some(&n.name),
            ),
        ),
    };
    blocks.push(two_column(width, left, right));
    blocks
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::docx::tests::{check_schema_order, check_well_formed, document_text, part, unzip};
    use std::path::{Path, PathBuf};
    use std::process::Command;

    fn sample() -> ProposalInput {
        let c = |label: &str, verdict: &str, detail: &str| CriterionLine {
            label: label.into(),
            verdict: verdict.into(),
            detail: detail.into(),
        };
        ProposalInput {
            proposing_office: "SỞ NỘI VỤ TỈNH KON TUM".into(),
            parent_office: "UBND TỈNH KON TUM".into(),
            document_number: "……/TTr-SNV".into(),
            place: "Kon Tum".into(),
            date: jiff::civil::date(2026, 11, 22),
            movement_title: "Phong trào thi đua đẩy mạnh công tác cải cách hành chính nhà nước \
                             giai đoạn 2023 - 2030"
                .into(),
            movement_plan: "Kế hoạch số 42/KH-UBND ngày 06/01/2023 của UBND tỉnh".into(),
            year: 2026,
            reward_form: "Bằng khen của Chủ tịch UBND tỉnh".into(),
            issuer: "Chủ tịch Ủy ban nhân dân tỉnh".into(),
            nominees: vec![
                Nominee {
                    kind: NomineeKind::Individual,
                    name: "Nguyễn Thị Hồng Nhung".into(),
                    title: Some("Chuyên viên Phòng Cải cách hành chính".into()),
                    unit_name: "Sở Nội vụ".into(),
                    criteria: vec![
                        c(
                            "Hoàn thành tốt nhiệm vụ trở lên",
                            "Đạt",
                            "Xếp loại hoàn thành xuất sắc nhiệm vụ năm 2026",
                        ),
                        c(
                            "Tham mưu giải quyết TTHC không có hồ sơ trễ hẹn",
                            "Chưa đủ dữ liệu",
                            "Chưa có dữ liệu hồ sơ gắn với người tham mưu",
                        ),
                    ],
                    adjustment: None,
                },
                Nominee {
                    kind: NomineeKind::Collective,
                    name: "UBND phường Kon Tum".into(),
                    title: None,
                    unit_name: "UBND tỉnh Kon Tum".into(),
                    criteria: vec![
                        c(
                            "Không có hồ sơ trễ hẹn, tồn đọng",
                            "Đạt",
                            "2.431 hồ sơ giải quyết, 0 trễ hạn; 0 tồn đọng cuối năm",
                        ),
                        c(
                            "Báo cáo đầy đủ, đúng hạn",
                            "Không đạt",
                            "11/12 báo cáo đúng hạn; <báo cáo quý III> nộp trễ 2 ngày & thiếu \"phụ lục\"",
                        ),
                    ],
                    adjustment: Some(
                        "Báo cáo quý III trễ do sự cố hệ thống của tỉnh (Công văn 's\u{f4}' 12/SNV)"
                            .into(),
                    ),
                },
                Nominee {
                    kind: NomineeKind::Collective,
                    name: "Trung tâm Phục vụ hành chính công tỉnh".into(),
                    title: None,
                    unit_name: "Văn phòng UBND tỉnh".into(),
                    criteria: vec![c(
                        "Không có hồ sơ trễ hẹn, tồn đọng",
                        "Đạt",
                        "15.002 hồ sơ, 0 trễ hạn",
                    )],
                    adjustment: None,
                },
            ],
            council: vec![
                CouncilMember {
                    name: "Trần Văn Bình".into(),
                    role: "Giám đốc Sở, Chủ tịch Hội đồng".into(),
                },
                CouncilMember {
                    name: "Lê Thị Mai".into(),
                    role: "Phó Giám đốc Sở, Phó Chủ tịch Hội đồng".into(),
                },
                CouncilMember {
                    name: "Phạm Quốc Huy".into(),
                    role: "Chánh Văn phòng Sở, Thư ký Hội đồng".into(),
                },
            ],
        }
    }

    /// The document text after checking every part is well-formed.
    fn checked_text(bytes: &[u8]) -> (String, String) {
        let parts = unzip(bytes);
        for (name, xml) in &parts {
            check_well_formed(xml).unwrap_or_else(|e| panic!("{name}: {e}"));
        }
        let xml = part(&parts, "word/document.xml").to_string();
        check_schema_order(&xml);
        (document_text(&xml), xml)
    }

    #[test]
    fn dates_are_written_the_administrative_way() {
        assert_eq!(
            place_date("Kon Tum", jiff::civil::date(2026, 11, 22)),
            "Kon Tum, ngày 22 tháng 11 năm 2026"
        );
        assert_eq!(
            place_date("Kon Tum", jiff::civil::date(2026, 2, 5)),
            "Kon Tum, ngày 05 tháng 02 năm 2026"
        );
        assert_eq!(
            place_date("Kon Tum", jiff::civil::date(2026, 3, 9)),
            "Kon Tum, ngày 09 tháng 3 năm 2026"
        );
        assert_eq!(date_dmy(jiff::civil::date(2026, 3, 9)), "09/03/2026");
    }

    #[test]
    fn the_letter_lists_collectives_then_individuals() {
        let input = sample();
        let (text, xml) = checked_text(&proposal_letter(&input).unwrap());
        assert!(text.contains("TỜ TRÌNH"));
        assert!(text.contains("Kon Tum, ngày 22 tháng 11 năm 2026"));
        assert!(text.contains("Số: ……/TTr-SNV"));
        assert!(text.contains("UBND TỈNH KON TUM") && text.contains("SỞ NỘI VỤ TỈNH KON TUM"));
        assert!(text.contains("Kính gửi: Chủ tịch Ủy ban nhân dân tỉnh."));
        assert!(text.contains("Căn cứ Kế hoạch số 42/KH-UBND ngày 06/01/2023 của UBND tỉnh"));
        assert!(text.contains("02 tập thể và 01 cá nhân"));
        let collectives = text.find("I. TẬP THỂ").unwrap();
        let individuals = text.find("II. CÁ NHÂN").unwrap();
        let phuong = text.find("UBND phường Kon Tum").unwrap();
        let nhung = text.find("Nguyễn Thị Hồng Nhung").unwrap();
        assert!(collectives < phuong && phuong < individuals && individuals < nhung);
        assert!(text.contains("Chuyên viên Phòng Cải cách hành chính"));
        assert!(text.contains("GIÁM ĐỐC"));
        assert!(xml.contains("<w:tblHeader/>"));
    }

    #[test]
    fn the_minutes_leave_the_votes_blank_and_name_chair_and_secretary() {
        let input = sample();
        let (text, _) = checked_text(&council_minutes(&input).unwrap());
        assert!(text.contains("BIÊN BẢN"));
        assert!(text.contains("THI ĐUA - KHEN THƯỞNG"));
        assert!(text.contains("Thời gian: vào hồi …… giờ"));
        for m in &input.council {
            assert!(text.contains(&m.name) && text.contains(&m.role));
        }
        assert!(text.contains("Chủ trì cuộc họp: Trần Văn Bình; thư ký cuộc họp: Phạm Quốc Huy."));
        for n in &input.nominees {
            assert!(text.contains(&n.name));
        }
        assert!(text.contains("Đạt 1/2 tiêu chí; Không đạt: 1 (có điều chỉnh)"));
        assert!(text.contains("Đạt 1/2 tiêu chí; Chưa đủ dữ liệu: 1"));
        assert!(text.contains("Số phiếu tán thành") && text.contains("22/11/2026"));
        assert!(text.contains("CHỦ TỊCH HỘI ĐỒNG") && text.contains("THƯ KÝ HỘI ĐỒNG"));

        let mut blank = input.clone();
        blank.council.clear();
        let (text, _) = checked_text(&council_minutes(&blank).unwrap());
        assert!(text.contains("7. Ông (Bà): ……"));
        assert!(text.contains("Chủ trì cuộc họp: ……"));
    }

    #[test]
    fn a_report_gives_each_criterion_its_verdict_and_evidence() {
        let input = sample();
        for (i, n) in input.nominees.iter().enumerate() {
            let (text, xml) = checked_text(&achievement_report(&input, i).unwrap());
            assert!(text.contains("BÁO CÁO THÀNH TÍCH"), "{text}");
            assert!(text.contains(&n.name));
            assert!(text.contains("I. SƠ LƯỢC ĐẶC ĐIỂM"));
            assert!(text.contains("II. THÀNH TÍCH ĐẠT ĐƯỢC"));
            assert!(text.contains("III. HÌNH THỨC ĐỀ NGHỊ KHEN THƯỞNG"));
            for c in &n.criteria {
                assert!(text.contains(&c.label), "{}", c.label);
                assert!(text.contains(&c.verdict), "{}", c.verdict);
                assert!(text.contains(&c.detail), "{}", c.detail);
            }
            match &n.adjustment {
                Some(reason) => assert!(text.contains(reason.as_str())),
                None => assert!(!text.contains("Ghi chú:")),
            }
            // The evidence's markup characters are escaped, not taken as markup.
            assert!(!xml.contains("<báo cáo"));
        }
        // A person's report has the national heading only; a unit's has its name on the left.
        let (person, _) = checked_text(&achievement_report(&input, 0).unwrap());
        assert!(!person.contains("SỞ NỘI VỤ TỈNH KON TUM"));
        assert!(person.contains("NGƯỜI BÁO CÁO THÀNH TÍCH"));
        let (unit, _) = checked_text(&achievement_report(&input, 1).unwrap());
        assert!(unit.contains("UBND PHƯỜNG KON TUM"));
        assert!(matches!(
            achievement_report(&input, 3),
            Err(DocxError::Invalid(_))
        ));
    }

    #[test]
    fn the_bundle_holds_every_part_on_its_own_pages() {
        let input = sample();
        let (text, xml) = checked_text(&proposal_bundle(&input).unwrap());
        assert!(text.contains("TỜ TRÌNH") && text.contains("BIÊN BẢN"));
        assert_eq!(text.matches("\nBÁO CÁO THÀNH TÍCH\n").count(), 3);
        // One section per part: the letter, the minutes, three reports.
        assert_eq!(xml.matches("<w:sectPr>").count(), 5);
        for n in &input.nominees {
            assert!(text.contains(&n.name));
            for c in &n.criteria {
                assert!(text.contains(&c.label) && text.contains(&c.verdict));
            }
        }
    }

    #[test]
    fn an_empty_list_is_refused() {
        let mut input = sample();
        input.nominees.clear();
        assert!(matches!(
            proposal_letter(&input),
            Err(DocxError::Invalid(_))
        ));
        assert!(matches!(
            council_minutes(&input),
            Err(DocxError::Invalid(_))
        ));
        assert!(matches!(
            proposal_bundle(&input),
            Err(DocxError::Invalid(_))
        ));
    }

    fn soffice() -> Option<PathBuf> {
        let path = std::env::var_os("PATH")?;
        std::env::split_paths(&path)
            .map(|dir| dir.join("soffice"))
            .find(|p| p.is_file())
    }

    fn convert(soffice: &Path, profile: &Path, out: &Path, to: &str, file: &Path) {
        let status = Command::new(soffice)
            .arg(format!(
                "-env:UserInstallation=file://{}",
                profile.display()
            ))
            .args(["--headless", "--norestore", "--convert-to", to, "--outdir"])
            .arg(out)
            .arg(file)
            .status()
            .unwrap();
        assert!(
            status.success(),
            "soffice --convert-to {to} failed: {status}"
        );
    }

    #[test]
    fn libreoffice_opens_the_bundle() {
        let Some(soffice) = soffice() else {
            println!("soffice (LibreOffice) is not on PATH: skipping the conversion test");
            return;
        };
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0);
        let dir =
            std::env::temp_dir().join(format!("cchc-proposal-docs-{}-{nanos}", std::process::id()));
        let out = dir.join("out");
        std::fs::create_dir_all(&out).unwrap();
        let input = sample();
        let file = dir.join("ho-so.docx");
        std::fs::write(&file, proposal_bundle(&input).unwrap()).unwrap();
        let profile = dir.join("profile");

        convert(&soffice, &profile, &out, "pdf", &file);
        let pdf = std::fs::read(out.join("ho-so.pdf")).unwrap();
        assert!(pdf.starts_with(b"%PDF"));

        convert(&soffice, &profile, &out, "txt:Text (encoded):UTF8", &file);
        let text = std::fs::read_to_string(out.join("ho-so.txt")).unwrap();
        for n in &input.nominees {
            assert!(text.contains(&n.name), "{} not in\n{text}", n.name);
        }
        assert!(text.contains("Đạt"));
        assert!(text.contains("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"));
        let _ = std::fs::remove_dir_all(&dir);
    }
}
