//! CycloneDX JSON 1.4-1.7 redaction.
//!
//! Pass 1 walks the whole document once: every `bom-ref` (duplicates are an error), every
//! component and service with the component or service that encloses it, and which ones the
//! rules remove. Pass 2 walks it again and records span edits: removals, pseudonym stubs,
//! reference filtering, property/URL/path/author stripping, and the declaration.

use std::borrow::Cow;
use std::collections::HashSet;

use crate::fxhash::FxHashMap as HashMap;

use serde_json::{Value, json};

use crate::Error;
use crate::ctx::Ctx;
use crate::edit::ContainerEdit;
use crate::json::{ALL, Doc, Node, Span, full};
use crate::pseudonym::Pseudonymizer;
use crate::purl;
use crate::scrub;

static BOM_REF: std::sync::LazyLock<memchr::memmem::Finder<'static>> =
    std::sync::LazyLock::new(|| memchr::memmem::Finder::new(b"bom-ref"));

/// Array keys whose string items are bom-refs.
const REF_ARRAYS: &[&str] = &[
    "dependsOn",
    "provides",
    "assemblies",
    "subjects",
    "dependencies",
    "vulnerabilities",
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Component,
    Service,
    /// `metadata.component`: the subject of the SBOM, never removed.
    Subject,
}

#[derive(Debug)]
struct Entity<'a> {
    kind: Kind,
    parent: Option<usize>,
    own_ref: Option<Cow<'a, str>>,
    matched: bool,
    ty: Option<String>,
    ident: String,
    removed: bool,
    pseudo: bool,
}

#[derive(Debug, Clone)]
enum RefState {
    Removed,
    Renamed(String),
    /// Renamed to the pseudonym of a removed component kept as a stub.
    Pseudonym(String),
}

enum RefAction {
    Keep,
    Remove { dangling: bool },
    Rename(String),
}

#[derive(Debug, Default)]
struct Index<'a> {
    entities: Vec<Entity<'a>>,
    by_start: HashMap<usize, usize>,
    /// bom-ref -> (position, enclosing component/service, span of the object holding it).
    refs: HashMap<Cow<'a, str>, (usize, Option<usize>, Span)>,
    edges: Vec<(Cow<'a, str>, Cow<'a, str>)>,
    states: HashMap<Cow<'a, str>, RefState>,
    collect_edges: bool,
}

/// Redact a CycloneDX document whose root was parsed with two levels expanded.
pub(crate) fn redact<'a>(
    ctx: &mut Ctx<'a, '_>,
    root: &Node<'a>,
    pseudo: Option<&Pseudonymizer>,
    original_sha256: &str,
) -> Result<(), Error> {
    let doc = ctx.doc;
    let mut ix = Index {
        collect_edges: pseudo.is_some(),
        ..Index::default()
    };
    ix.index(&doc, ctx.rules, root, "", "", None)?;
    ix.decide(ctx, pseudo);
    let removing = ix.entities.iter().any(|e| e.removed);
    let mut emit = Emit {
        ix: &ix,
        pseudo,
        removing,
        dangling_reported: HashSet::new(),
    };
    emit.root(ctx, root, original_sha256)
}

