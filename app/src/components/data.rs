//! A screen's data from the server, as a `Resource` whose value the server
//! writes into the page and the browser reads back when it hydrates.
//!
//! Leptos's default codec reads that value with `serde_json::from_str`, while
//! server functions read their answers with `serde_json::from_slice`: the
//! browser's bundle then held every screen type's JSON reader twice (one per
//! kind of input). `Json` reads with `from_slice` as well, so that each type's
//! reader is compiled once.
use leptos::prelude::*;
use leptos::server::codee::{Decoder, Encoder};
use serde::{de::DeserializeOwned, Serialize};
use std::future::Future;

/// JSON as the server functions read it.
pub struct Json;

impl<T: Serialize> Encoder<T> for Json {
    type Error = serde_json::Error;
    type Encoded = String;

    fn encode(val: &T) -> Result<String, serde_json::Error> {
        serde_json::to_string(val)
    }
}

impl<T: DeserializeOwned> Decoder<T> for Json {
    type Error = serde_json::Error;
    type Encoded = str;

    fn decode(val: &str) -> Result<T, serde_json::Error> {
        serde_json::from_slice(val.as_bytes())
    }
}

/// A screen's data: loaded on the server with the page, read back in the browser.
pub type Data<T> = Resource<T, Json>;

/// `Resource::new` with the `Json` codec: runs `fetcher` with `source`'s
/// value, again whenever it changes.
#[track_caller]
pub fn data<T, S, Fut>(source: impl Fn() -> S + Send + Sync + 'static, fetcher: impl Fn(S) -> Fut + Send + Sync + 'static) -> Data<T>
where
    T: Serialize + DeserializeOwned + Send + Sync + 'static,
    S: Send + Sync + Clone + PartialEq + 'static,
    Fut: Future<Output = T> + Send + 'static,
{
    Resource::new_with_options(source, fetcher, false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_is_encoded_decodes_to_the_same_value() {
        let v: Vec<(String, Option<i64>)> = vec![("é \"quoted\"".into(), Some(3)), ("".into(), None)];
        let s = <Json as Encoder<_>>::encode(&v).unwrap();
        assert_eq!(<Json as Decoder<Vec<(String, Option<i64>)>>>::decode(&s).unwrap(), v);
        assert!(<Json as Decoder<Vec<i64>>>::decode("[1,").is_err());
    }
}
