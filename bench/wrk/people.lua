-- Shared by checkins.lua, form.lua and flow.lua: nine visitors in ten are known people typing their own
-- name (a line of the PEOPLE file: phone, name, the name form-encoded, birth year), one in ten is a new
-- phone; and a new browser's CSRF cookie.
local known = {}
function load_people(path)
  for line in io.lines(path) do
    local phone, name, encoded, born = line:match("^([^\t]+)\t([^\t]+)\t([^\t]+)\t([^\t]+)$")
    known[#known + 1] = {phone = phone, name = name, encoded = encoded, born = born}
  end
end

function visitor()
  if math.random(10) > 1 then
    return known[math.random(#known)]
  end
  return {phone = string.format("+8491%07d", math.random(0, 9999999)), name = "Nguyễn Văn Mới",
          encoded = "Nguy%E1%BB%85n+V%C4%83n+M%E1%BB%9Bi", born = "1990"}
end

local alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
function new_browser()
  local chars = {}
  for i = 1, 32 do
    local at = math.random(#alphabet)
    chars[i] = alphabet:sub(at, at)
  end
  return table.concat(chars)
end
