//! SPDX JSON 2.2/2.3 redaction.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::sync::LazyLock;

use serde_json::{Value, json};

use crate::Error;
use crate::ctx::Ctx;
use crate::edit::ContainerEdit;
use crate::json::{ALL, Doc, Node, full};
use crate::pseudonym::Pseudonymizer;
use crate::purl;
use crate::scrub;

static SPDX_ID: LazyLock<regex::Regex> =
    LazyLock::new(|| regex::Regex::new(r"^SPDXRef-[A-Za-z0-9.\-]+$").expect("static regex"));

/// The download locations SPDX 2.x allows: NONE, NOASSERTION, a URL, or `<vcs>+<url>`.
static DOWNLOAD_LOCATION: LazyLock<regex::Regex> = LazyLock::new(|| {
    regex::Regex::new(
        r"^(?:NONE|NOASSERTION|(?:(?:git|hg|svn|bzr)\+)?(?:https?|s?ftp|ssh|git|svn|hg|bzr)://\S+|git\+git@[^\s:]+:\S+)$",
    )
    .expect("static regex")
});

#[derive(Debug, Clone)]
enum IdState {
    Removed,
    Renamed(String),
}

#[derive(Debug, Default)]
struct Index<'a> {
    ids: HashMap<Cow<'a, str>, usize>,
    /// Package object start -> (SPDXID, matched by a rule).
    packages: HashMap<usize, (Cow<'a, str>, bool)>,
    has_files: HashMap<Cow<'a, str>, Vec<Cow<'a, str>>>,
    files: HashSet<Cow<'a, str>>,
    snippet_of: HashMap<Cow<'a, str>, Cow<'a, str>>,
    relationships: Vec<(Cow<'a, str>, Cow<'a, str>, Cow<'a, str>)>,
    states: HashMap<Cow<'a, str>, IdState>,
    pseudo: HashSet<Cow<'a, str>>,
    doc_id: Option<Cow<'a, str>>,
}

pub(crate) fn redact<'a>(
    ctx: &mut Ctx<'a, '_>,
    root: &Node<'a>,
    minor: u8,
    pseudo: Option<&Pseudonymizer>,
    original_sha256: &str,
) -> Result<(), Error> {
    let doc = ctx.doc;
    let mut ix = Index::default();
    ix.index(ctx, root)?;
    ix.decide(ctx, pseudo);
    let mut emit = Emit {
        ix: &ix,
        pseudo,
        minor,
        reported: HashSet::new(),
    };
    emit.root(ctx, &doc, root, original_sha256)
}

