//! Boolean entropy decoder (RFC 6386 section 7).
//!
//! The decoder keeps a 64-bit window of upcoming bits, most significant bit
//! first. When the input runs out it keeps shifting in zero bits instead of
//! failing; callers ask [`BoolDecoder::overrun`] once per span (a macroblock
//! row, a header) whether any decision depended on bits past the end of the
//! data. This keeps the per-symbol path branch-light and makes truncated
//! input impossible to turn into a panic or an out-of-bounds read.

/// Number of bits in the value window.
const WINDOW_BITS: i32 = 64;

/// A boolean entropy decoder over one partition.
#[derive(Clone, Debug)]
pub struct BoolDecoder<'a> {
    data: &'a [u8],
    /// Index of the next byte to shift in; may run past `data.len()`, in
    /// which case zero bytes are shifted in.
    pos: usize,
    /// Upcoming bits, MSB aligned.
    value: u64,
    /// Number of valid bits in `value` below the top 8.
    count: i32,
    /// Current range, always in `128..=255` between calls.
    range: u32,
}

impl<'a> BoolDecoder<'a> {
    /// Starts decoding `data`.
    pub fn new(data: &'a [u8]) -> Self {
        let mut d = BoolDecoder { data, pos: 0, value: 0, count: -8, range: 255 };
        d.fill();
        d
    }

    /// An empty decoder; every read returns zero bits and it reports overrun.
    pub fn empty() -> BoolDecoder<'static> {
        BoolDecoder::new(&[])
    }

    fn fill(&mut self) {
        (self.pos, self.value, self.count) = refill(self.data, self.pos, self.value, self.count);
    }

    /// Decodes one boolean whose probability of being zero is `prob / 256`.
    #[inline(always)]
    pub fn read_bool(&mut self, prob: u8) -> bool {
        let split = 1 + (((self.range - 1) * u32::from(prob)) >> 8);
        if self.count < 0 {
            // By value, so that the decoder state can live in registers.
            (self.pos, self.value, self.count) = refill(self.data, self.pos, self.value, self.count);
        }
        let bigsplit = u64::from(split) << (WINDOW_BITS - 8);
        let bit = if self.value >= bigsplit {
            self.range -= split;
            self.value -= bigsplit;
            true
        } else {
            self.range = split;
            false
        };
        let shift = self.range.leading_zeros() - 24;
        self.range <<= shift;
        self.value <<= shift;
        self.count -= shift as i32;
        bit
    }

    /// Decodes a boolean with probability one half.
    #[inline]
    pub fn read_flag(&mut self) -> bool {
        self.read_bool(128)
    }

    /// Decodes an `n`-bit unsigned literal, most significant bit first.
    #[inline]
    pub fn read_literal(&mut self, n: u32) -> u32 {
        let mut v = 0;
        for _ in 0..n {
            v = (v << 1) | u32::from(self.read_flag());
        }
        v
    }

    /// Decodes an optional signed value: a flag, then `n` magnitude bits and
    /// a sign bit. Returns 0 when the flag is clear.
    pub fn read_optional_signed(&mut self, n: u32) -> i32 {
        if !self.read_flag() {
            return 0;
        }
        let v = self.read_literal(n) as i32;
        if self.read_flag() {
            -v
        } else {
            v
        }
    }

    /// Decodes a value with a tree given as pairs of entries: positive
    /// entries index the next pair, non-positive entries are negated leaves.
    /// `probs[i >> 1]` is the probability for the pair at index `i`.
    #[inline]
    pub fn read_tree(&mut self, tree: &[i8], probs: &[u8]) -> u8 {
        let mut i = 0usize;
        loop {
            let bit = self.read_bool(probs.get(i >> 1).copied().unwrap_or(128));
            let next = tree.get(i + usize::from(bit)).copied().unwrap_or(0);
            if next <= 0 {
                return (-next) as u8;
            }
            i = next as usize;
        }
    }

    /// Bits of implied zero padding consumed so far: how far the 8-bit
    /// comparison window has moved past the end of the data.
    pub fn padding_bits_used(&self) -> u64 {
        // Before the end is reached `count` may dip below zero until the
        // next (lazy) refill; that is not running out.
        let virtual_bytes = self.pos.saturating_sub(self.data.len()) as i64;
        if virtual_bytes == 0 {
            return 0;
        }
        (8 * virtual_bytes - i64::from(self.count)).max(0) as u64
    }

    /// Whether the decoder has run out of data.
    ///
    /// Partitions are implicitly followed by zero bits, and some encoders
    /// rely on that: the conformance vectors read up to 54 bytes of such
    /// padding, and the reference decoder never fails on it. Running out
    /// is therefore only reported once the padding consumed exceeds 256
    /// bytes plus a quarter of the partition length, which real streams
    /// do not approach but truncated ones quickly do.
    pub fn overrun(&self) -> bool {
        let allowed = 8 * (256 + self.data.len() as u64 / 4);
        self.padding_bits_used() > allowed
    }
}

