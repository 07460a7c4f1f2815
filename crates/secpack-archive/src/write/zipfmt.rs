//! The zip records the package writer emits (APPNOTE 6.3.10): local headers, central
//! directory headers and the end records, with ZIP64 fields exactly where a value needs them.
//!
//! Fixed choices: made by Unix (mode `0100644` in the external attributes), no extra field
//! but ZIP64's, no comments, no data descriptors, UTF-8 flag only for non-ASCII names.

const LOCAL_SIG: u32 = 0x0403_4b50;
const CENTRAL_SIG: u32 = 0x0201_4b50;
const EOCD_SIG: u32 = 0x0605_4b50;
const ZIP64_EOCD_SIG: u32 = 0x0606_4b50;
const ZIP64_LOCATOR_SIG: u32 = 0x0706_4b50;
const ZIP64_EXTRA: u16 = 0x0001;
const U32_SENTINEL: u32 = 0xFFFF_FFFF;
const U16_SENTINEL: u16 = 0xFFFF;
const FLAG_UTF8: u16 = 1 << 11;
/// Made by: Unix (3), APPNOTE 4.5.
const MADE_BY: u16 = (3 << 8) | 45;
/// Regular file, `rw-r--r--`, in the high half of the external attributes.
const EXTERNAL_ATTRS: u32 = 0o100_644 << 16;

/// Offset of the CRC-32 field in a local header.
pub(crate) const LOCAL_CRC_AT: u64 = 14;
/// Length of a local header before its name.
pub(crate) const LOCAL_FIXED_LEN: u64 = 30;

/// When values need ZIP64. The defaults are the format's limits; tests lower them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Zip64Limits {
    /// A size or offset at or above this goes into a ZIP64 field.
    pub(crate) bytes: u64,
    /// An entry count at or above this needs the ZIP64 end records.
    pub(crate) entries: u64,
}

impl Default for Zip64Limits {
    fn default() -> Self {
        Zip64Limits {
            bytes: u64::from(U32_SENTINEL),
            entries: u64::from(U16_SENTINEL),
        }
    }
}

/// Compression method codes.
pub(crate) const STORED: u16 = 0;
pub(crate) const DEFLATED: u16 = 8;

/// The fields shared by an entry's local and central headers.
#[derive(Debug, Clone)]
pub(crate) struct Entry {
    pub(crate) name: String,
    pub(crate) method: u16,
    pub(crate) time: u16,
    pub(crate) date: u16,
    pub(crate) crc: u32,
    pub(crate) compressed: u64,
    pub(crate) uncompressed: u64,
    /// The local header carries both sizes in a ZIP64 field (decided before the sizes are
    /// known, from the largest size the entry can reach).
    pub(crate) zip64_local: bool,
    /// Where the local header starts.
    pub(crate) offset: u64,
    pub(crate) version_needed: u16,
}

impl Entry {
    /// Version needed to extract: 4.5 for ZIP64, 2.0 for deflate, 1.0 for stored.
    pub(crate) fn version_for(method: u16, zip64: bool) -> u16 {
        if zip64 {
            45
        } else if method == DEFLATED {
            20
        } else {
            10
        }
    }

    fn flags(&self) -> u16 {
        if self.name.is_ascii() { 0 } else { FLAG_UTF8 }
    }

    fn name_len(&self) -> u16 {
        u16::try_from(self.name.len()).expect("package paths are far shorter than 64 KiB")
    }

    /// The local header. With [`Entry::zip64_local`], both size fields hold the sentinel and
    /// the ZIP64 field holds the sizes.
    pub(crate) fn local_header(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(30 + self.name.len() + 20);
        put32(&mut out, LOCAL_SIG);
        put16(&mut out, self.version_needed);
        put16(&mut out, self.flags());
        put16(&mut out, self.method);
        put16(&mut out, self.time);
        put16(&mut out, self.date);
        put32(&mut out, self.crc);
        let (csize, usize_) = if self.zip64_local {
            (U32_SENTINEL, U32_SENTINEL)
        } else {
            (narrow(self.compressed), narrow(self.uncompressed))
        };
        put32(&mut out, csize);
        put32(&mut out, usize_);
        put16(&mut out, self.name_len());
        put16(&mut out, if self.zip64_local { 20 } else { 0 });
        out.extend_from_slice(self.name.as_bytes());
        if self.zip64_local {
            put16(&mut out, ZIP64_EXTRA);
            put16(&mut out, 16);
            put64(&mut out, self.uncompressed);
            put64(&mut out, self.compressed);
        }
        out
    }

