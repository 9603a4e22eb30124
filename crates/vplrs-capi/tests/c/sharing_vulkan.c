/* Surface sharing with Vulkan through Intel's dispatcher: a VPP output (RGB4) exported onto the
 * application's device shares the surface's memory (its mapping is Map's pointer) or is copied;
 * a linear image the application filled is imported for VPP input, shared and copied; formats
 * without images and bad inputs answer their documented codes; the capability report (read from
 * the library directly) lists Vulkan exactly when it works.
 *
 * Usage: sharing_vulkan LIBVPLRS          (a Vulkan device with VK_EXT_external_memory_host)
 *        sharing_vulkan LIBVPLRS none     (no Vulkan driver: nothing listed, UNSUPPORTED) */
#define _DEFAULT_SOURCE
#include <vulkan/vulkan.h>

#include "sharing_common.h"

#define W 320
#define H 240

static VkInstance g_instance;
static VkPhysicalDevice g_physical;
static VkDevice g_device;

static void vulkan_open(void) {
    VkApplicationInfo app = {.sType = VK_STRUCTURE_TYPE_APPLICATION_INFO, .apiVersion = VK_API_VERSION_1_1};
    VkInstanceCreateInfo info = {.sType = VK_STRUCTURE_TYPE_INSTANCE_CREATE_INFO, .pApplicationInfo = &app};
    REQUIRE(vkCreateInstance(&info, NULL, &g_instance) == VK_SUCCESS);
    uint32_t count = 1;
    REQUIRE(vkEnumeratePhysicalDevices(g_instance, &count, &g_physical) >= VK_SUCCESS && count == 1);
    float priority = 1.0f;
    VkDeviceQueueCreateInfo queue = {.sType = VK_STRUCTURE_TYPE_DEVICE_QUEUE_CREATE_INFO,
                                     .queueFamilyIndex = 0, .queueCount = 1, .pQueuePriorities = &priority};
    const char *extensions[] = {VK_EXT_EXTERNAL_MEMORY_HOST_EXTENSION_NAME};
    VkDeviceCreateInfo device = {.sType = VK_STRUCTURE_TYPE_DEVICE_CREATE_INFO, .queueCreateInfoCount = 1,
                                 .pQueueCreateInfos = &queue, .enabledExtensionCount = 1,
                                 .ppEnabledExtensionNames = extensions};
    REQUIRE(vkCreateDevice(g_physical, &device, NULL, &g_device) == VK_SUCCESS);
}

static mfxSurfaceVulkanImg2D *export_vulkan(mfxFrameSurface1 *surface, mfxU32 flags, mfxStatus expected) {
    mfxExtSurfaceVulkanImg2DExportDescription desc;
    memset(&desc, 0, sizeof(desc));
    desc.Header.BufferId = MFX_EXTBUFF_EXPORT_SHARING_DESC_VULKAN;
    desc.Header.BufferSz = sizeof(desc);
    desc.instance = g_instance;
    desc.physicalDevice = g_physical;
    desc.device = g_device;
    mfxSurfaceVulkanImg2D *exported = NULL;
    CHECK_STS(export_with(surface, MFX_SURFACE_TYPE_VULKAN_IMG2D, flags, &desc.Header, (mfxSurfaceHeader **)&exported),
              expected);
    return exported;
}

/* Where row 0 of a linear image's memory is mapped, and its pitch. */
static mfxU8 *map_image(VkImage image, VkDeviceMemory memory, VkDeviceSize *pitch) {
    VkImageSubresource sub = {VK_IMAGE_ASPECT_COLOR_BIT, 0, 0};
    VkSubresourceLayout layout;
    vkGetImageSubresourceLayout(g_device, image, &sub, &layout);
    void *base = NULL;
    REQUIRE(vkMapMemory(g_device, memory, 0, VK_WHOLE_SIZE, 0, &base) == VK_SUCCESS);
    *pitch = layout.rowPitch;
    return (mfxU8 *)base + layout.offset;
}

