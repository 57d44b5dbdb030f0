-- The citizen's whole check-in as a phone does it: GET the poster's scan page, POST the form as the
-- browser sends it (every field, the "remember me" box ticked as it comes), then follow the redirect
-- to GET the receipt. A response callback queues each POST's receipt, which the thread sends next.
-- wrk -s flow.lua URL -- KIND PEOPLE_FILE VENUE_TOKENS_FILE [DEVICES_FILE]
--   KIND new: each phone a new browser (its own CSRF cookie, a name, phone and birth year typed in)
--   KIND returning: a phone that checked in before (its device cookie from DEVICES_FILE): one tap
--   KIND family: a new browser declaring two family members without a phone (three check-ins)
local here = debug.getinfo(1, "S").source:sub(2):match("(.*/)")
dofile(here .. "report.lua")
dofile(here .. "people.lua")

local kind, tokens, devices = "new", {}, {}
function init(args)
  kind = args[1]
  load_people(args[2])
  for token in io.lines(args[3]) do tokens[#tokens + 1] = token end
  if args[4] then
    for line in io.lines(args[4]) do devices[#devices + 1] = line end
  end
  math.randomseed(os.time() * 1000 + seed)
end

-- What a browser sends for the empty family rows and optional fields of the first check-in form.
local function members(rows)
  local parts = {}
  for i = 0, 5 do
    local row = rows[i + 1]
    parts[#parts + 1] = string.format("member_%d_name=%s&member_%d_year=%s", i, row and row[1] or "", i,
      row and row[2] or "")
  end
  return table.concat(parts, "&")
end
local family = {{"Nguy%E1%BB%85n+Th%E1%BB%8B+Con", "2015"}, {"Nguy%E1%BB%85n+V%C4%83n+%C3%94ng", "1948"}}

local receipts, step = {}, "page"
local path, cookie, csrf
pages, posts, shown, unexpected = 0, 0, 0, 0

function request()
  if #receipts > 0 then
    return wrk.format("GET", table.remove(receipts, 1), {["Cookie"] = cookie})
  end
  if step == "page" then
    step = "post"
    path, csrf = "/v/" .. tokens[math.random(#tokens)], new_browser()
    cookie = "csrftoken=" .. csrf
    if kind == "returning" then cookie = cookie .. "; qrt_device=" .. devices[math.random(#devices)] end
    return wrk.format("GET", path, {["Cookie"] = cookie})
  end
  step = "page"
  local headers = {["Cookie"] = cookie, ["Content-Type"] = "application/x-www-form-urlencoded"}
  local body
  if kind == "returning" then
    body = "csrfmiddlewaretoken=" .. csrf .. "&cough=on"
  else
    local person = visitor()
    body = string.format("csrfmiddlewaretoken=%s&full_name=%s&phone=%s&birth_year=%s&citizen_id=&commune=&%s"
      .. "&remember=on", csrf, person.encoded, "%2B" .. person.phone:sub(2), person.born,
      members(kind == "family" and family or {}))
  end
  return wrk.format("POST", path, headers, body)
end

function response(status, headers, body)
  local location = headers["Location"] or headers["location"]
  if status == 302 and location and location:find("^/c/") then
    posts = posts + 1
    receipts[#receipts + 1] = location
  elseif status == 200 and body:find('class="receipt', 1, true) then
    shown = shown + 1
  elseif status == 200 then
    pages = pages + 1
  else
    unexpected = unexpected + 1
  end
end

local threads = {}
function setup(thread)
  threads[#threads + 1] = thread
  thread:set("seed", #threads)
end

function done(summary, latency, requests)
  local counts = {pages = 0, posts = 0, shown = 0, unexpected = 0}
  for _, thread in ipairs(threads) do
    for name in pairs(counts) do counts[name] = counts[name] + thread:get(name) end
  end
  local e = summary.errors
  io.write(string.format(
    'WRK_JSON {"requests":%d,"duration_us":%d,"failed":%d,"socket_errors":%d,"p50_us":%d,"p99_us":%d,'
    .. '"pages":%d,"posts":%d,"receipts":%d,"unexpected":%d}\n',
    summary.requests, summary.duration, e.status, e.connect + e.read + e.write + e.timeout,
    latency:percentile(50), latency:percentile(99), counts.pages, counts.posts, counts.shown,
    counts.unexpected))
end