impl<'a> Index<'a> {
    fn add_id(&mut self, doc: &Doc<'a>, node: &Node<'a>) -> Result<Option<Cow<'a, str>>, Error> {
        let Some(id) = node.as_str() else {
            return Ok(None);
        };
        let pos = node.span().start;
        if let Some(first) = self.ids.get(&id) {
            return Err(Error::DuplicateId {
                field: "SPDXID",
                id: id.into_owned(),
                first_line: doc.line_col(*first).0,
                second_line: doc.line_col(pos).0,
            });
        }
        self.ids.insert(id.clone(), pos);
        Ok(Some(id))
    }

    fn index(&mut self, ctx: &mut Ctx<'a, '_>, root: &Node<'a>) -> Result<(), Error> {
        let doc = ctx.doc;
        let rules = ctx.rules;
        if let Some(id) = root.get("SPDXID") {
            self.doc_id = self.add_id(&doc, id)?;
        }
        for section in ["packages", "files", "snippets"] {
            let Some(list) = root.get(section) else {
                continue;
            };
            let Some(items) = list.items() else {
                return Err(doc.structure_error(section, list, "an array"));
            };
            for (i, item) in items.iter().enumerate() {
                let mut slot = None;
                let item = full(&doc, item, &mut slot)?;
                if item.members().is_none() {
                    return Err(doc.structure_error(format!("{section}[{i}]"), item, "an object"));
                }
                let pos = item.span().start;
                let id = match item.get("SPDXID") {
                    Some(n) => self.add_id(&doc, n)?,
                    None => None,
                };
                let Some(id) = id else {
                    ctx.problem(pos, &format!("an element of `{section}` has no SPDXID string; it cannot be referenced"));
                    continue;
                };
                if !SPDX_ID.is_match(&id) {
                    ctx.problem(
                        pos,
                        &format!(
                            "an SPDXID in `{section}` is not of the form SPDXRef-[A-Za-z0-9.-]+"
                        ),
                    );
                }
                match section {
                    "packages" => {
                        for field in ["name", "downloadLocation"] {
                            if item.get(field).is_none() {
                                ctx.problem(
                                    pos,
                                    &format!("a package has no `{field}`, which SPDX requires"),
                                );
                            }
                        }
                        if let Some(dl) = item.get("downloadLocation")
                            && !dl.as_str().is_some_and(|d| DOWNLOAD_LOCATION.is_match(&d))
                        {
                            ctx.problem(
                                dl.span().start,
                                "a package's `downloadLocation` is not NONE, NOASSERTION, a URL or <vcs>+<url>; SPDX validators reject it (the value was kept)",
                            );
                        }
                        let files: Vec<Cow<'a, str>> = item
                            .get("hasFiles")
                            .and_then(Node::items)
                            .unwrap_or_default()
                            .iter()
                            .filter_map(Node::as_str)
                            .collect();
                        self.has_files.insert(id.clone(), files);
                        self.packages
                            .insert(pos, (id, package_matches(item, rules)));
                    }
                    "files" => {
                        self.files.insert(id);
                    }
                    _ => {
                        if let Some(f) = item.get_str("snippetFromFile") {
                            self.snippet_of.insert(id, f);
                        }
                    }
                }
            }
        }
        if let Some(rels) = root.get("relationships") {
            let Some(items) = rels.items() else {
                return Err(doc.structure_error("relationships", rels, "an array"));
            };
            for item in items {
                let mut slot = None;
                let item = full(&doc, item, &mut slot)?;
                let (Some(a), Some(t), Some(b)) = (
                    item.get_str("spdxElementId"),
                    item.get_str("relationshipType"),
                    item.get_str("relatedSpdxElement"),
                ) else {
                    ctx.problem(item.span().start, "a relationship lacks spdxElementId, relationshipType or relatedSpdxElement");
                    continue;
                };
                self.relationships.push((a, t, b));
            }
        }
        Ok(())
    }

    fn decide(&mut self, ctx: &mut Ctx<'a, '_>, pseudo: Option<&Pseudonymizer>) {
        let rules = ctx.rules;
        let removed_pkgs: HashSet<Cow<'a, str>> = self
            .packages
            .values()
            .filter(|(_, m)| *m)
            .map(|(id, _)| id.clone())
            .collect();
        let mut removed_files: HashSet<Cow<'a, str>> = HashSet::new();
        if rules.strip_spdx_files {
            removed_files.extend(self.files.iter().cloned());
        } else {
            for p in &removed_pkgs {
                removed_files.extend(self.has_files.get(p).into_iter().flatten().cloned());
            }
            for (a, t, b) in &self.relationships {
                if t == "CONTAINS" && removed_pkgs.contains(a) && self.files.contains(b) {
                    removed_files.insert(b.clone());
                }
            }
        }
        let removed_snippets: Vec<Cow<'a, str>> = self
            .snippet_of
            .iter()
            .filter(|(_, f)| rules.strip_spdx_files || removed_files.contains(*f))
            .map(|(s, _)| s.clone())
            .collect();
        let mut pseudo_pkgs: HashSet<Cow<'a, str>> = HashSet::new();
        if pseudo.is_some() {
            let alive = |id: &str, pseudo_pkgs: &HashSet<Cow<'a, str>>| {
                self.ids.contains_key(id)
                    && Some(id) != self.doc_id.as_deref()
                    && (!removed_pkgs.contains(id) || pseudo_pkgs.contains(id))
                    && !removed_files.contains(id)
            };
            loop {
                let mut marks = Vec::new();
                for (a, _, b) in &self.relationships {
                    for (x, y) in [(a, b), (b, a)] {
                        if alive(x, &pseudo_pkgs)
                            && removed_pkgs.contains(y)
                            && !pseudo_pkgs.contains(y)
                        {
                            marks.push(y.clone());
                        }
                    }
                }
                if marks.is_empty() {
                    break;
                }
                pseudo_pkgs.extend(marks);
            }
        }
        ctx.removed(
            "packages",
            removed_pkgs.len().saturating_sub(pseudo_pkgs.len()) as u64,
        );
        ctx.changed("packages_pseudonymized", pseudo_pkgs.len() as u64);
        ctx.removed("files", removed_files.len() as u64);
        ctx.removed("snippets", removed_snippets.len() as u64);
        let mut states = HashMap::new();
        for id in removed_pkgs
            .iter()
            .chain(removed_files.iter())
            .chain(removed_snippets.iter())
        {
            let state = match (pseudo_pkgs.contains(id), pseudo) {
                (true, Some(p)) => {
                    IdState::Renamed(format!("SPDXRef-redacted-{}", p.tag("spdx-id", id)))
                }
                _ => IdState::Removed,
            };
            states.insert(id.clone(), state);
        }
        self.states = states;
        self.pseudo = pseudo_pkgs;
    }
}

