//! A plain PDF table (A4 landscape), written page by page: each page's objects
//! go out as soon as the page is full; the font, the page tree, the
//! cross-reference table and the trailer come last.
//!
//! Text is set in an embedded TrueType font (WenQuanYi Micro Hei, see
//! `app/fonts/README.md`) so that names in any of Latin, Cyrillic, Greek and
//! the CJK scripts print as written. Glyphs get new ids in the order they are
//! first used (`subsetter`'s remapper), the content streams show those ids
//! (Identity-H), and at the end only those glyphs are embedded, with a
//! ToUnicode map so the text can be searched and copied.
use super::TableWriter;
use crate::domain::documents::ColumnKind;
use flate2::write::ZlibEncoder;
use flate2::Compression;
use std::collections::BTreeMap;
use std::io::Write;
use subsetter::GlyphRemapper;
use ttf_parser::{Face, GlyphId};

const WIDTH: f32 = 842.0;
const HEIGHT: f32 = 595.0;
const MARGIN: f32 = 30.0;
const FONT_SIZE: f32 = 8.0;
const TITLE_SIZE: f32 = 11.0;
const LEADING: f32 = 12.0;
const ROWS_PER_PAGE: usize = 42;

static FONT: &[u8] = include_bytes!("../../../fonts/WenQuanYiMicroHei-Gatehouse.ttf");
/// The subset's PostScript name: a tag of six capitals, as PDF asks of subsets.
const FONT_NAME: &str = "GHWQYM+WenQuanYiMicroHei";

// Objects 1 (catalog), 2 (page tree), 3 (the font) and 4 (its glyphs) have
// fixed numbers: pages refer to them before they are written.
const CATALOG: u32 = 1;
const PAGES: u32 = 2;
const FONT_OBJ: u32 = 3;
const CID_FONT_OBJ: u32 = 4;

pub struct PdfWriter {
    face: Face<'static>,
    units_per_em: f32,
    remapper: GlyphRemapper,
    /// New glyph id -> the text it stands for (ToUnicode).
    unicode: BTreeMap<u16, char>,
    /// New glyph id -> advance width in PDF glyph space (1/1000 em).
    widths: BTreeMap<u16, u16>,
    ellipsis: char,
    title: String,
    header: Vec<String>,
    offsets: Vec<(u32, u64)>,
    written: u64,
    next_obj: u32,
    pages: Vec<u32>,
    page_rows: Vec<Vec<String>>,
}

impl Default for PdfWriter {
    fn default() -> Self {
        Self::new()
    }
}

impl PdfWriter {
    pub fn new() -> Self {
        let face = Face::parse(FONT, 0).expect("the embedded font parses");
        let ellipsis = if face.glyph_index('…').is_some() { '…' } else { '~' };
        // Glyph 0 (the empty box) is always in the subset, so its width leads the W array.
        let notdef = (f32::from(face.glyph_hor_advance(GlyphId(0)).unwrap_or(0)) * 1000.0 / f32::from(face.units_per_em())).round() as u16;
        PdfWriter {
            units_per_em: f32::from(face.units_per_em()),
            face,
            remapper: GlyphRemapper::new(),
            unicode: BTreeMap::new(),
            widths: BTreeMap::from([(0, notdef)]),
            ellipsis,
            title: String::new(),
            header: Vec::new(),
            offsets: Vec::new(),
            written: 0,
            next_obj: 5,
            pages: Vec::new(),
            page_rows: Vec::new(),
        }
    }

    fn emit_bytes(&mut self, out: &mut Vec<u8>, b: &[u8]) {
        out.extend_from_slice(b);
        self.written += b.len() as u64;
    }

    fn emit(&mut self, out: &mut Vec<u8>, s: &str) {
        self.emit_bytes(out, s.as_bytes());
    }

    fn object(&mut self, out: &mut Vec<u8>, id: u32, body: &str) {
        self.offsets.push((id, self.written));
        self.emit(out, &format!("{id} 0 obj\n{body}\nendobj\n"));
    }

