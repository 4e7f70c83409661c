//! A minimal WordprocessingML (DOCX) writer: just what administrative documents need, over the
//! `zip` crate and nothing else.
//!
//! The page follows Decree 30/2020/NĐ-CP (công tác văn thư): A4 portrait, margins top and bottom
//! 20 mm, left 30 mm, right 15 mm, Times New Roman 14 pt body text, page numbers centred at the
//! top from the second page on. A [`Document`] is a list of [`Block`]s (paragraphs, tables, page
//! and section breaks); [`NationalHeader`] lays out the two-column heading every administrative
//! document opens with (issuing body | "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM / Độc lập - Tự do -
//! Hạnh phúc"). Every piece of text is escaped; characters XML cannot carry are dropped.
//!
//! ```
//! use cchc_app::docx::{Align, Document, Paragraph, Run};
//!
//! let mut doc = Document::new("Thông báo");
//! doc.paragraph(Paragraph::new().align(Align::Center).run(Run::new("THÔNG BÁO").bold()));
//! doc.paragraph(Paragraph::body("Nội dung <có ký tự đặc biệt> & dấu tiếng Việt."));
//! let bytes = doc.to_docx()?;
//! assert!(bytes.starts_with(b"PK"));
//! # Ok::<(), cchc_app::docx::DocxError>(())
//! ```

use std::io::{Cursor, Write};

/// Why a document could not be written.
#[derive(Debug, thiserror::Error)]
pub enum DocxError {
    #[error("không ghi được tệp DOCX: {0}")]
    Zip(#[from] zip::result::ZipError),
    #[error("không ghi được tệp DOCX: {0}")]
    Io(#[from] std::io::Error),
    /// The content asked for is not a valid document (a table row that does not fill its grid,
    /// an empty list of nominees, a nominee that does not exist...).
    #[error("{0}")]
    Invalid(String),
}

/// Twentieths of a point (dxa), from millimetres.
pub const fn mm(millimetres: u32) -> u32 {
    millimetres * 14_400 / 254
}

/// "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", the first line of the national heading.
pub const NATIONAL_NAME: &str = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM";
/// "Độc lập - Tự do - Hạnh phúc", the motto under it.
pub const MOTTO: &str = "Độc lập - Tự do - Hạnh phúc";

const W_NS: &str = "http://schemas.openxmlformats.org/wordprocessingml/2006/main";
const R_NS: &str = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";

/// Horizontal alignment of a paragraph (or of a table on the page).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Align {
    #[default]
    Left,
    Center,
    Right,
    Justify,
}

impl Align {
    fn as_xml(self) -> &'static str {
        match self {
            Self::Left => "left",
            Self::Center => "center",
            Self::Right => "right",
            Self::Justify => "both",
        }
    }
}

/// Vertical alignment of the content of a table cell.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum VAlign {
    #[default]
    Top,
    Center,
    Bottom,
}

/// A stretch of text with one formatting. `\n` in the text is a line break, `\t` a tab.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Run {
    pub text: String,
    pub bold: bool,
    pub italic: bool,
    pub underline: bool,
    /// Font size in half-points (28 = 14 pt); `None` keeps the paragraph's or the document's.
    pub size: Option<u32>,
}

impl Run {
    pub fn new(text: impl Into<String>) -> Self {
        Self {
            text: text.into(),
            ..Self::default()
        }
    }

    pub fn bold(mut self) -> Self {
        self.bold = true;
        self
    }

    pub fn italic(mut self) -> Self {
        self.italic = true;
        self
    }

    pub fn underline(mut self) -> Self {
        self.underline = true;
        self
    }

    /// Font size in whole points.
    pub fn pt(mut self, points: u32) -> Self {
        self.size = Some(points * 2);
        self
    }
}

/// A paragraph: runs plus layout. Spacing and indents are in twentieths of a point (see [`mm`]);
/// `line` is in 240ths of a line (240 single, 360 one and a half) unless `line_exact`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Paragraph {
    pub runs: Vec<Run>,
    pub align: Align,
    /// A paragraph style id from `styles.xml`: "Heading1", "Heading2" or "Title".
    pub style: Option<String>,
    pub space_before: Option<u32>,
    pub space_after: Option<u32>,
    pub line: Option<u32>,
    /// `line` is an exact height in twentieths of a point, not a multiple.
    pub line_exact: bool,
    pub first_line_indent: Option<i32>,
    pub left_indent: Option<i32>,
    pub right_indent: Option<i32>,
    pub keep_next: bool,
    pub keep_lines: bool,
    /// A thin line along the top edge (between the indents): the short rules of the heading.
    pub rule_above: bool,
    /// Size, in half-points, of runs that set none (and of the paragraph mark).
    pub size: Option<u32>,
}

impl Paragraph {
    pub fn new() -> Self {
        Self::default()
    }

    /// A paragraph of one plain run.
    pub fn text(text: impl Into<String>) -> Self {
        Self::new().run(Run::new(text))
    }

    /// Body text as Decree 30 sets it: justified, first line indented 1 cm, 6 pt between
    /// paragraphs, single line spacing.
    pub fn body(text: impl Into<String>) -> Self {
        Self::text(text)
            .align(Align::Justify)
            .indent_first(mm(10) as i32)
            .spacing(120, 0)
    }

    /// A heading ("I. ...", "1. ...") in the `Heading1`/`Heading2` style: bold, kept with the
    /// next paragraph, in the navigation pane of Word and LibreOffice.
    pub fn heading(level: u8, text: impl Into<String>) -> Self {
        let style = if level <= 1 { "Heading1" } else { "Heading2" };
        Self::text(text).style(style).align(Align::Justify)
    }

    /// A thin horizontal line of `width`, centred in `available` (both in dxa).
    pub fn rule(width: u32, available: u32) -> Self {
        let width = width.min(available);
        let side = ((available - width) / 2) as i32;
        Self {
            rule_above: true,
            left_indent: Some(side),
            right_indent: Some(side),
            // Clear of the descenders of the line above.
            space_before: Some(50),
            space_after: Some(0),
            line: Some(80),
            line_exact: true,
            size: Some(4),
            ..Self::default()
        }
    }

    pub fn run(mut self, run: Run) -> Self {
        self.runs.push(run);
        self
    }

    pub fn align(mut self, align: Align) -> Self {
        self.align = align;
        self
    }

    pub fn style(mut self, style: impl Into<String>) -> Self {
        self.style = Some(style.into());
        self
    }

    /// Space before and after, in dxa (20 per point).
    pub fn spacing(mut self, before: u32, after: u32) -> Self {
        self.space_before = Some(before);
        self.space_after = Some(after);
        self
    }

    /// Line spacing in 240ths of a line.
    pub fn line_spacing(mut self, line: u32) -> Self {
        self.line = Some(line);
        self.line_exact = false;
        self
    }

    pub fn indent_first(mut self, dxa: i32) -> Self {
        self.first_line_indent = Some(dxa);
        self
    }