    /// The central directory header: a ZIP64 field holds exactly the values at or above
    /// `limits.bytes`, in the order APPNOTE 4.5.3 gives.
    pub(crate) fn central_header(&self, limits: Zip64Limits) -> Vec<u8> {
        let big = |v: u64| v >= limits.bytes;
        let mut extra = Vec::new();
        for value in [self.uncompressed, self.compressed, self.offset] {
            if big(value) {
                put64(&mut extra, value);
            }
        }
        let field = |v: u64| if big(v) { U32_SENTINEL } else { narrow(v) };
        let mut out = Vec::with_capacity(46 + self.name.len() + 4 + extra.len());
        put32(&mut out, CENTRAL_SIG);
        put16(&mut out, MADE_BY);
        put16(&mut out, self.version_needed);
        put16(&mut out, self.flags());
        put16(&mut out, self.method);
        put16(&mut out, self.time);
        put16(&mut out, self.date);
        put32(&mut out, self.crc);
        put32(&mut out, field(self.compressed));
        put32(&mut out, field(self.uncompressed));
        put16(&mut out, self.name_len());
        let extra_len = if extra.is_empty() { 0 } else { 4 + extra.len() };
        put16(
            &mut out,
            u16::try_from(extra_len).expect("at most 28 bytes"),
        );
        put16(&mut out, 0); // comment length
        put16(&mut out, 0); // disk number
        put16(&mut out, 0); // internal attributes
        put32(&mut out, EXTERNAL_ATTRS);
        put32(&mut out, field(self.offset));
        out.extend_from_slice(self.name.as_bytes());
        if !extra.is_empty() {
            put16(&mut out, ZIP64_EXTRA);
            put16(
                &mut out,
                u16::try_from(extra.len()).expect("at most 24 bytes"),
            );
            out.extend_from_slice(&extra);
        }
        out
    }

    /// The local header's CRC-32 and two 32-bit size fields, as patched in place once a
    /// streamed entry is complete (the sizes stay sentinels under [`Entry::zip64_local`]).
    pub(crate) fn local_crc_and_sizes(&self) -> [u8; 12] {
        let mut out = Vec::with_capacity(12);
        put32(&mut out, self.crc);
        if self.zip64_local {
            put32(&mut out, U32_SENTINEL);
            put32(&mut out, U32_SENTINEL);
        } else {
            put32(&mut out, narrow(self.compressed));
            put32(&mut out, narrow(self.uncompressed));
        }
        out.try_into().expect("twelve bytes")
    }

    /// Where the local header's ZIP64 sizes start, and their bytes, when it has them.
    pub(crate) fn local_zip64_sizes(&self) -> Option<(u64, [u8; 16])> {
        self.zip64_local.then(|| {
            let mut out = Vec::with_capacity(16);
            put64(&mut out, self.uncompressed);
            put64(&mut out, self.compressed);
            (
                self.offset + LOCAL_FIXED_LEN + self.name.len() as u64 + 4,
                out.try_into().expect("sixteen bytes"),
            )
        })
    }
}

/// The end records after a central directory of `cd_size` bytes at `cd_offset` holding
/// `entries` headers: the ZIP64 end record and locator when a value needs them, then the
/// end record (sentinels exactly where the ZIP64 record holds the value), no comment.
pub(crate) fn end_records(
    entries: u64,
    cd_offset: u64,
    cd_size: u64,
    limits: Zip64Limits,
) -> Vec<u8> {
    let many = entries >= limits.entries;
    let big = |v: u64| v >= limits.bytes;
    let mut out = Vec::with_capacity(22 + 56 + 20);
    if many || big(cd_offset) || big(cd_size) {
        let record_at = cd_offset + cd_size;
        put32(&mut out, ZIP64_EOCD_SIG);
        put64(&mut out, 44); // size of the rest of the record
        put16(&mut out, MADE_BY);
        put16(&mut out, 45);
        put32(&mut out, 0); // this disk
        put32(&mut out, 0); // disk with the central directory
        put64(&mut out, entries);
        put64(&mut out, entries);
        put64(&mut out, cd_size);
        put64(&mut out, cd_offset);
        put32(&mut out, ZIP64_LOCATOR_SIG);
        put32(&mut out, 0);
        put64(&mut out, record_at);
        put32(&mut out, 1); // total disks
    }
    let count = if many {
        U16_SENTINEL
    } else {
        u16::try_from(entries).unwrap_or(U16_SENTINEL)
    };
    let field = |v: u64| if big(v) { U32_SENTINEL } else { narrow(v) };
    put32(&mut out, EOCD_SIG);
    put16(&mut out, 0);
    put16(&mut out, 0);
    put16(&mut out, count);
    put16(&mut out, count);
    put32(&mut out, field(cd_size));
    put32(&mut out, field(cd_offset));
    put16(&mut out, 0); // comment length
    out
}