    /// A stream object, compressed; `extra` goes into its dictionary.
    fn stream(&mut self, out: &mut Vec<u8>, id: u32, extra: &str, data: &[u8]) {
        let mut z = ZlibEncoder::new(Vec::with_capacity(data.len() / 3), Compression::fast());
        z.write_all(data).expect("compressing in memory");
        let packed = z.finish().expect("compressing in memory");
        self.offsets.push((id, self.written));
        self.emit(out, &format!("{id} 0 obj\n<< /Length {} /Filter /FlateDecode{extra} >>\nstream\n", packed.len()));
        self.emit_bytes(out, &packed);
        self.emit(out, "\nendstream\nendobj\n");
    }

    fn take_id(&mut self) -> u32 {
        self.next_obj += 1;
        self.next_obj - 1
    }

    /// The glyph for `c` (the font's empty box when it has none), numbered for the subset.
    fn glyph(&mut self, c: char) -> (u16, f32) {
        let c = if c.is_control() { ' ' } else { c };
        let gid = self.face.glyph_index(c).unwrap_or(GlyphId(0));
        let advance = f32::from(self.face.glyph_hor_advance(gid).unwrap_or(0));
        let new = self.remapper.remap(gid.0);
        if gid.0 != 0 {
            self.unicode.entry(new).or_insert(c);
        }
        let width = (advance * 1000.0 / self.units_per_em).round() as u16;
        self.widths.entry(new).or_insert(width);
        (new, advance * FONT_SIZE / self.units_per_em)
    }

    fn advance(&self, c: char, size: f32) -> f32 {
        let gid = self.face.glyph_index(c).unwrap_or(GlyphId(0));
        f32::from(self.face.glyph_hor_advance(gid).unwrap_or(0)) * size / self.units_per_em
    }

    /// `s` as a hex string of glyph ids, cut with an ellipsis to fit `max_width` at `size`.
    fn shown(&mut self, s: &str, size: f32, max_width: f32) -> String {
        let total: f32 = s.chars().map(|c| self.advance(c, size)).sum();
        let text: Vec<char> = if total <= max_width {
            s.chars().collect()
        } else {
            let room = max_width - self.advance(self.ellipsis, size);
            let mut used = 0.0;
            let mut kept: Vec<char> = s
                .chars()
                .take_while(|c| {
                    used += self.advance(*c, size);
                    used <= room
                })
                .collect();
            kept.push(self.ellipsis);
            kept
        };
        let mut hex = String::with_capacity(text.len() * 4 + 2);
        hex.push('<');
        for c in text {
            let (gid, _) = self.glyph(c);
            hex.push_str(&format!("{gid:04X}"));
        }
        hex.push('>');
        hex
    }

    fn flush_page(&mut self, out: &mut Vec<u8>) {
        let cols = self.header.len().max(1);
        let col_w = (WIDTH - 2.0 * MARGIN) / cols as f32;
        let mut c = String::new();
        let mut y = HEIGHT - MARGIN;
        // Bold is drawn as fill and a thin stroke of the same font.
        let title = self.shown(&self.title.clone(), TITLE_SIZE, WIDTH - 2.0 * MARGIN - 60.0);
        c.push_str(&format!("BT /F1 {TITLE_SIZE} Tf 2 Tr 0.3 w {MARGIN} {y} Td {title} Tj ET\n"));
        let page_no = self.shown(&format!("Page {}", self.pages.len() + 1), FONT_SIZE, 60.0);
        c.push_str(&format!("BT /F1 {FONT_SIZE} Tf 0 Tr {} {y} Td {page_no} Tj ET\n", WIDTH - MARGIN - 40.0));
        y -= LEADING * 1.8;
        let line = |w: &mut Self, c: &mut String, bold: bool, cells: &[String], y: f32| {
            let mode = if bold { "2 Tr 0.2 w" } else { "0 Tr" };
            for (i, v) in cells.iter().enumerate() {
                let text = w.shown(v, FONT_SIZE, col_w - 4.0);
                c.push_str(&format!("BT /F1 {FONT_SIZE} Tf {mode} {:.1} {y:.1} Td {text} Tj ET\n", MARGIN + i as f32 * col_w));
            }
        };
        let header = self.header.clone();
        line(self, &mut c, true, &header, y);
        c.push_str(&format!("{MARGIN} {:.1} m {:.1} {:.1} l S\n", y - 3.0, WIDTH - MARGIN, y - 3.0));
        for r in std::mem::take(&mut self.page_rows) {
            y -= LEADING;
            line(self, &mut c, false, &r, y);
        }
        let content = self.take_id();
        let page = self.take_id();
        self.stream(out, content, "", c.as_bytes());
        self.object(out, page, &format!("<< /Type /Page /Parent {PAGES} 0 R /MediaBox [0 0 {WIDTH} {HEIGHT}] /Resources << /Font << /F1 {FONT_OBJ} 0 R >> >> /Contents {content} 0 R >>"));
        self.pages.push(page);
    }

