//! Themes: where templates and static files come from.
//!
//! A site's templates override its theme's, which override the default theme embedded in the
//! binary. Files are read here, once; the renderer only sees names and text.

mod i18n;
mod includes;
pub mod uses;

pub use i18n::{Strings, Text};

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
    /// The theme's words in the site's language (`i18n/`).
    pub strings: Strings,
}

/// The texts of the site's language: the built-in theme's file for it, then the named theme's,
/// then the site's own `i18n/`, each overriding the one before. A language none of them has is
/// an error at `language:`.
fn load_strings(root: &Path, theme_dir: &Path, config: &Config) -> Result<Strings, Diagnostic> {
    let language = config.language.as_str();
    let names = i18n::file_names(language);
    let mut sources = Vec::new();
    for name in &names {
        let embedded = format!("i18n/{name}");
        if let Some((_, bytes)) = DEFAULT_THEME.iter().find(|(path, _)| *path == embedded) {
            let path = PathBuf::from(format!("(built-in theme)/{embedded}"));
            sources.push(i18n::Source { path, text: String::from_utf8_lossy(bytes).into_owned() });
        }
    }
    for dir in [theme_dir, root] {
        for name in &names {
            let path = dir.join("i18n").join(name);
            if fs::is_file(&path) {
                let text = fs::read_to_string(&path)?;
                sources.push(i18n::Source { path, text });
            }
        }
    }
    if let Some(strings) = Strings::merge(language, &sources)? {
        return Ok(strings);
    }
    let mut available: Vec<String> = DEFAULT_THEME
        .iter()
        .filter_map(|(path, _)| path.strip_prefix("i18n/")?.strip_suffix(".yaml").map(str::to_string))
        .collect();
    available.sort();
    let location = config.locate("language").unwrap_or_else(|| Location::file(root.join(CONFIG_FILE)));
    Err(Diagnostic::at(location, format!("the theme has no texts in language `{language}`")).with_help(
        format!(
            "the built-in theme speaks {}; for another language, write its texts in i18n/{}.yaml \
             (start from a copy of casebook's themes/default/i18n/en.yaml)",
            available.join(", "),
            i18n::primary(language)
        ),
    ))
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
        let themes = root.join("themes");
        let theme_dir = themes.join(name);
        let located = || config.locate("theme").unwrap_or_else(|| Location::file(root.join(CONFIG_FILE)));
        // A theme is a folder of themes/, by its name: its templates run and its static files
        // are published, so `theme: ../../elsewhere` or `/etc`, or a link in themes/ leading
        // out of it, must not pull in files from outside the site.
        let plain = {
            let mut parts = Path::new(name).components();
            matches!((parts.next(), parts.next()), (Some(std::path::Component::Normal(_)), None))
        };
        if !plain {
            return Err(Diagnostic::at(
                located(),
                format!("theme `{name}` is not the name of a folder in themes/"),
            )
            .with_help("write the name of a folder of themes/, such as `theme: mytheme`"));
        }
        if fs::is_dir(&theme_dir) && !fs::absolute(&theme_dir)?.starts_with(fs::absolute(&themes)?) {
            return Err(Diagnostic::at(
                located(),
                format!(
                    "theme `{name}` leads out of themes/: {} is a link to a folder elsewhere",
                    theme_dir.display()
                ),
            )
            .with_help("copy the theme into themes/ instead of linking to it"));
        }
        if fs::is_dir(&theme_dir) {
            theme.add_dir(&theme_dir)?;
        } else if name != DEFAULT_THEME_NAME {
            let mut available = vec![DEFAULT_THEME_NAME.to_string()];
            for dir in fs::subfolders(&root.join("themes"))? {
                available.push(dir);
            }
            return Err(Diagnostic::at(
                located(),
                format!("theme `{name}` not found: there is no folder {}", theme_dir.display()),
            )
            .with_help(format!("available themes: {}", available.join(", "))));
        }
        theme.add_dir(root)?;
        theme.strings = load_strings(root, &theme_dir, config)?;
        theme.check_strings()?;
        theme.check_branding(config)?;
        // Here rather than when the templates are compiled: Tera's error names no file.
        includes::check(&theme.templates)?;
        Ok(theme)
    }

    /// The logo and icon the configuration names must be static files of the site or theme:
    /// said here, at the setting, rather than by a template failing on every page.
    fn check_branding(&self, config: &Config) -> Result<(), Diagnostic> {
        let named = [("logo", config.logo.as_deref()), ("favicon", config.favicon.as_deref())];
        for (key, file) in named {
            let Some(file) = file else { continue };
            let remote = key == "logo" && (file.starts_with("https://") || file.starts_with("http://"));
            if remote || self.statics.contains_key(file.trim_start_matches('/')) {
                continue;
            }
            let location = config.locate(key).unwrap_or_else(|| Location::file(CONFIG_FILE));
            return Err(Diagnostic::at(
                location,
                format!("`{key}: {file}`: the site and theme have no such static file"),
            )
            .with_help(
                "put the file in the site's `static/` folder and name it from there, e.g. `logo.svg`",
            ));
        }
        Ok(())
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

    /// Every key casebook's code needs, and every literal key a template asks for with
    /// `t(key="…")`, must be in the language: found here, at the template's line, rather than
    /// as English left on a page or a failure on every page.
    fn check_strings(&self) -> Result<(), Diagnostic> {
        let language = self.strings.language();
        if let Some(key) = i18n::BUILT_IN_KEYS.iter().find(|k| !self.strings.has(k)) {
            let diagnostic = match self.strings.file() {
                Some(file) => Diagnostic::at(Location::file(file), self.strings.missing(key)),
                None => Diagnostic::new(self.strings.missing(key)),
            };
            return Err(
                diagnostic.with_help(format!("casebook itself uses `{key}`: every language file needs it"))
            );
        }
        for source in self.templates.values() {
            for (key, line, column) in i18n::keys_used(&source.text) {
                if !self.strings.has(&key) {
                    return Err(Diagnostic::at(Location::at(&source.origin, line, column), self.strings.missing(&key))
                        .with_help(format!("the theme speaks {language} through i18n/ files; the site's own i18n/{language}.yaml may add the key")));
                }
            }
        }
        Ok(())
    }

    /// Gives what the site named only by default — the levels of its severity and status scales
    /// (`scale_high`), its taxonomies' titles (`taxonomy_actors`) — the theme's words in the
    /// site's language, when it has them.
    pub fn localize(&self, config: &mut Config) {
        // The default taxonomies' titles, and any title the site left to its name.
        let defaults = config.locate("taxonomies").is_none();
        for taxonomy in &mut config.taxonomies {
            let key = format!("taxonomy_{}", taxonomy.name);
            if (defaults || taxonomy.title.is_none()) && self.strings.has(&key) {
                taxonomy.title = Some(self.strings.text(&key));
            }
        }
        for level in config.severities.iter_mut().chain(config.statuses.iter_mut()) {
            let key = format!("scale_{}", level.name);
            if !level.label_given && self.strings.has(&key) {
                level.label = self.strings.text(&key);
            }
        }
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

    /// Issue 28: a `theme:` path leaving themes/ was accepted, its templates run and its
    /// static files published.
    #[test]
    fn a_theme_leading_out_of_themes_is_refused() {
        let dir = tempfile::tempdir().expect("temp dir");
        let root = dir.path().join("site");
        let outside = dir.path().join("outside");
        std::fs::create_dir_all(root.join("themes/own/templates")).expect("mkdir");
        std::fs::create_dir_all(outside.join("templates")).expect("mkdir");
        let load = |theme: &str| {
            let text = format!("title: x\ntheme: \"{theme}\"\n");
            let config = Config::parse(&text, &root.join("casebook.yaml")).expect("valid");
            Theme::load(&root, &config)
        };
        let absolute = outside.to_string_lossy().into_owned();
        for theme in
            ["../../outside", "../outside", absolute.as_str(), "own/../../../outside", "own/templates", "."]
        {
            let e = load(theme).expect_err(theme);
            assert!(e.to_string().contains(":2:8: theme `"), "{e}");
            assert!(e.to_string().contains("is not the name of a folder in themes/"), "{e}");
        }
        assert!(load("own").is_ok());
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink(&outside, root.join("themes/linked")).expect("link");
            let e = load("linked").expect_err("a link out of themes/");
            assert!(e.to_string().contains("theme `linked` leads out of themes/"), "{e}");
        }
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
