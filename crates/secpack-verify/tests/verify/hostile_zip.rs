//! Hostile and malformed zips, written byte by byte: each must be rejected by the reader with
//! the right code, without extracting anything and in bounded time.

use std::io::{Cursor, Write as _};

use secpack_archive::ArchiveFormat;
use secpack_verify::{CheckId, Code, Limits, Materials, Status};

const TOP: &str = "customer-security-package-v1.2.3/";
const UNIX_FILE: u32 = 0o100_644 << 16;

/// One entry; every field a hostile archive might set is adjustable.
#[derive(Clone)]
struct E {
    name: Vec<u8>,
    data: Vec<u8>,
    deflate: bool,
    flags: u16,
    made_by: u16,
    external: u32,
    method: Option<u16>,
    local_extra: Vec<u8>,
    central_extra: Vec<u8>,
    comment: Vec<u8>,
    /// Compressed bytes to write instead of the real ones.
    payload: Option<Vec<u8>>,
    local_name: Option<Vec<u8>>,
    local_method: Option<u16>,
    crc: Option<u32>,
    local_crc: Option<u32>,
    usize: Option<u32>,
    local_usize: Option<u32>,
    /// Write sizes through zip64 extra fields (sentinels in the headers).
    zip64: bool,
}

fn e(name: &str, data: &[u8]) -> E {
    E {
        name: format!("{TOP}{name}").into_bytes(),
        data: data.to_vec(),
        deflate: false,
        flags: 0,
        made_by: 0x0314,
        external: UNIX_FILE,
        method: None,
        local_extra: vec![],
        central_extra: vec![],
        comment: vec![],
        payload: None,
        local_name: None,
        local_method: None,
        crc: None,
        local_crc: None,
        usize: None,
        local_usize: None,
        zip64: false,
    }
}

fn raw(name: &[u8], data: &[u8]) -> E {
    E {
        name: name.to_vec(),
        ..e("", data)
    }
}

impl E {
    fn deflated(mut self) -> E {
        self.deflate = true;
        self
    }
    fn with(mut self, f: impl FnOnce(&mut E)) -> E {
        f(&mut self);
        self
    }
}

#[derive(Default)]
struct Z {
    entries: Vec<E>,
    prepend: Vec<u8>,
    adjust_offsets: bool,
    append: Vec<u8>,
    comment: Vec<u8>,
    /// Junk written after the first entry's data (offsets stay correct).
    gap: Vec<u8>,
    /// A second central header pointing at the first entry, under another name.
    alias_first: bool,
    disk: u16,
    count: Option<u16>,
    zip64_end: bool,
}

fn zip(entries: Vec<E>) -> Z {
    Z {
        entries,
        ..Z::default()
    }
}

fn deflate(data: &[u8]) -> Vec<u8> {
    let mut enc = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::default());
    enc.write_all(data).unwrap();
    enc.finish().unwrap()
}

fn crc32(data: &[u8]) -> u32 {
    let mut crc = flate2::Crc::new();
    crc.update(data);
    crc.sum()
}

fn zip64_extra(values: &[u64]) -> Vec<u8> {
    let mut out = vec![1, 0];
    out.extend_from_slice(&((values.len() * 8) as u16).to_le_bytes());
    for v in values {
        out.extend_from_slice(&v.to_le_bytes());
    }
    out
}

