-- llm.lua: requests to the model server: JSON over HTTP with a per-request
-- timeout and bounded retries of transient failures (connection refused or
-- reset, empty reply, 503), and helpers for llama-server's /completion and
-- the OpenAI-style /v1/chat/completions that normalise what comes back. An
-- answer that is not what the API promises (not a JSON object, content that
-- is not a string, token counts that are not counts) is a failed request
-- with code "EBADANSWER", never an error raised into the benchmark.
local cjson = require("cjson.safe")
local M = {}

local transient = { ECONNREFUSED = true, ECONNRESET = true, EEMPTY = true }

--- The API key for endpoints benchlua did not start: $BENCHLUA_API_KEY,
-- else $OPENAI_API_KEY (nil when neither is set). Sent as a bearer token;
-- never recorded or logged.
function M.api_key()
  local k = os.getenv("BENCHLUA_API_KEY")
  if not k or k == "" then k = os.getenv("OPENAI_API_KEY") end
  if k == "" then k = nil end
  return k
end

--- Request headers for a JSON request to `server` (a handle or a URL).
function M.headers(server, json_body)
  local h = {}
  if json_body then h["Content-Type"] = "application/json" end
  local key = type(server) == "table" and server.api_key
  if key then h["Authorization"] = "Bearer " .. key end
  return h
end

--- bench.llm.request(url, body, {timeout=600, retries=3, method="POST",
--   headers={...}, max_body=64 MiB}) -> decoded JSON object, response | nil, err, code
-- code is the transport code (ECONNREFUSED, ETIMEDOUT, EABORTED, ...), the
-- HTTP status of a non-2xx answer, or EBADANSWER when a 2xx answer is not a
-- JSON object.
function M.request(url, body, o)
  o = o or {}
  local retries = o.retries or 3
  local payload = body and (type(body) == "string" and body or assert(cjson.encode(body)))
  local headers = o.headers or (payload and { ["Content-Type"] = "application/json" } or nil)
  local delay = 0.1
  for attempt = 0, retries do
    local r, err, code = bench.http.request{
      url = url, method = o.method or (payload and "POST" or "GET"), body = payload, headers = headers,
      timeout = o.timeout or 600, connect_timeout = o.connect_timeout or 10,
      max_body = o.max_body,
    }
    local retry = false
    if r then
      if r.status >= 200 and r.status < 300 then
        local v, jerr = cjson.decode(r.body)
        if v == nil then return nil, "malformed answer: not JSON (" .. tostring(jerr) .. ")", "EBADANSWER" end
        if type(v) ~= "table" or not r.body:match("^%s*{") then
          return nil, "malformed answer: not a JSON object: " .. r.body:sub(1, 100), "EBADANSWER"
        end
        return v, r
      end
      local detail = r.body:sub(1, 300)
      local j = cjson.decode(r.body)
      if type(j) == "table" and type(j.error) == "table" and j.error.message then detail = tostring(j.error.message) end
      err, code = string.format("HTTP %d: %s", r.status, detail), r.status
      retry = r.status == 503
    else
      retry = transient[code]
    end
    if not retry or attempt == retries then return nil, err, code end
    bench.sleep(delay)
    delay = delay * 2.5
  end
end

local function base(server)
  return type(server) == "string" and server or server.url
end

local function with_headers(server, o, json_body)
  local out = {}
  for k, v in pairs(o or {}) do out[k] = v end
  out.headers = out.headers or M.headers(server, json_body)
  return out
end

local Bad = {} -- raised by the checks below, caught in answer()

local function bad(fmt, ...)
  error(setmetatable({ msg = "malformed answer: " .. string.format(fmt, ...) }, Bad), 0)
end

-- A count or duration field: absent (nil), or a finite non-negative number.
local function count(t, k, where)
  local v = t[k]
  if v == nil or v == cjson.null then return nil end
  if type(v) ~= "number" or v ~= v or v < 0 or v == math.huge then
    bad("%s%s is %s", where, k, type(v) == "number" and tostring(v) or ("a " .. type(v)))
  end
  return v
end

local function object(v, where)
  if v == nil or v == cjson.null then return {} end
  if type(v) ~= "table" then bad("%s is a %s, not an object", where, type(v)) end
  return v
end

-- Runs the checks of shape(v); -> result | nil, err, "EBADANSWER"
local function answer(shape, v)
  local ok, r = pcall(shape, v)
  if ok then return r end
  if getmetatable(r) == Bad then return nil, r.msg, "EBADANSWER" end
  error(r, 0)
end

local function completion_shape(v)
  if type(v.content) ~= "string" then bad("content is %s", v.content == nil and "missing" or ("a " .. (v.content == cjson.null and "null" or type(v.content)))) end
  local timings = object(v.timings, "timings")
  local finish = v.stop_type == "limit" and "length" or (v.truncated == true and "length") or "stop"
  if v.stop_type == nil and v.stopped_limit == true then finish = "length" end
  local ms = count(timings, "predicted_ms", "timings.")
  return {
    text = v.content,
    finish = finish,
    tokens = count(v, "tokens_predicted", "") or count(timings, "predicted_n", "timings.") or 0,
    prompt_tokens = count(v, "tokens_evaluated", "") or count(timings, "prompt_n", "timings.") or 0,
    gen_time = ms and ms / 1000 or nil,
    raw = v,
  }
end

