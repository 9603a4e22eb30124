//! Pool reports: every surface of a pool and who holds it, written when a pool runs dry
//! (`MFX_WRN_ALLOC_TIMEOUT_EXPIRED`) and on demand ([`crate::SurfacePool::report`], and
//! `vplrs_pool_report` in C), so that an application's developer sees which frames their code
//! still holds instead of guessing.

use std::fmt;
use std::time::Duration;

use crate::allocator::MemType;
use crate::info::FrameInfo;
use crate::pool::AllocationPolicy;

/// The component a pool serves, from its request's `FROM_*` flags.
pub fn purpose(mem_type: MemType) -> &'static str {
    if mem_type.contains(MemType::FROM_DECODE) {
        "decode output"
    } else if mem_type.contains(MemType::FROM_VPPIN) {
        "VPP input"
    } else if mem_type.contains(MemType::FROM_VPPOUT) {
        "VPP output"
    } else if mem_type.contains(MemType::FROM_ENCODE) {
        "encode input"
    } else {
        "application"
    }
}

/// Who holds one surface.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SurfaceUsage {
    /// The surface's id.
    pub id: u64,
    /// References (`AddRef`/`Release`, and the runtime's own handles); 0: free in the pool.
    pub references: u32,
    /// `Data.Locked`: a component keeps it (a reference picture, an encoder's input, VPP at work).
    pub locked: u16,
    /// Who raised `locked`, one entry per hold the runtime took (an application's own raises of a
    /// 1.x surface's `Data.Locked` are not named).
    pub holders: Vec<Holder>,
    /// Read mappings (`Map(READ)` and the runtime's reads).
    pub readers: u32,
    /// Who writes it now, if anybody.
    pub writer: Option<&'static str>,
    /// Since it left the pool's free list (in use only).
    pub held_for: Option<Duration>,
}

/// One hold of a surface's Locked counter.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Holder {
    /// The component and why it keeps the frame: "VPP (its input)", "the decoder (a picture
    /// libavcodec keeps)".
    pub who: &'static str,
    /// The operation the hold belongs to, counted from 1 in the order the component took them
    /// (`RunFrameVPPAsync`, `EncodeFrameAsync` calls), if it is for one.
    pub operation: Option<u64>,
    /// How long the frame has been held.
    pub held_for: Duration,
}

impl fmt::Display for Holder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.who)?;
        if let Some(operation) = self.operation {
            write!(f, " for operation {operation}")?;
        }
        write!(f, " since {:.3} s", self.held_for.as_secs_f64())
    }
}

/// A pool and its surfaces.
#[derive(Clone, Debug, PartialEq)]
pub struct PoolReport {
    /// What the pool serves: "decode output", "VPP input", "VPP output", "encode input".
    pub purpose: &'static str,
    /// The frames of the pool.
    pub info: FrameInfo,
    /// How the pool grows.
    pub policy: AllocationPolicy,
    /// `u32::MAX`: unlimited.
    pub max_size: u32,
    /// Surfaces free now.
    pub free: usize,
    /// Every surface handed out, with who holds it.
    pub surfaces: Vec<SurfaceUsage>,
}

impl PoolReport {
    /// Surfaces in use (not on the free list).
    pub fn in_use(&self) -> usize {
        self.surfaces.iter().filter(|usage| usage.references > 0).count()
    }
}

impl fmt::Display for PoolReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let max = if self.max_size == u32::MAX { "unlimited".to_owned() } else { self.max_size.to_string() };
        writeln!(
            f,
            "{} pool of {} {}x{} ({} policy, at most {max}): {} surfaces, {} in use, {} free",
            self.purpose,
            self.info.fourcc,
            self.info.width,
            self.info.height,
            self.policy.name(),
            self.surfaces.len(),
            self.in_use(),
            self.free
        )?;
        for usage in self.surfaces.iter().filter(|usage| usage.references > 0) {
            write!(f, "  surface {}: {} reference(s), Locked {}", usage.id, usage.references, usage.locked)?;
            for (index, holder) in usage.holders.iter().enumerate() {
                write!(f, "{}{holder}", if index == 0 { " (by " } else { "; " })?;
            }
            if !usage.holders.is_empty() {
                f.write_str(")")?;
            }
            if usage.readers > 0 {
                write!(f, ", mapped for reading {} time(s)", usage.readers)?;
            }
            if let Some(writer) = usage.writer {
                write!(f, ", being written by {writer}")?;
            }
            if let Some(held) = usage.held_for {
                write!(f, ", out of the pool for {:.3} s", held.as_secs_f64())?;
            }
            writeln!(f)?;
        }
        Ok(())
    }
}
