// A port block for a demo under test: the console port whose whole derived block (OTLP, every
// service) is free on loopback and below 32768 (Linux's ephemeral range starts there).
import net from 'node:net';
import { demoPorts } from '../../src/names/ports.js';

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.once('error', () => resolve(false));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}

export async function freeDemoPort(): Promise<number> {
  for (let i = 0; i < 50; i++) {
    const p = 10_000 + Math.floor(Math.random() * 20_000);
    const ports = demoPorts(p);
    const all = [ports.console, ports.otlpGrpc, ports.otlpHttp, ...Object.values(ports.services)];
    if ((await Promise.all(all.map(portFree))).every(Boolean)) return p;
  }
  throw new Error('no free port block found');
}
