//! The page left at an incident's old address (an alias): it sends readers and search
//! engines on to the incident.

use crate::config::urls;
use crate::content::incident::Incident;
use crate::site::Site;

/// A page that sends readers (and search engines) from an old address to the incident.
pub fn redirect(site: &Site, incident: &Incident, strings: &crate::theme::Strings) -> Vec<u8> {
    let rel = urls::incident(&incident.slug);
    let to = crate::base::xml_escape(&site.base_url.url(&rel));
    let canonical = crate::base::xml_escape(&site.base_url.permalink(&rel));
    let title = crate::base::xml_escape(&incident.title);
    let lang = crate::base::xml_escape(&site.config.language);
    let moved = crate::base::xml_escape(&strings.text("moved_text"));
    format!(
        "<!doctype html>\n<html lang=\"{lang}\">\n<head>\n<meta charset=\"utf-8\">\n<title>{title}</title>\n\
         <link rel=\"canonical\" href=\"{canonical}\">\n<meta name=\"robots\" content=\"noindex\">\n\
         <meta http-equiv=\"refresh\" content=\"0; url={to}\">\n</head>\n<body>\n\
         <p>{moved} <a href=\"{to}\">{title}</a>.</p>\n</body>\n</html>\n"
    )
    .into_bytes()
}