/// A value known to be below the 32-bit limit (else a ZIP64 field carries it).
fn narrow(v: u64) -> u32 {
    u32::try_from(v).unwrap_or(U32_SENTINEL)
}

fn put16(out: &mut Vec<u8>, v: u16) {
    out.extend_from_slice(&v.to_le_bytes());
}

fn put32(out: &mut Vec<u8>, v: u32) {
    out.extend_from_slice(&v.to_le_bytes());
}

fn put64(out: &mut Vec<u8>, v: u64) {
    out.extend_from_slice(&v.to_le_bytes());
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(zip64_local: bool, size: u64, offset: u64) -> Entry {
        Entry {
            name: "top/a.md".into(),
            method: DEFLATED,
            time: 0x6000,
            date: 0x5a21,
            crc: 0xdead_beef,
            compressed: size / 2,
            uncompressed: size,
            zip64_local,
            offset,
            version_needed: Entry::version_for(DEFLATED, zip64_local),
        }
    }

    #[test]
    fn small_entry_has_no_extra_field() {
        let e = entry(false, 100, 0);
        let local = e.local_header();
        assert_eq!(local.len(), 30 + 8);
        assert_eq!(&local[..4], b"PK\x03\x04");
        assert_eq!(&local[14..26], &e.local_crc_and_sizes());
        assert_eq!(u16::from_le_bytes([local[4], local[5]]), 20);
        let central = e.central_header(Zip64Limits::default());
        assert_eq!(central.len(), 46 + 8);
        assert_eq!(e.local_zip64_sizes(), None);
    }

    #[test]
    fn zip64_fields_hold_exactly_the_big_values() {
        let limits = Zip64Limits {
            bytes: 1000,
            entries: 10,
        };
        // compressed 500 and offset 10 are small: only the uncompressed size goes to ZIP64
        let e = entry(true, 1000, 10);
        let central = e.central_header(limits);
        assert_eq!(central.len(), 46 + 8 + 4 + 8);
        assert_eq!(&central[20..24], &500u32.to_le_bytes());
        assert_eq!(&central[24..28], &U32_SENTINEL.to_le_bytes());
        assert_eq!(&central[central.len() - 8..], &1000u64.to_le_bytes());
        let local = e.local_header();
        assert_eq!(local.len(), 30 + 8 + 20);
        let (at, sizes) = e.local_zip64_sizes().unwrap();
        assert_eq!(&local[at as usize - 10..], &sizes);
        // offset and both sizes big: three values, in APPNOTE order
        let e = entry(false, 4000, 5000);
        let central = e.central_header(limits);
        assert_eq!(central.len(), 46 + 8 + 4 + 24);
        let tail: Vec<u64> = central[central.len() - 24..]
            .chunks(8)
            .map(|c| u64::from_le_bytes(c.try_into().unwrap()))
            .collect();
        assert_eq!(tail, [4000, 2000, 5000]);
    }

    #[test]
    fn end_records_switch_to_zip64() {
        let small = end_records(3, 100, 50, Zip64Limits::default());
        assert_eq!(small.len(), 22);
        let limits = Zip64Limits {
            bytes: 1000,
            entries: 10,
        };
        let many = end_records(10, 100, 50, limits);
        assert_eq!(many.len(), 56 + 20 + 22);
        assert_eq!(&many[..4], &ZIP64_EOCD_SIG.to_le_bytes());
        let eocd = &many[76..];
        assert_eq!(&eocd[8..10], &[0xFF, 0xFF], "entry count sentinel");
        assert_eq!(&eocd[12..16], &50u32.to_le_bytes(), "small size stays");
        let locator = &many[56..76];
        assert_eq!(&locator[8..16], &150u64.to_le_bytes());
    }
}
