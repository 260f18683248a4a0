"""Cycles' settings for a picture: the GPU when Blender finds one, else the CPU. Runs in Blender's
Python (bpy)."""
from __future__ import annotations

import bpy


def configure_render(width_px: int, height_px: int, samples: int, seed: int = 0, preview: bool = False) -> str:
    """Cycles: the GPU when Blender finds one, else the CPU; denoised; a fixed seed; no metadata stamp
    (no date in the PNG): the same scene, the same picture. A preview: 3 bounces."""
    scene = bpy.context.scene
    scene.render.engine = "CYCLES"
    scene.render.resolution_x, scene.render.resolution_y = width_px, height_px
    scene.render.resolution_percentage = 100
    scene.render.image_settings.file_format = "PNG"
    scene.render.image_settings.color_mode = "RGB"
    for stamp in ("", "_date", "_time", "_render_time", "_frame", "_camera", "_scene", "_filename", "_memory", "_hostname"):
        setattr(scene.render, f"use_stamp{stamp}", False)
    scene.cycles.samples = samples
    scene.cycles.use_adaptive_sampling = True
    scene.cycles.seed = seed
    scene.cycles.use_animated_seed = False
    # OIDN's fast network, its albedo and normal taken as rendered (no prefilter): ~12 s less at
    # 960x540 on 2 cores than the high-quality network and accurate prefilter, and nearer that
    # picture than the same render with another seed is (benchmarks/render_single.py --denoise).
    scene.cycles.use_denoising, scene.cycles.denoising_quality = True, "FAST"
    scene.cycles.denoising_prefilter = "NONE"
    scene.cycles.max_bounces = 3 if preview else 8
    scene.view_settings.view_transform = "AgX"
    device = "CPU"
    try:
        prefs = bpy.context.preferences.addons["cycles"].preferences
        for kind in ("OPTIX", "CUDA", "HIP", "ONEAPI", "METAL"):
            try:
                prefs.compute_device_type = kind
            except TypeError:
                continue
            gpus = [d for d in prefs.get_devices_for_type(kind) if d.type != "CPU"]
            if gpus:
                for d in gpus:
                    d.use = True
                device = kind
                break
    except (KeyError, AttributeError):
        pass
    scene.cycles.device = "GPU" if device != "CPU" else "CPU"
    return device
