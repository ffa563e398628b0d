//! Pieces the screens share.
pub mod copy;
pub mod data;
pub mod dialog;
pub mod errors;
pub mod focus;
pub mod frame;
pub mod local;
pub mod menu;
pub mod picker;
pub mod release;
pub mod table;
pub mod toast;
pub mod unsaved;
pub mod url;

pub use copy::CopyButton;
pub use data::{data, Data};
pub use errors::{ErrorPanel, FieldError, FormError};
pub use toast::{provide_toasts, use_toasts, ToastHost};

pub use dialog::Dialog;
pub use menu::Menu;

/// "1 member", "3 members".
pub fn plural(n: i64, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

#[cfg(test)]
mod tests {
    #[test]
    fn plurals() {
        assert_eq!(super::plural(1, "member", "members"), "1 member");
        assert_eq!(super::plural(0, "member", "members"), "0 members");
        assert_eq!(super::plural(2, "person", "people"), "2 people");
    }
}