    pub fn indent(mut self, left: i32, right: i32) -> Self {
        self.left_indent = Some(left);
        self.right_indent = Some(right);
        self
    }

    pub fn keep_next(mut self) -> Self {
        self.keep_next = true;
        self
    }

    pub fn keep_lines(mut self) -> Self {
        self.keep_lines = true;
        self
    }

    /// Font size, in whole points, of runs that set none.
    pub fn pt(mut self, points: u32) -> Self {
        self.size = Some(points * 2);
        self
    }

    /// The text of all runs, concatenated.
    pub fn plain_text(&self) -> String {
        self.runs.iter().map(|r| r.text.as_str()).collect()
    }
}

/// A table cell: one or more paragraphs spanning `span` grid columns.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cell {
    pub paragraphs: Vec<Paragraph>,
    pub span: u32,
    pub v_align: VAlign,
    /// Background fill as hex RGB ("D9D9D9"), if any.
    pub shade: Option<String>,
}

impl Cell {
    pub fn new(paragraphs: Vec<Paragraph>) -> Self {
        Self {
            paragraphs,
            span: 1,
            v_align: VAlign::Top,
            shade: None,
        }
    }

    /// A cell of one paragraph.
    pub fn of(paragraph: Paragraph) -> Self {
        Self::new(vec![paragraph])
    }

    /// A cell of one plain paragraph with `align`.
    pub fn text(text: impl Into<String>, align: Align) -> Self {
        Self::of(Paragraph::text(text).align(align))
    }

    /// A cell of one bold, centred paragraph: a column heading.
    pub fn header(text: impl Into<String>) -> Self {
        Self::of(
            Paragraph::new()
                .align(Align::Center)
                .run(Run::new(text).bold()),
        )
        .v_align(VAlign::Center)
    }

    pub fn span(mut self, columns: u32) -> Self {
        self.span = columns.max(1);
        self
    }

    pub fn v_align(mut self, v_align: VAlign) -> Self {
        self.v_align = v_align;
        self
    }

    pub fn shade(mut self, rgb: impl Into<String>) -> Self {
        self.shade = Some(rgb.into());
        self
    }
}

/// A table row. A `header` row repeats at the top of each page the table runs onto.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Row {
    pub cells: Vec<Cell>,
    pub header: bool,
    /// The row is not split across pages.
    pub cant_split: bool,
}

impl Row {
    pub fn new(cells: Vec<Cell>) -> Self {
        Self {
            cells,
            header: false,
            cant_split: true,
        }
    }

    pub fn header(cells: Vec<Cell>) -> Self {
        Self {
            cells,
            header: true,
            cant_split: true,
        }
    }
}

/// A table on a fixed grid of column widths (dxa).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Table {
    pub widths: Vec<u32>,
    pub rows: Vec<Row>,
    /// Single thin borders around and between all cells; without them the table is a layout
    /// grid (the national heading, signature blocks).
    pub borders: bool,
    /// Left and right padding inside cells, in dxa.
    pub cell_margin: u32,
    /// Size, in half-points, of runs in the table that set none.
    pub font_size: Option<u32>,
    pub align: Align,
}

impl Table {
    /// A bordered table with the given column widths.
    pub fn new(widths: Vec<u32>) -> Self {
        Self {
            widths,
            rows: Vec::new(),
            borders: true,
            cell_margin: 85,
            font_size: None,
            align: Align::Center,
        }
    }

    /// A borderless layout table with no cell padding.
    pub fn layout(widths: Vec<u32>) -> Self {
        Self {
            borders: false,
            cell_margin: 0,
            ..Self::new(widths)
        }
    }

    /// Column widths proportional to `weights`, summing to `total`.
    pub fn proportional(weights: &[u32], total: u32) -> Vec<u32> {
        let sum: u64 = weights.iter().map(|&w| u64::from(w)).sum();
        if sum == 0 {
            return vec![0; weights.len()];
        }
        let mut widths: Vec<u32> = weights
            .iter()
            .map(|&w| (u64::from(w) * u64::from(total) / sum) as u32)
            .collect();
        let used: u32 = widths.iter().sum();
        if let Some(last) = widths.last_mut() {
            *last += total.saturating_sub(used);
        }
        widths
    }

    pub fn row(mut self, row: Row) -> Self {
        self.rows.push(row);
        self
    }

    pub fn push(&mut self, row: Row) {
        self.rows.push(row);
    }

    /// Font size, in whole points, of runs that set none.
    pub fn pt(mut self, points: u32) -> Self {
        self.font_size = Some(points * 2);
        self
    }

    fn total_width(&self) -> u32 {
        self.widths.iter().sum()
    }

    fn check(&self) -> Result<(), DocxError> {
        if self.widths.is_empty() {
            return Err(DocxError::Invalid("bảng không có cột nào".into()));
        }
        for (i, row) in self.rows.iter().enumerate() {
            let spanned: u32 = row.cells.iter().map(|c| c.span).sum();
            if spanned as usize != self.widths.len() {
                return Err(DocxError::Invalid(format!(
                    "hàng {} của bảng chiếm {spanned} cột, bảng có {} cột",
                    i + 1,
                    self.widths.len()
                )));
            }
        }
        Ok(())
    }
}

/// A piece of the document body.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Block {
    Paragraph(Paragraph),
    Table(Table),
    /// Continue on a new page.
    PageBreak,
    /// Start a new section on a new page, with page numbers starting again at 1 and none on
    /// its first page: separates documents bound in one file.
    SectionBreak,
}

impl From<Paragraph> for Block {
    fn from(p: Paragraph) -> Self {
        Self::Paragraph(p)
    }
}

impl From<Table> for Block {
    fn from(t: Table) -> Self {
        Self::Table(t)
    }
}

/// Page size and margins, in dxa.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PageSetup {
    pub width: u32,
    pub height: u32,
    pub top: u32,
    pub bottom: u32,
    pub left: u32,
    pub right: u32,
    /// Distance of the header (the page number) from the top edge.
    pub header: u32,
    pub footer: u32,
}

impl PageSetup {
    /// A4 portrait with the margins of Decree 30/2020 (top and bottom 20-25 mm, left 30-35 mm,
    /// right 15-20 mm): 20, 20, 30 and 15 mm, the largest text area the decree allows.
    pub const fn decree_30() -> Self {
        Self {
            width: 11_906,
            height: 16_838,
            top: mm(20),
            bottom: mm(20),
            left: mm(30),
            right: mm(15),
            header: mm(10),
            footer: mm(10),
        }
    }

    /// The width between the margins.
    pub const fn content_width(&self) -> u32 {
        self.width - self.left - self.right
    }
}

impl Default for PageSetup {
    fn default() -> Self {
        Self::decree_30()
    }
}

