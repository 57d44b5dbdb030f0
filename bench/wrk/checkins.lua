-- POST /api/v1/checkins: a random venue, a random person (nine in ten already known, as in life).
-- wrk -s checkins.lua URL -- TOKEN PEOPLE VENUE_CODES_FILE
dofile(debug.getinfo(1, "S").source:sub(2):match("(.*/)") .. "report.lua")

local venues, people, headers = {}, 0, {}
function init(args)
  headers["Authorization"] = "Bearer " .. args[1]
  headers["Content-Type"] = "application/json"
  people = tonumber(args[2])
  for code in io.lines(args[3]) do venues[#venues + 1] = code end
  math.randomseed(os.time() * 1000 + seed)
end

function request()
  local body = string.format(
    '{"venue_code":"%s","person":{"phone":"+8490%07d","full_name":"Nguyễn Văn Tải"}}',
    venues[math.random(#venues)], math.random(0, math.floor(people * 1.1)))
  return wrk.format("POST", "/api/v1/checkins", headers, body)
end
