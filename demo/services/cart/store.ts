// Carts in memory, bounded: the load generator uses a fresh user ID per add-to-cart, so an
// unbounded map would be a second, unintended leak. The oldest carts go first.
import type { Cart } from '../common/types.js';

export class CartStore {
  private readonly carts = new Map<string, Map<string, number>>();

  constructor(readonly maxCarts = 10_000) {}

  get size(): number {
    return this.carts.size;
  }

  add(userId: string, productId: string, quantity: number): void {
    let items = this.carts.get(userId);
    if (items)
      this.carts.delete(userId); // re-insert: most recently used goes last
    else items = new Map();
    items.set(productId, (items.get(productId) ?? 0) + quantity);
    this.carts.set(userId, items);
    while (this.carts.size > this.maxCarts) this.carts.delete(this.carts.keys().next().value!);
  }

  get(userId: string): Cart {
    const items = this.carts.get(userId);
    return { userId, items: items ? [...items].map(([productId, quantity]) => ({ productId, quantity })) : [] };
  }

  empty(userId: string): void {
    this.carts.delete(userId);
  }
}