/// A document: metadata, page setup and the body.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Document {
    pub title: String,
    pub author: String,
    /// Creation date written to the document properties (none: left out), so the same input
    /// gives the same bytes.
    pub created: Option<jiff::civil::Date>,
    pub font: String,
    /// Body font size in half-points (Decree 30: 13-14 pt).
    pub font_size: u32,
    pub page: PageSetup,
    /// Page numbers centred at the top, from the second page of each section.
    pub page_numbers: bool,
    pub blocks: Vec<Block>,
}

impl Document {
    /// An empty A4 document in Times New Roman 14 pt.
    pub fn new(title: impl Into<String>) -> Self {
        Self {
            title: title.into(),
            author: "cchc".into(),
            created: None,
            font: "Times New Roman".into(),
            font_size: 28,
            page: PageSetup::decree_30(),
            page_numbers: true,
            blocks: Vec::new(),
        }
    }

    /// The width between the margins, in dxa: what tables should add up to.
    pub fn content_width(&self) -> u32 {
        self.page.content_width()
    }

    pub fn push(&mut self, block: impl Into<Block>) {
        self.blocks.push(block.into());
    }

    pub fn paragraph(&mut self, paragraph: Paragraph) {
        self.blocks.push(Block::Paragraph(paragraph));
    }

    pub fn table(&mut self, table: Table) {
        self.blocks.push(Block::Table(table));
    }

    pub fn page_break(&mut self) {
        self.blocks.push(Block::PageBreak);
    }

    pub fn section_break(&mut self) {
        self.blocks.push(Block::SectionBreak);
    }

    pub fn extend(&mut self, blocks: impl IntoIterator<Item = Block>) {
        self.blocks.extend(blocks);
    }

    /// The package: a DOCX file that Word and LibreOffice open.
    pub fn to_docx(&self) -> Result<Vec<u8>, DocxError> {
        let document = self.document_xml()?;
        let mut parts: Vec<(&str, String)> = vec![
            ("[Content_Types].xml", self.content_types_xml()),
            ("_rels/.rels", ROOT_RELS.to_string()),
            ("docProps/core.xml", self.core_xml()),
            ("docProps/app.xml", APP_XML.to_string()),
            ("word/document.xml", document),
            ("word/_rels/document.xml.rels", self.document_rels_xml()),
            ("word/styles.xml", self.styles_xml()),
            ("word/settings.xml", SETTINGS_XML.to_string()),
        ];
        if self.page_numbers {
            parts.push(("word/header1.xml", HEADER_PAGE_NUMBER.to_string()));
            parts.push(("word/header2.xml", HEADER_EMPTY.to_string()));
        }
        let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        for (name, xml) in parts {
            zip.start_file(name, options)?;
            zip.write_all(xml.as_bytes())?;
        }
        Ok(zip.finish()?.into_inner())
    }

    /// `word/document.xml`.
    pub fn document_xml(&self) -> Result<String, DocxError> {
        let mut out = String::with_capacity(16 * 1024);
        out.push_str(XML_DECL);
        out.push_str(&format!(
            "<w:document xmlns:w=\"{W_NS}\" xmlns:r=\"{R_NS}\"><w:body>"
        ));
        let mut previous_was_table = false;
        for block in &self.blocks {
            match block {
                Block::Paragraph(p) => {
                    write_paragraph(&mut out, p, None);
                    previous_was_table = false;
                }
                Block::Table(t) => {
                    if previous_was_table {
                        // Two adjacent tables would merge into one.
                        out.push_str(SPACER_PARAGRAPH);
                    }
                    write_table(&mut out, t)?;
                    previous_was_table = true;
                }
                Block::PageBreak => {
                    out.push_str(
                        "<w:p><w:pPr><w:spacing w:before=\"0\" w:after=\"0\" w:line=\"20\" \
                         w:lineRule=\"exact\"/><w:rPr><w:sz w:val=\"2\"/></w:rPr></w:pPr>\
                         <w:r><w:br w:type=\"page\"/></w:r></w:p>",
                    );
                    previous_was_table = false;
                }
                Block::SectionBreak => {
                    out.push_str(
                        "<w:p><w:pPr><w:spacing w:before=\"0\" w:after=\"0\" w:line=\"20\" \
                         w:lineRule=\"exact\"/>",
                    );
                    // CT_PPr order: ..., rPr, sectPr.
                    out.push_str("<w:rPr><w:sz w:val=\"2\"/></w:rPr>");
                    out.push_str(&self.section_xml());
                    out.push_str("</w:pPr></w:p>");
                    previous_was_table = false;
                }
            }
        }
        if previous_was_table {
            out.push_str(SPACER_PARAGRAPH);
        }
        out.push_str(&self.section_xml());
        out.push_str("</w:body></w:document>");
        Ok(out)
    }

    fn section_xml(&self) -> String {
        let p = &self.page;
        let headers = if self.page_numbers {
            "<w:headerReference w:type=\"default\" r:id=\"rIdHeaderDefault\"/>\
             <w:headerReference w:type=\"first\" r:id=\"rIdHeaderFirst\"/>"
        } else {
            ""
        };
        format!(
            "<w:sectPr>{headers}<w:type w:val=\"nextPage\"/><w:pgSz w:w=\"{}\" w:h=\"{}\"/>\
             <w:pgMar w:top=\"{}\" w:right=\"{}\" w:bottom=\"{}\" w:left=\"{}\" w:header=\"{}\" \
             w:footer=\"{}\" w:gutter=\"0\"/><w:pgNumType w:start=\"1\"/><w:cols w:space=\"720\"/>\
             {}<w:docGrid w:linePitch=\"360\"/></w:sectPr>",
            p.width,
            p.height,
            p.top,
            p.right,
            p.bottom,
            p.left,
            p.header,
            p.footer,
            if self.page_numbers {
                "<w:titlePg/>"
            } else {
                ""
            },
        )
    }

    fn content_types_xml(&self) -> String {
        let headers = if self.page_numbers {
            "<Override PartName=\"/word/header1.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.header+xml\"/>\
             <Override PartName=\"/word/header2.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.header+xml\"/>"
        } else {
            ""
        };
        format!(
            "{XML_DECL}<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">\
             <Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/>\
             <Default Extension=\"xml\" ContentType=\"application/xml\"/>\
             <Override PartName=\"/word/document.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml\"/>\
             <Override PartName=\"/word/styles.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml\"/>\
             <Override PartName=\"/word/settings.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.settings+xml\"/>\
             {headers}\
             <Override PartName=\"/docProps/core.xml\" ContentType=\"application/vnd.openxmlformats-package.core-properties+xml\"/>\
             <Override PartName=\"/docProps/app.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.extended-properties+xml\"/>\
             </Types>"
        )
    }