static void exports(mfxSession session) {
    mfxVideoParam vpp;
    vpp_params(&vpp, MFX_FOURCC_NV12, MFX_FOURCC_RGB4, W, H, W, H);
    CHECK_STS(MFXVideoVPP_Init(session, &vpp), MFX_ERR_NONE);
    mfxFrameSurface1 *input = NULL;
    CHECK_STS(MFXMemory_GetSurfaceForVPP(session, &input), MFX_ERR_NONE);
    /* NV12 has no Vulkan image here. */
    export_vulkan(input, MFX_SURFACE_FLAG_DEFAULT, MFX_ERR_UNSUPPORTED);
    CHECK_STS(input->FrameInterface->Map(input, MFX_MAP_WRITE), MFX_ERR_NONE);
    for (int y = 0; y < H; y++) memset(input->Data.Y + y * input->Data.Pitch, 16 + y % 200, W);
    for (int y = 0; y < H / 2; y++) memset(input->Data.UV + y * input->Data.Pitch, 128, W);
    CHECK_STS(input->FrameInterface->Unmap(input), MFX_ERR_NONE);
    mfxFrameSurface1 *output = NULL;
    CHECK_STS(MFXVideoVPP_ProcessFrameAsync(session, input, &output), MFX_ERR_NONE);
    CHECK_STS(input->FrameInterface->Release(input), MFX_ERR_NONE);

    mfxSurfaceVulkanImg2D *shared = export_vulkan(output, MFX_SURFACE_FLAG_EXPORT_SHARED, MFX_ERR_NONE);
    REQUIRE(shared);
    CHECK(shared->SurfaceInterface.Header.SurfaceType == MFX_SURFACE_TYPE_VULKAN_IMG2D);
    CHECK(shared->SurfaceInterface.Header.SurfaceFlags == MFX_SURFACE_FLAG_EXPORT_SHARED);
    CHECK(shared->SurfaceInterface.Header.StructSize == sizeof(mfxSurfaceVulkanImg2D));
    CHECK(shared->instance == g_instance && shared->device == g_device && shared->physicalDevice == g_physical);
    CHECK_STS(shared->SurfaceInterface.Synchronize(&shared->SurfaceInterface, 10000), MFX_ERR_NONE);
    mfxSurfaceVulkanImg2D *copied = export_vulkan(output, MFX_SURFACE_FLAG_EXPORT_COPY, MFX_ERR_NONE);
    REQUIRE(copied);
    CHECK(copied->SurfaceInterface.Header.SurfaceFlags == MFX_SURFACE_FLAG_EXPORT_COPY);

    CHECK_STS(output->FrameInterface->Map(output, MFX_MAP_READ), MFX_ERR_NONE);
    VkDeviceSize pitch = 0;
    mfxU8 *mapped = map_image((VkImage)shared->image2D, (VkDeviceMemory)shared->image2DMemory, &pitch);
    /* Shared: the image's memory is the surface's own (RGB4's first byte is B). */
    CHECK(mapped == output->Data.B);
    CHECK(pitch == output->Data.Pitch);
    vkUnmapMemory(g_device, (VkDeviceMemory)shared->image2DMemory);
    mfxU8 *copy = map_image((VkImage)copied->image2D, (VkDeviceMemory)copied->image2DMemory, &pitch);
    CHECK(copy != output->Data.B);
    int same = 1;
    for (int y = 0; y < H; y++) same &= memcmp(copy + y * pitch, output->Data.B + y * output->Data.Pitch, W * 4) == 0;
    CHECK(same);
    vkUnmapMemory(g_device, (VkDeviceMemory)copied->image2DMemory);
    CHECK_STS(output->FrameInterface->Unmap(output), MFX_ERR_NONE);
    /* Release orders both ways. */
    CHECK_STS(copied->SurfaceInterface.Release(&copied->SurfaceInterface), MFX_ERR_NONE);
    CHECK_STS(output->FrameInterface->Release(output), MFX_ERR_NONE);
    mfxU32 counter = 0;
    CHECK_STS(shared->SurfaceInterface.GetRefCounter(&shared->SurfaceInterface, &counter), MFX_ERR_NONE);
    CHECK(counter == 1);
    CHECK_STS(shared->SurfaceInterface.Release(&shared->SurfaceInterface), MFX_ERR_NONE);
    CHECK_STS(shared->SurfaceInterface.Release(&shared->SurfaceInterface), MFX_ERR_UNDEFINED_BEHAVIOR);
    CHECK_STS(MFXVideoVPP_Close(session), MFX_ERR_NONE);
}

