-- devenv: applies one *.json fixture inside Redis (EVAL by seed.sh); notes at the end.
local ok, data = pcall(cjson.decode, ARGV[3])
if not ok then return redis.error_reply("not valid JSON: " .. tostring(data)) end
if type(data) ~= "table" or data[1] ~= nil then
  return redis.error_reply("the top level must be an object of {key: value}")
end
local function scalar(v) local t = type(v) return t == "string" or t == "number" or t == "boolean" end
local function text(v)
  if type(v) == "boolean" then if v then return "true" end return "false" end
  if type(v) == "number" and v == math.floor(v) and math.abs(v) < 1e15 then return string.format("%d", v) end
  return tostring(v)
end
for k, v in pairs(data) do
  if type(v) == "table" then
    for f, x in pairs(v) do
      if not scalar(x) then
        return redis.error_reply("key " .. k .. ": items of lists and objects must be strings, numbers or booleans")
      end
    end
  end
end
local n = 0
for k, v in pairs(data) do
  redis.call("DEL", k)
  if type(v) == "table" then
    local args = {}
    if v[1] ~= nil then
      for i = 1, #v do args[#args + 1] = text(v[i]) end
    else
      for f, x in pairs(v) do args[#args + 1] = f; args[#args + 1] = text(x) end
    end
    local step = 1000
    if v[1] == nil then step = 1000 end
    for i = 1, #args, step do
      local chunk = {}
      for j = i, math.min(i + step - 1, #args) do chunk[#chunk + 1] = args[j] end
      if v[1] ~= nil then redis.call("RPUSH", k, unpack(chunk)) else redis.call("HSET", k, unpack(chunk)) end
    end
  elseif v ~= cjson.null then
    redis.call("SET", k, text(v))
  end
  n = n + 1
end
redis.call("HSET", "devenv:fixtures", ARGV[1], ARGV[2])
return n
-- ARGV = the file's name, its checksum, its JSON text. The whole document is checked before
-- anything is written, so a bad file changes nothing; then each key is replaced (text, number
-- or boolean -> SET; object -> hash; array -> list; null, {} and [] -> DEL) and the file's
-- checksum recorded in the hash devenv:fixtures. Returns the number of keys.
-- The code starts on line 2, as it did when it was inlined, so error line numbers stay the same.