fn build(z: &Z) -> Vec<u8> {
    let mut out = z.prepend.clone();
    let base = if z.adjust_offsets { z.prepend.len() } else { 0 };
    let mut central = Vec::new();
    let mut first_offset = 0;
    for (i, e) in z.entries.iter().enumerate() {
        let offset = (out.len() - z.prepend.len() + base) as u32;
        if i == 0 {
            first_offset = offset;
        }
        let payload = e.payload.clone().unwrap_or_else(|| {
            if e.deflate {
                deflate(&e.data)
            } else {
                e.data.clone()
            }
        });
        let method = e.method.unwrap_or(if e.deflate { 8 } else { 0 });
        let crc = e.crc.unwrap_or_else(|| crc32(&e.data));
        let usize = e.usize.unwrap_or(e.data.len() as u32);
        let csize = payload.len() as u32;
        let (h_csize, h_usize) = if e.zip64 {
            (u32::MAX, u32::MAX)
        } else {
            (csize, usize)
        };
        let mut local_extra = e.local_extra.clone();
        let mut central_extra = e.central_extra.clone();
        if e.zip64 {
            let z64 = zip64_extra(&[u64::from(usize), u64::from(csize)]);
            local_extra.splice(0..0, z64.clone());
            central_extra.splice(0..0, z64);
        }
        // local header
        let local_name = e.local_name.clone().unwrap_or_else(|| e.name.clone());
        out.extend_from_slice(&0x0403_4b50u32.to_le_bytes());
        out.extend_from_slice(&20u16.to_le_bytes());
        out.extend_from_slice(&e.flags.to_le_bytes());
        out.extend_from_slice(&e.local_method.unwrap_or(method).to_le_bytes());
        out.extend_from_slice(&0u16.to_le_bytes());
        out.extend_from_slice(&0x21u16.to_le_bytes());
        out.extend_from_slice(&e.local_crc.unwrap_or(crc).to_le_bytes());
        out.extend_from_slice(&h_csize.to_le_bytes());
        out.extend_from_slice(&e.local_usize.unwrap_or(h_usize).to_le_bytes());
        out.extend_from_slice(&(local_name.len() as u16).to_le_bytes());
        out.extend_from_slice(&(local_extra.len() as u16).to_le_bytes());
        out.extend_from_slice(&local_name);
        out.extend_from_slice(&local_extra);
        out.extend_from_slice(&payload);
        if i == 0 {
            out.extend_from_slice(&z.gap);
        }
        // central header
        let mut c = Vec::new();
        c.extend_from_slice(&0x0201_4b50u32.to_le_bytes());
        c.extend_from_slice(&e.made_by.to_le_bytes());
        c.extend_from_slice(&20u16.to_le_bytes());
        c.extend_from_slice(&e.flags.to_le_bytes());
        c.extend_from_slice(&method.to_le_bytes());
        c.extend_from_slice(&0u16.to_le_bytes());
        c.extend_from_slice(&0x21u16.to_le_bytes());
        c.extend_from_slice(&crc.to_le_bytes());
        c.extend_from_slice(&h_csize.to_le_bytes());
        c.extend_from_slice(&h_usize.to_le_bytes());
        c.extend_from_slice(&(e.name.len() as u16).to_le_bytes());
        c.extend_from_slice(&(central_extra.len() as u16).to_le_bytes());
        c.extend_from_slice(&(e.comment.len() as u16).to_le_bytes());
        c.extend_from_slice(&z.disk.to_le_bytes());
        c.extend_from_slice(&0u16.to_le_bytes());
        c.extend_from_slice(&e.external.to_le_bytes());
        c.extend_from_slice(&offset.to_le_bytes());
        c.extend_from_slice(&e.name);
        c.extend_from_slice(&central_extra);
        c.extend_from_slice(&e.comment);
        central.extend_from_slice(&c);
        if i == 0 && z.alias_first {
            let mut alias = c.clone();
            let name_at = 46;
            alias[name_at + e.name.len() - 1] = b'x';
            central.extend_from_slice(&alias);
        }
    }
    let _ = first_offset;
    let n = z.entries.len() + usize::from(z.alias_first);
    let cd_offset = (out.len() - z.prepend.len() + base) as u64;
    out.extend_from_slice(&central);
    let count = z.count.unwrap_or(n as u16);
    if z.zip64_end {
        let record_at = (out.len() - z.prepend.len() + base) as u64;
        out.extend_from_slice(&0x0606_4b50u32.to_le_bytes());
        out.extend_from_slice(&44u64.to_le_bytes());
        out.extend_from_slice(&0x0314u16.to_le_bytes());
        out.extend_from_slice(&45u16.to_le_bytes());
        out.extend_from_slice(&0u32.to_le_bytes());
        out.extend_from_slice(&0u32.to_le_bytes());
        out.extend_from_slice(&(n as u64).to_le_bytes());
        out.extend_from_slice(&(n as u64).to_le_bytes());
        out.extend_from_slice(&(central.len() as u64).to_le_bytes());
        out.extend_from_slice(&cd_offset.to_le_bytes());
        out.extend_from_slice(&0x0706_4b50u32.to_le_bytes());
        out.extend_from_slice(&0u32.to_le_bytes());
        out.extend_from_slice(&record_at.to_le_bytes());
        out.extend_from_slice(&1u32.to_le_bytes());
    }
    out.extend_from_slice(&0x0605_4b50u32.to_le_bytes());
    out.extend_from_slice(&z.disk.to_le_bytes());
    out.extend_from_slice(&z.disk.to_le_bytes());
    let (count, size, offset) = if z.zip64_end {
        (0xFFFF, u32::MAX, u32::MAX)
    } else {
        (count, central.len() as u32, cd_offset as u32)
    };
    out.extend_from_slice(&count.to_le_bytes());
    out.extend_from_slice(&count.to_le_bytes());
    out.extend_from_slice(&size.to_le_bytes());
    out.extend_from_slice(&offset.to_le_bytes());
    out.extend_from_slice(&(z.comment.len() as u16).to_le_bytes());
    out.extend_from_slice(&z.comment);
    out.extend_from_slice(&z.append);
    out
}

