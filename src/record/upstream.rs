//! The upstream's base URL, and where a request's path goes on it.

use std::fmt;

/// An `http` or `https` base URL, without a trailing slash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Upstream {
    base: String,
}

impl Upstream {
    /// Checks `text` is an http(s) URL with a host and no query.
    pub fn parse(text: &str) -> Result<Upstream, String> {
        let url = url::Url::parse(text).map_err(|e| format!("{text:?} is not a URL: {e}"))?;
        if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
            return Err(format!("{text:?} is not an http or https URL with a host"));
        }
        if url.query().is_some() || url.fragment().is_some() {
            return Err(format!(
                "{text:?} has a query or fragment; give the base URL only"
            ));
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err(format!(
                "{text:?} holds credentials; clients send their own key, which is passed on"
            ));
        }
        Ok(Upstream {
            base: text.trim_end_matches('/').to_owned(),
        })
    }

    /// Where `path` (as trickle received it, e.g. `/v1/chat/completions`)
    /// goes: appended to the base, without doubling a `/v1` the base ends with.
    pub fn join(&self, path: &str) -> String {
        match path.strip_prefix("/v1/") {
            Some(rest) if self.base.ends_with("/v1") => format!("{}/{rest}", self.base),
            _ => format!("{}{path}", self.base),
        }
    }
}

impl fmt::Display for Upstream {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.base)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_join_the_base_with_or_without_its_v1() {
        let bare = Upstream::parse("https://api.openai.com/").unwrap();
        let v1 = Upstream::parse("https://api.openai.com/v1").unwrap();
        for upstream in [bare, v1] {
            assert_eq!(
                upstream.join("/v1/chat/completions"),
                "https://api.openai.com/v1/chat/completions"
            );
        }
        let prefixed = Upstream::parse("http://127.0.0.1:9000/proxy").unwrap();
        assert_eq!(
            prefixed.join("/v1/messages"),
            "http://127.0.0.1:9000/proxy/v1/messages"
        );
    }

    #[test]
    fn what_is_not_a_base_url_is_refused_saying_why() {
        for (text, why) in [
            ("api.openai.com", "is not a URL"),
            ("ftp://example.com", "not an http or https URL"),
            ("https://example.com/?key=1", "query or fragment"),
            ("https://user:secret@example.com", "holds credentials"),
        ] {
            let error = Upstream::parse(text).unwrap_err();
            assert!(error.contains(why), "{text}: {error}");
        }
    }
}
