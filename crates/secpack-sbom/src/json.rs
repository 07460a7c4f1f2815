//! A borrowed, lazily expanded view of a JSON document.
//!
//! The redaction never builds a whole-document value tree: it validates the input once, then
//! parses only the containers it looks into, as [`Node`]s that point back into the input by
//! byte [`Span`]. Edits are expressed on those spans (see `edit.rs`), so whatever no rule
//! touches is copied byte for byte: key order, number spelling, whitespace, unknown fields.

use std::borrow::Cow;

use crate::Error;

/// A half-open byte range of the input.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) struct Span {
    pub(crate) start: usize,
    pub(crate) end: usize,
}

/// A parsed JSON value. Containers deeper than the requested expansion level are [`Node::Lazy`].
#[derive(Debug)]
pub(crate) enum Node<'a> {
    Null(Span),
    Bool(Span),
    Number(Span),
    /// The raw string content between the quotes, escapes intact.
    Str(Span, &'a str),
    Array(Span, Vec<Node<'a>>),
    Object(Span, Vec<Member<'a>>),
    /// A container that was skipped; `doc.expand` parses it.
    Lazy(Span),
}

/// One `"key": value` pair of an object.
#[derive(Debug)]
pub(crate) struct Member<'a> {
    /// The raw key between the quotes, escapes intact.
    pub(crate) key_raw: &'a str,
    /// Whether the raw key has an escape (then comparisons unescape it first).
    pub(crate) key_escaped: bool,
    pub(crate) key_span: Span,
    pub(crate) value: Node<'a>,
}

impl<'a> Member<'a> {
    pub(crate) fn key(&self) -> Cow<'a, str> {
        unescape(self.key_raw)
    }

    /// Whether the (unescaped) key is `key`, without allocating in the common case.
    pub(crate) fn key_is(&self, key: &str) -> bool {
        if self.key_escaped {
            self.key() == key
        } else {
            self.key_raw == key
        }
    }

    /// From the key's opening quote to the end of the value.
    pub(crate) fn span(&self) -> Span {
        Span {
            start: self.key_span.start,
            end: self.value.span().end,
        }
    }
}

impl<'a> Node<'a> {
    pub(crate) fn span(&self) -> Span {
        match self {
            Node::Null(s) | Node::Bool(s) | Node::Number(s) | Node::Lazy(s) => *s,
            Node::Str(s, _) | Node::Array(s, _) | Node::Object(s, _) => *s,
        }
    }

    /// The JSON type, for error messages.
    pub(crate) fn kind(&self, doc: &Doc<'_>) -> &'static str {
        match self {
            Node::Null(_) => "null",
            Node::Bool(_) => "a boolean",
            Node::Number(_) => "a number",
            Node::Str(..) => "a string",
            Node::Array(..) => "an array",
            Node::Object(..) => "an object",
            Node::Lazy(s) => match doc.text.as_bytes().get(s.start) {
                Some(b'[') => "an array",
                _ => "an object",
            },
        }
    }

    /// The unescaped string value, if this is a string.
    pub(crate) fn as_str(&self) -> Option<Cow<'a, str>> {
        match self {
            Node::Str(_, raw) => Some(unescape(raw)),
            _ => None,
        }
    }

    /// The members, if this is an expanded object.
    pub(crate) fn members(&self) -> Option<&[Member<'a>]> {
        match self {
            Node::Object(_, m) => Some(m),
            _ => None,
        }
    }

    /// The items, if this is an expanded array.
    pub(crate) fn items(&self) -> Option<&[Node<'a>]> {
        match self {
            Node::Array(_, items) => Some(items),
            _ => None,
        }
    }

    /// The member value for `key`, if this is an expanded object that has it.
    pub(crate) fn get(&self, key: &str) -> Option<&Node<'a>> {
        self.members()?
            .iter()
            .find(|m| m.key_is(key))
            .map(|m| &m.value)
    }

    /// The string member `key`, unescaped.
    pub(crate) fn get_str(&self, key: &str) -> Option<Cow<'a, str>> {
        self.get(key).and_then(Node::as_str)
    }
}

