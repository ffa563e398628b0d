//! Rules for a new password: at least 8 characters and not a common password.

/// Passwords people pick first; a new password may be none of these
/// (compared case-insensitively).
const COMMON: &[&str] = &[
    "password", "password1", "password12", "password123", "password1234", "passw0rd", "p@ssw0rd",
    "p@ssword", "12345678", "123456789", "1234567890", "0123456789", "87654321", "11111111",
    "00000000", "12341234", "11223344", "qwertyui", "qwertyuiop", "qwerty123", "qwerty12",
    "1q2w3e4r", "1q2w3e4r5t", "1qaz2wsx", "zaq12wsx", "asdfghjk", "asdfasdf", "asdf1234",
    "iloveyou", "iloveyou1", "sunshine", "princess", "football", "baseball", "basketball",
    "superman", "batman12", "trustno1", "letmein1", "letmein!", "welcome1", "welcome123",
    "whatever", "starwars", "dragon12", "monkey12", "master12", "shadow12", "michelle",
    "jennifer", "computer", "internet", "corvette", "mercedes", "changeme", "changeme1",
    "abcd1234", "abc12345", "abcdefgh", "aaaaaaaa", "administrator", "admin123", "admin1234",
    "adminadmin", "rootroot", "secret12", "secret123", "test1234", "testtest", "default1",
    "q1w2e3r4", "q1w2e3r4t5", "123qweasd", "qweasdzxc", "zxcvbnm1", "1234qwer", "qwer1234",
    "summer2024", "winter2024", "spring2024", "autumn2024", "summer2025", "winter2025",
    "summer2026", "winter2026", "gatehouse", "gatehouse1", "gatehouse123", "sigmacomputing",
    "okta1234", "company1", "company123", "letmein123", "password!", "password1!",
];

pub const MIN_LEN: usize = 8;
pub const MAX_LEN: usize = 256;

/// Why a new password is refused, in words for the person choosing it.
pub fn check_new_password(password: &str) -> Result<(), String> {
    let n = password.chars().count();
    if n < MIN_LEN {
        return Err(format!("Use at least {MIN_LEN} characters."));
    }
    if n > MAX_LEN {
        return Err(format!("Use at most {MAX_LEN} characters."));
    }
    let lower = password.to_lowercase();
    if COMMON.contains(&lower.as_str()) || lower.chars().all(|c| c == lower.chars().next().unwrap()) {
        return Err("That password is too common. Choose one that is harder to guess.".into());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules() {
        assert!(check_new_password("short").is_err());
        assert!(check_new_password("Password123").is_err());
        assert!(check_new_password("zzzzzzzzzz").is_err());
        assert!(check_new_password("correct horse battery").is_ok());
    }
}
