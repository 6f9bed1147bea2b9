//! `casebook check --external`: asks the web whether the links of a site still work.
//!
//! Every http(s) link in an incident's body and every source URL is requested once, however
//! many incidents cite it, by a few requests at a time with a deadline each, so a dead host
//! cannot stall the check. `HEAD` first, since only the status matters; servers that refuse
//! `HEAD` (405, 501, some 403s and 400s) get a `GET` whose body is not read.
//!
//! A link is broken when the answer is 4xx or 5xx after redirects, or when there is no answer
//! (no such host, refused, timed out, bad certificate). 429 (too many requests) says nothing of
//! the link, so it is a warning.

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use crate::base::error::{Diagnostic, Location};
use crate::site::Site;

/// How external links are checked.
#[derive(Debug, Clone, Copy)]
pub struct ExternalOptions {
    /// Requests in flight at once.
    pub concurrency: usize,
    /// The deadline of one request, redirects included.
    pub timeout: Duration,
}

impl Default for ExternalOptions {
    fn default() -> ExternalOptions {
        ExternalOptions { concurrency: 8, timeout: Duration::from_secs(10) }
    }
}

/// Every external link of the site, once each, with where it is written.
pub fn links(site: &Site) -> BTreeMap<String, Vec<Location>> {
    let mut links: BTreeMap<String, Vec<Location>> = BTreeMap::new();
    for incident in &site.incidents {
        for (url, line, column) in &incident.links {
            if crate::content::is_web_url(url) {
                links.entry(url.clone()).or_default().push(Location::at(&incident.path, *line, *column));
            }
        }
        if incident.sources.is_empty() {
            continue;
        }
        // Sources are not located when parsed; find each URL's line in the file.
        let text = crate::base::fs::read_to_string(&incident.path).unwrap_or_default();
        for source in &incident.sources {
            let location = locate(&text, &source.url)
                .map_or_else(|| Location::file(&incident.path), |(l, c)| Location::at(&incident.path, l, c));
            links.entry(source.url.clone()).or_default().push(location);
            // An archived copy is there for when the page goes: it must answer all the more.
            if let Some(archived) = &source.archived_url {
                let location = locate(&text, archived).map_or_else(
                    || Location::file(&incident.path),
                    |(l, c)| Location::at(&incident.path, l, c),
                );
                links.entry(archived.clone()).or_default().push(location);
            }
        }
    }
    links
}

/// The line and column (1-based) of the first occurrence of `needle` in `text`.
fn locate(text: &str, needle: &str) -> Option<(usize, usize)> {
    let at = text.find(needle)?;
    let line = text[..at].matches('\n').count() + 1;
    let line_start = text[..at].rfind('\n').map_or(0, |i| i + 1);
    Some((line, text[line_start..at].chars().count() + 1))
}

/// What one link's check found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// It answered with a success (possibly after redirects).
    Ok,
    /// It answered 429: no verdict.
    RateLimited,
    /// It is broken, for this reason (`HTTP 404 Not Found`, `timed out`…).
    Broken(String),
}

/// Checks every link; returns errors for broken links and warnings for rate-limited ones, one
/// per place the link is written.
pub fn check(
    links: &BTreeMap<String, Vec<Location>>,
    options: ExternalOptions,
) -> (Vec<Diagnostic>, Vec<Diagnostic>) {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_global(Some(options.timeout))
        .http_status_as_error(false)
        .user_agent(concat!("casebook/", env!("CARGO_PKG_VERSION"), " (link check)"))
        .build()
        .into();
    let urls: Vec<&String> = links.keys().collect();
    let next = AtomicUsize::new(0);
    let outcomes = Mutex::new(Vec::with_capacity(urls.len()));
    std::thread::scope(|scope| {
        for _ in 0..options.concurrency.clamp(1, 64).min(urls.len().max(1)) {
            scope.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(url) = urls.get(i) else { break };
                    let outcome = probe(&agent, url);
                    log::debug!("{url}: {outcome:?}");
                    outcomes.lock().unwrap_or_else(|p| p.into_inner()).push((i, outcome));
                }
            });
        }
    });
    let mut outcomes = outcomes.into_inner().unwrap_or_else(|p| p.into_inner());
    outcomes.sort_by_key(|(i, _)| *i);
    let (mut errors, mut warnings) = (Vec::new(), Vec::new());
    for (i, outcome) in outcomes {
        let url = urls[i];
        for location in &links[url] {
            match &outcome {
                Outcome::Ok => {}
                Outcome::RateLimited => warnings.push(
                    Diagnostic::at(
                        location.clone(),
                        format!("could not check `{url}`: the server says too many requests (429)"),
                    )
                    .with_help("run the check again later"),
                ),
                Outcome::Broken(why) => errors.push(
                    Diagnostic::at(location.clone(), format!("broken link `{url}`: {why}"))
                        .with_help("fix or remove the link, or point it at an archived copy"),
                ),
            }
        }
    }
    (errors, warnings)
}

/// Requests one URL: `HEAD`, then `GET` if the server will not answer `HEAD`.
pub fn probe(agent: &ureq::Agent, url: &str) -> Outcome {
    let status = |response: Result<ureq::http::Response<ureq::Body>, ureq::Error>| {
        response.map(|r| r.status()).map_err(|e| describe(&e))
    };
    let mut result = status(agent.head(url).call());
    if matches!(&result, Ok(s) if [400, 403, 405, 501].contains(&s.as_u16())) {
        result = status(agent.get(url).call());
    }
    match result {
        Ok(s) if s.as_u16() == 429 => Outcome::RateLimited,
        Ok(s) if s.is_client_error() || s.is_server_error() => Outcome::Broken(
            format!("HTTP {} {}", s.as_u16(), s.canonical_reason().unwrap_or("")).trim_end().to_string(),
        ),
        Ok(_) => Outcome::Ok,
        Err(why) => Outcome::Broken(why),
    }
}

fn describe(err: &ureq::Error) -> String {
    match err {
        ureq::Error::Timeout(_) => "no answer in time".to_string(),
        ureq::Error::HostNotFound => "no such host".to_string(),
        ureq::Error::Io(e) if e.kind() == std::io::ErrorKind::ConnectionRefused => {
            "connection refused".to_string()
        }
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locates_text() {
        assert_eq!(locate("a\nb url here\n", "url"), Some((2, 3)));
        assert_eq!(locate("é url", "url"), Some((1, 3)));
        assert_eq!(locate("x", "url"), None);
    }
}