/// Unescape the raw content of a JSON string (borrowed when it has no escapes).
pub(crate) fn unescape(raw: &str) -> Cow<'_, str> {
    if !raw.contains('\\') {
        return Cow::Borrowed(raw);
    }
    // The document was validated up front, so this parse cannot fail; fall back to the raw
    // text rather than panicking if it ever did.
    match serde_json::from_str::<String>(&format!("\"{raw}\"")) {
        Ok(s) => Cow::Owned(s),
        Err(_) => Cow::Borrowed(raw),
    }
}

/// JSON text of a string value (with quotes).
pub(crate) fn quote(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| String::from("\"\""))
}

/// A validated JSON document.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Doc<'a> {
    pub(crate) text: &'a str,
}

/// Expand every level.
pub(crate) const ALL: usize = usize::MAX;
/// serde_json's default recursion limit; we refuse anything deeper ourselves as well.
const MAX_DEPTH: usize = 128;

impl<'a> Doc<'a> {
    /// Check that `input` is one UTF-8 JSON value, not deeper than the parser's limit.
    pub(crate) fn new(input: &'a [u8]) -> Result<Doc<'a>, Error> {
        let doc = Doc::unchecked(input)?;
        doc.validate()?;
        Ok(doc)
    }

    /// The document after the UTF-8 check only. The scanner never panics and bounds its
    /// recursion on any input, so work may start on it while [`Doc::validate`] runs elsewhere;
    /// a validation error then wins over whatever that work produced.
    pub(crate) fn unchecked(input: &'a [u8]) -> Result<Doc<'a>, Error> {
        match std::str::from_utf8(input) {
            Ok(text) => Ok(Doc { text }),
            Err(e) => {
                let (line, column) = line_col(
                    &String::from_utf8_lossy(input.get(..e.valid_up_to()).unwrap_or_default()),
                    e.valid_up_to(),
                );
                Err(Error::NotJson {
                    message: "invalid UTF-8".to_string(),
                    line,
                    column,
                })
            }
        }
    }

    /// Check that the text is one JSON value, not nested deeper than the limit.
    pub(crate) fn validate(&self) -> Result<(), Error> {
        if let Err(e) = serde_json::from_str::<serde::de::IgnoredAny>(self.text) {
            let message = e.to_string();
            let message = match message.find(" at line ") {
                Some(i) => message.get(..i).unwrap_or(&message).to_string(),
                None => message,
            };
            return Err(Error::NotJson {
                message,
                line: e.line(),
                column: e.column(),
            });
        }
        if let Some(pos) = too_deep(self.text.as_bytes()) {
            let (line, column) = self.line_col(pos);
            return Err(Error::TooDeep { line, column });
        }
        Ok(())
    }

    /// Parse the root value, expanding `levels` levels of containers.
    pub(crate) fn root(&self, levels: usize) -> Result<Node<'a>, Error> {
        let mut s = Scanner {
            doc: *self,
            b: self.text.as_bytes(),
            pos: 0,
        };
        s.ws();
        s.value(levels, 0)
    }

    /// Parse the value at `span` (usually a [`Node::Lazy`]) expanding `levels` levels.
    pub(crate) fn expand(&self, span: Span, levels: usize) -> Result<Node<'a>, Error> {
        let mut s = Scanner {
            doc: *self,
            b: self.text.as_bytes(),
            pos: span.start,
        };
        s.value(levels, 0)
    }

    /// 1-based line and column of a byte offset.
    pub(crate) fn line_col(&self, pos: usize) -> (usize, usize) {
        line_col(self.text, pos)
    }

