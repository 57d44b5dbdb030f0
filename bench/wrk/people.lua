-- Shared by checkins.lua and form.lua: nine visitors in ten are known people typing their own name
-- (a line of the PEOPLE file: phone, name, the name form-encoded, birth year), one in ten is a new phone.
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
