//! The zip reader on arbitrary bytes: never panics, never hangs, and a safe verdict always
//! describes files whose sizes add up.
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
    let scan = secpack_verify::scan(&mut Cursor::new(data), ArchiveFormat::Zip, &limits)
        .expect("reading from memory cannot fail");
    assert_eq!(scan.size, data.len() as u64);
    if let Ok(contents) = &scan.outcome {
        let total: u64 = contents.files.iter().map(|f| f.size).sum();
        assert_eq!(total, contents.uncompressed_size);
        assert!(!contents.files.is_empty());
    }
});
