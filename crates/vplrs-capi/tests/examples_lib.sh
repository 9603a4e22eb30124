# Shared by the scripts that run Intel's example programs on libvplrs.so (sourced, not run).
# Expects $lib_dir, $work and $examples; provides skip/fail, the common checks, the work directory
# with ONEVPL_SEARCH_PATH set, and build SRC (an example under $examples, built with cmake).

skip() { echo "SKIPPED: $*"; exit 77; }
fail() { echo "FAILED: $*"; exit 1; }

[ -f "$lib_dir/libvplrs.so" ] || fail "no libvplrs.so in $lib_dir"
command -v cmake >/dev/null || skip "cmake is not installed (apt-get install cmake)"
command -v c++ >/dev/null || skip "no C++ compiler (apt-get install build-essential)"
[ -d "$examples/hello" ] || skip "$examples is missing (apt-get install libvpl-dev)"

export ONEVPL_SEARCH_PATH=$lib_dir
mkdir -p "$work"
cd "$work"
echo "== work directory: $work, runtime: $lib_dir/libvplrs.so"

build() {
  local src=$1 name
  name=$(basename "$src")
  cmake -S "$examples/$src" -B "build/$name" -DLIBVA_SUPPORT=OFF -DCMAKE_BUILD_TYPE=Release >"build-$name.log" 2>&1 \
    || { cat "build-$name.log"; fail "cmake $src"; }
  cmake --build "build/$name" -j 2 >>"build-$name.log" 2>&1 || { cat "build-$name.log"; fail "build $src"; }
  echo "built $name"
}