fn scan_with(bytes: Vec<u8>, limits: &Limits) -> Result<usize, Code> {
    let scan = secpack_verify::scan(&mut Cursor::new(bytes), ArchiveFormat::Zip, limits).unwrap();
    scan.outcome.map(|c| c.files.len()).map_err(|p| p.code)
}

#[track_caller]
fn check(z: Z, expected: Result<usize, Code>) {
    check_with(z, &Limits::DEFAULT, expected);
}

#[track_caller]
fn check_with(z: Z, limits: &Limits, expected: Result<usize, Code>) {
    let bytes = build(&z);
    assert_eq!(scan_with(bytes, limits), expected);
}

fn ok() -> Vec<E> {
    vec![
        e("a.md", b"alpha\n"),
        e("b.md", &b"bravo ".repeat(100)).deflated(),
    ]
}

#[test]
fn well_formed_zips_pass() {
    check(zip(ok()), Ok(2));
    check(
        zip(vec![
            e("big.md", &b"x".repeat(1000))
                .deflated()
                .with(|e| e.zip64 = true),
        ]),
        Ok(1),
    );
    check(
        Z {
            zip64_end: true,
            ..zip(ok())
        },
        Ok(2),
    );
    check(
        zip(vec![e("empty.md", b""), e("empty2.md", b"").deflated()]),
        Ok(2),
    );
    check(zip(vec![e("é.md", b"x").with(|e| e.flags = 0x0800)]), Ok(1));
}

#[test]
fn unsafe_names() {
    let cases: &[(&[u8], Code)] = &[
        (
            b"customer-security-package-v1.2.3/../../etc/passwd",
            Code::ParentTraversal,
        ),
        (b"../evil.md", Code::ParentTraversal),
        (b"/etc/passwd", Code::AbsolutePath),
        (b"C:/Windows/evil.md", Code::AbsolutePath),
        (
            b"customer-security-package-v1.2.3\\..\\evil.md",
            Code::Backslash,
        ),
        (b"customer-security-package-v1.2.3/a\0b.md", Code::NulInName),
        (
            b"customer-security-package-v1.2.3/a\x1b[31m.md",
            Code::ControlCharacter,
        ),
        (
            b"customer-security-package-v1.2.3//a.md",
            Code::NonCanonicalPath,
        ),
        (
            b"customer-security-package-v1.2.3/./a.md",
            Code::NonCanonicalPath,
        ),
        (b"customer-security-package-v1.2.3/dir/", Code::Directory),
        (b"readme.md", Code::OutsideTopFolder),
    ];
    for (name, code) in cases {
        let z = zip(vec![e("a.md", b"a"), raw(name, b"x")]);
        assert_eq!(
            scan_with(build(&z), &Limits::DEFAULT),
            Err(*code),
            "{}",
            String::from_utf8_lossy(name)
        );
    }
    check(
        zip(vec![e("a.md", b"a"), raw(b"other-top/b.md", b"b")]),
        Err(Code::OutsideTopFolder),
    );
    // Not flagged UTF-8 and not ASCII: zip tools would decode CP437.
    check(
        zip(vec![raw(
            b"customer-security-package-v1.2.3/caf\xe9.md",
            b"x",
        )]),
        Err(Code::NonUtf8Name),
    );
    // Flagged UTF-8 but invalid.
    check(
        zip(vec![
            raw(b"customer-security-package-v1.2.3/caf\xe9.md", b"x").with(|e| e.flags = 0x0800),
        ]),
        Err(Code::NonUtf8Name),
    );
}

