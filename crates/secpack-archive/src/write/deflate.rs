//! Deflate *pieces*: runs of complete, non-final deflate blocks that end on a byte boundary.
//!
//! Pieces compressed independently (on any thread, in any order) concatenate into one valid
//! deflate stream, which [`FINAL_BLOCK`] ends. The package writer compresses every file chunk
//! once into a piece and splices the same bytes into the zip entry and into the gzip stream
//! (the technique of pigz). A piece's bytes depend only on its input, its dictionary and the
//! pinned `zlib-rs` backend, never on which thread made it.

use std::io;

use flate2::{Compress, Compression, FlushCompress, Status};

/// An empty final block with fixed Huffman codes: ends a stream made of pieces.
pub(crate) const FINAL_BLOCK: [u8; 2] = [0x03, 0x00];

/// Longest stored block.
const STORED_MAX: usize = 65_535;

/// Size of [`push_stored`]'s output for `len` input bytes.
pub(crate) fn stored_len(len: u64) -> u64 {
    len + 5 * len.div_ceil(STORED_MAX as u64)
}

/// The 5-byte header of a non-final stored block of `len` (≤ 65,535) bytes that starts on a
/// byte boundary: BFINAL 0, BTYPE 00, padding, LEN, NLEN.
pub(crate) fn stored_header(len: u16) -> [u8; 5] {
    let [a, b] = len.to_le_bytes();
    let [c, d] = (!len).to_le_bytes();
    [0, a, b, c, d]
}

/// `data` as a piece of stored blocks (no compression).
pub(crate) fn push_stored(data: &[u8], out: &mut Vec<u8>) {
    for block in data.chunks(STORED_MAX) {
        let len = u16::try_from(block.len()).expect("chunks of at most 65,535 bytes");
        out.extend_from_slice(&stored_header(len));
        out.extend_from_slice(block);
    }
}

/// A reusable level-1 trial compressor: does deflating some bytes save a given share?
pub(crate) struct Trial {
    compress: Compress,
    out: Vec<u8>,
}

impl Trial {
    pub(crate) fn new() -> Self {
        Trial {
            compress: Compress::new(Compression::fast(), false),
            out: Vec::new(),
        }
    }

    /// Whether deflating `data` at level 1 saves at least `percent` percent. The output
    /// buffer is cut at the break-even size, so data that does not compress stops early.
    pub(crate) fn saves(&mut self, data: &[u8], percent: u64) -> bool {
        let room = data.len() as u64 * (100 - percent.min(100)) / 100;
        let room = usize::try_from(room).expect("less than the input length");
        self.compress.reset();
        self.out.clear();
        self.out.resize(room, 0);
        matches!(
            self.compress
                .compress(data, &mut self.out, FlushCompress::Finish),
            Ok(Status::StreamEnd)
        )
    }
}

/// One reusable compressor at a fixed level, and a trial compressor.
pub(crate) struct Deflater {
    compress: Compress,
    pub(crate) trial: Trial,
}

impl Deflater {
    pub(crate) fn new(level: u32) -> Self {
        Deflater {
            compress: Compress::new(Compression::new(level), false),
            trial: Trial::new(),
        }
    }

    /// Compress `data` into `out` (cleared first) as one piece. `dict` is the uncompressed
    /// data that precedes the piece in the stream (at most 32 KiB); the piece may refer back
    /// into it. When deflate would not be smaller than stored blocks, the piece is stored
    /// blocks, so a piece is never more than [`stored_len`] bytes.
    pub(crate) fn piece(&mut self, dict: &[u8], data: &[u8], out: &mut Vec<u8>) -> io::Result<()> {
        out.clear();
        if data.is_empty() {
            return Ok(());
        }
        self.compress.reset();
        if !dict.is_empty() {
            self.compress
                .set_dictionary(dict)
                .map_err(io::Error::other)?;
        }
        // Deflate into the room stored blocks would take: if the sync flush does not
        // complete inside it, stored blocks are as small, and no more work is spent.
        let room = usize::try_from(stored_len(data.len() as u64))
            .expect("a chunk in memory plus its block headers fits in memory");
        out.reserve(room);
        let (in_before, out_before) = (self.compress.total_in(), self.compress.total_out());
        self.compress
            .compress_vec(data, out, FlushCompress::Sync)
            .map_err(io::Error::other)?;
        let consumed = self.compress.total_in() - in_before;
        let produced = self.compress.total_out() - out_before;
        // The flush is complete when the compressor stopped short of filling the buffer.
        let complete = consumed == data.len() as u64 && out.len() < out.capacity();
        if !complete || produced >= room as u64 {
            out.clear();
            push_stored(data, out);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    fn inflate(stream: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        flate2::read::DeflateDecoder::new(stream)
            .read_to_end(&mut out)
            .unwrap();
        out
    }

    fn noise(len: usize) -> Vec<u8> {
        let mut x = 0x9e37_79b9_7f4a_7c15u64;
        (0..len)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                x as u8
            })
            .collect()
    }

    /// Pieces made separately, with and without dictionaries, decode as one stream.
    #[test]
    fn pieces_concatenate() {
        let text = b"control AC-2 account management evidence\n".repeat(2000);
        let bin = noise(200_000);
        let parts: [&[u8]; 5] = [&text, b"", &bin, b"x", &text[..5000]];
        let mut d = Deflater::new(6);
        let mut stream = Vec::new();
        let mut plain: Vec<u8> = Vec::new();
        for (i, part) in parts.iter().enumerate() {
            let mut piece = Vec::new();
            let dict = if i % 2 == 0 {
                &[][..]
            } else {
                &plain[plain.len().saturating_sub(4096)..]
            };
            d.piece(dict, part, &mut piece).unwrap();
            assert!(piece.len() as u64 <= stored_len(part.len() as u64));
            stream.extend_from_slice(&piece);
            plain.extend_from_slice(part);
        }
        stream.extend_from_slice(&FINAL_BLOCK);
        assert_eq!(inflate(&stream), plain);
    }

    #[test]
    fn incompressible_data_becomes_stored_blocks() {
        let bin = noise(150_000);
        let mut piece = Vec::new();
        Deflater::new(6).piece(&[], &bin, &mut piece).unwrap();
        assert_eq!(piece.len() as u64, stored_len(150_000));
        assert_eq!(&piece[..5], &stored_header(65_535));
        let mut manual = Vec::new();
        push_stored(&bin, &mut manual);
        assert_eq!(piece, manual);
        manual.extend_from_slice(&FINAL_BLOCK);
        assert_eq!(inflate(&manual), bin);
    }

    #[test]
    fn a_dictionary_helps_and_is_deterministic() {
        let header = b"customer-security-package-v1.2.3/artifacts/evidence/".repeat(8);
        let mut d = Deflater::new(6);
        let (mut alone, mut primed, mut again) = (Vec::new(), Vec::new(), Vec::new());
        d.piece(&[], &header, &mut alone).unwrap();
        d.piece(&header, &header, &mut primed).unwrap();
        d.piece(&header, &header, &mut again).unwrap();
        assert!(
            primed.len() < alone.len(),
            "{} vs {}",
            primed.len(),
            alone.len()
        );
        assert_eq!(primed, again);
    }
}
