//! Themes: where templates and static files come from.
//!
//! A site's templates override its theme's, which override the default theme embedded in the
//! binary. Files are read here, once; the renderer only sees names and text.

pub mod uses;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::base::error::{Diagnostic, Location};
use crate::base::fs;
use crate::config::{CONFIG_FILE, Config};

/// The default theme's files, `(path under themes/default/, bytes)`, embedded by `build.rs`.
static DEFAULT_THEME: &[(&str, &[u8])] = include!(concat!(env!("OUT_DIR"), "/default_theme.rs"));

/// The name of the theme embedded in the binary.
pub const DEFAULT_THEME_NAME: &str = "default";

/// Templates every theme must end up with (after falling back to the default theme).
pub const REQUIRED_TEMPLATES: [&str; 11] = [
    "index.html",
    "incident.html",
    "page.html",
    "taxonomy_list.html",
    "taxonomy_term.html",
    "archive.html",
    "data.html",
    "search.html",
    "stats.html",
    "matrix.html",
    "404.html",
];

/// A template's text and where it came from.
#[derive(Debug, Clone)]
pub struct TemplateSource {
    /// The text.
    pub text: String,
    /// The file it came from, as shown in error messages.
    pub origin: PathBuf,
}

/// Where a static file's bytes are.
#[derive(Debug, Clone)]
pub enum StaticSource {
    /// Embedded in the binary (the default theme).
    Embedded(&'static [u8]),
    /// A file on disk.
    File(PathBuf),
}

impl StaticSource {
    /// The file's bytes: the one place a static file is read.
    pub fn bytes(&self) -> Result<std::borrow::Cow<'static, [u8]>, Diagnostic> {
        match self {
            StaticSource::Embedded(bytes) => Ok(std::borrow::Cow::Borrowed(bytes)),
            StaticSource::File(path) => fs::read(path).map(std::borrow::Cow::Owned),
        }
    }

    /// The file as messages name it: its path, or its place in the built-in theme.
    pub fn shown(&self, rel: &str) -> PathBuf {
        match self {
            StaticSource::File(path) => path.clone(),
            StaticSource::Embedded(_) => Path::new("(built-in theme)/static").join(rel),
        }
    }
}

impl Theme {
    /// A short hash of each static file's bytes, by output path, for `asset()` URLs. A file
    /// that cannot be read is left out here: copying it fails the build with the reason.
    pub fn asset_versions(&self) -> std::collections::HashMap<String, String> {
        let mut versions = std::collections::HashMap::new();
        for (rel, source) in &self.statics {
            if let Ok(bytes) = source.bytes() {
                // Published in URLs: the same for the same file on every platform and version.
                let hash = crate::base::hash::stable(&bytes);
                versions.insert(rel.clone(), format!("{:08x}", hash >> 32));
            }
        }
        versions
    }
}

/// The templates and static files a site renders with.
#[derive(Debug, Clone, Default)]
pub struct Theme {
    /// Templates by name (`incident.html`, `partials/card.html`).
    pub templates: BTreeMap<String, TemplateSource>,
    /// Static files by output path (`style.css`).
    pub statics: BTreeMap<String, StaticSource>,
}

fn rel_name(base: &Path, path: &Path) -> String {
    let rel = path.strip_prefix(base).unwrap_or(path);
    let parts: Vec<_> = rel.components().map(|c| c.as_os_str().to_string_lossy()).collect();
    parts.join("/")
}

impl Theme {
    /// Collects the theme `name` for the site at `root`: embedded default files first, then
    /// `themes/<name>/`, then the site's own `templates/` and `static/`.
    pub fn load(root: &Path, config: &Config) -> Result<Theme, Diagnostic> {
        let name = config.theme.as_str();
        let mut theme = Theme::default();
        for (path, bytes) in DEFAULT_THEME {
            if let Some(template) = path.strip_prefix("templates/") {
                let text = String::from_utf8_lossy(bytes).into_owned();
                let origin = PathBuf::from(format!("(built-in theme)/templates/{template}"));
                theme.templates.insert(template.to_string(), TemplateSource { text, origin });
            } else if let Some(file) = path.strip_prefix("static/") {
                theme.statics.insert(file.to_string(), StaticSource::Embedded(bytes));
            }
        }
        let theme_dir = root.join("themes").join(name);
        if fs::is_dir(&theme_dir) {
            theme.add_dir(&theme_dir)?;
        } else if name != DEFAULT_THEME_NAME {
            let mut available = vec![DEFAULT_THEME_NAME.to_string()];
            for dir in fs::subfolders(&root.join("themes"))? {
                available.push(dir);
            }
            let location = config.locate("theme").unwrap_or_else(|| Location::file(root.join(CONFIG_FILE)));
            return Err(Diagnostic::at(
                location,
                format!("theme `{name}` not found: there is no folder {}", theme_dir.display()),
            )
            .with_help(format!("available themes: {}", available.join(", "))));
        }
        theme.add_dir(root)?;
        Ok(theme)
    }

    /// Adds `dir/templates/**` and `dir/static/**`, replacing files of the same name.
    fn add_dir(&mut self, dir: &Path) -> Result<(), Diagnostic> {
        let templates = dir.join("templates");
        for path in fs::files_under(&templates)? {
            let text = fs::read_to_string(&path)?;
            self.templates.insert(rel_name(&templates, &path), TemplateSource { text, origin: path });
        }
        let statics = dir.join("static");
        for path in fs::files_under(&statics)? {
            self.statics.insert(rel_name(&statics, &path), StaticSource::File(path));
        }
        Ok(())
    }

    /// Where a template came from, for error messages.
    pub fn origin(&self, name: &str) -> PathBuf {
        self.templates.get(name).map_or_else(|| PathBuf::from(name), |t| t.origin.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_theme_has_every_required_template() {
        let theme =
            Theme::load(Path::new("/nonexistent-casebook-site"), &Config::default()).expect("embedded");
        for name in REQUIRED_TEMPLATES {
            assert!(theme.templates.contains_key(name), "{name}");
        }
        assert!(theme.statics.contains_key("style.css"));
    }

    #[test]
    fn missing_theme_is_an_error() {
        let config =
            Config::parse("title: x\ntheme: nope\n", Path::new("site/casebook.yaml")).expect("valid");
        let e = Theme::load(Path::new("site"), &config).expect_err("missing");
        assert_eq!(
            e.to_string(),
            "site/casebook.yaml:2:8: theme `nope` not found: there is no folder site/themes/nope\n  help: available themes: default"
        );
    }
}
