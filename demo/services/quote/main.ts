// quoteservice (HTTP): the shipping cost for a number of items. POST /getquote {"numberOfItems":N}
// → {"costUsd": <dollars>}.
import { trace } from '@opentelemetry/api';
import { asInt, asObject, readJson, serveHttp } from '../common/http.js';
import { runService } from '../common/service.js';
import { quoteUsd } from './quote.js';

await runService((port) =>
  serveHttp(port, [
    { method: 'GET', path: '/healthz', handler: () => ({ text: 'ok' }) },
    {
      method: 'POST',
      path: '/getquote',
      handler: async ({ req }) => {
        const body = asObject(await readJson(req), 'body');
        const numberOfItems = asInt(body.numberOfItems, 'numberOfItems', 0, 100_000);
        const costUsd = quoteUsd(numberOfItems);
        trace
          .getActiveSpan()
          ?.setAttributes({ 'app.quote.items.count': numberOfItems, 'app.quote.cost.total': costUsd });
        return { json: { costUsd } };
      },
    },
  ]),
);
