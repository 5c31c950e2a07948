local testing = require("benchlua.testing")
-- bench.fs and the results file.
local T = {}
local eq = testing.eq

T[#T + 1] = { "read sees through gzip; write_atomic replaces", function()
  local d <close> = testing.tmpdir()
  assert(bench.fs.write_atomic(d.path .. "/a", "one"))
  assert(bench.fs.write_atomic(d.path .. "/a", "two"))
  eq(bench.fs.read(d.path .. "/a"), "two", "content")
  local r = assert(bench.run_script{ cmd = "printf 'zipped' | gzip > " .. d.path .. "/z.gz" })
  eq(r.ok, true, "gzip")
  eq(bench.fs.read(d.path .. "/z.gz"), "zipped", "gunzipped")
  local _, err, code = bench.fs.read(d.path .. "/missing")
  eq(code, "ENOENT", "code"); assert(err:find("missing"), err)
end }

T[#T + 1] = { "write_atomic writes into a FIFO or device as it is, and refuses a directory", function()
  local d <close> = testing.tmpdir()
  local fifo = d.path .. "/fifo"
  eq(assert(bench.run_script{ cmd = "mkfifo " .. fifo }).ok, true, "mkfifo")
  local cat <close> = assert(bench.proc.spawn{ argv = { "sh", "-c", "cat fifo > got" }, cwd = d.path, stdout = "null", stderr = "null" })
  assert(bench.fs.write_atomic(fifo, "through the pipe"))
  eq(cat:wait().code, 0, "reader")
  eq(bench.fs.read(d.path .. "/got"), "through the pipe", "what the reader got")
  eq(bench.fs.stat(fifo).type, "other", "the FIFO is still a FIFO") -- a rename would make it a file
  eq(bench.fs.list(d.path) and #bench.fs.list(d.path), 2, "no temp file left beside it")
  local ok, err = bench.fs.write_atomic(d.path, "x")
  eq(ok, nil, "a directory"); assert(err:find("Is a directory", 1, true), err)
end }

T[#T + 1] = { "sha256, base64 and inflate", function()
  eq(bench.codec.sha256("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", "sha256")
  eq(bench.codec.base64_decode("aGVsbG8="), "hello", "b64")
  -- zlib stream of "hello" (78 9c ...)
  local z = bench.codec.base64_decode("eJzLSM3JyQcABiwCFQ==")
  eq(bench.codec.inflate(z), "hello", "inflate")
  local v, err = bench.codec.inflate("garbage")
  eq(v, nil, "bad"); assert(err:find("inflate"), err)
end }

-- the process's peak resident memory so far, in KiB (VmHWM)
local function peak_kb()
  local f = assert(io.open("/proc/self/status"))
  local kb = tonumber(f:read("a"):match("VmHWM:%s*(%d+)"))
  f:close()
  return kb
end

T[#T + 1] = { "inflate stops past max bytes, and where check refuses the first bytes (a zip bomb of zeros)", function()
  -- 512 MiB of zeros, zlib-compressed by python3 (about 500 KB)
  local r = assert(bench.run_script{ argv = { "/usr/bin/python3", "-c",
    "import sys, zlib; c = zlib.compressobj(9)\nfor _ in range(512): sys.stdout.buffer.write(c.compress(bytes(1 << 20)))\nsys.stdout.buffer.write(c.flush())" },
    max_output = 4 << 20, timeout = 60 })
  eq(r.ok, true, "python3 zlib")
  local bomb, before = r.stdout, peak_kb()
  local v, err, code = bench.codec.inflate(bomb, 1 << 20)
  eq(v, nil, "past max"); eq(code, "ETOOBIG", "code"); assert(err:find("larger than 1048576 bytes", 1, true), err)
  local seen
  v, err, code = bench.codec.inflate(bomb, nil, function(head)
    seen = #head
    return head:byte(1) == 0x80, "does not start with 0x80"
  end)
  eq(v, nil, "refused"); eq(code, "EREFUSED", "code"); eq(err, "inflate: does not start with 0x80", "message")
  eq(seen, 65536, "the check sees the first 64 KiB")
  assert(peak_kb() - before < 64 * 1024, string.format("peak memory grew by %d KiB", peak_kb() - before))
  -- a check that accepts, and a stream within max
  local z = bench.codec.base64_decode("eJzLSM3JyQcABiwCFQ==")
  eq(bench.codec.inflate(z, 5, function(head) seen = head return true end), "hello", "accepted")
  eq(seen, "hello", "a short stream is checked whole")
  eq(select(3, bench.codec.inflate(z, 4)), "ETOOBIG", "one byte past max")
end }

T[#T + 1] = { "json keeps [] and {} apart and round-trips", function()
  local json = bench.json
  local doc = assert(json.decode('{"runs": [], "o": {}, "n": [1, 2.5, "x", null, true]}'))
  eq(json.encode(doc), '{"n":[1,2.5,"x",null,true],"o":{},"runs":[]}', "encode")
  local v, err = json.decode('{"a": [1, 2,]}')
  eq(v, nil, "bad"); assert(err:find("line 1"), err)
  eq(json.encode(0.1), "0.1", "float"); eq(json.encode(1/3), "0.3333333333333333", "third")
end }

T[#T + 1] = { "record appends; a foreign or corrupt file is refused, untouched", function()
  local d <close> = testing.tmpdir()
  local f = d.path .. "/results.json"
  assert(bench.record({ benchmark = "a", results = { score = 1 } }, { results = f }))
  assert(bench.record({ benchmark = "b", results = { score = 2 } }, { results = f }))
  local doc = bench.json.decode(bench.fs.read(f))
  eq(#doc.runs, 2, "runs"); eq(doc.runs[2].benchmark, "b", "order")
  assert(doc.runs[1].timestamp and doc.runs[1].reproducibility.benchlua_version, "stamped")
  bench.fs.write_atomic(f, '{"something": "else"}')
  local ok, err = bench.record({ benchmark = "c" }, { results = f })
  eq(ok, nil, "refused"); assert(err:find("not a benchlua results file"), err)
  eq(bench.fs.read(f), '{"something": "else"}', "untouched")
  bench.fs.write_atomic(f, '{"runs": [')
  ok, err = bench.record({ benchmark = "c" }, { results = f })
  eq(ok, nil, "refused"); assert(err:find("not valid JSON"), err)
end }

T[#T + 1] = { "record leaves earlier runs byte for byte, [] stays []", function()
  local d <close> = testing.tmpdir()
  local f = d.path .. "/results.json"
  local mine = '{"runs": [{"benchmark": "old", "config": {"server_args": []}, "results": {"score": 0.25}}]}'
  assert(bench.fs.write_atomic(f, mine))
  assert(bench.record({ benchmark = "new", config = { args = bench.json.array() }, results = { score = 1 } }, { results = f }))
  local text = bench.fs.read(f)
  assert(text:find('{"benchmark": "old", "config": {"server_args": []}, "results": {"score": 0.25}}', 1, true), text)
  local doc = assert(bench.json.decode(text))
  eq(#doc.runs, 2, "runs"); eq(doc.runs[2].benchmark, "new", "appended")
  eq(getmetatable(doc.runs[2].config.args), bench.json.array_mt, "[] stays []")
  bench.fs.write_atomic(f, '{"runs": []}')
  assert(bench.record({ benchmark = "first" }, { results = f }))
  eq(#assert(bench.json.decode(bench.fs.read(f))).runs, 1, "into an empty list")
end }

local VALID_BOMB = "inflate of a bomb with a valid header: refused at the size its first bytes claim or at max, memory bounded by it"
T[#T + 1] = { VALID_BOMB, function()
  -- a pickle header claiming 2^30 - 1 bytes, then 256 MiB of '[' (about 256 KB compressed)
  local r = assert(bench.run_script{ argv = { "/usr/bin/python3", "-c", [[
import struct, sys, zlib
c = zlib.compressobj(9)
sys.stdout.buffer.write(c.compress(b"\x80\x04\x8d" + struct.pack("<Q", (1 << 30) - 1)))
for _ in range(256): sys.stdout.buffer.write(c.compress(b"[" * (1 << 20)))
sys.stdout.buffer.write(c.flush())]] }, max_output = 4 << 20, timeout = 60 })
  eq(r.ok, true, "python3 zlib")
  local d <close> = testing.tmpdir()
  assert(bench.fs.write_atomic(d.path .. "/bomb.z", r.stdout))
  -- in a fresh benchlua, so that its peak memory is this inflation's
  local function child(max, claim)
    assert(bench.fs.write_atomic(d.path .. "/t.lua", string.format([[
return { { %q, function()
  local bomb = assert(io.open(%q, "rb")):read("a")
  local v, err, code = bench.codec.inflate(bomb, %d, function(head) return true, %d end)
  local kb = tonumber(assert(io.open("/proc/self/status")):read("a"):match("VmHWM:%%s*(%%d+)"))
  io.stdout:write(string.format("%%s|%%s|%%s|%%d\n", tostring(v), err, code, kb))
end } }]], VALID_BOMB, d.path .. "/bomb.z", max, claim)))
    local out = testing.benchlua({ "test", d.path .. "/t.lua" }).stdout
    local v, err, code, kb = out:match("([^|\n]*)|([^|]*)|([^|]*)|(%d+)")
    eq(v, "nil", "refused: " .. out); eq(code, "ETOOBIG", "code")
    return err, tonumber(kb)
  end
  local base = select(2, child(1, 0)) -- benchlua and the file, no inflation
  local err, kb = child(64 << 20, (1 << 30) - 1)
  eq(err, "inflate: larger than 67108864 bytes", "at max")
  -- (not under AddressSanitizer: its quarantine keeps the buffers realloc left)
  local asan = os.getenv("ASAN_OPTIONS")
  assert(asan or kb - base < 64 * 1024 + 8 * 1024, string.format("peak %d KiB over a base of %d", kb - base, base))
  err, kb = child(0, 32 << 20)
  eq(err, "inflate: more than the 33554432 bytes its first bytes claim", "at the size the check gave")
  assert(asan or kb - base < 32 * 1024 + 8 * 1024, string.format("peak %d KiB over a base of %d", kb - base, base))
end }

local tmpdir = testing.tmpdir

T[#T + 1] = { "a truncated or padded-with-garbage gzip file is an error naming it", function()
  local d <close> = tmpdir()
  local src = testing.data("HumanEval.jsonl.gz")
  local f <close> = assert(io.open(src, "rb"))
  local whole = f:read("a")
  local function put(name, bytes) local f = assert(io.open(d.path .. "/" .. name, "wb")); f:write(bytes); f:close() end
  put("cut.jsonl.gz", whole:sub(1, #whole // 2))
  local v, err, code = bench.fs.read(d.path .. "/cut.jsonl.gz")
  eq(v, nil, "truncated file read"); eq(code, "EIO", "code")
  assert(err:find("cut.jsonl.gz", 1, true) and err:find("truncated"), err)
  assert(not err:find("\n"), "one line: " .. err)
  put("garbage.gz", whole .. "not gzip")
  v, err = bench.fs.read(d.path .. "/garbage.gz")
  eq(v, nil, "trailing garbage"); assert(err:find("trailing data"), err)
  -- what Python's gzip accepts: concatenated members, zero padding
  local r = assert(bench.run_script{ cmd = "cd " .. d.path .. " && printf a | gzip > m.gz && printf b | gzip >> m.gz"
    .. " && cp m.gz p.gz && head -c 10 /dev/zero >> p.gz" })
  eq(r.ok, true, "gzip")
  eq(bench.fs.read(d.path .. "/m.gz"), "ab", "members"); eq(bench.fs.read(d.path .. "/p.gz"), "ab", "padding")
  eq(#assert(bench.fs.read(src)), 214438, "the whole file")
  eq(bench.codec.inflate(whole:sub(1, 100)), nil, "inflate of a cut stream")
end }

T[#T + 1] = { "read with a limit refuses what never ends and what is too big", function()
  local d <close> = tmpdir()
  local v, err, code = bench.fs.read("/dev/zero", 1000)
  eq(v, nil, "/dev/zero"); eq(code, "EINVAL", "code"); assert(err:find("not a regular file"), err)
  local r = assert(bench.run_script{ cmd = "mkfifo " .. d.path .. "/fifo" })
  eq(r.ok, true, "mkfifo")
  v, err, code = bench.fs.read(d.path .. "/fifo", 1000) -- no writer: must not wait
  eq(v, nil, "fifo"); eq(code, "EINVAL", "code")
  v, err, code = bench.fs.read(d.path, 1000)
  eq(v, nil, "directory"); eq(code, "EINVAL", "code")
  assert(bench.fs.write_atomic(d.path .. "/big", string.rep("x", 5000)))
  v, err, code = bench.fs.read(d.path .. "/big", 1000)
  eq(v, nil, "big"); eq(code, "ETOOBIG", "code"); assert(err:find("larger than 1000 bytes"), err)
  eq(#assert(bench.fs.read(d.path .. "/big", 5000)), 5000, "at the limit")
  r = assert(bench.run_script{ cmd = "head -c 100000 /dev/zero | gzip > " .. d.path .. "/bomb.gz" })
  v, err, code = bench.fs.read(d.path .. "/bomb.gz", 50000) -- small file, big contents
  eq(v, nil, "gzip bomb"); eq(code, "ETOOBIG", "code")
end }

T[#T + 1] = { "write_atomic writes through a symbolic link and keeps the mode", function()
  local d <close> = tmpdir()
  local r = assert(bench.run_script{ cmd = "cd " .. d.path .. " && mkdir real && printf old > real/results.json"
    .. " && chmod 600 real/results.json && ln -s real/results.json link.json" })
  eq(r.ok, true, "setup")
  assert(bench.fs.write_atomic(d.path .. "/link.json", "new"))
  r = assert(bench.run_script{ cmd = "cd " .. d.path .. " && stat -c '%F %a' link.json real/results.json && cat link.json && ls real" })
  eq(r.stdout, "symbolic link 777\nregular file 600\nnewresults.json\n", "after")
end }

T[#T + 1] = { "record into a symlinked results file keeps the link and the mode", function()
  local d <close> = tmpdir()
  local r = assert(bench.run_script{ cmd = "cd " .. d.path .. " && mkdir real && echo '{\"runs\": []}' > real/r.json"
    .. " && chmod 640 real/r.json && ln -s real/r.json r.json" })
  eq(r.ok, true, "setup")
  for i = 1, 2 do assert(bench.record({ benchmark = "s" .. i, results = { score = i } }, { results = d.path .. "/r.json" })) end
  r = assert(bench.run_script{ cmd = "cd " .. d.path .. " && stat -c '%F %a' r.json real/r.json && ls real" })
  eq(r.stdout, "symbolic link 777\nregular file 640\nr.json\n", "after")
  local runs = bench.json.decode(assert(bench.fs.read(d.path .. "/real/r.json"))).runs
  eq(#runs, 2, "runs"); eq(runs[2].benchmark, "s2", "second run")
end }

T[#T + 1] = { "read returns every byte of a large file, of a /proc file (size 0) and of a file that grew", function()
  local d <close> = tmpdir()
  local r = assert(bench.run_script{ cmd = "cd " .. d.path .. " && head -c 3000001 /dev/urandom > big && sha256sum big" })
  eq(r.ok, true, "setup")
  local data = assert(bench.fs.read(d.path .. "/big"))
  eq(#data, 3000001, "size"); eq(bench.codec.sha256(data), r.stdout:match("^(%x+)"), "sha256")
  local status = assert(bench.fs.read("/proc/self/status"))
  assert(status:find("\nPid:%s+" .. bench.fs.getpid() .. "\n"), "/proc/self/status read whole: " .. status:sub(1, 80))
  -- a file appended to while it is read (it may outgrow the size read first): never fewer bytes than before
  local w <close> = assert(bench.proc.spawn{ argv = { "sh", "-c", "i=0; while [ $i -lt 2000 ]; do printf '%0100d\\n' $i >> grow; i=$((i+1)); done" },
    cwd = d.path, stdout = "null", stderr = "null" })
  local last = 0
  while w:running() do
    local t = bench.fs.read(d.path .. "/grow") or ""
    assert(#t >= last, "read " .. #t .. " bytes after " .. last)
    last = #t
    bench.sleep(0.001) -- the writer is reaped by the event loop
  end
  assert(w:wait().code == 0, "writer")
  eq(#assert(bench.fs.read(d.path .. "/grow")), 2000 * 101, "grown file")
end }

T[#T + 1] = { "list gives a directory's entries without . and .., with any name; realpath resolves links", function()
  local d <close> = tmpdir()
  local r = assert(bench.run_script{ cmd = "cd " .. d.path .. " && mkdir sub && touch a \"b c\" \"it's\" '$(x)' sub/inner && ln -s sub link" })
  eq(r.ok, true, "setup")
  local names = assert(bench.fs.list(d.path))
  table.sort(names)
  eq(table.concat(names, "|"), "$(x)|a|b c|it's|link|sub", "entries")
  eq(#assert(bench.fs.list(d.path .. "/link")), 1, "through a link")
  local v, err, code = bench.fs.list(d.path .. "/missing")
  eq(v, nil, "missing"); eq(code, "ENOENT", "code"); assert(err:find("missing", 1, true), err)
  v, err = bench.fs.list(d.path .. "/a")
  eq(v, nil, "a file"); assert(err:find("Not a directory", 1, true), err)
  local real = assert(bench.fs.realpath(d.path .. "/sub"))
  eq(bench.fs.realpath(d.path .. "/link/../link"), real, "link resolved")
  eq(real:sub(1, 1), "/", "absolute")
  v, err, code = bench.fs.realpath(d.path .. "/nope")
  eq(v, nil, "missing"); eq(code, "ENOENT", "code")
end }

return T
