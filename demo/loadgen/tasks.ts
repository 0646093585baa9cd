// What a simulated user does: the OpenTelemetry demo load generator's tasks and weights (public
// facts of its locustfile). Only "get recommendations" calls /api/recommendations (contracts.md),
// so the recommendation rate, and with it the speed of the leak, follows from the user count.
import { randomUUID } from 'node:crypto';
import { PRODUCT_IDS } from '../../src/names/contract.js';

/** Issues one request and records it in the stats under `name`; resolves to the response ok-ness. */
export interface ShopClient {
  request(method: 'GET' | 'POST', name: string, path: string, body?: unknown): Promise<boolean>;
}

export interface UserContext {
  readonly sessionId: string;
  readonly random: () => number;
  readonly client: ShopClient;
}

export interface Task {
  readonly name: string;
  readonly weight: number;
  run(user: UserContext): Promise<void>;
}

// Ad context keys of the demo (a null means "no context key").
const CATEGORIES: ReadonlyArray<string | null> = [
  'binoculars',
  'telescopes',
  'accessories',
  'assembly',
  'travel',
  'books',
  null,
];
const QUANTITIES = [1, 2, 3, 4, 5, 10];

// Invented shoppers for checkout; the card number is the demo's well-known test-card shape.
const PEOPLE = [
  {
    email: 'ada@example.com',
    address: {
      streetAddress: '1 Analytical Way',
      city: 'London',
      state: 'LDN',
      country: 'United Kingdom',
      zipCode: 'NW1 6XE',
    },
    userCurrency: 'GBP',
  },
  {
    email: 'grace@example.com',
    address: {
      streetAddress: '99 Compiler Ave',
      city: 'Arlington',
      state: 'VA',
      country: 'United States',
      zipCode: '22201',
    },
    userCurrency: 'USD',
  },
  {
    email: 'edsger@example.com',
    address: { streetAddress: '7 Semaphore St', city: 'Nuenen', state: 'NB', country: 'Netherlands', zipCode: '5671' },
    userCurrency: 'EUR',
  },
  {
    email: 'katherine@example.com',
    address: { streetAddress: '12 Orbit Rd', city: 'Hampton', state: 'VA', country: 'United States', zipCode: '23666' },
    userCurrency: 'CAD',
  },
];

export function pick<T>(items: readonly T[], random: () => number): T {
  return items[Math.min(items.length - 1, Math.floor(random() * items.length))] as T;
}

function checkoutBody(userId: string, random: () => number): unknown {
  const p = pick(PEOPLE, random);
  return {
    userId,
    email: p.email,
    address: p.address,
    userCurrency: p.userCurrency,
    creditCard: {
      creditCardNumber: '4432-8015-6152-0454',
      creditCardCvv: 672,
      creditCardExpirationYear: 2030,
      creditCardExpirationMonth: 1 + Math.floor(random() * 12),
    },
  };
}

async function addToCart(u: UserContext, userId: string): Promise<void> {
  const product = pick(PRODUCT_IDS, u.random);
  await u.client.request('GET', '/api/products/[id]', `/api/products/${product}`);
  await u.client.request('POST', '/api/cart', '/api/cart', {
    item: { productId: product, quantity: pick(QUANTITIES, u.random) },
    userId,
  });
}

export const TASKS: readonly Task[] = [
  { name: 'index', weight: 1, run: async (u) => void (await u.client.request('GET', '/', '/')) },
  {
    name: 'browse_product',
    weight: 10,
    run: async (u) =>
      void (await u.client.request('GET', '/api/products/[id]', `/api/products/${pick(PRODUCT_IDS, u.random)}`)),
  },
  {
    name: 'get_recommendations',
    weight: 3,
    run: async (u) => {
      const q = new URLSearchParams({ productIds: pick(PRODUCT_IDS, u.random), sessionId: u.sessionId });
      await u.client.request('GET', '/api/recommendations', `/api/recommendations?${q}`);
    },
  },
  {
    name: 'get_ads',
    weight: 3,
    run: async (u) => {
      const key = pick(CATEGORIES, u.random);
      await u.client.request(
        'GET',
        '/api/data',
        key === null ? '/api/data' : `/api/data?${new URLSearchParams({ contextKeys: key })}`,
      );
    },
  },
  {
    name: 'view_cart',
    weight: 3,
    run: async (u) =>
      void (await u.client.request('GET', '/api/cart', `/api/cart?${new URLSearchParams({ sessionId: u.sessionId })}`)),
  },
  // As in the demo, each add-to-cart and checkout uses a fresh user id, so carts stay one-off.
  { name: 'add_to_cart', weight: 2, run: (u) => addToCart(u, randomUUID()) },
  {
    name: 'checkout',
    weight: 1,
    run: async (u) => {
      const userId = randomUUID();
      await addToCart(u, userId);
      await u.client.request('POST', '/api/checkout', '/api/checkout', checkoutBody(userId, u.random));
    },
  },
  {
    name: 'checkout_multi',
    weight: 1,
    run: async (u) => {
      const userId = randomUUID();
      const n = pick([2, 3, 4], u.random);
      for (let i = 0; i < n; i++) await addToCart(u, userId);
      await u.client.request('POST', '/api/checkout', '/api/checkout', checkoutBody(userId, u.random));
    },
  },
];

/** A task chosen with probability proportional to its weight. */
export function pickTask(tasks: readonly Task[], random: () => number): Task {
  const total = tasks.reduce((s, t) => s + t.weight, 0);
  let x = random() * total;
  for (const t of tasks) {
    x -= t.weight;
    if (x < 0) return t;
  }
  return tasks[tasks.length - 1] as Task;
}

/** Locust's between(1, 10): a uniform pause in seconds, scaled (LOAD_PAUSE_SCALE) for tests. */
export function pauseMs(random: () => number, scale = 1): number {
  return (1000 + random() * 9000) * scale;
}