    fn document_rels_xml(&self) -> String {
        let rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
        let headers = if self.page_numbers {
            format!(
                "<Relationship Id=\"rIdHeaderDefault\" Type=\"{rel}/header\" Target=\"header1.xml\"/>\
                 <Relationship Id=\"rIdHeaderFirst\" Type=\"{rel}/header\" Target=\"header2.xml\"/>"
            )
        } else {
            String::new()
        };
        format!(
            "{XML_DECL}<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">\
             <Relationship Id=\"rIdStyles\" Type=\"{rel}/styles\" Target=\"styles.xml\"/>\
             <Relationship Id=\"rIdSettings\" Type=\"{rel}/settings\" Target=\"settings.xml\"/>\
             {headers}</Relationships>"
        )
    }

    fn core_xml(&self) -> String {
        let dates = match self.created {
            Some(d) => format!(
                "<dcterms:created xsi:type=\"dcterms:W3CDTF\">{d}T00:00:00Z</dcterms:created>\
                 <dcterms:modified xsi:type=\"dcterms:W3CDTF\">{d}T00:00:00Z</dcterms:modified>"
            ),
            None => String::new(),
        };
        format!(
            "{XML_DECL}<cp:coreProperties \
             xmlns:cp=\"http://schemas.openxmlformats.org/package/2006/metadata/core-properties\" \
             xmlns:dc=\"http://purl.org/dc/elements/1.1/\" xmlns:dcterms=\"http://purl.org/dc/terms/\" \
             xmlns:dcmitype=\"http://purl.org/dc/dcmitype/\" \
             xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\">\
             <dc:title>{}</dc:title><dc:creator>{}</dc:creator><dc:language>vi-VN</dc:language>{dates}\
             </cp:coreProperties>",
            escape(&self.title),
            escape(&self.author),
        )
    }

    fn styles_xml(&self) -> String {
        let font = escape(&self.font);
        let size = self.font_size;
        format!(
            "{XML_DECL}<w:styles xmlns:w=\"{W_NS}\">\
             <w:docDefaults><w:rPrDefault><w:rPr>\
             <w:rFonts w:ascii=\"{font}\" w:hAnsi=\"{font}\" w:eastAsia=\"{font}\" w:cs=\"{font}\"/>\
             <w:sz w:val=\"{size}\"/><w:szCs w:val=\"{size}\"/>\
             <w:lang w:val=\"vi-VN\" w:eastAsia=\"en-US\" w:bidi=\"ar-SA\"/>\
             </w:rPr></w:rPrDefault>\
             <w:pPrDefault><w:pPr><w:spacing w:before=\"0\" w:after=\"0\" w:line=\"240\" w:lineRule=\"auto\"/></w:pPr></w:pPrDefault>\
             </w:docDefaults>\
             <w:style w:type=\"paragraph\" w:default=\"1\" w:styleId=\"Normal\"><w:name w:val=\"Normal\"/><w:qFormat/></w:style>\
             <w:style w:type=\"paragraph\" w:styleId=\"Title\"><w:name w:val=\"Title\"/><w:basedOn w:val=\"Normal\"/>\
             <w:next w:val=\"Normal\"/><w:qFormat/><w:pPr><w:keepNext/><w:jc w:val=\"center\"/></w:pPr>\
             <w:rPr><w:b/><w:bCs/></w:rPr></w:style>\
             <w:style w:type=\"paragraph\" w:styleId=\"Heading1\"><w:name w:val=\"heading 1\"/><w:basedOn w:val=\"Normal\"/>\
             <w:next w:val=\"Normal\"/><w:qFormat/><w:pPr><w:keepNext/><w:keepLines/>\
             <w:spacing w:before=\"180\" w:after=\"60\"/><w:outlineLvl w:val=\"0\"/></w:pPr>\
             <w:rPr><w:b/><w:bCs/></w:rPr></w:style>\
             <w:style w:type=\"paragraph\" w:styleId=\"Heading2\"><w:name w:val=\"heading 2\"/><w:basedOn w:val=\"Normal\"/>\
             <w:next w:val=\"Normal\"/><w:qFormat/><w:pPr><w:keepNext/><w:keepLines/>\
             <w:spacing w:before=\"120\" w:after=\"60\"/><w:outlineLvl w:val=\"1\"/></w:pPr>\
             <w:rPr><w:b/><w:bCs/></w:rPr></w:style>\
             <w:style w:type=\"paragraph\" w:styleId=\"Header\"><w:name w:val=\"header\"/><w:basedOn w:val=\"Normal\"/>\
             <w:pPr><w:jc w:val=\"center\"/></w:pPr><w:rPr><w:sz w:val=\"26\"/><w:szCs w:val=\"26\"/></w:rPr></w:style>\
             <w:style w:type=\"character\" w:default=\"1\" w:styleId=\"DefaultParagraphFont\">\
             <w:name w:val=\"Default Paragraph Font\"/><w:uiPriority w:val=\"1\"/><w:semiHidden/></w:style>\
             <w:style w:type=\"table\" w:default=\"1\" w:styleId=\"TableNormal\"><w:name w:val=\"Normal Table\"/>\
             <w:uiPriority w:val=\"99\"/><w:semiHidden/><w:tblPr><w:tblInd w:w=\"0\" w:type=\"dxa\"/>\
             <w:tblCellMar><w:top w:w=\"0\" w:type=\"dxa\"/><w:left w:w=\"108\" w:type=\"dxa\"/>\
             <w:bottom w:w=\"0\" w:type=\"dxa\"/><w:right w:w=\"108\" w:type=\"dxa\"/></w:tblCellMar></w:tblPr></w:style>\
             </w:styles>"
        )
    }
}

const XML_DECL: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n";

const SPACER_PARAGRAPH: &str = "<w:p><w:pPr><w:spacing w:before=\"0\" w:after=\"0\" w:line=\"20\" \
     w:lineRule=\"exact\"/><w:rPr><w:sz w:val=\"2\"/></w:rPr></w:pPr></w:p>";

const ROOT_RELS: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n\
<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">\
<Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument\" Target=\"word/document.xml\"/>\
<Relationship Id=\"rId2\" Type=\"http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties\" Target=\"docProps/core.xml\"/>\
<Relationship Id=\"rId3\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/extended-properties\" Target=\"docProps/app.xml\"/>\
</Relationships>";

const APP_XML: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n\
<Properties xmlns=\"http://schemas.openxmlformats.org/officeDocument/2006/extended-properties\" \
xmlns:vt=\"http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes\">\
<Application>cchc</Application><DocSecurity>0</DocSecurity></Properties>";

const SETTINGS_XML: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n\
<w:settings xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\">\
<w:zoom w:percent=\"100\"/><w:defaultTabStop w:val=\"720\"/>\
<w:characterSpacingControl w:val=\"doNotCompress\"/>\
<w:compat><w:compatSetting w:name=\"compatibilityMode\" w:uri=\"http://schemas.microsoft.com/office/word\" w:val=\"15\"/></w:compat>\
</w:settings>";

