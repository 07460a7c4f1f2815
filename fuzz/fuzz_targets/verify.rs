//! The whole verifier on arbitrary bytes. The input is split into a signature bundle, a
//! provenance file and the archive (two little-endian u16 length prefixes), verified as a zip
//! and as a tar.gz with the test-only public key; the report must always serialize and agree
//! with its own verdict.
#![no_main]

use std::io::Cursor;

use libfuzzer_sys::fuzz_target;
use secpack_archive::ArchiveFormat;
use secpack_verify::{Limits, Material, Materials, Status};

const PUBLIC_KEY: &[u8] = include_bytes!("../../fixtures/keys/test-only-signing.pub.pem");

fn take<'a>(data: &mut &'a [u8]) -> &'a [u8] {
    let Some((len, rest)) = data.split_first_chunk::<2>() else {
        return &[];
    };
    let len = usize::from(u16::from_le_bytes(*len)).min(rest.len());
    let (head, tail) = rest.split_at(len);
    *data = tail;
    head
}

fuzz_target!(|data: &[u8]| {
    let mut rest = data;
    let bundle = take(&mut rest);
    let provenance = take(&mut rest);
    let archive = rest;
    let key = secpack_provenance::load_public_key(PUBLIC_KEY, "test-only").ok();
    let limits = Limits {
        max_entry_size: 1 << 24,
        max_total_size: 1 << 25,
        ..Limits::DEFAULT
    };
    for (with_key, format) in [
        (true, ArchiveFormat::Zip),
        (true, ArchiveFormat::TarGz),
        (false, ArchiveFormat::Zip),
    ] {
        let materials = Materials {
            key: if with_key { key.clone() } else { None },
            bundle: Some(Material::Loaded {
                name: "fuzz.sigstore.json".to_owned(),
                bytes: bundle.to_vec(),
            }),
            provenance: vec![Material::Loaded {
                name: "fuzz.intoto.jsonl".to_owned(),
                bytes: provenance.to_vec(),
            }],
            allow_unsigned: !with_key,
        };
        let name = format.file_name("v1.2.3");
        let report = secpack_verify::verify_reader(
            &mut Cursor::new(archive),
            &name,
            format,
            &materials,
            &limits,
        )
        .expect("reading from memory cannot fail");
        assert_eq!(report.checks.len(), 9);
        let failed = report.checks.iter().any(|c| c.status == Status::Failed);
        assert_eq!(report.passed(), !failed);
        let json = report.to_json();
        assert!(json.starts_with('{'));
        let _ = report.to_string();
    }
});
