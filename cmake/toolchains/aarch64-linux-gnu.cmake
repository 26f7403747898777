# Cross-compile ringlab for 64-bit Arm Linux with Debian's multiarch tool chain
# (g++-aarch64-linux-gnu, libraries in /usr/lib/aarch64-linux-gnu), and run
# the tests under qemu-user.  Used by runners/cross-test.sh:
#   cmake -S . -B build-aarch64 -DCMAKE_TOOLCHAIN_FILE=cmake/toolchains/aarch64-linux-gnu.cmake
# qemu-user proves behaviour, not weak memory ordering or timing.
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)

set(CMAKE_C_COMPILER aarch64-linux-gnu-gcc)
set(CMAKE_CXX_COMPILER aarch64-linux-gnu-g++)

# Multiarch: find_package/find_library look in /usr/lib/aarch64-linux-gnu
# (GTest, benchmark, libpfm) instead of the host's x86_64 directory.
set(CMAKE_LIBRARY_ARCHITECTURE aarch64-linux-gnu)

# ctest and gtest_discover_tests run target binaries through this.  No -L:
# the multiarch libraries resolve through the cross loader's default paths.
set(CMAKE_CROSSCOMPILING_EMULATOR qemu-aarch64)

# Build tools (python, objdump) come from the host; libraries and headers from
# the multiarch directories.
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
