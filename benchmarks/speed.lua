-- speed.lua: llama-bench's figures through the server. For each concurrency
-- in --concurrency (1,4,16), after a warm-up, --repetitions rounds of that
-- many requests at once, each a prompt of --prompt-tokens tokens (processed
-- whole: no prompt cache) and --gen-tokens generated tokens (end of text
-- ignored), streamed. Prompt processing (pp) and generation (tg) tokens/s
-- come from the server's own timings, mean and sd over the requests; time to
-- first token and inter-token latency (p50/p90/p99) from when the streamed
-- tokens arrived. The score is tg tokens/s at the first concurrency.
--   benchlua speed --model m.gguf -p 512 -n 128 -r 5 --concurrency 1,4,16
local function levels(s)
  local out = {}
  for part in tostring(s):gmatch("[^,]+") do
    local n = math.tointeger(tonumber(part))
    if not n or n < 1 or n > 4096 then return nil end
    out[#out + 1] = n
  end
  return #out > 0 and out or nil
end

local function mean_sd(xs)
  local n, s = #xs, 0
  if n == 0 then return { mean = 0, sd = 0 } end
  for _, x in ipairs(xs) do s = s + x end
  local m, ss = s / n, 0
  for _, x in ipairs(xs) do ss = ss + (x - m) ^ 2 end
  return { mean = m, sd = n > 1 and math.sqrt(ss / (n - 1)) or 0 }
end

-- p50/p90/p99 in milliseconds (nearest rank)
local function percentiles(xs)
  table.sort(xs)
  local function p(q) return #xs > 0 and xs[math.max(1, math.ceil(q * #xs))] * 1000 or 0 end
  return { p50 = p(0.5), p90 = p(0.9), p99 = p(0.99) }
end

return {
  name = "speed",
  description = "prompt processing and generation tokens/s (llama-bench's pp and tg), time to first token and inter-token latency",
  options = {
    { name = "prompt-tokens", short = "p", default = 512, min = 1, max = 1 << 20, help = "prompt length in tokens (llama-bench -p)" },
    { name = "gen-tokens", short = "n", default = 128, min = 1, max = 1 << 20, help = "tokens to generate (llama-bench -n)" },
    { name = "repetitions", short = "r", default = 5, min = 1, max = 1000, help = "rounds at each concurrency (llama-bench -r)" },
    { name = "concurrency", replaces = true, type = "string", default = "1", metavar = "N,N,...",
      check = function(v) return levels(v) ~= nil, "must be a comma list of counts from 1 to 4096" end,
      help = "requests at once, a comma list: each is measured in turn" },
  },

  validate = function(opts)
    opts.concurrency_levels = levels(opts.concurrency)
    local max = 1
    for _, c in ipairs(opts.concurrency_levels) do max = math.max(max, c) end
    opts.concurrency = max -- (the runner sends this many at once at most)
    return true
  end,

  run = function(ctx)
    local o = ctx.opts
    -- a prompt of exactly --prompt-tokens tokens: a text's tokens, repeated
    local v, err = bench.llm.request(ctx.server.url .. "/tokenize",
      { content = "The quick brown fox jumps over the lazy dog while the cat sleeps in the sun. " },
      { headers = bench.llm.headers(ctx.server, true), timeout = o.timeout })
    if not v or type(v.tokens) ~= "table" or #v.tokens == 0 then
      error("speed needs llama-server's /tokenize and /completion: " .. tostring(err or "no tokens"), 0)
    end
    local prompt = {}
    for i = 1, o.prompt_tokens do prompt[i] = v.tokens[(i - 1) % #v.tokens + 1] end
    local per_slot, slots = ctx.info.ctx_per_slot, ctx.info.slots
    if per_slot and o.prompt_tokens + o.gen_tokens > per_slot then
      error(string.format("%d prompt + %d generated tokens do not fit the server's context per slot (%d tokens); raise --ctx",
        o.prompt_tokens, o.gen_tokens, per_slot), 0)
    end
    local function request(n_predict, seed)
      return ctx.stream_completion{ prompt = prompt, n_predict = n_predict, cache_prompt = false, ignore_eos = true,
        temperature = 0, seed = seed }
    end
    assert(request(math.min(o.gen_tokens, 16), ctx.seed), "the warm-up request failed")
    local out, total, done = {}, 0, 0
    for _, c in ipairs(o.concurrency_levels) do total = total + c * o.repetitions end
    for _, c in ipairs(o.concurrency_levels) do
      if slots and c > slots then
        io.stderr:write(string.format("benchlua: speed: concurrency %d is more than the server's %d slots: the requests queue\n", c, slots))
      end
      local pp, tg, ttft, itl, failed = {}, {}, {}, {}, 0
      for rep = 1, o.repetitions do
        local items = {}
        for i = 1, c do items[i] = i end
        bench.map(items, c, function(i)
          local r = request(o.gen_tokens, ctx.seed + rep * 4096 + i)
          done = done + 1
          ctx.progress(done, total)
          if not r then failed = failed + 1 return end
          local t = r.timings
          if tonumber(t.prompt_per_second) then pp[#pp + 1] = tonumber(t.prompt_per_second) end
          if tonumber(t.predicted_per_second) then tg[#tg + 1] = tonumber(t.predicted_per_second) end
          if r.ttft then ttft[#ttft + 1] = r.ttft end
          for k = 2, #r.token_times do itl[#itl + 1] = r.token_times[k] - r.token_times[k - 1] end
        end)
      end
      out[#out + 1] = { concurrency = c, requests = c * o.repetitions - failed, failed = failed,
        pp_tokens_per_second = mean_sd(pp), tg_tokens_per_second = mean_sd(tg),
        ttft_ms = percentiles(ttft), itl_ms = percentiles(itl) }
    end
    local first = out[1]
    for _, s in ipairs(out) do
      io.stderr:write(string.format("speed: concurrency %d: pp %.1f ± %.1f t/s, tg %.1f ± %.1f t/s, ttft p50 %.1f ms, itl p50 %.2f ms\n",
        s.concurrency, s.pp_tokens_per_second.mean, s.pp_tokens_per_second.sd, s.tg_tokens_per_second.mean,
        s.tg_tokens_per_second.sd, s.ttft_ms.p50, s.itl_ms.p50))
    end
    return {
      score = first.tg_tokens_per_second.mean, tokens_per_s = first.tg_tokens_per_second.mean, speed = bench.json.array(out),
      config = { sampling = { prompt_tokens = o.prompt_tokens, gen_tokens = o.gen_tokens, repetitions = o.repetitions,
        concurrency = o.concurrency_levels, cache_prompt = false, ignore_eos = true, temperature = 0 } },
    }
  end,
}
