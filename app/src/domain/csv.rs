//! Reading an uploaded CSV file (RFC 4180: commas, double-quoted fields with
//! "" for a quote, CRLF or LF). A malformed file is refused with the line
//! that is wrong; nothing is half-read.
use super::documents::{assign_slots, parse_number, ColumnKind, DatasetColumn, MAX_NUMBER_COLUMNS, MAX_TEXT_COLUMNS};

/// The largest CSV upload, in bytes.
pub const MAX_CSV_BYTES: usize = 1_000_000;
pub const MAX_CSV_ROWS: usize = 20_000;

#[derive(Debug, PartialEq)]
pub struct ParsedCsv {
    pub columns: Vec<DatasetColumn>,
    /// Each row's cells, in column order; `None` for an empty cell.
    pub rows: Vec<Vec<Option<String>>>,
}

/// Splits `text` into records; each with the line it starts on.
fn records(text: &str) -> Result<Vec<(usize, Vec<String>)>, String> {
    let mut out = Vec::new();
    let mut line = 1;
    let mut chars = text.chars().peekable();
    while chars.peek().is_some() {
        let start = line;
        let mut fields = Vec::new();
        let mut field = String::new();
        let mut quoted = false;
        let mut after_quote = false;
        loop {
            let Some(c) = chars.next() else {
                if quoted {
                    return Err(format!("Line {start}: a quoted field is never closed (a \" is missing)."));
                }
                fields.push(std::mem::take(&mut field));
                break;
            };
            if quoted {
                match c {
                    '"' if chars.peek() == Some(&'"') => {
                        chars.next();
                        field.push('"');
                    }
                    '"' => {
                        quoted = false;
                        after_quote = true;
                    }
                    '\n' => {
                        line += 1;
                        field.push(c);
                    }
                    _ => field.push(c),
                }
                continue;
            }
            match c {
                ',' => {
                    fields.push(std::mem::take(&mut field));
                    after_quote = false;
                }
                '\r' if chars.peek() == Some(&'\n') => {}
                '\n' => {
                    line += 1;
                    fields.push(std::mem::take(&mut field));
                    break;
                }
                '"' if field.is_empty() && !after_quote => quoted = true,
                _ if after_quote => {
                    return Err(format!("Line {line}: text follows a closing quote; put the whole field in quotes and write a quote inside as \"\"."));
                }
                '"' => return Err(format!("Line {line}: a quote appears inside an unquoted field; put the field in quotes and write the quote as \"\".")),
                _ => field.push(c),
            }
        }
        // A blank line (for instance the file's last newline) is no record.
        if !(fields.len() == 1 && fields[0].is_empty()) {
            out.push((start, fields));
        }
    }
    Ok(out)
}

/// Reads a CSV file whose first line names the columns. Columns whose every
/// non-empty value is a number become number columns.
pub fn parse(text: &str) -> Result<ParsedCsv, String> {
    if text.len() > MAX_CSV_BYTES {
        return Err(format!("The file is larger than {} KB. Upload a smaller file.", MAX_CSV_BYTES / 1000));
    }
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut recs = records(text)?.into_iter();
    let (_, header) = recs.next().ok_or("The file is empty. The first line must name the columns.")?;
    let names: Vec<String> = header.iter().map(|h| h.trim().to_string()).collect();
    for (i, n) in names.iter().enumerate() {
        if n.is_empty() {
            return Err(format!("Line 1: column {} has no name. Every column needs a name in the first line.", i + 1));
        }
        if n.chars().count() > 100 {
            return Err(format!("Line 1: the name of column {} is longer than 100 characters.", i + 1));
        }
        if names[..i].contains(n) {
            return Err(format!("Line 1: the column name “{n}” appears twice. Column names must differ."));
        }
    }
    if names.len() > MAX_TEXT_COLUMNS + MAX_NUMBER_COLUMNS {
        return Err(format!("Line 1: the file has {} columns; Gatehouse takes at most {}.", names.len(), MAX_TEXT_COLUMNS + MAX_NUMBER_COLUMNS));
    }
    let mut rows = Vec::new();
    for (line, fields) in recs {
        if fields.len() != names.len() {
            return Err(format!("Line {line}: expected {} fields, found {}. Check for a missing or extra comma.", names.len(), fields.len()));
        }
        if rows.len() == MAX_CSV_ROWS {
            return Err(format!("The file has more than {MAX_CSV_ROWS} rows. Upload a smaller file."));
        }
        rows.push(fields.into_iter().map(|f| if f.is_empty() { None } else { Some(f) }).collect::<Vec<_>>());
    }
    if rows.is_empty() {
        return Err("The file has a header line but no rows.".into());
    }
    let kinds: Vec<(String, ColumnKind)> = names
        .into_iter()
        .enumerate()
        .map(|(i, n)| {
            let numeric = rows.iter().all(|r: &Vec<Option<String>>| r[i].as_deref().is_none_or(|v| parse_number(v).is_some()));
            (n, if numeric { ColumnKind::Number } else { ColumnKind::Text })
        })
        .collect();
    let columns = match assign_slots(&kinds) {
        Some(c) => c,
        None => {
            // Too many number columns: keep the first ones as numbers, the rest as text.
            let mut n = 0;
            let relaxed: Vec<_> = kinds
                .into_iter()
                .map(|(name, k)| {
                    n += usize::from(k == ColumnKind::Number);
                    (name, if k == ColumnKind::Number && n > MAX_NUMBER_COLUMNS { ColumnKind::Text } else { k })
                })
                .collect();
            assign_slots(&relaxed).ok_or_else(|| format!("Line 1: the file has too many text columns; Gatehouse takes at most {MAX_TEXT_COLUMNS}."))?
        }
    };
    Ok(ParsedCsv { columns, rows })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_quotes_types_and_line_endings() {
        let p = parse("Name,Amount,Note\r\n\"Smith, J\",12.5,\"said \"\"hi\"\"\"\nLee,3,\"two\nlines\"\nKim,,x\n").unwrap();
        assert_eq!(p.columns.iter().map(|c| c.kind).collect::<Vec<_>>(), [ColumnKind::Text, ColumnKind::Number, ColumnKind::Text]);
        assert_eq!(p.rows.len(), 3);
        assert_eq!(p.rows[0][0].as_deref(), Some("Smith, J"));
        assert_eq!(p.rows[0][2].as_deref(), Some("said \"hi\""));
        assert_eq!(p.rows[1][2].as_deref(), Some("two\nlines"));
        assert_eq!(p.rows[2][1], None);
    }

    #[test]
    fn malformed_files_name_the_line() {
        assert!(parse("a,b\n1,2\n3\n").unwrap_err().starts_with("Line 3:"));
        assert!(parse("a,b\n1,2\n\"x,2\n").unwrap_err().starts_with("Line 3:"));
        assert!(parse("a,b\n1,\"x\"y\n").unwrap_err().starts_with("Line 2:"));
        assert!(parse("a,a\n1,2\n").unwrap_err().starts_with("Line 1:"));
        assert!(parse("a,\n1,2\n").unwrap_err().starts_with("Line 1:"));
        assert!(parse("").is_err());
        assert!(parse("a,b\n").is_err());
        // The line of a record after a multi-line field is counted right.
        assert!(parse("a,b\n\"x\ny\",1\n2\n").unwrap_err().starts_with("Line 4:"));
    }
}
