{
  "targets": [
    {
      "target_name": "eaddbench_sgx",
      "sources": [
        "native/src/addon.c",
        "native/src/addloop.c",
        "native/src/errinfo.c",
        "native/src/fdpass.c",
        "native/src/ioctls.c",
        "native/src/mem.c",
        "native/src/napi_util.c",
        "native/src/emuload.c",
        "native/src/sys.c"
      ],
      "cflags": ["-std=gnu11", "-O2", "-Wall", "-Wextra", "-Wno-unused-parameter"],
      "defines": ["NAPI_VERSION=8"],
      "libraries": ["-ldl", "-lpthread"]
    }
  ]
}
