//! State shared by the CycloneDX and SPDX redactors: edits, counters, input problems.

use std::borrow::Cow;
use std::collections::BTreeMap;

use crate::Rules;
use crate::edit::Edits;
use crate::json::{Doc, Node, quote, unescape};
use crate::scrub;

pub(crate) struct Ctx<'a, 'r> {
    pub(crate) doc: Doc<'a>,
    pub(crate) rules: &'r Rules,
    pub(crate) edits: Edits,
    pub(crate) removed: BTreeMap<&'static str, u64>,
    pub(crate) changed: BTreeMap<&'static str, u64>,
    pub(crate) problems: Vec<String>,
    strip_properties: globset::GlobSet,
    strip_urls: globset::GlobSet,
}

/// What a dry run saves and restores.
pub(crate) struct Snapshot {
    edits: Edits,
    removed: BTreeMap<&'static str, u64>,
    changed: BTreeMap<&'static str, u64>,
    problems: usize,
}

impl<'a, 'r> Ctx<'a, 'r> {
    pub(crate) fn new(doc: Doc<'a>, rules: &'r Rules) -> Ctx<'a, 'r> {
        Ctx {
            doc,
            rules,
            edits: Edits::default(),
            removed: BTreeMap::new(),
            changed: BTreeMap::new(),
            problems: Vec::new(),
            strip_properties: rules.strip_properties_set(),
            strip_urls: rules.strip_urls_set(),
        }
    }

    /// Whether a property name matches `strip_properties` (one automaton for all globs).
    pub(crate) fn strips_property(&self, name: &str) -> bool {
        self.strip_properties.is_match(name)
    }

    /// Whether `s` is one URL (nothing around it) that matches `strip_urls`: such values go
    /// whole (member or item removed) rather than becoming `[redacted URL]`, which would break
    /// the URL format the schemas require.
    pub(crate) fn strips_whole_url(&self, s: &str) -> bool {
        !self.strip_urls.is_empty()
            && s.contains("://")
            && !s.chars().any(char::is_whitespace)
            && self.strip_urls.is_match(s)
    }

    /// Whether a URL matches `strip_urls`.
    pub(crate) fn strips_url(&self, url: &str) -> bool {
        self.strip_urls.is_match(url)
    }

    pub(crate) fn removed(&mut self, what: &'static str, n: u64) {
        if n > 0 {
            *self.removed.entry(what).or_default() += n;
        }
    }

    pub(crate) fn changed(&mut self, what: &'static str, n: u64) {
        if n > 0 {
            *self.changed.entry(what).or_default() += n;
        }
    }

    /// Whether anything was removed or changed so far.
    pub(crate) fn touched(&self) -> bool {
        !self.edits.is_empty() || !self.removed.is_empty() || !self.changed.is_empty()
    }

    /// Record a problem of the input itself (reported, never fatal). Positions, not values:
    /// the values may be the very names the rules are hiding.
    pub(crate) fn problem(&mut self, pos: usize, message: &str) {
        let (line, column) = self.doc.line_col(pos);
        self.problems
            .push(format!("line {line} column {column}: {message}"));
    }

    pub(crate) fn begin_dry_run(&mut self) -> Snapshot {
        Snapshot {
            edits: std::mem::take(&mut self.edits),
            removed: self.removed.clone(),
            changed: self.changed.clone(),
            problems: self.problems.len(),
        }
    }

    /// Undo everything since `begin_dry_run`; returns whether the dry run changed anything.
    pub(crate) fn end_dry_run(&mut self, snap: Snapshot) -> bool {
        let dry = std::mem::replace(&mut self.edits, snap.edits);
        let touched =
            !dry.is_empty() || self.removed != snap.removed || self.changed != snap.changed;
        self.removed = snap.removed;
        self.changed = snap.changed;
        self.problems.truncate(snap.problems);
        touched
    }

    /// Scrub a text: URL credentials always, absolute paths when the rules say so (not in
    /// `content` fields, which hold attachments such as base64 license texts). `None` when
    /// nothing changed.
    pub(crate) fn scrub_text(&mut self, s: &str, key: &str) -> Option<String> {
        let (s0, stripped) = if self.strip_urls.is_empty() {
            (Cow::Borrowed(s), 0)
        } else {
            scrub::urls(s, |u| self.strip_urls.is_match(u))
        };
        let (a, creds) = scrub::url_credentials(&s0);
        let (b, paths) = if self.rules.strip_file_paths && key != "content" {
            scrub::paths(&a)
        } else {
            (a.clone(), 0)
        };
        self.removed("urls", stripped);
        self.changed("url_credentials", creds);
        self.changed("file_paths", paths);
        if stripped + creds + paths > 0 {
            Some(b.into_owned())
        } else {
            None
        }
    }

    /// Scrub a string node in place (no-op for other nodes).
    pub(crate) fn scrub(&mut self, node: &Node<'a>, key: &str) {
        let Node::Str(span, raw) = node else { return };
        if memchr::memchr3(b'/', b'\\', b'~', raw.as_bytes()).is_none() {
            return;
        }
        let s = unescape(raw);
        if let Some(new) = self.scrub_text(&s, key) {
            self.edits.replace(*span, quote(&new));
        }
    }

    /// Replace a string node's value.
    pub(crate) fn set_str(&mut self, node: &Node<'a>, value: &str) {
        self.edits.replace(node.span(), quote(value));
    }
}
