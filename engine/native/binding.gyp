{
  "variables": {
    "tl_flags": ["-O3", "-fno-math-errno", "-fno-trapping-math", "-std=c++17", "-fvisibility=hidden"]
  },
  "target_defaults": {
    "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")"],
    "defines": ["NAPI_VERSION=8", "NAPI_DISABLE_CPP_EXCEPTIONS", "NODE_ADDON_API_DISABLE_DEPRECATED"],
    "cflags_cc!": ["-std=gnu++17"],
    "cflags_cc": ["<@(tl_flags)"],
    "xcode_settings": { "OTHER_CPLUSPLUSFLAGS": ["<@(tl_flags)"], "GCC_ENABLE_CPP_EXCEPTIONS": "NO" },
    "msvs_settings": {
      "VCCLCompilerTool": {
        "Optimization": 2,
        "ExceptionHandling": 1,
        "RuntimeTypeInfo": "false",
        "AdditionalOptions": ["/std:c++17", "/O2", "/EHsc", "/Zc:__cplusplus", "/utf-8", "/wd4244", "/wd4267"]
      }
    },
    "conditions": [["OS=='win'", { "defines": ["_CRT_SECURE_NO_WARNINGS", "NOMINMAX", "WIN32_LEAN_AND_MEAN"] }]]
  },
  "targets": [
    {
      "target_name": "tensorlens",
      "sources": ["src/addon.cc", "src/common.cc", "src/pool.cc", "src/gemm.cc", "src/gemm_generic.cc", "src/fused.cc", "src/ops.cc", "src/conv.cc", "src/vec_generic.cc"],
      "conditions": [
        ["target_arch=='x64'", { "dependencies": ["tl_avx2", "tl_avx512"] }],
        ["OS=='linux'", { "libraries": ["-lpthread"] }]
      ]
    },
    {
      "target_name": "tl_avx2",
      "type": "static_library",
      "conditions": [["target_arch=='x64'", {
        "sources": ["src/gemm_avx2.cc", "src/vec_avx2.cc"],
        "cflags_cc": ["-mavx2", "-mfma"],
        "xcode_settings": { "OTHER_CPLUSPLUSFLAGS": ["-mavx2", "-mfma"] },
        "msvs_settings": { "VCCLCompilerTool": { "AdditionalOptions": ["/arch:AVX2"] } }
      }]]
    },
    {
      "target_name": "tl_avx512",
      "type": "static_library",
      "conditions": [["target_arch=='x64'", {
        "sources": ["src/gemm_avx512.cc", "src/vec_avx512.cc"],
        "cflags_cc": ["-mavx512f", "-mavx512dq", "-mavx512bw", "-mavx512vl", "-mavx2", "-mfma"],
        "xcode_settings": { "OTHER_CPLUSPLUSFLAGS": ["-mavx512f", "-mavx512dq", "-mavx512bw", "-mavx512vl", "-mavx2", "-mfma"] },
        "msvs_settings": { "VCCLCompilerTool": { "AdditionalOptions": ["/arch:AVX512"] } }
      }]]
    }
  ]
}
