// checkoutservice: places an order — reads the cart, prices it in the user's currency, gets a
// shipping quote, charges the card, ships, empties the cart and sends the confirmation e-mail.
import { randomUUID } from 'node:crypto';
import { trace } from '@opentelemetry/api';
import { peerAddr } from '../common/env.js';
import { GrpcStatus, grpcClient, grpcCode, grpcDetails, RpcError, serveGrpc } from '../common/grpc.js';
import { postJson } from '../common/http.js';
import { errorMessage, log } from '../common/log.js';
import { moneyToNumber, multiplyMoney, sumMoney } from '../common/money.js';
import { runService } from '../common/service.js';
import type { CheckoutService, Money, OrderItem, OrderResult } from '../common/types.js';

const cart = grpcClient('CartService', peerAddr('CART_ADDR'));
const catalog = grpcClient('ProductCatalogService', peerAddr('PRODUCT_CATALOG_ADDR'));
const currency = grpcClient('CurrencyService', peerAddr('CURRENCY_ADDR'));
const shipping = grpcClient('ShippingService', peerAddr('SHIPPING_ADDR'));
const payment = grpcClient('PaymentService', peerAddr('PAYMENT_ADDR'));
const emailUrl = `http://${peerAddr('EMAIL_ADDR')}/send_order_confirmation`;

/** Re-raises a failed downstream call with its own status (a bad card stays INVALID_ARGUMENT). */
async function step<T>(what: string, p: Promise<T>): Promise<T> {
  try {
    return await p;
  } catch (err) {
    const code = grpcCode(err);
    throw new RpcError(code === GrpcStatus.UNKNOWN ? GrpcStatus.INTERNAL : code, `${what}: ${grpcDetails(err)}`);
  }
}

async function inCurrency(m: Money, code: string): Promise<Money> {
  return m.currencyCode === code ? m : step('currency conversion', currency.Convert({ from: m, toCode: code }));
}

const service: CheckoutService = {
  async PlaceOrder({ userId, userCurrency, address, email, creditCard }) {
    const span = trace.getActiveSpan();
    if (userId === '') throw new RpcError(GrpcStatus.INVALID_ARGUMENT, 'user_id is required');
    if (!address) throw new RpcError(GrpcStatus.INVALID_ARGUMENT, 'address is required');
    if (!creditCard) throw new RpcError(GrpcStatus.INVALID_ARGUMENT, 'credit_card is required');
    const code = userCurrency || 'USD';
    span?.setAttributes({ 'app.user.id': userId, 'app.user.currency': code });

    const { items } = await step('get cart', cart.GetCart({ userId }));
    if (items.length === 0) throw new RpcError(GrpcStatus.FAILED_PRECONDITION, 'the cart is empty');

    const orderItems: OrderItem[] = await Promise.all(
      items.map(async (item) => {
        const product = await step('get product', catalog.GetProduct({ id: item.productId }));
        const price = await inCurrency(product.priceUsd, code);
        return { item, cost: multiplyMoney(price, item.quantity) };
      }),
    );
    const { costUsd } = await step('shipping quote', shipping.GetQuote({ address, items }));
    const shippingCost = await inCurrency(costUsd, code);
    const total = sumMoney([...orderItems.map((i) => i.cost), shippingCost], code);

    const { transactionId } = await step('payment', payment.Charge({ amount: total, creditCard }));
    const { trackingId } = await step('shipping', shipping.ShipOrder({ address, items }));

    const order: OrderResult = {
      orderId: randomUUID(),
      shippingTrackingId: trackingId,
      shippingCost,
      shippingAddress: address,
      items: orderItems,
      total,
    };
    span?.setAttributes({
      'app.order.id': order.orderId,
      'app.order.items.count': orderItems.length,
      'app.order.amount': moneyToNumber(total),
      'app.payment.transaction.id': transactionId,
      'app.shipping.tracking.id': trackingId,
    });

    // The order is paid and shipped: a cart or e-mail failure from here on is logged, not fatal.
    try {
      await cart.EmptyCart({ userId });
    } catch (err) {
      log(
        'warn',
        `could not empty the cart after checkout: ${grpcDetails(err)}`,
        { 'app.user.id': userId },
        { exception: err },
      );
    }
    try {
      await postJson(emailUrl, { email, order });
    } catch (err) {
      log(
        'warn',
        `could not send the order confirmation: ${errorMessage(err)}`,
        { 'app.order.id': order.orderId },
        { exception: err },
      );
    }
    return { order };
  },
};

await runService((port) => serveGrpc(port, { CheckoutService: service }));
