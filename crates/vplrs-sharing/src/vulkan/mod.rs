//! Vulkan sharing (`MFX_SURFACE_TYPE_VULKAN_IMG2D`): a frame as one `VkImage` and the
//! `VkDeviceMemory` bound to it.
//!
//! - [`export`]: onto the application's instance, physical device and device
//!   ([`VulkanTarget::from_raw`]) or the runtime's own ([`VulkanTarget::runtime`]). Shared: a linear
//!   image over the surface's own memory, imported with `VK_EXT_external_memory_host` (the frame
//!   buffers are page aligned and whole pages, see `vplrs_memory::arena::FRAME_BUFFER_ALIGN`), where
//!   the device's linear row pitch is the surface's; copy: a linear image in host-visible device
//!   memory holding the frame's pixels.
//! - [`import`]: an application's linear image in host-visible memory, bound at offset 0, as a
//!   surface of the component's format and size. Shared: the memory mapped and wrapped (no copy)
//!   where its row pitch fits one `mfxFrameData::Pitch`; copy: read into a pool surface.
//!
//! Formats: RGB4 (bytes B, G, R, A) as `VK_FORMAT_B8G8R8A8_UNORM`, BGR4 (R, G, B, A) as
//! `VK_FORMAT_R8G8B8A8_UNORM`. NV12 and P010 need the multi-planar formats, which are not built
//! yet: they answer [`SharingError::Unsupported`] (lavapipe has none of them anyway).
//!
//! Shared export needs the application's device created with `VK_EXT_external_memory_host`; a
//! device without it gets copies. The application keeps its device until it has released every
//! export made on it.
#![allow(unsafe_code)]

mod export;
mod import;

use std::ffi::CStr;
use std::sync::{Arc, Mutex};

use ash::vk::{self, Handle};
use vplrs_memory::FourCc;

pub use export::{export, VulkanExport};
pub use import::{import, VulkanFrame};

use crate::SharingError;

fn unavailable(reason: impl Into<String>) -> SharingError {
    SharingError::Unavailable { api: "Vulkan", reason: reason.into() }
}

fn refused(call: &'static str) -> impl FnOnce(vk::Result) -> SharingError {
    move |result| SharingError::Framework { call, code: result.as_raw() }
}

/// The loader, opened on first use; every target holds it (its functions live there), and
/// [`release_runtime`] lets it go.
static ENTRY: Mutex<Option<Result<Arc<ash::Entry>, String>>> = Mutex::new(None);

fn entry() -> Result<Arc<ash::Entry>, SharingError> {
    let mut entry = ENTRY.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    // SAFETY: loading the system's Vulkan loader, whose initialisers are sound to run.
    let loaded =
        entry.get_or_insert_with(|| unsafe { ash::Entry::load() }.map(Arc::new).map_err(|error| error.to_string()));
    loaded.clone().map_err(|reason| unavailable(format!("no Vulkan loader: {reason}")))
}

/// Host-memory import on a device (`VK_EXT_external_memory_host`, enabled).
#[derive(Clone, Copy)]
struct HostImport {
    properties: vk::PFN_vkGetMemoryHostPointerPropertiesEXT,
    alignment: u64,
}

/// Where exported images live: an instance, a physical device and a device (cheap to clone).
#[derive(Clone)]
pub struct VulkanTarget(Arc<Objects>);

/// The runtime's own target, once made.
static RUNTIME: Mutex<Option<Result<VulkanTarget, String>>> = Mutex::new(None);

/// Lets the runtime's own device and instance go (destroyed with the last export made on them):
/// a library being unloaded gives back what it made.
pub fn release_runtime() {
    let taken = RUNTIME.lock().unwrap_or_else(std::sync::PoisonError::into_inner).take();
    drop(taken);
    let entry = ENTRY.lock().unwrap_or_else(std::sync::PoisonError::into_inner).take();
    drop(entry);
}

/// The objects of a target and their function tables; the runtime's own are destroyed with it.
struct Objects {
    /// True for the runtime's own objects.
    owned: bool,
    /// Keeps the loader (and the functions below) loaded.
    _entry: Arc<ash::Entry>,
    instance: ash::Instance,
    physical: vk::PhysicalDevice,
    device: ash::Device,
    memory: vk::PhysicalDeviceMemoryProperties,
    host_import: Option<HostImport>,
    /// Memory of released copies, kept for the next ones (the runtime's own device only: an
    /// application may destroy its device once its exports are released). Allocating a 4K frame's
    /// memory anew costs lavapipe several times the copy itself.
    spare: Mutex<Vec<SpareMemory>>,
}