#[test]
fn links_devices_and_folders() {
    let cases = [
        (0o120_777u32, Code::Symlink),
        (0o040_755, Code::Directory),
        (0o020_644, Code::Device),
        (0o060_644, Code::Device),
        (0o010_644, Code::Fifo),
        (0o140_644, Code::Device),
    ];
    for (mode, code) in cases {
        check(
            zip(vec![
                e("link", b"/etc/passwd").with(|e| e.external = mode << 16),
            ]),
            Err(code),
        );
    }
    // A DOS-made entry with the directory attribute.
    check(
        zip(vec![e("dir", b"").with(|e| {
            e.made_by = 0x0014;
            e.external = 0x10;
        })]),
        Err(Code::Directory),
    );
}

#[test]
fn duplicates_and_collisions() {
    check(
        zip(vec![e("a.md", b"1"), e("a.md", b"2")]),
        Err(Code::DuplicateName),
    );
    check(
        zip(vec![e("Policy.md", b"1"), e("policy.MD", b"2")]),
        Err(Code::CaseDuplicate),
    );
    check(
        zip(vec![e("a", b"1"), e("a/b.md", b"2")]),
        Err(Code::PathConflict),
    );
    check(
        zip(vec![e("A/b.md", b"1"), e("a", b"2")]),
        Err(Code::PathConflict),
    );
}

#[test]
fn decompression_bombs_and_limits() {
    let zeros = vec![0u8; 4 << 20];
    // 4 MiB of zeros deflate to about 4 KiB: a ratio near 1000.
    check(
        zip(vec![e("bomb.bin", &zeros).deflated()]),
        Err(Code::CompressionRatio),
    );
    // A header that lies about the size: the data decompresses to more than declared, and the
    // reader stops at the declared size instead of inflating it all.
    check(
        zip(vec![
            e("liar.bin", &zeros)
                .deflated()
                .with(|e| e.usize = Some(100)),
        ]),
        Err(Code::SizeMismatch),
    );
    check(
        zip(vec![
            e("short.md", b"abc")
                .deflated()
                .with(|e| e.usize = Some(10)),
        ]),
        Err(Code::SizeMismatch),
    );
    let small = Limits {
        max_entry_size: 10,
        ..Limits::DEFAULT
    };
    check_with(
        zip(vec![e("a.md", &[b'a'; 11])]),
        &small,
        Err(Code::EntryTooLarge),
    );
    let total = Limits {
        max_total_size: 15,
        ..Limits::DEFAULT
    };
    check_with(
        zip(vec![e("a.md", &[b'a'; 10]), e("b.md", &[b'b'; 10])]),
        &total,
        Err(Code::TotalTooLarge),
    );
    let few = Limits {
        max_entries: 1,
        ..Limits::DEFAULT
    };
    check_with(zip(ok()), &few, Err(Code::TooManyEntries));
}

#[test]
fn truncated_and_corrupt() {
    let good = build(&zip(ok()));
    for cut in [good.len() / 2, good.len() - 1, 30, 4] {
        assert_eq!(
            scan_with(good[..cut].to_vec(), &Limits::DEFAULT),
            Err(Code::Truncated),
            "cut at {cut}"
        );
    }
    assert_eq!(
        scan_with(
            b"definitely not a zip file at all".to_vec(),
            &Limits::DEFAULT
        ),
        Err(Code::NotAnArchive)
    );
    assert_eq!(scan_with(vec![], &Limits::DEFAULT), Err(Code::NotAnArchive));
    check(
        zip(vec![
            e("a.md", b"data")
                .deflated()
                .with(|e| e.payload = Some(vec![0xff; 16])),
        ]),
        Err(Code::Corrupt),
    );
    // A deflate stream that ends before its compressed size: trailing bytes inside the entry.
    check(
        zip(vec![e("a.md", b"data").deflated().with(|e| {
            let mut p = deflate(b"data");
            p.extend_from_slice(b"junk");
            e.payload = Some(p);
        })]),
        Err(Code::SizeMismatch),
    );
    check(
        zip(vec![e("a.md", b"data").with(|e| {
            e.crc = Some(0x1234_5678);
        })]),
        Err(Code::ChecksumMismatch),
    );
    check(zip(vec![]), Err(Code::Empty));
    check(
        Z {
            count: Some(0xFFFF),
            ..zip(ok())
        },
        Err(Code::Corrupt),
    );
}