    /// The font objects: the composite font, its CID font with the widths,
    /// the descriptor, the subset font program and the ToUnicode map.
    fn write_font(&mut self, out: &mut Vec<u8>) {
        let descriptor = self.take_id();
        let program = self.take_id();
        let to_unicode = self.take_id();
        let upem = self.units_per_em;
        let scale = move |v: i16| (f32::from(v) * 1000.0 / upem).round() as i32;
        let bbox = self.face.global_bounding_box();
        let (ascent, descent) = (scale(self.face.ascender()), scale(self.face.descender()));
        let cap = scale(self.face.capital_height().unwrap_or(self.face.ascender()));

        // Glyph ids run 0..n without gaps: one W entry lists every width.
        let widths: Vec<String> = self.widths.values().map(u16::to_string).collect();
        self.object(out, FONT_OBJ, &format!("<< /Type /Font /Subtype /Type0 /BaseFont /{FONT_NAME} /Encoding /Identity-H /DescendantFonts [{CID_FONT_OBJ} 0 R] /ToUnicode {to_unicode} 0 R >>"));
        self.object(
            out,
            CID_FONT_OBJ,
            &format!(
                "<< /Type /Font /Subtype /CIDFontType2 /BaseFont /{FONT_NAME} /CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> \
                 /FontDescriptor {descriptor} 0 R /CIDToGIDMap /Identity /DW 1000 /W [0 [{}]] >>",
                widths.join(" ")
            ),
        );
        self.object(
            out,
            descriptor,
            &format!(
                "<< /Type /FontDescriptor /FontName /{FONT_NAME} /Flags 4 /FontBBox [{} {} {} {}] /ItalicAngle 0 /Ascent {ascent} /Descent {descent} /CapHeight {cap} /StemV 80 /FontFile2 {program} 0 R >>",
                scale(bbox.x_min),
                scale(bbox.y_min),
                scale(bbox.x_max),
                scale(bbox.y_max)
            ),
        );
        let subset = subsetter::subset(FONT, 0, &self.remapper).unwrap_or_else(|e| {
            // Never expected with the font shipped here; the whole font still renders.
            tracing::error!(error = ?e, "PDF export: subsetting the font failed; embedding all of it");
            FONT.to_vec()
        });
        self.stream(out, program, &format!(" /Length1 {}", subset.len()), &subset);
        let cmap = to_unicode_cmap(&self.unicode);
        self.stream(out, to_unicode, "", cmap.as_bytes());
    }
}

/// A ToUnicode CMap from glyph ids to text (UTF-16BE, as PDF wants).
fn to_unicode_cmap(map: &BTreeMap<u16, char>) -> String {
    let mut s = String::from(
        "/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n\
         /CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n\
         /CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n\
         1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n",
    );
    let entries: Vec<(&u16, &char)> = map.iter().collect();
    // At most 100 entries per block.
    for block in entries.chunks(100) {
        s.push_str(&format!("{} beginbfchar\n", block.len()));
        for (gid, c) in block {
            let mut units = [0u16; 2];
            let hex: String = c.encode_utf16(&mut units).iter().map(|u| format!("{u:04X}")).collect();
            s.push_str(&format!("<{gid:04X}> <{hex}>\n"));
        }
        s.push_str("endbfchar\n");
    }
    s.push_str("endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n");
    s
}

