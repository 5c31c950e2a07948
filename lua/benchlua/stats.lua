-- stats.lua: the statistics `results`, `compare` and `report` print.
--   wilson(k, n)            95% Wilson score interval of a proportion
--   mean_interval(xs)       mean of per-problem values with its 95% t interval
--   score_interval(rates)   the interval of a pass@1 score from per-problem
--                           pass rates: Wilson when every rate is 0 or 1 (one
--                           sample per problem), else the t interval over
--                           problems (samples of one problem are not independent)
--   mcnemar_exact(b, c)     two-sided exact McNemar p-value (binomial, p = 1/2)
--   paired_t(ds)            paired t-test over problems: t, df, two-sided p
--   t_quantile(p, df)       Student's t quantile
-- Pure Lua; no dependency. Checked against values computed independently in
-- tests/cli/results.t and tests/lua/test_stats.lua.
local M = {}

M.Z975 = 1.959963984540054 -- the normal distribution's 97.5% quantile

--- wilson(k, n, [z]) -> lo, hi (nil when n == 0)
function M.wilson(k, n, z)
  if n <= 0 then return nil end
  z = z or M.Z975
  local p, z2 = k / n, z * z
  local denom = 1 + z2 / n
  local center = (p + z2 / (2 * n)) / denom
  local half = z / denom * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n))
  return math.max(0, center - half), math.min(1, center + half)
end

-- log Gamma by Lanczos (g = 7, 9 terms); |error| < 1e-13 for x > 0.
local LANCZOS = { 0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313,
  -176.61503916999185, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7 }
local function lgamma(x)
  if x < 0.5 then return math.log(math.pi / math.abs(math.sin(math.pi * x))) - lgamma(1 - x) end
  x = x - 1
  local a, t = LANCZOS[1], x + 7.5
  for i = 2, 9 do a = a + LANCZOS[i] / (x + i - 1) end
  return 0.5 * math.log(2 * math.pi) + (x + 0.5) * math.log(t) - t + math.log(a)
end
M.lgamma = lgamma

-- Continued fraction for the incomplete beta (modified Lentz).
local function betacf(a, b, x)
  local tiny, qab, qap, qam = 1e-300, a + b, a + 1, a - 1
  local c, d = 1, 1 - qab * x / qap
  if math.abs(d) < tiny then d = tiny end
  d = 1 / d
  local h = d
  for m = 1, 300 do
    local m2 = 2 * m
    local aa = m * (b - m) * x / ((qam + m2) * (a + m2))
    d = 1 + aa * d; if math.abs(d) < tiny then d = tiny end
    c = 1 + aa / c; if math.abs(c) < tiny then c = tiny end
    d = 1 / d
    h = h * d * c
    aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2))
    d = 1 + aa * d; if math.abs(d) < tiny then d = tiny end
    c = 1 + aa / c; if math.abs(c) < tiny then c = tiny end
    d = 1 / d
    local del = d * c
    h = h * del
    if math.abs(del - 1) < 1e-15 then break end
  end
  return h
end

--- betainc(x, a, b) -> the regularized incomplete beta I_x(a, b)
function M.betainc(x, a, b)
  if x <= 0 then return 0 end
  if x >= 1 then return 1 end
  local lbt = lgamma(a + b) - lgamma(a) - lgamma(b) + a * math.log(x) + b * math.log(1 - x)
  if x < (a + 1) / (a + b + 2) then return math.exp(lbt) * betacf(a, b, x) / a end
  return 1 - math.exp(lbt) * betacf(b, a, 1 - x) / b
end

--- t_sf2(t, df) -> two-sided tail probability P(|T| >= |t|)
function M.t_sf2(t, df)
  if t ~= t then return 1 end
  return M.betainc(df / (df + t * t), df / 2, 0.5)
end

--- t_quantile(p, df) -> q with P(T <= q) = p (p in (0.5, 1)), by bisection
function M.t_quantile(p, df)
  local target = 2 * (1 - p) -- two-sided tail
  local lo, hi = 0, 1
  while M.t_sf2(hi, df) > target do hi = hi * 2 end
  for _ = 1, 200 do
    local mid = (lo + hi) / 2
    if M.t_sf2(mid, df) > target then lo = mid else hi = mid end
    if hi - lo < 1e-12 then break end
  end
  return (lo + hi) / 2
end

local function mean_sd(xs)
  local n, s = #xs, 0
  for i = 1, n do s = s + xs[i] end
  local m = s / n
  local ss = 0
  for i = 1, n do local d = xs[i] - m; ss = ss + d * d end
  return m, n > 1 and math.sqrt(ss / (n - 1)) or 0
end
M.mean_sd = mean_sd

--- mean_interval(xs) -> mean, lo, hi: mean +- t(0.975, N-1) * sd / sqrt(N)
-- (one value has no interval: mean alone)
function M.mean_interval(xs)
  local n = #xs
  if n == 0 then return nil end
  local m, sd = mean_sd(xs)
  if n < 2 then return m end
  local half = M.t_quantile(0.975, n - 1) * sd / math.sqrt(n)
  return m, m - half, m + half
end

--- score_interval(rates) -> lo, hi, method. rates: per-problem pass rates.
function M.score_interval(rates)
  local n, k, binary = #rates, 0, true
  if n == 0 then return nil end
  for i = 1, n do
    local r = rates[i]
    if r == 1 then k = k + 1 elseif r ~= 0 then binary = false end
  end
  if binary then
    local lo, hi = M.wilson(k, n)
    return lo, hi, "wilson"
  end
  local _, lo, hi = M.mean_interval(rates)
  if not lo then return nil end -- one problem
  return math.max(0, lo), math.min(1, hi), "t over problems"
end

--- mcnemar_exact(b, c) -> two-sided p: 2 * P(X <= min(b, c)), X ~ Bin(b + c, 1/2), capped at 1
function M.mcnemar_exact(b, c)
  local n = b + c
  if n == 0 then return 1 end
  local k = math.min(b, c)
  local logp, sum = n * math.log(0.5), 0
  for i = 0, k do
    sum = sum + math.exp(logp)
    logp = logp + math.log((n - i) / (i + 1))
  end
  return math.min(1, 2 * sum)
end

--- paired_t(ds) -> t, df, p (two-sided), mean, lo, hi for the differences ds
-- (one difference has no test and no interval: nil, 0, nil, mean)
function M.paired_t(ds)
  local n = #ds
  local m, sd = mean_sd(ds)
  if n < 2 then return nil, 0, nil, m end
  local se = sd / math.sqrt(n)
  local q = M.t_quantile(0.975, n - 1)
  if se == 0 then return m == 0 and 0 or m > 0 and math.huge or -math.huge, n - 1, m == 0 and 1 or 0, m, m, m end
  local t = m / se
  return t, n - 1, M.t_sf2(t, n - 1), m, m - q * se, m + q * se
end

return M
