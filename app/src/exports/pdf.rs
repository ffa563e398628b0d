//! A plain PDF table (A4 landscape, Helvetica), written page by page: each
//! page's objects go out as soon as the page is full; the page tree, the
//! cross-reference table and the trailer come last.
use super::TableWriter;
use crate::domain::documents::ColumnKind;

const WIDTH: f32 = 842.0;
const HEIGHT: f32 = 595.0;
const MARGIN: f32 = 30.0;
const FONT_SIZE: f32 = 8.0;
const LEADING: f32 = 12.0;
const ROWS_PER_PAGE: usize = 42;

pub struct PdfWriter {
    title: String,
    header: Vec<String>,
    offsets: Vec<(u32, u64)>,
    written: u64,
    next_obj: u32,
    pages: Vec<u32>,
    page_rows: Vec<Vec<String>>,
}

/// Text for a PDF string in WinAnsi: escaped, other characters as '?'.
fn pdf_text(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' | '(' | ')' => {
                o.push('\\');
                o.push(c);
            }
            c if (' '..='~').contains(&c) => o.push(c),
            c if (c as u32) >= 0xA0 && (c as u32) <= 0xFF => o.push_str(&format!("\\{:03o}", c as u32)),
            _ => o.push('?'),
        }
    }
    o
}

fn clip(s: &str, max_chars: usize) -> String {
    if s.chars().count() <= max_chars {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(max_chars.saturating_sub(1)).collect();
        t.push('~');
        t
    }
}

impl PdfWriter {
    pub fn new() -> Self {
        // Objects 1 (catalog), 2 (page tree), 3 and 4 (fonts) are fixed.
        PdfWriter { title: String::new(), header: Vec::new(), offsets: Vec::new(), written: 0, next_obj: 5, pages: Vec::new(), page_rows: Vec::new() }
    }

    fn emit(&mut self, out: &mut Vec<u8>, s: &str) {
        out.extend_from_slice(s.as_bytes());
        self.written += s.len() as u64;
    }

    fn object(&mut self, out: &mut Vec<u8>, id: u32, body: &str) {
        self.offsets.push((id, self.written));
        self.emit(out, &format!("{id} 0 obj\n{body}\nendobj\n"));
    }

    fn flush_page(&mut self, out: &mut Vec<u8>) {
        let cols = self.header.len().max(1);
        let col_w = (WIDTH - 2.0 * MARGIN) / cols as f32;
        let max_chars = ((col_w - 4.0) / (FONT_SIZE * 0.5)).max(3.0) as usize;
        let mut c = String::new();
        let mut y = HEIGHT - MARGIN;
        c.push_str(&format!("BT /F2 11 Tf {MARGIN} {y} Td ({}) Tj ET\n", pdf_text(&clip(&self.title, 120))));
        c.push_str(&format!("BT /F1 8 Tf {} {y} Td (Page {}) Tj ET\n", WIDTH - MARGIN - 40.0, self.pages.len() + 1));
        y -= LEADING * 1.8;
        let line = |c: &mut String, font: &str, cells: &[String], y: f32| {
            for (i, v) in cells.iter().enumerate() {
                c.push_str(&format!("BT /{font} {FONT_SIZE} Tf {:.1} {y:.1} Td ({}) Tj ET\n", MARGIN + i as f32 * col_w, pdf_text(&clip(v, max_chars))));
            }
        };
        line(&mut c, "F2", &self.header.clone(), y);
        c.push_str(&format!("{MARGIN} {:.1} m {:.1} {:.1} l S\n", y - 3.0, WIDTH - MARGIN, y - 3.0));
        for r in std::mem::take(&mut self.page_rows) {
            y -= LEADING;
            line(&mut c, "F1", &r, y);
        }
        let content = self.next_obj;
        let page = content + 1;
        self.next_obj += 2;
        self.object(out, content, &format!("<< /Length {} >>\nstream\n{c}endstream", c.len()));
        self.object(
            out,
            page,
            &format!("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {WIDTH} {HEIGHT}] /Resources << /Font << /F1 3 0 R /F2 4 0 R >> >> /Contents {content} 0 R >>"),
        );
        self.pages.push(page);
    }
}

impl TableWriter for PdfWriter {
    fn begin(&mut self, title: &str, header: &[String], _kinds: &[ColumnKind], out: &mut Vec<u8>) {
        self.title = title.to_string();
        self.header = header.to_vec();
        self.emit(out, "%PDF-1.4\n%\u{e2}\u{e3}\n");
        self.object(out, 1, "<< /Type /Catalog /Pages 2 0 R >>");
        self.object(out, 3, "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>");
        self.object(out, 4, "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold /Encoding /WinAnsiEncoding >>");
    }

    fn row(&mut self, cells: &[Option<String>], out: &mut Vec<u8>) {
        self.page_rows.push(cells.iter().map(|c| c.clone().unwrap_or_default()).collect());
        if self.page_rows.len() == ROWS_PER_PAGE {
            self.flush_page(out);
        }
    }

    fn finish(&mut self, out: &mut Vec<u8>) {
        if !self.page_rows.is_empty() || self.pages.is_empty() {
            self.flush_page(out);
        }
        let kids: Vec<String> = self.pages.iter().map(|p| format!("{p} 0 R")).collect();
        self.object(out, 2, &format!("<< /Type /Pages /Kids [{}] /Count {} >>", kids.join(" "), self.pages.len()));
        let xref_at = self.written;
        let mut offsets = std::mem::take(&mut self.offsets);
        offsets.sort();
        let size = self.next_obj;
        let mut x = format!("xref\n0 {size}\n0000000000 65535 f \n");
        for (_, off) in &offsets {
            x.push_str(&format!("{off:010} 00000 n \n"));
        }
        x.push_str(&format!("trailer\n<< /Size {size} /Root 1 0 R >>\nstartxref\n{xref_at}\n%%EOF\n"));
        self.emit(out, &x);
    }
}
