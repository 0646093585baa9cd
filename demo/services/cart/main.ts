// cartservice: carts in memory. With cartServiceFailure on, emptying a cart fails (as in the demo).
import { trace } from '@opentelemetry/api';
import { flagOn } from '../common/flags.js';
import { GrpcStatus, RpcError, serveGrpc } from '../common/grpc.js';
import { runService } from '../common/service.js';
import type { CartService } from '../common/types.js';
import { FLAGS } from '../../../src/names/contract.js';
import { CartStore } from './store.js';

const store = new CartStore();

function requireUser(userId: string): void {
  if (userId === '') throw new RpcError(GrpcStatus.INVALID_ARGUMENT, 'user_id is required');
  trace.getActiveSpan()?.setAttribute('app.user.id', userId);
}

async function failIfFlagged(operation: string): Promise<void> {
  if (await flagOn(FLAGS.cartServiceFailure))
    throw new RpcError(GrpcStatus.INTERNAL, `${operation} failed: cartServiceFailure is on`);
}

const service: CartService = {
  async AddItem({ userId, item }) {
    requireUser(userId);
    if (!item || item.productId === '' || item.quantity <= 0) {
      throw new RpcError(GrpcStatus.INVALID_ARGUMENT, 'item needs a product_id and a positive quantity');
    }
    trace.getActiveSpan()?.setAttributes({ 'app.product.id': item.productId, 'app.product.quantity': item.quantity });
    store.add(userId, item.productId, item.quantity);
    return {};
  },
  async GetCart({ userId }) {
    requireUser(userId);
    const cart = store.get(userId);
    trace.getActiveSpan()?.setAttribute('app.cart.items.count', cart.items.length);
    return cart;
  },
  async EmptyCart({ userId }) {
    requireUser(userId);
    await failIfFlagged('EmptyCart');
    store.empty(userId);
    return {};
  },
};

await runService((port) => serveGrpc(port, { CartService: service }));
