#!/usr/bin/env python3
"""Compares the tensors of two GGUF files by name: type, shape and data bytes.

    bench/gguf_tensor_diff.py A.gguf B.gguf

Prints one line per differing tensor and a summary line
"tensors: N, same type: T, identical bytes: I"; exits 0 if every tensor is identical, 1 if not,
2 on a file it cannot read. Standard library only (no numpy), so it runs on the CI box.
"""
import mmap
import struct
import sys

# ggml type tag -> (elements per block, bytes per block); only the types liftoff writes.
BLOCKS = {0: (1, 4), 1: (1, 2), 2: (32, 18), 3: (32, 20), 6: (32, 22), 7: (32, 24),
          8: (32, 34), 12: (256, 144), 13: (256, 176), 14: (256, 210), 30: (1, 2)}
NAMES = {0: "F32", 1: "F16", 2: "Q4_0", 3: "Q4_1", 6: "Q5_0", 7: "Q5_1", 8: "Q8_0",
         12: "Q4_K", 13: "Q5_K", 14: "Q6_K", 30: "BF16"}
SCALAR = {0: "B", 1: "b", 2: "H", 3: "h", 4: "I", 5: "i", 6: "f", 7: "?", 10: "Q", 11: "q", 12: "d"}


class Reader:
    def __init__(self, buf):
        self.buf, self.pos = buf, 0

    def take(self, fmt):
        vals = struct.unpack_from("<" + fmt, self.buf, self.pos)
        self.pos += struct.calcsize("<" + fmt)
        return vals[0] if len(vals) == 1 else vals

    def string(self):
        n = self.take("Q")
        s = bytes(self.buf[self.pos:self.pos + n]).decode("utf-8", "replace")
        self.pos += n
        return s

    def value(self, vtype):
        if vtype == 8:
            return self.string()
        if vtype == 9:
            etype, n = self.take("I"), self.take("Q")
            return [self.value(etype) for _ in range(n)]
        return self.take(SCALAR[vtype])


def read_tensors(path):
    f = open(path, "rb")
    buf = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
    r = Reader(buf)
    if r.take("I") != 0x46554747:
        raise ValueError(f"{path}: not a GGUF file")
    r.take("I")  # version
    n_tensors, n_kv = r.take("Q"), r.take("Q")
    alignment = 32
    for _ in range(n_kv):
        key = r.string()
        val = r.value(r.take("I"))
        if key == "general.alignment":
            alignment = val
    infos = []
    for _ in range(n_tensors):
        name = r.string()
        dims = [r.take("Q") for _ in range(r.take("I"))]
        infos.append((name, dims, r.take("I"), r.take("Q")))
    start = (r.pos + alignment - 1) // alignment * alignment
    tensors = {}
    for name, dims, ttype, offset in infos:
        if ttype not in BLOCKS:
            raise ValueError(f"{path}: tensor {name} has type {ttype}, not handled here")
        elems = 1
        for d in dims:
            elems *= d
        block_elems, block_bytes = BLOCKS[ttype]
        size = elems // block_elems * block_bytes
        tensors[name] = (dims, ttype, buf[start + offset:start + offset + size])
    return tensors


def main():
    if len(sys.argv) != 3:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    try:
        a, b = read_tensors(sys.argv[1]), read_tensors(sys.argv[2])
    except (OSError, ValueError, struct.error) as e:
        print(f"gguf_tensor_diff: {e}", file=sys.stderr)
        return 2
    same_type = identical = 0
    for name in sorted(set(a) | set(b)):
        if name not in a or name not in b:
            print(f"{name}: only in {'A' if name in a else 'B'}")
            continue
        (da, ta, xa), (db, tb, xb) = a[name], b[name]
        if da != db or ta != tb:
            print(f"{name}: {NAMES[ta]} {da} vs {NAMES[tb]} {db}")
            continue
        same_type += 1
        if xa == xb:
            identical += 1
        else:
            print(f"{name}: {NAMES[ta]} {da}: data differs")
    n = len(set(a) | set(b))
    print(f"tensors: {n}, same type: {same_type}, identical bytes: {identical}")
    return 0 if identical == n else 1


if __name__ == "__main__":
    sys.exit(main())
