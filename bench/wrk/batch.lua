-- POST /api/v1/checkins/batch: a gate device syncing its queue, SIZE visits (random venues and people,
-- nine in ten already known) with fresh client ids, each entered a few minutes before it is sent.
-- The items each answer says were recorded or were duplicates are counted (report.lua sums them).
-- wrk -s batch.lua URL -- TOKEN PEOPLE_FILE VENUE_CODES_FILE SIZE
local here = debug.getinfo(1, "S").source:sub(2):match("(.*/)")
dofile(here .. "report.lua")
dofile(here .. "people.lua")

local venues, headers, size, counter = {}, {}, 500, 0
recorded, duplicates = 0, 0
function init(args)
  headers["Authorization"] = "Bearer " .. args[1]
  headers["Content-Type"] = "application/json"
  load_people(args[2])
  for code in io.lines(args[3]) do venues[#venues + 1] = code end
  size = tonumber(args[4])
  math.randomseed(os.time() * 1000 + seed)
end

local function client_id()
  counter = counter + 1
  return string.format("%08x-%04x-4%03x-8%03x-%06x%06x", math.random(0, 0x7fffffff), seed % 0xffff,
    math.random(0, 0xfff), math.random(0, 0xfff), counter % 0xffffff, math.random(0, 0xffffff))
end

function request()
  local entered = os.date("!%Y-%m-%dT%H:%M:%SZ", os.time() - 600)
  local items = {}
  for i = 1, size do
    local person = visitor()
    items[i] = string.format(
      '{"client_id":"%s","venue_code":"%s","entered_at":"%s","person":{"phone":"%s","full_name":"%s"}}',
      client_id(), venues[math.random(#venues)], entered, person.phone, person.name)
  end
  return wrk.format("POST", "/api/v1/checkins/batch", headers, '{"items":[' .. table.concat(items, ",") .. ']}')
end

function response(status, headers, body)
  if status == 200 then
    recorded = recorded + tonumber(body:match('"recorded":%s*(%d+)') or 0)
    duplicates = duplicates + tonumber(body:match('"duplicates":%s*(%d+)') or 0)
  end
end
