//! The JSON a webhook export posts: {"document", "columns", "rows": [{column: value}]}.
use super::TableWriter;
use crate::domain::documents::ColumnKind;

pub struct JsonWriter {
    header: Vec<String>,
    kinds: Vec<ColumnKind>,
    first: bool,
}

impl JsonWriter {
    pub fn new() -> Self {
        JsonWriter { header: Vec::new(), kinds: Vec::new(), first: true }
    }
}

fn s(v: &str) -> String {
    serde_json::to_string(v).expect("strings serialize")
}

impl TableWriter for JsonWriter {
    fn begin(&mut self, title: &str, header: &[String], kinds: &[ColumnKind], out: &mut Vec<u8>) {
        self.header = header.to_vec();
        self.kinds = kinds.to_vec();
        let cols: Vec<String> = header.iter().map(|h| s(h)).collect();
        out.extend_from_slice(format!("{{\"document\":{},\"columns\":[{}],\"rows\":[", s(title), cols.join(",")).as_bytes());
    }
    fn row(&mut self, cells: &[Option<String>], out: &mut Vec<u8>) {
        if !self.first {
            out.push(b',');
        }
        self.first = false;
        out.push(b'{');
        for (i, c) in cells.iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            out.extend_from_slice(s(&self.header[i]).as_bytes());
            out.push(b':');
            match (c, self.kinds[i]) {
                (None, _) => out.extend_from_slice(b"null"),
                (Some(v), ColumnKind::Number) => out.extend_from_slice(v.as_bytes()),
                (Some(v), ColumnKind::Text) => out.extend_from_slice(s(v).as_bytes()),
            }
        }
        out.push(b'}');
    }
    fn finish(&mut self, out: &mut Vec<u8>) {
        out.extend_from_slice(b"]}");
    }
}
