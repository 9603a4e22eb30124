// A per-plane OpenCL filter in FFmpeg's program_opencl convention: once per plane, global size
// the destination plane's, `index` the plane (0 luma). It negates every sample (a photographic
// negative), so its effect is easy to see and to check.
//   vplrs transcode in.h264 -o out.h264 --opencl-kernel examples/opencl/negate.cl:negate
//   ffmpeg -init_hw_device opencl=gpu -filter_hw_device gpu -i in.h264 \
//     -vf format=yuv420p,hwupload,program_opencl=source=examples/opencl/negate.cl:kernel=negate,hwdownload,format=yuv420p out.h264
__kernel void negate(__write_only image2d_t dst, unsigned int index, __read_only image2d_t src) {
    const sampler_t sampler = CLK_NORMALIZED_COORDS_FALSE | CLK_ADDRESS_CLAMP_TO_EDGE | CLK_FILTER_NEAREST;
    int2 at = (int2)(get_global_id(0), get_global_id(1));
    float4 value = read_imagef(src, sampler, at);
    write_imagef(dst, at, (float4)(1.0f - value.x, 1.0f - value.y, 1.0f - value.z, value.w));
}
