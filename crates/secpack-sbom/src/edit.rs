//! Byte-span edits on the input text: everything outside an edit is copied unchanged.

use crate::Error;
use crate::json::{Doc, Span};

#[derive(Debug)]
struct Edit {
    start: usize,
    end: usize,
    text: String,
}

/// A set of non-overlapping replacements of input byte ranges.
#[derive(Debug, Default)]
pub(crate) struct Edits {
    list: Vec<Edit>,
}

impl Edits {
    pub(crate) fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    pub(crate) fn replace(&mut self, span: Span, text: String) {
        self.list.push(Edit {
            start: span.start,
            end: span.end,
            text,
        });
    }

    fn delete(&mut self, start: usize, end: usize) {
        if end > start {
            self.list.push(Edit {
                start,
                end,
                text: String::new(),
            });
        }
    }

    fn insert(&mut self, at: usize, text: String) {
        self.list.push(Edit {
            start: at,
            end: at,
            text,
        });
    }

    /// Replace `from` by `to` in the text of every edit (late-bound values such as the digest
    /// of the input, computed while the edits were being made).
    pub(crate) fn patch(&mut self, from: &str, to: &str) {
        for e in &mut self.list {
            if e.text.contains(from) {
                e.text = e.text.replace(from, to);
            }
        }
    }

    /// Apply all edits to `input`. Overlapping edits are a bug in the caller: error, no output.
    pub(crate) fn apply(mut self, input: &str) -> Result<String, Error> {
        self.list.sort_by_key(|e| (e.start, e.end));
        let added: usize = self.list.iter().map(|e| e.text.len()).sum();
        let mut out = String::with_capacity(input.len() + added);
        let mut pos = 0;
        for e in &self.list {
            if e.start < pos {
                return Err(Error::Internal(format!(
                    "overlapping edits at byte {} (previous edit ends at {pos})",
                    e.start
                )));
            }
            out.push_str(input.get(pos..e.start).ok_or_else(|| bad_span(e.start))?);
            out.push_str(&e.text);
            pos = e.end;
        }
        out.push_str(input.get(pos..).ok_or_else(|| bad_span(pos))?);
        Ok(out)
    }
}

fn bad_span(at: usize) -> Error {
    Error::Internal(format!("edit at byte {at} is not on a character boundary"))
}

/// Removes and appends elements of one array or object while keeping the separators tidy.
///
/// Elements are given as spans (for object members: from the key to the end of the value).
/// Edits inside kept elements may be made independently; edits inside removed elements must not.
#[derive(Debug)]
pub(crate) struct ContainerEdit {
    span: Span,
    elems: Vec<Span>,
    remove: Vec<bool>,
    append: Vec<serde_json::Value>,
    append_keys: Vec<String>,
}

impl ContainerEdit {
    pub(crate) fn new(span: Span, elems: Vec<Span>) -> ContainerEdit {
        let remove = vec![false; elems.len()];
        ContainerEdit {
            span,
            elems,
            remove,
            append: Vec::new(),
            append_keys: Vec::new(),
        }
    }

    pub(crate) fn remove(&mut self, i: usize) {
        if let Some(r) = self.remove.get_mut(i) {
            *r = true;
        }
    }

    pub(crate) fn is_removed(&self, i: usize) -> bool {
        self.remove.get(i).copied().unwrap_or(false)
    }

    pub(crate) fn kept(&self) -> usize {
        self.remove.iter().filter(|r| !**r).count()
    }

    /// Append an array item.
    pub(crate) fn push_item(&mut self, value: serde_json::Value) {
        self.append.push(value);
    }

    /// Append an object member.
    pub(crate) fn push_member(&mut self, key: &str, value: serde_json::Value) {
        self.append_keys.push(key.to_string());
        self.append.push(value);
    }

