// shippingservice: quotes (priced by quoteservice over HTTP) and shipments.
import { randomBytes } from 'node:crypto';
import { trace } from '@opentelemetry/api';
import { peerAddr } from '../common/env.js';
import { GrpcStatus, RpcError, serveGrpc } from '../common/grpc.js';
import { postJson } from '../common/http.js';
import { moneyFromNumber } from '../common/money.js';
import { errorMessage } from '../common/log.js';
import { runService } from '../common/service.js';
import type { Address, CartItem, ShippingService } from '../common/types.js';

const quoteUrl = `http://${peerAddr('QUOTE_ADDR')}/getquote`;

function itemCount(items: readonly CartItem[]): number {
  return items.reduce((n, i) => n + Math.max(0, i.quantity), 0);
}

function requireAddress(address: Address | null | undefined): Address {
  if (!address || address.country === '' || address.city === '') {
    throw new RpcError(GrpcStatus.INVALID_ARGUMENT, 'a shipping address with city and country is required');
  }
  return address;
}

/** A tracking ID shaped like a parcel service's: two letters, two groups of digits. */
function trackingId(): string {
  const b = randomBytes(6);
  const letters = String.fromCharCode(65 + (b[0]! % 26), 65 + (b[1]! % 26));
  return `${letters}-${b.readUInt16BE(2).toString().padStart(5, '0')}-${b.readUInt16BE(4).toString().padStart(5, '0')}`;
}

const service: ShippingService = {
  async GetQuote({ address, items }) {
    requireAddress(address);
    const count = itemCount(items);
    let cost: number;
    try {
      const answer = (await postJson(quoteUrl, { numberOfItems: count })) as { costUsd?: unknown } | undefined;
      if (typeof answer?.costUsd !== 'number') throw new Error('quoteservice answered without costUsd');
      cost = answer.costUsd;
    } catch (err) {
      throw new RpcError(GrpcStatus.UNAVAILABLE, `no quote: ${errorMessage(err)}`);
    }
    trace.getActiveSpan()?.setAttributes({ 'app.shipping.items.count': count, 'app.shipping.cost.total': cost });
    return { costUsd: moneyFromNumber(cost, 'USD') };
  },
  async ShipOrder({ address, items }) {
    const to = requireAddress(address);
    const id = trackingId();
    trace.getActiveSpan()?.setAttributes({
      'app.shipping.tracking.id': id,
      'app.shipping.items.count': itemCount(items),
      'app.shipping.country': to.country,
    });
    return { trackingId: id };
  },
};

await runService((port) => serveGrpc(port, { ShippingService: service }));
