//! `--opencl-kernel`: an OpenCL C kernel run on every frame between decode/VPP and encode, through
//! surface sharing: the decoded picture and the encoder's input surface are exported onto the
//! tool's own OpenCL context (shared, no copy, where the device works on host memory), and the
//! kernel writes one into the other.
//!
//! The calling convention is FFmpeg's `program_opencl` filter's, so one kernel file runs in both:
//! `kernel(__write_only image2d_t dst, unsigned int index, __read_only image2d_t src)`, enqueued
//! once per plane with the destination plane's size as the global size. The frames are I420, so
//! each plane is one `CL_R` image (as FFmpeg's `yuv420p`).

use anyhow::{anyhow, bail, Context as _, Result};
use opencl3::command_queue::CommandQueue;
use opencl3::context::Context;
use opencl3::device::{Device, CL_DEVICE_TYPE_ALL};
use opencl3::kernel::{ExecuteKernel, Kernel};
use opencl3::platform::get_platforms;
use opencl3::program::Program;
use vplrs::sharing::opencl::{export, OpenClExport, OpenClTarget};
use vplrs::sharing::{SharedAs, Sharing};
use vplrs::Surface;

/// The built-in example kernel (`examples/opencl/negate.cl`): a photographic negative.
pub const BUILTIN: &str = include_str!("../../../examples/opencl/negate.cl");

/// A kernel ready to run on frames, and what running it took.
pub struct KernelFilter {
    queue: CommandQueue,
    context: Context,
    kernel: Kernel,
    pub name: String,
    pub frames: u64,
    pub shared: u64,
    pub copied: u64,
}

impl KernelFilter {
    /// Builds `spec` (`FILE.cl[:NAME]`, or `builtin`; NAME defaults to the file's stem) on the
    /// first OpenCL device.
    pub fn new(spec: &str) -> Result<Self> {
        let (source, name) = if spec == "builtin" {
            (BUILTIN.to_owned(), "negate".to_owned())
        } else {
            let (path, name) = match spec.rsplit_once(':') {
                Some((path, name)) if !name.is_empty() && !name.contains('/') => (path, name.to_owned()),
                _ => (spec, std::path::Path::new(spec).file_stem().and_then(|s| s.to_str()).unwrap_or("").to_owned()),
            };
            let source = std::fs::read_to_string(path).with_context(|| format!("reading the OpenCL kernel {path}"))?;
            (source, name)
        };
        let platforms = get_platforms().map_err(|error| {
            anyhow!("no OpenCL platform ({error}): install an OpenCL driver (PoCL: apt-get install pocl-opencl-icd)")
        })?;
        let device = platforms
            .iter()
            .find_map(|platform| platform.get_devices(CL_DEVICE_TYPE_ALL).ok()?.into_iter().next())
            .ok_or_else(|| anyhow!("no OpenCL device"))?;
        let context = Context::from_device(&Device::new(device)).context("creating an OpenCL context")?;
        #[allow(deprecated)]
        let queue = CommandQueue::create_default(&context, 0).context("creating an OpenCL command queue")?;
        let program = Program::create_and_build_from_source(&context, &source, "")
            .map_err(|log| anyhow!("building the OpenCL kernel failed:\n{log}"))?;
        let kernel =
            Kernel::create(&program, &name).with_context(|| format!("no kernel named {name:?} in the program"))?;
        Ok(Self { queue, context, kernel, name, frames: 0, shared: 0, copied: 0 })
    }

    fn target(&self) -> Result<OpenClTarget> {
        // SAFETY: this filter's own live context and queue.
        unsafe { OpenClTarget::from_raw(self.context.get(), self.queue.get()) }.context("the OpenCL target")
    }

    fn export(&mut self, surface: &Surface) -> Result<OpenClExport> {
        let exported = export(surface, self.target()?, Sharing::SharedOrCopy).context("exporting a frame to OpenCL")?;
        match exported.shared_as() {
            SharedAs::Shared => self.shared += 1,
            SharedAs::Copied => self.copied += 1,
        }
        Ok(exported)
    }

    /// Runs the kernel from `source` into `destination` (same format and size), plane by plane, and
    /// waits for it. A copied destination is read back into the surface.
    pub fn run(&mut self, source: &Surface, destination: &Surface) -> Result<()> {
        source.synchronize(std::time::Duration::from_secs(60)).context("waiting for the picture")?;
        let input = self.export(source)?;
        let output = self.export(destination)?;
        if output.shared_as() != SharedAs::Shared {
            bail!("the OpenCL device cannot write the encoder's surfaces in place (no host-memory sharing)");
        }
        for (index, plane) in destination.layout().planes().iter().enumerate() {
            let (dst, src) = (output.images()[index].raw(), input.images()[index].raw());
            let plane_index = index as u32;
            // SAFETY: the arguments are the convention's: an image, an unsigned int, an image.
            unsafe {
                ExecuteKernel::new(&self.kernel)
                    .set_arg(&dst)
                    .set_arg(&plane_index)
                    .set_arg(&src)
                    .set_global_work_sizes(&[plane.row_bytes, plane.rows])
                    .enqueue_nd_range(&self.queue)
            }
            .context("running the OpenCL kernel")?;
        }
        self.queue.finish().context("waiting for the OpenCL kernel")?;
        self.frames += 1;
        Ok(())
    }
}