fn package_matches(item: &Node<'_>, rules: &crate::Rules) -> bool {
    let any = |pats: &[crate::Pattern], v: Option<&str>| {
        v.is_some_and(|v| pats.iter().any(|p| p.is_match(v)))
    };
    let purls: Vec<Cow<'_, str>> = item
        .get("externalRefs")
        .and_then(Node::items)
        .unwrap_or_default()
        .iter()
        .filter(|r| r.get_str("referenceType").as_deref() == Some("purl"))
        .filter_map(|r| r.get_str("referenceLocator"))
        .collect();
    let supplier = item.get_str("supplier").map(|s| supplier_name(&s));
    any(&rules.remove_names, item.get_str("name").as_deref())
        || purls.iter().any(|p| {
            any(&rules.remove_purls, Some(p))
                || any(&rules.remove_groups, purl::namespace(p).as_deref())
        })
        || any(&rules.remove_suppliers, supplier.as_deref())
}

/// `Organization: Acme Inc. (ops@acme.example)` gives `Acme Inc.`.
fn supplier_name(s: &str) -> String {
    let s = s.split_once(':').map_or(s, |(_, rest)| rest).trim();
    let (s, _) = scrub::emails(s);
    s.trim().to_string()
}

enum IdAction {
    Keep,
    Remove { dangling: bool },
    Rename(String),
}

struct Emit<'i, 'a> {
    ix: &'i Index<'a>,
    pseudo: Option<&'i Pseudonymizer>,
    minor: u8,
    reported: HashSet<usize>,
}

