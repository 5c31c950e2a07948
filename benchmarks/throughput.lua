-- throughput.lua: server throughput. Sends `requests` completions of the same
-- kind, all slots busy, and scores generated tokens per second. Small enough
-- to read as an example of the benchmark file format.
return {
  name = "throughput",
  description = "completions per second and generated tokens per second at full concurrency",
  options = {
    { name = "requests", default = 164, min = 1, help = "completions to send" },
    { name = "max-tokens", default = 32, min = 1, help = "tokens to generate per completion" },
    { name = "prompt", default = "def fibonacci(n):\n    \"\"\"Return the n-th Fibonacci number.\"\"\"\n", help = "prompt text" },
  },

  run = function(ctx)
    local o = ctx.opts
    local items = {}
    for i = 1, o.requests do items[i] = { id = "req" .. i, prompt = o.prompt } end
    ctx.check_fit({ items[1] }, o.max_tokens)
    local t0, done, failed, tokens = bench.now(), 0, 0, 0
    bench.map(items, ctx.concurrency, function(it, i)
      local r, err = ctx.completion{
        prompt = it.prompt, n_predict = o.max_tokens, temperature = 0.8,
        seed = ctx.seed + i, cache_prompt = true,
      }
      done = done + 1
      if r then tokens = tokens + r.tokens else failed = failed + 1 end
      ctx.log_sample{ id = it.id, ok = r ~= nil, error = err, tokens = r and r.tokens, time = r and r.time }
      ctx.progress(done, #items)
    end)
    local wall = bench.now() - t0
    -- failed requests are the runner's to judge (--max-server-errors)
    return {
      score = tokens / wall,
      metrics = { completions = #items - failed, failed = failed, tokens = tokens, wall_time = wall,
        completions_per_s = (#items - failed) / wall, tokens_per_s = tokens / wall },
      config = { sampling = { n_predict = o.max_tokens, temperature = 0.8 } },
    }
  end,
}
