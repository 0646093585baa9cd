import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SeverityNumber } from '@opentelemetry/api-logs';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { InMemoryLogRecordExporter } from '@opentelemetry/sdk-logs';
import { afterEach, describe, expect, it } from 'vitest';
import { createLoggerProvider } from './logs.js';

const resource = resourceFromAttributes({ 'service.name': 'recommendationservice' });

describe('createLoggerProvider', () => {
  const stops: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const stop of stops.splice(0)) await stop();
  });

  it('batches records with the resource and bounds a runaway attribute', async () => {
    const exporter = new InMemoryLogRecordExporter();
    const provider = createLoggerProvider(resource, { otlpBase: 'http://127.0.0.1:9', exporter });
    stops.push(() => provider.shutdown());
    provider.getLogger('t').emit({
      severityNumber: SeverityNumber.WARN,
      body: 'cache miss',
      attributes: { 'app.products.count': 12, huge: 'x'.repeat(100_000) },
    });
    // batched: nothing is exported until the delay passes or a flush asks
    expect(exporter.getFinishedLogRecords()).toHaveLength(0);
    await provider.forceFlush();
    const [record] = exporter.getFinishedLogRecords();
    expect(record?.body).toBe('cache miss');
    expect(record?.resource.attributes['service.name']).toBe('recommendationservice');
    expect(record?.attributes['app.products.count']).toBe(12);
    expect(String(record?.attributes.huge)).toHaveLength(8192);
  });

  it('posts OTLP/protobuf to <base>/v1/logs', async () => {
    const requests: { path: string | undefined; type: string | undefined; body: Buffer }[] = [];
    const server = createServer((req: IncomingMessage, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        requests.push({ path: req.url, type: req.headers['content-type'], body: Buffer.concat(chunks) });
        res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    stops.push(() => new Promise((resolve) => server.close(() => resolve())));
    const { port } = server.address() as AddressInfo;
    const provider = createLoggerProvider(resource, { otlpBase: `http://127.0.0.1:${port}` });
    stops.push(() => provider.shutdown());
    provider.getLogger('t').emit({ severityNumber: SeverityNumber.INFO, body: 'request handled' });
    await provider.forceFlush();
    expect(requests).toHaveLength(1);
    expect(requests[0]?.path).toBe('/v1/logs');
    expect(requests[0]?.type).toBe('application/x-protobuf');
    // the body and the service name travel as protobuf strings
    expect(requests[0]?.body.includes(Buffer.from('request handled'))).toBe(true);
    expect(requests[0]?.body.includes(Buffer.from('recommendationservice'))).toBe(true);
  });
});