/// A device memory allocation free for reuse.
struct SpareMemory {
    memory: vk::DeviceMemory,
    size: u64,
    type_index: u32,
}

/// At most this many spare allocations per device.
const MAX_SPARE: usize = 4;

impl VulkanTarget {
    /// Memory of `size` bytes of `type_index`, reused if a released copy left some.
    fn take_spare(&self, size: u64, type_index: u32) -> Option<vk::DeviceMemory> {
        let mut spare = self.0.spare.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let at = spare.iter().position(|s| s.size == size && s.type_index == type_index)?;
        Some(spare.swap_remove(at).memory)
    }

    /// Keeps `memory` for reuse on the runtime's own device, or frees it.
    fn give_back(&self, memory: vk::DeviceMemory, size: u64, type_index: u32) {
        if self.0.owned {
            let mut spare = self.0.spare.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            if spare.len() < MAX_SPARE {
                spare.push(SpareMemory { memory, size, type_index });
                return;
            }
        }
        // SAFETY: memory of this device that nothing uses any more.
        unsafe { self.0.device.free_memory(memory, None) };
    }
}

impl std::fmt::Debug for VulkanTarget {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("VulkanTarget")
            .field("instance", &self.0.instance.handle())
            .field("device", &self.0.device.handle())
            .field("host_import", &self.0.host_import.is_some())
            .finish()
    }
}

impl VulkanTarget {
    /// The application's objects, used as they are (the application keeps them alive).
    ///
    /// # Safety
    /// The three handles must be valid and related (the device made from the physical device of
    /// the instance), or NULL.
    pub unsafe fn from_raw(instance: u64, physical: u64, device: u64) -> Result<Self, SharingError> {
        if instance == 0 {
            return Err(SharingError::NullHandle("VkInstance"));
        }
        if physical == 0 {
            return Err(SharingError::NullHandle("VkPhysicalDevice"));
        }
        if device == 0 {
            return Err(SharingError::NullHandle("VkDevice"));
        }
        let entry = entry()?;
        // SAFETY: valid handles per this function's contract; the loader's static functions.
        unsafe {
            let instance = ash::Instance::load(entry.static_fn(), vk::Instance::from_raw(instance));
            let device = ash::Device::load(instance.fp_v1_0(), vk::Device::from_raw(device));
            Ok(Self::new(entry.clone(), instance, vk::PhysicalDevice::from_raw(physical), device, false))
        }
    }

    /// A target over `instance`, `physical` and `device`; `owned` ones are destroyed with it.
    ///
    /// # Safety
    /// The objects must be valid and related.
    unsafe fn new(
        entry: Arc<ash::Entry>,
        instance: ash::Instance,
        physical: vk::PhysicalDevice,
        device: ash::Device,
        owned: bool,
    ) -> Self {
        // SAFETY: valid objects per this function's contract.
        let memory = unsafe { instance.get_physical_device_memory_properties(physical) };
        let name = c"vkGetMemoryHostPointerPropertiesEXT";
        // SAFETY: as above. A device without the extension enabled answers NULL.
        let function = unsafe { instance.get_device_proc_addr(device.handle(), name.as_ptr()) };
        let host_import = function.map(|function| {
            let mut host = vk::PhysicalDeviceExternalMemoryHostPropertiesEXT::default();
            let mut properties = vk::PhysicalDeviceProperties2::default().push_next(&mut host);
            // SAFETY: as above; the extension's structure is chained as the spec allows.
            unsafe { instance.get_physical_device_properties2(physical, &mut properties) };
            HostImport {
                // SAFETY: the function vkGetDeviceProcAddr returned for this very name.
                properties: unsafe {
                    std::mem::transmute::<unsafe extern "system" fn(), vk::PFN_vkGetMemoryHostPointerPropertiesEXT>(
                        function,
                    )
                },
                alignment: host.min_imported_host_pointer_alignment.max(1),
            }
        });
        Self(Arc::new(Objects {
            owned,
            _entry: entry,
            instance,
            physical,
            device,
            memory,
            host_import,
            spare: Mutex::new(Vec::new()),
        }))
    }