    pub(crate) fn slice(&self, span: Span) -> &'a str {
        self.text.get(span.start..span.end).unwrap_or_default()
    }

    pub(crate) fn structure_error(
        &self,
        field: impl Into<String>,
        node: &Node<'_>,
        expected: &'static str,
    ) -> Error {
        let (line, column) = self.line_col(node.span().start);
        Error::Structure {
            field: field.into(),
            expected,
            found: node.kind(self),
            line,
            column,
        }
    }
}

/// Position of the first bracket that opens level `MAX_DEPTH`, if any (input is valid JSON).
fn too_deep(b: &[u8]) -> Option<usize> {
    let mut depth = 0usize;
    let mut pos = 0;
    while let Some(i) = memchr::memchr3(b'"', b'[', b'{', b.get(pos..)?).map(|i| i + pos) {
        // Close brackets between pos and i lower the depth.
        depth = depth.saturating_sub(
            b.get(pos..i)?
                .iter()
                .filter(|&&c| c == b']' || c == b'}')
                .count(),
        );
        match b.get(i) {
            Some(b'"') => {
                let mut j = i + 1;
                loop {
                    match memchr::memchr2(b'"', b'\\', b.get(j..)?) {
                        Some(k) if b.get(j + k) == Some(&b'"') => {
                            j += k + 1;
                            break;
                        }
                        Some(k) => j += k + 2,
                        None => return None,
                    }
                }
                pos = j;
            }
            _ => {
                depth += 1;
                if depth >= MAX_DEPTH {
                    return Some(i);
                }
                pos = i + 1;
            }
        }
    }
    None
}

fn line_col(text: &str, pos: usize) -> (usize, usize) {
    let before = text.get(..pos).unwrap_or(text);
    let line = memchr::memchr_iter(b'\n', before.as_bytes()).count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before
        .get(line_start..)
        .map_or(1, |l| l.chars().count() + 1);
    (line, column)
}

/// `node` with nothing lazy left below it: re-parsed when it is lazy or has a lazy child (the
/// first levels of `Doc::root`); `slot` keeps the expansion alive. For small nodes only: big
/// arrays are walked item by item with [`items_shallow`].
pub(crate) fn full<'n, 'a>(
    doc: &Doc<'a>,
    node: &'n Node<'a>,
    slot: &'n mut Option<Node<'a>>,
) -> Result<&'n Node<'a>, Error> {
    let lazy_child = match node {
        Node::Lazy(_) => true,
        Node::Array(_, items) => items.iter().any(|i| matches!(i, Node::Lazy(_))),
        Node::Object(_, members) => members.iter().any(|m| matches!(m.value, Node::Lazy(_))),
        _ => false,
    };
    if lazy_child {
        Ok(slot.insert(doc.expand(node.span(), ALL)?))
    } else {
        Ok(node)
    }
}

/// `node` as an array whose items may still be lazy (one level expanded at most).
pub(crate) fn items_shallow<'n, 'a>(
    doc: &Doc<'a>,
    node: &'n Node<'a>,
    slot: &'n mut Option<Node<'a>>,
) -> Result<&'n Node<'a>, Error> {
    match node {
        Node::Lazy(span) => Ok(slot.insert(doc.expand(*span, 1)?)),
        _ => Ok(node),
    }
}

/// The bytes `skip_container` stops at.
static STRUCTURAL: [bool; 256] = {
    let mut t = [false; 256];
    t[b'"' as usize] = true;
    t[b'[' as usize] = true;
    t[b']' as usize] = true;
    t[b'{' as usize] = true;
    t[b'}' as usize] = true;
    t
};

struct Scanner<'a> {
    doc: Doc<'a>,
    b: &'a [u8],
    pos: usize,
}

impl<'a> Scanner<'a> {
    /// The input was validated, so this only fires on a bug; it never panics.
    fn bug(&self, what: &str) -> Error {
        let (line, column) = self.doc.line_col(self.pos);
        Error::Internal(format!(
            "json scanner: {what} at line {line} column {column}"
        ))
    }

