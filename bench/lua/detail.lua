-- GET /api/v1/products/<id>/ of a product drawn at random from $BENCH_PRODUCT_IDS (a file).
dofile(os.getenv("BENCH_LUA_DIR") .. "/common.lua")

local ids = bench_lines(bench_env("BENCH_PRODUCT_IDS"))
local headers = {["Accept"] = "application/json"}

function init(args)
   math.randomseed(1000 + (thread_number or 0))
end

function request()
   local id = ids[math.random(#ids)]
   return wrk.format("GET", "/api/v1/products/" .. id .. "/", headers)
end
