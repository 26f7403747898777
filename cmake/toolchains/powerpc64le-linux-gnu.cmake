# Cross-compile ringlab for little-endian 64-bit POWER Linux with Debian's
# multiarch tool chain (g++-powerpc64le-linux-gnu, libraries in
# /usr/lib/powerpc64le-linux-gnu), and run the tests under qemu-user.
#   cmake -S . -B build-ppc64le -DCMAKE_TOOLCHAIN_FILE=cmake/toolchains/powerpc64le-linux-gnu.cmake
# qemu-user proves behaviour, not weak memory ordering or timing.
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR ppc64le)

set(CMAKE_C_COMPILER powerpc64le-linux-gnu-gcc)
set(CMAKE_CXX_COMPILER powerpc64le-linux-gnu-g++)

set(CMAKE_LIBRARY_ARCHITECTURE powerpc64le-linux-gnu)

# -cpu power9: the default CPU model lacks instructions glibc's ppc64le
# baseline uses.  Never add -L here: with it glibc aborts ("stack smashing").
set(CMAKE_CROSSCOMPILING_EMULATOR qemu-ppc64le;-cpu;power9)

set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)

# POWER's cache line is 128 bytes: pad shared ring areas to that by default.
set(RINGLAB_CACHE_LINE 128 CACHE STRING "Default cache-line size of shared areas (64, or 128 for POWER)")