/// Shifts the next bytes of `data` (from `pos`) into the window below its
/// `count + 8` valid bits; returns the new `pos`, `value` and `count`.
/// Past the end of the data, zero bytes are shifted in.
#[inline(never)]
fn refill(data: &[u8], mut pos: usize, mut value: u64, mut count: i32) -> (usize, u64, i32) {
    let mut shift = WINDOW_BITS - 8 - (count + 8);
    if let Some(chunk) = data.get(pos..pos + 8) {
        // Fast path: at least eight real bytes remain.
        let bytes = (shift / 8 + 1) as usize;
        let word = u64::from_be_bytes([chunk[0], chunk[1], chunk[2], chunk[3], chunk[4], chunk[5], chunk[6], chunk[7]]);
        // Place the top `bytes` bytes of `word` so that the first one
        // lands at bit position `shift`.
        let take = word >> (64 - 8 * bytes as u32);
        value |= take << (shift + 8 - 8 * bytes as i32);
        return (pos + bytes, value, count + 8 * bytes as i32);
    }
    while shift >= 0 {
        let byte = data.get(pos).copied().unwrap_or(0);
        value |= u64::from(byte) << shift;
        pos += 1;
        count += 8;
        shift -= 8;
    }
    (pos, value, count)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A tiny boolean encoder (RFC 6386 section 7.3) for round-trip tests.
    struct Enc {
        out: Vec<u8>,
        range: u32,
        bottom: u32,
        bit_count: i32,
    }

    impl Enc {
        fn new() -> Self {
            Enc { out: Vec::new(), range: 255, bottom: 0, bit_count: 24 }
        }
        fn add_one(&mut self) {
            let mut i = self.out.len();
            while i > 0 {
                i -= 1;
                if self.out[i] == 255 {
                    self.out[i] = 0;
                } else {
                    self.out[i] += 1;
                    break;
                }
            }
        }
        fn put(&mut self, prob: u8, bit: bool) {
            let split = 1 + (((self.range - 1) * u32::from(prob)) >> 8);
            if bit {
                self.bottom = self.bottom.wrapping_add(split);
                self.range -= split;
            } else {
                self.range = split;
            }
            while self.range < 128 {
                self.range <<= 1;
                if self.bottom & (1 << 31) != 0 {
                    self.add_one();
                }
                self.bottom <<= 1;
                self.bit_count -= 1;
                if self.bit_count == 0 {
                    self.out.push((self.bottom >> 24) as u8);
                    self.bottom &= (1 << 24) - 1;
                    self.bit_count = 8;
                }
            }
        }
        fn finish(mut self) -> Vec<u8> {
            for _ in 0..32 {
                self.put(128, false);
            }
            self.out
        }
    }

    #[test]
    fn round_trip() {
        let mut e = Enc::new();
        let mut seq = Vec::new();
        let mut x = 12345u32;
        for _ in 0..5000 {
            x = x.wrapping_mul(1103515245).wrapping_add(12345);
            let p = ((x >> 8) & 255) as u8;
            let p = p.max(1);
            let b = (x >> 20) & 3 == 0;
            seq.push((p, b));
            e.put(p, b);
        }
        let data = e.finish();
        let mut d = BoolDecoder::new(&data);
        for &(p, b) in &seq {
            assert_eq!(d.read_bool(p), b);
        }
        assert_eq!(d.padding_bits_used(), 0);
        for _ in 0..200 {
            d.read_bool(128);
        }
        assert!(d.padding_bits_used() > 0);
        for _ in 0..5000 {
            d.read_bool(128);
        }
        assert!(d.overrun());
    }

    #[test]
    fn empty_is_overrun() {
        let mut d = BoolDecoder::empty();
        assert!(!d.read_flag());
        assert!(d.padding_bits_used() > 0);
    }
}
