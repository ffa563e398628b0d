//! Pieces the screens share.
pub mod copy;
pub mod errors;
pub mod frame;
pub mod picker;
pub mod release;
pub mod toast;
pub mod url;

pub use copy::CopyButton;
pub use errors::{ErrorPanel, FieldError, FormError};
pub use toast::{provide_toasts, use_toasts, ToastHost};