impl<'a> Index<'a> {
    fn index(
        &mut self,
        doc: &Doc<'a>,
        rules: &crate::Rules,
        node: &Node<'a>,
        key: &str,
        parent_key: &str,
        owner: Option<usize>,
    ) -> Result<(), Error> {
        match node {
            Node::Lazy(span) => {
                let entity = matches!(
                    (key, parent_key),
                    ("components", _) | ("services", _) | ("component", "metadata")
                );
                let edges = self.collect_edges && key == "dependencies";
                // Only entities, dependency entries and subtrees that hold a bom-ref matter here.
                if !entity && !edges && BOM_REF.find(doc.slice(*span).as_bytes()).is_none() {
                    return Ok(());
                }
                let n = doc.expand(*span, if entity { 1 } else { ALL })?;
                self.index(doc, rules, &n, key, parent_key, owner)
            }
            Node::Array(_, items) => {
                for item in items {
                    self.index(doc, rules, item, key, parent_key, owner)?;
                }
                Ok(())
            }
            Node::Object(span, members) => {
                let kind = match (key, parent_key) {
                    ("components", _) => Some(Kind::Component),
                    ("services", _) => Some(Kind::Service),
                    ("component", "metadata") => Some(Kind::Subject),
                    _ => None,
                };
                let mut me = owner;
                if let Some(kind) = kind {
                    me = Some(self.entities.len());
                    self.by_start.insert(span.start, self.entities.len());
                    self.entities.push(describe(doc, node, kind, owner, rules)?);
                }
                if self.collect_edges
                    && key == "dependencies"
                    && parent_key.is_empty()
                    && let Some(from) = node.get_str("ref")
                {
                    for to in node
                        .get("dependsOn")
                        .and_then(Node::items)
                        .unwrap_or_default()
                    {
                        if let Some(to) = to.as_str() {
                            self.edges.push((from.clone(), to));
                        }
                    }
                }
                for m in members {
                    let k = m.key();
                    if k == "bom-ref"
                        && let Some(r) = m.value.as_str()
                    {
                        let pos = m.value.span().start;
                        if let Some((first, _, first_obj)) = self.refs.get(&r) {
                            // Tools repeat a whole element (cdxgen: the tool component as the
                            // annotator): an identical copy is the same element, not a clash.
                            if same_json(doc, *first_obj, *span) {
                                self.index(doc, rules, &m.value, &k, key, me)?;
                                continue;
                            }
                            return Err(Error::DuplicateId {
                                field: "bom-ref",
                                id: r.into_owned(),
                                first_line: doc.line_col(*first).0,
                                second_line: doc.line_col(pos).0,
                            });
                        }
                        if kind.is_some()
                            && let Some(e) = me.and_then(|i| self.entities.get_mut(i))
                        {
                            e.own_ref = Some(r.clone());
                        }
                        self.refs.insert(r, (pos, me, *span));
                    }
                    self.index(doc, rules, &m.value, &k, key, me)?;
                }
                Ok(())
            }
            _ => Ok(()),
        }
    }