impl TableWriter for PdfWriter {
    fn begin(&mut self, title: &str, header: &[String], _kinds: &[ColumnKind], out: &mut Vec<u8>) {
        self.title = title.to_string();
        self.header = header.to_vec();
        self.emit(out, "%PDF-1.4\n%\u{e2}\u{e3}\n");
        self.object(out, CATALOG, &format!("<< /Type /Catalog /Pages {PAGES} 0 R >>"));
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
        self.write_font(out);
        let kids: Vec<String> = self.pages.iter().map(|p| format!("{p} 0 R")).collect();
        self.object(out, PAGES, &format!("<< /Type /Pages /Kids [{}] /Count {} >>", kids.join(" "), self.pages.len()));
        let xref_at = self.written;
        let mut offsets = std::mem::take(&mut self.offsets);
        offsets.sort();
        let size = self.next_obj;
        let mut x = format!("xref\n0 {size}\n0000000000 65535 f \n");
        for (_, off) in &offsets {
            x.push_str(&format!("{off:010} 00000 n \n"));
        }
        x.push_str(&format!("trailer\n<< /Size {size} /Root {CATALOG} 0 R >>\nstartxref\n{xref_at}\n%%EOF\n"));
        self.emit(out, &x);
    }
}

/// Reads back the text of a PDF this writer made: every string a page shows,
/// through the ToUnicode map, as a PDF reader extracts it. For tests, and for
/// checking an export by hand.
pub mod read {
    use flate2::read::ZlibDecoder;
    use std::collections::BTreeMap;
    use std::io::Read;

    /// Every stream of the file, inflated, with its dictionary.
    pub fn streams(pdf: &[u8]) -> Vec<(String, Vec<u8>)> {
        let mut found = Vec::new();
        let mut at = 0;
        while let Some(start) = find(&pdf[at..], b">>\nstream\n").map(|i| i + at + 3) {
            let Some(dict_start) = rfind(&pdf[..start], b"<<") else {
                break;
            };
            let dict = String::from_utf8_lossy(&pdf[dict_start..start]).to_string();
            let len: usize = dict.split("/Length ").nth(1).and_then(|l| l.split(|c: char| !c.is_ascii_digit()).next()).and_then(|n| n.parse().ok()).unwrap_or(0);
            let data = &pdf[start + 7..(start + 7 + len).min(pdf.len())];
            let mut inflated = Vec::new();
            if ZlibDecoder::new(data).read_to_end(&mut inflated).is_err() {
                inflated = data.to_vec();
            }
            found.push((dict, inflated));
            at = start + 7 + len;
        }
        found
    }

    fn find(h: &[u8], n: &[u8]) -> Option<usize> {
        h.windows(n.len()).position(|w| w == n)
    }

    fn rfind(h: &[u8], n: &[u8]) -> Option<usize> {
        h.windows(n.len()).rposition(|w| w == n)
    }

    /// The ToUnicode map: glyph id -> character.
    pub fn unicode_map(pdf: &[u8]) -> BTreeMap<u16, char> {
        let Some((_, cmap)) = streams(pdf).into_iter().find(|(_, d)| d.starts_with(b"/CIDInit")) else {
            return BTreeMap::new();
        };
        String::from_utf8_lossy(&cmap)
            .lines()
            .filter_map(|l| l.strip_prefix('<'))
            .filter_map(|l| l.split_once("> <"))
            .filter(|(g, _)| g.len() == 4)
            .filter_map(|(g, u)| {
                let u = u.trim_end_matches('>');
                let units: Vec<u16> = (0..u.len()).step_by(4).filter_map(|i| u.get(i..i + 4)).filter_map(|h| u16::from_str_radix(h, 16).ok()).collect();
                Some((u16::from_str_radix(g, 16).ok()?, char::decode_utf16(units).next()?.ok()?))
            })
            .collect()
    }

