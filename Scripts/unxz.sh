# Sourced by the GPU-session scripts: `unxz FILE` writes FILE's xz-compressed contents to
# standard output, with xz where the machine has it, else Python's lzma module (in every python3;
# a lent GPU machine has Python but need not have xz). The archives are xz rather than gzip so
# that the benchmark binaries and the test bundle travel together in one device call (64 MiB).
unxz() {
    if command -v xz > /dev/null; then
        xz -dc "$1"
    else
        python3 -c 'import lzma, shutil, sys; shutil.copyfileobj(lzma.open(sys.argv[1]), sys.stdout.buffer)' "$1"
    fi
}
