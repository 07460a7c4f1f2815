//! Entry name rules: what a safe package path looks like, and collisions between paths.

use std::collections::BTreeSet;

use secpack_archive::layout::MAX_PATH_LEN;

use crate::report::Code;

/// Longest full entry name (top folder + `/` + path) read at all.
pub(crate) const MAX_NAME_BYTES: usize = 2 * MAX_PATH_LEN;

type Rejection = (Code, String);

/// Split a raw entry name into its top folder and the path below it, or say why it is unsafe.
pub(crate) fn split(raw: &[u8]) -> Result<(&str, &str), Rejection> {
    if raw.len() > MAX_NAME_BYTES {
        return Err((
            Code::NameTooLong,
            format!("name of {} bytes, above {MAX_NAME_BYTES}", raw.len()),
        ));
    }
    if raw.contains(&0) {
        return Err((Code::NulInName, "NUL byte in the name".to_owned()));
    }
    let name = std::str::from_utf8(raw)
        .map_err(|_| (Code::NonUtf8Name, "name is not valid UTF-8".to_owned()))?;
    if name.contains('\\') {
        return Err((
            Code::Backslash,
            "backslash in the name (a path separator on Windows)".to_owned(),
        ));
    }
    let bytes = name.as_bytes();
    let drive = bytes.len() >= 2 && bytes[0].is_ascii_alphabetic() && bytes[1] == b':';
    if name.starts_with('/') || drive {
        return Err((Code::AbsolutePath, "absolute path".to_owned()));
    }
    if name.split('/').any(|seg| seg == "..") {
        return Err((
            Code::ParentTraversal,
            "`..` segment (would escape the extraction folder)".to_owned(),
        ));
    }
    if name.chars().any(char::is_control) {
        return Err((
            Code::ControlCharacter,
            "control character in the name".to_owned(),
        ));
    }
    if name.ends_with('/') {
        return Err((
            Code::Directory,
            "directory entry (the package stores files only)".to_owned(),
        ));
    }
    if name.split('/').any(|seg| seg.is_empty() || seg == ".") {
        return Err((
            Code::NonCanonicalPath,
            "empty or `.` path segment".to_owned(),
        ));
    }
    let Some((top, rel)) = name.split_once('/') else {
        return Err((
            Code::OutsideTopFolder,
            "file at the archive root, outside the top folder".to_owned(),
        ));
    };
    if rel.len() > MAX_PATH_LEN {
        return Err((
            Code::NameTooLong,
            format!(
                "path of {} bytes below the top folder, above {MAX_PATH_LEN}",
                rel.len()
            ),
        ));
    }
    Ok((top, rel))
}

/// The paths seen so far, exactly and case-folded, and the folders they imply.
#[derive(Debug, Default)]
pub(crate) struct NameSet {
    exact: BTreeSet<String>,
    folded: BTreeSet<String>,
    folded_dirs: BTreeSet<String>,
}

impl NameSet {
    pub(crate) fn len(&self) -> usize {
        self.exact.len()
    }

    /// Add a path relative to the top folder; reject duplicates, case-only duplicates and a
    /// path that is both a file and a folder.
    pub(crate) fn insert(&mut self, rel: &str) -> Result<(), Rejection> {
        if self.exact.contains(rel) {
            return Err((
                Code::DuplicateName,
                "the same path appears twice".to_owned(),
            ));
        }
        let folded = rel.to_lowercase();
        if self.folded.contains(&folded) {
            return Err((
                Code::CaseDuplicate,
                "another entry has the same path in a different letter case".to_owned(),
            ));
        }
        if self.folded_dirs.contains(&folded) {
            return Err((
                Code::PathConflict,
                "the path is also a folder of another entry".to_owned(),
            ));
        }
        let mut dirs = Vec::new();
        for (i, _) in folded.match_indices('/') {
            let dir = &folded[..i];
            if self.folded.contains(dir) {
                return Err((
                    Code::PathConflict,
                    format!("its folder `{dir}` is also a file"),
                ));
            }
            dirs.push(dir.to_owned());
        }
        self.folded_dirs.extend(dirs);
        self.exact.insert(rel.to_owned());
        self.folded.insert(folded);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(raw: &[u8], expected: Result<(&str, &str), Code>) {
        let got = split(raw).map_err(|(code, _)| code);
        assert_eq!(got, expected, "{:?}", String::from_utf8_lossy(raw));
    }

    #[test]
    fn names() {
        check(b"top/a/b.md", Ok(("top", "a/b.md")));
        check(b"top/../x", Err(Code::ParentTraversal));
        check(b"../x", Err(Code::ParentTraversal));
        check(b"/etc/passwd", Err(Code::AbsolutePath));
        check(b"C:/x", Err(Code::AbsolutePath));
        check(b"top\\x", Err(Code::Backslash));
        check(b"top/a\0b", Err(Code::NulInName));
        check(b"top/a\nb", Err(Code::ControlCharacter));
        check(b"top/dir/", Err(Code::Directory));
        check(b"top//a", Err(Code::NonCanonicalPath));
        check(b"top/./a", Err(Code::NonCanonicalPath));
        check(b"readme", Err(Code::OutsideTopFolder));
        check(b"top/\xff", Err(Code::NonUtf8Name));
        check(&[b'a'; MAX_NAME_BYTES + 1], Err(Code::NameTooLong));
        let long = format!("top/{}", "a".repeat(MAX_PATH_LEN + 1));
        check(long.as_bytes(), Err(Code::NameTooLong));
    }

    #[test]
    fn collisions() {
        let mut set = NameSet::default();
        assert_eq!(set.insert("a/b.md"), Ok(()));
        let code = |r: Result<(), Rejection>| r.map_err(|(c, _)| c);
        assert_eq!(code(set.insert("a/b.md")), Err(Code::DuplicateName));
        assert_eq!(code(set.insert("A/B.md")), Err(Code::CaseDuplicate));
        assert_eq!(code(set.insert("a")), Err(Code::PathConflict));
        assert_eq!(code(set.insert("A")), Err(Code::PathConflict));
        assert_eq!(code(set.insert("a/b.md/c")), Err(Code::PathConflict));
        assert_eq!(set.insert("a/c.md"), Ok(()));
        assert_eq!(set.len(), 2);
    }
}
