// A storefront's customer story, written against the types openapi-typescript generates from
// `/api/v1/schema/` (as `./schema`) and the typed fetch client openapi-fetch makes of them.
//
// tests/sdk/test_generated_clients.py checks it with `tsc --strict` and runs it against a live
// server: it must need no type assertion, no any-typed value and no ts-ignore comment, so that
// the schema's types are the ones a storefront can use unchanged.

import createClient from "openapi-fetch";
import type { components, paths } from "./schema";

type Order = components["schemas"]["Order"];
type OrderStatus = components["schemas"]["OrderStatus"];
type Address = components["schemas"]["AddressRequest"];

export class StoryFailed extends Error {}

function expect<T>(data: T | undefined, error: unknown, step: string): T {
  if (data === undefined) {
    throw new StoryFailed(`${step}: ${JSON.stringify(error)}`);
  }
  return data;
}

export async function run(baseUrl: string, password: string): Promise<Order> {
  const guest = createClient<paths>({ baseUrl });
  const email = `story-${crypto.randomUUID()}@example.com`;

  const registered = await guest.POST("/api/v1/auth/register/", {
    body: { email, password, first_name: "Ada" },
  });
  const account = expect(registered.data, registered.error, "register");

  const signedIn = await guest.POST("/api/v1/auth/token/", { body: { email, password } });
  const pair = expect(signedIn.data, signedIn.error, "sign in");
  const customer = createClient<paths>({
    baseUrl,
    headers: { Authorization: `Bearer ${pair.access}` },
  });

  const listed = await guest.GET("/api/v1/products/", {
    params: { query: { in_stock: true, min_price: "0.01", ordering: "price" } },
  });
  const product = expect(listed.data, listed.error, "list products").results[0];
  if (product === undefined) {
    throw new StoryFailed("no product in stock");
  }
  const quantity = product.stock >= 2 ? 2 : 1;

  const address: Address = {
    name: "Ada Lovelace",
    line1: "12 St James's Square",
    city: "London",
    postal_code: "SW1Y 4JH",
    country: "GB",
  };
  const placed = await customer.POST("/api/v1/orders/", {
    params: { header: { "Idempotency-Key": crypto.randomUUID() } },
    body: { items: [{ product_id: product.id, quantity }], shipping_address: address },
  });
  const order = expect(placed.data, placed.error, "place an order");
  if (order.customer_id !== account.id || order.status !== "pending") {
    throw new StoryFailed(`unexpected order ${JSON.stringify(order)}`);
  }

  const paying = await customer.POST("/api/v1/payments/", {
    params: { header: { "Idempotency-Key": crypto.randomUUID() } },
    body: { order_id: order.id, token: "tok_visa" },
  });
  const payment = expect(paying.data, paying.error, "pay");
  if (payment.status !== "succeeded" || payment.amount !== order.total) {
    throw new StoryFailed(`unexpected payment ${JSON.stringify(payment)}`);
  }

  const read = await customer.GET("/api/v1/orders/{id}/", {
    params: { path: { id: order.id } },
  });
  const paid = expect(read.data, read.error, "read the order");
  const history: OrderStatus[] = paid.events.map((event) => event.status);
  if (paid.status !== "paid" || !history.includes("paid")) {
    throw new StoryFailed(`the order is not paid: ${JSON.stringify(paid)}`);
  }
  if (paid.shipping_address === null || paid.shipping_address.city !== "London") {
    throw new StoryFailed("the order lost its address");
  }

  const mine = await customer.GET("/api/v1/orders/", { params: { query: { status: "paid" } } });
  const ids = expect(mine.data, mine.error, "list paid orders").results.map((listed) => listed.id);
  if (ids.length !== 1 || ids[0] !== paid.id) {
    throw new StoryFailed("the paid order is not in the customer's paid orders");
  }
  return paid;
}
