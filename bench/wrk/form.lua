-- The browser's flow: GET the scan page of a venue's poster, then POST the check-in form (CSRF
-- cookie and field, as a browser sends them). Requests alternate GET, POST on each thread.
-- wrk -s form.lua URL -- PEOPLE VENUE_TOKENS_FILE
dofile(debug.getinfo(1, "S").source:sub(2):match("(.*/)") .. "report.lua")

local csrf = "benchbenchbenchbenchbenchbench32"
local tokens, people, page_next = {}, 0, true
local page = {["Cookie"] = "csrftoken=" .. csrf}
local post = {["Cookie"] = "csrftoken=" .. csrf, ["Content-Type"] = "application/x-www-form-urlencoded"}
function init(args)
  people = tonumber(args[1])
  for token in io.lines(args[2]) do tokens[#tokens + 1] = token end
  math.randomseed(os.time() * 1000 + seed)
end

local path
function request()
  if page_next then
    page_next = false
    path = "/v/" .. tokens[math.random(#tokens)]
    return wrk.format("GET", path, page)
  end
  page_next = true
  local body = string.format(
    "csrfmiddlewaretoken=%s&full_name=Nguy%%E1%%BB%%85n+V%%C4%%83n+T%%E1%%BA%%A3i&phone=%%2B8490%07d&birth_year=1980",
    csrf, math.random(0, math.floor(people * 1.1)))
  return wrk.format("POST", path, post, body)
end
