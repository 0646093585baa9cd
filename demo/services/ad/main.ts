// adservice: text ads by product category (the frontend's context keys). With adServiceFailure
// on, GetAds fails.
import { trace } from '@opentelemetry/api';
import { flagOn } from '../common/flags.js';
import { GrpcStatus, RpcError, serveGrpc } from '../common/grpc.js';
import { runService } from '../common/service.js';
import type { Ad, AdService } from '../common/types.js';
import { FLAGS } from '../../../src/names/contract.js';
import { ADS_BY_CATEGORY, pickAds } from './ads.js';

const service: AdService = {
  async GetAds({ contextKeys }) {
    const span = trace.getActiveSpan();
    span?.setAttribute('app.ads.contextKeys', contextKeys);
    if (await flagOn(FLAGS.adServiceFailure))
      throw new RpcError(GrpcStatus.UNAVAILABLE, 'ads are unavailable: adServiceFailure is on');
    const ads: Ad[] = pickAds(contextKeys, ADS_BY_CATEGORY);
    span?.setAttribute('app.ads.count', ads.length);
    span?.setAttribute('app.ads.ad_request_type', contextKeys.length > 0 ? 'targeted' : 'not_targeted');
    return { ads };
  },
};

await runService((port) => serveGrpc(port, { AdService: service }));