    fn decide(&mut self, ctx: &mut Ctx<'a, '_>, pseudo: Option<&Pseudonymizer>) {
        for i in 0..self.entities.len() {
            let parent_removed = self.entities[i]
                .parent
                .is_some_and(|p| self.entities.get(p).is_some_and(|e| e.removed));
            if let Some(e) = self.entities.get_mut(i) {
                e.removed = (e.matched && e.kind != Kind::Subject) || parent_removed;
            }
        }
        if let Some(e) = self
            .entities
            .iter()
            .find(|e| e.kind == Kind::Subject && e.matched)
        {
            let pos = e
                .own_ref
                .as_ref()
                .and_then(|r| self.refs.get(r))
                .map_or(0, |(p, _, _)| *p);
            ctx.problem(pos, "metadata.component matches a removal rule; it is kept because the SBOM must describe its subject");
        }
        if pseudo.is_some() {
            let by_ref: HashMap<Cow<'a, str>, usize> = self
                .entities
                .iter()
                .enumerate()
                .filter_map(|(i, e)| e.own_ref.clone().map(|r| (r, i)))
                .collect();
            loop {
                let mut marks = Vec::new();
                for (from, to) in &self.edges {
                    let from_alive = match self.refs.get(from) {
                        Some((_, None, _)) => true,
                        Some((_, Some(o), _)) => self.entities.get(*o).is_some_and(|e| {
                            !e.removed || (e.pseudo && e.own_ref.as_deref() == Some(from.as_ref()))
                        }),
                        None => false,
                    };
                    if let (true, Some(&t)) = (from_alive, by_ref.get(to))
                        && self
                            .entities
                            .get(t)
                            .is_some_and(|e| e.removed && !e.pseudo && e.kind == Kind::Component)
                    {
                        marks.push(t);
                    }
                }
                if marks.is_empty() {
                    break;
                }
                for mut t in marks {
                    // The stub must sit somewhere: removed ancestors become stubs too.
                    while let Some(e) = self.entities.get_mut(t) {
                        if !e.removed || e.pseudo {
                            break;
                        }
                        e.pseudo = true;
                        match e.parent {
                            Some(p) => t = p,
                            None => break,
                        }
                    }
                }
            }
        }
        let mut states = HashMap::default();
        let mut renamed_to: HashSet<String> = HashSet::new();
        // In input order, so that rename suffixes do not depend on hash order.
        let mut in_order: Vec<_> = self.refs.iter().collect();
        in_order.sort_by_key(|(_, (pos, _, _))| *pos);
        for (r, (_, owner, _)) in in_order {
            let entity = owner.and_then(|o| self.entities.get(o));
            match entity {
                Some(e) if e.removed => {
                    let state = match (e.pseudo, pseudo) {
                        (true, Some(p)) if e.own_ref.as_deref() == Some(r.as_ref()) => {
                            RefState::Pseudonym(format!(
                                "redacted-{}",
                                p.tag("cyclonedx-bom-ref", r)
                            ))
                        }
                        _ => RefState::Removed,
                    };
                    states.insert(r.clone(), state);
                }
                _ => {
                    if let Some(new) = ctx.scrub_text(r, "bom-ref") {
                        let mut unique = new.clone();
                        let mut n = 2;
                        while self.refs.contains_key(unique.as_str())
                            || renamed_to.contains(&unique)
                        {
                            unique = format!("{new}-{n}");
                            n += 1;
                        }
                        renamed_to.insert(unique.clone());
                        ctx.changed("refs_renamed", 1);
                        states.insert(r.clone(), RefState::Renamed(unique));
                    }
                }
            }
        }
        self.states = states;
        let count = |kind: Kind, pseudo: bool| {
            self.entities
                .iter()
                .filter(|e| e.kind == kind && e.removed && e.pseudo == pseudo)
                .count() as u64
        };
        ctx.removed("components", count(Kind::Component, false));
        ctx.removed("services", count(Kind::Service, false));
        ctx.changed("components_pseudonymized", count(Kind::Component, true));
    }
}

/// Identity of a component or service and whether a removal rule matches it.
fn describe<'a>(
    doc: &Doc<'a>,
    node: &Node<'a>,
    kind: Kind,
    parent: Option<usize>,
    rules: &crate::Rules,
) -> Result<Entity<'a>, Error> {
    // The entity was expanded one level: expand the few containers the rules look into.
    let expand = |k: &str| -> Result<Option<Node<'a>>, Error> {
        let needed = match k {
            "properties" => !rules.remove_flagged.is_empty(),
            _ => !rules.remove_suppliers.is_empty(),
        };
        if !needed {
            return Ok(None);
        }
        match node.get(k) {
            Some(n @ Node::Lazy(_)) => doc.expand(n.span(), ALL).map(Some),
            _ => Ok(None),
        }
    };
    let properties = expand("properties")?;
    let properties = properties.as_ref().or(node.get("properties"));
    let orgs: Vec<Option<Node<'a>>> = ["supplier", "provider", "manufacturer"]
        .iter()
        .map(|k| expand(k))
        .collect::<Result<_, _>>()?;
    let name = node.get_str("name");
    let group = node.get_str("group");
    let purl = node.get_str("purl");
    let namespace = purl.as_deref().and_then(purl::namespace);
    let mut suppliers: Vec<Cow<'_, str>> = Vec::new();
    for (k, expanded) in ["supplier", "provider", "manufacturer"].iter().zip(&orgs) {
        if let Some(n) = expanded
            .as_ref()
            .or(node.get(k))
            .and_then(|s| s.get_str("name"))
        {
            suppliers.push(n);
        }
    }
    if let Some(p) = node.get_str("publisher") {
        suppliers.push(p);
    }
    let any = |pats: &[crate::Pattern], v: Option<&str>| {
        v.is_some_and(|v| pats.iter().any(|p| p.is_match(v)))
    };
    let flagged = properties
        .and_then(Node::items)
        .unwrap_or_default()
        .iter()
        .any(|p| {
            let (Some(n), v) = (p.get_str("name"), p.get_str("value")) else {
                return false;
            };
            rules
                .remove_flagged
                .iter()
                .any(|f| f.matches(&n, v.as_deref()))
        });
    let matched = flagged
        || any(&rules.remove_purls, purl.as_deref())
        || any(&rules.remove_names, name.as_deref())
        || any(&rules.remove_groups, group.as_deref())
        || any(&rules.remove_groups, namespace.as_deref())
        || suppliers
            .iter()
            .any(|s| any(&rules.remove_suppliers, Some(s)));
    let ident = format!(
        "{}/{}",
        group.as_deref().unwrap_or_default(),
        name.as_deref().unwrap_or_default()
    );
    Ok(Entity {
        kind,
        parent,
        own_ref: None,
        matched,
        ty: node.get_str("type").map(Cow::into_owned),
        ident,
        removed: false,
        pseudo: false,
    })
}

