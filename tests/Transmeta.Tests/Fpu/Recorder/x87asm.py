"""Assembles x87 snippets with nasm (bits 32, org 0x1000) and caches the bytes."""
import subprocess, tempfile, os, hashlib, json

_cache = {}
_cache_file = os.path.join(tempfile.gettempdir(), "x87asm-cache.json")
if os.path.exists(_cache_file):
    try:
        _cache = json.load(open(_cache_file))
    except Exception:
        _cache = {}

def asm_many(snippets):
    """Assembles each snippet (text, ';' or newline separated) + ret; returns hex strings."""
    todo = [s for s in set(snippets) if s not in _cache]
    if todo:
        with tempfile.TemporaryDirectory() as d:
            src = ["bits 32", "org 0x1000"]
            for i, s in enumerate(todo):
                src.append(f"s{i}:")
                src.extend(x.strip() for x in s.replace(";", "\n").split("\n") if x.strip())
                src.append("ret")
                src.append(f"e{i}:")
            open(os.path.join(d, "a.asm"), "w").write("\n".join(src) + "\n")
            # assemble each separately so every one starts at 0x1000
            for i, s in enumerate(todo):
                body = ["bits 32", "org 0x1000"] + [x.strip() for x in s.replace(";", "\n").split("\n") if x.strip()] + ["ret"]
                p = os.path.join(d, f"s{i}.asm")
                open(p, "w").write("\n".join(body) + "\n")
                subprocess.run(["nasm", "-f", "bin", p, "-o", p + ".bin"], check=True)
                _cache[s] = open(p + ".bin", "rb").read().hex()
        json.dump(_cache, open(_cache_file, "w"))
    return [_cache[s] for s in snippets]

def asm(s):
    return asm_many([s])[0]
