-- path.lua: file-name helpers (no file system access beyond $PWD).
local M = {}

--- dirname("a/b/c") -> "a/b"; "c" -> "."
function M.dirname(p) return p:match("^(.*)/[^/]*$") or "." end

--- basename("a/b/c") -> "c"
function M.basename(p) return p:match("([^/]+)$") or p end

--- abspath(p, [base]) -> p made absolute against base (default $PWD), its
-- "." and ".." segments removed
function M.abspath(p, base)
  if p:sub(1, 1) ~= "/" then p = (base or os.getenv("PWD") or ".") .. "/" .. p end
  local parts = {}
  for seg in p:gmatch("[^/]+") do
    if seg == ".." then parts[#parts] = nil elseif seg ~= "." then parts[#parts + 1] = seg end
  end
  return "/" .. table.concat(parts, "/")
end

return M
