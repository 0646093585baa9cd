// Start-up of every shop service, one way: start the servers, then log one "listening" line (the
// supervisor can also probe the port); a failure to start is logged and exits non-zero so the
// supervisor's restart policy applies.
import { listenPort, serviceName } from './env.js';
import { errorMessage, flushLogs, log } from './log.js';

export async function runService(start: (port: number) => Promise<{ readonly port: number }>): Promise<void> {
  try {
    const { port } = await start(listenPort());
    log('info', 'listening', { port, pid: process.pid });
  } catch (err) {
    log('error', `${serviceName()} failed to start: ${errorMessage(err)}`, {}, { exception: err });
    await flushLogs();
    process.exit(1);
  }
}