const HEADER_PAGE_NUMBER: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n\
<w:hdr xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\" \
xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\">\
<w:p><w:pPr><w:pStyle w:val=\"Header\"/><w:jc w:val=\"center\"/></w:pPr>\
<w:r><w:fldChar w:fldCharType=\"begin\"/></w:r>\
<w:r><w:instrText xml:space=\"preserve\"> PAGE </w:instrText></w:r>\
<w:r><w:fldChar w:fldCharType=\"separate\"/></w:r>\
<w:r><w:t>2</w:t></w:r>\
<w:r><w:fldChar w:fldCharType=\"end\"/></w:r></w:p></w:hdr>";

const HEADER_EMPTY: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n\
<w:hdr xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\" \
xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\">\
<w:p><w:pPr><w:pStyle w:val=\"Header\"/></w:pPr></w:p></w:hdr>";

/// Escapes text for XML content and attribute values, dropping characters XML 1.0 cannot
/// carry (C0 controls other than tab, line feed and carriage return; U+FFFE, U+FFFF).
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 8);
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c if is_xml_char(c) => out.push(c),
            _ => {}
        }
    }
    out
}

fn is_xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}

fn write_run_props(out: &mut String, bold: bool, italic: bool, underline: bool, size: Option<u32>) {
    if !bold && !italic && !underline && size.is_none() {
        return;
    }
    out.push_str("<w:rPr>");
    if bold {
        out.push_str("<w:b/><w:bCs/>");
    }
    if italic {
        out.push_str("<w:i/><w:iCs/>");
    }
    if let Some(size) = size {
        out.push_str(&format!(
            "<w:sz w:val=\"{size}\"/><w:szCs w:val=\"{size}\"/>"
        ));
    }
    if underline {
        out.push_str("<w:u w:val=\"single\"/>");
    }
    out.push_str("</w:rPr>");
}

fn write_run(out: &mut String, run: &Run, default_size: Option<u32>) {
    out.push_str("<w:r>");
    write_run_props(
        out,
        run.bold,
        run.italic,
        run.underline,
        run.size.or(default_size),
    );
    for (i, line) in run.text.split('\n').enumerate() {
        if i > 0 {
            out.push_str("<w:br/>");
        }
        for (j, piece) in line.split('\t').enumerate() {
            if j > 0 {
                out.push_str("<w:tab/>");
            }
            let piece = piece.replace('\r', "");
            if !piece.is_empty() {
                out.push_str("<w:t xml:space=\"preserve\">");
                out.push_str(&escape(&piece));
                out.push_str("</w:t>");
            }
        }
    }
    out.push_str("</w:r>");
}

fn write_paragraph(out: &mut String, p: &Paragraph, table_size: Option<u32>) {
    let size = p.size.or(table_size);
    out.push_str("<w:p><w:pPr>");
    if let Some(style) = &p.style {
        out.push_str(&format!("<w:pStyle w:val=\"{}\"/>", escape(style)));
    }
    if p.keep_next {
        out.push_str("<w:keepNext/>");
    }
    if p.keep_lines {
        out.push_str("<w:keepLines/>");
    }
    if p.rule_above {
        out.push_str(
            "<w:pBdr><w:top w:val=\"single\" w:sz=\"6\" w:space=\"1\" w:color=\"000000\"/></w:pBdr>",
        );
    }
    if p.space_before.is_some() || p.space_after.is_some() || p.line.is_some() {
        out.push_str("<w:spacing");
        if let Some(v) = p.space_before {
            out.push_str(&format!(" w:before=\"{v}\""));
        }
        if let Some(v) = p.space_after {
            out.push_str(&format!(" w:after=\"{v}\""));
        }
        if let Some(v) = p.line {
            let rule = if p.line_exact { "exact" } else { "auto" };
            out.push_str(&format!(" w:line=\"{v}\" w:lineRule=\"{rule}\""));
        }
        out.push_str("/>");
    }
    if p.left_indent.is_some() || p.right_indent.is_some() || p.first_line_indent.is_some() {
        out.push_str("<w:ind");
        if let Some(v) = p.left_indent {
            out.push_str(&format!(" w:left=\"{v}\""));
        }
        if let Some(v) = p.right_indent {
            out.push_str(&format!(" w:right=\"{v}\""));
        }
        match p.first_line_indent {
            Some(v) if v >= 0 => out.push_str(&format!(" w:firstLine=\"{v}\"")),
            Some(v) => out.push_str(&format!(" w:hanging=\"{}\"", v.unsigned_abs())),
            None => {}
        }
        out.push_str("/>");
    }
    out.push_str(&format!("<w:jc w:val=\"{}\"/>", p.align.as_xml()));
    // The paragraph mark takes the size of the text, so empty lines are as tall as full ones.
    let mark_bold = !p.runs.is_empty() && p.runs.iter().all(|r| r.bold);
    write_run_props(out, mark_bold, false, false, size);
    out.push_str("</w:pPr>");
    for run in &p.runs {
        write_run(out, run, size);
    }
    out.push_str("</w:p>");
}

fn write_table(out: &mut String, t: &Table) -> Result<(), DocxError> {
    t.check()?;
    let border = if t.borders {
        "w:val=\"single\" w:sz=\"4\" w:space=\"0\" w:color=\"000000\""
    } else {
        "w:val=\"none\" w:sz=\"0\" w:space=\"0\" w:color=\"auto\""
    };
    out.push_str("<w:tbl><w:tblPr>");
    out.push_str(&format!(
        "<w:tblW w:w=\"{}\" w:type=\"dxa\"/><w:jc w:val=\"{}\"/>",
        t.total_width(),
        match t.align {
            Align::Center => "center",
            Align::Right => "right",
            Align::Left | Align::Justify => "left",
        }
    ));
    out.push_str("<w:tblBorders>");
    for side in ["top", "left", "bottom", "right", "insideH", "insideV"] {
        out.push_str(&format!("<w:{side} {border}/>"));
    }
    out.push_str("</w:tblBorders><w:tblLayout w:type=\"fixed\"/>");
    out.push_str(&format!(
        "<w:tblCellMar><w:top w:w=\"{v}\" w:type=\"dxa\"/><w:left w:w=\"{m}\" w:type=\"dxa\"/>\
         <w:bottom w:w=\"{v}\" w:type=\"dxa\"/><w:right w:w=\"{m}\" w:type=\"dxa\"/></w:tblCellMar>",
        m = t.cell_margin,
        v = if t.borders { 28 } else { 0 },
    ));
    out.push_str(
        "<w:tblLook w:val=\"0000\" w:firstRow=\"0\" w:lastRow=\"0\" w:firstColumn=\"0\" \
                  w:lastColumn=\"0\" w:noHBand=\"1\" w:noVBand=\"1\"/></w:tblPr><w:tblGrid>",
    );
    for w in &t.widths {
        out.push_str(&format!("<w:gridCol w:w=\"{w}\"/>"));
    }
    out.push_str("</w:tblGrid>");
    for row in &t.rows {
        out.push_str("<w:tr>");
        if row.header || row.cant_split {
            out.push_str("<w:trPr>");
            if row.cant_split {
                out.push_str("<w:cantSplit/>");
            }
            if row.header {
                out.push_str("<w:tblHeader/>");
            }
            out.push_str("</w:trPr>");
        }
        let mut column = 0usize;
        for cell in &row.cells {
            let span = cell.span as usize;
            let width: u32 = t.widths[column..column + span].iter().sum();
            column += span;
            out.push_str(&format!(
                "<w:tc><w:tcPr><w:tcW w:w=\"{width}\" w:type=\"dxa\"/>"
            ));
            if cell.span > 1 {
                out.push_str(&format!("<w:gridSpan w:val=\"{}\"/>", cell.span));
            }
            if let Some(fill) = &cell.shade {
                out.push_str(&format!(
                    "<w:shd w:val=\"clear\" w:color=\"auto\" w:fill=\"{}\"/>",
                    escape(fill)
                ));
            }
            let v = match cell.v_align {
                VAlign::Top => "top",
                VAlign::Center => "center",
                VAlign::Bottom => "bottom",
            };
            out.push_str(&format!("<w:vAlign w:val=\"{v}\"/></w:tcPr>"));
            if cell.paragraphs.is_empty() {
                write_paragraph(out, &Paragraph::new(), t.font_size);
            }
            for p in &cell.paragraphs {
                write_paragraph(out, p, t.font_size);
            }
            out.push_str("</w:tc>");
        }
        out.push_str("</w:tr>");
    }
    out.push_str("</w:tbl>");
    Ok(())
}

