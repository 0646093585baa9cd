// paymentservice: charges a card. With paymentServiceFailure on, every charge fails.
import { randomUUID } from 'node:crypto';
import { trace } from '@opentelemetry/api';
import { flagOn } from '../common/flags.js';
import { GrpcStatus, RpcError, serveGrpc } from '../common/grpc.js';
import { formatMoney, moneyToNumber } from '../common/money.js';
import { log } from '../common/log.js';
import { runService } from '../common/service.js';
import type { PaymentService } from '../common/types.js';
import { FLAGS } from '../../../src/names/contract.js';
import { checkCard } from './card.js';

const service: PaymentService = {
  async Charge({ amount, creditCard }) {
    const span = trace.getActiveSpan();
    if (!amount || moneyToNumber(amount) <= 0)
      throw new RpcError(GrpcStatus.INVALID_ARGUMENT, 'amount must be positive');
    span?.setAttributes({ 'app.payment.amount': moneyToNumber(amount), 'app.payment.currency': amount.currencyCode });
    if (await flagOn(FLAGS.paymentServiceFailure))
      throw new RpcError(GrpcStatus.INTERNAL, 'payment failed: paymentServiceFailure is on');
    if (!creditCard) throw new RpcError(GrpcStatus.INVALID_ARGUMENT, 'credit_card is required');
    const check = checkCard(creditCard);
    if (!check.ok) throw new RpcError(GrpcStatus.INVALID_ARGUMENT, check.reason);
    span?.setAttributes({ 'app.payment.card_type': check.brand, 'app.payment.card_valid': true });
    const transactionId = randomUUID();
    span?.setAttribute('app.payment.transaction.id', transactionId);
    log('info', `charged ${formatMoney(amount)}`, {
      'app.payment.amount': formatMoney(amount),
      'app.payment.card': `${check.brand} ending ${check.lastFour}`,
      'app.payment.transaction.id': transactionId,
    });
    return { transactionId };
  },
};

await runService((port) => serveGrpc(port, { PaymentService: service }));
