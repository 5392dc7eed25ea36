# Our N-API addon over the OpenVINO C++ runtime, built by scripts/setup-openvino.sh when the official
# openvino-node binary cannot be downloaded. OV_DIR (include/ + libs/ of the PyPI wheel) is passed
# by the script: node-gyp rebuild -- -Dov_dir=...
{
  "variables": { "ov_dir%": "", "ov_lib%": "libopenvino.so.2640" },
  "targets": [{
    "target_name": "ov_node_addon",
    "sources": [
      "src/addon.cc", "src/convert.cc", "src/tensor.cc", "src/model.cc", "src/core.cc",
      "src/compiled_model.cc", "src/infer_request.cc", "src/async_infer_queue.cc"
    ],
    "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")", "<(ov_dir)/include"],
    "defines": ["NAPI_VERSION=8", "NODE_ADDON_API_DISABLE_DEPRECATED", "NAPI_CPP_EXCEPTIONS"],
    "cflags!": ["-fno-exceptions"],
    "cflags_cc!": ["-fno-exceptions", "-fno-rtti"],
    "cflags_cc": ["-std=c++17", "-frtti", "-fexceptions", "-O2"],
    "libraries": ["-L<(ov_dir)/libs", "-l:<(ov_lib)", "-Wl,-rpath,'$$ORIGIN'"]
  }]
}
