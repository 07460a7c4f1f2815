//! The tar.gz reader on arbitrary bytes: never panics, never hangs.
#![no_main]

use std::io::Cursor;

use libfuzzer_sys::fuzz_target;
use secpack_archive::ArchiveFormat;
use secpack_verify::Limits;

fuzz_target!(|data: &[u8]| {
    let limits = Limits {
        max_entry_size: 1 << 24,
        max_total_size: 1 << 25,
        ..Limits::DEFAULT
    };
    let scan = secpack_verify::scan(&mut Cursor::new(data), ArchiveFormat::TarGz, &limits)
        .expect("reading from memory cannot fail");
    assert_eq!(scan.size, data.len() as u64);
    if let Ok(contents) = &scan.outcome {
        assert!(!contents.files.is_empty());
    }
});
