// Embeds ../migrations in the server (and picks the long common passwords
// for the browser, below): writes $OUT_DIR/migrations.rs, a list of
// (file name, include_str!(file)) in version order, which store::migrations()
// turns into sqlx migrations. Rebuilds when a migration is added or changed.
use std::{env, fs, path::Path};

fn main() {
    let dir = Path::new(&env::var("CARGO_MANIFEST_DIR").unwrap()).join("../migrations");
    println!("cargo:rerun-if-changed={}", dir.display());
    let mut files: Vec<_> = fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("reading {}: {e}", dir.display()))
        .map(|entry| entry.expect("a migrations folder entry").path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "sql"))
        .collect();
    files.sort();
    let mut out = String::from("&[\n");
    for path in &files {
        let name = path.file_name().unwrap().to_str().expect("a UTF-8 migration file name");
        let valid = name.split_once('_').is_some_and(|(version, _)| !version.is_empty() && version.bytes().all(|b| b.is_ascii_digit()));
        assert!(valid, "migrations/{name}: a migration is named <version>_<description>.sql, the version in digits");
        println!("cargo:rerun-if-changed={}", path.display());
        out.push_str(&format!("    ({name:?}, include_str!({:?})),\n", path.canonicalize().unwrap().display().to_string()));
    }
    out.push_str("]\n");
    fs::write(Path::new(&env::var("OUT_DIR").unwrap()).join("migrations.rs"), out).unwrap();
    common_passwords();
}

/// The browser's build checks new passwords against the common ones that could
/// pass the length rule (src/domain/password.rs): those of at least MIN_LEN
/// characters. Keep MIN_LEN equal to domain::password::MIN_LEN (a test there
/// compares the two lists).
fn common_passwords() {
    const MIN_LEN: usize = 12;
    let list = Path::new(&env::var("CARGO_MANIFEST_DIR").unwrap()).join("src/domain/common-passwords.txt");
    println!("cargo:rerun-if-changed={}", list.display());
    let text = fs::read_to_string(&list).unwrap_or_else(|e| panic!("reading {}: {e}", list.display()));
    let long: Vec<&str> = text.lines().filter(|l| l.chars().count() >= MIN_LEN).collect();
    fs::write(Path::new(&env::var("OUT_DIR").unwrap()).join("common-passwords-long.txt"), long.join("\n")).unwrap();
}