static mfxStatus import(mfxMemoryInterface *memory, VkImage image, VkDeviceMemory bound, VkDevice device, mfxU32 flags,
                        mfxFrameSurface1 **out, mfxU32 *done) {
    mfxSurfaceVulkanImg2D surface;
    memset(&surface, 0, sizeof(surface));
    surface.SurfaceInterface.Header.SurfaceType = MFX_SURFACE_TYPE_VULKAN_IMG2D;
    surface.SurfaceInterface.Header.SurfaceFlags = flags;
    surface.SurfaceInterface.Header.StructSize = sizeof(surface);
    surface.instance = g_instance;
    surface.physicalDevice = g_physical;
    surface.device = device;
    surface.image2D = image;
    surface.image2DMemory = bound;
    mfxStatus sts = memory->ImportFrameSurface(memory, MFX_SURFACE_COMPONENT_VPP_INPUT, &surface.SurfaceInterface.Header, out);
    if (done) *done = surface.SurfaceInterface.Header.SurfaceFlags;
    return sts;
}

static void imports(mfxSession session, mfxMemoryInterface *memory) {
    VkImageCreateInfo info = {.sType = VK_STRUCTURE_TYPE_IMAGE_CREATE_INFO, .imageType = VK_IMAGE_TYPE_2D,
                              .format = VK_FORMAT_B8G8R8A8_UNORM, .extent = {W, H, 1}, .mipLevels = 1,
                              .arrayLayers = 1, .samples = VK_SAMPLE_COUNT_1_BIT, .tiling = VK_IMAGE_TILING_LINEAR,
                              .usage = VK_IMAGE_USAGE_TRANSFER_SRC_BIT | VK_IMAGE_USAGE_TRANSFER_DST_BIT,
                              .initialLayout = VK_IMAGE_LAYOUT_PREINITIALIZED};
    VkImage image;
    REQUIRE(vkCreateImage(g_device, &info, NULL, &image) == VK_SUCCESS);
    VkMemoryRequirements needs;
    vkGetImageMemoryRequirements(g_device, image, &needs);
    VkPhysicalDeviceMemoryProperties types;
    vkGetPhysicalDeviceMemoryProperties(g_physical, &types);
    uint32_t index = 0;
    VkMemoryPropertyFlags visible = VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT | VK_MEMORY_PROPERTY_HOST_COHERENT_BIT;
    while (!((needs.memoryTypeBits & (1u << index)) && (types.memoryTypes[index].propertyFlags & visible) == visible)) index++;
    VkMemoryAllocateInfo allocation = {.sType = VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_INFO,
                                       .allocationSize = needs.size, .memoryTypeIndex = index};
    VkDeviceMemory bound;
    REQUIRE(vkAllocateMemory(g_device, &allocation, NULL, &bound) == VK_SUCCESS);
    REQUIRE(vkBindImageMemory(g_device, image, bound, 0) == VK_SUCCESS);
    VkDeviceSize pitch = 0;
    mfxU8 *pixels = map_image(image, bound, &pitch);
    for (int y = 0; y < H; y++)
        for (int x = 0; x < W; x++) memcpy(pixels + y * pitch + x * 4, (mfxU8[4]){10, 20, 30, 255}, 4);
    vkUnmapMemory(g_device, bound);

    mfxFrameSurface1 *imported = NULL;
    mfxU32 done = 0;
    mfxVideoParam vpp;
    vpp_params(&vpp, MFX_FOURCC_RGB4, MFX_FOURCC_RGB4, W, H, W, H);
    CHECK_STS(MFXVideoVPP_Init(session, &vpp), MFX_ERR_NONE);
    for (int mode = 0; mode < 2; mode++) {
        mfxU32 flags = mode == 0 ? MFX_SURFACE_FLAG_IMPORT_SHARED : MFX_SURFACE_FLAG_IMPORT_COPY;
        CHECK_STS(import(memory, image, bound, g_device, flags, &imported, &done), MFX_ERR_NONE);
        CHECK(done == flags);
        mfxFrameSurface1 *output = NULL;
        CHECK_STS(MFXVideoVPP_ProcessFrameAsync(session, imported, &output), MFX_ERR_NONE);
        CHECK_STS(imported->FrameInterface->Release(imported), MFX_ERR_NONE);
        CHECK_STS(output->FrameInterface->Synchronize(output, 10000), MFX_ERR_NONE);
        CHECK_STS(output->FrameInterface->Map(output, MFX_MAP_READ), MFX_ERR_NONE);
        mfxU8 *last = output->Data.B + (H - 1) * output->Data.Pitch + (W - 1) * 4;
        CHECK(output->Data.B[0] == 10 && output->Data.B[1] == 20 && output->Data.B[2] == 30);
        CHECK(last[0] == 10 && last[1] == 20 && last[2] == 30);
        CHECK_STS(output->FrameInterface->Unmap(output), MFX_ERR_NONE);
        CHECK_STS(output->FrameInterface->Release(output), MFX_ERR_NONE);
    }
    /* Bad inputs. */
    CHECK_STS(import(memory, image, bound, NULL, 0, &imported, NULL), MFX_ERR_NULL_PTR);
    CHECK_STS(import(memory, VK_NULL_HANDLE, bound, g_device, 0, &imported, NULL), MFX_ERR_NULL_PTR);
    mfxSurfaceVulkanImg2D wrong;
    memset(&wrong, 0, sizeof(wrong));
    wrong.SurfaceInterface.Header.SurfaceType = MFX_SURFACE_TYPE_VULKAN_IMG2D;
    wrong.SurfaceInterface.Header.StructSize = sizeof(wrong) - 8;
    CHECK_STS(memory->ImportFrameSurface(memory, MFX_SURFACE_COMPONENT_VPP_INPUT, &wrong.SurfaceInterface.Header, &imported),
              MFX_ERR_UNSUPPORTED);
    CHECK_STS(MFXVideoVPP_Close(session), MFX_ERR_NONE);
    vkDestroyImage(g_device, image, NULL);
    vkFreeMemory(g_device, bound, NULL);
}

int main(int argc, char **argv) {
    REQUIRE(argc >= 2);
    int vulkan = argc < 3 || strcmp(argv[2], "none") != 0;
    /* lavapipe imports host memory: shared and copy both ways. */
    CHECK(surface_type_listed(argv[1], MFX_SURFACE_TYPE_VULKAN_IMG2D, SHARED_OR_COPY_IN, SHARED_OR_COPY_OUT) == vulkan);
    mfxLoader loader = NULL;
    mfxSession session = open_vplrs(&loader);
    mfxMemoryInterface *memory = NULL;
    CHECK_STS(MFXGetMemoryInterface(session, &memory), MFX_ERR_NONE);
    REQUIRE(memory);
    if (vulkan) {
        vulkan_open();
        exports(session);
        imports(session, memory);
        vkDestroyDevice(g_device, NULL);
        vkDestroyInstance(g_instance, NULL);
    } else {
        export_refused_without_driver(session, MFX_FOURCC_RGB4, MFX_SURFACE_TYPE_VULKAN_IMG2D);
    }
    CHECK_STS(MFXClose(session), MFX_ERR_NONE);
    MFXUnload(loader);
    return finish("sharing_vulkan") ? 1 : 0;
}