/// A rough width, in dxa, of `text` set in Times New Roman at `points`: enough to size the
/// short rules under the heading lines.
pub fn estimate_width(text: &str, points: u32) -> u32 {
    let em_thousandths: u32 = text
        .chars()
        .map(|c| {
            if c.is_whitespace() {
                250
            } else if c.is_uppercase() {
                700
            } else if c.is_alphanumeric() {
                480
            } else {
                333
            }
        })
        .sum();
    em_thousandths * points * 20 / 1000
}

/// The heading of an administrative document (Decree 30/2020, Appendix I): on the left the
/// governing body (regular capitals), the issuing body (bold capitals) with a short rule under
/// it, and the number; on the right the national name, the motto with a rule of its length, and
/// the place and date in italics. Without an issuing body (a personal report) the right column
/// alone is centred on the page.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct NationalHeader {
    /// Cơ quan, tổ chức chủ quản trực tiếp: "UBND TỈNH KON TUM".
    pub parent_office: Option<String>,
    /// Tên cơ quan, tổ chức ban hành văn bản: "SỞ NỘI VỤ TỈNH KON TUM".
    pub office: Option<String>,
    /// "……/TTr-SNV"; written after "Số: ".
    pub number: Option<String>,
    /// "Kon Tum, ngày 22 tháng 11 năm 2026".
    pub place_date: String,
}

impl NationalHeader {
    const OFFICE_PT: u32 = 13;
    const NATIONAL_PT: u32 = 12;
    const MOTTO_PT: u32 = 13;

