# Cross-compiling for arm64 (aarch64) with Debian's cross compiler (g++-aarch64-linux-gnu) and the
# arm64 multiarch packages (libhwy-dev:arm64, libgtest-dev:arm64, ...; scripts/install-deps.sh adds
# them). Tests run under qemu-aarch64-static, so ctest checks the NEON kernels, not only their
# compilation. Used by scripts/test.sh:
#   cmake -S . -B build-arm64 -DCMAKE_TOOLCHAIN_FILE=cmake/aarch64-linux-gnu.cmake \
#         -DMUSEGEN_WITH_TORCH=OFF -DMUSEGEN_WITH_AUDIO=OFF -DMUSEGEN_BUILD_BENCH=OFF
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)
set(CMAKE_C_COMPILER aarch64-linux-gnu-gcc)
set(CMAKE_CXX_COMPILER aarch64-linux-gnu-g++)
# Multiarch: arm64 libraries and their CMake packages live in /usr/lib/aarch64-linux-gnu, the
# headers in /usr/include are shared with the host.
set(CMAKE_LIBRARY_ARCHITECTURE aarch64-linux-gnu)
set(CMAKE_FIND_ROOT_PATH /usr/aarch64-linux-gnu)
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
# pkg-config (libzip) reads the arm64 packages' .pc files, not the host's.
set(ENV{PKG_CONFIG_LIBDIR} "/usr/lib/aarch64-linux-gnu/pkgconfig:/usr/share/pkgconfig")
# The emulator runs the multiarch loader and C library (libc6:arm64, installed with
# libhwy1:arm64) from /: the cross toolchain's own copies in /usr/aarch64-linux-gnu are an older
# build, and a program loaded by them hangs in its first pthread_create under qemu 7.2.
set(CMAKE_CROSSCOMPILING_EMULATOR qemu-aarch64-static -L /)