struct Emit<'i, 'a> {
    ix: &'i Index<'a>,
    pseudo: Option<&'i Pseudonymizer>,
    removing: bool,
    dangling_reported: HashSet<usize>,
}

impl<'a> Emit<'_, 'a> {
    fn ref_action(&self, r: &str) -> RefAction {
        match self.ix.states.get(r) {
            Some(RefState::Removed) => RefAction::Remove { dangling: false },
            Some(RefState::Renamed(n) | RefState::Pseudonym(n)) => RefAction::Rename(n.clone()),
            None if self.ix.refs.contains_key(r) || r.starts_with("urn:cdx:") => RefAction::Keep,
            None => RefAction::Remove { dangling: true },
        }
    }

    fn dangling(&mut self, ctx: &mut Ctx<'a, '_>, pos: usize, key: &str) {
        if self.dangling_reported.insert(pos) {
            ctx.problem(pos, &format!("`{key}` names a bom-ref that nothing in the SBOM declares; the reference was removed"));
            ctx.removed("dangling_refs", 1);
        }
    }

    fn root(
        &mut self,
        ctx: &mut Ctx<'a, '_>,
        root: &Node<'a>,
        original_sha256: &str,
    ) -> Result<(), Error> {
        let doc = ctx.doc;
        let Some(members) = root.members() else {
            return Ok(());
        };
        let mut ce = ContainerEdit::new(root.span(), members.iter().map(|m| m.span()).collect());
        let composition = self.removing.then(|| self.composition(root));
        let (mut meta, mut version, mut have_compositions) = (None, None, false);
        for m in members {
            let k = m.key();
            match k.as_ref() {
                "metadata" => meta = Some(&m.value),
                "version" => version = Some(&m.value),
                "compositions" if m.value.items().is_some() => {
                    have_compositions = true;
                    let append = match composition.clone() {
                        Some(_) if self.declared_by_existing(&doc, &m.value)? => None,
                        c => c,
                    };
                    self.array(ctx, &m.value, "compositions", "", append)?;
                }
                _ => self.value(ctx, &m.value, &k, "")?,
            }
        }
        if let (Some(c), false) = (&composition, have_compositions) {
            ce.push_member("compositions", json!([c]));
        }
        let mut slot = None;
        let meta = match meta {
            Some(m) => Some(full(&doc, m, &mut slot)?),
            None => None,
        };
        let meta_changes = match meta {
            Some(m) => {
                let snap = ctx.begin_dry_run();
                self.object(ctx, m, "metadata", "", None)?;
                ctx.end_dry_run(snap)
            }
            None => false,
        };
        if ctx.touched() || meta_changes || self.removing {
            let declaration = json!({
                "name": "secpack:redaction",
                "value": crate::declaration_text(&ctx.removed, &ctx.changed, original_sha256),
            });
            match meta {
                Some(m) => self.object(ctx, m, "metadata", "", Some(declaration))?,
                None => ce.push_member("metadata", json!({ "properties": [declaration] })),
            }
            ctx.changed("declaration_added", 1);
            if let Some(v @ Node::Number(_)) = version
                && let Ok(n) = doc.slice(v.span()).parse::<u64>()
            {
                ctx.edits.replace(v.span(), (n + 1).to_string());
                ctx.changed("bom_version", 1);
            }
        } else if let Some(m) = meta {
            self.object(ctx, m, "metadata", "", None)?;
        }
        ce.finish(&doc, &mut ctx.edits);
        Ok(())
    }

    /// Whether an existing composition about the SBOM's subject already says (or, after the
    /// `complete` -> `incomplete` rewrite, will say) that it is incomplete.
    fn declared_by_existing(&self, doc: &Doc<'a>, compositions: &Node<'a>) -> Result<bool, Error> {
        let subject = self
            .ix
            .entities
            .iter()
            .find(|e| e.kind == Kind::Subject)
            .and_then(|e| e.own_ref.as_deref());
        for item in compositions.items().unwrap_or_default() {
            let mut slot = None;
            let c = full(doc, item, &mut slot)?;
            let aggregate = c.get_str("aggregate").unwrap_or_default();
            if !(aggregate == "incomplete" || aggregate.starts_with("complete")) {
                continue;
            }
            let assemblies: Vec<Cow<'_, str>> = c
                .get("assemblies")
                .and_then(Node::items)
                .unwrap_or_default()
                .iter()
                .filter_map(Node::as_str)
                .collect();
            let covers = match subject {
                Some(s) => assemblies.iter().any(|a| a == s),
                None => assemblies.is_empty(),
            };
            if covers {
                return Ok(true);
            }
        }
        Ok(false)
    }

    fn composition(&self, root: &Node<'a>) -> Value {
        let subject = self
            .ix
            .entities
            .iter()
            .find(|e| e.kind == Kind::Subject)
            .and_then(|e| e.own_ref.as_ref());
        let _ = root;
        match subject.map(|r| match self.ix.states.get(r) {
            Some(RefState::Renamed(n)) => n.clone(),
            _ => r.to_string(),
        }) {
            Some(r) => json!({ "aggregate": "incomplete", "assemblies": [r] }),
            None => json!({ "aggregate": "incomplete" }),
        }
    }

    fn value(
        &mut self,
        ctx: &mut Ctx<'a, '_>,
        node: &Node<'a>,
        key: &str,
        parent_key: &str,
    ) -> Result<(), Error> {
        match node {
            Node::Lazy(span) => {
                let n = ctx.doc.expand(*span, ALL)?;
                self.value(ctx, &n, key, parent_key)
            }
            Node::Str(..) => {
                ctx.scrub(node, key);
                Ok(())
            }
            Node::Array(..) => self.array(ctx, node, key, parent_key, None),
            Node::Object(..) => self.object(ctx, node, key, parent_key, None),
            _ => Ok(()),
        }
    }

    fn array(
        &mut self,
        ctx: &mut Ctx<'a, '_>,
        node: &Node<'a>,
        key: &str,
        parent_key: &str,
        append: Option<Value>,
    ) -> Result<(), Error> {
        let doc = ctx.doc;
        let Some(items) = node.items() else {
            return self.value(ctx, node, key, parent_key);
        };
        let mut ce = ContainerEdit::new(node.span(), items.iter().map(Node::span).collect());
        for (i, item) in items.iter().enumerate() {
            let mut slot = None;
            let item = full(&doc, item, &mut slot)?;
            match item {
                Node::Str(..) if REF_ARRAYS.contains(&key) => {
                    let r = item.as_str().unwrap_or_default();
                    match self.ref_action(&r) {
                        RefAction::Keep => {}
                        RefAction::Rename(n) => ctx.set_str(item, &n),
                        RefAction::Remove { dangling } => {
                            ce.remove(i);
                            if dangling {
                                self.dangling(ctx, item.span().start, key);
                            } else {
                                ctx.removed(ref_counter(key), 1);
                            }
                        }
                    }
                }
                Node::Str(..) if ctx.strips_whole_url(&item.as_str().unwrap_or_default()) => {
                    ce.remove(i);
                    ctx.removed("urls", 1);
                }
                Node::Object(span, _) => {
                    if let Some(e) = self
                        .ix
                        .by_start
                        .get(&span.start)
                        .and_then(|&e| self.ix.entities.get(e).map(|x| (e, x)))
                    {
                        let (idx, ent) = e;
                        if ent.pseudo {
                            ctx.edits.replace(
                                *span,
                                serde_json::to_string(&self.stub(idx)).unwrap_or_default(),
                            );
                        } else if ent.removed {
                            ce.remove(i);
                        } else {
                            self.object(ctx, item, key, parent_key, None)?;
                        }
                        continue;
                    }
                    if self.drop_item(ctx, item, key) {
                        ce.remove(i);
                        continue;
                    }
                    self.object(ctx, item, key, parent_key, None)?;
                }
                _ => self.value(ctx, item, key, parent_key)?,
            }
        }
        if let Some(v) = append {
            ce.push_item(v);
        }
        ce.finish(&doc, &mut ctx.edits);
        Ok(())
    }

    /// Whether an object item of the array `key` goes (and count why).
    fn drop_item(&mut self, ctx: &mut Ctx<'a, '_>, item: &Node<'a>, key: &str) -> bool {
        let rules = ctx.rules;
        match key {
            "dependencies" | "affects" => {
                let Some(r) = item.get("ref") else {
                    return false;
                };
                let Some(rs) = r.as_str() else { return false };
                match self.ref_action(&rs) {
                    RefAction::Remove { dangling } => {
                        if dangling {
                            self.dangling(ctx, r.span().start, "ref");
                        } else {
                            ctx.removed(
                                if key == "affects" {
                                    "vulnerability_affects"
                                } else {
                                    "dependency_entries"
                                },
                                1,
                            );
                        }
                        true
                    }
                    _ => false,
                }
            }
            "vulnerabilities" | "annotations" => {
                let list = if key == "vulnerabilities" {
                    "affects"
                } else {
                    "subjects"
                };
                let refs: Vec<Cow<'_, str>> = match item.get(list).and_then(Node::items) {
                    Some(items) if !items.is_empty() => items
                        .iter()
                        .map(|a| {
                            if key == "vulnerabilities" {
                                a.get_str("ref")
                            } else {
                                a.as_str()
                            }
                            .unwrap_or_default()
                        })
                        .collect(),
                    _ => return false,
                };
                // About removed or pseudonymized components only: their text describes what
                // the rules hide, so the whole element goes.
                if refs.iter().all(|r| {
                    matches!(self.ref_action(r), RefAction::Remove { .. })
                        || matches!(self.ix.states.get(r.as_ref()), Some(RefState::Pseudonym(_)))
                }) {
                    ctx.removed(
                        if key == "vulnerabilities" {
                            "vulnerabilities"
                        } else {
                            "annotations"
                        },
                        1,
                    );
                    true
                } else {
                    false
                }
            }
            "properties" => {
                let name = item.get_str("name").unwrap_or_default();
                let by_name = ctx.strips_property(&name);
                let by_path = rules.strip_file_paths
                    && item.get_str("value").is_some_and(|v| scrub::has_path(&v));
                if by_name || by_path {
                    ctx.removed("properties", 1);
                }
                by_name || by_path
            }
            "advisories" => {
                let strip = item
                    .get_str("url")
                    .is_some_and(|u| ctx.strips_whole_url(&u));
                if strip {
                    ctx.removed("advisories", 1);
                }
                strip
            }
            "externalReferences" => {
                let strip = item.get_str("url").is_some_and(|u| ctx.strips_url(&u));
                if strip {
                    ctx.removed("external_references", 1);
                }
                strip
            }
            _ => false,
        }
    }

    fn object(
        &mut self,
        ctx: &mut Ctx<'a, '_>,
        node: &Node<'a>,
        key: &str,
        parent_key: &str,
        declare: Option<Value>,
    ) -> Result<(), Error> {
        let doc = ctx.doc;
        let Some(members) = node.members() else {
            return self.value(ctx, node, key, parent_key);
        };
        let rules = ctx.rules;
        let mut ce = ContainerEdit::new(node.span(), members.iter().map(|m| m.span()).collect());
        let mut declare = declare;
        for (i, m) in members.iter().enumerate() {
            let k = m.key();
            let v = &m.value;
            match k.as_ref() {
                "bom-ref" | "ref" if matches!(v, Node::Str(..)) => {
                    if let RefAction::Rename(n) = self.ref_action(&v.as_str().unwrap_or_default()) {
                        ctx.set_str(v, &n);
                    }
                }
                "author" | "authors" if rules.strip_authors => {
                    ce.remove(i);
                    ctx.removed("authors", 1);
                }
                "author" if rules.strip_emails && matches!(v, Node::Str(..)) => {
                    let (s, n) = scrub::emails(&v.as_str().unwrap_or_default()).to_owned_pair();
                    if n > 0 {
                        ctx.set_str(v, &s);
                        ctx.removed("emails", n);
                    }
                }
                _ if v.as_str().is_some_and(|u| ctx.strips_whole_url(&u)) => {
                    ce.remove(i);
                    ctx.removed("urls", 1);
                }
                "email" if rules.strip_emails => {
                    ce.remove(i);
                    ctx.removed("emails", 1);
                }
                "occurrences" | "callstack" if rules.strip_file_paths && key == "evidence" => {
                    ce.remove(i);
                    ctx.removed("evidence", 1);
                }
                "aggregate" if self.removing && key == "compositions" => {
                    if v.as_str().is_some_and(|a| a.starts_with("complete")) {
                        ctx.set_str(v, "incomplete");
                        ctx.changed("compositions_marked_incomplete", 1);
                    }
                }
                "properties" if declare.is_some() => {
                    self.array(ctx, v, "properties", key, declare.take())?;
                }
                _ => self.value(ctx, v, &k, key)?,
            }
        }
        if let Some(d) = declare {
            ce.push_member("properties", json!([d]));
        }
        ce.finish(&doc, &mut ctx.edits);
        Ok(())
    }

    /// The stub that replaces a pseudonymized component (with stubs of pseudonymized children).
    fn stub(&self, idx: usize) -> Value {
        let Some(e) = self.ix.entities.get(idx) else {
            return json!({});
        };
        let mut m = serde_json::Map::new();
        m.insert("type".into(), json!(e.ty.as_deref().unwrap_or("library")));
        if let Some(RefState::Pseudonym(r)) = e.own_ref.as_ref().and_then(|r| self.ix.states.get(r))
        {
            m.insert("bom-ref".into(), json!(r));
        }
        let name = match self.pseudo {
            Some(p) => format!("redacted-{}", p.tag("cyclonedx-name", &e.ident)),
            None => "redacted".to_string(),
        };
        m.insert("name".into(), json!(name));
        let children: Vec<Value> = self
            .ix
            .entities
            .iter()
            .enumerate()
            .filter(|(_, c)| c.parent == Some(idx) && c.pseudo)
            .map(|(i, _)| self.stub(i))
            .collect();
        if !children.is_empty() {
            m.insert("components".into(), Value::Array(children));
        }
        Value::Object(m)
    }
}

/// Whether two objects of the document are equal as JSON values (small objects only).
fn same_json(doc: &Doc<'_>, a: Span, b: Span) -> bool {
    let parse = |s: Span| serde_json::from_str::<Value>(doc.slice(s)).ok();
    match (parse(a), parse(b)) {
        (Some(x), Some(y)) => x == y,
        _ => false,
    }
}

fn ref_counter(key: &str) -> &'static str {
    match key {
        "dependsOn" | "provides" => "dependency_refs",
        "assemblies" | "dependencies" | "vulnerabilities" => "composition_refs",
        "subjects" => "annotation_subjects",
        _ => "refs",
    }
}

trait OwnedPair {
    fn to_owned_pair(self) -> (String, u64);
}

impl OwnedPair for (Cow<'_, str>, u64) {
    fn to_owned_pair(self) -> (String, u64) {
        (self.0.into_owned(), self.1)
    }
}
