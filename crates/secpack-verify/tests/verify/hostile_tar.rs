//! Hostile and malformed tar.gz files, written block by block.

use std::io::{Cursor, Write as _};

use secpack_archive::ArchiveFormat;
use secpack_verify::{Code, Limits};

const TOP: &str = "customer-security-package-v1.2.3/";

#[derive(Clone)]
struct T {
    name: Vec<u8>,
    kind: u8,
    data: Vec<u8>,
    /// Precede with a GNU long-name entry holding `name`.
    long: bool,
    /// The header's own name field (default: the first 100 bytes of `name`).
    header_name: Option<Vec<u8>>,
    size: Option<u64>,
    bad_checksum: bool,
}

fn t(name: &str, data: &[u8]) -> T {
    T {
        name: format!("{TOP}{name}").into_bytes(),
        kind: b'0',
        data: data.to_vec(),
        long: false,
        header_name: None,
        size: None,
        bad_checksum: false,
    }
}

impl T {
    fn with(mut self, f: impl FnOnce(&mut T)) -> T {
        f(&mut self);
        self
    }
}

fn header(name: &[u8], kind: u8, size: u64, bad_checksum: bool) -> [u8; 512] {
    let mut h = [0u8; 512];
    let n = name.len().min(100);
    h[..n].copy_from_slice(&name[..n]);
    h[100..108].copy_from_slice(b"0000644\0");
    h[108..116].copy_from_slice(b"0000000\0");
    h[116..124].copy_from_slice(b"0000000\0");
    if size < 8u64.pow(11) {
        h[124..136].copy_from_slice(format!("{size:011o}\0").as_bytes());
    } else {
        h[124] = 0x80;
        h[128..136].copy_from_slice(&size.to_be_bytes());
    }
    h[136..148].copy_from_slice(b"15000000000\0");
    h[156] = kind;
    h[257..265].copy_from_slice(b"ustar  \0");
    h[148..156].copy_from_slice(b"        ");
    let mut sum: u32 = h.iter().map(|&b| u32::from(b)).sum();
    if bad_checksum {
        sum += 1;
    }
    h[148..156].copy_from_slice(format!("{sum:06o}\0 ").as_bytes());
    h
}

fn pad(out: &mut Vec<u8>) {
    while !out.len().is_multiple_of(512) {
        out.push(0);
    }
}

fn tar(entries: &[T], end_blocks: usize, after_end: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    for e in entries {
        if e.long {
            let mut long = e.name.clone();
            long.push(0);
            out.extend_from_slice(&header(b"././@LongLink", b'L', long.len() as u64, false));
            out.extend_from_slice(&long);
            pad(&mut out);
        }
        let name = e.header_name.clone().unwrap_or_else(|| e.name.clone());
        let size = e.size.unwrap_or(e.data.len() as u64);
        out.extend_from_slice(&header(&name, e.kind, size, e.bad_checksum));
        out.extend_from_slice(&e.data);
        pad(&mut out);
    }
    out.extend(std::iter::repeat_n(0u8, 512 * end_blocks));
    out.extend_from_slice(after_end);
    out
}

fn gz(data: &[u8]) -> Vec<u8> {
    let mut enc = flate2::GzBuilder::new()
        .mtime(0)
        .write(Vec::new(), flate2::Compression::default());
    enc.write_all(data).unwrap();
    enc.finish().unwrap()
}

fn scan_with(bytes: Vec<u8>, limits: &Limits) -> Result<usize, Code> {
    let scan = secpack_verify::scan(&mut Cursor::new(bytes), ArchiveFormat::TarGz, limits).unwrap();
    scan.outcome.map(|c| c.files.len()).map_err(|p| p.code)
}

#[track_caller]
fn check(bytes: Vec<u8>, expected: Result<usize, Code>) {
    assert_eq!(scan_with(bytes, &Limits::DEFAULT), expected);
}

#[track_caller]
fn check_tar(entries: &[T], expected: Result<usize, Code>) {
    check(gz(&tar(entries, 2, &[])), expected);
}

fn ok() -> Vec<T> {
    vec![t("a.md", b"alpha\n"), t("b.md", &b"bravo ".repeat(200))]
}

#[test]
fn well_formed_tars_pass() {
    check_tar(&ok(), Ok(2));
    let long = format!("artifacts/evidence/{}/file.md", "d".repeat(150));
    check_tar(&[t(&long, b"x").with(|e| e.long = true)], Ok(1));
    // GNU tar pads to a 10 KiB record.
    check(gz(&tar(&ok(), 18, &[])), Ok(2));
    // gzip header with a file name.
    let mut named = flate2::GzBuilder::new()
        .filename("package.tar")
        .write(Vec::new(), flate2::Compression::default());
    named.write_all(&tar(&ok(), 2, &[])).unwrap();
    check(named.finish().unwrap(), Ok(2));
}

#[test]
fn links_devices_folders_and_pax() {
    let cases = [
        (b'1', Code::HardLink),
        (b'2', Code::Symlink),
        (b'3', Code::Device),
        (b'4', Code::Device),
        (b'5', Code::Directory),
        (b'6', Code::Fifo),
        (b'x', Code::UnsupportedEntryType),
        (b'g', Code::UnsupportedEntryType),
        (b'S', Code::UnsupportedEntryType),
        (b'K', Code::UnsupportedEntryType),
        (b'7', Code::UnsupportedEntryType),
    ];
    for (kind, code) in cases {
        check_tar(
            &[t("a.md", b"a"), t("link", b"").with(|e| e.kind = kind)],
            Err(code),
        );
    }
}

