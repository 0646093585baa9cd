// currencyservice: supported currencies and conversion between them.
import { trace } from '@opentelemetry/api';
import { GrpcStatus, RpcError, serveGrpc } from '../common/grpc.js';
import { runService } from '../common/service.js';
import type { CurrencyService } from '../common/types.js';
import { convert, EUR_RATES, isSupported } from './rates.js';

const service: CurrencyService = {
  async GetSupportedCurrencies() {
    return { currencyCodes: Object.keys(EUR_RATES) };
  },
  async Convert({ from, toCode }) {
    const fromCode = from?.currencyCode ?? '';
    trace
      .getActiveSpan()
      ?.setAttributes({ 'app.currency.conversion.from': fromCode, 'app.currency.conversion.to': toCode });
    if (!from || !isSupported(fromCode))
      throw new RpcError(GrpcStatus.INVALID_ARGUMENT, `unsupported currency ${JSON.stringify(fromCode)}`);
    if (!isSupported(toCode))
      throw new RpcError(GrpcStatus.INVALID_ARGUMENT, `unsupported currency ${JSON.stringify(toCode)}`);
    return convert(from, toCode);
  },
};

await runService((port) => serveGrpc(port, { CurrencyService: service }));
