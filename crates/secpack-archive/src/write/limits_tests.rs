//! The writer with lowered limits: ZIP64 fields, ZIP64 end records and multi-chunk entries
//! from inputs of a few kilobytes, checked with the zip crate, Python's `zipfile` and
//! `tarfile`, and `unzip -t`.

use std::io::Read;
use std::path::Path;
use std::process::Command;

use super::*;

const LIMITS: Limits = Limits {
    chunk: 1024,
    zip64: Zip64Limits {
        bytes: 3000,
        entries: 5,
    },
};

use secpack_testkit::noise;

/// Sizes around the lowered limits: one-chunk, multi-chunk, stored and deflated.
fn entries() -> Vec<(String, Vec<u8>)> {
    vec![
        ("a-small.md".into(), b"# small\n".to_vec()),
        ("b-text.md".into(), b"evidence line for ZIP64\n".repeat(250)),
        ("c-noise.bin".into(), noise(4000, 3)),
        ("d-exact.md".into(), b"x".repeat(1024)),
        ("e-empty.txt".into(), Vec::new()),
        ("f-late.md".into(), b"offset beyond the limit\n".to_vec()),
    ]
}

fn build(dir: &Path, threads: usize) -> Vec<WrittenArchive> {
    let options = WriterOptions::default().with_threads(threads);
    let mut w =
        PackageWriter::create_limited(dir, "v9.9.9", 1_700_000_000, &options, LIMITS).unwrap();
    for (path, data) in entries() {
        w.add_bytes(&path, &data).unwrap();
    }
    w.finish().unwrap()
}

/// (name, ZIP64 extra field present, local header offset) of every central header.
fn central_headers(zip: &[u8]) -> Vec<(String, bool, u64)> {
    let u16_at = |i: usize| u64::from(u16::from_le_bytes([zip[i], zip[i + 1]]));
    let u32_at = |i: usize| u64::from(u32::from_le_bytes(zip[i..i + 4].try_into().unwrap()));
    let mut out = Vec::new();
    let mut i = 0;
    while let Some(pos) = zip[i..].windows(4).position(|w| w == b"PK\x01\x02") {
        let at = i + pos;
        let name_len = u16_at(at + 28) as usize;
        let extra_len = u16_at(at + 30) as usize;
        let name = String::from_utf8(zip[at + 46..at + 46 + name_len].to_vec()).unwrap();
        let extra = &zip[at + 46 + name_len..at + 46 + name_len + extra_len];
        let mut offset = u32_at(at + 42);
        if offset == 0xFFFF_FFFF {
            offset = u64::from_le_bytes(extra[extra.len() - 8..].try_into().unwrap());
        }
        out.push((name, extra.starts_with(&[1, 0]), offset));
        i = at + 46;
    }
    out
}

#[test]
fn zip64_fields_and_records_where_the_lowered_limits_need_them() {
    let dir = tempfile::tempdir().unwrap();
    let written = build(dir.path(), 1);
    let zip = std::fs::read(&written[0].path).unwrap();

    let headers = central_headers(&zip);
    assert_eq!(headers.len(), 6);
    for (name, has_zip64, offset) in &headers {
        // b-text is deflated in three chunks whose worst case passes 3000 bytes; c-noise is
        // stored and 4000 bytes; every entry after the first 3000 bytes has a big offset.
        let big_size = name.ends_with("b-text.md") || name.ends_with("c-noise.bin");
        assert_eq!(
            *has_zip64,
            big_size || *offset >= 3000,
            "{name} at {offset}"
        );
    }
    assert!(
        headers
            .iter()
            .any(|h| h.2 >= 3000 && !h.0.contains("noise"))
    );
    let zip64_end = zip.windows(4).any(|w| w == b"PK\x06\x06");
    assert!(zip64_end, "six entries need the ZIP64 end record (limit 5)");

    // The zip crate reads every entry back.
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(&zip)).unwrap();
    for (i, (path, data)) in entries().iter().enumerate() {
        let mut f = archive.by_index(i).unwrap();
        assert_eq!(
            f.name().unwrap(),
            format!("customer-security-package-v9.9.9/{path}")
        );
        let mut got = Vec::new();
        f.read_to_end(&mut got).unwrap();
        assert_eq!(&got, data, "{path}");
    }

    // The same bytes whatever the thread count.
    let other = tempfile::tempdir().unwrap();
    let again = build(other.path(), 3);
    assert_eq!(
        written.iter().map(|w| w.sha256).collect::<Vec<_>>(),
        again.iter().map(|w| w.sha256).collect::<Vec<_>>()
    );

    unzip_test(&written[0].path);
    python_reads(&written[0].path, &written[1].path);
}

fn unzip_test(zip: &Path) {
    match Command::new("unzip").arg("-tq").arg(zip).output() {
        Ok(out) => assert!(
            out.status.success(),
            "unzip -t: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
        Err(e) if !secpack_testkit::in_ci() => eprintln!("*** SKIPPED: unzip: {e} ***"),
        Err(e) => panic!("unzip is required under CI: {e}"),
    }
}

/// Python's `zipfile` (which checks CRCs and the ZIP64 records) and `tarfile` read the
/// same files as we wrote.
fn python_reads(zip: &Path, tgz: &Path) {
    let Some(python) = secpack_testkit::python() else {
        return;
    };
    let script = r#"
import sys, zipfile, tarfile, hashlib
z = zipfile.ZipFile(sys.argv[1])
assert z.testzip() is None
zs = [(i.filename, hashlib.sha256(z.read(i)).hexdigest()) for i in z.infolist()]
with tarfile.open(sys.argv[2], "r:gz") as t:
    ts = [(m.name, hashlib.sha256(t.extractfile(m).read()).hexdigest()) for m in t.getmembers()]
assert zs == ts, (zs, ts)
for name, digest in zs:
    print(name.split("/", 1)[1], digest)
"#;
    let out = Command::new(python)
        .arg("-c")
        .arg(script)
        .arg(zip)
        .arg(tgz)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "python: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let expected: String = entries()
        .iter()
        .map(|(p, d)| format!("{p} {}\n", hex::encode(Sha256::digest(d))))
        .collect();
    assert_eq!(String::from_utf8_lossy(&out.stdout), expected);
}

#[test]
fn worst_case_sizes_bound_the_real_ones() {
    let mut d = Deflater::new(DEFLATE_LEVEL);
    for (len, seed) in [(0usize, 1u64), (1, 2), (1023, 3), (1024, 4), (5000, 5)] {
        let data = noise(len, seed);
        let mut total = 0u64;
        let mut piece = Vec::new();
        for chunk in data.chunks(1024) {
            d.piece(&[], chunk, &mut piece).unwrap();
            total += piece.len() as u64;
        }
        total += FINAL_BLOCK.len() as u64;
        assert!(
            total <= worst_compressed(len as u64, Method::Deflated, 1024),
            "{len}: {total}"
        );
    }
    assert_eq!(worst_compressed(10, Method::Stored, 1024), 10);
    // the default limits: 4 GiB - 1 stored fits without ZIP64, deflated does not
    let max = u64::from(u32::MAX) - 1;
    assert!(worst_compressed(max, Method::Stored, CHUNK_LEN) < u64::from(u32::MAX));
    assert!(worst_compressed(max, Method::Deflated, CHUNK_LEN) >= u64::from(u32::MAX));
}
