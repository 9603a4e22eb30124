//! Probability tables that adapt from frame to frame (coefficient, mode and
//! motion vector probabilities), stored as bytes in the `PROBS` segment.
//!
//! The segment holds two sets: the live set and a saved copy used when a
//! frame sets `refresh_entropy_probs = 0` (section 9.7): the live set is
//! saved before the frame's updates and restored after the frame.

use crate::tables::{DEFAULT_COEFF_PROBS, DEFAULT_MV_PROBS};

/// Bytes of coefficient probabilities (4 x 8 x 3 x 11).
pub(crate) const COEFF_LEN: usize = 4 * 8 * 3 * 11;
const YMODE_OFF: usize = COEFF_LEN;
const UV_OFF: usize = YMODE_OFF + 4;
const MV_OFF: usize = UV_OFF + 3;
const SET_LEN: usize = MV_OFF + 2 * 19;
/// Size of one probability set, padded.
const SET_STRIDE: usize = 1104;
/// Bytes needed by the `PROBS` segment.
pub(crate) const PROBS_SEGMENT_LEN: usize = 2 * SET_STRIDE;

/// Default inter-frame luma mode probabilities (section 16.1).
const DEFAULT_YMODE_PROBS: [u8; 4] = [112, 86, 140, 37];
/// Default inter-frame chroma mode probabilities (section 16.1).
const DEFAULT_UV_MODE_PROBS: [u8; 3] = [162, 101, 204];

/// A view of the probability segment.
pub(crate) struct Probs<'a> {
    bytes: &'a mut [u8],
}

impl<'a> Probs<'a> {
    /// Wraps the segment bytes (at least [`PROBS_SEGMENT_LEN`] long).
    pub fn new(bytes: &'a mut [u8]) -> Self {
        debug_assert!(bytes.len() >= PROBS_SEGMENT_LEN);
        Probs { bytes }
    }

    /// Resets the live set to the defaults (on key frames).
    pub fn reset(&mut self) {
        let coeff = &mut self.bytes[..COEFF_LEN];
        let flat = DEFAULT_COEFF_PROBS.iter().flatten().flatten().flatten();
        for (d, &s) in coeff.iter_mut().zip(flat) {
            *d = s;
        }
        self.bytes[YMODE_OFF..UV_OFF].copy_from_slice(&DEFAULT_YMODE_PROBS);
        self.bytes[UV_OFF..MV_OFF].copy_from_slice(&DEFAULT_UV_MODE_PROBS);
        for (d, &s) in self.bytes[MV_OFF..SET_LEN].iter_mut().zip(DEFAULT_MV_PROBS.iter().flatten()) {
            *d = s;
        }
    }

    /// Copies the live set into the saved set.
    pub fn save(&mut self) {
        self.bytes.copy_within(0..SET_LEN, SET_STRIDE);
    }

    /// Copies the saved set back into the live set.
    pub fn restore(&mut self) {
        self.bytes.copy_within(SET_STRIDE..SET_STRIDE + SET_LEN, 0);
    }

    pub fn coeff(&self) -> &[u8] {
        &self.bytes[..COEFF_LEN]
    }
    pub fn coeff_mut(&mut self) -> &mut [u8] {
        &mut self.bytes[..COEFF_LEN]
    }
    pub fn ymode(&self) -> [u8; 4] {
        let mut p = [0; 4];
        p.copy_from_slice(&self.bytes[YMODE_OFF..UV_OFF]);
        p
    }
    pub fn ymode_mut(&mut self) -> &mut [u8] {
        &mut self.bytes[YMODE_OFF..UV_OFF]
    }
    pub fn uv_mode(&self) -> [u8; 3] {
        let mut p = [0; 3];
        p.copy_from_slice(&self.bytes[UV_OFF..MV_OFF]);
        p
    }
    pub fn uv_mode_mut(&mut self) -> &mut [u8] {
        &mut self.bytes[UV_OFF..MV_OFF]
    }
    pub fn mv(&self) -> [[u8; 19]; 2] {
        let mut p = [[0; 19]; 2];
        p[0].copy_from_slice(&self.bytes[MV_OFF..MV_OFF + 19]);
        p[1].copy_from_slice(&self.bytes[MV_OFF + 19..SET_LEN]);
        p
    }
    pub fn mv_mut(&mut self) -> &mut [u8] {
        &mut self.bytes[MV_OFF..SET_LEN]
    }
}
