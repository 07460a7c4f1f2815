//! `third-party-licenses.txt`: license information aggregated from (redacted) SBOMs.

use std::collections::{BTreeMap, HashSet};
use std::fmt::Write as _;

use base64::Engine as _;

use crate::Error;
use crate::format::{Format, detect};
use crate::json::{ALL, Doc, Node, full, items_shallow};

#[derive(Debug, Default, Clone)]
struct Entry {
    name: String,
    version: String,
    purl: String,
    licenses: Vec<String>,
    texts: Vec<(String, String)>,
}

impl Entry {
    fn merge(&mut self, other: Entry) {
        for l in other.licenses {
            if !self.licenses.contains(&l) {
                self.licenses.push(l);
            }
        }
        for t in other.texts {
            if !self.texts.iter().any(|(_, text)| *text == t.1) {
                self.texts.push(t);
            }
        }
    }
}

/// Build the whole `third-party-licenses.txt` from one or more SBOMs (normally the redacted
/// ones, so that nothing removed comes back here).
///
/// One entry per component (CycloneDX, nested ones included, the described
/// `metadata.component` excluded) or package (SPDX, the packages the document DESCRIBES
/// excluded): name, version, purl, the license ids/names/expressions, and license texts when the
/// SBOM carries them (CycloneDX `license.text`, SPDX `hasExtractedLicensingInfos`). The same
/// component found in several SBOMs (same purl, or same name and version without purl) is listed
/// once. Components without license information are listed as such. The order is by name
/// (case-insensitive), version, purl, so the text is the same on every run.
pub fn licenses(sboms: &[&[u8]]) -> Result<String, Error> {
    let mut entries: BTreeMap<String, Entry> = BTreeMap::new();
    for (i, input) in sboms.iter().enumerate() {
        let wrap = |e: Error| Error::Input {
            index: i + 1,
            source: Box::new(e),
        };
        if input.len() as u64 > crate::DEFAULT_MAX_INPUT_BYTES {
            return Err(wrap(Error::TooLarge {
                size: input.len() as u64,
                limit: crate::DEFAULT_MAX_INPUT_BYTES,
            }));
        }
        let doc = Doc::new(input).map_err(wrap)?;
        let root = doc.root(2).map_err(wrap)?;
        let found = match detect(&doc, &root).map_err(wrap)? {
            Format::CycloneDx { .. } => cdx_entries(&doc, &root).map_err(wrap)?,
            Format::Spdx { .. } => spdx_entries(&doc, &root).map_err(wrap)?,
        };
        for e in found {
            // A purl identifies a package across tools; without one, name and version do.
            let key = if e.purl.is_empty() {
                format!("n:{}@{}", e.name, e.version)
            } else {
                format!("p:{}", e.purl)
            };
            match entries.get_mut(&key) {
                Some(existing) => existing.merge(e),
                None => {
                    entries.insert(key, e);
                }
            }
        }
    }
    let mut entries: Vec<Entry> = entries.into_values().collect();
    entries.sort_by(|a, b| {
        (a.name.to_lowercase(), &a.name, &a.version, &a.purl).cmp(&(
            b.name.to_lowercase(),
            &b.name,
            &b.version,
            &b.purl,
        ))
    });
    let without = entries.iter().filter(|e| e.licenses.is_empty()).count();
    let mut out = String::new();
    out.push_str("THIRD-PARTY LICENSES\n\n");
    let _ = writeln!(
        out,
        "Aggregated by secpack-sbom from {} software bill(s) of materials: {} components, {} without license information.",
        sboms.len(),
        entries.len(),
        without
    );
    out.push_str("Ordered by name, version and package URL.\n");
    for e in &entries {
        out.push_str(
            "\n================================================================================\n",
        );
        let _ = writeln!(
            out,
            "{}{}",
            e.name,
            if e.version.is_empty() {
                String::new()
            } else {
                format!(" {}", e.version)
            }
        );
        if !e.purl.is_empty() {
            let _ = writeln!(out, "purl: {}", e.purl);
        }
        if e.licenses.is_empty() {
            out.push_str("license: (no license information in the SBOM)\n");
        } else {
            let _ = writeln!(out, "license: {}", e.licenses.join(", "));
        }
        for (label, text) in &e.texts {
            let _ = writeln!(out, "\n--- license text: {label} ---\n{}", text.trim_end());
        }
    }
    Ok(out)
}

fn cdx_entries(doc: &Doc<'_>, root: &Node<'_>) -> Result<Vec<Entry>, Error> {
    let mut out = Vec::new();
    if let Some(list) = root.get("components") {
        cdx_components(doc, list, &mut out)?;
    }
    Ok(out)
}

