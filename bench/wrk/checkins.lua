-- POST /api/v1/checkins: a random venue, a random person (nine in ten already known, as in life).
-- wrk -s checkins.lua URL -- TOKEN PEOPLE_FILE VENUE_CODES_FILE
local here = debug.getinfo(1, "S").source:sub(2):match("(.*/)")
dofile(here .. "report.lua")
dofile(here .. "people.lua")

local venues, headers = {}, {}
function init(args)
  headers["Authorization"] = "Bearer " .. args[1]
  headers["Content-Type"] = "application/json"
  load_people(args[2])
  for code in io.lines(args[3]) do venues[#venues + 1] = code end
  math.randomseed(os.time() * 1000 + seed)
end

function request()
  local person = visitor()
  local body = string.format('{"venue_code":"%s","person":{"phone":"%s","full_name":"%s"}}',
    venues[math.random(#venues)], person.phone, person.name)
  return wrk.format("POST", "/api/v1/checkins", headers, body)
end
