//! Excel (.xlsx) written as it streams: a zip whose small parts are stored
//! whole, and whose worksheet is deflated piece by piece with a data
//! descriptor after it (sizes and CRC are known only at the end). Memory
//! stays at one compression window, whatever the row count.
use super::TableWriter;
use crate::domain::documents::ColumnKind;
use flate2::write::DeflateEncoder;
use flate2::Compression;
use std::io::Write;

struct Entry {
    name: &'static str,
    crc: u32,
    compressed: u32,
    size: u32,
    offset: u32,
    deflated: bool,
}

pub struct XlsxWriter {
    entries: Vec<Entry>,
    written: u64,
    sheet: Option<DeflateEncoder<Vec<u8>>>,
    crc: crc32fast::Hasher,
    size: u64,
    compressed: u64,
    kinds: Vec<ColumnKind>,
}

const CONTENT_TYPES: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>"#;
const RELS: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#;
const WORKBOOK_RELS: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>"#;
const SHEET: &str = "xl/worksheets/sheet1.xml";

/// Text safe inside XML: escaped, without the control characters XML forbids.
pub fn xml_text(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\t' | '\n' | '\r' => o.push(c),
            c if (c as u32) < 0x20 || c == '\u{fffe}' || c == '\u{ffff}' => {}
            c => o.push(c),
        }
    }
    o
}

/// A worksheet name Excel accepts: at most 31 characters, none of []:*?/\.
fn sheet_name(title: &str) -> String {
    let n: String = title.chars().filter(|c| !"[]:*?/\\".contains(*c) && !c.is_control()).take(31).collect();
    let n = n.trim().trim_matches('\'').to_string();
    if n.is_empty() {
        "Data".into()
    } else {
        n
    }
}

impl XlsxWriter {
    pub fn new() -> Self {
        XlsxWriter { entries: Vec::new(), written: 0, sheet: None, crc: crc32fast::Hasher::new(), size: 0, compressed: 0, kinds: Vec::new() }
    }

    fn emit(&mut self, out: &mut Vec<u8>, bytes: &[u8]) {
        out.extend_from_slice(bytes);
        self.written += bytes.len() as u64;
    }

    fn local_header(&mut self, out: &mut Vec<u8>, name: &str, deflated: bool, crc: u32, csize: u32, size: u32) {
        let mut h = Vec::with_capacity(30 + name.len());
        h.extend_from_slice(&0x0403_4b50u32.to_le_bytes());
        h.extend_from_slice(&20u16.to_le_bytes()); // version needed
        h.extend_from_slice(&(if deflated { 0x0808u16 } else { 0x0800 }).to_le_bytes()); // data descriptor; UTF-8 names
        h.extend_from_slice(&(if deflated { 8u16 } else { 0 }).to_le_bytes());
        h.extend_from_slice(&[0, 0, 0x21, 0]); // time 00:00, date 1980-01-01
        h.extend_from_slice(&crc.to_le_bytes());
        h.extend_from_slice(&csize.to_le_bytes());
        h.extend_from_slice(&size.to_le_bytes());
        h.extend_from_slice(&(name.len() as u16).to_le_bytes());
        h.extend_from_slice(&0u16.to_le_bytes());
        h.extend_from_slice(name.as_bytes());
        self.emit(out, &h);
    }

    /// A small part, stored whole (its size and CRC are known).
    fn stored(&mut self, out: &mut Vec<u8>, name: &'static str, body: &str) {
        let crc = crc32fast::hash(body.as_bytes());
        let offset = self.written as u32;
        let len = body.len() as u32;
        self.local_header(out, name, false, crc, len, len);
        self.emit(out, body.as_bytes());
        self.entries.push(Entry { name, crc, compressed: len, size: len, offset, deflated: false });
    }

    fn sheet_write(&mut self, out: &mut Vec<u8>, xml: &str) {
        self.crc.update(xml.as_bytes());
        self.size += xml.len() as u64;
        let enc = self.sheet.as_mut().expect("sheet open");
        enc.write_all(xml.as_bytes()).expect("writes to memory");
        let produced = std::mem::take(enc.get_mut());
        self.compressed += produced.len() as u64;
        self.emit(out, &produced);
    }

