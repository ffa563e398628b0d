//! Pieces the screens share.
pub mod copy;
pub mod errors;
pub mod frame;
pub mod toast;

pub use copy::CopyButton;
pub use errors::{ErrorPanel, FieldError, FormError};
pub use toast::{provide_toasts, use_toasts, ToastHost};