    /// Each string shown (`<…> Tj`) on every page, in order; U+FFFD where a glyph has no text.
    pub fn text(pdf: &[u8]) -> Vec<String> {
        let map = unicode_map(pdf);
        streams(pdf)
            .into_iter()
            .filter(|(d, _)| !d.contains("/Length1"))
            .flat_map(|(_, content)| {
                String::from_utf8_lossy(&content)
                    .split('<')
                    .skip(1)
                    .filter_map(|part| part.split_once("> Tj").map(|(hex, _)| hex.to_string()))
                    .map(|hex| {
                        (0..hex.len()).step_by(4).filter_map(|i| hex.get(i..i + 4)).filter_map(|h| u16::from_str_radix(h, 16).ok()).map(|g| map.get(&g).copied().unwrap_or('\u{FFFD}')).collect()
                    })
                    .collect::<Vec<String>>()
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::read::{streams, text, unicode_map};
    use super::*;

    const NAMES: [&str; 6] = ["Łukasz Żółć", "Дмитрий Шостакович", "王小明", "山田 太郎", "김민준", "Ångström"];

    fn export(rows: &[[&str; 2]]) -> Vec<u8> {
        let mut w = PdfWriter::new();
        let mut out = Vec::new();
        w.begin("Люди · 人々 · Łódź", &["Name".into(), "Город".into()], &[ColumnKind::Text, ColumnKind::Text], &mut out);
        for r in rows {
            w.row(&[Some(r[0].to_string()), Some(r[1].to_string())], &mut out);
        }
        w.finish(&mut out);
        out
    }

    #[test]
    fn names_in_any_script_are_in_the_pdf_as_written() {
        let rows: Vec<[&str; 2]> = NAMES.iter().map(|n| [*n, "Kraków"]).collect();
        let pdf = export(&rows);
        // To look at it: GATEHOUSE_PDF_SAMPLE=/tmp/sample.pdf cargo test … names_in_any_script
        if let Ok(path) = std::env::var("GATEHOUSE_PDF_SAMPLE") {
            std::fs::write(path, &pdf).unwrap();
        }
        let text = text(&pdf);
        for name in NAMES.iter().chain(["Kraków", "Name", "Город", "Люди · 人々 · Łódź"].iter()) {
            assert!(text.iter().any(|t| t == name), "{name} not in {text:?}");
        }
        // No question marks stood in for anything, and nothing is missing from the font.
        assert!(!text.iter().any(|t| t.contains('?') || t.contains('\u{FFFD}')), "{text:?}");
        assert!(!String::from_utf8_lossy(&pdf).contains("WinAnsiEncoding"));
    }

    #[test]
    fn the_embedded_font_holds_the_very_glyphs_the_page_shows() {
        let pdf = export(&[["王小明", "Дмитрий"], ["Łukasz", "김민준"]]);
        let streams = streams(&pdf);
        let (dict, program) = streams.iter().find(|(d, _)| d.contains("/Length1")).expect("a FontFile2 stream");
        assert!(dict.contains(&format!("/Length1 {}", program.len())));
        // The subset is small: a handful of glyphs, not the 3.6 MB font.
        assert!(program.len() < 40_000, "subset is {} bytes", program.len());
        let subset = Face::parse(program, 0).expect("the embedded subset is a valid font");
        let full = Face::parse(FONT, 0).unwrap();
        let map = unicode_map(&pdf);
        for (gid, c) in &map {
            let original = full.glyph_index(*c).unwrap();
            assert_eq!(subset.glyph_bounding_box(GlyphId(*gid)), full.glyph_bounding_box(original), "glyph of {c}");
            assert_eq!(subset.glyph_hor_advance(GlyphId(*gid)), full.glyph_hor_advance(original), "advance of {c}");
        }
        for c in "王小明ДмитрийŁukasz김민준".chars() {
            assert!(map.values().any(|m| *m == c), "{c} has a glyph in the subset");
        }
    }

    #[test]
    fn long_cells_are_cut_to_their_column_with_an_ellipsis() {
        let long = "Wolfeschlegelsteinhausenbergerdorff-Łęczycka ".repeat(6);
        let pdf = export(&[[&long, "東京都千代田区千代田一丁目一番一号東京都千代田区千代田一丁目一番一号東京都千代田区千代田一丁目一番一号"]]);
        let text = text(&pdf);
        let cells: Vec<&String> = text.iter().filter(|t| t.starts_with("Wolfe") || t.starts_with("東京")).collect();
        assert_eq!(cells.len(), 2);
        for t in cells {
            assert!(t.ends_with('…'), "{t}");
        }
    }

    #[test]
    fn many_pages_share_one_font() {
        let rows: Vec<[&str; 2]> = (0..200).map(|i| [NAMES[i % NAMES.len()], "x"]).collect();
        let pdf = export(&rows);
        let raw = String::from_utf8_lossy(&pdf);
        assert_eq!(raw.matches("/Type /Page ").count(), 200usize.div_ceil(ROWS_PER_PAGE));
        assert_eq!(raw.matches("/FontFile2").count(), 1);
        assert!(raw.trim_end().ends_with("%%EOF"));
        assert_eq!(text(&pdf).iter().filter(|t| *t == "x").count(), 200);
    }
}
