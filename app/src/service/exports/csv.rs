//! CSV (RFC 4180). Text that a spreadsheet would run as a formula (starting
//! with = + - @, tab or CR) gets a leading apostrophe.
use super::TableWriter;
use crate::domain::documents::ColumnKind;

pub struct CsvWriter {
    kinds: Vec<ColumnKind>,
}

impl CsvWriter {
    pub fn new() -> Self {
        CsvWriter { kinds: Vec::new() }
    }
}

fn field(out: &mut Vec<u8>, s: &str, text: bool) {
    let guard = text && s.starts_with(['=', '+', '-', '@', '\t', '\r']);
    if guard || s.contains([',', '"', '\n', '\r']) {
        out.push(b'"');
        if guard {
            out.push(b'\'');
        }
        out.extend_from_slice(s.replace('"', "\"\"").as_bytes());
        out.push(b'"');
    } else {
        out.extend_from_slice(s.as_bytes());
    }
}

impl TableWriter for CsvWriter {
    fn begin(&mut self, _title: &str, header: &[String], kinds: &[ColumnKind], out: &mut Vec<u8>) {
        self.kinds = kinds.to_vec();
        for (i, h) in header.iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            field(out, h, true);
        }
        out.extend_from_slice(b"\r\n");
    }
    fn row(&mut self, cells: &[Option<String>], out: &mut Vec<u8>) {
        for (i, c) in cells.iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            if let Some(v) = c {
                field(out, v, self.kinds.get(i) == Some(&ColumnKind::Text));
            }
        }
        out.extend_from_slice(b"\r\n");
    }
    fn finish(&mut self, _out: &mut Vec<u8>) {}
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_and_formula_guard() {
        let mut w = CsvWriter::new();
        let mut out = Vec::new();
        w.begin("t", &["Name".into(), "Amount".into()], &[ColumnKind::Text, ColumnKind::Number], &mut out);
        w.row(&[Some("Smith, \"J\"".into()), Some("-3".into())], &mut out);
        w.row(&[Some("=1+1".into()), None], &mut out);
        assert_eq!(String::from_utf8(out).unwrap(), "Name,Amount\r\n\"Smith, \"\"J\"\"\",-3\r\n\"'=1+1\",\r\n");
    }
}