    fn ws(&mut self) {
        while let Some(c) = self.b.get(self.pos) {
            if matches!(c, b' ' | b'\n' | b'\r' | b'\t') {
                self.pos += 1;
            } else {
                break;
            }
        }
    }

    fn eat(&mut self, c: u8) -> Result<(), Error> {
        if self.b.get(self.pos) == Some(&c) {
            self.pos += 1;
            Ok(())
        } else {
            Err(self.bug(&format!("expected '{}'", c as char)))
        }
    }

    fn value(&mut self, levels: usize, depth: usize) -> Result<Node<'a>, Error> {
        if depth > MAX_DEPTH {
            let (line, column) = self.doc.line_col(self.pos);
            return Err(Error::TooDeep { line, column });
        }
        let start = self.pos;
        match self.b.get(self.pos) {
            Some(b'"') => {
                let raw = self.string()?;
                Ok(Node::Str(
                    Span {
                        start,
                        end: self.pos,
                    },
                    raw,
                ))
            }
            Some(b'{' | b'[') if levels == 0 => {
                self.skip_container()?;
                Ok(Node::Lazy(Span {
                    start,
                    end: self.pos,
                }))
            }
            Some(b'{') => self.object(levels, depth),
            Some(b'[') => self.array(levels, depth),
            Some(b'n') => self.literal("null").map(Node::Null),
            Some(b't') => self.literal("true").map(Node::Bool),
            Some(b'f') => self.literal("false").map(Node::Bool),
            Some(b'-' | b'0'..=b'9') => {
                while let Some(c) = self.b.get(self.pos) {
                    if matches!(c, b'-' | b'+' | b'.' | b'e' | b'E' | b'0'..=b'9') {
                        self.pos += 1;
                    } else {
                        break;
                    }
                }
                Ok(Node::Number(Span {
                    start,
                    end: self.pos,
                }))
            }
            _ => Err(self.bug("expected a value")),
        }
    }

    fn literal(&mut self, word: &str) -> Result<Span, Error> {
        let start = self.pos;
        if self.b.get(start..start + word.len()) == Some(word.as_bytes()) {
            self.pos += word.len();
            Ok(Span {
                start,
                end: self.pos,
            })
        } else {
            Err(self.bug("bad literal"))
        }
    }

    /// At a `"`: returns the raw content and moves past the closing quote.
    fn string(&mut self) -> Result<&'a str, Error> {
        self.eat(b'"')?;
        let start = self.pos;
        loop {
            let rest = self.b.get(self.pos..).unwrap_or_default();
            match memchr::memchr2(b'"', b'\\', rest) {
                Some(i) if rest.get(i) == Some(&b'"') => {
                    let end = self.pos + i;
                    self.pos = end + 1;
                    return self
                        .doc
                        .text
                        .get(start..end)
                        .ok_or_else(|| self.bug("string is not on a character boundary"));
                }
                Some(i) => self.pos += i + 2,
                None => return Err(self.bug("unterminated string")),
            }
        }
    }

    fn skip_container(&mut self) -> Result<(), Error> {
        let mut depth = 0usize;
        loop {
            let rest = self.b.get(self.pos..).unwrap_or_default();
            let Some(i) = rest.iter().position(|&c| STRUCTURAL[usize::from(c)]) else {
                return Err(self.bug("unterminated container"));
            };
            self.pos += i;
            match self.b.get(self.pos) {
                Some(b'"') => {
                    self.string()?;
                    continue;
                }
                Some(b'[' | b'{') => depth += 1,
                _ => {
                    depth = depth.saturating_sub(1);
                    if depth == 0 {
                        self.pos += 1;
                        return Ok(());
                    }
                }
            }
            self.pos += 1;
        }
    }

    fn object(&mut self, levels: usize, depth: usize) -> Result<Node<'a>, Error> {
        let start = self.pos;
        self.eat(b'{')?;
        let mut members: Vec<Member<'a>> = Vec::new();
        self.ws();
        if self.b.get(self.pos) == Some(&b'}') {
            self.pos += 1;
            return Ok(Node::Object(
                Span {
                    start,
                    end: self.pos,
                },
                members,
            ));
        }
        loop {
            self.ws();
            let key_start = self.pos;
            let key_raw = self.string()?;
            let key_escaped = key_raw.contains('\\');
            let key_span = Span {
                start: key_start,
                end: self.pos,
            };
            if members.iter().any(|m| m.key_raw == key_raw)
                || (key_escaped && members.iter().any(|m| m.key() == unescape(key_raw)))
            {
                let (line, column) = self.doc.line_col(key_start);
                return Err(Error::DuplicateKey {
                    key: unescape(key_raw).into_owned(),
                    line,
                    column,
                });
            }
            self.ws();
            self.eat(b':')?;
            self.ws();
            let value = self.value(levels.saturating_sub(1), depth + 1)?;
            members.push(Member {
                key_raw,
                key_escaped,
                key_span,
                value,
            });
            self.ws();
            match self.b.get(self.pos) {
                Some(b',') => self.pos += 1,
                Some(b'}') => {
                    self.pos += 1;
                    return Ok(Node::Object(
                        Span {
                            start,
                            end: self.pos,
                        },
                        members,
                    ));
                }
                _ => return Err(self.bug("expected ',' or '}'")),
            }
        }
    }

    fn array(&mut self, levels: usize, depth: usize) -> Result<Node<'a>, Error> {
        let start = self.pos;
        self.eat(b'[')?;
        let mut items = Vec::new();
        self.ws();
        if self.b.get(self.pos) == Some(&b']') {
            self.pos += 1;
            return Ok(Node::Array(
                Span {
                    start,
                    end: self.pos,
                },
                items,
            ));
        }
        loop {
            self.ws();
            items.push(self.value(levels.saturating_sub(1), depth + 1)?);
            self.ws();
            match self.b.get(self.pos) {
                Some(b',') => self.pos += 1,
                Some(b']') => {
                    self.pos += 1;
                    return Ok(Node::Array(
                        Span {
                            start,
                            end: self.pos,
                        },
                        items,
                    ));
                }
                _ => return Err(self.bug("expected ',' or ']'")),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lazy_levels_and_spans() {
        let text = r#" {"a": [1, {"b": "x\"y"}], "c": {"d": null}} "#;
        let doc = Doc::new(text.as_bytes()).expect("valid");
        let root = doc.root(1).expect("parse");
        let a = root.get("a").expect("a");
        assert!(matches!(a, Node::Lazy(_)));
        assert_eq!(doc.slice(a.span()), r#"[1, {"b": "x\"y"}]"#);
        let a = doc.expand(a.span(), ALL).expect("expand");
        let b = a
            .items()
            .and_then(|i| i.get(1))
            .and_then(|o| o.get_str("b"));
        assert_eq!(b.as_deref(), Some("x\"y"));
    }

    #[test]
    fn duplicate_keys_are_errors() {
        let doc = Doc::new(br#"{"a": 1, "\u0061": 2}"#).expect("valid json");
        match doc.root(ALL) {
            Err(Error::DuplicateKey {
                key,
                line: 1,
                column: 10,
            }) => assert_eq!(key, "a"),
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn invalid_inputs() {
        for (input, want) in [
            (&b"{\"a\": "[..], "EOF while parsing a value"),
            (b"nope", "expected ident"),
            (b"{} {}", "trailing characters"),
            (b"\xff", "invalid UTF-8"),
        ] {
            match Doc::new(input) {
                Err(Error::NotJson { message, .. }) => assert_eq!(message, want),
                other => panic!("unexpected {other:?}"),
            }
        }
        let deep = "[".repeat(200) + &"]".repeat(200);
        assert!(matches!(
            Doc::new(deep.as_bytes()),
            Err(Error::TooDeep { line: 1, .. })
        ));
    }
}
