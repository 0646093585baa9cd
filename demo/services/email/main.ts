// emailservice (HTTP): "sends" the order confirmation. POST /send_order_confirmation
// {"email": "...", "order": {...}} → 200 {"sent": true}.
import { trace } from '@opentelemetry/api';
import { asObject, asString, HttpError, readJson, serveHttp } from '../common/http.js';
import { log } from '../common/log.js';
import { runService } from '../common/service.js';

await runService((port) =>
  serveHttp(port, [
    { method: 'GET', path: '/healthz', handler: () => ({ text: 'ok' }) },
    {
      method: 'POST',
      path: '/send_order_confirmation',
      handler: async ({ req }) => {
        const body = asObject(await readJson(req), 'body');
        const email = asString(body.email, 'email');
        if (!/^[^@\s]+@[^@\s]+$/.test(email)) throw new HttpError(400, 'email is not an e-mail address');
        const order = asObject(body.order, 'order');
        const orderId = asString(order.orderId, 'order.orderId');
        trace.getActiveSpan()?.setAttributes({ 'app.order.id': orderId, 'app.email.recipient': email });
        log('info', 'order confirmation sent', { 'app.order.id': orderId, 'app.email.recipient': email });
        return { json: { sent: true } };
      },
    },
  ]),
);