    /// The runtime's own instance and device, made on first use on the first physical device
    /// (with `VK_EXT_external_memory_host` where it has it) and kept until [`release_runtime`]
    /// and the last export made on them.
    pub fn runtime() -> Result<Self, SharingError> {
        let mut runtime = RUNTIME.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        runtime
            .get_or_insert_with(|| make_runtime_target().map_err(|error| error.to_string()))
            .clone()
            .map_err(unavailable)
    }

    /// The `VkInstance` handle.
    pub fn instance(&self) -> u64 {
        self.0.instance.handle().as_raw()
    }

    /// The `VkPhysicalDevice` handle.
    pub fn physical_device(&self) -> u64 {
        self.0.physical.as_raw()
    }

    /// The `VkDevice` handle.
    pub fn device(&self) -> u64 {
        self.0.device.handle().as_raw()
    }

    /// True if the device imports host memory: shared exports are possible.
    pub fn shares_host_memory(&self) -> bool {
        self.0.host_import.is_some()
    }

    /// A memory type among `allowed` with all of `flags`.
    fn memory_type(&self, allowed: u32, flags: vk::MemoryPropertyFlags) -> Option<u32> {
        (0..self.0.memory.memory_type_count).find(|&index| {
            allowed & (1 << index) != 0 && self.0.memory.memory_types[index as usize].property_flags.contains(flags)
        })
    }
}

impl Drop for Objects {
    fn drop(&mut self) {
        for spare in self.spare.get_mut().unwrap_or_else(std::sync::PoisonError::into_inner).drain(..) {
            // SAFETY: spare memory of this device, used by nothing.
            unsafe { self.device.free_memory(spare.memory, None) };
        }
        if self.owned {
            // SAFETY: the runtime's own device and instance; this is their last user (every
            // export on them held a clone of the target).
            unsafe {
                let _ = self.device.device_wait_idle();
                self.device.destroy_device(None);
                self.instance.destroy_instance(None);
            }
        }
    }
}

/// The format of a frame's single image, if it has one here.
fn format_of(fourcc: FourCc) -> Result<vk::Format, SharingError> {
    match fourcc {
        FourCc::Rgb4 => Ok(vk::Format::B8G8R8A8_UNORM),
        FourCc::Bgr4 => Ok(vk::Format::R8G8B8A8_UNORM),
        other => Err(SharingError::Unsupported(format!(
            "{other:?} frames have no Vulkan image here (multi-planar formats are not built)"
        ))),
    }
}

fn make_runtime_target() -> Result<VulkanTarget, SharingError> {
    let entry = entry()?;
    let application = vk::ApplicationInfo::default().api_version(vk::API_VERSION_1_1);
    let info = vk::InstanceCreateInfo::default().application_info(&application);
    // SAFETY: a plain instance with no layers or extensions.
    let instance = unsafe { entry.create_instance(&info, None) }.map_err(refused("vkCreateInstance"))?;
    // SAFETY: the instance just made.
    let physicals = unsafe { instance.enumerate_physical_devices() }.map_err(refused("vkEnumeratePhysicalDevices"))?;
    let physical = *physicals.first().ok_or_else(|| unavailable("no physical device"))?;
    // SAFETY: as above.
    let extensions = unsafe { instance.enumerate_device_extension_properties(physical) }
        .map_err(refused("vkEnumerateDeviceExtensionProperties"))?;
    let host_name: &CStr = ash::ext::external_memory_host::NAME;
    let has_host = extensions.iter().any(|extension| extension.extension_name_as_c_str() == Ok(host_name));
    let enabled = if has_host { vec![host_name.as_ptr()] } else { Vec::new() };
    let priorities = [1.0f32];
    let queues = [vk::DeviceQueueCreateInfo::default().queue_family_index(0).queue_priorities(&priorities)];
    let info = vk::DeviceCreateInfo::default().queue_create_infos(&queues).enabled_extension_names(&enabled);
    // SAFETY: the physical device of the instance; one queue of family 0 (every device has one).
    let device = unsafe { instance.create_device(physical, &info, None) }.map_err(refused("vkCreateDevice"))?;
    // SAFETY: related objects just made.
    Ok(unsafe { VulkanTarget::new(entry.clone(), instance, physical, device, true) })
}

/// What this machine's Vulkan can do, for the capability report: `None` without Vulkan, else
/// whether the runtime's device imports host memory (shared export and import) or only copies.
pub fn capabilities() -> Option<bool> {
    VulkanTarget::runtime().ok().map(|target| target.shares_host_memory())
}
