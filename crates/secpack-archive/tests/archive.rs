#![allow(clippy::unwrap_used, clippy::panic)] // test code: a failed unwrap is a failed test
//! Integration tests: the archives are readable by standard tools and deterministic.

use std::io::Read;
use std::path::Path;
use std::process::Command;

use secpack_archive::{ArchiveFormat, PackageWriter, WriteError};

fn noise(len: usize, seed: u64) -> Vec<u8> {
    let mut x = seed | 1;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x as u8
        })
        .collect()
}

fn entries() -> Vec<(String, Vec<u8>)> {
    vec![
        ("CONTROLS_SUMMARY.md".into(), b"# Controls\n".repeat(50)),
        ("OVERVIEW.md".into(), b"# Overview\n".to_vec()),
        ("artifacts/evidence/blob.bin".into(), noise(200_000, 7)),
        ("artifacts/evidence/empty.txt".into(), Vec::new()),
        (
            format!("artifacts/evidence/{}.md", "long-name-".repeat(20)),
            b"long path\n".to_vec(),
        ),
        (
            "policies/SECURITY_CONTACT.md".into(),
            b"security@summit.example\n".to_vec(),
        ),
    ]
}

fn build(dir: &Path, mtime: i64) -> Vec<secpack_archive::WrittenArchive> {
    let mut w = PackageWriter::create(dir, "v1.2.3", mtime).unwrap();
    for (path, data) in entries() {
        w.add_bytes(&path, &data).unwrap();
    }
    w.finish().unwrap()
}

#[test]
fn byte_identical_across_runs_and_folders() {
    let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let first = build(a.path(), 1_700_000_000);
    let second = build(b.path(), 1_700_000_000);
    for (x, y) in first.iter().zip(&second) {
        assert_eq!(x.sha256, y.sha256, "{}", x.format);
        assert_eq!(
            std::fs::read(&x.path).unwrap(),
            std::fs::read(&y.path).unwrap()
        );
    }
    let other_time = build(tempfile::tempdir().unwrap().path(), 1_800_000_000);
    assert_ne!(
        first[0].sha256, other_time[0].sha256,
        "the commit time is in the archive"
    );
    // no temporary files left behind
    let names: Vec<_> = std::fs::read_dir(a.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names.len(), 2, "{names:?}");
}

#[test]
fn zip_reads_back_with_the_zip_crate() {
    let dir = tempfile::tempdir().unwrap();
    let written = build(dir.path(), 1_700_000_000);
    let zip_path = &written
        .iter()
        .find(|w| w.format == ArchiveFormat::Zip)
        .unwrap()
        .path;
    let mut archive = zip::ZipArchive::new(std::fs::File::open(zip_path).unwrap()).unwrap();
    let expected = entries();
    assert_eq!(archive.len(), expected.len());
    for (i, (path, data)) in expected.iter().enumerate() {
        let mut f = archive.by_index(i).unwrap();
        assert_eq!(
            f.name().unwrap(),
            format!("customer-security-package-v1.2.3/{path}")
        );
        assert_eq!(f.unix_mode(), Some(0o100644));
        assert!(
            f.extra_data().is_none_or(|e| e.is_empty()),
            "no extra fields"
        );
        let m = f.last_modified().unwrap();
        assert_eq!(
            (
                m.year(),
                m.month(),
                m.day(),
                m.hour(),
                m.minute(),
                m.second()
            ),
            (2023, 11, 14, 22, 13, 20)
        );
        if path.ends_with("blob.bin") {
            assert_eq!(
                f.compression(),
                zip::CompressionMethod::Stored,
                "noise is stored"
            );
        }
        let mut got = Vec::new();
        f.read_to_end(&mut got).unwrap();
        assert_eq!(&got, data, "{path}");
    }
}

#[test]
fn tar_gz_reads_back_with_the_tar_crate() {
    let dir = tempfile::tempdir().unwrap();
    let written = build(dir.path(), 1_700_000_000);
    let tgz = &written
        .iter()
        .find(|w| w.format == ArchiveFormat::TarGz)
        .unwrap()
        .path;
    let raw = std::fs::read(tgz).unwrap();
    assert_eq!(&raw[4..8], &[0, 0, 0, 0], "gzip mtime is zero");
    assert_eq!(raw[9], 255, "gzip OS byte is 'unknown'");
    let mut archive = tar::Archive::new(flate2::read::GzDecoder::new(&raw[..]));
    let mut got = Vec::new();
    for entry in archive.entries().unwrap() {
        let mut entry = entry.unwrap();
        let h = entry.header();
        assert_eq!(
            (
                h.mode().unwrap(),
                h.uid().unwrap(),
                h.gid().unwrap(),
                h.mtime().unwrap()
            ),
            (0o644, 0, 0, 1_700_000_000)
        );
        let path = entry.path().unwrap().to_string_lossy().into_owned();
        let mut data = Vec::new();
        entry.read_to_end(&mut data).unwrap();
        got.push((path, data));
    }
    let expected: Vec<_> = entries()
        .into_iter()
        .map(|(p, d)| (format!("customer-security-package-v1.2.3/{p}"), d))
        .collect();
    assert_eq!(got, expected);
}

#[test]
fn system_tools_accept_the_archives() {
    let dir = tempfile::tempdir().unwrap();
    let written = build(dir.path(), 1_700_000_000);
    for w in &written {
        let (cmd, args): (&str, Vec<&str>) = match w.format {
            ArchiveFormat::Zip => ("unzip", vec!["-tq"]),
            ArchiveFormat::TarGz => ("tar", vec!["-tzf"]),
        };
        match Command::new(cmd).args(&args).arg(&w.path).output() {
            Ok(out) => assert!(
                out.status.success(),
                "{cmd}: {}",
                String::from_utf8_lossy(&out.stderr)
            ),
            Err(e) if !secpack_testkit::in_ci() => {
                eprintln!("*** SKIPPED: {cmd} not runnable: {e} ***")
            }
            Err(e) => panic!("{cmd} is required under CI: {e}"),
        }
    }
}

#[test]
fn misuse_is_refused_and_leaves_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let mut w = PackageWriter::create(dir.path(), "v1.0.0", 0).unwrap();
    w.add_bytes("b.md", b"b").unwrap();
    assert!(matches!(
        w.add_bytes("a.md", b"a"),
        Err(WriteError::Order { .. })
    ));
    assert!(matches!(
        w.add_bytes("../x", b"a"),
        Err(WriteError::UnsafePath { .. })
    ));
    let err = w.add("c.md", 10, b"short", &mut &b"short"[..]).unwrap_err();
    assert!(
        matches!(
            err,
            WriteError::SizeMismatch {
                expected: 10,
                actual: 5,
                ..
            }
        ),
        "{err}"
    );
    let err = w
        .add("d.md", 2, b"longer", &mut &b"longer"[..])
        .unwrap_err();
    assert!(matches!(err, WriteError::SizeMismatch { .. }), "{err}");
    drop(w);
    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        0,
        "temporary files are removed"
    );
    let empty = PackageWriter::create(dir.path(), "v1.0.0", 0).unwrap();
    assert!(matches!(empty.finish(), Err(WriteError::Empty)));
}