#[test]
fn unsafe_names() {
    let cases: &[(&[u8], Code)] = &[
        (
            b"customer-security-package-v1.2.3/../../etc/passwd",
            Code::ParentTraversal,
        ),
        (b"/etc/passwd", Code::AbsolutePath),
        (b"customer-security-package-v1.2.3\\evil", Code::Backslash),
        (
            b"customer-security-package-v1.2.3/a\nb",
            Code::ControlCharacter,
        ),
        (b"top-level-file", Code::OutsideTopFolder),
        (b"other/file", Code::OutsideTopFolder),
    ];
    for (name, code) in cases {
        let entry = T {
            name: name.to_vec(),
            ..t("", b"x")
        };
        check_tar(&[t("a.md", b"a"), entry], Err(*code));
    }
    check_tar(
        &[t("a.md", b"1"), t("a.md", b"2")],
        Err(Code::DuplicateName),
    );
    check_tar(
        &[t("README.md", b"1"), t("readme.md", b"2")],
        Err(Code::CaseDuplicate),
    );
    // The GNU long name is what counts: a traversal hidden past 100 bytes.
    let hidden = format!("{}/../../../../etc/cron.d/evil", "d".repeat(120));
    check_tar(
        &[t(&hidden, b"x").with(|e| e.long = true)],
        Err(Code::ParentTraversal),
    );
    // A long name that disagrees with the header's name field (tools that ignore GNU long
    // names would see another file).
    check_tar(
        &[t(&format!("{}.md", "n".repeat(150)), b"x").with(|e| {
            e.long = true;
            e.header_name = Some(format!("{TOP}innocent.md").into_bytes());
        })],
        Err(Code::HeaderMismatch),
    );
    // A long name with a NUL inside.
    let nul = T {
        name: format!("{TOP}{}\0.md", "a".repeat(120)).into_bytes(),
        ..t("", b"x")
    };
    check_tar(&[nul.with(|e| e.long = true)], Err(Code::NulInName));
}

#[test]
fn corrupt_and_truncated() {
    check_tar(
        &[t("a.md", b"a").with(|e| e.bad_checksum = true)],
        Err(Code::ChecksumMismatch),
    );
    let good = gz(&tar(&ok(), 2, &[]));
    for cut in [good.len() - 1, good.len() - 8, good.len() / 2, 12, 5] {
        assert_eq!(
            scan_with(good[..cut].to_vec(), &Limits::DEFAULT),
            Err(Code::Truncated),
            "cut at {cut}"
        );
    }
    check(b"not gzip at all".to_vec(), Err(Code::NotAnArchive));
    check(vec![], Err(Code::NotAnArchive));
    check(gz(&[b'x'; 2048]), Err(Code::NotAnArchive));
    // Missing end blocks, or only one.
    check(gz(&tar(&ok(), 0, &[])), Err(Code::Truncated));
    check(gz(&tar(&ok(), 1, &[])), Err(Code::Truncated));
    // An entry whose data the stream does not hold.
    check(
        gz(&tar(
            &[t("a.md", b"short").with(|e| e.size = Some(5000))],
            0,
            &[],
        )),
        Err(Code::Truncated),
    );
    // Wrong CRC-32 and wrong size in the gzip trailer.
    let mut bad_crc = good.clone();
    let n = bad_crc.len();
    bad_crc[n - 8] ^= 1;
    check(bad_crc, Err(Code::ChecksumMismatch));
    let mut bad_size = good.clone();
    bad_size[n - 4] ^= 1;
    check(bad_size, Err(Code::SizeMismatch));
    // Reserved gzip flags.
    let mut reserved = good;
    reserved[3] = 0x80;
    check(reserved, Err(Code::GzipHeader));
}

#[test]
fn appended_data_and_extra_members() {
    let good = gz(&tar(&ok(), 2, &[]));
    let mut appended = good.clone();
    appended.extend_from_slice(b"hidden payload");
    check(appended, Err(Code::AppendedData));
    let mut two = good.clone();
    two.extend_from_slice(&gz(&tar(&[t("c.md", b"c")], 2, &[])));
    check(two, Err(Code::MultipleGzipMembers));
    check(
        gz(&tar(&ok(), 2, b"smuggled after the end blocks")),
        Err(Code::AppendedData),
    );
    // Endless zero padding (with the ratio limit lifted, which would catch it first).
    let lenient = Limits {
        max_ratio: 100_000,
        ..Limits::DEFAULT
    };
    assert_eq!(
        scan_with(gz(&tar(&ok(), 2, &vec![0u8; 2 << 20])), &lenient),
        Err(Code::AppendedData)
    );
}

#[test]
fn decompression_bombs_and_limits() {
    check_tar(
        &[t("bomb.bin", &vec![0u8; 4 << 20])],
        Err(Code::CompressionRatio),
    );
    // A declared size above the per-file limit is refused before any data is read.
    check_tar(
        &[t("huge.bin", b"").with(|e| e.size = Some(9 << 30))],
        Err(Code::EntryTooLarge),
    );
    let total = Limits {
        max_total_size: 1000,
        ..Limits::DEFAULT
    };
    assert_eq!(
        scan_with(gz(&tar(&ok(), 2, &[])), &total),
        Err(Code::TotalTooLarge)
    );
    let few = Limits {
        max_entries: 1,
        ..Limits::DEFAULT
    };
    assert_eq!(
        scan_with(gz(&tar(&ok(), 2, &[])), &few),
        Err(Code::TooManyEntries)
    );
}