    /// The blocks, laid out across `width` (the document's content width).
    pub fn blocks(&self, width: u32) -> Vec<Block> {
        let national = |avail: u32| -> Vec<Paragraph> {
            vec![
                Paragraph::new()
                    .align(Align::Center)
                    .run(Run::new(NATIONAL_NAME).bold().pt(Self::NATIONAL_PT)),
                Paragraph::new()
                    .align(Align::Center)
                    .run(Run::new(MOTTO).bold().pt(Self::MOTTO_PT)),
                Paragraph::rule(estimate_width(MOTTO, Self::MOTTO_PT), avail),
            ]
        };
        let place_date = Paragraph::new()
            .align(Align::Center)
            .spacing(120, 0)
            .run(Run::new(self.place_date.clone()).italic().pt(13));
        let Some(office) = &self.office else {
            let mut blocks: Vec<Block> = national(width).into_iter().map(Block::from).collect();
            blocks.push(place_date.into());
            return blocks;
        };
        let widths = Table::proportional(&[42, 58], width);
        let (left_w, right_w) = (widths[0], widths[1]);
        let mut left = Vec::new();
        if let Some(parent) = &self.parent_office {
            left.push(
                Paragraph::new()
                    .align(Align::Center)
                    .run(Run::new(parent.to_uppercase()).pt(Self::OFFICE_PT)),
            );
        }
        let office = office.to_uppercase();
        let longest_line = office
            .split('\n')
            .map(|l| estimate_width(l, Self::OFFICE_PT))
            .max()
            .unwrap_or(0)
            .min(left_w);
        left.push(
            Paragraph::new()
                .align(Align::Center)
                .run(Run::new(office).bold().pt(Self::OFFICE_PT)),
        );
        left.push(Paragraph::rule((longest_line * 2 / 5).max(mm(15)), left_w));
        let number = match &self.number {
            Some(n) => Paragraph::new()
                .align(Align::Center)
                .spacing(120, 0)
                .run(Run::new(format!("Số: {n}")).pt(13)),
            None => Paragraph::new(),
        };
        let table = Table::layout(widths)
            .row(Row::new(vec![
                Cell::new(left),
                Cell::new(national(right_w)),
            ]))
            .row(Row::new(vec![Cell::of(number), Cell::of(place_date)]));
        vec![table.into()]
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use std::io::Read;

    /// The parts of a DOCX package, by name.
    pub(crate) fn unzip(bytes: &[u8]) -> Vec<(String, String)> {
        let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
        let mut parts = Vec::new();
        for i in 0..archive.len() {
            let mut file = archive.by_index(i).unwrap();
            let mut text = String::new();
            file.read_to_string(&mut text).unwrap();
            parts.push((file.name().to_string(), text));
        }
        parts
    }

    pub(crate) fn part<'a>(parts: &'a [(String, String)], name: &str) -> &'a str {
        parts
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, t)| t.as_str())
            .unwrap_or_else(|| panic!("no part {name}"))
    }

    /// Checks what a strict parser would: one root, every tag closed in order, quoted
    /// attributes, and no raw `<` or `&` in text or attribute values.
    pub(crate) fn check_well_formed(xml: &str) -> Result<(), String> {
        fn check_entities(text: &str) -> Result<(), String> {
            let mut rest = text;
            while let Some(i) = rest.find('&') {
                rest = &rest[i + 1..];
                let ok = ["amp;", "lt;", "gt;", "quot;", "apos;", "#"]
                    .iter()
                    .any(|e| rest.starts_with(e));
                if !ok {
                    return Err(format!(
                        "unescaped & before {:?}",
                        &rest[..rest.len().min(20)]
                    ));
                }
            }
            if text.contains('<') || text.contains('>') {
                return Err(format!("raw angle bracket in {text:?}"));
            }
            Ok(())
        }
        let mut stack: Vec<&str> = Vec::new();
        let mut roots = 0;
        let mut rest = xml;
        if let Some(after) = rest.strip_prefix("<?xml") {
            let end = after.find("?>").ok_or("unterminated declaration")?;
            rest = &after[end + 2..];
        }
        while !rest.is_empty() {
            let Some(lt) = rest.find('<') else {
                if !rest.trim().is_empty() && stack.is_empty() {
                    return Err("text after the root".into());
                }
                check_entities(rest)?;
                break;
            };
            let text = &rest[..lt];
            if stack.is_empty() && !text.trim().is_empty() {
                return Err(format!("text outside the root: {text:?}"));
            }
            check_entities(text)?;
            rest = &rest[lt..];
            // Find the end of the tag, skipping quoted attribute values.
            let mut end = None;
            let mut quote: Option<char> = None;
            for (i, c) in rest.char_indices().skip(1) {
                match (quote, c) {
                    (Some(q), c) if c == q => quote = None,
                    (Some(_), _) => {}
                    (None, '"' | '\'') => quote = Some(c),
                    (None, '<') => return Err("'<' inside a tag".into()),
                    (None, '>') => {
                        end = Some(i);
                        break;
                    }
                    _ => {}
                }
            }
            let end = end.ok_or("unterminated tag")?;
            let tag = &rest[1..end];
            rest = &rest[end + 1..];
            if let Some(name) = tag.strip_prefix('/') {
                let open = stack.pop().ok_or(format!("</{name}> closes nothing"))?;
                if open != name.trim() {
                    return Err(format!("<{open}> closed by </{name}>"));
                }
                continue;
            }
            let self_closing = tag.ends_with('/');
            let body = tag.trim_end_matches('/');
            let name = body.split_whitespace().next().ok_or("empty tag")?;
            // Attribute values: quoted, no raw '<' or stray '&'; between them only `name=`.
            let attrs = &body[name.len()..];
            let pieces: Vec<&str> = attrs.split('"').collect();
            if pieces.len().is_multiple_of(2) {
                return Err(format!("unbalanced quotes in <{tag}>"));
            }
            for (i, piece) in pieces.iter().enumerate() {
                if i % 2 == 1 {
                    check_entities(piece)?;
                } else if i + 1 < pieces.len() && !piece.trim_end().ends_with('=') {
                    return Err(format!("bad attribute syntax in <{tag}>"));
                } else if i + 1 == pieces.len() && !piece.trim().is_empty() {
                    return Err(format!("stray text in <{tag}>"));
                }
            }
            if stack.is_empty() {
                roots += 1;
            }
            if !self_closing {
                stack.push(name);
            }
        }
        if let Some(open) = stack.last() {
            return Err(format!("<{open}> never closed"));
        }
        if roots != 1 {
            return Err(format!("{roots} root elements"));
        }
        Ok(())
    }

    fn unescape(s: &str) -> String {
        s.replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&quot;", "\"")
            .replace("&apos;", "'")
            .replace("&amp;", "&")
    }

    /// The text of `document.xml`, one line per paragraph (table cells included).
    pub(crate) fn document_text(xml: &str) -> String {
        let mut out = String::new();
        let mut rest = xml;
        while let Some(i) = rest.find('<') {
            rest = &rest[i..];
            if rest.starts_with("<w:t ") || rest.starts_with("<w:t>") {
                let Some(start) = rest.find('>') else { break };
                let Some(end) = rest.find("</w:t>") else {
                    break;
                };
                out.push_str(&unescape(&rest[start + 1..end]));
                rest = &rest[end..];
            } else if rest.starts_with("</w:p>") {
                out.push('\n');
            } else if rest.starts_with("<w:tab/>") {
                out.push('\t');
            }
            rest = &rest[1..];
        }
        out
    }

    #[test]
    fn escape_handles_markup_characters_and_vietnamese() {
        assert_eq!(
            escape(r#"<&>"' Độc lập"#),
            "&lt;&amp;&gt;&quot;&apos; Độc lập"
        );
        assert_eq!(escape("a\u{0}b\u{1b}c\u{FFFF}"), "abc");
        assert_eq!(escape("tab\tline\n"), "tab\tline\n");
    }

    #[test]
    fn the_checker_rejects_broken_xml() {
        assert!(check_well_formed("<a><b/></a>").is_ok());
        assert!(check_well_formed("<a x=\"1 &amp; 2\">t &lt; u</a>").is_ok());
        assert!(check_well_formed("<a><b></a>").is_err());
        assert!(check_well_formed("<a>x & y</a>").is_err());
        assert!(check_well_formed("<a x=\"<\"/>").is_err());
        assert!(check_well_formed("<a/><b/>").is_err());
        assert!(check_well_formed("<a x=\"1\" y/>").is_err());
        assert!(check_well_formed("<a>").is_err());
    }

    #[test]
    fn margins_and_page_follow_decree_30() {
        let p = PageSetup::decree_30();
        assert_eq!((p.width, p.height), (11_906, 16_838));
        for (v, lo, hi) in [
            (p.top, 20, 25),
            (p.bottom, 20, 25),
            (p.left, 30, 35),
            (p.right, 15, 20),
        ] {
            assert!(v + 1 >= mm(lo) && v <= mm(hi), "{v} outside {lo}-{hi} mm");
        }
        let doc = Document::new("t");
        assert!((26..=28).contains(&doc.font_size));
        let styles = doc.styles_xml();
        assert!(styles.contains("w:ascii=\"Times New Roman\""));
        let xml = doc.document_xml().unwrap();
        assert!(xml.contains("<w:pgSz w:w=\"11906\" w:h=\"16838\"/>"));
        assert!(xml.contains(&format!("w:left=\"{}\"", mm(30))));
    }

    #[test]
    fn a_document_is_a_complete_package_with_escaped_text() {
        let nasty = r#"Tên <đơn vị> & "trích dẫn" 'đơn'"#;
        let mut doc = Document::new(nasty);
        doc.created = jiff::civil::Date::new(2026, 11, 22).ok();
        doc.extend(
            NationalHeader {
                parent_office: Some("UBND tỉnh Kon Tum".into()),
                office: Some("Sở Nội vụ".into()),
                number: Some("……/TTr-SNV".into()),
                place_date: "Kon Tum, ngày 22 tháng 11 năm 2026".into(),
            }
            .blocks(doc.content_width()),
        );
        doc.paragraph(Paragraph::new().style("Title").run(Run::new("TỜ TRÌNH")));
        doc.paragraph(Paragraph::heading(1, "I. Căn cứ"));
        doc.paragraph(Paragraph::body(nasty).run(Run::new(" in nghiêng\nxuống dòng").italic()));
        let widths = Table::proportional(&[1, 3, 2], doc.content_width());
        assert_eq!(widths.iter().sum::<u32>(), doc.content_width());
        let mut table = Table::new(widths).pt(13);
        table.push(Row::header(vec![
            Cell::header("STT"),
            Cell::header("Tên"),
            Cell::header("Ghi chú"),
        ]));
        table.push(Row::new(vec![
            Cell::text("1", Align::Center),
            Cell::text(nasty, Align::Left),
            Cell::new(vec![]),
        ]));
        table.push(Row::new(vec![Cell::text("Gộp", Align::Left).span(3)]));
        doc.table(table.clone());
        doc.table(table);
        doc.page_break();
        doc.paragraph(Paragraph::text("Trang hai"));
        doc.section_break();
        doc.paragraph(Paragraph::text("Phần hai"));

        let bytes = doc.to_docx().unwrap();
        let parts = unzip(&bytes);
        assert_eq!(parts[0].0, "[Content_Types].xml");
        for name in [
            "_rels/.rels",
            "word/document.xml",
            "word/_rels/document.xml.rels",
            "word/styles.xml",
            "word/settings.xml",
            "word/header1.xml",
            "word/header2.xml",
            "docProps/core.xml",
            "docProps/app.xml",
        ] {
            part(&parts, name);
        }
        for (name, xml) in &parts {
            check_well_formed(xml).unwrap_or_else(|e| panic!("{name}: {e}"));
        }
        let xml = part(&parts, "word/document.xml");
        check_schema_order(xml);
        check_schema_order(part(&parts, "word/styles.xml"));
        assert!(!xml.contains(nasty));
        assert!(xml.contains("Tên &lt;đơn vị&gt; &amp; &quot;trích dẫn&quot; &apos;đơn&apos;"));
        let text = document_text(xml);
        assert!(text.contains(nasty), "{text}");
        assert!(text.contains(NATIONAL_NAME) && text.contains(MOTTO));
        assert!(text.contains("SỞ NỘI VỤ") && text.contains("Số: ……/TTr-SNV"));
        assert!(xml.contains("<w:br/>") && xml.contains("<w:br w:type=\"page\"/>"));
        assert!(xml.contains("<w:gridSpan w:val=\"3\"/>") && xml.contains("<w:tblHeader/>"));
        // Two sections: the break and the body's own.
        assert_eq!(xml.matches("<w:sectPr>").count(), 2);
        // Adjacent tables are kept apart by a paragraph.
        assert!(!xml.contains("</w:tbl><w:tbl>"));
        let core = part(&parts, "docProps/core.xml");
        assert!(core.contains("&lt;đơn vị&gt;") && core.contains("2026-11-22T00:00:00Z"));
    }

    /// The direct children of every `<parent>` in `xml`, by name.
    fn children_of(xml: &str, parent: &str) -> Vec<Vec<String>> {
        let open = format!("<{parent}>");
        let mut all = Vec::new();
        let mut rest = xml;
        while let Some(i) = rest.find(&open) {
            rest = &rest[i + open.len()..];
            let mut depth = 0usize;
            let mut names = Vec::new();
            let mut scan = rest;
            while let Some(lt) = scan.find('<') {
                scan = &scan[lt..];
                let Some(gt) = scan.find('>') else { break };
                let tag = &scan[1..gt];
                scan = &scan[gt + 1..];
                if let Some(name) = tag.strip_prefix('/') {
                    if depth == 0 {
                        assert_eq!(name, parent);
                        break;
                    }
                    depth -= 1;
                    continue;
                }
                let name = tag
                    .trim_end_matches('/')
                    .split_whitespace()
                    .next()
                    .unwrap_or("");
                if depth == 0 {
                    names.push(name.to_string());
                }
                if !tag.ends_with('/') {
                    depth += 1;
                }
            }
            all.push(names);
        }
        all
    }

    /// Word refuses a file whose property elements are out of the schema's sequence
    /// (LibreOffice does not mind, so converting it proves nothing).
    pub(crate) fn check_schema_order(xml: &str) {
        let sequences: [(&str, &[&str]); 6] = [
            (
                "w:pPr",
                &[
                    "w:pStyle",
                    "w:keepNext",
                    "w:keepLines",
                    "w:pageBreakBefore",
                    "w:pBdr",
                    "w:shd",
                    "w:tabs",
                    "w:spacing",
                    "w:ind",
                    "w:jc",
                    "w:outlineLvl",
                    "w:rPr",
                    "w:sectPr",
                ],
            ),
            (
                "w:rPr",
                &[
                    "w:rStyle", "w:rFonts", "w:b", "w:bCs", "w:i", "w:iCs", "w:caps", "w:color",
                    "w:sz", "w:szCs", "w:u", "w:lang",
                ],
            ),
            (
                "w:tblPr",
                &[
                    "w:tblStyle",
                    "w:tblW",
                    "w:jc",
                    "w:tblInd",
                    "w:tblBorders",
                    "w:shd",
                    "w:tblLayout",
                    "w:tblCellMar",
                    "w:tblLook",
                ],
            ),
            (
                "w:tcPr",
                &[
                    "w:tcW",
                    "w:gridSpan",
                    "w:vMerge",
                    "w:tcBorders",
                    "w:shd",
                    "w:vAlign",
                ],
            ),
            (
                "w:sectPr",
                &[
                    "w:headerReference",
                    "w:footerReference",
                    "w:type",
                    "w:pgSz",
                    "w:pgMar",
                    "w:pgNumType",
                    "w:cols",
                    "w:titlePg",
                    "w:docGrid",
                ],
            ),
            (
                "w:tblBorders",
                &[
                    "w:top",
                    "w:left",
                    "w:bottom",
                    "w:right",
                    "w:insideH",
                    "w:insideV",
                ],
            ),
        ];
        for (parent, order) in sequences {
            for children in children_of(xml, parent) {
                let positions: Vec<usize> = children
                    .iter()
                    .map(|c| {
                        order
                            .iter()
                            .position(|o| o == c)
                            .unwrap_or_else(|| panic!("<{c}> not expected in <{parent}>"))
                    })
                    .collect();
                assert!(
                    positions.windows(2).all(|w| w[0] <= w[1]),
                    "<{parent}> children out of order: {children:?}"
                );
            }
        }
    }

    #[test]
    #[should_panic(expected = "out of order")]
    fn the_order_check_catches_a_misplaced_element() {
        check_schema_order("<w:p><w:pPr><w:sectPr></w:sectPr><w:rPr><w:b/></w:rPr></w:pPr></w:p>");
    }

    #[test]
    fn rows_must_fill_the_grid() {
        let mut doc = Document::new("t");
        doc.table(Table::new(vec![1000, 1000]).row(Row::new(vec![Cell::text("x", Align::Left)])));
        assert!(matches!(doc.to_docx(), Err(DocxError::Invalid(_))));
    }

    #[test]
    fn the_same_input_gives_the_same_bytes() {
        let mut doc = Document::new("t");
        doc.paragraph(Paragraph::body("Nội dung"));
        assert_eq!(doc.to_docx().unwrap(), doc.to_docx().unwrap());
    }
}