#[test]
fn local_and_central_headers_disagree() {
    let cases: Vec<E> = vec![
        e("a.md", b"data").with(|e| e.local_name = Some(format!("{TOP}b.md").into_bytes())),
        e("a.md", b"data").with(|e| e.local_name = Some(format!("{TOP}../../x").into_bytes())),
        e("a.md", b"data").with(|e| e.local_crc = Some(1)),
        e("a.md", b"data").with(|e| e.local_usize = Some(3)),
        e("a.md", b"data").with(|e| e.local_method = Some(8)),
    ];
    for entry in cases {
        check(zip(vec![entry]), Err(Code::HeaderMismatch));
    }
}

#[test]
fn prepended_and_appended_data() {
    let stub = b"#!/bin/sh\nexec evil\n".repeat(5);
    check(
        Z {
            prepend: stub.clone(),
            adjust_offsets: true,
            ..zip(ok())
        },
        Err(Code::PrependedData),
    );
    check(
        Z {
            prepend: stub,
            ..zip(ok())
        },
        Err(Code::PrependedData),
    );
    check(
        Z {
            append: b"trailing bytes".to_vec(),
            ..zip(ok())
        },
        Err(Code::AppendedData),
    );
    check(
        Z {
            comment: b"hello".to_vec(),
            ..zip(ok())
        },
        Err(Code::AppendedData),
    );
    check(
        Z {
            gap: vec![0xAA; 10],
            ..zip(ok())
        },
        Err(Code::LayoutGap),
    );
    check(
        Z {
            alias_first: true,
            ..zip(ok())
        },
        Err(Code::LayoutGap),
    );
}

#[test]
fn features_the_writer_never_uses() {
    check(
        zip(vec![e("a.md", b"x").with(|e| e.flags = 1)]),
        Err(Code::Encrypted),
    );
    check(
        zip(vec![e("a.md", b"x").with(|e| e.method = Some(99))]),
        Err(Code::Encrypted),
    );
    check(
        zip(vec![e("a.md", b"x").with(|e| e.method = Some(12))]),
        Err(Code::UnsupportedMethod),
    );
    check(
        zip(vec![e("a.md", b"x").with(|e| e.flags = 0x0008)]),
        Err(Code::UnsupportedFlags),
    );
    check(
        zip(vec![e("a.md", b"x").with(|e| e.flags = 0x0020)]),
        Err(Code::UnsupportedFlags),
    );
    check(
        zip(vec![e("a.md", b"x").with(|e| e.comment = b"hi".to_vec())]),
        Err(Code::EntryComment),
    );
    let timestamp = vec![0x55, 0x54, 5, 0, 1, 0, 0, 0, 0];
    check(
        zip(vec![e("a.md", b"x").with(|e| {
            e.local_extra = timestamp.clone();
            e.central_extra = timestamp.clone();
        })]),
        Err(Code::UnexpectedExtraField),
    );
    check(
        zip(vec![
            e("a.md", b"x").with(|e| e.local_extra = timestamp.clone()),
        ]),
        Err(Code::UnexpectedExtraField),
    );
    check(
        zip(vec![
            e("a.md", b"x").with(|e| e.central_extra = vec![0x55, 0x54, 9, 0, 1]),
        ]),
        Err(Code::Corrupt),
    );
    check(
        Z {
            disk: 1,
            ..zip(ok())
        },
        Err(Code::MultiDisk),
    );
}

#[test]
fn a_hostile_zip_fails_only_archive_safety_and_skips_content_checks() {
    let bytes = build(&zip(vec![e("a.md", b"a"), raw(b"../../evil.sh", b"x")]));
    let materials = Materials {
        allow_unsigned: true,
        ..Materials::default()
    };
    let report = secpack_verify::verify_reader(
        &mut Cursor::new(bytes),
        "customer-security-package-v1.2.3.zip",
        ArchiveFormat::Zip,
        &materials,
        &Limits::DEFAULT,
    )
    .unwrap();
    let safety = report.check(CheckId::ArchiveSafety).unwrap();
    assert_eq!(safety.status, Status::Failed);
    assert_eq!(safety.findings[0].code, Code::ParentTraversal);
    assert_eq!(safety.findings[0].path.as_deref(), Some("../../evil.sh"));
    for id in [
        CheckId::TopFolder,
        CheckId::Digests,
        CheckId::Manifest,
        CheckId::Signature,
    ] {
        assert_eq!(report.check(id).unwrap().status, Status::Skipped, "{id}");
    }
    assert_eq!(report.exit_code(), 1);
    assert!(report.archive.sha256.len() == 64);
}
