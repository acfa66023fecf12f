-- Customers placing 3-line orders: POST /api/v1/orders/ with 3 distinct random variants of
-- $BENCH_VARIANT_IDS (a file, one id a line), one unit each, each request as the next customer of $BENCH_TOKENS (a file, one
-- "<customer id> <access JWT>" a line), to $BENCH_ORDERS_PATH (default /api/v1/orders/; the
-- bench's /bench/orders/ places them with no outbox, see bench/views.py).
--
-- With BENCH_PAY=1, an order placed is then paid (POST /api/v1/payments/ with `tok_visa`) by
-- the customer who placed it: the next request of the same wrk thread pays it, so about half
-- the requests are placements and half payments.
dofile(os.getenv("BENCH_LUA_DIR") .. "/common.lua")

local ids = bench_lines(bench_env("BENCH_VARIANT_IDS"))
local tokens, token_of = {}, {}
for _, line in ipairs(bench_lines(bench_env("BENCH_TOKENS"))) do
   local customer_id, token = line:match("^(%d+) (%S+)$")
   table.insert(tokens, token)
   token_of[customer_id] = token
end
local pay = bench_env("BENCH_PAY", "0") == "1"
local orders_path = bench_env("BENCH_ORDERS_PATH", "/api/v1/orders/")
local next_customer = 0
local to_pay = {}

function init(args)
   math.randomseed(2000 + (thread_number or 0))
   next_customer = (thread_number or 0) * 7
end

local function headers(token)
   return {
      ["Authorization"] = "Bearer " .. token,
      ["Content-Type"] = "application/json",
      ["Accept"] = "application/json",
   }
end

local function three_variants()
   local a = math.random(#ids)
   local b = math.random(#ids - 1)
   if b >= a then b = b + 1 end
   local c = math.random(#ids - 2)
   local low, high = math.min(a, b), math.max(a, b)
   if c >= low then c = c + 1 end
   if c >= high then c = c + 1 end
   return ids[a], ids[b], ids[c]
end

function request()
   if pay and #to_pay > 0 then
      local order = table.remove(to_pay, 1)
      local body = string.format('{"order_id": %s, "token": "tok_visa"}', order.id)
      return wrk.format("POST", "/api/v1/payments/", headers(order.token), body)
   end
   next_customer = next_customer % #tokens + 1
   local a, b, c = three_variants()
   local body = string.format(
      '{"items": [{"variant_id": %s, "quantity": 1}, {"variant_id": %s, "quantity": 1}, ' ..
      '{"variant_id": %s, "quantity": 1}]}', a, b, c)
   return wrk.format("POST", orders_path, headers(tokens[next_customer]), body)
end

function on_response(status, body)
   if status ~= 201 then return end
   if body:find('"number"', 1, true) then
      count("orders_placed")
      count("units_ordered", 3)
      if pay then
         local id = body:match('^{"id":%s*(%d+)')
         local customer_id = body:match('"customer_id":%s*(%d+)')
         table.insert(to_pay, {id = id, token = token_of[customer_id]})
      end
   elseif body:find('"provider"', 1, true) then
      count("orders_paid")
   end
end