fn cdx_components(doc: &Doc<'_>, list: &Node<'_>, out: &mut Vec<Entry>) -> Result<(), Error> {
    let mut slot = None;
    let list = items_shallow(doc, list, &mut slot)?;
    let Some(items) = list.items() else {
        return Err(doc.structure_error("components", list, "an array"));
    };
    for item in items {
        let mut slot = None;
        let c = full(doc, item, &mut slot)?;
        let mut e = Entry {
            name: match c.get_str("group") {
                Some(g) if !g.is_empty() => {
                    format!("{g}/{}", c.get_str("name").unwrap_or_default())
                }
                _ => c.get_str("name").unwrap_or_default().into_owned(),
            },
            version: c.get_str("version").unwrap_or_default().into_owned(),
            purl: c.get_str("purl").unwrap_or_default().into_owned(),
            ..Entry::default()
        };
        for l in c.get("licenses").and_then(Node::items).unwrap_or_default() {
            if let Some(x) = l.get_str("expression") {
                e.licenses.push(x.into_owned());
            }
            let Some(lic) = l.get("license") else {
                continue;
            };
            let label = lic.get_str("id").or_else(|| lic.get_str("name"));
            let Some(label) = label else { continue };
            let label = label.into_owned();
            if let Some(text) = lic.get("text") {
                let content = text.get_str("content").unwrap_or_default();
                let decoded = if text.get_str("encoding").as_deref() == Some("base64") {
                    base64::engine::general_purpose::STANDARD
                        .decode(content.as_bytes())
                        .ok()
                        .and_then(|b| String::from_utf8(b).ok())
                } else {
                    Some(content.into_owned())
                };
                if let Some(t) = decoded.filter(|t| !t.trim().is_empty()) {
                    e.texts.push((label.clone(), t));
                }
            }
            if !e.licenses.contains(&label) {
                e.licenses.push(label);
            }
        }
        out.push(e);
        if let Some(nested) = c.get("components") {
            cdx_components(doc, nested, out)?;
        }
    }
    Ok(())
}

fn spdx_entries(doc: &Doc<'_>, root: &Node<'_>) -> Result<Vec<Entry>, Error> {
    let mut described: HashSet<String> = HashSet::new();
    let doc_id = root.get_str("SPDXID").unwrap_or_default().into_owned();
    if let Some(d) = root.get("documentDescribes") {
        let d = doc.expand(d.span(), ALL)?;
        described.extend(
            d.items()
                .unwrap_or_default()
                .iter()
                .filter_map(|i| i.as_str().map(|s| s.into_owned())),
        );
    }
    if let Some(rels) = root.get("relationships") {
        let rels = doc.expand(rels.span(), ALL)?;
        for r in rels.items().unwrap_or_default() {
            if r.get_str("spdxElementId").as_deref() == Some(doc_id.as_str())
                && r.get_str("relationshipType").as_deref() == Some("DESCRIBES")
            {
                described.extend(r.get_str("relatedSpdxElement").map(|s| s.into_owned()));
            }
        }
    }
    let mut extracted: BTreeMap<String, String> = BTreeMap::new();
    if let Some(x) = root.get("hasExtractedLicensingInfos") {
        let x = doc.expand(x.span(), ALL)?;
        for l in x.items().unwrap_or_default() {
            if let (Some(id), Some(text)) = (l.get_str("licenseId"), l.get_str("extractedText")) {
                extracted.insert(id.into_owned(), text.into_owned());
            }
        }
    }
    let mut out = Vec::new();
    let Some(list) = root.get("packages") else {
        return Ok(out);
    };
    let mut slot = None;
    let list = items_shallow(doc, list, &mut slot)?;
    let Some(items) = list.items() else {
        return Err(doc.structure_error("packages", list, "an array"));
    };
    for item in items {
        let mut slot = None;
        let p = full(doc, item, &mut slot)?;
        if p.get_str("SPDXID")
            .is_some_and(|id| described.contains(id.as_ref()))
        {
            continue;
        }
        let purl = p
            .get("externalRefs")
            .and_then(Node::items)
            .unwrap_or_default()
            .iter()
            .find(|r| r.get_str("referenceType").as_deref() == Some("purl"))
            .and_then(|r| r.get_str("referenceLocator"))
            .unwrap_or_default()
            .into_owned();
        let mut e = Entry {
            name: p.get_str("name").unwrap_or_default().into_owned(),
            version: p.get_str("versionInfo").unwrap_or_default().into_owned(),
            purl,
            ..Entry::default()
        };
        let known = |f: &str| p.get_str(f).filter(|v| !v.is_empty() && v != "NOASSERTION");
        if let Some(l) = known("licenseDeclared").or_else(|| known("licenseConcluded")) {
            for id in l.split(|c: char| c.is_whitespace() || c == '(' || c == ')') {
                if let Some(text) = extracted.get(id) {
                    e.texts.push((id.to_string(), text.clone()));
                }
            }
            e.licenses.push(l.into_owned());
        }
        out.push(e);
    }
    Ok(out)
}
