//! A buffered, strictly sequential reader over the archive file that hashes every byte it
//! reads from the file exactly once, in order: the archive digest costs no second pass.

use std::io::{self, Read};

use sha2::{Digest as _, Sha256};

/// Read buffer size: large enough that per-call overhead vanishes, small enough for caches.
pub(crate) const BUF_LEN: usize = 256 * 1024;

pub(crate) struct Source<'a> {
    inner: &'a mut dyn Read,
    buf: Vec<u8>,
    pos: usize,
    end: usize,
    consumed: u64,
    hasher: Sha256,
    read: u64,
}

impl<'a> Source<'a> {
    pub(crate) fn new(inner: &'a mut dyn Read) -> Self {
        Source {
            inner,
            buf: vec![0; BUF_LEN],
            pos: 0,
            end: 0,
            consumed: 0,
            hasher: Sha256::new(),
            read: 0,
        }
    }

    /// The buffered bytes not yet consumed, reading more when none are left; empty at the end
    /// of the input.
    pub(crate) fn fill(&mut self) -> io::Result<&[u8]> {
        if self.pos == self.end {
            let n = loop {
                match self.inner.read(&mut self.buf) {
                    Ok(n) => break n,
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                    Err(e) => return Err(e),
                }
            };
            let n = n.min(self.buf.len());
            self.hasher.update(&self.buf[..n]);
            self.read += n as u64;
            self.pos = 0;
            self.end = n;
        }
        Ok(&self.buf[self.pos..self.end])
    }

    /// Mark `n` bytes returned by [`Source::fill`] as used.
    pub(crate) fn consume(&mut self, n: usize) {
        let n = n.min(self.end - self.pos);
        self.pos += n;
        self.consumed += n as u64;
    }

    /// Offset of the next unconsumed byte from the start of the input.
    pub(crate) fn position(&self) -> u64 {
        self.consumed
    }

    /// Fill `out` completely; `Ok(false)` when the input ends first.
    pub(crate) fn read_exact(&mut self, out: &mut [u8]) -> io::Result<bool> {
        let mut filled = 0;
        while filled < out.len() {
            let avail = self.fill()?;
            if avail.is_empty() {
                return Ok(false);
            }
            let n = avail.len().min(out.len() - filled);
            out[filled..filled + n].copy_from_slice(&avail[..n]);
            self.consume(n);
            filled += n;
        }
        Ok(true)
    }

    /// Consume up to `n` bytes, passing each chunk to `f`; returns how many there were.
    pub(crate) fn stream(&mut self, n: u64, f: &mut dyn FnMut(&[u8])) -> io::Result<u64> {
        let mut left = n;
        while left > 0 {
            let avail = self.fill()?;
            if avail.is_empty() {
                break;
            }
            let take = usize::try_from(left).map_or(avail.len(), |l| l.min(avail.len()));
            f(&avail[..take]);
            self.consume(take);
            left -= take as u64;
        }
        Ok(n - left)
    }

    /// Whether every byte has been consumed.
    pub(crate) fn at_end(&mut self) -> io::Result<bool> {
        Ok(self.fill()?.is_empty())
    }

    /// Read what is left and return the size and SHA-256 of the whole input.
    pub(crate) fn finish(mut self) -> io::Result<(u64, [u8; 32])> {
        loop {
            self.pos = self.end;
            if self.fill()?.is_empty() {
                break;
            }
        }
        Ok((self.read, self.hasher.finalize().into()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_everything_once() {
        let data: Vec<u8> = (0..600_000u32).map(|i| (i % 251) as u8).collect();
        let mut input = &data[..];
        let mut src = Source::new(&mut input);
        let mut head = [0u8; 10];
        assert!(src.read_exact(&mut head).unwrap());
        assert_eq!(src.position(), 10);
        let mut seen = 0u64;
        assert_eq!(
            src.stream(300_000, &mut |c| seen += c.len() as u64)
                .unwrap(),
            300_000
        );
        assert_eq!(seen, 300_000);
        assert!(!src.at_end().unwrap());
        let (size, digest) = src.finish().unwrap();
        assert_eq!(size, 600_000);
        assert_eq!(digest, <[u8; 32]>::from(Sha256::digest(&data)));
    }
}
