-- The browser's flow: GET the scan page of a venue's poster, then POST the check-in form (CSRF
-- cookie and field, as a browser sends them). Requests alternate GET, POST on each thread; each pair
-- is a different browser (its own CSRF cookie, which the check-in rate limit counts as a device).
-- wrk -s form.lua URL -- PEOPLE_FILE VENUE_TOKENS_FILE
local here = debug.getinfo(1, "S").source:sub(2):match("(.*/)")
dofile(here .. "report.lua")
dofile(here .. "people.lua")

local tokens, page_next = {}, true
function init(args)
  load_people(args[1])
  for token in io.lines(args[2]) do tokens[#tokens + 1] = token end
  math.randomseed(os.time() * 1000 + seed)
end

local path, csrf
function request()
  if page_next then
    page_next = false
    path, csrf = "/v/" .. tokens[math.random(#tokens)], new_browser()
    return wrk.format("GET", path, {["Cookie"] = "csrftoken=" .. csrf})
  end
  page_next = true
  local headers = {["Cookie"] = "csrftoken=" .. csrf, ["Content-Type"] = "application/x-www-form-urlencoded"}
  local person = visitor()
  local body = string.format("csrfmiddlewaretoken=%s&full_name=%s&phone=%s&birth_year=%s",
    csrf, person.encoded, "%2B" .. person.phone:sub(2), person.born)
  return wrk.format("POST", path, headers, body)
end
