//! Owned references to OpenCL objects: retained when taken, released when dropped, errors of the
//! release logged (a drop must not fail or panic).
#![allow(unsafe_code)]

use cl3::types::{cl_command_queue, cl_context, cl_device_id, cl_event, cl_int, cl_mem};

use crate::SharingError;

/// The error of a refused OpenCL call.
pub(crate) fn refused(call: &'static str) -> impl FnOnce(cl_int) -> SharingError {
    move |code| SharingError::Framework { call, code }
}

macro_rules! owned_handle {
    ($name:ident, $raw:ty, $what:literal, $retain:path, $release:path) => {
        #[doc = concat!("One reference to an OpenCL ", $what, ".")]
        #[derive(Debug)]
        pub struct $name($raw);

        // SAFETY: OpenCL objects other than kernels may be used from any thread (OpenCL 1.2+,
        // appendix A.2); this type only retains, releases and passes the handle.
        unsafe impl Send for $name {}
        // SAFETY: as above.
        unsafe impl Sync for $name {}

        impl $name {
            /// Takes a new reference to `raw`.
            ///
            /// # Safety
            #[doc = concat!("`raw` must be a valid ", $what, " or NULL.")]
            pub unsafe fn retain(raw: $raw) -> Result<Self, SharingError> {
                if raw.is_null() {
                    return Err(SharingError::NullHandle($what));
                }
                // SAFETY: valid per this function's contract.
                unsafe { $retain(raw) }.map_err(refused(concat!("retaining the ", $what)))?;
                Ok(Self(raw))
            }

            /// Takes over the reference a create call returned.
            pub(crate) fn adopt(raw: $raw) -> Self {
                Self(raw)
            }

            /// The handle, for OpenCL calls (this value keeps its reference).
            pub fn raw(&self) -> $raw {
                self.0
            }

            /// Another reference to the same object.
            pub fn try_clone(&self) -> Result<Self, SharingError> {
                // SAFETY: this handle holds a reference, so the object is valid.
                unsafe { Self::retain(self.0) }
            }
        }

        impl Drop for $name {
            fn drop(&mut self) {
                // SAFETY: this handle holds one reference, given back once.
                if let Err(code) = unsafe { $release(self.0) } {
                    tracing::warn!(code, concat!("OpenCL refused to release a ", $what));
                }
            }
        }
    };
}

owned_handle!(Context, cl_context, "cl_context", cl3::context::retain_context, cl3::context::release_context);
owned_handle!(
    Queue,
    cl_command_queue,
    "cl_command_queue",
    cl3::command_queue::retain_command_queue,
    cl3::command_queue::release_command_queue
);
owned_handle!(Image, cl_mem, "cl_mem", cl3::memory::retain_mem_object, cl3::memory::release_mem_object);

/// Releases the event an enqueue call returned (vplrs waits with blocking calls instead).
pub(crate) fn drop_event(event: cl_event) {
    if !event.is_null() {
        // SAFETY: the event was returned by an enqueue call with one reference for the caller.
        if let Err(code) = unsafe { cl3::event::release_event(event) } {
            tracing::warn!(code, "OpenCL refused to release an event");
        }
    }
}

/// Reads a native-endian value of type `T` from an info query's bytes.
pub(crate) fn info_value<T: Copy + Default>(bytes: &[u8]) -> T {
    let mut value = T::default();
    let size = std::mem::size_of::<T>();
    if bytes.len() >= size {
        // SAFETY: `value` is a `Copy` plain value of `size` bytes and `bytes` holds at least that
        // many; every type read here (integers, handles) is valid for any bit pattern.
        unsafe { std::ptr::copy_nonoverlapping(bytes.as_ptr(), (&raw mut value).cast::<u8>(), size) };
    }
    value
}

impl Queue {
    /// The device the queue feeds.
    pub fn device(&self) -> Result<cl_device_id, SharingError> {
        let bytes = cl3::command_queue::get_command_queue_data(self.0, cl3::command_queue::CL_QUEUE_DEVICE)
            .map_err(refused("clGetCommandQueueInfo(CL_QUEUE_DEVICE)"))?;
        Ok(info_value(&bytes))
    }

    /// The context the queue belongs to.
    pub fn context(&self) -> Result<cl_context, SharingError> {
        let bytes = cl3::command_queue::get_command_queue_data(self.0, cl3::command_queue::CL_QUEUE_CONTEXT)
            .map_err(refused("clGetCommandQueueInfo(CL_QUEUE_CONTEXT)"))?;
        Ok(info_value(&bytes))
    }

    /// Waits for everything enqueued on the queue (`clFinish`).
    pub fn finish(&self) -> Result<(), SharingError> {
        cl3::command_queue::finish(self.0).map_err(refused("clFinish"))
    }
}

impl Image {
    /// The image's reference count (`CL_MEM_REFERENCE_COUNT`).
    pub fn reference_count(&self) -> Result<u32, SharingError> {
        let bytes = cl3::memory::get_mem_object_data(self.0, cl3::memory::CL_MEM_REFERENCE_COUNT)
            .map_err(refused("clGetMemObjectInfo(CL_MEM_REFERENCE_COUNT)"))?;
        Ok(info_value(&bytes))
    }
}