    fn row_xml(&self, cells: impl Iterator<Item = (Option<String>, ColumnKind)>) -> String {
        let mut x = String::from("<row>");
        for (v, k) in cells {
            match (v, k) {
                (None, _) => x.push_str("<c/>"),
                (Some(v), ColumnKind::Number) => {
                    x.push_str("<c><v>");
                    x.push_str(&v);
                    x.push_str("</v></c>");
                }
                (Some(v), ColumnKind::Text) => {
                    x.push_str("<c t=\"inlineStr\"><is><t xml:space=\"preserve\">");
                    x.push_str(&xml_text(&v));
                    x.push_str("</t></is></c>");
                }
            }
        }
        x.push_str("</row>");
        x
    }
}

impl TableWriter for XlsxWriter {
    fn begin(&mut self, title: &str, header: &[String], kinds: &[ColumnKind], out: &mut Vec<u8>) {
        self.kinds = kinds.to_vec();
        self.stored(out, "[Content_Types].xml", CONTENT_TYPES);
        self.stored(out, "_rels/.rels", RELS);
        let workbook = format!(
            r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="{}" sheetId="1" r:id="rId1"/></sheets></workbook>"#,
            xml_text(&sheet_name(title))
        );
        self.stored(out, "xl/workbook.xml", &workbook);
        self.stored(out, "xl/_rels/workbook.xml.rels", WORKBOOK_RELS);
        let offset = self.written as u32;
        self.local_header(out, SHEET, true, 0, 0, 0);
        self.entries.push(Entry { name: SHEET, crc: 0, compressed: 0, size: 0, offset, deflated: true });
        self.sheet = Some(DeflateEncoder::new(Vec::new(), Compression::fast()));
        let head = self.row_xml(header.iter().map(|h| (Some(h.clone()), ColumnKind::Text)));
        self.sheet_write(
            out,
            &format!(
                r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>{head}"#
            ),
        );
    }

    fn row(&mut self, cells: &[Option<String>], out: &mut Vec<u8>) {
        let x = self.row_xml(cells.iter().cloned().zip(self.kinds.iter().copied()));
        self.sheet_write(out, &x);
    }

    fn finish(&mut self, out: &mut Vec<u8>) {
        self.sheet_write(out, "</sheetData></worksheet>");
        let rest = self.sheet.take().expect("sheet open").finish().expect("writes to memory");
        self.compressed += rest.len() as u64;
        self.emit(out, &rest);
        let crc = std::mem::take(&mut self.crc).finalize();
        let (compressed, size) = (self.compressed as u32, self.size as u32);
        let mut dd = Vec::with_capacity(16);
        dd.extend_from_slice(&0x0807_4b50u32.to_le_bytes());
        dd.extend_from_slice(&crc.to_le_bytes());
        dd.extend_from_slice(&compressed.to_le_bytes());
        dd.extend_from_slice(&size.to_le_bytes());
        self.emit(out, &dd);
        let sheet = self.entries.last_mut().expect("sheet entry");
        (sheet.crc, sheet.compressed, sheet.size) = (crc, compressed, size);

        let dir_start = self.written as u32;
        let mut dir = Vec::new();
        for e in &self.entries {
            dir.extend_from_slice(&0x0201_4b50u32.to_le_bytes());
            dir.extend_from_slice(&20u16.to_le_bytes()); // made by
            dir.extend_from_slice(&20u16.to_le_bytes()); // needed
            dir.extend_from_slice(&(if e.deflated { 0x0808u16 } else { 0x0800 }).to_le_bytes());
            dir.extend_from_slice(&(if e.deflated { 8u16 } else { 0 }).to_le_bytes());
            dir.extend_from_slice(&[0, 0, 0x21, 0]);
            dir.extend_from_slice(&e.crc.to_le_bytes());
            dir.extend_from_slice(&e.compressed.to_le_bytes());
            dir.extend_from_slice(&e.size.to_le_bytes());
            dir.extend_from_slice(&(e.name.len() as u16).to_le_bytes());
            dir.extend_from_slice(&[0; 8]); // extra, comment, disk, internal attributes
            dir.extend_from_slice(&0u32.to_le_bytes()); // external attributes
            dir.extend_from_slice(&e.offset.to_le_bytes());
            dir.extend_from_slice(e.name.as_bytes());
        }
        let n = self.entries.len() as u16;
        let dir_len = dir.len() as u32;
        dir.extend_from_slice(&0x0605_4b50u32.to_le_bytes());
        dir.extend_from_slice(&[0; 4]);
        dir.extend_from_slice(&n.to_le_bytes());
        dir.extend_from_slice(&n.to_le_bytes());
        dir.extend_from_slice(&dir_len.to_le_bytes());
        dir.extend_from_slice(&dir_start.to_le_bytes());
        dir.extend_from_slice(&0u16.to_le_bytes());
        self.emit(out, &dir);
    }
}