impl<'a> Emit<'_, 'a> {
    fn id_action(&self, id: &str) -> IdAction {
        match self.ix.states.get(id) {
            Some(IdState::Removed) => IdAction::Remove { dangling: false },
            Some(IdState::Renamed(n)) => IdAction::Rename(n.clone()),
            None if self.ix.ids.contains_key(id)
                || id == "NONE"
                || id == "NOASSERTION"
                || id.starts_with("DocumentRef-") =>
            {
                IdAction::Keep
            }
            None => IdAction::Remove { dangling: true },
        }
    }

    fn dangling(&mut self, ctx: &mut Ctx<'a, '_>, pos: usize, what: &str) {
        if self.reported.insert(pos) {
            ctx.problem(pos, &format!("{what} names an SPDXID that no element of the document declares; it was removed"));
            ctx.removed("dangling_refs", 1);
        }
    }

    fn root(
        &mut self,
        ctx: &mut Ctx<'a, '_>,
        doc: &Doc<'a>,
        root: &Node<'a>,
        original_sha256: &str,
    ) -> Result<(), Error> {
        let Some(members) = root.members() else {
            return Ok(());
        };
        let rules = ctx.rules;
        let mut ce = ContainerEdit::new(root.span(), members.iter().map(|m| m.span()).collect());
        let (mut annotations, mut namespace, mut created) = (None, None, None);
        for (i, m) in members.iter().enumerate() {
            let k = m.key();
            let v = &m.value;
            match k.as_ref() {
                "files" | "snippets" if rules.strip_spdx_files => {
                    ce.remove(i);
                }
                "packages" | "files" | "snippets" => self.elements(ctx, v, &k)?,
                "relationships" => self.relationships(ctx, v)?,
                "documentDescribes" => self.id_list(ctx, v, "documentDescribes")?,
                "creationInfo" => {
                    let mut slot = None;
                    let ci = full(doc, v, &mut slot)?;
                    created = ci.get_str("created").map(Cow::into_owned);
                    self.creation_info(ctx, ci)?;
                }
                "annotations" => annotations = Some((i, v)),
                "documentNamespace" => namespace = Some(v),
                _ => self.scrub_all(ctx, v, &k)?,
            }
        }
        let annotations_change = match annotations {
            Some((_, a)) => {
                let snap = ctx.begin_dry_run();
                self.scrub_all(ctx, a, "annotations")?;
                ctx.end_dry_run(snap)
            }
            None => false,
        };
        if ctx.touched() || annotations_change {
            let declaration = match created {
                Some(date) => Some(json!({
                    "annotationDate": date,
                    "annotationType": "OTHER",
                    "annotator": "Tool: secpack-sbom",
                    "comment": crate::declaration_text(&ctx.removed, &ctx.changed, original_sha256),
                })),
                None => {
                    ctx.problem(root.span().start, "creationInfo.created is missing, so the redaction could not be declared in an annotation");
                    None
                }
            };
            match (annotations, declaration) {
                (Some((_, a)), d) => self.annotations(ctx, a, d)?,
                (None, Some(d)) => ce.push_member("annotations", json!([d])),
                (None, None) => {}
            }
            ctx.changed("declaration_added", 1);
            if let Some(ns) = namespace {
                // The digest of the input is bound late (see lib.rs): a placeholder for now.
                ctx.set_str(
                    ns,
                    &format!(
                        "https://spdx.org/spdxdocs/redacted-{}",
                        crate::NAMESPACE_PLACEHOLDER
                    ),
                );
                ctx.changed("document_namespace", 1);
            }
        } else if let Some((_, a)) = annotations {
            self.scrub_all(ctx, a, "annotations")?;
        }
        ce.finish(doc, &mut ctx.edits);
        Ok(())
    }

    fn annotations(
        &mut self,
        ctx: &mut Ctx<'a, '_>,
        node: &Node<'a>,
        declaration: Option<Value>,
    ) -> Result<(), Error> {
        let doc = ctx.doc;
        let mut slot = None;
        let node = full(&doc, node, &mut slot)?;
        let Some(items) = node.items() else {
            return Ok(());
        };
        let mut ce = ContainerEdit::new(node.span(), items.iter().map(Node::span).collect());
        for item in items {
            self.scrub_all(ctx, item, "annotations")?;
        }
        if let Some(d) = declaration {
            ce.push_item(d);
        }
        ce.finish(&doc, &mut ctx.edits);
        Ok(())
    }

    /// `packages`, `files` or `snippets`.
    fn elements(
        &mut self,
        ctx: &mut Ctx<'a, '_>,
        node: &Node<'a>,
        section: &str,
    ) -> Result<(), Error> {
        let doc = ctx.doc;
        let Some(items) = node.items() else {
            return Ok(());
        };
        let mut ce = ContainerEdit::new(node.span(), items.iter().map(Node::span).collect());
        for (i, item) in items.iter().enumerate() {
            let mut slot = None;
            let item = full(&doc, item, &mut slot)?;
            let id = item.get_str("SPDXID");
            match id.as_deref().map(|id| self.id_action(id)) {
                Some(IdAction::Remove { .. }) => ce.remove(i),
                Some(IdAction::Rename(new)) => {
                    let stub = self.stub(item, &new);
                    ctx.edits.replace(
                        item.span(),
                        serde_json::to_string(&stub).unwrap_or_default(),
                    );
                }
                _ if section == "packages" => self.package(ctx, item)?,
                _ => self.scrub_all(ctx, item, section)?,
            }
        }
        ce.finish(&doc, &mut ctx.edits);
        Ok(())
    }

    fn stub(&self, item: &Node<'a>, new_id: &str) -> Value {
        let name = item.get_str("name").unwrap_or_default();
        let tag = self
            .pseudo
            .map(|p| p.tag("spdx-name", &name))
            .unwrap_or_default();
        let mut v = json!({
            "SPDXID": new_id,
            "name": format!("redacted-{tag}"),
            "downloadLocation": "NOASSERTION",
            "filesAnalyzed": false,
        });
        if self.minor == 2
            && let Some(o) = v.as_object_mut()
        {
            for k in ["licenseConcluded", "licenseDeclared", "copyrightText"] {
                o.insert(k.into(), json!("NOASSERTION"));
            }
        }
        v
    }

    fn package(&mut self, ctx: &mut Ctx<'a, '_>, item: &Node<'a>) -> Result<(), Error> {
        let doc = ctx.doc;
        let rules = ctx.rules;
        let Some(members) = item.members() else {
            return Ok(());
        };
        let mut ce = ContainerEdit::new(item.span(), members.iter().map(|m| m.span()).collect());
        for (i, m) in members.iter().enumerate() {
            let k = m.key();
            let v = &m.value;
            match k.as_ref() {
                "downloadLocation" if v.as_str().is_some_and(|u| ctx.strips_url(&u)) => {
                    ctx.set_str(v, "NOASSERTION");
                    ctx.removed("urls", 1);
                }
                "homepage" if v.as_str().is_some_and(|u| ctx.strips_url(&u)) => {
                    ce.remove(i);
                    ctx.removed("urls", 1);
                }
                "originator" if rules.strip_authors => {
                    ce.remove(i);
                    ctx.removed("authors", 1);
                }
                "originator" | "supplier" if rules.strip_emails => self.emails(ctx, v),
                "externalRefs" => {
                    let Some(refs) = v.items() else { continue };
                    let mut rce =
                        ContainerEdit::new(v.span(), refs.iter().map(Node::span).collect());
                    for (j, r) in refs.iter().enumerate() {
                        let mut slot = None;
                        let r = full(&doc, r, &mut slot)?;
                        if r.get_str("referenceLocator")
                            .is_some_and(|u| ctx.strips_url(&u))
                        {
                            rce.remove(j);
                            ctx.removed("external_references", 1);
                        } else {
                            self.scrub_all(ctx, r, "externalRefs")?;
                        }
                    }
                    rce.finish(&doc, &mut ctx.edits);
                }
                "hasFiles" => self.id_list(ctx, v, "hasFiles")?,
                _ => self.scrub_all(ctx, v, &k)?,
            }
        }
        ce.finish(&doc, &mut ctx.edits);
        Ok(())
    }

    fn emails(&mut self, ctx: &mut Ctx<'a, '_>, v: &Node<'a>) {
        if let Some(s) = v.as_str() {
            let (new, n) = scrub::emails(&s);
            if n > 0 {
                let new = new.into_owned();
                ctx.set_str(v, &new);
                ctx.removed("emails", n);
            }
        }
    }

    fn creation_info(&mut self, ctx: &mut Ctx<'a, '_>, ci: &Node<'a>) -> Result<(), Error> {
        let doc = ctx.doc;
        let rules = ctx.rules;
        let Some(members) = ci.members() else {
            return Ok(());
        };
        for m in members {
            let k = m.key();
            if k != "creators" || !(rules.strip_authors || rules.strip_emails) {
                self.scrub_all(ctx, &m.value, &k)?;
                continue;
            }
            let Some(items) = m.value.items() else {
                continue;
            };
            let mut ce = ContainerEdit::new(m.value.span(), items.iter().map(Node::span).collect());
            for (i, c) in items.iter().enumerate() {
                let s = c.as_str().unwrap_or_default();
                if rules.strip_authors && s.starts_with("Person:") {
                    ce.remove(i);
                    ctx.removed("authors", 1);
                } else if rules.strip_emails {
                    self.emails(ctx, c);
                }
            }
            if ce.kept() == 0 {
                ce.push_item(json!("Tool: secpack-sbom"));
            }
            ce.finish(&doc, &mut ctx.edits);
        }
        Ok(())
    }

    fn relationships(&mut self, ctx: &mut Ctx<'a, '_>, node: &Node<'a>) -> Result<(), Error> {
        let doc = ctx.doc;
        let Some(items) = node.items() else {
            return Ok(());
        };
        let mut ce = ContainerEdit::new(node.span(), items.iter().map(Node::span).collect());
        for (i, item) in items.iter().enumerate() {
            let mut slot = None;
            let item = full(&doc, item, &mut slot)?;
            let mut renames = Vec::new();
            let mut remove = false;
            for field in ["spdxElementId", "relatedSpdxElement"] {
                let Some(v) = item.get(field) else { continue };
                let Some(id) = v.as_str() else { continue };
                match self.id_action(&id) {
                    IdAction::Keep => {}
                    IdAction::Rename(n) => renames.push((v, n)),
                    IdAction::Remove { dangling } => {
                        if dangling {
                            self.dangling(
                                ctx,
                                v.span().start,
                                &format!("a relationship's `{field}`"),
                            );
                        }
                        remove = true;
                    }
                }
            }
            if remove {
                ce.remove(i);
                ctx.removed("relationships", 1);
                continue;
            }
            for (v, n) in renames {
                ctx.set_str(v, &n);
            }
            if let Some(c) = item.get("comment") {
                ctx.scrub(c, "comment");
            }
        }
        ce.finish(&doc, &mut ctx.edits);
        Ok(())
    }

    fn id_list(&mut self, ctx: &mut Ctx<'a, '_>, node: &Node<'a>, what: &str) -> Result<(), Error> {
        let doc = ctx.doc;
        let Some(items) = node.items() else {
            return Ok(());
        };
        let mut ce = ContainerEdit::new(node.span(), items.iter().map(Node::span).collect());
        for (i, item) in items.iter().enumerate() {
            let Some(id) = item.as_str() else { continue };
            match self.id_action(&id) {
                IdAction::Keep => {}
                IdAction::Rename(n) => ctx.set_str(item, &n),
                IdAction::Remove { dangling } => {
                    ce.remove(i);
                    if dangling {
                        self.dangling(ctx, item.span().start, &format!("`{what}`"));
                    } else {
                        ctx.removed(
                            if what == "hasFiles" {
                                "has_files_refs"
                            } else {
                                "document_describes"
                            },
                            1,
                        );
                    }
                }
            }
        }
        let _ = doc;
        ce.finish(&ctx.doc, &mut ctx.edits);
        Ok(())
    }

    /// Scrub every string below `node` (URL credentials, paths; e-mails of annotators).
    fn scrub_all(
        &mut self,
        ctx: &mut Ctx<'a, '_>,
        node: &Node<'a>,
        key: &str,
    ) -> Result<(), Error> {
        match node {
            Node::Lazy(span) => {
                let n = ctx.doc.expand(*span, ALL)?;
                self.scrub_all(ctx, &n, key)
            }
            Node::Str(..) if key == "annotator" && ctx.rules.strip_emails => {
                self.emails(ctx, node);
                Ok(())
            }
            Node::Str(..) => {
                let key = if key == "extractedText" {
                    "content"
                } else {
                    key
                };
                ctx.scrub(node, key);
                Ok(())
            }
            Node::Array(_, items) => {
                for item in items {
                    self.scrub_all(ctx, item, key)?;
                }
                Ok(())
            }
            Node::Object(_, members) => {
                for m in members {
                    self.scrub_all(ctx, &m.value, &m.key())?;
                }
                Ok(())
            }
            _ => Ok(()),
        }
    }
}

/// The UUID naming a redacted SPDX document: from sha256 over the original digest and the rules.
pub(crate) fn namespace_uuid(original_sha256: &str, rules: &crate::Rules) -> String {
    use sha2::Digest;
    let mut h = sha2::Sha256::new();
    h.update(original_sha256.as_bytes());
    h.update(serde_json::to_vec(rules).unwrap_or_default());
    let tag = hex::encode(h.finalize());
    format!(
        "{}-{}-{}-{}-{}",
        tag.get(0..8).unwrap_or_default(),
        tag.get(8..12).unwrap_or_default(),
        tag.get(12..16).unwrap_or_default(),
        tag.get(16..20).unwrap_or_default(),
        tag.get(20..32).unwrap_or_default()
    )
}