--- bench.llm.completion(server, params, opts) -> result | nil, err, code
-- params go to llama-server's /completion as they are (prompt, n_predict,
-- temperature, top_p, stop, seed, ...). result: text, finish ("stop" or
-- "length"), tokens (generated), prompt_tokens, time (seconds), raw.
function M.completion(server, params, o)
  local t0 = bench.now()
  local v, err, code = M.request(base(server) .. "/completion", params, with_headers(server, o, true))
  if not v then return nil, err, code end
  local r, aerr, acode = answer(completion_shape, v)
  if not r then return nil, aerr, acode end
  r.time = bench.now() - t0
  return r
end

local function chat_shape(v)
  if type(v.choices) ~= "table" or type(v.choices[1]) ~= "table" then bad("no choices") end
  local choice = v.choices[1]
  local msg = object(choice.message, "choices[1].message")
  local reasoning = msg.reasoning_content
  if reasoning == cjson.null then reasoning = nil end
  if reasoning ~= nil and type(reasoning) ~= "string" then bad("reasoning_content is a %s", type(reasoning)) end
  local content = msg.content
  -- content null is an answer only when the reasoning took every token
  if (content == nil or content == cjson.null) and reasoning then content = "" end
  if type(content) ~= "string" then
    bad("content is %s", content == nil and "missing" or ("a " .. (content == cjson.null and "null" or type(content))))
  end
  local finish = choice.finish_reason
  if finish == cjson.null then finish = nil end
  if finish ~= nil and type(finish) ~= "string" then bad("finish_reason is a %s", type(finish)) end
  local usage = object(v.usage, "usage")
  return {
    text = content,
    reasoning = reasoning,
    finish = finish,
    tokens = count(usage, "completion_tokens", "usage.") or 0,
    prompt_tokens = count(usage, "prompt_tokens", "usage.") or 0,
    raw = v,
  }
end

--- bench.llm.chat(server, params, opts) -> result | nil, err, code
-- params go to /v1/chat/completions (messages, max_tokens, temperature, ...).
-- result: text (the answer), reasoning (reasoning_content, when the server
-- separates it), finish ("stop", "length", ...), tokens, prompt_tokens, time, raw.
function M.chat(server, params, o)
  local t0 = bench.now()
  local v, err, code = M.request(base(server) .. "/v1/chat/completions", params, with_headers(server, o, true))
  if not v then return nil, err, code end
  local r, aerr, acode = answer(chat_shape, v)
  if not r then return nil, aerr, acode end
  r.time = bench.now() - t0
  return r
end

--- bench.llm.stream_completion(server, params, opts) -> result | nil, err, code
-- params go to llama-server's /completion with "stream": true. result: text,
-- tokens (generated), prompt_tokens, timings (the server's own, from its
-- last event), time (seconds), ttft (seconds from sending the request to the
-- first token's arrival), token_times (when each token event arrived,
-- seconds since the request was sent: inter-token latency is their
-- differences; tokens that came in one read share a time).
function M.stream_completion(server, params, o)
  o = o or {}
  local p = {}
  for k, v in pairs(params) do p[k] = v end
  p.stream = true
  local body = assert(cjson.encode(p))
  local r, err, code = bench.http.request{
    url = base(server) .. "/completion", method = "POST", body = body, headers = M.headers(server, true),
    timeout = o.timeout or 600, connect_timeout = o.connect_timeout or 10, max_body = o.max_body, arrivals = true,
  }
  if not r then return nil, err, code end
  if r.status < 200 or r.status >= 300 then return nil, string.format("HTTP %d: %s", r.status, r.body:sub(1, 300)), r.status end
  local text, times, ends = r.body, r.arrival_times, r.arrival_ends
  local parts, token_times, last, k = {}, {}, nil, 1
  local pos = 1
  while true do
    local a, b = text:find("data: ", pos, true)
    if not a then break end
    local e = text:find("\n", b + 1, true) or #text + 1
    local ev = cjson.decode(text:sub(b + 1, e - 1))
    if type(ev) ~= "table" then return nil, "malformed answer: a stream event is not a JSON object", "EBADANSWER" end
    while k < #ends and ends[k] < e - 1 do k = k + 1 end -- the read that brought this event
    if ev.stop == true then
      last = ev
    else
      if type(ev.content) ~= "string" then return nil, "malformed answer: a stream event has no content", "EBADANSWER" end
      parts[#parts + 1] = ev.content
      token_times[#token_times + 1] = times[k]
    end
    pos = e
  end
  if not last then return nil, "malformed answer: the stream ended without its last event", "EBADANSWER" end
  local timings = type(last.timings) == "table" and last.timings or {}
  return {
    text = table.concat(parts), timings = timings, time = r.time, ttft = token_times[1], token_times = token_times,
    tokens = tonumber(timings.predicted_n) or #token_times, prompt_tokens = tonumber(timings.prompt_n) or 0,
    finish = last.stop_type == "limit" and "length" or "stop",
  }
end

--- bench.llm.tokenize(server, text) -> token count | nil, err, code
-- code 404: the server has no /tokenize (an OpenAI-compatible endpoint).
function M.tokenize(server, text, o)
  local v, err, code = M.request(base(server) .. "/tokenize", { content = text }, with_headers(server, o, true))
  if not v then return nil, err, code end
  if type(v.tokens) ~= "table" then return nil, "no tokens in the /tokenize answer", "EBADANSWER" end
  return #v.tokens
end

return M
