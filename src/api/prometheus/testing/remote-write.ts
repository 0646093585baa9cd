// Feeding a real Prometheus the same samples as Orrery through remote write 1.0 (the encoder is
// the remote-write exporter's, src/exporters/remotewrite/encode.ts).
import {
  encodeWriteRequest,
  REMOTE_WRITE_HEADERS,
  snappyCompress,
  type WriteSeries,
} from '../../../exporters/remotewrite/encode.js';

export { encodeWriteRequest, type WriteSeries };

/** Sends series to a Prometheus started with --web.enable-remote-write-receiver. */
export async function remoteWrite(baseUrl: string, series: readonly WriteSeries[]): Promise<void> {
  const body = snappyCompress(encodeWriteRequest(series));
  const res = await fetch(`${baseUrl}/api/v1/write`, { method: 'POST', headers: REMOTE_WRITE_HEADERS, body });
  if (res.status >= 300) throw new Error(`remote write failed: HTTP ${res.status}: ${await res.text()}`);
}