    pub(crate) fn finish(self, doc: &Doc<'_>, edits: &mut Edits) {
        let last_kept = (0..self.elems.len()).rev().find(|&i| !self.is_removed(i));
        // Removals: an element before the last kept one takes the text up to the next element;
        // everything after the last kept one goes in one piece from its end.
        for (i, span) in self.elems.iter().enumerate() {
            if !self.is_removed(i) {
                continue;
            }
            match last_kept {
                Some(l) if i < l => {
                    let next = self.elems.get(i + 1).map_or(span.end, |s| s.start);
                    edits.delete(span.start, next);
                }
                _ => {}
            }
        }
        let tail_start = match last_kept {
            Some(l) => self.elems.get(l).map(|s| s.end),
            None => self.elems.first().map(|s| s.start),
        };
        if last_kept.is_none() && !self.elems.is_empty() && self.append.is_empty() {
            // Everything goes: leave an empty container, `[]` or `{}`.
            edits.delete(self.span.start + 1, self.span.end.saturating_sub(1));
            return;
        }
        if let (Some(start), Some(last)) = (tail_start, self.elems.last())
            && last_kept != Some(self.elems.len() - 1)
        {
            edits.delete(start, last.end);
        }
        if self.append.is_empty() {
            return;
        }
        // Layout of the new elements: copy the whitespace before the first element.
        let sep = match self.elems.first() {
            Some(first) => {
                let ws = doc.slice(Span {
                    start: self.span.start + 1,
                    end: first.start,
                });
                if ws.chars().all(char::is_whitespace) {
                    ws.to_string()
                } else {
                    String::new()
                }
            }
            None => String::new(),
        };
        let indent = sep.rsplit('\n').next().unwrap_or_default().to_string();
        let pretty = sep.contains('\n');
        let mut texts = Vec::new();
        let keyed = !self.append_keys.is_empty();
        for (i, v) in self.append.iter().enumerate() {
            let body = if pretty {
                let p = serde_json::to_string_pretty(v).unwrap_or_default();
                p.replace('\n', &format!("\n{indent}"))
            } else {
                serde_json::to_string(v).unwrap_or_default()
            };
            let text = match (keyed, self.append_keys.get(i)) {
                (true, Some(k)) => format!("{}: {body}", crate::json::quote(k)),
                _ => body,
            };
            texts.push(text);
        }
        match last_kept.and_then(|l| self.elems.get(l)) {
            Some(last) => {
                let sep = if sep.is_empty() { " ".to_string() } else { sep };
                let text: String = texts.iter().map(|t| format!(",{sep}{t}")).collect();
                edits.insert(last.end, text);
            }
            None => {
                let joined = texts.join(&format!(",{}", if sep.is_empty() { " " } else { &sep }));
                let text = if self.elems.is_empty() {
                    joined
                } else {
                    format!("{sep}{joined}")
                };
                let text = if self.elems.is_empty() || sep.is_empty() {
                    text
                } else {
                    // All old elements are deleted from the first one's start; keep their layout.
                    text.trim_start().to_string()
                };
                let at = match self.elems.first() {
                    Some(first) => first.start,
                    None => self.span.start + 1,
                };
                edits.insert(at, text);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::json::{ALL, Node};

    fn check(input: &str, remove: &[usize], append: &[&str], expected: &str) {
        let doc = Doc::new(input.as_bytes()).expect("valid");
        let root = doc.root(ALL).expect("parse");
        let elems: Vec<Span> = match &root {
            Node::Array(_, items) => items.iter().map(Node::span).collect(),
            Node::Object(_, members) => members.iter().map(|m| m.span()).collect(),
            _ => panic!("container expected"),
        };
        let mut ce = ContainerEdit::new(root.span(), elems);
        for &i in remove {
            ce.remove(i);
        }
        for a in append {
            let v: serde_json::Value = serde_json::from_str(a).expect("json");
            if matches!(root, Node::Object(..)) {
                ce.push_member("k", v);
            } else {
                ce.push_item(v);
            }
        }
        let mut edits = Edits::default();
        ce.finish(&doc, &mut edits);
        let out = edits.apply(input).expect("apply");
        assert_eq!(out, expected);
        serde_json::from_str::<serde_json::Value>(&out).expect("output is json");
    }

    #[test]
    fn removals_keep_separators_valid() {
        check("[1, 2, 3, 4]", &[1], &[], "[1, 3, 4]");
        check("[1, 2, 3, 4]", &[2, 3], &[], "[1, 2]");
        check("[1, 2, 3, 4]", &[0, 1, 2, 3], &[], "[]");
        check("[1, 2, 3, 4]", &[0, 3], &[], "[2, 3]");
        check("[1,2]", &[0], &[], "[2]");
        check("[\n  1,\n  2\n]", &[1], &[], "[\n  1\n]");
        check("[\n  1,\n  2\n]", &[0, 1], &[], "[]");
        check(r#"{"a": 1, "b": 2}"#, &[0], &[], r#"{"b": 2}"#);
        check(r#"{"a": 1, "b": 2}"#, &[1], &[], r#"{"a": 1}"#);
    }

    #[test]
    fn appends_follow_layout() {
        check("[]", &[], &["1"], "[1]");
        check("[1, 2]", &[], &["3"], "[1, 2, 3]");
        check("[1, 2]", &[0, 1], &["3"], "[3]");
        check(
            "[\n  1\n]",
            &[],
            &["{\"a\":1}"],
            "[\n  1,\n  {\n    \"a\": 1\n  }\n]",
        );
        check("{\n  \"a\": 1\n}", &[0], &["2"], "{\n  \"k\": 2\n}");
        check("{}", &[], &["2"], "{\"k\": 2}");
    }
}
