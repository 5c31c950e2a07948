-- api.lua: the friendly half of the `bench` table, written in Lua over the C
-- primitives (bench.proc, bench.http, bench.fs, tasks). See docs/api.md.
local server = require("benchlua.server")
local script = require("benchlua.script")
local results = require("benchlua.results")
local tasks = require("benchlua.tasks")

bench.spawn_server = server.spawn_server
bench.wait_ready = server.wait_ready
bench.run_script = script.run_script
bench.record = results.record
bench.map = tasks.map
bench.llm = require("benchlua.llm")
bench.json = require("benchlua.json")
return bench
